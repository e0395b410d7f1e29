use portcullis_diagnostics::Diagnostic;

use crate::analysis::Context;
use crate::catalogue::Category;
use super::PUBLIC_INGRESS;

declare_rule! {
    /// ## What it does
    /// Reports rule statements that open a cache or message-broker port (Memcached, Kafka, ZooKeeper, RabbitMQ, NATS) to the whole internet.
    ///
    /// ## Why is this bad?
    /// Caches and brokers usually run without authentication; exposed, they leak data, accept forged messages and, for Memcached, amplify DDoS attacks.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 6379
    ///   to_port           = 6379
    ///   cidr_blocks       = ["0.0.0.0/0"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Allow the service only from its clients' security group or the VPC CIDR:
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 6379
    ///   to_port           = 6379
    ///   cidr_blocks       = ["10.0.0.0/16"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Replacing the source CIDR changes who can connect, so the edit is unsafe: it is applied
    /// only with `--fix --unsafe-fixes`, and only where the CIDR is written literally.
    pub static RULE = {
        code: "SG005",
        name: "cache-or-broker-port-open-to-internet",
        category: "cache-broker",
        severity: High,
        enabled: true,
        equivalents: [PUBLIC_INGRESS],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    super::category_exposure::check(context, &RULE, Category::CacheBroker, out);
}
