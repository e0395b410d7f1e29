use portcullis_diagnostics::Diagnostic;
use portcullis_ir::Direction;
use portcullis_net::Reach;

use crate::analysis::{Context, advice, statement_finding};

declare_rule! {
    /// ## What it does
    /// Reports egress rule statements that allow every protocol and port to the whole internet.
    ///
    /// ## Why is this bad?
    /// Unrestricted egress lets a compromised host download tooling, reach command-and-control
    /// servers and exfiltrate data on any port. It is the AWS default, which is why it is so
    /// common, and why it is only a low-severity finding.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group" "app" {
    ///   egress {
    ///     protocol    = "-1"
    ///     from_port   = 0
    ///     to_port     = 0
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Allow only the destinations the workload needs, for example HTTPS, or VPC endpoints:
    /// ```hcl
    /// resource "aws_security_group" "app" {
    ///   egress {
    ///     protocol    = "tcp"
    ///     from_port   = 443
    ///     to_port     = 443
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the destinations a workload needs are known only to its owner.
    pub static RULE = {
        code: "SG013",
        name: "unrestricted-egress",
        category: "hygiene",
        severity: Low,
        enabled: true,
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for statement in &context.statements {
        if statement.rule.direction != Direction::Egress || !statement.is_all_traffic() {
            continue;
        }
        let Some(peer) = statement
            .widest_peer()
            .filter(|peer| peer.reach == Reach::Internet)
        else {
            continue;
        };
        out.push(statement_finding(
            context,
            &RULE,
            statement,
            peer,
            format!("all outbound traffic is allowed to the internet ({})", statement.broad_peers()),
            Vec::new(),
            vec![advice("allow only the destinations and ports the workload needs (for example tcp 443), or use VPC endpoints")],
        ));
    }
}
