//! `count`, `for_each` and `dynamic` blocks: addresses, bindings, assumptions.

mod common;
use common::*;

#[test]
fn count_expands_with_indexed_addresses_and_count_index() {
    let (_, unit) = one_unit(&[(
        "m/main.tf",
        r#"
variable "ports" { default = [22, 80, 443] }
resource "aws_security_group" "g" {
  count = 2
  name  = "g-${count.index}"
  ingress {
    protocol    = "tcp"
    from_port   = var.ports[count.index]
    to_port     = var.ports[count.index]
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group_rule" "extra" {
  type              = "ingress"
  protocol          = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_blocks       = ["10.0.0.0/8"]
  security_group_id = aws_security_group.g[1].id
}
"#,
    )]);
    let ids: Vec<&str> = unit
        .inventory
        .security_groups
        .iter()
        .map(|group| group.id.as_str())
        .collect();
    assert_eq!(
        ids,
        vec!["aws_security_group.g[0]", "aws_security_group.g[1]"]
    );
    assert_eq!(
        show(unit.inventory.security_groups[1].name.as_ref().unwrap()),
        "g-1"
    );
    assert_eq!(
        ports(rule(&unit, "aws_security_group.g[1].ingress[0]")),
        (Some(80), Some(80))
    );
    assert_eq!(
        show(&rule(&unit, "aws_security_group_rule.extra").group),
        "aws_security_group.g[1]"
    );
    assert!(
        unit.inventory
            .rules
            .iter()
            .all(|rule| rule.assumptions.is_empty())
    );
}

#[test]
fn count_zero_and_empty_for_each_create_nothing() {
    let (_, unit) = one_unit(&[(
        "m/main.tf",
        r#"
variable "enabled" { default = false }
resource "aws_security_group" "a" {
  count = var.enabled ? 1 : 0
  ingress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group_rule" "b" {
  for_each          = {}
  type              = "ingress"
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = "sg-123"
}
"#,
    )]);
    assert!(unit.inventory.security_groups.is_empty());
    assert!(unit.inventory.rules.is_empty());
}

#[test]
fn for_each_over_maps_and_sets_uses_keyed_addresses() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"
locals {
  rules = {
    ssh = { port = 22, cidr = "0.0.0.0/0" }
    db  = { port = 5432, cidr = "10.0.0.0/8" }
  }
}
resource "aws_security_group_rule" "r" {
  for_each          = local.rules
  type              = "ingress"
  protocol          = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_blocks       = [each.value.cidr]
  description       = each.key
  security_group_id = "sg-0123"
}
resource "aws_security_group_rule" "s" {
  for_each          = toset(["b", "a"])
  type              = "egress"
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["0.0.0.0/0"]
  description       = each.value
  security_group_id = "sg-0123"
}
"#,
    )]);
    assert_eq!(
        rule_ids(&unit),
        vec![
            r#"aws_security_group_rule.r["db"]"#,
            r#"aws_security_group_rule.r["ssh"]"#,
            r#"aws_security_group_rule.s["a"]"#,
            r#"aws_security_group_rule.s["b"]"#,
        ]
    );
    let ssh = rule(&unit, r#"aws_security_group_rule.r["ssh"]"#);
    assert_eq!(peers(ssh), vec!["0.0.0.0/0"]);
    assert_eq!(show(&ssh.group), "sg-0123");
    let peer = ssh.peers[0].span();
    assert_eq!(text(&sources, peer), "each.value.cidr");
    // The trace leads back to the map entry.
    let portcullis_ir::Peer::Cidr(value) = &ssh.peers[0] else {
        panic!()
    };
    assert!(
        value
            .via()
            .iter()
            .any(|trace| text(&sources, trace.span) == r#""0.0.0.0/0""#)
    );
}

#[test]
fn unknown_count_or_for_each_assumes_one_instance() {
    let (_, unit) = one_unit(&[(
        "m/main.tf",
        r#"
variable "n" {}
variable "m" {}
resource "aws_security_group" "a" {
  count = var.n
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group_rule" "b" {
  for_each          = var.m
  type              = "ingress"
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = [each.value]
  security_group_id = aws_security_group.a[0].id
}
"#,
    )]);
    let group = &unit.inventory.security_groups[0];
    assert_eq!(group.id, "aws_security_group.a[0]");
    assert!(
        group.assumptions[0]
            .note
            .starts_with("count is unknown (var.n has no value)")
    );
    let inline = rule(&unit, "aws_security_group.a[0].ingress[0]");
    assert!(!inline.assumptions.is_empty());
    let b = rule(&unit, "aws_security_group_rule.b[*]");
    assert!(b.assumptions[0].note.starts_with("for_each is unknown"));
    assert_eq!(show(&b.group), "aws_security_group.a[0]");
    assert!(peers(b)[0].starts_with('?'));
}

#[test]
fn dynamic_blocks_expand_in_place_with_iterators() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"
variable "ingress" {
  default = [
    { port = 22, cidrs = ["10.0.0.0/8"] },
    { port = 443, cidrs = ["0.0.0.0/0"] },
  ]
}
resource "aws_security_group" "g" {
  ingress {
    protocol    = "tcp"
    from_port   = 80
    to_port     = 80
    cidr_blocks = ["0.0.0.0/0"]
  }
  dynamic "ingress" {
    for_each = var.ingress
    iterator = rule
    content {
      protocol    = "tcp"
      from_port   = rule.value.port
      to_port     = rule.value.port
      cidr_blocks = rule.value.cidrs
      description = "rule ${rule.key}"
    }
  }
  dynamic "egress" {
    for_each = { all = "0.0.0.0/0" }
    content {
      protocol    = "-1"
      from_port   = 0
      to_port     = 0
      cidr_blocks = [egress.value]
      description = egress.key
    }
  }
  dynamic "egress" {
    for_each = var.unknown_list
    content {
      protocol    = "tcp"
      from_port   = 25
      to_port     = 25
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
variable "unknown_list" {}
"#,
    )]);
    let ids = rule_ids(&unit);
    assert_eq!(
        ids,
        vec![
            "aws_security_group.g.ingress[0]",
            "aws_security_group.g.ingress[1]",
            "aws_security_group.g.ingress[2]",
            "aws_security_group.g.egress[0]",
            "aws_security_group.g.egress[1]",
        ]
    );
    let second = rule(&unit, "aws_security_group.g.ingress[2]");
    assert_eq!(ports(second), (Some(443), Some(443)));
    assert_eq!(show(second.description.as_ref().unwrap()), "rule 1");
    assert!(text(&sources, second.span).starts_with("content {"));
    let egress = rule(&unit, "aws_security_group.g.egress[0]");
    assert_eq!(show(&egress.protocol), "all");
    assert_eq!(show(egress.description.as_ref().unwrap()), "all");
    let assumed = rule(&unit, "aws_security_group.g.egress[1]");
    assert!(assumed.assumptions[0].note.contains("dynamic \"egress\""));
}

#[test]
fn the_attribute_form_of_inline_rules_is_read() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"
resource "aws_security_group" "g" {
  ingress = [
    {
      protocol         = "tcp"
      from_port        = 3306
      to_port          = 3306
      cidr_blocks      = ["0.0.0.0/0"]
      ipv6_cidr_blocks = ["::/0"]
      prefix_list_ids  = ["pl-1"]
      security_groups  = ["sg-9"]
      self             = true
      description      = "db"
    },
  ]
}
"#,
    )]);
    let rule = rule(&unit, "aws_security_group.g.ingress[0]");
    assert_eq!(
        peers(rule),
        vec!["0.0.0.0/0", "::/0", "sg:sg-9", "pl:pl-1", "self"]
    );
    assert!(text(&sources, rule.span).starts_with('{'));
}
