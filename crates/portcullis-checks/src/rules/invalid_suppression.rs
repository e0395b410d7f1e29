declare_rule! {
    /// ## What it does
    /// Reports `portcullis:ignore` comments that are ignored because they are malformed: no
    /// `reason="..."`, an unknown rule, or an `until=` value that is not a date.
    ///
    /// ## Why is this bad?
    /// Exceptions without a reason cannot be reviewed, so portcullis does not honour them; the
    /// finding stays reported, and this tells you why.
    ///
    /// ## Example
    /// ```hcl
    /// # portcullis:ignore[SG002]
    /// resource "aws_security_group_rule" "ssh" {
    ///   type        = "ingress"
    ///   protocol    = "tcp"
    ///   from_port   = 22
    ///   to_port     = 22
    ///   cidr_blocks = ["0.0.0.0/0"]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// # portcullis:ignore[SG002] reason="break-glass access, reviewed in SEC-42" until=2027-06-30
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    pub static RULE = {
        code: "SUP003",
        name: "invalid-suppression",
        category: "suppression",
        severity: Low,
        enabled: true,
    };
}
