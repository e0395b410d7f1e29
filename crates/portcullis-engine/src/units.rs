//! Analysis units: each plan, Terraform root module and template is made by its front-end, checked
//! on the worker that made it, and dropped, so that only its findings stay.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use portcullis_diagnostics::Diagnostic;
use portcullis_ir::{FileId, Problem, Unit};
use rayon::prelude::*;

use crate::downloads::ModuleCache;
use crate::read::{Inputs, display_path};
use crate::walk::is_scanned_repository_file;
use crate::{ScanError, ScanOptions};

/// What is kept of a unit once it is checked.
#[derive(Default)]
pub(crate) struct Checked {
    pub findings: Vec<Diagnostic>,
    pub declared: Vec<portcullis_ir::DeclaredSuppression>,
    pub problems: Vec<Problem>,
}

/// Every unit checked, in the order Terraform, templates, plans.
pub(crate) struct Analysed {
    pub checked: Vec<Checked>,
    pub files_scanned: usize,
}

/// Whether the caller no longer wants the result.
pub(crate) fn cancelled(options: &ScanOptions) -> bool {
    options
        .cancel
        .as_ref()
        .is_some_and(|cancel| cancel.load(std::sync::atomic::Ordering::Relaxed))
}

/// Makes and checks every unit of the files read.
/// `modules`: where remote modules come from when the user allowed downloading them.
pub(crate) fn analyse(
    inputs: &Inputs,
    options: &ScanOptions,
    modules: Option<Arc<ModuleCache>>,
) -> Result<Analysed, ScanError> {
    let cancelled = || cancelled(options);
    // Plans first: where a plan maps back to a root module's files, the plan's view replaces
    // the Terraform front-end's, which must be known before each Terraform unit is checked.
    let plan_units: Vec<Unit> = inputs
        .plans
        .par_iter()
        .map(|file| portcullis_plan::analyze(file, &inputs.sources, &options.plan))
        .collect();
    let planned: BTreeSet<FileId> = plan_units
        .iter()
        .flat_map(|unit| resource_files(&unit.inventory))
        .collect();
    let walked: BTreeSet<FileId> = inputs
        .terraform
        .iter()
        .chain(&inputs.templates)
        .chain(&inputs.plans)
        .map(|file| file.id)
        .collect();
    // Each unit is checked as soon as it is made, on the thread that made it, and dropped: only
    // its findings stay, so memory does not grow with the repository's inventories.
    let check = |unit: Unit, is_terraform_root: bool| {
        if cancelled() {
            return Checked::default();
        }
        check_unit(unit, is_terraform_root, inputs, &walked, options)
    };
    let terraform_options = portcullis_terraform::Options {
        cancel: options
            .cancel
            .clone()
            .or_else(|| options.terraform.cancel.clone()),
        downloads: modules.map(|modules| portcullis_terraform::Downloads(modules)),
        ..options.terraform.clone()
    };
    let (terraform_checked, template_checked) = rayon::join(
        || {
            portcullis_terraform::analyze_each(
                &inputs.terraform,
                &inputs.sources,
                &terraform_options,
                |mut unit| {
                    if !planned.is_empty()
                        && resource_files(&unit.inventory)
                            .iter()
                            .any(|file| planned.contains(file))
                    {
                        // The module's parse problems stay.
                        unit.inventory = portcullis_ir::Inventory::default();
                    }
                    check(unit, true)
                },
            )
        },
        || {
            inputs
                .templates
                .par_iter()
                .filter_map(|file| {
                    portcullis_cloudformation::analyze(file, &options.cloudformation)
                        .map(|unit| check(unit, false))
                })
                .collect::<Vec<Checked>>()
        },
    );
    if cancelled() {
        return Err(ScanError::Cancelled);
    }
    let files_scanned =
        inputs.terraform.len() + template_checked.len() + plan_units.len() + inputs.problems.len();
    let plan_checked: Vec<Checked> = plan_units
        .into_par_iter()
        .map(|unit| check(unit, false))
        .collect();
    Ok(Analysed {
        checked: terraform_checked
            .into_iter()
            .chain(template_checked)
            .chain(plan_checked)
            .collect(),
        files_scanned,
    })
}

/// `walked`: the files the walk found; module code read from `.terraform/modules`, the module
/// cache or outside the scanned paths is not among them.
fn check_unit(
    unit: Unit,
    is_terraform_root: bool,
    inputs: &Inputs,
    walked: &BTreeSet<FileId>,
    options: &ScanOptions,
) -> Checked {
    let sources = &inputs.sources;
    // Module code that no repository holds: installed under `.terraform/` (never committed),
    // downloaded into the module cache, or followed outside the scanned paths.
    let in_repository = |file: FileId| {
        walked.contains(&file)
            || is_scanned_repository_file(&options.paths, Path::new(&sources.path(file)))
    };
    let mut findings = portcullis_checks::check(&unit.inventory, sources, &options.settings);
    // Addresses are unique within a root module only: two roots with their own files may
    // report the same address, and must not share a fingerprint. The unit is named relative to
    // its scanned path, so that where the checkout lives does not matter.
    let unit_key = relative_to_roots(&unit.name, &options.paths);
    let root_dir = portcullis_terraform::normalize(Path::new(&unit.name));
    for finding in &mut findings {
        let in_module_code =
            is_terraform_root && dir_of(&sources.path(finding.span.file)) != root_dir;
        if in_module_code {
            // The same module code evaluated from several roots is one finding, which
            // `merge_across_roots` reports once with every root: it is identified without them.
            finding.roots = vec![unit.name.clone()];
            if !in_repository(finding.span.file) {
                finding.shown_at = finding
                    .related
                    .iter()
                    .map(|related| related.span)
                    .find(|span| in_repository(span.file));
            }
        } else {
            finding.fingerprint =
                portcullis_diagnostics::fingerprint(&[unit_key, &finding.fingerprint]);
        }
    }
    Checked {
        findings,
        declared: unit.inventory.declared_suppressions,
        problems: unit.problems,
    }
}

/// The directory of a displayed path, normalised as roots are named (`.` for a bare file name,
/// `a/b/../c` as `a/c`).
fn dir_of(path: &str) -> PathBuf {
    portcullis_terraform::normalize(Path::new(path).parent().unwrap_or_else(|| Path::new("")))
}

/// The files an inventory's resources are written in.
fn resource_files(inventory: &portcullis_ir::Inventory) -> BTreeSet<portcullis_ir::FileId> {
    let spans = inventory
        .security_groups
        .iter()
        .map(|group| group.span)
        .chain(inventory.rules.iter().map(|rule| rule.span))
        .chain(
            inventory
                .attachments
                .iter()
                .map(|attachment| attachment.span),
        )
        .chain(inventory.nacls.iter().map(|acl| acl.span));
    spans.map(|span| span.file).collect()
}

/// A path shown as the scan shows it, without the scanned path it lies under.
fn relative_to_roots<'a>(shown: &'a str, roots: &[PathBuf]) -> &'a str {
    roots
        .iter()
        .map(|root| display_path(root))
        .filter_map(|root| shown.strip_prefix(root.trim_end_matches('/')))
        .map(|rest| rest.trim_start_matches('/'))
        .min_by_key(|rest| rest.len())
        .unwrap_or(shown)
}
