//! What a scan reports once every unit is checked: module findings merged across roots,
//! suppressions and the baseline applied, configuration settled, everything sorted and capped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use portcullis_diagnostics::{Diagnostic, SuppressedFinding};
use portcullis_ir::{Comment, FileId, Problem, SourceFile, SourceMap, Span, SuppressedBy};
use portcullis_suppress::Date;
use rayon::prelude::*;

use crate::ScanOptions;
use crate::units::Checked;
use crate::walk::{FileKind, file_kind};

/// The reported findings, the suppressed ones, and the problems, each in output order.
pub(crate) struct Reported {
    pub findings: Vec<Diagnostic>,
    pub suppressed: Vec<SuppressedFinding>,
    pub problems: Vec<Problem>,
    /// The files whose findings were capped, with the span of the problem that says so.
    pub capped: BTreeMap<FileId, Span>,
}

/// Gathers the checked units' results into what the scan reports. `problems` are those found
/// before any unit was made (files that could not be walked or read).
pub(crate) fn finish(
    sources: &SourceMap,
    checked: Vec<Checked>,
    mut problems: Vec<Problem>,
    options: &ScanOptions,
) -> Reported {
    let mut findings = Vec::new();
    let mut declared = Vec::new();
    // A problem of a module that several roots call, or of a --var-file, is reported once.
    let mut seen: BTreeSet<(Span, String)> = problems
        .iter()
        .map(|problem| (problem.span, problem.message.clone()))
        .collect();
    for checked in checked {
        findings.extend(checked.findings);
        declared.extend(checked.declared);
        problems.extend(
            checked
                .problems
                .into_iter()
                .filter(|problem| seen.insert((problem.span, problem.message.clone()))),
        );
    }
    let findings = merge_across_roots(findings);
    let applied =
        portcullis_suppress::apply(sources, findings, &declared, &comments_of, Date::today());
    let mut suppressed = applied.suppressed;
    let mut findings = applied.kept;
    findings.extend(settle(applied.reported, &options.settings));
    let (accepted, mut findings): (Vec<Diagnostic>, Vec<Diagnostic>) =
        std::mem::take(&mut findings)
            .into_iter()
            .partition(|finding| options.baseline.contains(&finding.fingerprint));
    suppressed.extend(accepted.into_iter().map(|diagnostic| SuppressedFinding {
        diagnostic,
        suppression: portcullis_diagnostics::Suppression {
            kind: SuppressedBy::Baseline,
            reason: "accepted in the baseline".to_owned(),
            span: None,
        },
    }));
    findings
        .par_sort_by_cached_key(|finding| portcullis_diagnostics::finding_order(sources, finding));
    let (findings, capped) = cap_findings(findings, &mut problems);
    suppressed.par_sort_by_cached_key(|entry| {
        portcullis_diagnostics::finding_order(sources, &entry.diagnostic)
    });
    portcullis_diagnostics::sort_problems(sources, &mut problems);
    Reported {
        findings,
        suppressed,
        problems,
        capped,
    }
}

/// One finding for module code that several roots lead to, listing the roots.
fn merge_across_roots(findings: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut merged: Vec<Diagnostic> = Vec::with_capacity(findings.len());
    let mut by_identity: BTreeMap<(Span, &'static str, String, String), usize> = BTreeMap::new();
    for finding in findings {
        if finding.roots.is_empty() {
            merged.push(finding);
            continue;
        }
        let identity = (
            finding.span,
            finding.rule.code,
            finding.message.clone(),
            finding.fingerprint.clone(),
        );
        match by_identity.get(&identity) {
            Some(&index) => {
                let kept = &mut merged[index];
                kept.roots.extend(finding.roots);
                kept.roots.sort();
                kept.roots.dedup();
                kept.certainty = kept.certainty.min(finding.certainty);
                kept.severity = kept.severity.max(finding.severity);
            }
            None => {
                by_identity.insert(identity, merged.len());
                merged.push(finding);
            }
        }
    }
    merged
}

/// The comments of a file, as the front-end that reads it finds them (JSON has none).
fn comments_of(file: &SourceFile) -> Vec<Comment> {
    match file_kind(Path::new(&file.path)) {
        Some(FileKind::Terraform) => portcullis_terraform::comments(file),
        Some(FileKind::CloudFormation) => portcullis_cloudformation::comments(file),
        None => Vec::new(),
    }
}

/// Applies the configuration to the suppression pass's findings, which no rule's check made:
/// disabled rules are dropped and severity overrides applied.
fn settle(findings: Vec<Diagnostic>, settings: &portcullis_checks::Settings) -> Vec<Diagnostic> {
    findings
        .into_iter()
        .filter(|finding| settings.is_enabled(finding.rule))
        .map(|mut finding| {
            if let Some(severity) = settings.severity_of(finding.rule) {
                finding.severity = severity;
            }
            finding
        })
        .collect()
}

/// At most this many findings are reported for one file; the rest are counted in one problem,
/// so that a generated or hostile file cannot flood the output.
pub const MAX_FINDINGS_PER_FILE: usize = 1000;

/// Keeps the first [`MAX_FINDINGS_PER_FILE`] findings of each file (in output order) and
/// reports how many were left out, at the first of them.
fn cap_findings(
    findings: Vec<Diagnostic>,
    problems: &mut Vec<Problem>,
) -> (Vec<Diagnostic>, BTreeMap<FileId, Span>) {
    let mut seen: BTreeMap<FileId, (usize, Option<Span>)> = BTreeMap::new();
    let kept = findings
        .into_iter()
        .filter(|finding| {
            let (count, first_left_out) = seen.entry(finding.span.file).or_default();
            *count += 1;
            if *count > MAX_FINDINGS_PER_FILE {
                first_left_out.get_or_insert(finding.span);
            }
            *count <= MAX_FINDINGS_PER_FILE
        })
        .collect();
    let mut capped = BTreeMap::new();
    for (file, (count, first_left_out)) in seen {
        if let Some(span) = first_left_out {
            capped.insert(file, span);
            problems.push(Problem {
                span,
                message: format!(
                    "{} more findings in this file were not reported: at most {MAX_FINDINGS_PER_FILE} are reported per file",
                    count - MAX_FINDINGS_PER_FILE
                ),
            });
        }
    }
    (kept, capped)
}
