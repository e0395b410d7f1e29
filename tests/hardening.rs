#![allow(clippy::unwrap_used)]
//! Hostile and unusual input through the whole pipeline: limits, odd files, links, output
//! safety, determinism, and what the code base may never do (network, processes).

mod common;
use common::{SSH_OPEN, portcullis};

/// A fresh directory holding raw bytes; the slice type lets arrays, vectors and strings mix.
fn project(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    common::project(name, files)
}

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

use portcullis_engine::{ScanOptions, ScanResult};

fn scan(path: &Path) -> ScanResult {
    portcullis_engine::run(ScanOptions::new(vec![path.to_path_buf()])).unwrap()
}

/// `(file name, line, column, message)` of every problem.
fn problems(result: &ScanResult) -> Vec<(String, u32, u32, String)> {
    result
        .problems
        .iter()
        .map(|problem| {
            let location = result
                .sources
                .location(problem.span.file, problem.span.start);
            (
                file_name(&result.sources.path(problem.span.file)),
                location.line,
                location.column,
                problem.message.clone(),
            )
        })
        .collect()
}

/// `(file name, line, column, rule code)` of every finding.
fn findings(result: &ScanResult) -> Vec<(String, u32, u32, &'static str)> {
    result
        .findings
        .iter()
        .map(|finding| {
            let location = result
                .sources
                .location(finding.span.file, finding.span.start);
            (
                file_name(&result.sources.path(finding.span.file)),
                location.line,
                location.column,
                finding.rule.code,
            )
        })
        .collect()
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The one problem reported for `name`, or a failure listing them all.
fn problem_of(result: &ScanResult, name: &str) -> (u32, u32, String) {
    let all = problems(result);
    let mine: Vec<_> = all.iter().filter(|(file, ..)| file == name).collect();
    assert_eq!(mine.len(), 1, "problems: {all:?}");
    let (_, line, column, message) = mine[0].clone();
    (line, column, message)
}

/// Whether `name` holds the SSH finding of [`SSH_OPEN`] (line 6, column 20).
fn has_ssh_finding(result: &ScanResult, name: &str) -> bool {
    findings(result).contains(&(name.to_owned(), 6, 20, "SG002"))
}

fn parse_json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(bytes)))
}

// ---------------------------------------------------------------------------------------------
// Limits: each reported with a location, the rest of the scan going on.

#[test]
fn file_over_the_size_limit_is_reported_and_the_rest_scanned() {
    let dir = project("size", &[("ok.tf", SSH_OPEN.as_bytes())]);
    // Sparse: the size is what counts, nothing is read.
    let big = std::fs::File::create(dir.join("big.tf")).unwrap();
    big.set_len(portcullis_engine::MAX_FILE_SIZE + 1).unwrap();
    let result = scan(&dir);
    let (line, column, message) = problem_of(&result, "big.tf");
    assert_eq!((line, column), (1, 1));
    assert!(
        message.contains("over the 10485760-byte limit"),
        "{message}"
    );
    assert!(has_ssh_finding(&result, "ok.tf"));
    assert_eq!(result.exit_code(portcullis_diagnostics::Severity::High), 2);
}

#[test]
fn yaml_alias_bomb_is_refused_at_its_alias() {
    let mut bomb = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for level in 1..10 {
        let aliases = vec![format!("*a{}", level - 1); 10].join(", ");
        bomb.push_str(&format!("  a{level}: &a{level} [{aliases}]\n"));
    }
    bomb.push_str("Resources: {}\n");
    let dir = project(
        "alias",
        &[
            ("bomb.yaml", bomb.as_bytes()),
            ("ok.tf", SSH_OPEN.as_bytes()),
        ],
    );
    let result = scan(&dir);
    let (line, _, message) = problem_of(&result, "bomb.yaml");
    assert!(
        (4..=12).contains(&line),
        "the problem points at an alias: {line}"
    );
    assert!(message.contains("billion-laughs"), "{message}");
    assert!(has_ssh_finding(&result, "ok.tf"));
}

#[test]
fn deep_yaml_and_json_nesting_is_refused() {
    let flow = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  X: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let block: String =
        std::iter::once("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n".to_owned())
            .chain((0..2000).map(|depth| format!("{}k:\n", " ".repeat(depth + 2))))
            .collect();
    let json = format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"X\": {}{}}}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let dir = project(
        "nesting",
        &[
            ("flow.yaml", flow.as_bytes()),
            ("block.yaml", block.as_bytes()),
            ("deep.json", json.as_bytes()),
            ("ok.tf", SSH_OPEN.as_bytes()),
        ],
    );
    let result = scan(&dir);
    for name in ["flow.yaml", "block.yaml", "deep.json"] {
        let (line, _, message) = problem_of(&result, name);
        assert!(
            message.contains("nesting") || message.contains("recursion limit"),
            "{name}: {message}"
        );
        assert!(line >= 1, "{name}");
    }
    assert!(has_ssh_finding(&result, "ok.tf"));
}

