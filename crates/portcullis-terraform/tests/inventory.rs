//! The rest of the inventory: rule resources, NACLs, attachments and their reachability,
//! VPCs, subnets, named CIDRs, and Terraform JSON.

mod common;
use common::*;

use portcullis_ir::{Attachment, Direction, NaclAction, Reachability, ResourceRole, Unit};

#[test]
fn rule_resources_link_to_their_groups() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}
resource "aws_security_group" "web" { name = "web" }
resource "aws_security_group_rule" "out" {
  type                     = "egress"
  protocol                 = "-1"
  from_port                = 0
  to_port                  = 0
  source_security_group_id = aws_security_group.web.id
  security_group_id        = "sg-0abc"
}
resource "aws_vpc_security_group_egress_rule" "v6" {
  security_group_id = aws_default_security_group.default.id
  ip_protocol       = "icmpv6"
  from_port         = -1
  to_port           = -1
  cidr_ipv6         = "::/0"
}
resource "aws_vpc_security_group_ingress_rule" "pl" {
  security_group_id            = aws_security_group.web.id
  ip_protocol                  = "6"
  from_port                    = 443
  to_port                      = 443
  prefix_list_id               = "pl-123"
  referenced_security_group_id = aws_security_group.web.id
}
resource "aws_vpc_security_group_ingress_rule" "bad" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "300.0.0.0/8"
}
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
"#,
    )]);
    let default = unit
        .inventory
        .group("aws_default_security_group.default")
        .unwrap();
    assert!(default.is_default);
    assert_eq!(show(default.vpc.as_ref().unwrap()), "aws_vpc.main");
    let out = rule(&unit, "aws_security_group_rule.out");
    assert_eq!(out.direction, Direction::Egress);
    assert_eq!(show(&out.group), "sg-0abc");
    assert_eq!(peers(out), vec!["sg:aws_security_group.web"]);
    assert_eq!(show(&out.protocol), "all");
    let v6 = rule(&unit, "aws_vpc_security_group_egress_rule.v6");
    assert_eq!(show(&v6.group), "aws_default_security_group.default");
    assert_eq!(show(&v6.protocol), "icmpv6");
    assert_eq!(peers(v6), vec!["::/0"]);
    let pl = rule(&unit, "aws_vpc_security_group_ingress_rule.pl");
    assert_eq!(show(&pl.protocol), "tcp");
    assert_eq!(peers(pl), vec!["sg:aws_security_group.web", "pl:pl-123"]);
    assert!(
        text(&sources, pl.span)
            .starts_with("resource \"aws_vpc_security_group_ingress_rule\" \"pl\"")
    );
    let bad = rule(&unit, "aws_vpc_security_group_ingress_rule.bad");
    assert_eq!(peers(bad), vec!["?`300.0.0.0/8` is not a CIDR block"]);
    assert_eq!(text(&sources, bad.peers[0].span()), "\"300.0.0.0/8\"");
    assert_eq!(
        unit.inventory.vpcs[0].cidr.as_ref().map(show).as_deref(),
        Some("10.0.0.0/16")
    );
}

