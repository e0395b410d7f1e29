use portcullis_diagnostics::Diagnostic;
use portcullis_net::{PortRange, Protocol};

use crate::analysis::{Context, advice, statement_finding};
use crate::rules::wide_port_range_open_to_internet::MAX_PORTS;

declare_rule! {
    /// ## What it does
    /// Reports ingress rule statements that open tcp or udp ports outside the sensitive-port
    /// catalogue to the whole internet, so that nothing public passes unseen: 100 ports or
    /// fewer, none of them catalogued. HTTPS (443) and HTTP (80), the ports a public service is
    /// meant to answer on, are left out; wider ranges are reported by
    /// `wide-port-range-open-to-internet`.
    ///
    /// ## Why is this bad?
    /// A port that is in no catalogue is not safe for that: application servers on 8080 or
    /// 3000, game servers, agents and admin consoles listen on ports nobody lists. Every port
    /// open to the internet should be one somebody decided to publish.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "app" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 8080
    ///   to_port           = 8080
    ///   cidr_blocks       = ["0.0.0.0/0"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Publish the service behind a load balancer on 443 and let only the load balancer in:
    /// ```hcl
    /// resource "aws_security_group_rule" "app" {
    ///   type                     = "ingress"
    ///   protocol                 = "tcp"
    ///   from_port                = 8080
    ///   to_port                  = 8080
    ///   source_security_group_id = aws_security_group.load_balancer.id
    ///   security_group_id        = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: whether the port is meant to be public is the service owner's call.
    pub static RULE = {
        code: "SG019",
        name: "uncatalogued-port-open-to-internet",
        category: "exposure",
        severity: Low,
        enabled: true,
    };
}

/// Whether every port of the range is one a public web service answers on: 80 and 443 over tcp,
/// 443 over udp (HTTP/3).
fn is_web(protocol: Protocol, ports: PortRange) -> bool {
    let web: &[u16] = match protocol {
        Protocol::Tcp => &[80, 443],
        Protocol::Udp => &[443],
        _ => &[],
    };
    (ports.from..=ports.to).all(|port| web.contains(&port))
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (statement, protocol, ports, peer) in context.uncatalogued_public_ports() {
        if ports.len() > MAX_PORTS || is_web(protocol, ports) {
            continue;
        }
        let verb = if ports.len() == 1 { "is" } else { "are" };
        out.push(statement_finding(
            context,
            &RULE,
            statement,
            peer,
            format!("{protocol}/{ports} {verb} open to the internet from {}", peer.cidr),
            vec![format!("{ports}/{protocol}")],
            vec![advice(
                "open the port only to the clients that need it, or publish the service behind a load balancer on 443",
            )],
        ));
    }
}
