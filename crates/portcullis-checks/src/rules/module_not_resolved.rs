use portcullis_diagnostics::{Certainty, Diagnostic, fingerprint};

use crate::analysis::{Context, advice};

declare_rule! {
    /// ## What it does
    /// Reports modules, and other parts of the configuration, that the scan could not follow:
    /// a registry or git module without `.terraform/modules`, a source outside the scanned
    /// directories, a cycle.
    ///
    /// ## Why is this bad?
    /// Security groups declared in an unresolved module are not analysed, so an exposure there
    /// goes unreported. This is information, not a vulnerability.
    ///
    /// ## Example
    /// ```hcl
    /// module "sg" {
    ///   source = "terraform-aws-modules/security-group/aws"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Run `terraform init` (or `terraform get`) before the scan so that `.terraform/modules`
    /// holds the module, scan a plan (`terraform show -json`), or pass
    /// `--allow-outside-root` for local sources outside the scanned directories.
    ///
    /// ## Fix safety
    /// Nothing to fix in the code.
    pub static RULE = {
        code: "SG018",
        name: "module-not-resolved",
        category: "unknown",
        severity: Info,
        enabled: true,
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for unresolved in &context.inventory.unresolved {
        out.push(Diagnostic {
            rule: &RULE,
            severity: RULE.default_severity,
            certainty: Certainty::Possible,
            message: format!("`{}` was not analysed: {}", unresolved.subject, unresolved.reason),
            span: unresolved.span,
            resource: unresolved.subject.clone(),
            exposure: None,
            related: Vec::new(),
            suggestions: vec![advice("run `terraform init` before the scan so that .terraform/modules holds the module, or scan a plan")],
            fingerprint: fingerprint(&[RULE.code, &unresolved.subject, &unresolved.reason]),
        });
    }
}
