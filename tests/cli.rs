//! The command line as users run it: exit codes, output formats, bad input next to good input.

#![allow(clippy::unwrap_used)]

mod common;
use common::{SSH_OPEN, portcullis, project};

use std::path::Path;
use std::process::Output;

const HTTPS_ONLY: &str = r#"resource "aws_security_group" "web" {
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn exit_code_is_zero_when_clean() {
    let dir = project("clean", &[("main.tf", HTTPS_ONLY)]);
    let output = portcullis(&["scan", "."], &dir);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn exit_code_is_one_for_findings_at_or_above_fail_on() {
    let dir = project("ssh", &[("main.tf", SSH_OPEN)]);
    assert_eq!(portcullis(&["scan"], &dir).status.code(), Some(1));
    assert_eq!(
        portcullis(&["scan", "--fail-on", "critical"], &dir)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        portcullis(&["scan", "--fail-on", "low"], &dir)
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn broken_file_is_reported_and_the_good_one_still_scanned() {
    let dir = project(
        "broken",
        &[
            ("good/main.tf", SSH_OPEN),
            (
                "bad/main.tf",
                "resource \"aws_security_group\" \"x\" {\n  ingress {\n    from_port = [\n}\n",
            ),
        ],
    );
    let output = portcullis(&["scan", "--format", "json", "."], &dir);
    assert_eq!(output.status.code(), Some(2));
    let report = json(&output);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], "bad/main.tf");
    assert!(errors[0]["line"].as_u64().unwrap() >= 3, "{errors:?}");
    assert!(errors[0]["column"].as_u64().unwrap() >= 1);
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["rule_id"] == "SG002" && f["file"] == "good/main.tf"),
        "{findings:?}"
    );
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn json_follows_the_contract() {
    let dir = project("contract", &[("main.tf", SSH_OPEN)]);
    let output = portcullis(&["scan", "--format", "json", "main.tf"], &dir);
    let report = json(&output);
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "portcullis");
    assert_eq!(report["summary"]["files_scanned"], 1);
    assert_eq!(report["summary"]["by_severity"]["high"], 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["rule_id"], "SG002");
    assert_eq!(finding["rule"], "admin-port-open-to-internet");
    assert_eq!(finding["severity"], "high");
    assert_eq!(finding["certainty"], "definite");
    assert_eq!(finding["file"], "main.tf");
    assert_eq!(
        (
            finding["start_line"].as_u64(),
            finding["start_column"].as_u64()
        ),
        (Some(6), Some(20))
    );
    assert_eq!(
        (finding["end_line"].as_u64(), finding["end_column"].as_u64()),
        (Some(6), Some(31))
    );
    assert_eq!(finding["resource"], "aws_security_group.web");
    assert_eq!(finding["exposure"]["direction"], "ingress");
    assert_eq!(finding["exposure"]["protocol"], "tcp");
    assert_eq!(finding["exposure"]["from_port"], 22);
    assert_eq!(finding["exposure"]["to_port"], 22);
    assert_eq!(finding["exposure"]["peer"], "0.0.0.0/0");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .starts_with("ssh (22/tcp) is open to the internet")
    );
    assert_eq!(finding["fingerprint"].as_str().unwrap().len(), 16);
    assert!(
        finding["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["message"].as_str().unwrap().contains("Session Manager"))
    );
}

#[test]
fn fingerprints_survive_moved_lines_and_change_with_the_value() {
    let fingerprint = |text: &str, name: &str| {
        let dir = project(name, &[("main.tf", text)]);
        json(&portcullis(&["scan", "--format", "json"], &dir))["findings"][0]["fingerprint"].clone()
    };
    let original = fingerprint(SSH_OPEN, "fp-a");
    assert_eq!(
        original,
        fingerprint(&format!("# a comment\n\n{SSH_OPEN}"), "fp-b")
    );
    assert_ne!(
        original,
        fingerprint(
            &SSH_OPEN.replace("0.0.0.0/0", "0.0.0.0/1\", \"128.0.0.0/1"),
            "fp-c"
        )
    );
}

#[test]
fn protocol_all_has_null_ports() {
    let dir = project(
        "all",
        &[("main.tf", &SSH_OPEN.replace("\"tcp\"", "\"-1\""))],
    );
    let report = json(&portcullis(&["scan", "--format", "json"], &dir));
    let finding = &report["findings"][0];
    assert_eq!(finding["rule_id"], "SG001");
    assert_eq!(finding["severity"], "critical");
    assert!(finding["exposure"]["from_port"].is_null() && finding["exposure"]["to_port"].is_null());
    assert_eq!(finding["exposure"]["protocol"], "all");
}

#[test]
fn output_file_and_text_summary() {
    let dir = project("output", &[("main.tf", SSH_OPEN)]);
    let output = portcullis(
        &["scan", "--output", "report.txt", "--color", "never"],
        &dir,
    );
    assert!(output.stdout.is_empty());
    let text = std::fs::read_to_string(dir.join("report.txt")).unwrap();
    assert!(
        text.contains("high[SG002]: ssh (22/tcp) is open to the internet from 0.0.0.0/0"),
        "{text}"
    );
    assert!(text.contains("--> main.tf:6:20"), "{text}");
    assert!(text.contains("scanned 1 file in "), "{text}");
    assert!(text.contains("1 finding (1 high)"), "{text}");
}

