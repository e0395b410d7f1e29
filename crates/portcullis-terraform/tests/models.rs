//! The offline model of terraform-aws-modules/security-group: calls that are not installed are
//! read from their arguments into the group and rules the module would create.

mod common;
use common::*;

use portcullis_ir::{Peer, Unit};

fn protocol(unit: &Unit, id: &str) -> String {
    show(&rule(unit, id).protocol)
}

#[test]
fn named_rules_apply_to_the_cidr_blocks_and_point_at_the_arguments() {
    let (sources, unit) = one_unit(&[(
        "r/main.tf",
        r#"variable "cidrs" {
  default = ["0.0.0.0/0"]
}

module "web_sg" {
  source              = "terraform-aws-modules/security-group/aws"
  version             = "~> 5.0"
  name                = "web"
  vpc_id              = "vpc-123"
  ingress_cidr_blocks = var.cidrs
  ingress_rules       = ["ssh-tcp", "all-all"]
}
"#,
    )]);
    assert!(unit.inventory.unresolved.is_empty());
    let group = &unit.inventory.security_groups[0];
    assert_eq!(
        group.id,
        "module.web_sg.aws_security_group.this_name_prefix[0]"
    );
    assert_eq!(show(group.vpc.as_ref().unwrap()), "vpc-123");
    assert_eq!(
        rule_ids(&unit),
        vec![
            "module.web_sg.aws_security_group_rule.ingress_rules[0]",
            "module.web_sg.aws_security_group_rule.ingress_rules[1]",
        ]
    );
    let ssh = rule(
        &unit,
        "module.web_sg.aws_security_group_rule.ingress_rules[0]",
    );
    assert_eq!(ports(ssh), (Some(22), Some(22)));
    assert_eq!(show(&ssh.protocol), "tcp");
    assert_eq!(show(&ssh.group), group.id);
    assert_eq!(peers(ssh), vec!["0.0.0.0/0"]);
    assert_eq!(text(&sources, ssh.span), "\"ssh-tcp\"");
    assert_eq!(show(ssh.description.as_ref().unwrap()), "SSH");
    let Peer::Cidr(cidr) = &ssh.peers[0] else {
        panic!()
    };
    // The peer is the argument, with the variable's trace and the model's note at `version`.
    assert_eq!(text(&sources, cidr.span()), "var.cidrs");
    assert_eq!(line(&sources, cidr.via()[0].span), 2);
    assert_eq!(
        text(&sources, cidr.via().last().unwrap().span),
        "\"~> 5.0\""
    );
    let notes: Vec<&str> = cidr.via().iter().map(|trace| trace.note.as_str()).collect();
    assert!(
        notes
            .iter()
            .any(|note| note
                .contains("offline model of terraform-aws-modules/security-group v5.3.0")),
        "{notes:?}"
    );
    let all = rule(
        &unit,
        "module.web_sg.aws_security_group_rule.ingress_rules[1]",
    );
    assert_eq!(show(&all.protocol), "all");
    // The module's default egress_rules is empty: no egress rule.
    assert!(
        unit.inventory
            .rules
            .iter()
            .all(|rule| rule.direction == portcullis_ir::Direction::Ingress)
    );
}

#[test]
fn unknown_arguments_stay_unknown() {
    let (_, unit) = one_unit(&[(
        "r/main.tf",
        r#"variable "rules" {}
variable "cidrs" {}

module "sg" {
  source              = "terraform-aws-modules/security-group/aws"
  ingress_cidr_blocks = var.cidrs
  ingress_rules       = var.rules
  egress_rules        = ["no-such-rule"]
}
"#,
    )]);
    let ingress = rule(&unit, "module.sg.aws_security_group_rule.ingress_rules[*]");
    assert!(show(&ingress.protocol).contains("var.rules has no value"));
    assert_eq!(ports(ingress), (None, None));
    assert!(peers(ingress)[0].contains("var.cidrs has no value"));
    assert!(
        ingress.assumptions[0]
            .note
            .contains("the number of ingress_rules")
    );
    let egress = rule(&unit, "module.sg.aws_security_group_rule.egress_rules[0]");
    assert!(
        show(&egress.protocol).contains("\"no-such-rule\" is not in the rules table"),
        "{}",
        show(&egress.protocol)
    );
    // The module's default egress CIDRs.
    assert_eq!(peers(egress), vec!["0.0.0.0/0", "::/0"]);
}

