//! The CI formats on real findings: SARIF (validated against the official 2.1.0 schema), GitHub
//! workflow commands and JUnit XML, plus the CLI's handling of several outputs, configuration and
//! baselines.

#![allow(clippy::unwrap_used)]

mod common;
use common::{SSH_OPEN, portcullis, project};

use std::path::{Path, PathBuf};
use std::time::Duration;

use portcullis_diagnostics::RuleMeta;
use portcullis_engine::{ScanOptions, ScanResult};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn scan(paths: &[&str]) -> ScanResult {
    let mut options = ScanOptions::new(paths.iter().map(|path| workspace().join(path)).collect());
    options.threads = Some(2);
    let mut result = portcullis_engine::run(options).unwrap();
    result.elapsed = Duration::ZERO;
    result
}

fn relative(text: &str) -> String {
    text.replace(&format!("{}/", workspace().display()), "")
        .replace(
            &portcullis_report::path_uri(&format!("{}/", workspace().display())).0,
            "",
        )
}

fn sarif(result: &ScanResult) -> String {
    let rules: Vec<&'static RuleMeta> = portcullis_checks::RULES
        .iter()
        .map(|rule| rule.meta)
        .collect();
    let options = portcullis_report::SarifOptions {
        rules: &rules,
        category: "portcullis/",
        source_root: None,
    };
    portcullis_report::render_sarif(&result.outcome(), &options)
}

/// The official schema, with the one pattern Rust's regex engines reject made equivalent and valid.
fn sarif_validator() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(workspace().join("fixtures/schemas/sarif-schema-2.1.0.json"))
            .unwrap();
    let text = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::new(&schema).unwrap()
}

fn assert_valid_sarif(text: &str) -> serde_json::Value {
    let document: serde_json::Value = serde_json::from_str(text).unwrap();
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not match the 2.1.0 schema:\n{}",
        errors.join("\n")
    );
    document
}

#[test]
fn sarif_matches_the_schema_and_what_github_needs() {
    let result = scan(&["examples", "fixtures/suppressions"]);
    let text = sarif(&result);
    let document = assert_valid_sarif(&text);
    let run = &document["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), portcullis_checks::RULES.len());
    for rule in rules {
        assert!(
            rule["properties"]["tags"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!("security"))
        );
        assert!(
            rule["properties"]["security-severity"]
                .as_str()
                .unwrap()
                .parse::<f64>()
                .is_ok()
        );
        assert!(!rule["help"]["markdown"].as_str().unwrap().is_empty());
        assert!(!rule["fullDescription"]["text"].as_str().unwrap().is_empty());
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        result.findings.len() + result.suppressed.len()
    );
    for result in results {
        let region = &result["locations"][0]["physicalLocation"]["region"];
        for field in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[field].as_u64().unwrap() >= 1, "{field}");
        }
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(
            result["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap()
                .len(),
            16
        );
    }
    assert!(
        results
            .iter()
            .any(|result| result["suppressions"][0]["kind"] == "inSource")
    );
    assert!(results.iter().any(|result| result["fixes"].is_array()));
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    insta::assert_snapshot!("sarif", relative(&text));
}

#[test]
fn github_annotations_escape_their_fields() {
    let result = scan(&["examples"]);
    let text = portcullis_report::render_github(&result.outcome());
    for line in text.lines() {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
        assert!(
            line.contains(",line=") && line.contains(",endColumn=") && line.contains(",title="),
            "{line}"
        );
    }
    insta::assert_snapshot!("github", relative(&text));
}

#[test]
fn junit_is_well_formed_xml() {
    let result = scan(&["examples", "fixtures/suppressions"]);
    let text = portcullis_report::render_junit(&result.outcome());
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut failures = 0;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(tag) if tag.name().as_ref() == "failure" => {
                failures += 1
            }
            _ => {}
        }
    }
    assert_eq!(failures, result.findings.len());
    insta::assert_snapshot!("junit", relative(&text));
}