#[test]
fn deep_terraform_json_tfvars_and_plan_nesting_is_refused() {
    let lists = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let tf_json = format!("{{\"locals\": {{\"a\": {lists}}}}}");
    let plan = format!("{{\"format_version\": \"1.2\", \"planned_values\": {lists}}}");
    let tfvars = format!("a = {}1{}\n", "{b = ".repeat(10_000), "}".repeat(10_000));
    let dir = project(
        "json-nesting",
        &[
            ("x.tf.json", tf_json.as_bytes()),
            ("plan.json", plan.as_bytes()),
            ("terraform.tfvars", tfvars.as_bytes()),
        ],
    );
    let result = scan(&dir);
    for name in ["x.tf.json", "plan.json", "terraform.tfvars"] {
        let (line, _, message) = problem_of(&result, name);
        assert!(message.contains("nesting depth"), "{name}: {message}");
        assert_eq!(line, 1, "{name}");
    }
}

#[test]
fn deep_hcl_nesting_is_refused_without_overflowing_the_stack() {
    let depth = 100_000;
    let cases = [
        (
            "lists.tf",
            format!("a = {}{}\n", "[".repeat(depth), "]".repeat(depth)),
        ),
        (
            "parens.tf",
            format!("a = {}1{}\n", "(".repeat(depth), ")".repeat(depth)),
        ),
        ("unary.tf", format!("a = {}1\n", "-".repeat(depth))),
        (
            "objects.tf",
            format!("a = {}1{}\n", "{a=".repeat(depth), "}".repeat(depth)),
        ),
        (
            "blocks.tf",
            format!("{}{}", "a {\n".repeat(20_000), "}\n".repeat(20_000)),
        ),
        (
            "templates.tf",
            format!(
                "a = \"{}x{}\"\n",
                "${\"".repeat(20_000),
                "\"}".repeat(20_000)
            ),
        ),
        ("binary.tf", format!("a = 1{}\n", " + 1".repeat(depth))),
    ];
    let files: Vec<(&str, &[u8])> = cases
        .iter()
        .map(|(name, text)| (*name, text.as_bytes()))
        .collect();
    let dir = project("hcl-nesting", &files);
    std::fs::create_dir_all(dir.join("ok")).unwrap();
    std::fs::write(dir.join("ok/main.tf"), SSH_OPEN).unwrap();
    let result = scan(&dir);
    for (name, _) in &cases {
        let (_, _, message) = problem_of(&result, name);
        assert!(
            message.contains("nesting depth") || message.contains("chained binary operators"),
            "{name}: {message}"
        );
    }
    assert!(has_ssh_finding(&result, "main.tf"));
}

#[test]
fn module_depth_is_limited_and_the_shallow_modules_still_analysed() {
    let mut files = Vec::new();
    for level in 0..20 {
        let mut text = String::new();
        if level < 19 {
            text.push_str(&format!(
                "module \"next\" {{\n  source = \"../m{}\"\n}}\n",
                level + 1
            ));
        }
        text.push_str(SSH_OPEN);
        files.push((format!("m{level}/main.tf"), text));
    }
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_bytes()))
        .collect();
    let dir = project("module-depth", &files);
    let result = scan(&dir);
    let all = problems(&result);
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(
        all[0].3.contains("modules nested more than 12 deep"),
        "{all:?}"
    );
    let ssh = findings(&result)
        .iter()
        .filter(|(_, _, _, code)| *code == "SG002")
        .count();
    assert_eq!(ssh, 13, "the root and the twelve modules below it");
}

#[test]
fn huge_count_is_capped_and_reported_at_the_count() {
    // Port 443 is not sensitive: what is tested is the count limit, not the checks
    // (regressions.rs times them on port 22).
    let text = r#"resource "aws_security_group" "web" {
  count = 1e9
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;
    let dir = project("count", &[("main.tf", text.as_bytes())]);
    let result = scan(&dir);
    let (line, column, message) = problem_of(&result, "main.tf");
    assert_eq!((line, column), (2, 11));
    assert!(message.contains("count above 10000"), "{message}");
}

