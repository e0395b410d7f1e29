use portcullis_diagnostics::Diagnostic;
use portcullis_ir::Direction;
use portcullis_net::{Protocol, Reach};

use crate::analysis::{Context, advice, statement_finding};
use portcullis_diagnostics::Equivalent;
use super::PUBLIC_INGRESS;

declare_rule! {
    /// ## What it does
    /// Reports ingress rule statements that open every port (protocol `-1`/`all`, another IP
    /// protocol number, or tcp/udp 0-65535) to the whole internet.
    ///
    /// ## Why is this bad?
    /// Every service on the host becomes reachable, including the ones nobody remembers running:
    /// databases bound to all interfaces, debug ports, admin consoles. It defeats the purpose of a
    /// security group.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group" "app" {
    ///   ingress {
    ///     protocol    = "-1"
    ///     from_port   = 0
    ///     to_port     = 0
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Open only the ports the service needs, to the sources that need them:
    /// ```hcl
    /// resource "aws_security_group" "app" {
    ///   ingress {
    ///     protocol    = "tcp"
    ///     from_port   = 443
    ///     to_port     = 443
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which ports the service needs is a decision for its owner.
    pub static RULE = {
        code: "SG001",
        name: "all-traffic-open-to-internet",
        category: "exposure",
        severity: Critical,
        enabled: true,
        equivalents: [PUBLIC_INGRESS, &[Equivalent::checkov("CKV_AWS_277"), Equivalent::cfn_nag("W42")]],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for statement in &context.statements {
        if statement.rule.direction != Direction::Ingress || !statement.is_all_traffic() {
            continue;
        }
        let (Some(peer), Some((protocol, ports))) = (statement.widest_peer(), statement.traffic)
        else {
            continue;
        };
        if context.group_reach(statement, protocol, ports) != Reach::Internet
            || peer.reach < Reach::Broad
        {
            continue;
        }
        let what = if protocol == Protocol::All {
            "all protocols and ports are".to_owned()
        } else {
            match protocol {
                Protocol::Number(number) => format!("all traffic of IP protocol {number} is"),
                _ => format!("all {protocol} ports are"),
            }
        };
        out.push(statement_finding(
            context,
            &RULE,
            statement,
            peer,
            format!("{what} open to the internet from {}", statement.broad_peers()),
            vec!["every port".to_owned()],
            vec![advice("open only the ports the service needs, and only to the sources that need them")],
        ));
    }
}