#[test]
fn one_run_writes_several_formats() {
    let dir = project("multi", &[("main.tf", SSH_OPEN)]);
    let output = portcullis(
        &[
            "scan",
            "--format",
            "sarif",
            "--output",
            "results.sarif",
            "--format",
            "text",
            "-o",
            "junit=report.xml",
            "--color",
            "never",
        ],
        &dir,
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("high[SG002]"), "{stdout}");
    let sarif = std::fs::read_to_string(dir.join("results.sarif")).unwrap();
    let document = assert_valid_sarif(&sarif);
    assert_eq!(
        document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "main.tf"
    );
    assert!(
        std::fs::read_to_string(dir.join("report.xml"))
            .unwrap()
            .contains("<failure")
    );
    let output = portcullis(&["scan", "--format", "json", "--format", "text"], &dir);
    assert_eq!(
        output.status.code(),
        Some(2),
        "two formats cannot both go to standard output"
    );
}

#[test]
fn markdown_links_files_under_the_link_base() {
    let dir = project("link-base", &[("main.tf", SSH_OPEN)]);
    let output = portcullis(
        &[
            "scan",
            "--format",
            "markdown",
            "--link-base",
            "https://github.com/acme/infra/blob/0123abc",
        ],
        &dir,
    );
    assert_eq!(output.status.code(), Some(1));
    let markdown = String::from_utf8(output.stdout).unwrap();
    assert!(
        markdown.contains("[main.tf:6](https://github.com/acme/infra/blob/0123abc/main.tf#L6)"),
        "{markdown}"
    );
}

#[test]
fn rules_and_paths_are_chosen_on_the_command_line() {
    // SSH and all traffic in main.tf, MySQL in db/ (its rule is off in the configuration) and SSH
    // again in legacy/.
    let all_traffic = SSH_OPEN.replace("\"tcp\"", "\"-1\"").replace("= 22", "= 0");
    let mysql = SSH_OPEN.replace("= 22", "= 3306");
    let dir = project(
        "choose",
        &[
            (
                "main.tf",
                SSH_OPEN.to_owned() + &all_traffic.replace("\"web\"", "\"all\""),
            ),
            ("db/main.tf", mysql),
            ("legacy/main.tf", SSH_OPEN.to_owned()),
            (
                "portcullis.toml",
                "[rules]\ndisable = [\"SG003\"]\n".to_owned(),
            ),
        ],
    );
    let codes = |arguments: &[&str]| -> Vec<String> {
        let mut command = vec!["scan", "--format", "json"];
        command.extend_from_slice(arguments);
        let output = portcullis(&command, &dir);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{arguments:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let mut codes: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| {
                format!(
                    "{} {}",
                    finding["rule_id"].as_str().unwrap(),
                    finding["file"].as_str().unwrap()
                )
            })
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(
        codes(&[]),
        ["SG001 main.tf", "SG002 legacy/main.tf", "SG002 main.tf"]
    );
    // Codes and names, comma-separated or repeated; an off-by-default rule can be selected; what
    // the configuration disables stays off.
    assert_eq!(
        codes(&["--select", "SG001,admin-port-open-to-internet,SG003"]),
        ["SG001 main.tf", "SG002 legacy/main.tf", "SG002 main.tf"]
    );
    assert_eq!(
        codes(&["--select", "SG015", "--select", "SG001"]),
        [
            "SG001 main.tf",
            "SG015 db/main.tf",
            "SG015 legacy/main.tf",
            "SG015 main.tf",
            "SG015 main.tf"
        ]
    );
    // --enable, --disable and --exclude add to the configuration.
    assert_eq!(
        codes(&[
            "--disable",
            "admin-port-open-to-internet",
            "--exclude",
            "db/"
        ]),
        ["SG001 main.tf"]
    );
    assert_eq!(
        codes(&[
            "--enable",
            "SG015",
            "--exclude",
            "legacy",
            "--exclude",
            "db"
        ]),
        [
            "SG001 main.tf",
            "SG002 main.tf",
            "SG015 main.tf",
            "SG015 main.tf"
        ]
    );
    let output = portcullis(&["scan", "--select", "SG999"], &dir);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no rule is called `SG999`"));
}

#[test]
fn configuration_tunes_rules_and_reports_its_errors() {
    let dir = project(
        "config",
        &[
            ("main.tf", SSH_OPEN),
            (
                "portcullis.toml",
                "fail-on = \"critical\"\n[rules.severity]\nSG002 = \"low\"\n",
            ),
        ],
    );
    let output = portcullis(&["scan", "--format", "json"], &dir);
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"][0]["severity"], "low");
    std::fs::write(
        dir.join("portcullis.toml"),
        "[rules]\ndisable = [\"admin-port-open-to-internet\"]\n",
    )
    .unwrap();
    let output = portcullis(&["scan", "--format", "json"], &dir);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["findings"], 0);
    std::fs::write(dir.join("portcullis.toml"), "[rules]\nfail_on = \"high\"\n").unwrap();
    let output = portcullis(&["scan"], &dir);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("portcullis.toml:2:1") && stderr.contains("fail_on"),
        "{stderr}"
    );
    let output = portcullis(&["scan", "--no-config"], &dir);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn init_writes_a_configuration_that_loads() {
    let dir = project("init", &[("main.tf", SSH_OPEN)]);
    assert_eq!(portcullis(&["init"], &dir).status.code(), Some(0));
    assert_eq!(
        portcullis(&["init"], &dir).status.code(),
        Some(2),
        "never overwrites without --force"
    );
    assert_eq!(portcullis(&["scan"], &dir).status.code(), Some(1));
}

