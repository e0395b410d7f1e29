use portcullis_diagnostics::Diagnostic;

use crate::analysis::Context;
use crate::catalogue::Category;
use super::PUBLIC_INGRESS;

declare_rule! {
    /// ## What it does
    /// Reports rule statements that open a monitoring port (Prometheus, node exporter, SNMP) to the whole internet.
    ///
    /// ## Why is this bad?
    /// Metrics reveal hosts, versions and internal addresses, and SNMP community strings are weak and amplify traffic.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 9100
    ///   to_port           = 9100
    ///   cidr_blocks       = ["0.0.0.0/0"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Allow monitoring only from the monitoring system's security group or the VPC CIDR:
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 9100
    ///   to_port           = 9100
    ///   cidr_blocks       = ["10.0.0.0/16"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Replacing the source CIDR changes who can connect, so the edit is unsafe: it is applied
    /// only with `--fix --unsafe-fixes`, and only where the CIDR is written literally.
    pub static RULE = {
        code: "SG007",
        name: "monitoring-port-open-to-internet",
        category: "monitoring",
        severity: Medium,
        enabled: true,
        equivalents: [PUBLIC_INGRESS],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    super::category_exposure::check(context, &RULE, Category::Monitoring, out);
}
