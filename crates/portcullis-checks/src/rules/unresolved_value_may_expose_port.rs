use portcullis_diagnostics::{Certainty, Diagnostic, Related, fingerprint};
use portcullis_ir::Direction;

use crate::analysis::{Context, advice, explain_statement};

declare_rule! {
    /// ## What it does
    /// Reports ingress rule statements whose source CIDR could not be resolved (a variable
    /// without a value, a data source, a parameter without a default) on a sensitive port or on
    /// every port. The finding names the value it depends on.
    ///
    /// ## Why is this bad?
    /// Whether the rule is safe depends on a value decided at deploy time. If that value is
    /// ever `0.0.0.0/0`, the port is open to the internet, and no review of this code will
    /// notice.
    ///
    /// ## Example
    /// ```hcl
    /// variable "ssh_cidrs" {
    ///   type = list(string)
    /// }
    ///
    /// resource "aws_security_group_rule" "ssh" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 22
    ///   to_port           = 22
    ///   cidr_blocks       = var.ssh_cidrs
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Give the variable a safe default and a validation that rejects public ranges, or pass
    /// the value to the scan with `--var`/`--var-file`:
    /// ```hcl
    /// variable "ssh_cidrs" {
    ///   type    = list(string)
    ///   default = ["10.0.0.0/16"]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    pub static RULE = {
        code: "SG017",
        name: "unresolved-value-may-expose-port",
        category: "unknown",
        severity: Info,
        enabled: true,
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for statement in &context.statements {
        let rule = statement.rule;
        let Some((protocol, ports)) = statement.traffic else { continue };
        if rule.direction != Direction::Ingress || statement.unknown_cidrs.is_empty() {
            continue;
        }
        let mut names: Vec<String> = context.catalogue.touched(protocol, ports).map(|service| service.label()).collect();
        names.dedup();
        let what = if statement.is_all_traffic() {
            "every port".to_owned()
        } else if names.is_empty() {
            continue;
        } else {
            names.join(", ")
        };
        for value in &statement.unknown_cidrs {
            let reason = value.unknown_reason().unwrap_or("unknown");
            let span = value.span();
            let mut related = explain_statement(context, rule, value.via(), span);
            related.insert(0, Related { span, message: format!("unresolved: {reason}") });
            out.push(Diagnostic {
                rule: &RULE,
                severity: RULE.default_severity,
                certainty: Certainty::Possible,
                message: format!("{what} may be open to the internet: the source could not be resolved ({reason})"),
                span,
                resource: rule.resource.clone(),
                exposure: None,
                related,
                suggestions: vec![advice(
                    "give the value a safe default, validate it against public ranges, or pass it to the scan with --var or --var-file",
                )],
                fingerprint: fingerprint(&[RULE.code, &rule.id, reason]),
            });
        }
    }
}