#[test]
fn baseline_fails_only_on_new_findings() {
    let dir = project("baseline", &[("main.tf", SSH_OPEN)]);
    assert_eq!(
        portcullis(&["scan", "--write-baseline", "baseline.json"], &dir)
            .status
            .code(),
        Some(1)
    );
    let output = portcullis(
        &["scan", "--baseline", "baseline.json", "--format", "json"],
        &dir,
    );
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["findings"], 0);
    // Moving lines keeps the fingerprint; a new exposure is reported.
    std::fs::write(
        dir.join("main.tf"),
        format!("# moved\n\n{}", SSH_OPEN.replace("= 22", "= 3389")),
    )
    .unwrap();
    let output = portcullis(
        &["scan", "--baseline", "baseline.json", "--format", "json"],
        &dir,
    );
    assert_eq!(output.status.code(), Some(1));
    std::fs::write(dir.join("main.tf"), format!("# moved\n\n{SSH_OPEN}")).unwrap();
    assert_eq!(
        portcullis(&["scan", "--baseline", "baseline.json"], &dir)
            .status
            .code(),
        Some(0)
    );
}

/// The `portcullis scan` commands the documentation tells users to copy, run as written against
/// the shipped example (shell redirections and pipes are cut off; the command itself must work).
#[test]
fn documented_scan_commands_work_as_written() {
    let mut commands = Vec::new();
    for doc in ["README.md", "docs/suppressions.md", "docs/exposure-map.md"] {
        let text = std::fs::read_to_string(workspace().join(doc)).unwrap();
        for line in text.lines() {
            let Some(start) = line.find("portcullis scan") else {
                continue;
            };
            // The link base of the workflows, as GitHub would expand it.
            let command = line[start..]
                .split(['|', '>', '#', '`'])
                .next()
                .unwrap()
                .trim()
                .replace(
                    "\"$LINK_BASE\"",
                    "https://github.com/OWNER/REPO/blob/0123abc/",
                );
            if command.contains('[') || command.contains('$') {
                continue; // The usage synopsis, or a command built from variables.
            }
            commands.push(command);
        }
    }
    assert!(commands.len() >= 6, "{commands:?}");
    // One directory for all, in documentation order: `--baseline` reads what `--write-baseline` wrote.
    let dir = project::<&str>("documented", &[]);
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["main.tf", "variables.tf", "terraform.tfvars"] {
        std::fs::copy(
            workspace().join("examples/terraform").join(name),
            dir.join(name),
        )
        .unwrap();
    }
    for command in commands {
        let arguments: Vec<&str> = command.split_whitespace().skip(1).collect();
        let output = portcullis(&arguments, &dir);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "`{command}`: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        for argument in &arguments {
            if let Some((_, file)) = argument.split_once('=') {
                assert!(dir.join(file).is_file(), "`{command}` did not write {file}");
            }
        }
    }
}

