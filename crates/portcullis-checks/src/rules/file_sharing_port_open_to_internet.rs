use portcullis_diagnostics::Diagnostic;

use crate::analysis::Context;
use crate::catalogue::Category;
use super::PUBLIC_INGRESS;

declare_rule! {
    /// ## What it does
    /// Reports rule statements that open a file-sharing port (SMB, NetBIOS, NFS, FTP, rsync, CIFS) to the whole internet.
    ///
    /// ## Why is this bad?
    /// File-sharing protocols trust the network: SMB carried WannaCry, NFS exports and rsync daemons are often unauthenticated, and FTP sends passwords in cleartext.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 445
    ///   to_port           = 445
    ///   cidr_blocks       = ["0.0.0.0/0"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Keep file sharing inside the VPC or behind a VPN:
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 445
    ///   to_port           = 445
    ///   cidr_blocks       = ["10.0.0.0/16"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Replacing the source CIDR changes who can connect, so the edit is unsafe: it is applied
    /// only with `--fix --unsafe-fixes`, and only where the CIDR is written literally.
    pub static RULE = {
        code: "SG004",
        name: "file-sharing-port-open-to-internet",
        category: "file-sharing",
        severity: High,
        enabled: true,
        equivalents: [PUBLIC_INGRESS],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    super::category_exposure::check(context, &RULE, Category::FileSharing, out);
}
