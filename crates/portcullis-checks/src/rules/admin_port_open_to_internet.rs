use portcullis_diagnostics::Diagnostic;

use crate::analysis::Context;
use crate::catalogue::Category;
use portcullis_diagnostics::Equivalent;
use super::PUBLIC_INGRESS;

declare_rule! {
    /// ## What it does
    /// Reports rule statements that open a remote-administration port (SSH, Telnet, RDP, VNC, WinRM, RPC, the Docker, Kubernetes, kubelet, etcd, SaltStack or Puppet APIs) to the whole internet.
    ///
    /// ## Why is this bad?
    /// Administration ports are scanned and brute-forced within minutes of going online, and a single weak credential or unpatched daemon gives an attacker a shell or control of a cluster.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 22
    ///   to_port           = 22
    ///   cidr_blocks       = ["0.0.0.0/0"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Reach hosts through a bastion security group, AWS Systems Manager Session Manager, an EC2 Instance Connect Endpoint or a VPN; if a CIDR is needed, use the narrowest one:
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 22
    ///   to_port           = 22
    ///   cidr_blocks       = ["10.0.0.0/16"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Replacing the source CIDR changes who can connect, so the edit is unsafe: it is applied
    /// only with `--fix --unsafe-fixes`, and only where the CIDR is written literally.
    pub static RULE = {
        code: "SG002",
        name: "admin-port-open-to-internet",
        category: "remote-administration",
        severity: High,
        enabled: true,
        equivalents: [PUBLIC_INGRESS, &[Equivalent::checkov("CKV_AWS_24"), Equivalent::checkov("CKV_AWS_25")]],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    super::category_exposure::check(context, &RULE, Category::RemoteAdministration, out);
}
