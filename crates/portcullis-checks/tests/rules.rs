//! Every rule's fixture, `fixtures/rules/<CODE>/`, scanned by the whole pipeline with only that
//! rule selected: its findings must be the lines of `expected.txt` (`CODE file:LINE`, `PROBLEM
//! file:LINE` for an input that cannot be analysed) and its text output the rule's snapshot.
//!
//! A fixture may carry settings in a `portcullis.toml` of its own (the CLI reads it too when it
//! scans the fixture); its `select`, when given, replaces the rule alone, for fixtures whose rule
//! needs others to run (an unused suppression needs the findings it would suppress).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use portcullis_engine::{ScanOptions, ScanResult};

#[path = "../../../tests/support/expected_findings.rs"]
mod expected_findings;
use expected_findings::expected;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/rules")
        .canonicalize()
        .unwrap()
}

/// Scans a rule's fixture with its settings and, unless they select rules, only that rule.
fn scan(code: &str) -> (PathBuf, ScanResult) {
    let case = fixtures().join(code);
    let settings_file = case.join("portcullis.toml");
    let mut options = if settings_file.is_file() {
        let text = std::fs::read_to_string(&settings_file).unwrap();
        let config = portcullis_config::parse(&settings_file, &text)
            .unwrap_or_else(|error| panic!("{}: {error}", settings_file.display()));
        ScanOptions::configured(vec![case.clone()], &config)
    } else {
        ScanOptions::new(vec![case.clone()])
    };
    if options.settings.select.is_empty() {
        options.settings.select = vec![code.to_owned()];
    }
    options.threads = Some(2);
    let mut result = portcullis_engine::run(options).unwrap();
    result.elapsed = Duration::ZERO;
    (case, result)
}

/// `CODE file:LINE` for every finding and `PROBLEM file:LINE` for every problem, sorted.
fn actual(case: &Path, result: &ScanResult) -> Vec<String> {
    let prefix = format!("{}/", case.display());
    expected_findings::actual(result, |path, line| {
        format!("{}:{line}", path.strip_prefix(&prefix).unwrap_or(path))
    })
}

#[test]
fn every_rule_yields_the_findings_its_fixture_expects() {
    let mut failures = Vec::new();
    for rule in portcullis_checks::RULES {
        let code = rule.meta.code;
        let (case, result) = scan(code);
        let expected_file = case.join("expected.txt");
        assert!(
            expected_file.is_file(),
            "rule {code} has no fixtures/rules/{code}/expected.txt"
        );
        let got = actual(&case, &result);
        let want = expected(&expected_file);
        if got != want {
            failures.push(format!("{code}:\n  expected {want:?}\n  actual   {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_text_snapshot() {
    for rule in portcullis_checks::RULES {
        let code = rule.meta.code;
        let (case, result) = scan(code);
        let text = portcullis_report::render_text(
            &result.outcome(),
            portcullis_report::TextOptions::default(),
        );
        insta::assert_snapshot!(code, text.replace(&format!("{}/", case.display()), ""));
    }
}

#[test]
fn a_fixture_cannot_pass_without_its_rule() {
    // The harness must fail a fixture whose rule reports nothing: SG002's fixture scanned with
    // another rule selected yields none of the expected lines.
    let case = fixtures().join("SG002");
    let mut options = ScanOptions::new(vec![case.clone()]);
    options.settings.select = vec!["SG012".to_owned()];
    let result = portcullis_engine::run(options).unwrap();
    assert_ne!(actual(&case, &result), expected(&case.join("expected.txt")));
}