/// The JSON contract: ports are null only for protocol `all`; a tcp or udp exposure always says
/// which ports, in every fixture (network ACLs, resources, unresolved values included).
#[test]
fn json_exposures_of_tcp_and_udp_carry_their_ports() {
    let result = scan(&["fixtures", "examples"]);
    let json: serde_json::Value =
        serde_json::from_str(&portcullis_report::render_json(&result.outcome())).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let mut checked_rules = std::collections::BTreeSet::new();
    for finding in findings {
        let Some(exposure) = finding.get("exposure") else {
            continue;
        };
        let protocol = exposure["protocol"].as_str().unwrap();
        if protocol == "tcp" || protocol == "udp" {
            checked_rules.insert(finding["rule_id"].as_str().unwrap().to_owned());
            for port in ["from_port", "to_port"] {
                assert!(
                    exposure[port].is_u64(),
                    "{port} missing from {} at {}:{}: {exposure}",
                    finding["rule_id"],
                    finding["file"],
                    finding["start_line"]
                );
            }
        } else if protocol == "all" {
            assert!(exposure["from_port"].is_null() && exposure["to_port"].is_null());
        }
    }
    for rule in ["NACL001", "RES001", "SG002", "SG017", "SG019"] {
        assert!(
            checked_rules.contains(rule),
            "no tcp/udp exposure of {rule} was checked"
        );
    }
}

/// Module code evaluated from two roots gives one finding that names both roots.
#[test]
fn module_findings_name_their_roots_once() {
    let result = scan(&["fixtures/terraform/module_roots"]);
    let json: serde_json::Value = serde_json::from_str(&relative(&portcullis_report::render_json(
        &result.outcome(),
    )))
    .unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        findings[0]["roots"],
        serde_json::json!([
            "fixtures/terraform/module_roots/envs/prod",
            "fixtures/terraform/module_roots/envs/staging"
        ])
    );
}

/// `.terraform/modules` is never committed: code scanning, annotations and reports place an
/// installed module's finding at the argument in the repository that leads to it, and SARIF keeps
/// the module line as its first related location.
#[test]
fn installed_module_code_is_placed_at_the_argument_in_the_repository() {
    let result = scan(&["fixtures/terraform/registry_security_group_installed"]);
    assert_eq!(result.findings.len(), 2);
    for finding in &result.findings {
        let shown_at = finding.shown_at.unwrap();
        let place = result.sources.location(shown_at.file, shown_at.start);
        assert!(
            result
                .sources
                .path(shown_at.file)
                .ends_with("_installed/main.tf")
        );
        assert_eq!((place.line, place.column), (6, 26));
    }
    let annotations = relative(&portcullis_report::render_github(&result.outcome()));
    for line in annotations.lines() {
        assert!(
            line.starts_with(
                "::error file=fixtures/terraform/registry_security_group_installed/main.tf,line=6,"
            ),
            "{line}"
        );
        assert!(
            line.ends_with(".terraform/modules/web_sg/main.tf:41)"),
            "{line}"
        );
    }
    let sarif = assert_valid_sarif(&sarif(&result));
    for sarif_result in sarif["runs"][0]["results"].as_array().unwrap() {
        let location = &sarif_result["locations"][0]["physicalLocation"];
        assert!(
            location["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("_installed/main.tf"),
            "{sarif_result}"
        );
        let code = &sarif_result["relatedLocations"][0]["physicalLocation"];
        assert!(
            code["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with(".terraform/modules/web_sg/main.tf"),
            "{sarif_result}"
        );
        assert_eq!(code["region"]["startLine"], 41);
    }
    // A local module in the scanned repository stays where it is.
    let local = scan(&["fixtures/terraform/local_module"]);
    assert!(
        local
            .findings
            .iter()
            .any(|finding| !finding.roots.is_empty())
    );
    assert!(
        local
            .findings
            .iter()
            .all(|finding| finding.shown_at.is_none())
    );
}
