use portcullis_diagnostics::{Certainty, Diagnostic, fingerprint};

use crate::analysis::{Context, advice};

declare_rule! {
    /// ## What it does
    /// Reports parts of the configuration that the scan could not follow: a Terraform registry or
    /// git module without `.terraform/modules` (terraform-aws-modules/security-group 5.x is read
    /// through an offline model instead), a module source outside the scanned directories or
    /// a cycle; a CloudFormation macro, an `Fn::ForEach` loop over a list known only at deployment,
    /// or a duplicated key whose earlier value CloudFormation drops.
    ///
    /// ## Why is this bad?
    /// Security groups declared there are not analysed, so an exposure in them goes unreported.
    /// This is information, not a vulnerability.
    ///
    /// ## Example
    /// ```hcl
    /// module "vpc" {
    ///   source = "terraform-aws-modules/vpc/aws"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Scan with `--download-modules` (remote modules are downloaded into a cache outside the
    /// repository), run `terraform init` (or `terraform get`) before the scan so that
    /// `.terraform/modules` holds the module, scan a plan (`terraform show -json`), or pass
    /// `--allow-outside-root` for local sources outside the scanned directories. For
    /// CloudFormation, review the construct by hand or scan the processed template.
    ///
    /// ## Fix safety
    /// Nothing to fix in the code.
    pub static RULE = {
        code: "SG018",
        name: "construct-not-analysed",
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
            suggestions: vec![advice(if unresolved.subject.starts_with("module.") {
                "scan with --download-modules, run `terraform init` before the scan so that .terraform/modules holds the module, or scan a plan"
            } else {
                "review this part of the configuration by hand, or scan the processed template"
            })],
            fingerprint: fingerprint(&[RULE.code, &unresolved.subject, &unresolved.reason]),
            roots: Vec::new(),
            shown_at: None,
        });
    }
}
