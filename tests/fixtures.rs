//! Runs every fixture through the whole pipeline and compares the findings with the expected
//! findings written next to it. The rules' own fixtures are tested in portcullis-checks.
//!
//! - `fixtures/terraform/<case>/` (and suppressions, plans): a directory scanned as a whole,
//!   with `expected.txt` lines `CODE relative/file:LINE`.
//! - `fixtures/cloudformation/<case>.{yaml,yml,json,template}` with `<case>.expected.txt` lines
//!   `CODE LINE`.
//!
//! A problem (an input that could not be analysed as written) is expected with the code
//! `PROBLEM`; any other problem fails the case.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use portcullis_engine::{self as scan, ScanOptions, ScanResult};

#[path = "support/expected_findings.rs"]
mod expected_findings;
use expected_findings::{actual, expected};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn scan(path: &Path) -> ScanResult {
    let mut options = ScanOptions::new(vec![path.to_path_buf()]);
    options.threads = Some(2);
    let mut result = scan::run(options).unwrap();
    result.elapsed = Duration::ZERO;
    result
}

fn subdirectories(path: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(path) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn check_directory_cases(root: &Path) -> Vec<String> {
    let mut failures = Vec::new();
    for case in subdirectories(root) {
        let result = scan(&case);
        let prefix = format!("{}/", case.display());
        let got = actual(&result, |path, line| {
            format!("{}:{line}", path.strip_prefix(&prefix).unwrap_or(path))
        });
        let want = expected(&case.join("expected.txt"));
        if got != want {
            failures.push(format!(
                "{}:\n  expected {want:?}\n  actual   {got:?}\n  problems {:?}",
                case.display(),
                result.problems
            ));
        }
    }
    failures
}

#[test]
fn suppression_fixtures_silence_exactly_their_findings() {
    let failures = check_directory_cases(&workspace().join("fixtures/suppressions"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn plan_fixtures_yield_their_expected_findings() {
    let failures = check_directory_cases(&workspace().join("fixtures/plan"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn terraform_fixtures_yield_their_expected_findings() {
    let failures = check_directory_cases(&workspace().join("fixtures/terraform"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cloudformation_fixtures_yield_their_expected_findings() {
    let root = workspace().join("fixtures/cloudformation");
    let Ok(entries) = std::fs::read_dir(&root) else {
        return;
    };
    let mut templates: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.to_string_lossy();
            !name.ends_with(".expected.txt") && portcullis_cloudformation::is_candidate(path)
        })
        .collect();
    templates.sort();
    let mut failures = Vec::new();
    for template in templates {
        let expected_path = template.with_extension("expected.txt");
        if !expected_path.exists() {
            failures.push(format!(
                "{}: no {}",
                template.display(),
                expected_path.display()
            ));
            continue;
        }
        let result = scan(&template);
        let got = actual(&result, |_, line| line.to_string());
        let want = expected(&expected_path);
        if got != want {
            failures.push(format!(
                "{}:\n  expected {want:?}\n  actual   {got:?}",
                template.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn example_outputs_snapshot() {
    let example = workspace().join("examples");
    let result = scan(&example);
    let prefix = format!("{}/", example.display());
    let json = portcullis_report::render_json(&result.outcome());
    insta::assert_snapshot!("examples_json", json.replace(&prefix, ""));
    let text = portcullis_report::render_text(
        &result.outcome(),
        portcullis_report::TextOptions::default(),
    );
    insta::assert_snapshot!("examples_text", text.replace(&prefix, ""));
}

/// The findings of `module.web_sg` as rule, severity, certainty, statement and traffic: what the
/// offline model and the installed module must agree on (not where they point: the model points
/// at the call's arguments, the installed module at its own code).
fn web_sg_findings(result: &ScanResult) -> Vec<String> {
    let mut findings: Vec<String> = result
        .findings
        .iter()
        .filter(|finding| finding.resource.starts_with("module.web_sg."))
        .map(|finding| {
            let exposure = finding.exposure.as_ref().map(|exposure| {
                (
                    exposure.direction,
                    exposure.protocol,
                    exposure.ports,
                    exposure.peer.clone(),
                    exposure.groups.clone(),
                    exposure.services.clone(),
                )
            });
            format!(
                "{} {:?} {:?} {} {exposure:?}",
                finding.rule.code, finding.severity, finding.certainty, finding.resource
            )
        })
        .collect();
    findings.sort();
    findings
}

#[test]
fn the_security_group_model_and_the_installed_module_agree() {
    let terraform = workspace().join("fixtures/terraform");
    let modelled = web_sg_findings(&scan(&terraform.join("registry_security_group")));
    let installed = web_sg_findings(&scan(&terraform.join("registry_security_group_installed")));
    assert_eq!(modelled.len(), 2, "{modelled:#?}");
    assert_eq!(modelled, installed);
}

#[test]
fn the_security_group_model_text_snapshot() {
    let case = workspace().join("fixtures/terraform/registry_security_group");
    let result = scan(&case);
    let text = portcullis_report::render_text(
        &result.outcome(),
        portcullis_report::TextOptions::default(),
    );
    let prefix = format!("{}/", case.display());
    insta::assert_snapshot!("registry_security_group_text", text.replace(&prefix, ""));
}