#[test]
fn nacls_their_entries_and_associations() {
    let (_, unit) = one_unit(&[(
        "m/main.tf",
        r#"
resource "aws_subnet" "public" {
  vpc_id                  = "vpc-1"
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}
resource "aws_network_acl" "main" {
  vpc_id     = "vpc-1"
  subnet_ids = [aws_subnet.public.id]
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 22
    to_port    = 22
    cidr_block = "0.0.0.0/0"
  }
  ingress {
    rule_no    = 110
    action     = "deny"
    protocol   = "icmp"
    from_port  = 0
    to_port    = 0
    icmp_type  = 8
    icmp_code  = 0
    cidr_block = "0.0.0.0/0"
  }
  egress {
    rule_no         = 100
    action          = "allow"
    protocol        = "-1"
    from_port       = 0
    to_port         = 0
    ipv6_cidr_block = "::/0"
  }
}
resource "aws_network_acl_rule" "rdp" {
  network_acl_id = aws_network_acl.main.id
  rule_number    = 200
  egress         = false
  protocol       = "6"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 3389
  to_port        = 3389
}
resource "aws_default_network_acl" "default" {
  default_network_acl_id = "acl-1"
}
resource "aws_network_acl_association" "assoc" {
  network_acl_id = aws_default_network_acl.default.id
  subnet_id      = "subnet-9"
}
"#,
    )]);
    let inventory = &unit.inventory;
    let ids: Vec<&str> = inventory.nacls.iter().map(|acl| acl.id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["aws_network_acl.main", "aws_default_network_acl.default"]
    );
    assert!(inventory.nacls[1].is_default);
    let entry = |id: &str| {
        inventory
            .nacl_entries
            .iter()
            .find(|entry| entry.id == id)
            .unwrap()
    };
    let ssh = entry("aws_network_acl.main.ingress[0]");
    assert_eq!(ssh.rule_number.known_value(), Some(&100));
    assert_eq!(ssh.action.known_value(), Some(&NaclAction::Allow));
    assert_eq!(show(&ssh.protocol), "tcp");
    assert_eq!(show(ssh.cidr.as_ref().unwrap()), "0.0.0.0/0");
    let icmp = entry("aws_network_acl.main.ingress[1]");
    assert_eq!(
        icmp.from_port
            .as_ref()
            .and_then(|value| value.known_value().copied()),
        Some(8)
    );
    assert_eq!(icmp.action.known_value(), Some(&NaclAction::Deny));
    let egress = entry("aws_network_acl.main.egress[0]");
    assert_eq!(egress.direction, Direction::Egress);
    assert_eq!(show(egress.cidr.as_ref().unwrap()), "::/0");
    let rdp = entry("aws_network_acl_rule.rdp");
    assert_eq!(show(&rdp.acl), "aws_network_acl.main");
    assert_eq!(rdp.direction, Direction::Ingress);
    assert_eq!(
        rdp.to_port
            .as_ref()
            .and_then(|value| value.known_value().copied()),
        Some(3389)
    );
    let associations: Vec<(String, String)> = inventory
        .nacl_associations
        .iter()
        .map(|association| (show(&association.acl), show(&association.subnet)))
        .collect();
    assert_eq!(
        associations,
        vec![
            (
                "aws_network_acl.main".to_owned(),
                "aws_subnet.public".to_owned()
            ),
            (
                "aws_default_network_acl.default".to_owned(),
                "subnet-9".to_owned()
            ),
        ]
    );
    let subnet = &inventory.subnets[0];
    assert_eq!(
        subnet
            .map_public_ip_on_launch
            .as_ref()
            .and_then(|value| value.known_value().copied()),
        Some(true)
    );
}

