#![allow(clippy::unwrap_used)]

//! Terraform and CloudFormation describe the same infrastructure in `fixtures/parity/<case>/`
//! (`main.tf` and `template.yaml`): scanned separately, they must yield the same findings.
//! Names and lines differ between the languages, so findings are compared on what they say
//! about the traffic: rule, severity, certainty, direction, protocol, ports, peer and services.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn cases() -> Vec<PathBuf> {
    let root = workspace().join("fixtures/parity");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|error| panic!("{}: {error}", root.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

/// The findings of one file, as a multiset of their language-independent fields.
fn signatures(path: &Path) -> Result<BTreeMap<String, usize>, String> {
    let mut options = portcullis_engine::ScanOptions::new(vec![path.to_path_buf()]);
    options.threads = Some(1);
    let result = portcullis_engine::run(options).unwrap();
    if !result.problems.is_empty() {
        return Err(format!(
            "{}: problems {:?}",
            path.display(),
            result.problems
        ));
    }
    if result.files_scanned != 1 {
        return Err(format!(
            "{}: {} files scanned, expected the file itself",
            path.display(),
            result.files_scanned
        ));
    }
    let mut signatures = BTreeMap::new();
    for finding in &result.findings {
        let exposure = finding.exposure.as_ref().map_or_else(
            || "no exposure".to_owned(),
            |exposure| {
                let ports = exposure.ports.map_or_else(
                    || "all ports".to_owned(),
                    |ports| format!("{}-{}", ports.from, ports.to),
                );
                format!(
                    "{:?} {:?} {ports} peer {} services [{}]",
                    exposure.direction,
                    exposure.protocol,
                    exposure.peer,
                    exposure.services.join(", ")
                )
            },
        );
        let signature = format!(
            "{} {} {} {exposure}",
            finding.rule.code,
            finding.severity,
            finding.certainty.as_str()
        );
        *signatures.entry(signature).or_insert(0) += 1;
    }
    Ok(signatures)
}

/// Each signature whose count differs, with both counts; empty when the multisets are equal.
fn diff(terraform: &BTreeMap<String, usize>, cloudformation: &BTreeMap<String, usize>) -> String {
    let mut keys: Vec<&String> = terraform.keys().chain(cloudformation.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = String::new();
    for key in keys {
        let in_terraform = terraform.get(key).copied().unwrap_or(0);
        let in_cloudformation = cloudformation.get(key).copied().unwrap_or(0);
        if in_terraform != in_cloudformation {
            writeln!(
                out,
                "    terraform {in_terraform} × cloudformation {in_cloudformation} × {key}"
            )
            .unwrap();
        }
    }
    out
}

fn listing(signatures: &BTreeMap<String, usize>) -> String {
    if signatures.is_empty() {
        return "    (no finding)\n".to_owned();
    }
    signatures
        .iter()
        .map(|(signature, count)| format!("    {count} × {signature}\n"))
        .collect()
}

#[test]
fn terraform_and_cloudformation_yield_the_same_findings() {
    let cases = cases();
    assert!(!cases.is_empty(), "no case in fixtures/parity");
    let mut failures = Vec::new();
    for case in cases {
        let terraform = signatures(&case.join("main.tf"));
        let cloudformation = signatures(&case.join("template.yaml"));
        let (terraform, cloudformation) = match (terraform, cloudformation) {
            (Ok(terraform), Ok(cloudformation)) => (terraform, cloudformation),
            (terraform, cloudformation) => {
                failures.extend(terraform.err());
                failures.extend(cloudformation.err());
                continue;
            }
        };
        println!("{}:\n{}", case.display(), listing(&terraform));
        let differences = diff(&terraform, &cloudformation);
        if !differences.is_empty() {
            failures.push(format!(
                "{}: the languages disagree\n  differences:\n{differences}  main.tf:\n{}  template.yaml:\n{}",
                case.display(),
                listing(&terraform),
                listing(&cloudformation)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