#[test]
fn string_growth_from_templates_and_format_is_capped() {
    let mut text = String::from("locals {\n  s0 = \"0123456789abcdef0123456789abcdef\"\n");
    for level in 1..8 {
        let parts = format!("${{local.s{}}}", level - 1).repeat(8);
        text.push_str(&format!("  s{level} = \"{parts}\"\n"));
    }
    text.push_str("  padded = format(\"%01000000000d\", 1)\n}\n");
    text.push_str(
        r#"resource "aws_security_group" "web" {
  description = "${local.s7}${local.padded}"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#,
    );
    let dir = project("strings", &[("main.tf", text.as_bytes())]);
    let result = scan(&dir);
    // s5 is exactly 1 MiB; s6, eight times that, is where the limit is reached.
    let (line, column, message) = problem_of(&result, "main.tf");
    assert_eq!((line, column), (8, 8));
    assert!(
        message.contains("a string longer than 1048576 bytes"),
        "{message}"
    );
    // The group itself does not depend on the strings and is still judged.
    assert!(
        findings(&result)
            .iter()
            .any(|(_, line, _, code)| *code == "SG002" && *line == 18)
    );
}

#[test]
fn findings_per_file_are_capped_and_the_rest_summarised() {
    let over = portcullis_engine::MAX_FINDINGS_PER_FILE + 25;
    let text: String = (0..over)
        .map(|index| SSH_OPEN.replace("\"web\"", &format!("\"web{index}\"")))
        .collect();
    let dir = project(
        "findings-cap",
        &[
            ("many.tf", text.as_bytes()),
            ("small/ok.tf", SSH_OPEN.as_bytes()),
        ],
    );
    let result = scan(&dir);
    let per_file = |name: &str| {
        findings(&result)
            .iter()
            .filter(|(file, ..)| file == name)
            .count()
    };
    assert_eq!(
        per_file("many.tf"),
        portcullis_engine::MAX_FINDINGS_PER_FILE
    );
    assert_eq!(per_file("ok.tf"), 1);
    let (line, _, message) = problem_of(&result, "many.tf");
    assert!(message.starts_with("25 more findings"), "{message}");
    // At the first finding left out: the 1001st group.
    assert_eq!(
        line as usize,
        portcullis_engine::MAX_FINDINGS_PER_FILE * 8 + 6
    );
}

// ---------------------------------------------------------------------------------------------
// Files.

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    std::iter::once(0xFEFF)
        .chain(text.encode_utf16())
        .flat_map(|unit| {
            if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            }
        })
        .collect()
}

#[test]
fn utf16_files_with_a_byte_order_mark_are_decoded() {
    let template = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Web:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: 0.0.0.0/0\n";
    let crlf = SSH_OPEN.replace('\n', "\r\n");
    let dir = project(
        "utf16",
        &[
            ("le.tf", &utf16(SSH_OPEN, false)),
            ("be.tf", &utf16(&crlf, true)),
            ("template.yaml", &utf16(template, false)),
            ("odd.tf", &[0xFF, 0xFE, b'a']),
            ("surrogate.tf", &[0xFF, 0xFE, 0x00, 0xD8, b'a', 0]),
        ],
    );
    let result = scan(&dir);
    assert!(has_ssh_finding(&result, "le.tf"), "{:?}", findings(&result));
    assert!(has_ssh_finding(&result, "be.tf"), "{:?}", findings(&result));
    assert!(
        findings(&result).contains(&("template.yaml".to_owned(), 11, 19, "SG002")),
        "{:?}",
        findings(&result)
    );
    assert!(
        problem_of(&result, "odd.tf")
            .2
            .contains("odd number of bytes")
    );
    assert!(
        problem_of(&result, "surrogate.tf")
            .2
            .contains("not valid UTF-16")
    );
}

#[test]
fn invalid_utf8_is_reported_with_its_position() {
    let mut latin1 = SSH_OPEN.as_bytes().to_vec();
    // "web" becomes "wéb" in Latin-1 on line 1.
    let at = SSH_OPEN.find("web").unwrap() + 1;
    latin1[at] = 0xE9;
    let dir = project(
        "latin1",
        &[("latin1.tf", &latin1), ("ok.tf", SSH_OPEN.as_bytes())],
    );
    let result = scan(&dir);
    let (line, column, message) = problem_of(&result, "latin1.tf");
    assert!(
        message.contains(&format!(
            "byte 0xe9 at line 1, column {}, offset {at}",
            at + 1
        )),
        "{message}"
    );
    // The problem itself sits on that byte, for every format and for the editor.
    assert_eq!((line, column), (1, u32::try_from(at + 1).unwrap()));
    assert!(has_ssh_finding(&result, "ok.tf"));
}

