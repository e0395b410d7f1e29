declare_rule! {
    /// ## What it does
    /// Reports `portcullis:ignore` comments that suppress no finding.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides nothing today but will silently hide a future exposure in the
    /// same place, without anyone reviewing it.
    ///
    /// ## Example
    /// ```hcl
    /// # portcullis:ignore[SG002] reason="bastion"
    /// resource "aws_security_group_rule" "https" {
    ///   type        = "ingress"
    ///   protocol    = "tcp"
    ///   from_port   = 443
    ///   to_port     = 443
    ///   cidr_blocks = ["0.0.0.0/0"]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Remove the comment:
    /// ```hcl
    /// resource "aws_security_group_rule" "https" {
    ///   type        = "ingress"
    ///   protocol    = "tcp"
    ///   from_port   = 443
    ///   to_port     = 443
    ///   cidr_blocks = ["0.0.0.0/0"]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    pub static RULE = {
        code: "SUP002",
        name: "unused-suppression",
        category: "suppression",
        severity: Info,
        enabled: true,
    };
}
