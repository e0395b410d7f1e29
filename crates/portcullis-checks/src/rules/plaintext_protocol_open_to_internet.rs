use portcullis_diagnostics::Diagnostic;

use crate::analysis::Context;
use crate::catalogue::Category;
use portcullis_diagnostics::Equivalent;
use super::PUBLIC_INGRESS;

declare_rule! {
    /// ## What it does
    /// Reports rule statements that open a plaintext protocol (HTTP, SMTP, POP3, IMAP, LDAP) to the whole internet.
    ///
    /// ## Why is this bad?
    /// Plaintext protocols expose credentials and session cookies to anyone on the path, and invite downgrade attacks.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 80
    ///   to_port           = 80
    ///   cidr_blocks       = ["0.0.0.0/0"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Serve HTTPS on 443 and redirect port 80 to it at the load balancer; for other protocols use their TLS ports:
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 80
    ///   to_port           = 80
    ///   cidr_blocks       = ["10.0.0.0/16"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Replacing the source CIDR changes who can connect, so the edit is unsafe: it is applied
    /// only with `--fix --unsafe-fixes`, and only where the CIDR is written literally.
    pub static RULE = {
        code: "SG008",
        name: "plaintext-protocol-open-to-internet",
        category: "plaintext",
        severity: Medium,
        enabled: true,
        equivalents: [PUBLIC_INGRESS, &[Equivalent::checkov("CKV_AWS_260")]],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    super::category_exposure::check(context, &RULE, Category::Plaintext, out);
}