#[test]
fn attachments_have_roles_groups_and_reachability() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"
resource "aws_security_group" "sg" {}
resource "aws_instance" "public" {
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.sg.id]
  subnet_id                   = aws_subnet.a.id
}
resource "aws_instance" "via_subnet" {
  security_groups = ["legacy"]
  subnet_id       = "subnet-1"
}
resource "aws_db_instance" "db" {
  publicly_accessible    = true
  vpc_security_group_ids = [aws_security_group.sg.id, "sg-2"]
}
resource "aws_lb" "internal" {
  internal        = true
  security_groups = [aws_security_group.sg.id]
}
resource "aws_alb" "facing" {
  security_groups = [aws_security_group.sg.id]
}
resource "aws_eks_cluster" "k8s" {
  vpc_config {
    security_group_ids      = [aws_security_group.sg.id]
    subnet_ids              = ["subnet-1", "subnet-2"]
    endpoint_public_access  = false
  }
}
resource "aws_lambda_function" "fn" {
  vpc_config {
    security_group_ids = [aws_security_group.sg.id]
    subnet_ids         = ["subnet-1"]
  }
}
resource "aws_ecs_service" "svc" {
  network_configuration {
    security_groups  = [aws_security_group.sg.id]
    subnets          = ["subnet-1"]
    assign_public_ip = true
  }
}
resource "aws_launch_template" "lt" {
  network_interfaces {
    associate_public_ip_address = var.public
    security_groups             = [aws_security_group.sg.id]
  }
}
variable "public" {}
resource "aws_elasticache_replication_group" "cache" { security_group_ids = [aws_security_group.sg.id] }
resource "aws_opensearch_domain" "search" {
  vpc_options { security_group_ids = [aws_security_group.sg.id] }
}
resource "aws_mq_broker" "mq" {
  security_groups     = [aws_security_group.sg.id]
  publicly_accessible = true
}
resource "aws_subnet" "a" { vpc_id = "vpc-1" }
"#,
    )]);
    let attachment = |id: &str| {
        unit.inventory
            .attachments
            .iter()
            .find(|item| item.id == id)
            .unwrap()
    };
    let reach = |id: &str| attachment(id).reachability.known_value().copied();
    assert_eq!(reach("aws_instance.public"), Some(Reachability::Public));
    assert_eq!(
        reach("aws_instance.via_subnet"),
        Some(Reachability::ViaSubnet)
    );
    assert_eq!(reach("aws_db_instance.db"), Some(Reachability::Public));
    assert_eq!(reach("aws_lb.internal"), Some(Reachability::Private));
    assert_eq!(reach("aws_alb.facing"), Some(Reachability::Public));
    assert_eq!(reach("aws_eks_cluster.k8s"), Some(Reachability::Private));
    assert_eq!(reach("aws_lambda_function.fn"), Some(Reachability::Private));
    assert_eq!(reach("aws_ecs_service.svc"), Some(Reachability::Public));
    assert_eq!(reach("aws_mq_broker.mq"), Some(Reachability::Public));
    assert_eq!(
        reach("aws_elasticache_replication_group.cache"),
        Some(Reachability::Private)
    );
    assert_eq!(
        reach("aws_opensearch_domain.search"),
        Some(Reachability::Private)
    );
    let template = attachment("aws_launch_template.lt");
    assert_eq!(
        template.reachability.unknown_reason(),
        Some("var.public has no value")
    );
    let public = attachment("aws_instance.public");
    assert_eq!(public.role, ResourceRole::Compute);
    assert_eq!(public.kind, "aws_instance");
    assert_eq!(show(&public.groups[0]), "aws_security_group.sg");
    assert_eq!(show(&public.subnets[0]), "aws_subnet.a");
    assert_eq!(text(&sources, public.reachability.span()), "true");
    assert!(text(&sources, public.span).starts_with("resource \"aws_instance\" \"public\""));
    let db = attachment("aws_db_instance.db");
    assert_eq!(db.role, ResourceRole::Database);
    assert_eq!(
        db.groups.iter().map(show).collect::<Vec<_>>(),
        vec!["aws_security_group.sg", "sg-2"]
    );
    assert_eq!(attachment("aws_eks_cluster.k8s").subnets.len(), 2);
    assert_eq!(
        attachment("aws_ecs_service.svc").role,
        ResourceRole::Compute
    );
    assert_eq!(attachment("aws_mq_broker.mq").role, ResourceRole::Broker);
}

#[test]
fn variables_and_locals_holding_a_cidr_are_named() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"
variable "office_cidr" { default = "203.0.113.0/24" }
variable "not_a_cidr" { default = "hello" }
locals { vpn = "198.51.100.0/24" }
"#,
    )]);
    let named: Vec<(&str, &str, String)> = unit
        .inventory
        .named_cidrs
        .iter()
        .map(|named| {
            (
                named.name.as_str(),
                named.reference.as_str(),
                named.cidr.to_string(),
            )
        })
        .collect();
    assert_eq!(
        named,
        vec![
            (
                "office_cidr",
                "var.office_cidr",
                "203.0.113.0/24".to_owned()
            ),
            ("vpn", "local.vpn", "198.51.100.0/24".to_owned()),
        ]
    );
    assert_eq!(
        text(&sources, unit.inventory.named_cidrs[0].span),
        "\"203.0.113.0/24\""
    );
}

