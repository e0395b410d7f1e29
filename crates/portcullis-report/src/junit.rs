//! `--format junit`: one test suite per file, one failing test case per finding, for CI systems
//! that show test reports (GitLab, Jenkins, Azure Pipelines).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use portcullis_diagnostics::ScanOutcome;

use crate::{Region, repository_place};

/// Escapes XML text and attributes, dropping characters XML 1.0 cannot carry.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

struct Case {
    name: String,
    line: u32,
    failure: Option<(String, String, String)>,
    error: Option<String>,
}

pub fn render(outcome: &ScanOutcome<'_>) -> String {
    let mut suites: BTreeMap<String, Vec<Case>> = BTreeMap::new();
    for finding in outcome.findings {
        let (span, message) = repository_place(outcome.sources, finding);
        let region = Region::of(outcome.sources, span);
        let mut details = format!(
            "{}:{}:{}\n{}",
            region.path, region.start_line, region.start_column, message
        );
        for suggestion in &finding.suggestions {
            let _ = write!(details, "\nhelp: {}", suggestion.message);
        }
        suites.entry(region.path.clone()).or_default().push(Case {
            name: format!(
                "{} {} at line {}",
                finding.rule.code, finding.rule.name, region.start_line
            ),
            line: region.start_line,
            failure: Some((
                finding.message.clone(),
                finding.severity.as_str().to_owned(),
                details,
            )),
            error: None,
        });
    }
    for problem in outcome.problems {
        let region = Region::of(outcome.sources, problem.span);
        suites.entry(region.path.clone()).or_default().push(Case {
            name: format!("analyse {}", region.path),
            line: region.start_line,
            failure: None,
            error: Some(problem.message.clone()),
        });
    }
    let failures = outcome.findings.len();
    let errors = outcome.problems.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if suites.is_empty() {
        let _ = writeln!(
            out,
            "<testsuites name=\"portcullis\" tests=\"1\" failures=\"0\" errors=\"0\">"
        );
        out.push_str("  <testsuite name=\"portcullis\" tests=\"1\" failures=\"0\" errors=\"0\">\n");
        let _ = writeln!(
            out,
            "    <testcase name=\"no security-group exposure in {} files\" classname=\"portcullis\"/>",
            outcome.files_scanned
        );
        out.push_str("  </testsuite>\n</testsuites>\n");
        return out;
    }
    let _ = writeln!(
        out,
        "<testsuites name=\"portcullis\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">",
        failures + errors
    );
    for (path, cases) in &suites {
        let suite_failures = cases.iter().filter(|case| case.failure.is_some()).count();
        let suite_errors = cases.len() - suite_failures;
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{suite_failures}\" errors=\"{suite_errors}\">",
            xml(path),
            cases.len()
        );
        for case in cases {
            let _ = writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">",
                xml(&case.name),
                xml(path),
                xml(path),
                case.line
            );
            if let Some((message, kind, details)) = &case.failure {
                let _ = writeln!(
                    out,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    xml(message),
                    xml(kind),
                    xml(details)
                );
            }
            if let Some(message) = &case.error {
                let _ = writeln!(
                    out,
                    "      <error message=\"{}\" type=\"parse\">{}</error>",
                    xml(message),
                    xml(message)
                );
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
