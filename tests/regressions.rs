#![allow(clippy::unwrap_used)]
//! Regression tests for problems the hardening work (issue 8) found in the checks, the Terraform
//! front-end and the SARIF renderer; docs/hardening.md describes each one.

mod common;
use common::{SSH_OPEN, project};

use std::path::Path;
use std::time::{Duration, Instant};

use portcullis_engine::ScanOptions;

/// As the CLI scans `root`: module sources are confined to it.
fn scan_confined(root: &Path) -> portcullis_engine::ScanResult {
    let mut options = ScanOptions::new(vec![root.to_path_buf()]);
    options.terraform.scan_roots = vec![root.to_path_buf()];
    portcullis_engine::run(options).unwrap()
}

/// `count = 1e9` is capped at 10,000 instances, but the checks then spend O(n²) time: for each
/// exposed statement, `remedies::bastion_group` computes `analysis::widest` (segments and
/// `AddrSet::reach`) for every other statement on the port. 2,000 groups take 13 s in a release
/// build, 10,000 (one `count = 1e9`) about 330 s.
#[test]
fn many_exposed_groups_are_checked_in_linear_time() {
    let text = SSH_OPEN.replace(
        "resource \"aws_security_group\" \"web\" {\n",
        "resource \"aws_security_group\" \"web\" {\n  count = 1e9\n",
    );
    let dir = project("count", &[("main.tf", &text)]);
    let started = Instant::now();
    let result = scan_confined(&dir);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        result.findings.len(),
        portcullis_engine::MAX_FINDINGS_PER_FILE
    );
}

/// `.terraform/modules/modules.json` comes from the scanned repository, and its `Dir` is
/// followed wherever it points (`../outside`, `/home/runner/...`): the scanner reads `.tf` files
/// outside the scan root and quotes them in excerpts, even without `--allow-outside-root`.
#[test]
fn installed_module_directories_stay_inside_the_scan_root() {
    let base = project(
        "installed",
        &[
            ("outside/secret.tf", SSH_OPEN),
            (
                "root/main.tf",
                "module \"x\" {\n  source = \"terraform-aws-modules/security-group/aws\"\n}\n",
            ),
            (
                "root/.terraform/modules/modules.json",
                r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"x","Source":"registry.terraform.io/terraform-aws-modules/security-group/aws","Dir":"../outside"}]}"#,
            ),
        ],
    );
    let result = scan_confined(&base.join("root"));
    let read: Vec<String> = result
        .sources
        .files()
        .iter()
        .map(|file| file.path.clone())
        .filter(|path| path.contains("outside"))
        .collect();
    assert!(read.is_empty(), "read outside the scan root: {read:?}");
}

/// A backslash is an ordinary character in a Unix file name, but the SARIF renderer turns it
/// into `/`, so the result names another file (`a\b.tf` becomes the path `a/b.tf`).
#[test]
fn sarif_keeps_backslashes_in_unix_file_names() {
    let dir = project("backslash", &[("a\\b.tf", SSH_OPEN)]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["scan", ".", "--format", "sarif", "--no-config"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "a%5Cb.tf");
}

/// A scanned path with `..` in it (`dir/../dir`, or an absolute path through a parent) named its
/// root module normalised but its files as given, so that every finding of the root was taken
/// for module code, with `roots` and a note.
#[test]
fn a_path_through_a_parent_directory_is_still_the_root_module() {
    let dir = project("dotdot", &[("main.tf", SSH_OPEN)]);
    let name = dir.file_name().unwrap().to_owned();
    let through_parent = dir.join("..").join(name);
    let result = portcullis_engine::run(ScanOptions::new(vec![through_parent])).unwrap();
    assert_eq!(result.findings.len(), 1);
    assert_eq!(result.findings[0].roots, Vec::<String>::new());
}
