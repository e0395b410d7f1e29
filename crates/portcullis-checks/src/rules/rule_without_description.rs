use portcullis_diagnostics::{Diagnostic, fingerprint};

use crate::analysis::{Context, advice, certainty};
use portcullis_diagnostics::Equivalent;

declare_rule! {
    /// ## What it does
    /// Reports rule statements without a description. Off by default; enable it with
    /// `enable = ["SG015"]`.
    ///
    /// ## Why is this bad?
    /// A description says why a hole exists and who asked for it; without one, reviewers
    /// cannot tell whether a rule is still needed, and nobody dares to remove it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group" "app" {
    ///   ingress {
    ///     protocol    = "tcp"
    ///     from_port   = 443
    ///     to_port     = 443
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_security_group" "app" {
    ///   ingress {
    ///     description = "HTTPS from the internet to the public API"
    ///     protocol    = "tcp"
    ///     from_port   = 443
    ///     to_port     = 443
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: only a person can say why the rule exists.
    pub static RULE = {
        code: "SG015",
        name: "rule-without-description",
        category: "hygiene",
        severity: Low,
        enabled: false,
        equivalents: [&[
            Equivalent::trivy("aws-ec2-add-description-to-security-group-rule"),
            Equivalent::trivy("aws-0124"),
            Equivalent::trivy("avd-aws-0124"),
            Equivalent::checkov("CKV_AWS_23"),
        ]],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for statement in &context.statements {
        let rule = statement.rule;
        let described = rule
            .description
            .as_ref()
            .is_some_and(|description| description.known_value().is_none_or(|text| !text.trim().is_empty()));
        if described {
            continue;
        }
        out.push(Diagnostic {
            rule: &RULE,
            severity: RULE.default_severity,
            certainty: certainty(context, rule),
            message: format!("{} rule `{}` has no description", rule.direction.as_str(), rule.id),
            span: rule.span,
            resource: rule.resource.clone(),
            exposure: None,
            related: Vec::new(),
            suggestions: vec![advice("add a description that says why the rule exists and who needs it")],
            fingerprint: fingerprint(&[RULE.code, &rule.id]),
            roots: Vec::new(),
            shown_at: None,
        });
    }
}
