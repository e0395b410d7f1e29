use portcullis_diagnostics::{Diagnostic, Severity};
use portcullis_ir::Direction;
use portcullis_net::{PortRange, Protocol, Reach};

use crate::analysis::{Context, advice, statement_finding};
use portcullis_diagnostics::Equivalent;

declare_rule! {
    /// ## What it does
    /// Reports egress rule statements that allow every protocol, or every port of tcp or udp, to
    /// the whole internet. Egress of specific ports to the internet (other than 80 and 443) is
    /// reported at `info`, as evidence of what the workload may reach.
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
        equivalents: [&[
            Equivalent::trivy("aws-ec2-no-public-egress-sgr"),
            Equivalent::trivy("aws-vpc-no-public-egress-sgr"),
            Equivalent::trivy("aws-0104"),
            Equivalent::trivy("avd-aws-0104"),
            Equivalent::checkov("CKV_AWS_382"),
            Equivalent::cfn_nag("W5"),
            Equivalent::cfn_nag("W40"),
        ]],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for statement in &context.statements {
        let Some((protocol, ports)) = statement.traffic else { continue };
        if statement.rule.direction != Direction::Egress {
            continue;
        }
        let Some(peer) = statement.widest_peer().filter(|peer| peer.reach == Reach::Internet) else {
            continue;
        };
        let to = statement.broad_peers();
        let (severity, message) = if matches!(protocol, Protocol::All | Protocol::Number(_)) {
            (RULE.default_severity, format!("all outbound traffic is allowed to the internet ({to})"))
        } else if statement.is_all_traffic() {
            (RULE.default_severity, format!("outbound traffic on every {protocol} port is allowed to the internet ({to})"))
        } else if is_web(protocol, ports) {
            continue;
        } else {
            // Evidence rather than a problem: a workload that must reach one service on the internet.
            (Severity::Info, format!("outbound {protocol}/{ports} is allowed to the internet ({to})"))
        };
        let mut finding = statement_finding(
            context,
            &RULE,
            statement,
            peer,
            message,
            Vec::new(),
            vec![advice("allow only the destinations and ports the workload needs (for example tcp 443), or use VPC endpoints")],
        );
        finding.severity = severity;
        out.push(finding);
    }
}

/// Outbound HTTPS and HTTP are what workloads fetch updates and call APIs with.
fn is_web(protocol: Protocol, ports: PortRange) -> bool {
    protocol == Protocol::Tcp && (ports.from..=ports.to).all(|port| port == 80 || port == 443)
}
