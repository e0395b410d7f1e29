//! Renderers: each turns a finished scan into one output format. Renderers never analyse.

mod dot;
mod github;
mod graph;
mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

use std::time::Duration;

use portcullis_diagnostics::{Diagnostic, Severity, SuppressedFinding};
use portcullis_ir::{Problem, SourceMap, Span};

pub use dot::render as render_dot;
pub use github::render as render_github;
pub use json::render as render_json;
pub use junit::render as render_junit;
pub use markdown::render as render_markdown;
pub use sarif::{SarifOptions, path_uri, render as render_sarif};
pub use text::{TextOptions, neutralise, render as render_text};

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

/// Path, 1-based start and end line/column of a span (columns in characters).
pub(crate) struct Region {
    pub path: String,
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Region {
    pub fn of(sources: &SourceMap, span: Span) -> Self {
        let start = sources.location(span.file, span.start);
        let end = sources.location(span.file, span.end);
        Self {
            path: sources.path(span.file),
            start_line: start.line,
            start_column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
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

/// Sorts findings in the order of every output.
pub fn sort_findings(sources: &SourceMap, findings: &mut [Diagnostic]) {
    findings.sort_by_cached_key(|finding| finding_order(sources, finding));
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