/// JSON and SARIF are written as they are made: a write that fails half-way is still an error.
#[cfg(target_os = "linux")]
#[test]
fn a_report_that_cannot_be_written_is_an_error() {
    let dir = project("unwritable", &[("main.tf", SSH_OPEN)]);
    for format in ["json", "sarif", "text"] {
        let output = portcullis(&["scan", "--format", format, "-o", "/dev/full"], &dir);
        assert_eq!(output.status.code(), Some(2), "{format}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("/dev/full: No space left on device"),
            "{format}: {stderr}"
        );
    }
}

#[test]
fn missing_path_is_an_error() {
    let dir = project::<&str>("missing", &[]);
    std::fs::create_dir_all(&dir).unwrap();
    let output = portcullis(&["scan", "does-not-exist"], &dir);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does-not-exist"));
}

#[test]
fn rules_and_explain() {
    let dir = std::env::temp_dir();
    let rules = String::from_utf8(portcullis(&["rules"], &dir).stdout).unwrap();
    for rule in portcullis_checks::RULES {
        assert!(rules.contains(rule.meta.code) && rules.contains(rule.meta.name));
    }
    let explained = portcullis(&["explain", "ssh-nope"], &dir);
    assert_eq!(explained.status.code(), Some(2));
    let explained =
        String::from_utf8(portcullis(&["explain", "admin-port-open-to-internet"], &dir).stdout)
            .unwrap();
    assert!(explained.contains("## Why is this bad?") && explained.contains("SG002"));
}

#[test]
fn fix_applies_safe_edits_and_unsafe_ones_only_when_asked() {
    let text = r#"resource "aws_vpc" "main" {
  cidr_block = "10.20.0.0/16"
}

resource "aws_security_group" "db" {
  vpc_id = aws_vpc.main.id
  ingress {
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_blocks = ["0.0.0.0/0", "10.0.0.1/8"]
  }
}
"#;
    let dir = project("fix", &[("main.tf", text)]);
    // Without --fix nothing is written.
    assert_eq!(portcullis(&["scan"], &dir).status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(dir.join("main.tf")).unwrap(), text);
    // --fix applies only the safe normalisation of the non-canonical CIDR.
    let output = portcullis(&["scan", "--fix"], &dir);
    assert_eq!(output.status.code(), Some(1), "the database is still open");
    let fixed = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    assert!(fixed.contains(r#"["0.0.0.0/0", "10.0.0.0/8"]"#), "{fixed}");
    // --unsafe-fixes also narrows the public source to the VPC.
    let output = portcullis(&["scan", "--fix", "--unsafe-fixes"], &dir);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let fixed = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    assert!(
        fixed.contains(r#"["10.20.0.0/16", "10.0.0.0/8"]"#),
        "{fixed}"
    );
}

#[test]
fn plan_alone_scans_only_the_plan() {
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/plan/no_source/plan.json");
    let dir = project("plan", &[("main.tf", SSH_OPEN)]);
    let output = portcullis(
        &["scan", "--plan", plan.to_str().unwrap(), "--format", "json"],
        &dir,
    );
    let report = json(&output);
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|finding| finding["file"].as_str().unwrap().ends_with("plan.json")),
        "{findings:?}"
    );
    assert_eq!(report["summary"]["files_scanned"], 1);
}

#[test]
fn github_annotations_never_carry_escape_sequences() {
    let dir = project("github-escape", &[("a\u{1b}[31mred.tf", SSH_OPEN)]);
    let output = portcullis(&["scan", "--format", "github"], &dir);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("::error file="), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
}

#[test]
fn the_file_size_limit_is_configurable() {
    let dir = project("size", &[("main.tf", SSH_OPEN)]);
    let output = portcullis(&["scan", "--format", "json", "--max-file-size", "10"], &dir);
    assert_eq!(output.status.code(), Some(2));
    let report = json(&output);
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("over the 10-byte limit"),
        "{report}"
    );
    std::fs::write(dir.join("portcullis.toml"), "max-file-size = 20\n").unwrap();
    assert_eq!(portcullis(&["scan"], &dir).status.code(), Some(2));
    assert_eq!(
        portcullis(&["scan", "--max-file-size", "100000"], &dir)
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn paths_that_cannot_be_walked_are_reported_in_every_format() {
    let dir = project("walk", &[("main.tf", SSH_OPEN)]);
    let output = portcullis(&["scan", "--format", "json", "main.tf", "gone"], &dir);
    assert_eq!(output.status.code(), Some(2));
    let report = json(&output);
    assert_eq!(report["errors"][0]["file"], "gone", "{report}");
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no such file"),
        "{report}"
    );
    assert_eq!(report["findings"][0]["rule_id"], "SG002");
}
