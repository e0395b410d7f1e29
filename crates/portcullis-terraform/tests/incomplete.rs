//! Rules and NACL entries that the AWS provider would reject are kept: the missing or invalid
//! attribute is unknown with a reason naming it, and the unit has a problem saying how the
//! statement is analysed. A value that is only unknown is no problem.

mod common;
use common::*;

use portcullis_ir::{SourceMap, Span, Unit, Value};

fn reason<T>(value: &Value<T>) -> &str {
    value.unknown_reason().unwrap_or("(known)")
}

/// Each problem as `LINE message`.
fn problems(sources: &SourceMap, unit: &Unit) -> Vec<String> {
    unit.problems
        .iter()
        .map(|problem| format!("{} {}", line(sources, problem.span), problem.message))
        .collect()
}

fn at(sources: &SourceMap, span: Span) -> (u32, String) {
    (line(sources, span), text(sources, span))
}

#[test]
fn missing_attributes_of_rules_are_unknown_at_the_block_and_reported() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"resource "aws_security_group" "web" {
  ingress {
    protocol    = "tcp"
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
  dynamic "egress" {
    for_each = [1]
    content {
      from_port = 0
      to_port   = 0
    }
  }
}
resource "aws_security_group_rule" "r" {
  type              = "ingress"
  security_group_id = "sg-1"
  protocol          = "tcp"
  from_port         = 22
}
resource "aws_vpc_security_group_ingress_rule" "tcp" {
  security_group_id = "sg-1"
  ip_protocol       = "udp"
  to_port           = 53
}
resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = "sg-1"
  ip_protocol       = "-1"
}
"#,
    )]);
    let inline = rule(&unit, "aws_security_group.web.ingress[0]");
    let from = inline.from_port.as_ref().unwrap();
    assert_eq!(
        reason(from),
        "`from_port` is missing (the AWS provider requires it)"
    );
    assert_eq!(line(&sources, from.span()), 2);
    assert_eq!(ports(inline), (None, Some(22)));

    let dynamic = rule(&unit, "aws_security_group.web.egress[0]");
    assert_eq!(
        reason(&dynamic.protocol),
        "`protocol` is missing (the AWS provider requires it)"
    );
    assert_eq!(line(&sources, dynamic.protocol.span()), 9);

    let standalone = rule(&unit, "aws_security_group_rule.r");
    let to = standalone.to_port.as_ref().unwrap();
    assert_eq!(
        reason(to),
        "`to_port` is missing (the AWS provider requires it)"
    );
    assert_eq!(line(&sources, to.span()), 15);

    let vpc = rule(&unit, "aws_vpc_security_group_ingress_rule.tcp");
    assert_eq!(
        reason(vpc.from_port.as_ref().unwrap()),
        "`from_port` is missing (the AWS provider requires it with ip_protocol udp)"
    );
    assert_eq!(ports(vpc), (None, Some(53)));

    // Ports are optional for every protocol.
    let all = rule(&unit, "aws_vpc_security_group_egress_rule.all");
    assert!(all.from_port.is_none() && all.to_port.is_none());

    assert_eq!(
        problems(&sources, &unit),
        vec![
            "2 aws_security_group.web ingress: `from_port` is missing (the AWS provider requires it); analysed as any port",
            "9 aws_security_group.web egress: `protocol` is missing (the AWS provider requires it); analysed as any protocol",
            "15 aws_security_group_rule.r: `to_port` is missing (the AWS provider requires it); analysed as any port",
            "21 aws_vpc_security_group_ingress_rule.tcp: `from_port` is missing (the AWS provider requires it with ip_protocol udp); analysed as any port",
        ]
    );
}