#[test]
fn lists_of_maps_self_and_source_groups() {
    let (_, unit) = one_unit(&[(
        "r/main.tf",
        r#"module "sg" {
  source              = "terraform-aws-modules/security-group/aws"
  ingress_cidr_blocks = ["10.0.0.0/8"]
  ingress_with_cidr_blocks = [
    { rule = "https-443-tcp" },
    { from_port = 8000, to_port = 8100, protocol = "tcp", cidr_blocks = "0.0.0.0/0,192.168.0.0/16" },
  ]
  ingress_with_ipv6_cidr_blocks = [{ rule = "http-80-tcp", ipv6_cidr_blocks = "::/0" }]
  ingress_with_source_security_group_id = [
    { rule = "postgresql-tcp", source_security_group_id = "sg-123" },
  ]
  ingress_with_self = [{ rule = "all-all" }]
}
"#,
    )]);
    let prefix = "module.sg.aws_security_group_rule.";
    let first = rule(&unit, &format!("{prefix}ingress_with_cidr_blocks[0]"));
    assert_eq!(ports(first), (Some(443), Some(443)));
    // Without its own cidr_blocks, a map takes ingress_cidr_blocks.
    assert_eq!(peers(first), vec!["10.0.0.0/8"]);
    assert_eq!(show(first.description.as_ref().unwrap()), "Ingress Rule");
    let second = rule(&unit, &format!("{prefix}ingress_with_cidr_blocks[1]"));
    assert_eq!(ports(second), (Some(8000), Some(8100)));
    assert_eq!(peers(second), vec!["0.0.0.0/0", "192.168.0.0/16"]);
    let ipv6 = rule(&unit, &format!("{prefix}ingress_with_ipv6_cidr_blocks[0]"));
    assert_eq!(peers(ipv6), vec!["::/0"]);
    let source = rule(
        &unit,
        &format!("{prefix}ingress_with_source_security_group_id[0]"),
    );
    assert_eq!(peers(source), vec!["sg:sg-123"]);
    assert_eq!(ports(source), (Some(5432), Some(5432)));
    assert_eq!(
        protocol(&unit, &format!("{prefix}ingress_with_self[0]")),
        "all"
    );
    assert_eq!(
        peers(rule(&unit, &format!("{prefix}ingress_with_self[0]"))),
        vec!["self"]
    );
}

#[test]
fn computed_rules_count_as_many_as_their_number_says() {
    let (_, unit) = one_unit(&[(
        "r/main.tf",
        r#"module "sg" {
  source                                     = "terraform-aws-modules/security-group/aws"
  ingress_cidr_blocks                        = ["0.0.0.0/0"]
  computed_ingress_rules                     = ["ssh-tcp", "rdp-tcp"]
  number_of_computed_ingress_rules           = 1
  computed_ingress_with_cidr_blocks          = [{ rule = "redis-tcp" }]
  number_of_computed_ingress_with_cidr_blocks = 1
}
"#,
    )]);
    assert_eq!(
        rule_ids(&unit),
        vec![
            "module.sg.aws_security_group_rule.computed_ingress_rules[0]",
            "module.sg.aws_security_group_rule.computed_ingress_with_cidr_blocks[0]",
        ]
    );
    let redis = rule(
        &unit,
        "module.sg.aws_security_group_rule.computed_ingress_with_cidr_blocks[0]",
    );
    assert_eq!(ports(redis), (Some(6379), Some(6379)));
}

