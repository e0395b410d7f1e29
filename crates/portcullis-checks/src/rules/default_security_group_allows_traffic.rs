use portcullis_diagnostics::{Diagnostic, fingerprint};

use crate::analysis::{Context, advice, certainty, explain_statement};
use portcullis_diagnostics::Equivalent;

declare_rule! {
    /// ## What it does
    /// Reports rules on a VPC's default security group (`aws_default_security_group`, a group
    /// named `default`, or the group `aws_vpc.x.default_security_group_id` and CloudFormation's
    /// `!GetAtt Vpc.DefaultSecurityGroup` name), following CIS AWS Foundations 5.4.
    ///
    /// ## Why is this bad?
    /// Every instance launched without an explicit group lands in the default group. Rules on
    /// it silently apply to resources nobody meant to expose, and let them all talk to each
    /// other.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_default_security_group" "default" {
    ///   vpc_id = aws_vpc.main.id
    ///   ingress {
    ///     protocol  = "-1"
    ///     self      = true
    ///     from_port = 0
    ///     to_port   = 0
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Leave the default group without rules and attach purpose-made groups:
    /// ```hcl
    /// resource "aws_default_security_group" "default" {
    ///   vpc_id = aws_vpc.main.id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: resources may rely on the default group today.
    pub static RULE = {
        code: "SG014",
        name: "default-security-group-allows-traffic",
        category: "hygiene",
        severity: Medium,
        enabled: true,
        equivalents: [&[
            Equivalent::trivy("aws-ec2-restrict-all-in-default-sg"),
            Equivalent::trivy("aws-0173"),
            Equivalent::trivy("avd-aws-0173"),
            Equivalent::checkov("CKV2_AWS_12"),
        ]],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for statement in &context.statements {
        let rule = statement.rule;
        let Some(id) = rule.group.known_value() else {
            continue;
        };
        // A rule may target the VPC's default group by name without declaring it
        // (CloudFormation `GroupName: default`).
        let is_default = context.group(id).map_or(id == "default", |group| group.is_default);
        if !is_default {
            continue;
        }
        out.push(Diagnostic {
            rule: &RULE,
            severity: RULE.default_severity,
            certainty: certainty(context, rule),
            message: format!("the default security group `{id}` allows {} traffic", rule.direction.as_str()),
            span: rule.span,
            resource: rule.resource.clone(),
            exposure: None,
            related: explain_statement(context, rule, &[], rule.span),
            suggestions: vec![advice("remove every rule from the default security group and attach purpose-made groups instead")],
            fingerprint: fingerprint(&[RULE.code, &rule.id]),
            roots: Vec::new(),
            shown_at: None,
        });
    }
}