#[test]
fn utf8_bom_and_crlf_keep_lines_and_columns() {
    let bom_crlf = format!("\u{feff}{}", SSH_OPEN.replace('\n', "\r\n"));
    // A BOM and a non-ASCII comment before the value: columns count characters.
    let wide = SSH_OPEN.replace("    cidr_blocks", "    /* é😀 */ cidr_blocks");
    let dir = project(
        "bom-crlf",
        &[
            ("bom_crlf.tf", bom_crlf.as_bytes()),
            ("wide.tf", wide.as_bytes()),
        ],
    );
    let result = scan(&dir);
    assert!(
        has_ssh_finding(&result, "bom_crlf.tf"),
        "{:?}",
        findings(&result)
    );
    assert!(
        findings(&result).contains(&("wide.tf".to_owned(), 6, 29, "SG002")),
        "{:?}",
        findings(&result)
    );
    let wide_finding = result
        .findings
        .iter()
        .find(|finding| file_name(&result.sources.path(finding.span.file)) == "wide.tf")
        .unwrap();
    let location = result
        .sources
        .location(wide_finding.span.file, wide_finding.span.start);
    assert_eq!(location.utf16_column, 30, "the emoji is two UTF-16 units");
    assert!(result.problems.is_empty(), "{:?}", problems(&result));
}

#[test]
fn empty_files_are_scanned_quietly() {
    let dir = project(
        "empty",
        &[
            ("main.tf", b""),
            ("terraform.tfvars", b""),
            ("x.tf.json", b""),
            ("template.yaml", b""),
            ("template.json", b""),
            ("only-bom.tf", "\u{feff}".as_bytes()),
        ],
    );
    let result = scan(&dir);
    assert!(result.findings.is_empty());
    // An empty .tf.json is not a JSON document: reported, not skipped.
    let all = problems(&result);
    assert!(all.iter().all(|(file, ..)| file == "x.tf.json"), "{all:?}");
}

#[test]
fn binary_files_with_iac_extensions_are_reported() {
    let binary: Vec<u8> = (0..4096u32)
        .map(|index| u8::try_from(index * 7919 % 251).unwrap())
        .collect();
    let nul_text = b"resource \0\0\0 \"x\" {\n\x01\x02\x7f}\n";
    let dir = project(
        "binary",
        &[
            ("blob.tf", &binary),
            ("blob.tf.json", &binary),
            ("nul.tf", nul_text),
            ("blob.yaml", &binary),
            ("ok.tf", SSH_OPEN.as_bytes()),
        ],
    );
    let result = scan(&dir);
    for name in ["blob.tf", "blob.tf.json", "blob.yaml"] {
        let (_, _, message) = problem_of(&result, name);
        assert!(message.contains("not valid UTF-8"), "{name}: {message}");
    }
    // Valid UTF-8 with control characters reaches the parser, which reports it.
    let (line, _, _) = problem_of(&result, "nul.tf");
    assert_eq!(line, 1);
    assert!(has_ssh_finding(&result, "ok.tf"));
}

/// Whether permissions deny reads here (they do not for root, which CI runs as).
fn permissions_deny_reads(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    let probe = dir.join("probe");
    std::fs::write(&probe, "x").unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).unwrap();
    let denied = std::fs::read(&probe).is_err();
    std::fs::remove_file(&probe).unwrap();
    denied
}

#[test]
fn unreadable_files_and_directories_are_reported() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = project(
        "unreadable",
        &[
            ("secret.tf", SSH_OPEN.as_bytes()),
            ("closed/main.tf", SSH_OPEN.as_bytes()),
            ("ok.tf", SSH_OPEN.as_bytes()),
        ],
    );
    let denied = permissions_deny_reads(&dir);
    let none = std::fs::Permissions::from_mode(0o000);
    std::fs::set_permissions(dir.join("secret.tf"), none.clone()).unwrap();
    std::fs::set_permissions(dir.join("closed"), none).unwrap();
    let result = scan(&dir);
    let open = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(dir.join("closed"), open.clone()).unwrap();
    std::fs::set_permissions(dir.join("secret.tf"), open).unwrap();
    assert!(has_ssh_finding(&result, "ok.tf"));
    if denied {
        let (_, _, message) = problem_of(&result, "secret.tf");
        assert!(message.contains("ermission denied"), "{message}");
        assert_eq!(result.walk_errors.len(), 1, "{:?}", result.walk_errors);
        assert!(result.walk_errors[0].contains("closed"));
        assert_eq!(result.exit_code(portcullis_diagnostics::Severity::High), 2);
    } else {
        // Running as root: everything is readable and analysed.
        assert!(has_ssh_finding(&result, "secret.tf"));
        assert!(has_ssh_finding(&result, "main.tf"));
    }
}