#[test]
fn terraform_json_is_equivalent_to_hcl() {
    let (sources, unit) = one_unit(&[
        (
            "m/main.tf.json",
            r#"{
  "variable": { "cidr": { "default": "0.0.0.0/0" } },
  "locals": { "port": 22 },
  "resource": {
    "aws_security_group": {
      "web": {
        "name": "web-${local.port}",
        "ingress": {
          "protocol": "tcp",
          "from_port": "${local.port}",
          "to_port": 22,
          "cidr_blocks": ["10.0.0.0/8", "${var.cidr}"]
        },
        "dynamic": {
          "egress": {
            "for_each": "${[443]}",
            "content": {
              "protocol": "tcp",
              "from_port": "${egress.value}",
              "to_port": "${egress.value}",
              "cidr_blocks": ["0.0.0.0/0"]
            }
          }
        }
      }
    },
    "aws_security_group_rule": {
      "r": {
        "type": "ingress",
        "protocol": "udp",
        "from_port": 53,
        "to_port": 53,
        "cidr_blocks": ["0.0.0.0/0"],
        "security_group_id": "${aws_security_group.web.id}"
      }
    }
  }
}
"#,
        ),
        (
            "m/terraform.tfvars.json",
            "{\n  \"cidr\": \"8.8.8.8/32\"\n}\n",
        ),
    ]);
    assert!(unit.problems.is_empty(), "{:?}", unit.problems);
    let group = &unit.inventory.security_groups[0];
    assert_eq!(group.id, "aws_security_group.web");
    assert_eq!(show(group.name.as_ref().unwrap()), "web-22");
    assert_eq!(text(&sources, group.name_span), "\"web\"");
    let ingress = rule(&unit, "aws_security_group.web.ingress[0]");
    assert_eq!(ports(ingress), (Some(22), Some(22)));
    assert_eq!(peers(ingress), vec!["10.0.0.0/8", "8.8.8.8/32"]);
    // Inside a JSON string, the span is the interpolated expression.
    assert_eq!(text(&sources, ingress.peers[1].span()), "var.cidr");
    let trace = &match &ingress.peers[1] {
        portcullis_ir::Peer::Cidr(value) => value.via()[0].clone(),
        _ => panic!(),
    };
    assert!(
        trace.note.ends_with("in terraform.tfvars.json"),
        "{}",
        trace.note
    );
    assert_eq!(text(&sources, trace.span), "\"8.8.8.8/32\"");
    assert_eq!(
        ports(rule(&unit, "aws_security_group.web.egress[0]")),
        (Some(443), Some(443))
    );
    assert_eq!(
        show(&rule(&unit, "aws_security_group_rule.r").group),
        "aws_security_group.web"
    );
}

#[test]
fn subnets_know_whether_they_route_to_an_internet_gateway() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"
resource "aws_internet_gateway" "igw" { vpc_id = "vpc-1" }
resource "aws_route_table" "public" {
  vpc_id = "vpc-1"
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table" "private" {
  vpc_id = "vpc-1"
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = "nat-1"
  }
}
resource "aws_route_table" "separate" { vpc_id = "vpc-1" }
resource "aws_route" "separate_default" {
  route_table_id         = aws_route_table.separate.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = "igw-123"
}
resource "aws_subnet" "public" { map_public_ip_on_launch = true }
resource "aws_subnet" "private" { map_public_ip_on_launch = true }
resource "aws_subnet" "separate" {}
resource "aws_subnet" "main_table" {}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}
resource "aws_route_table_association" "separate" {
  subnet_id      = aws_subnet.separate.id
  route_table_id = aws_route_table.separate.id
}
"#,
    )]);
    let routes = |id: &str| {
        let subnet = unit
            .inventory
            .subnets
            .iter()
            .find(|subnet| subnet.id == id)
            .unwrap();
        subnet
            .routes_to_internet
            .as_ref()
            .map(|value| (*value.known_value().unwrap(), text(&sources, value.span())))
    };
    let (public, span) = routes("aws_subnet.public").unwrap();
    assert!(public);
    assert!(span.starts_with("route {"), "{span}");
    let (private, span) = routes("aws_subnet.private").unwrap();
    assert!(!private);
    assert!(span.starts_with("resource \"aws_route_table_association\" \"private\""));
    assert!(routes("aws_subnet.separate").unwrap().0);
    // Without an association, the VPC's main route table decides: unknown.
    assert_eq!(routes("aws_subnet.main_table"), None);
}