#[test]
fn sub_modules_add_their_automatic_rules() {
    let (_, unit) = one_unit(&[(
        "r/main.tf",
        r#"module "web" {
  source              = "terraform-aws-modules/security-group/aws//modules/web"
  ingress_cidr_blocks = ["0.0.0.0/0"]
  ingress_rules       = ["ssh-tcp", "http-80-tcp"]
}
"#,
    )]);
    let prefix = "module.web.module.sg.aws_security_group_rule.";
    // sort(distinct(auto_ingress_rules + ingress_rules)).
    let named: Vec<(Option<i64>, Option<i64>)> = (0..5)
        .map(|index| ports(rule(&unit, &format!("{prefix}ingress_rules[{index}]"))))
        .collect();
    assert_eq!(
        named,
        vec![
            (Some(80), Some(80)),
            (Some(8080), Some(8080)),
            (Some(443), Some(443)),
            (Some(22), Some(22)),
            (Some(1099), Some(1099)),
        ]
    );
    assert_eq!(
        peers(rule(&unit, &format!("{prefix}ingress_with_self[0]"))),
        vec!["self"]
    );
    let egress = rule(&unit, &format!("{prefix}egress_rules[0]"));
    assert_eq!(show(&egress.protocol), "all");
    assert_eq!(peers(egress), vec!["0.0.0.0/0", "::/0"]);
    assert_eq!(
        unit.inventory.security_groups[0].id,
        "module.web.module.sg.aws_security_group.this_name_prefix[0]"
    );
}

#[test]
fn create_false_creates_nothing_and_create_sg_false_uses_the_given_group() {
    let (_, unit) = one_unit(&[(
        "r/main.tf",
        r#"module "off" {
  source              = "terraform-aws-modules/security-group/aws"
  create              = false
  ingress_cidr_blocks = ["0.0.0.0/0"]
  ingress_rules       = ["ssh-tcp"]
}

module "rules_only" {
  source              = "terraform-aws-modules/security-group/aws"
  create_sg           = false
  security_group_id   = "sg-0abc"
  ingress_cidr_blocks = ["0.0.0.0/0"]
  ingress_rules       = ["ssh-tcp"]
}
"#,
    )]);
    assert!(unit.inventory.security_groups.is_empty());
    assert_eq!(
        rule_ids(&unit),
        vec!["module.rules_only.aws_security_group_rule.ingress_rules[0]"]
    );
    assert_eq!(show(&unit.inventory.rules[0].group), "sg-0abc");
}

#[test]
fn outputs_and_instances_of_a_modelled_call() {
    let (_, unit) = one_unit(&[(
        "r/main.tf",
        r#"module "sg" {
  source              = "terraform-aws-modules/security-group/aws"
  count               = 2
  use_name_prefix     = false
  ingress_cidr_blocks = ["0.0.0.0/0"]
  ingress_rules       = ["ssh-tcp"]
}

resource "aws_instance" "web" {
  associate_public_ip_address = true
  vpc_security_group_ids      = [module.sg[1].security_group_id]
}
"#,
    )]);
    let groups: Vec<&str> = unit
        .inventory
        .security_groups
        .iter()
        .map(|group| group.id.as_str())
        .collect();
    assert_eq!(
        groups,
        vec![
            "module.sg[0].aws_security_group.this[0]",
            "module.sg[1].aws_security_group.this[0]",
        ]
    );
    let instance = &unit.inventory.attachments[0];
    assert_eq!(
        show(&instance.groups[0]),
        "module.sg[1].aws_security_group.this[0]"
    );
}

#[test]
fn versions_the_model_does_not_cover_stay_unresolved() {
    let (_, unit) = one_unit(&[(
        "r/main.tf",
        r#"module "old" {
  source        = "terraform-aws-modules/security-group/aws"
  version       = "~> 4.17"
  ingress_rules = ["ssh-tcp"]
}
"#,
    )]);
    assert!(unit.inventory.rules.is_empty());
    let item = &unit.inventory.unresolved[0];
    assert_eq!(item.subject, "module.old");
    assert!(item.reason.contains("\"~> 4.17\""), "{}", item.reason);
    assert!(item.reason.contains("terraform init"), "{}", item.reason);
    assert!(
        item.reason.contains("run terraform init"),
        "{}",
        item.reason
    );
}
