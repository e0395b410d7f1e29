use portcullis_diagnostics::Diagnostic;

use crate::analysis::{Context, advice, statement_finding};
use portcullis_diagnostics::Equivalent;
use super::PUBLIC_INGRESS;

/// Ranges wider than this many ports are reported.
pub const MAX_PORTS: u32 = 100;

declare_rule! {
    /// ## What it does
    /// Reports ingress rule statements that open more than 100 tcp or udp ports, none of them
    /// in the sensitive-port catalogue, to the whole internet.
    ///
    /// ## Why is this bad?
    /// Wide ranges are usually opened "to make it work" and expose whatever later listens in
    /// them: debug servers, ephemeral admin consoles, new services nobody reviewed.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "game" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 30000
    ///   to_port           = 32767
    ///   cidr_blocks       = ["0.0.0.0/0"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Open the ports the service listens on, or put it behind a load balancer:
    /// ```hcl
    /// resource "aws_security_group_rule" "game" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 30000
    ///   to_port           = 30010
    ///   cidr_blocks       = ["0.0.0.0/0"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which ports are in use is known only to the service's owner.
    pub static RULE = {
        code: "SG011",
        name: "wide-port-range-open-to-internet",
        category: "exposure",
        severity: Medium,
        enabled: true,
        equivalents: [PUBLIC_INGRESS, &[Equivalent::cfn_nag("W27")]],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (statement, protocol, ports, peer) in context.uncatalogued_public_ports() {
        if ports.is_all() || ports.len() <= MAX_PORTS {
            continue;
        }
        out.push(statement_finding(
            context,
            &RULE,
            statement,
            peer,
            format!("{} {protocol} ports ({ports}) are open to the internet from {}", ports.len(), peer.cidr),
            vec![format!("{ports}/{protocol}")],
            vec![advice("open only the ports the service listens on")],
        ));
    }
}