#[test]
fn symlink_loops_end_and_are_reported() {
    use std::os::unix::fs::symlink;
    let dir = project("loops", &[("sub/ok.tf", SSH_OPEN.as_bytes())]);
    symlink("..", dir.join("sub/up")).unwrap();
    symlink(".", dir.join("sub/self")).unwrap();
    symlink("b.tf", dir.join("a.tf")).unwrap();
    symlink("a.tf", dir.join("b.tf")).unwrap();
    let result = scan(&dir);
    // The looping directory links are not walked into: one finding, not one per path.
    assert_eq!(findings(&result).len(), 1, "{:?}", findings(&result));
    assert!(has_ssh_finding(&result, "ok.tf"));
    for name in ["a.tf", "b.tf"] {
        let (_, _, message) = problem_of(&result, name);
        assert!(message.contains("broken symbolic link"), "{message}");
    }
}

#[test]
fn symlinks_leaving_the_scan_root_are_not_followed() {
    use std::os::unix::fs::symlink;
    let base = project(
        "links",
        &[
            ("outside/secret.tf", SSH_OPEN.as_bytes()),
            ("root/real/main.tf", SSH_OPEN.as_bytes()),
            (
                "root/caller/main.tf",
                b"module \"x\" {\n  source = \"../../outside\"\n}\n",
            ),
        ],
    );
    let root = base.join("root");
    symlink("../outside/secret.tf", root.join("leak.tf")).unwrap();
    symlink("/etc/passwd", root.join("passwd.tf")).unwrap();
    symlink("../outside", root.join("dirlink")).unwrap();
    symlink("real/main.tf", root.join("alias.tf")).unwrap();
    let mut options = ScanOptions::new(vec![root.clone()]);
    // As the CLI and the language server set it (`ScanOptions::new` leaves it empty).
    options.terraform.scan_roots = vec![root.clone()];
    let result = portcullis_engine::run(options).unwrap();
    let read: Vec<String> = result
        .sources
        .files()
        .iter()
        .filter(|file| !file.text.is_empty())
        .map(|file| file.path.clone())
        .collect();
    assert!(
        read.iter()
            .all(|path| !path.contains("outside") && !path.contains("dirlink")),
        "{read:?}"
    );
    for name in ["leak.tf", "passwd.tf"] {
        let (_, _, message) = problem_of(&result, name);
        assert!(message.contains("outside the scanned paths"), "{message}");
    }
    // A link that stays inside the scanned directory is a file like any other.
    assert!(has_ssh_finding(&result, "alias.tf"));
    assert!(has_ssh_finding(&result, "main.tf"));
}

#[test]
fn very_long_lines_keep_positions() {
    // Under the evaluator's 10,000-item list limit, so that the value stays known.
    let filler: String = (0..9_000)
        .map(|index| format!("\"10.{}.{}.0/24\", ", index / 256 % 256, index % 256))
        .collect();
    let long = SSH_OPEN.replace(
        "cidr_blocks = [\"0.0.0.0/0\"]",
        &format!("cidr_blocks = [{filler}\"0.0.0.0/0\"]"),
    );
    let comment = format!("# {}\n{SSH_OPEN}", "x".repeat(5 << 20));
    let dir = project(
        "long-lines",
        &[
            ("long.tf", long.as_bytes()),
            ("comment.tf", comment.as_bytes()),
        ],
    );
    let result = scan(&dir);
    let column = u32::try_from("    cidr_blocks = [".len() + filler.len() + 1).unwrap();
    assert!(
        findings(&result).contains(&("long.tf".to_owned(), 6, column, "SG002")),
        "{:?}",
        findings(&result)
    );
    assert!(
        findings(&result).contains(&("comment.tf".to_owned(), 7, 20, "SG002")),
        "{:?}",
        findings(&result)
    );
    let text = portcullis_report::render_text(
        &result.outcome(),
        portcullis_report::TextOptions::default(),
    );
    assert!(
        text.contains("2 findings"),
        "{}",
        &text[text.len().saturating_sub(300)..]
    );
}

