//! Fixtures' expected findings and what a scan found, as sorted `CODE place` lines; shared by
//! the root package's fixture tests and portcullis-checks' rule tests.

use std::path::Path;

use portcullis_engine::ScanResult;

/// Expected lines without comments and blanks, sorted.
pub fn expected(path: &Path) -> Vec<String> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let mut lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    lines.sort();
    lines
}

/// `CODE place` for every finding and `PROBLEM place` for every problem, sorted.
pub fn actual(result: &ScanResult, describe: impl Fn(&str, u32) -> String) -> Vec<String> {
    let place = |span: portcullis_ir::Span| {
        let path = result.sources.path(span.file);
        let line = result.sources.location(span.file, span.start).line;
        describe(&path, line)
    };
    let mut lines: Vec<String> = result
        .findings
        .iter()
        .map(|finding| format!("{} {}", finding.rule.code, place(finding.span)))
        .chain(
            result
                .problems
                .iter()
                .map(|problem| format!("PROBLEM {}", place(problem.span))),
        )
        .collect();
    lines.sort();
    lines
}