#[test]
fn groups_named_by_name_are_linked_to_their_id() {
    let (_, unit) = one_unit(&[(
        "m/main.tf",
        r#"
resource "aws_security_group" "web" { name = "web-sg" }
resource "aws_security_group" "twin_a" { name = "twin" }
resource "aws_security_group" "twin_b" { name = "twin" }
resource "aws_instance" "classic" {
  security_groups = [aws_security_group.web.name, "twin", "elsewhere", aws_security_group.web.id]
}
resource "aws_security_group" "app" {
  ingress {
    protocol        = "tcp"
    from_port       = 22
    to_port         = 22
    security_groups = ["web-sg"]
  }
}
"#,
    )]);
    let groups: Vec<String> = unit.inventory.attachments[0]
        .groups
        .iter()
        .map(show)
        .collect();
    // A name two groups share stays as written, and so does a name of no group.
    assert_eq!(
        groups,
        vec![
            "aws_security_group.web",
            "twin",
            "elsewhere",
            "aws_security_group.web"
        ]
    );
    assert_eq!(
        peers(rule(&unit, "aws_security_group.app.ingress[0]")),
        vec!["sg:aws_security_group.web"]
    );
}

fn attachment<'u>(unit: &'u Unit, id: &str) -> &'u Attachment {
    unit.inventory
        .attachments
        .iter()
        .find(|item| item.id == id)
        .unwrap_or_else(|| panic!("no attachment {id}"))
}

fn reach(unit: &Unit, id: &str) -> String {
    show(
        &attachment(unit, id)
            .reachability
            .as_ref()
            .map(|reach| format!("{reach:?}")),
    )
}

#[test]
fn db_security_groups_are_groups_whose_port_is_the_databases() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"resource "aws_db_security_group" "legacy" {
  name = "legacy-db"
  ingress {
    cidr = "0.0.0.0/0"
  }
  ingress {
    security_group_name = "web"
  }
}
resource "aws_db_instance" "db" {
  security_group_names = [aws_db_security_group.legacy.name]
  publicly_accessible  = true
}
"#,
    )]);
    let group = unit
        .inventory
        .group("aws_db_security_group.legacy")
        .unwrap();
    assert_eq!(show(group.name.as_ref().unwrap()), "legacy-db");
    let open = rule(&unit, "aws_db_security_group.legacy.ingress[0]");
    assert_eq!(show(&open.group), "aws_db_security_group.legacy");
    assert_eq!(open.direction, Direction::Ingress);
    assert_eq!(show(&open.protocol), "tcp");
    let reason = "?the port of the databases that use DB security group `aws_db_security_group.legacy` (EC2-Classic)";
    assert_eq!(show(open.from_port.as_ref().unwrap()), reason);
    assert_eq!(show(open.to_port.as_ref().unwrap()), reason);
    assert_eq!(line(&sources, open.from_port.as_ref().unwrap().span()), 3);
    assert_eq!(peers(open), vec!["0.0.0.0/0"]);
    let peer = rule(&unit, "aws_db_security_group.legacy.ingress[1]");
    assert_eq!(peers(peer), vec!["sg:web"]);
    // The instance names the group by name, linked to its id.
    let db = attachment(&unit, "aws_db_instance.db");
    assert_eq!(
        db.groups.iter().map(show).collect::<Vec<_>>(),
        vec!["aws_db_security_group.legacy"]
    );
    assert_eq!(reach(&unit, "aws_db_instance.db"), "Public");
}

#[test]
fn an_instance_without_a_subnet_runs_in_the_default_vpc() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"resource "aws_instance" "bare" {
  ami = "ami-1"
}
resource "aws_instance" "private" {
  associate_public_ip_address = false
}
resource "aws_instance" "eni" {
  network_interface {
    network_interface_id = "eni-1"
    device_index         = 0
  }
}
resource "aws_instance" "subnet" {
  subnet_id = var.subnet
}
variable "subnet" {}
resource "aws_launch_template" "lt" {
  image_id = "ami-1"
}
"#,
    )]);
    assert_eq!(reach(&unit, "aws_instance.bare"), "DefaultVpc");
    let bare = attachment(&unit, "aws_instance.bare");
    assert_eq!(
        text(&sources, bare.reachability.span()),
        r#""aws_instance" "bare""#
    );
    assert_eq!(reach(&unit, "aws_instance.private"), "Private");
    assert_eq!(reach(&unit, "aws_instance.eni"), "ViaSubnet");
    // A subnet only unknown is still a subnet.
    assert_eq!(reach(&unit, "aws_instance.subnet"), "ViaSubnet");
    // Auto Scaling groups give launch templates their subnets.
    assert_eq!(reach(&unit, "aws_launch_template.lt"), "ViaSubnet");
}

