use portcullis_diagnostics::Diagnostic;

use crate::analysis::Context;
use crate::catalogue::Category;
use super::PUBLIC_INGRESS;

declare_rule! {
    /// ## What it does
    /// Reports rule statements that open a UDP service known for reflection and amplification (DNS, NTP, CLDAP, SSDP, Memcached) to the whole internet.
    ///
    /// ## Why is this bad?
    /// Attackers spoof the victim's address and use such services to multiply their traffic, turning the host into a DDoS weapon and running up its bandwidth bill.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "udp"
    ///   from_port         = 53
    ///   to_port           = 53
    ///   cidr_blocks       = ["0.0.0.0/0"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Allow the service only from the networks that need it:
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "udp"
    ///   from_port         = 53
    ///   to_port           = 53
    ///   cidr_blocks       = ["10.0.0.0/16"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Replacing the source CIDR changes who can connect, so the edit is unsafe: it is applied
    /// only with `--fix --unsafe-fixes`, and only where the CIDR is written literally.
    pub static RULE = {
        code: "SG009",
        name: "udp-amplification-port-open-to-internet",
        category: "udp-amplification",
        severity: Medium,
        enabled: true,
        equivalents: [PUBLIC_INGRESS],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    super::category_exposure::check(context, &RULE, Category::UdpAmplification, out);
}
