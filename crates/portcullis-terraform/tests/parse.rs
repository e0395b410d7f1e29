//! Parsing: spans, BOM, CRLF, broken files, Terraform's tolerance of duplicate object keys.

mod common;
use common::*;

const SSH: &str = r#"resource "aws_security_group" "web" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

#[test]
fn spans_point_at_the_block_the_labels_and_each_list_element() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"resource "aws_security_group" "web" {
  name = "web"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]
  }
}
"#,
    )]);
    let group = &unit.inventory.security_groups[0];
    assert_eq!(group.id, "aws_security_group.web");
    assert_eq!(
        text(&sources, group.name_span),
        r#""aws_security_group" "web""#
    );
    assert!(text(&sources, group.span).starts_with("resource"));
    assert!(text(&sources, group.span).ends_with('}'));
    let rule = rule(&unit, "aws_security_group.web.ingress[0]");
    assert!(text(&sources, rule.span).starts_with("ingress {"));
    assert_eq!(show(&rule.group), "aws_security_group.web");
    let spans: Vec<String> = rule
        .peers
        .iter()
        .map(|peer| text(&sources, peer.span()))
        .collect();
    assert_eq!(spans, vec![r#""10.0.0.0/8""#, r#""0.0.0.0/0""#]);
    assert_eq!(line(&sources, rule.peers[1].span()), 7);
    assert_eq!(show(&rule.protocol), "tcp");
    assert_eq!(ports(rule), (Some(22), Some(22)));
}

#[test]
fn a_bom_is_skipped_and_spans_stay_exact() {
    let text_with_bom = format!("\u{feff}{SSH}");
    let (sources, unit) = one_unit(&[("m/main.tf", &text_with_bom)]);
    assert!(unit.problems.is_empty(), "{:?}", unit.problems);
    let rule = rule(&unit, "aws_security_group.web.ingress[0]");
    assert_eq!(text(&sources, rule.peers[0].span()), r#""0.0.0.0/0""#);
    assert_eq!(line(&sources, rule.peers[0].span()), 6);
}

#[test]
fn crlf_line_endings_keep_lines_right() {
    let crlf = SSH.replace('\n', "\r\n");
    let (sources, unit) = one_unit(&[("m/main.tf", &crlf)]);
    let rule = rule(&unit, "aws_security_group.web.ingress[0]");
    assert_eq!(text(&sources, rule.peers[0].span()), r#""0.0.0.0/0""#);
    assert_eq!(line(&sources, rule.peers[0].span()), 6);
}

#[test]
fn a_broken_file_is_a_problem_at_the_error_and_other_files_go_on() {
    let (sources, unit) = one_unit(&[
        (
            "m/broken.tf",
            "resource \"aws_security_group\" \"x\" {\n  name = [\"a\",\n}\n",
        ),
        ("m/main.tf", SSH),
    ]);
    assert_eq!(unit.problems.len(), 1);
    let problem = &unit.problems[0];
    assert_eq!(sources.path(problem.span.file), "m/broken.tf");
    assert_eq!(
        sources.location(problem.span.file, problem.span.start).line,
        3
    );
    assert!(!problem.message.is_empty());
    assert_eq!(rule_ids(&unit), vec!["aws_security_group.web.ingress[0]"]);
}

#[test]
fn a_broken_json_file_is_a_problem_too() {
    let (sources, unit) = one_unit(&[
        ("m/main.tf.json", "{\n  \"resource\": {,\n}\n"),
        ("m/main.tf", SSH),
    ]);
    assert_eq!(unit.problems.len(), 1);
    assert_eq!(
        sources
            .location(unit.problems[0].span.file, unit.problems[0].span.start)
            .line,
        2
    );
    assert_eq!(unit.inventory.rules.len(), 1);
}

#[test]
fn a_broken_file_with_a_bom_reports_the_right_position() {
    let (sources, unit) = one_unit(&[("m/main.tf", "\u{feff}variable \"x\" {\n  default = [\n")]);
    let problem = &unit.problems[0];
    assert!(problem.span.start >= 3, "the span is shifted past the BOM");
    assert!(sources.location(problem.span.file, problem.span.start).line >= 2);
}

#[test]
fn duplicate_object_keys_are_accepted_and_the_later_wins() {
    // Terraform accepts a key given twice in an object constructor; hcl-edit does not.
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"locals {
  rule = {
    port = 80
    cidr = "0.0.0.0/0"
    port = 22
  }
}

resource "aws_security_group" "web" {
  ingress {
    protocol    = "tcp"
    from_port   = local.rule.port
    to_port     = local.rule.port
    cidr_blocks = [local.rule.cidr]
  }
}
"#,
    )]);
    assert!(unit.problems.is_empty(), "{:?}", unit.problems);
    let rule = rule(&unit, "aws_security_group.web.ingress[0]");
    assert_eq!(ports(rule), (Some(22), Some(22)));
    let from = rule.from_port.as_ref().unwrap();
    assert_eq!(text(&sources, from.span()), "local.rule.port");
}

#[test]
fn terraform_files_are_recognised_by_name() {
    use portcullis_terraform::is_terraform_file;
    use std::path::Path;
    for yes in [
        "main.tf",
        "a/b.tf.json",
        "terraform.tfvars",
        "x.auto.tfvars.json",
    ] {
        assert!(is_terraform_file(Path::new(yes)), "{yes}");
    }
    for no in [
        "main.tf.bak",
        "template.yaml",
        "tf",
        ".tf",
        "plan.json",
        "main.tfstate",
    ] {
        assert!(!is_terraform_file(Path::new(no)), "{no}");
    }
}
