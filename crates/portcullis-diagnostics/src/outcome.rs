//! A finished scan as every renderer reads it, and the one order of findings and problems that
//! every output shares.

use std::time::Duration;

use portcullis_ir::{Problem, SourceMap};

use crate::{Diagnostic, Severity, SuppressedFinding};

/// Everything a renderer needs: findings and problems already sorted.
pub struct ScanOutcome<'a> {
    pub sources: &'a SourceMap,
    pub files_scanned: usize,
    pub findings: &'a [Diagnostic],
    /// Findings silenced by a suppression or the baseline; not counted for the exit code.
    pub suppressed: &'a [SuppressedFinding],
    pub problems: &'a [Problem],
    pub elapsed: Duration,
}

impl ScanOutcome<'_> {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    }
}

/// Where a finding stands in every output: file, position, rule, message.
pub fn finding_order(
    sources: &SourceMap,
    finding: &Diagnostic,
) -> (String, u32, u32, &'static str, String, String) {
    let location = sources.location(finding.span.file, finding.span.start);
    (
        sources.path(finding.span.file),
        location.line,
        location.column,
        finding.rule.code,
        finding.message.clone(),
        finding.fingerprint.clone(),
    )
}

/// The order of problems: file, then position.
pub fn sort_problems(sources: &SourceMap, problems: &mut [Problem]) {
    problems.sort_by_cached_key(|problem| {
        let location = sources.location(problem.span.file, problem.span.start);
        (
            sources.path(problem.span.file),
            location.line,
            location.column,
            problem.message.clone(),
        )
    });
}