#[test]
fn an_aurora_instance_uses_its_clusters_groups() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"resource "aws_security_group" "db" {}
resource "aws_rds_cluster" "main" {
  vpc_security_group_ids = [aws_security_group.db.id]
}
resource "aws_rds_cluster_instance" "public" {
  count               = 2
  cluster_identifier  = aws_rds_cluster.main.id
  publicly_accessible = true
}
resource "aws_rds_cluster_instance" "private" {
  cluster_identifier = aws_rds_cluster.main.id
}
resource "aws_rds_cluster_instance" "elsewhere" {
  cluster_identifier  = "prod-cluster"
  publicly_accessible = true
}
"#,
    )]);
    assert_eq!(reach(&unit, "aws_rds_cluster.main"), "Private");
    for id in [
        "aws_rds_cluster_instance.public[0]",
        "aws_rds_cluster_instance.public[1]",
    ] {
        let instance = attachment(&unit, id);
        assert_eq!(instance.role, ResourceRole::Database);
        assert_eq!(reach(&unit, id), "Public");
        assert_eq!(
            instance.groups.iter().map(show).collect::<Vec<_>>(),
            vec!["aws_security_group.db"]
        );
        assert_eq!(text(&sources, instance.reachability.span()), "true");
    }
    assert_eq!(reach(&unit, "aws_rds_cluster_instance.private"), "Private");
    let elsewhere = attachment(&unit, "aws_rds_cluster_instance.elsewhere");
    assert_eq!(
        elsewhere.groups.iter().map(show).collect::<Vec<_>>(),
        vec!["?the groups of its Aurora cluster: the cluster is not declared in the configuration"]
    );
    assert_eq!(line(&sources, elsewhere.groups[0].span()), 14);
}

#[test]
fn a_network_interface_is_public_only_through_an_elastic_ip() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"resource "aws_network_interface" "plain" {
  subnet_id = "subnet-1"
}
resource "aws_network_interface" "eip" {
  subnet_id = "subnet-1"
}
resource "aws_network_interface" "associated" {
  subnet_id = "subnet-1"
}
resource "aws_eip" "ip" {
  network_interface = aws_network_interface.eip.id
}
resource "aws_eip_association" "assoc" {
  network_interface_id = aws_network_interface.associated.id
  allocation_id        = "eipalloc-1"
}
"#,
    )]);
    assert_eq!(reach(&unit, "aws_network_interface.plain"), "Private");
    assert_eq!(reach(&unit, "aws_network_interface.eip"), "Public");
    let eip = attachment(&unit, "aws_network_interface.eip");
    assert_eq!(
        (
            line(&sources, eip.reachability.span()),
            text(&sources, eip.reachability.span())
        ),
        (11, "aws_network_interface.eip.id".to_owned())
    );
    assert_eq!(reach(&unit, "aws_network_interface.associated"), "Public");
    let associated = attachment(&unit, "aws_network_interface.associated");
    assert_eq!(line(&sources, associated.reachability.span()), 14);
}

#[test]
fn load_balancer_listeners_name_their_balancer_and_port() {
    let (sources, unit) = one_unit(&[(
        "m/main.tf",
        r#"resource "aws_lb" "web" {}
resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
}
resource "aws_alb_listener" "http" {
  load_balancer_arn = aws_lb.web.id
  port              = var.port
}
variable "port" {}
resource "aws_elb" "classic" {
  listener {
    lb_port           = 80
    instance_port     = 8080
    lb_protocol       = "http"
    instance_protocol = "http"
  }
  listener {
    lb_port           = 443
    instance_port     = 8080
    lb_protocol       = "https"
    instance_protocol = "http"
  }
}
"#,
    )]);
    let listeners: Vec<(String, String, u32)> = unit
        .inventory
        .listeners
        .iter()
        .map(|listener| {
            (
                show(&listener.load_balancer),
                show(&listener.port),
                line(&sources, listener.span),
            )
        })
        .collect();
    assert_eq!(
        listeners,
        vec![
            ("aws_lb.web".to_owned(), "443".to_owned(), 2),
            (
                "aws_lb.web".to_owned(),
                "?var.port has no value".to_owned(),
                6
            ),
            ("aws_elb.classic".to_owned(), "80".to_owned(), 12),
            ("aws_elb.classic".to_owned(), "443".to_owned(), 18),
        ]
    );
}