#[test]
fn values_of_the_wrong_type_are_unknown_at_the_attribute_and_reported() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"resource "aws_vpc_security_group_ingress_rule" "list" {
  security_group_id = "sg-1"
  ip_protocol       = "-1"
  cidr_ipv4         = ["0.0.0.0/0"]
}
resource "aws_security_group" "web" {
  ingress = [{
    protocol    = "tcp"
    from_port   = "ssh"
    to_port     = 22
    cidr_blocks = "0.0.0.0/0"
  }]
}
"#,
    )]);
    let list = rule(&unit, "aws_vpc_security_group_ingress_rule.list");
    assert_eq!(
        peers(list),
        vec!["?`cidr_ipv4` takes one CIDR string, not a list"]
    );
    assert_eq!(
        at(&sources, list.peers[0].span()),
        (4, r#"["0.0.0.0/0"]"#.to_owned())
    );

    let object = rule(&unit, "aws_security_group.web.ingress[0]");
    assert_eq!(
        peers(object),
        vec!["?`cidr_blocks` takes a list of CIDR strings, not a string"]
    );
    let from = object.from_port.as_ref().unwrap();
    assert_eq!(
        reason(from),
        "`from_port` is not a whole number: `ssh` is not a number"
    );
    assert_eq!(at(&sources, from.span()), (9, r#""ssh""#.to_owned()));

    assert_eq!(
        problems(&sources, &unit),
        vec![
            "4 aws_vpc_security_group_ingress_rule.list: `cidr_ipv4` takes one CIDR string, not a list; analysed as an unknown CIDR",
            "9 aws_security_group.web ingress: `from_port` is not a whole number: `ssh` is not a number; analysed as any port",
            "11 aws_security_group.web ingress: `cidr_blocks` takes a list of CIDR strings, not a string; analysed as an unknown CIDR",
        ]
    );
}

#[test]
fn incomplete_nacl_entries_are_kept_and_reported() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"resource "aws_network_acl" "main" {
  ingress {
    protocol   = "tcp"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    to_port    = 22
  }
}
resource "aws_network_acl_rule" "r" {
  protocol    = "-1"
  rule_action = "deny"
  cidr_block  = ["0.0.0.0/0"]
}
"#,
    )]);
    let entry = |id: &str| {
        unit.inventory
            .nacl_entries
            .iter()
            .find(|entry| entry.id == id)
            .unwrap()
    };
    let inline = entry("aws_network_acl.main.ingress[0]");
    assert_eq!(
        reason(&inline.rule_number),
        "`rule_no` is missing (the AWS provider requires it)"
    );
    assert_eq!(
        reason(inline.from_port.as_ref().unwrap()),
        "`from_port` is missing (the AWS provider requires it)"
    );
    assert_eq!(line(&sources, inline.rule_number.span()), 2);
    let standalone = entry("aws_network_acl_rule.r");
    assert_eq!(
        reason(&standalone.acl),
        "`network_acl_id` is missing (the AWS provider requires it)"
    );
    assert_eq!(
        reason(standalone.cidr.as_ref().unwrap()),
        "`cidr_block` takes one CIDR string, not a list"
    );
    assert_eq!(
        problems(&sources, &unit),
        vec![
            "2 aws_network_acl.main ingress: `rule_no` is missing (the AWS provider requires it); analysed as an unknown rule number",
            "2 aws_network_acl.main ingress: `from_port` is missing (the AWS provider requires it); analysed as any port",
            "9 aws_network_acl_rule.r: `network_acl_id` is missing (the AWS provider requires it); analysed as an entry of an unknown network ACL",
            "9 aws_network_acl_rule.r: `rule_number` is missing (the AWS provider requires it); analysed as an unknown rule number",
            "12 aws_network_acl_rule.r: `cidr_block` takes one CIDR string, not a list; analysed as an unknown CIDR",
        ]
    );
}

#[test]
fn values_that_are_only_unknown_are_no_problem() {
    let (_, unit) = one_unit(&[(
        "m/main.tf",
        r#"variable "port" {}
variable "rules" {}
resource "aws_vpc" "main" {}
resource "aws_security_group" "web" {
  ingress {
    protocol    = "tcp"
    from_port   = var.port
    to_port     = var.port
    cidr_blocks = var.rules
  }
  dynamic "egress" {
    for_each = var.rules
    content {
      protocol    = egress.value.protocol
      from_port   = egress.value.from_port
      to_port     = egress.value.to_port
      cidr_blocks = egress.value.cidr_blocks
    }
  }
  ingress = var.rules
}
resource "aws_security_group_rule" "r" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  protocol          = "tcp"
  from_port         = aws_vpc.main.port
  to_port           = 22
  cidr_blocks       = [var.port]
}
"#,
    )]);
    let unknown = rule(&unit, "aws_security_group.web.ingress[0]");
    assert_eq!(
        reason(unknown.from_port.as_ref().unwrap()),
        "var.port has no value"
    );
    assert_eq!(unit.problems, Vec::new());
}