#[test]
fn files_vanishing_during_the_scan_are_reported() {
    use std::os::unix::fs::symlink;
    // Deterministic: the walk finds the entry, the read finds nothing.
    let dir = project("vanish", &[("ok.tf", SSH_OPEN.as_bytes())]);
    symlink("gone.tf", dir.join("dangling.tf")).unwrap();
    let result = scan(&dir);
    assert!(
        problem_of(&result, "dangling.tf")
            .2
            .contains("broken symbolic link")
    );
    assert!(has_ssh_finding(&result, "ok.tf"));

    // Racing: files appear and disappear (atomically, by rename) while scans run.
    let churn = project("churn", &[("ok.tf", SSH_OPEN.as_bytes())]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (churn, stop) = (churn.clone(), std::sync::Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut round = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let name = churn.join(format!("f{}.tf", round % 50));
                let temporary = churn.join("next.tmp");
                if round.is_multiple_of(2) {
                    std::fs::write(&temporary, SSH_OPEN).unwrap();
                    std::fs::rename(&temporary, &name).unwrap();
                } else {
                    let _ = std::fs::remove_file(churn.join(format!("f{}.tf", (round + 25) % 50)));
                }
                round += 1;
            }
        })
    };
    for _ in 0..20 {
        let result = scan(&churn);
        assert!(has_ssh_finding(&result, "ok.tf"));
        for (file, _, _, message) in problems(&result) {
            assert!(message.starts_with("cannot read file"), "{file}: {message}");
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
}

// ---------------------------------------------------------------------------------------------
// Security.

/// Items of `std::net` that are only address types, not sockets.
const ADDRESS_TYPES: &[&str] = &["IpAddr", "Ipv4Addr", "Ipv6Addr", "AddrParseError"];
/// Items of `std::process` that neither start nor talk to another process.
const PROCESS_SAFE: &[&str] = &["ExitCode", "exit", "abort", "id"];
const NETWORK_WORDS: &[&str] = &[
    "TcpStream",
    "TcpListener",
    "UdpSocket",
    "UnixStream",
    "UnixListener",
    "ToSocketAddrs",
    "reqwest",
    "hyper",
    "ureq",
    "tokio::net",
    "std::os::unix::net",
];
const PROCESS_WORDS: &[&str] = &["tokio::process", "std::os::unix::process"];
/// The one crate that may use the network: it downloads remote modules, only when the user
/// asks (issue 16). It may not start processes either.
const DOWNLOADER: &str = "portcullis-fetch";

/// The items named after each `prefix` (`std::net::IpAddr`, `std::net::{IpAddr, Ipv4Addr}`).
fn items_after(source: &str, prefix: &str) -> Vec<String> {
    let mut items = Vec::new();
    for (at, _) in source.match_indices(prefix) {
        let rest = &source[at + prefix.len()..];
        let group = if rest.starts_with('{') {
            &rest[1..rest.find('}').unwrap_or(rest.len())]
        } else {
            rest
        };
        let take_all = rest.starts_with('{');
        for item in group.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if !item.is_empty() {
                items.push(item.to_owned());
            }
            if !take_all && !item.is_empty() {
                break;
            }
        }
    }
    items
}

