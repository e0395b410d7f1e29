use portcullis_diagnostics::Diagnostic;
use portcullis_ir::Direction;
use portcullis_net::Reach;

use crate::analysis::{Context, statement_finding};
use crate::catalogue::Service;
use crate::remedies;
use super::PUBLIC_INGRESS;

declare_rule! {
    /// ## What it does
    /// Reports ingress rule statements that open a sensitive port to a large part of the
    /// internet without covering all of it: `0.0.0.0/1`, a public /8, a /32 of IPv6.
    ///
    /// ## Why is this bad?
    /// Splitting `0.0.0.0/0` into halves or opening a whole provider's range hides an exposure
    /// from tools that only look for `0.0.0.0/0`, while still letting millions of hosts in.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "ssh" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 22
    ///   to_port           = 22
    ///   cidr_blocks       = ["0.0.0.0/1"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Name the networks that need access:
    /// ```hcl
    /// resource "aws_security_group_rule" "ssh" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 22
    ///   to_port           = 22
    ///   cidr_blocks       = ["203.0.113.0/28"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Replacing the source CIDR changes who can connect, so the edit is unsafe.
    pub static RULE = {
        code: "SG010",
        name: "sensitive-port-open-to-broad-cidr",
        category: "exposure",
        severity: Medium,
        enabled: true,
        equivalents: [PUBLIC_INGRESS],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for statement in &context.statements {
        if statement.rule.direction != Direction::Ingress {
            continue;
        }
        let Some(peer) = statement.widest_peer() else {
            continue;
        };
        // Only what stops short of the whole internet: the rest is for the category rules.
        let exposures: Vec<_> = context
            .exposed_services(statement)
            .into_iter()
            .filter(|exposure| exposure.reach == Reach::Broad && peer.reach == Reach::Broad)
            .collect();
        let Some(first) = exposures.first() else {
            continue;
        };
        let services: Vec<&Service> = exposures.iter().map(|exposure| exposure.service).collect();
        let labels: Vec<String> = services.iter().map(|service| service.label()).collect();
        let public = peer.value.known_value().map_or(0, |cidr| portcullis_net::AddrSet::from_net(cidr.net).public_count_v4());
        let size = if public > 0 { format!(" ({public} public addresses)") } else { String::new() };
        out.push(statement_finding(
            context,
            &RULE,
            statement,
            peer,
            format!("{} open to a broad public range {}{size}", labels.join(", "), peer.cidr),
            labels,
            remedies::for_exposure(context, statement, peer, first.service.category, &services),
        ));
    }
}
