use portcullis_diagnostics::Diagnostic;
use portcullis_ir::Direction;
use portcullis_net::Reach;

use crate::analysis::{Context, advice, statement_finding};

declare_rule! {
    /// ## What it does
    /// Reports ingress rule statements that accept ICMP or ICMPv6 from the whole internet.
    ///
    /// ## Why is this bad?
    /// It is rarely dangerous (path MTU discovery even needs some ICMP), but echo requests make
    /// hosts easy to enumerate. Reported as information so that the choice is deliberate.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group" "app" {
    ///   ingress {
    ///     protocol    = "icmp"
    ///     from_port   = -1
    ///     to_port     = -1
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Allow only the ICMP types you need (3, destination unreachable, for path MTU discovery):
    /// ```hcl
    /// resource "aws_security_group" "app" {
    ///   ingress {
    ///     protocol    = "icmp"
    ///     from_port   = 3
    ///     to_port     = 4
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    pub static RULE = {
        code: "SG012",
        name: "icmp-open-to-internet",
        category: "exposure",
        severity: Info,
        enabled: true,
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for statement in &context.statements {
        let Some((protocol, ports)) = statement.traffic else {
            continue;
        };
        if statement.rule.direction != Direction::Ingress || !protocol.is_icmp() {
            continue;
        }
        let Some(peer) = statement.widest_peer().filter(|peer| peer.reach == Reach::Internet) else {
            continue;
        };
        let what = if ports.from == 0 && ports.to == 255 {
            format!("every {protocol} type")
        } else {
            format!("{protocol} type {ports}")
        };
        out.push(statement_finding(
            context,
            &RULE,
            statement,
            peer,
            format!("{what} is accepted from the internet ({})", peer.cidr),
            vec![what],
            vec![advice("allow only the ICMP types you need, such as 3 (destination unreachable)")],
        ));
    }
}
