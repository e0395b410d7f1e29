//! Shared by the fuzz targets: what the engine does after a front-end (checks, sorting, every
//! renderer), so that a fuzzed inventory also exercises the code that turns it into output.

use std::time::Duration;

use portcullis_diagnostics::RuleMeta;
use portcullis_ir::{SourceMap, Unit};

/// A directory that does not exist: a front-end that follows a module or plan source reads
/// nothing from the fuzzing machine.
pub const ROOT: &str = "/nonexistent/portcullis-fuzz";

/// Text as the engine would hand it over: only valid UTF-8 reaches a front-end.
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

pub fn check_and_render(sources: &SourceMap, units: &[Unit]) {
    let settings = portcullis_checks::Settings::default();
    let mut findings: Vec<_> = units
        .iter()
        .flat_map(|unit| portcullis_checks::check(&unit.inventory, sources, &settings))
        .collect();
    let mut problems: Vec<_> = units
        .iter()
        .flat_map(|unit| unit.problems.clone())
        .collect();
    portcullis_report::sort_findings(sources, &mut findings);
    portcullis_report::sort_problems(sources, &mut problems);
    let outcome = portcullis_report::ScanOutcome {
        sources,
        files_scanned: units.len(),
        findings: &findings,
        suppressed: &[],
        problems: &problems,
        elapsed: Duration::ZERO,
    };
    let rules: Vec<&'static RuleMeta> = portcullis_checks::RULES
        .iter()
        .map(|rule| rule.meta)
        .collect();
    let text = portcullis_report::render_text(&outcome, portcullis_report::TextOptions::default());
    assert!(
        !text.contains('\u{1b}'),
        "an escape character reached the text output"
    );
    let json = portcullis_report::render_json(&outcome);
    let sarif = portcullis_report::render_sarif(
        &outcome,
        &portcullis_report::SarifOptions {
            rules: &rules,
            category: "fuzz/",
            source_root: None,
        },
    );
    // Invalid JSON would break every consumer; a cheap structural check, without serde_json.
    for document in [&json, &sarif] {
        assert!(document.trim_start().starts_with('{') && document.trim_end().ends_with('}'));
    }
}

/// The CloudFormation front-end on one template; `extension` picks the syntax.
pub fn cloudformation(data: &[u8], extension: &str) {
    let Some(text) = text(data) else { return };
    let sources = SourceMap::new();
    let file = sources.add(format!("{ROOT}/template.{extension}"), text);
    let options = portcullis_cloudformation::Options::default();
    let units: Vec<_> = portcullis_cloudformation::analyze(&file, &options)
        .into_iter()
        .collect();
    check_and_render(&sources, &units);
}
