declare_rule! {
    /// ## What it does
    /// Reports suppression comments whose `until=` date has passed. The suppression stops
    /// suppressing: the finding it covered is reported again.
    ///
    /// ## Why is this bad?
    /// An exception with an expiry date was meant to be revisited. Once the date passes, either
    /// the exposure was fixed (remove the comment) or it needs a fresh, reviewed decision.
    ///
    /// ## Example
    /// ```hcl
    /// # portcullis:ignore[SG002] reason="vendor access during migration" until=2024-01-31
    /// resource "aws_security_group_rule" "vendor_ssh" {
    ///   type        = "ingress"
    ///   protocol    = "tcp"
    ///   from_port   = 22
    ///   to_port     = 22
    ///   cidr_blocks = ["0.0.0.0/0"]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Remove the rule, or renew the exception with a new date and reason:
    /// ```hcl
    /// # portcullis:ignore[SG002] reason="vendor access, renewed by the security team (SEC-123)" until=2027-01-31
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    pub static RULE = {
        code: "SUP001",
        name: "expired-suppression",
        category: "suppression",
        severity: Low,
        enabled: true,
    };
}