fn is_word_at(source: &str, at: usize, word: &str) -> bool {
    let before = source[..at].chars().next_back();
    let after = source[at + word.len()..].chars().next();
    let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    boundary(before) && boundary(after)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.map(Result::unwrap) {
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            // Test code may spawn the binary (and the LSP server) it tests.
            if path.file_name().is_some_and(|name| name == "tests") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            out.push(path);
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

#[test]
fn no_network_or_process_api_outside_tests() {
    let mut files = Vec::new();
    rust_files(&workspace_root().join("crates"), &mut files);
    rust_files(&workspace_root().join("src"), &mut files);
    assert!(files.len() > 20, "the crate sources were found: {files:?}");
    let mut offences = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests sit at the end of a file, after `#[cfg(test)]`.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let downloader = path.starts_with(workspace_root().join("crates").join(DOWNLOADER));
        let network: &[&str] = if downloader { &[] } else { NETWORK_WORDS };
        let mut found: Vec<String> = network
            .iter()
            .chain(PROCESS_WORDS)
            .filter(|word| {
                code.match_indices(*word)
                    .any(|(at, _)| is_word_at(code, at, word))
            })
            .map(|word| (*word).to_owned())
            .collect();
        found.extend(
            items_after(code, "std::net::")
                .into_iter()
                .filter(|item| !downloader && !ADDRESS_TYPES.contains(&item.as_str()))
                .map(|item| format!("std::net::{item}")),
        );
        found.extend(
            items_after(code, "std::process::")
                .into_iter()
                .filter(|item| !PROCESS_SAFE.contains(&item.as_str()))
                .map(|item| format!("std::process::{item}")),
        );
        if !found.is_empty() {
            offences.push(format!("{}: {}", path.display(), found.join(", ")));
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}

/// hcl-edit's parser has panicked on hostile input before: every call goes through the guarded
/// reader, which turns a panic into a syntax error for that text.
#[test]
fn the_hcl_parser_is_called_only_through_the_guarded_reader() {
    let mut files = Vec::new();
    rust_files(&workspace_root().join("crates"), &mut files);
    let reader = workspace_root().join("crates/portcullis-terraform-core/src/hcl.rs");
    assert!(files.contains(&reader), "the reader was found");
    let unguarded: Vec<String> = files
        .iter()
        .filter(|path| **path != reader)
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            text.split("#[cfg(test)]")
                .next()
                .unwrap_or_default()
                .contains("hcl_edit::parser")
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(unguarded.is_empty(), "{unguarded:#?}");
}

#[test]
fn the_checker_itself_sees_what_it_forbids() {
    let code = "use std::net::{IpAddr, TcpStream};\nuse std::process::Command;\nfn f() { std::process::exit(1) }";
    assert_eq!(items_after(code, "std::net::"), ["IpAddr", "TcpStream"]);
    assert_eq!(items_after(code, "std::process::"), ["Command", "exit"]);
    assert!(is_word_at("a TcpStream b", 2, "TcpStream"));
    assert!(!is_word_at("MyTcpStreamer", 2, "TcpStream"));
}

/// Reads `Cargo.lock`, which lists every package of every platform, so that the check needs no
/// cargo cache: `cargo metadata --offline` fails on a fresh machine for crates of other platforms.
/// Network crates may be reached only through the downloader, and only the engine, which turns it
/// on when the user asks, depends on it.
#[test]
fn network_crates_are_reached_only_through_the_downloader() {
    let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock")).unwrap();
    let mut dependencies: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for package in lock.split("[[package]]").skip(1) {
        let lines = package.lines().map(str::trim);
        let Some(name) = lines
            .clone()
            .find_map(|line| line.strip_prefix("name = \""))
            .and_then(|rest| rest.strip_suffix('"'))
        else {
            continue;
        };
        let listed = lines
            .skip_while(|line| *line != "dependencies = [")
            .skip(1)
            .take_while(|line| *line != "]")
            .filter_map(|line| {
                line.trim_matches(|c| c == '"' || c == ',')
                    .split(' ')
                    .next()
            });
        dependencies.entry(name).or_default().extend(listed);
    }
    assert!(dependencies.len() > 20, "the dependency tree was listed");
    assert!(
        dependencies.contains_key("hcl-edit"),
        "the lock file was read"
    );
    assert!(
        dependencies[DOWNLOADER].contains(&"ureq"),
        "the downloader's dependencies were read"
    );
    let network = [
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "curl-sys",
        "native-tls",
        "rustls",
        "openssl",
        "openssl-sys",
    ];
    // Everything the workspace reaches without going through the downloader.
    let mut reached: BTreeSet<&str> = BTreeSet::new();
    let mut pending: Vec<&str> = dependencies
        .keys()
        .copied()
        .filter(|name| name.starts_with("portcullis") && *name != DOWNLOADER)
        .collect();
    while let Some(name) = pending.pop() {
        if name == DOWNLOADER || !reached.insert(name) {
            continue;
        }
        pending.extend(dependencies.get(name).into_iter().flatten());
    }
    let found: Vec<&&str> = network
        .iter()
        .filter(|name| reached.contains(**name))
        .collect();
    assert!(
        found.is_empty(),
        "network crates outside the downloader: {found:?}"
    );
    let dependents: Vec<&str> = dependencies
        .iter()
        .filter(|(_, listed)| listed.contains(&DOWNLOADER))
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(dependents, ["portcullis-engine"]);
}

#[test]
fn escape_sequences_from_scanned_files_never_reach_the_terminal() {
    // On the line of the finding, so that the excerpt shows it.
    let hostile = SSH_OPEN.replace(
        "[\"0.0.0.0/0\"]",
        "[\"0.0.0.0/0\"] # \x1b[2J\x1b]0;owned\x07",
    );
    let broken = "resource \"x\" \"y\" {\n  a = \"\x1b[2J\"\n  b = \n}\n";
    let dir = project(
        "ansi",
        &[
            ("hostile.tf", hostile.as_bytes()),
            ("broken.tf", broken.as_bytes()),
            ("\x1b[31mred.tf", SSH_OPEN.as_bytes()),
        ],
    );
    let result = scan(&dir);
    assert_eq!(result.findings.len(), 2);
    assert_eq!(result.problems.len(), 1);
    let text = portcullis_report::render_text(
        &result.outcome(),
        portcullis_report::TextOptions {
            color: false,
            show_suppressed: true,
        },
    );
    assert!(!text.contains('\x1b'), "{text}");
    assert!(!text.contains('\x07'), "{text}");
    assert!(
        text.contains("?[2J"),
        "the excerpt is shown, neutralised: {text}"
    );
    // With colour on, the only escapes are the renderer's own styles.
    let output = portcullis(&["scan", ".", "--color", "always"], &dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !stdout.contains("\x1b[2J")
            && !stdout.contains("\x1b]0;")
            && !stdout.contains("\x1b[31mred")
    );
}

#[test]
fn json_and_sarif_stay_valid_with_hostile_names_and_messages() {
    let dir = project("names", &[("we\"ird\nname.tf", SSH_OPEN.as_bytes())]);
    let invalid = std::ffi::OsStr::from_bytes(b"bad\xff\xfename.tf");
    std::fs::write(dir.join(invalid), SSH_OPEN).unwrap();
    std::fs::write(dir.join("broken \"\n.tf"), "a = \"\u{7}\n").unwrap();
    for format in ["json", "sarif"] {
        let output = portcullis(&["scan", ".", "--format", format], &dir);
        assert_eq!(output.status.code(), Some(2), "{format}");
        let document = parse_json(&output.stdout);
        let text = document.to_string();
        let names: Vec<&str> = if format == "json" {
            document["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|finding| finding["file"].as_str().unwrap())
                .collect()
        } else {
            document["runs"][0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|result| {
                    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap()
                })
                .collect()
        };
        let expected: &[&str] = if format == "json" {
            &["bad\u{fffd}\u{fffd}name.tf", "we\"ird\nname.tf"]
        } else {
            &["bad%EF%BF%BD%EF%BF%BDname.tf", "we%22ird%0Aname.tf"]
        };
        assert_eq!(names, expected, "{format}: {text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Determinism.

fn realworld() -> Option<PathBuf> {
    let corpus = workspace_root().join("../shared/corpus/realworld");
    corpus.is_dir().then_some(corpus)
}

#[test]
fn output_is_identical_with_one_and_two_threads() {
    let Some(corpus) = realworld() else {
        return;
    };
    let repos = [
        "bridgecrewio+terragoat",
        "cloudposse+terraform-aws-security-group",
        "awslabs+aws-solutions-constructs",
    ];
    let out = project("threads", &[]);
    let mut runs = Vec::new();
    for threads in ["1", "2"] {
        let json = out.join(format!("{threads}.json"));
        let sarif = out.join(format!("{threads}.sarif"));
        let mut args = vec!["scan".to_owned()];
        args.extend(repos.iter().map(|repo| (*repo).to_owned()));
        args.extend([
            "--threads".to_owned(),
            threads.to_owned(),
            "--no-config".to_owned(),
            "-o".to_owned(),
            format!("json={}", json.display()),
            "-o".to_owned(),
            format!("sarif={}", sarif.display()),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = portcullis(&args, &corpus);
        assert!(
            matches!(output.status.code(), Some(0..=2)),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        runs.push((std::fs::read(json).unwrap(), std::fs::read(sarif).unwrap()));
    }
    let findings = parse_json(&runs[0].0)["summary"]["findings"]
        .as_u64()
        .unwrap();
    assert!(findings > 10, "the corpus yields findings: {findings}");
    assert!(
        runs[0].0 == runs[1].0,
        "JSON differs between 1 and 2 threads"
    );
    assert!(
        runs[0].1 == runs[1].1,
        "SARIF differs between 1 and 2 threads"
    );
}

#[test]
fn output_does_not_depend_on_directory_listing_order() {
    let names: Vec<String> = (0..40).map(|index| format!("f{index:02}.tf")).collect();
    let text = |index: usize| SSH_OPEN.replace("\"web\"", &format!("\"web{index}\""));
    // The same files created in opposite orders, so that directory listings differ.
    let base = project("order", &[]);
    for (dir, reverse) in [("a", false), ("b", true)] {
        let dir = base.join(dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let mut order: Vec<usize> = (0..names.len()).collect();
        if reverse {
            order.reverse();
        }
        for index in order {
            let sub = if index % 3 == 0 { "sub/" } else { "" };
            std::fs::write(dir.join(format!("{sub}{}", names[index])), text(index)).unwrap();
        }
    }
    // SARIF names the working directory as its source root: the one difference allowed.
    let run = |dir: &str, args: &[&str]| {
        let mut all = vec!["scan", "--no-config"];
        all.extend(args);
        let stdout = portcullis(&all, &base.join(dir)).stdout;
        let root = format!("{}/", base.join(dir).display());
        String::from_utf8(stdout).unwrap().replace(&root, "ROOT/")
    };
    for format in ["json", "sarif"] {
        let a = run("a", &[".", "--format", format]);
        let b = run("b", &[".", "--format", format]);
        assert!(a == b, "{format} differs with the listing order");
        // Paths given in either order scan the same files.
        let forward = run("a", &["sub", ".", "--format", format]);
        let backward = run("a", &[".", "sub", "--format", format]);
        assert!(
            forward == backward,
            "{format} differs with the argument order"
        );
    }
}
