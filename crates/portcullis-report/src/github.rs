//! `--format github`: GitHub Actions workflow commands, which become pull-request annotations.

use std::fmt::Write as _;

use portcullis_diagnostics::Severity;

use portcullis_diagnostics::ScanOutcome;

use crate::{Region, repository_place};

/// Workflow-command data escaping (`%`, CR, LF), per the Actions toolkit; other control
/// characters (an ANSI escape in a file name) never reach the log.
fn escape_data(text: &str) -> String {
    let escaped = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    crate::text::neutralise(&escaped)
}

/// Property values also escape `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

fn annotation(out: &mut String, kind: &str, region: &Region, title: &str, message: &str) {
    let _ = writeln!(
        out,
        "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(&region.path),
        region.start_line,
        region.start_column,
        region.end_line,
        region.end_column,
        escape_property(title),
        escape_data(message),
    );
}

pub fn render(outcome: &ScanOutcome<'_>) -> String {
    let mut out = String::new();
    for finding in outcome.findings {
        let (span, message) = repository_place(outcome.sources, finding);
        let region = Region::of(outcome.sources, span);
        let title = format!(
            "{} {} ({})",
            finding.rule.code, finding.rule.name, finding.severity
        );
        annotation(
            &mut out,
            command(finding.severity),
            &region,
            &title,
            &message,
        );
    }
    for problem in outcome.problems {
        let region = Region::of(outcome.sources, problem.span);
        annotation(
            &mut out,
            "error",
            &region,
            "portcullis could not analyse this file",
            &problem.message,
        );
    }
    out
}
