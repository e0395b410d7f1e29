//! The IR read from the fixture plans: ids, peers, links between resources, spans at the
//! right `.tf` text with the plan as a trace, unknowns, deleted resources, and spans into the
//! plan when the source is absent.

#![allow(clippy::unwrap_used)]

mod common;

use common::{TempDir, analyze_path, analyze_text, fixture};
use portcullis_ir::{Peer, Reachability, Value};
use portcullis_plan::{Options, UNKNOWN_AFTER_APPLY};

fn known(value: &Value<String>) -> &str {
    value.known_value().map_or("<unknown>", String::as_str)
}

#[test]
fn root_resources_map_to_their_tf_blocks_and_attributes() {
    let case = fixture("root_resources");
    let loaded = analyze_path(&case.join("plan.json"), &Options::default());
    let inventory = &loaded.unit.inventory;
    assert!(
        loaded.unit.problems.is_empty(),
        "{:?}",
        loaded.unit.problems
    );

    let groups: Vec<&str> = inventory
        .security_groups
        .iter()
        .map(|group| group.id.as_str())
        .collect();
    assert_eq!(groups, ["aws_security_group.web"], "legacy is deleted");
    let group = &inventory.security_groups[0];
    assert_eq!(
        loaded.text(group.name_span),
        r#""aws_security_group" "web""#
    );
    assert!(
        loaded
            .text(group.span)
            .starts_with("resource \"aws_security_group\" \"web\" {")
    );
    assert_eq!(known(group.vpc.as_ref().unwrap()), "aws_vpc.main");

    let rules: Vec<&str> = inventory
        .rules
        .iter()
        .map(|rule| rule.id.as_str())
        .collect();
    assert_eq!(
        rules,
        [
            "aws_security_group.web.ingress[0]",
            "aws_security_group.web.ingress[1]",
            "aws_security_group_rule.mysql",
            "aws_security_group_rule.rdp_office",
        ]
    );
    // The plan lists SSH first; it is the second ingress block of the source.
    let ssh = &inventory.rules[0];
    assert!(loaded.text(ssh.span).contains("description = \"SSH\""));
    assert_eq!(
        ssh.from_port.as_ref().and_then(Value::known_value),
        Some(&22)
    );
    let spans: Vec<String> = ssh
        .peers
        .iter()
        .map(|peer| loaded.text(peer.span()))
        .collect();
    assert_eq!(spans, [r#""10.0.0.0/8""#, r#""0.0.0.0/0""#]);
    let Peer::Cidr(cidr) = &ssh.peers[1] else {
        panic!("a CIDR peer")
    };
    assert_eq!(cidr.known_value().unwrap().to_string(), "0.0.0.0/0");
    let trace = &cidr.via()[0];
    assert!(loaded.sources.path(trace.span.file).ends_with("plan.json"));
    assert_eq!(loaded.text(trace.span), r#""0.0.0.0/0""#);
    assert_eq!(trace.note, "planned value");
    let https = &inventory.rules[1];
    assert!(loaded.text(https.span).contains("description = \"HTTPS\""));

    let mysql = &inventory.rules[2];
    assert_eq!(known(&mysql.group), "aws_security_group.web");
    assert_eq!(loaded.text(mysql.group.span()), "aws_security_group.web.id");
    assert_eq!(loaded.text(mysql.peers[0].span()), r#""0.0.0.0/0""#);
    assert_eq!(
        mysql.peers.len(),
        1,
        "source_security_group_id is computed, not a peer"
    );

    let rdp = &inventory.rules[3];
    let Peer::Cidr(unknown) = &rdp.peers[0] else {
        panic!("a CIDR peer")
    };
    assert_eq!(unknown.unknown_reason(), Some(UNKNOWN_AFTER_APPLY));
    assert_eq!(
        loaded.text(unknown.span()),
        r#"["${aws_eip.office.public_ip}/32"]"#
    );

    let instance = &inventory.attachments[0];
    assert_eq!(instance.id, "aws_instance.web");
    let linked: Vec<&str> = instance.groups.iter().map(known).collect();
    assert_eq!(linked, ["aws_security_group.web"]);
    assert_eq!(
        instance.reachability.known_value(),
        Some(&Reachability::Public)
    );
    assert_eq!(loaded.text(instance.reachability.span()), "true");
    assert_eq!(inventory.vpcs[0].id, "aws_vpc.main");
}

#[test]
fn nested_module_instances_keep_their_keys_and_point_into_module_sources() {
    let case = fixture("nested_modules");
    let loaded = analyze_path(&case.join("plan.json"), &Options::default());
    let inventory = &loaded.unit.inventory;
    let groups: Vec<&str> = inventory
        .security_groups
        .iter()
        .map(|group| group.id.as_str())
        .collect();
    assert_eq!(
        groups,
        [
            r#"module.sg["admin"].aws_security_group.this"#,
            r#"module.sg["db"].aws_security_group.this"#,
            r#"module.sg["web"].aws_security_group.this"#,
        ]
    );
    for group in &inventory.security_groups {
        let path = loaded.sources.path(group.span.file);
        assert!(path.ends_with("modules/sg/main.tf"), "{path}");
    }
    let open = inventory
        .rules
        .iter()
        .find(|rule| {
            rule.id
                == r#"module.sg["admin"].module.rules.aws_vpc_security_group_ingress_rule.this["0.0.0.0/0"]"#
        })
        .unwrap();
    assert_eq!(
        known(&open.group),
        r#"module.sg["admin"].aws_security_group.this"#
    );
    assert_eq!(loaded.text(open.peers[0].span()), "each.value");
    assert!(
        loaded
            .sources
            .path(open.span.file)
            .ends_with("modules/sg/rules/main.tf")
    );
    assert_eq!(inventory.rules.len(), 4);
    for rule in &inventory.rules {
        assert!(
            known(&rule.group).ends_with(".aws_security_group.this"),
            "{}",
            rule.id
        );
        let module = rule.id.split(".module.rules").next().unwrap();
        assert!(known(&rule.group).starts_with(module), "{}", rule.id);
    }
    let bastion = &inventory.attachments[0];
    let linked: Vec<&str> = bastion.groups.iter().map(known).collect();
    assert_eq!(linked, [r#"module.sg["admin"].aws_security_group.this"#]);
    assert_eq!(
        loaded.text(bastion.groups[0].span()),
        r#"[module.sg["admin"].id]"#
    );
}

#[test]
fn without_the_source_spans_point_into_the_plan_with_line_and_column() {
    let case = fixture("no_source");
    let loaded = analyze_path(&case.join("plan.json"), &Options::default());
    let inventory = &loaded.unit.inventory;
    let rule = inventory
        .rules
        .iter()
        .find(|rule| rule.id == "aws_security_group.db.ingress[0]")
        .unwrap();
    let span = rule.peers[0].span();
    assert_eq!(span.file, loaded.file.id);
    assert_eq!(loaded.text(span), r#""0.0.0.0/0""#);
    let location = loaded.sources.location(span.file, span.start);
    assert_eq!((location.line, location.column), (36, 19));
    assert!(rule.peers[0].span() != rule.span);
    assert!(
        matches!(&rule.peers[0], Peer::Cidr(value) if value.via().is_empty()),
        "no trace when the plan is the primary location"
    );
    let database = &inventory.attachments[0];
    assert_eq!(
        known(&database.groups[0]),
        "aws_security_group.db",
        "linked by planned id"
    );
    assert_eq!(loaded.text(database.name_span), r#""aws_db_instance.main""#);
    let entry = &inventory.nacl_entries[0];
    assert_eq!(entry.id, "aws_network_acl.public.ingress[0]");
    assert_eq!(
        loaded.text(entry.cidr.as_ref().unwrap().span()),
        r#""0.0.0.0/0""#
    );
    assert_eq!(inventory.nacl_associations.len(), 1);
    assert_eq!(known(&inventory.nacl_associations[0].subnet), "subnet-0abc");
}

#[test]
fn a_minified_plan_gives_exact_columns() {
    let case = fixture("no_source");
    let text = std::fs::read_to_string(case.join("plan.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let minified = serde_json::to_string(&value).unwrap();
    let loaded = analyze_text("plan.json", &minified, &Options::default());
    let rule = &loaded.unit.inventory.rules[1];
    let span = rule.peers[0].span();
    assert_eq!(loaded.text(span), r#""0.0.0.0/0""#);
    let location = loaded.sources.location(span.file, span.start);
    assert_eq!(location.line, 1);
    assert_eq!(location.column as usize, span.start as usize + 1);
}

#[test]
fn source_dirs_locate_the_configuration_elsewhere() {
    let case = fixture("root_resources");
    let text = std::fs::read_to_string(case.join("plan.json")).unwrap();
    let alone = analyze_text("ci/out/plan.json", &text, &Options::default());
    let rule = &alone.unit.inventory.rules[2];
    assert_eq!(alone.sources.path(rule.span.file), "ci/out/plan.json");
    let options = Options {
        source_dirs: vec![std::path::PathBuf::from("/nonexistent"), case.clone()],
    };
    let mapped = analyze_text("ci/out/plan.json", &text, &options);
    let rule = &mapped.unit.inventory.rules[2];
    assert!(
        mapped
            .sources
            .path(rule.span.file)
            .ends_with("root_resources/main.tf")
    );
    assert!(
        mapped
            .text(rule.span)
            .starts_with("resource \"aws_security_group_rule\" \"mysql\"")
    );
}

#[test]
fn source_files_already_in_the_source_map_are_reused() {
    let case = fixture("root_resources");
    let sources = portcullis_ir::SourceMap::new();
    let tf_path = case.join("main.tf");
    let tf = sources.add(
        tf_path.to_string_lossy(),
        std::fs::read_to_string(&tf_path).unwrap(),
    );
    let plan_path = case.join("plan.json");
    let plan = sources.add(
        plan_path.to_string_lossy(),
        std::fs::read_to_string(&plan_path).unwrap(),
    );
    let unit = portcullis_plan::analyze(&plan, &sources, &Options::default());
    assert_eq!(sources.len(), 2);
    assert_eq!(unit.inventory.security_groups[0].span.file, tf.id);
}

#[test]
fn dynamic_blocks_nested_blocks_and_nacl_entries_map_to_their_source() {
    let case = fixture("attachments_nacl");
    let loaded = analyze_path(&case.join("plan.json"), &Options::default());
    let inventory = &loaded.unit.inventory;
    for rule in inventory
        .rules
        .iter()
        .filter(|rule| rule.id.contains(".ingress["))
    {
        assert!(
            loaded.text(rule.span).starts_with("content {"),
            "{}",
            rule.id
        );
    }
    let egress = inventory
        .rules
        .iter()
        .find(|rule| rule.id == "aws_security_group.admin.egress[0]")
        .unwrap();
    assert!(loaded.text(egress.span).starts_with("egress {"));

    let eks = inventory
        .attachments
        .iter()
        .find(|attachment| attachment.id == "aws_eks_cluster.main")
        .unwrap();
    assert_eq!(
        eks.groups.iter().map(known).collect::<Vec<_>>(),
        ["aws_security_group.admin"]
    );
    assert_eq!(
        loaded.text(eks.groups[0].span()),
        "[aws_security_group.admin.id]"
    );
    assert_eq!(
        eks.subnets.iter().map(known).collect::<Vec<_>>(),
        ["aws_subnet.a"]
    );
    assert_eq!(eks.reachability.known_value(), Some(&Reachability::Private));
    assert_eq!(loaded.text(eks.reachability.span()), "false");
    let lb = inventory
        .attachments
        .iter()
        .find(|attachment| attachment.id == "aws_lb.public")
        .unwrap();
    assert_eq!(lb.reachability.known_value(), Some(&Reachability::Public));

    let first = &inventory.nacl_entries[0];
    assert_eq!(first.id, "aws_network_acl.public.ingress[0]");
    assert_eq!(first.rule_number.known_value(), Some(&200));
    assert!(loaded.text(first.span).contains("rule_no    = 200"));
    assert_eq!(loaded.text(first.protocol.span()), r#""tcp""#);
    let association = &inventory.nacl_associations[0];
    assert_eq!(known(&association.acl), "aws_network_acl.public");
    assert_eq!(known(&association.subnet), "aws_subnet.a");
    assert_eq!(
        known(inventory.subnets[0].vpc.as_ref().unwrap()),
        "aws_vpc.main"
    );
    let printed = format!("{inventory:?}");
    assert!(!printed.contains("correct-horse"));
    for file in loaded.sources.files() {
        if file.id != loaded.file.id {
            assert!(!file.text.contains("correct-horse"), "{}", file.path);
        }
    }
}

#[test]
fn a_tf_json_configuration_is_mapped_too() {
    let dir = TempDir::new("tf-json");
    let config = r#"{
  "resource": {
    "aws_security_group": {
      "web": {
        "name": "web",
        "ingress": [
          {"description": "HTTPS", "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
          {"description": "SSH", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8", "0.0.0.0/0"]}
        ]
      }
    },
    "aws_security_group_rule": {
      "mysql": {"type": "ingress", "protocol": "tcp", "from_port": 3306, "to_port": 3306,
        "cidr_blocks": ["0.0.0.0/0"], "security_group_id": "${aws_security_group.web.id}"}
    }
  }
}
"#;
    dir.write("main.tf.json", config);
    let text = std::fs::read_to_string(fixture("root_resources").join("plan.json")).unwrap();
    let options = Options {
        source_dirs: vec![dir.0.clone()],
    };
    let loaded = analyze_text("plan.json", &text, &options);
    let inventory = &loaded.unit.inventory;
    let group = &inventory.security_groups[0];
    assert_eq!(loaded.text(group.name_span), r#""web""#);
    let ssh = &inventory.rules[0];
    assert!(loaded.text(ssh.span).contains(r#""description": "SSH""#));
    assert_eq!(loaded.text(ssh.peers[1].span()), r#""0.0.0.0/0""#);
    let location = loaded
        .sources
        .location(ssh.peers[1].span().file, ssh.peers[1].span().start);
    assert_eq!(location.line, 8);
    let mysql = &inventory.rules[2];
    assert_eq!(
        loaded.text(mysql.group.span()),
        r#""${aws_security_group.web.id}""#
    );
    // Resources the JSON file does not declare point into the plan.
    let rdp = &inventory.rules[3];
    assert_eq!(loaded.sources.path(rdp.span.file), "plan.json");
}

#[test]
fn statements_written_as_an_attribute_point_at_the_list() {
    let dir = TempDir::new("attribute");
    let config = r#"resource "aws_security_group" "web" {
  name = "web"
  ingress = [
    { protocol = "tcp", from_port = 443, to_port = 443, cidr_blocks = ["0.0.0.0/0"] },
  ]
}
"#;
    dir.write("main.tf", config);
    let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[
 {"address":"aws_security_group.web","mode":"managed","type":"aws_security_group","name":"web",
  "values":{"name":"web","egress":[],"ingress":[{"cidr_blocks":["0.0.0.0/0"],"description":"",
   "from_port":443,"protocol":"tcp","to_port":443,"self":false}]}}]}},
 "configuration":{"root_module":{"resources":[{"address":"aws_security_group.web","mode":"managed",
  "type":"aws_security_group","name":"web","expressions":{"name":{"constant_value":"web"}}}]}}}"#;
    let path = dir.0.join("plan.json");
    let loaded = analyze_text(&path.to_string_lossy(), plan, &Options::default());
    let rule = &loaded.unit.inventory.rules[0];
    assert!(loaded.text(rule.span).starts_with("[\n    { protocol"));
    assert_eq!(loaded.text(rule.peers[0].span()), loaded.text(rule.span));
    assert!(rule.description.is_none());
}

#[test]
fn root_variables_holding_one_cidr_are_named_cidrs() {
    let case = fixture("root_resources");
    let loaded = analyze_path(&case.join("plan.json"), &Options::default());
    let named = &loaded.unit.inventory.named_cidrs;
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].reference, "var.admin_cidr");
    assert_eq!(named[0].cidr.to_string(), "198.51.100.0/24");
    assert_eq!(loaded.text(named[0].span), r#""admin_cidr""#);
    let suggestions: Vec<String> = portcullis_checks::check(
        &loaded.unit.inventory,
        &loaded.sources,
        &portcullis_checks::Settings::default(),
    )
    .into_iter()
    .filter(|finding| finding.rule.code == "SG002")
    .flat_map(|finding| finding.suggestions)
    .map(|suggestion| suggestion.message)
    .collect();
    assert!(
        suggestions
            .iter()
            .any(|message| message.contains("var.admin_cidr")),
        "{suggestions:?}"
    );
}

#[test]
fn installed_registry_modules_are_found_through_modules_json() {
    let dir = TempDir::new("registry");
    dir.write(
        "main.tf",
        "module \"sg\" {\n  source  = \"terraform-aws-modules/security-group/aws\"\n  version = \"5.1.0\"\n}\n",
    );
    dir.write(
        ".terraform/modules/modules.json",
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"sg","Source":"registry.terraform.io/terraform-aws-modules/security-group/aws","Version":"5.1.0","Dir":".terraform/modules/sg"}]}"#,
    );
    dir.write(
        ".terraform/modules/sg/main.tf",
        "resource \"aws_security_group\" \"this\" {\n  name = var.name\n}\n",
    );
    let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[{"address":"module.sg",
 "resources":[{"address":"module.sg.aws_security_group.this","mode":"managed","type":"aws_security_group","name":"this",
  "values":{"name":"web","ingress":[],"egress":[]}}]}]}},
 "configuration":{"root_module":{"module_calls":{"sg":{"source":"terraform-aws-modules/security-group/aws",
  "version_constraint":"5.1.0","module":{"resources":[{"address":"aws_security_group.this","mode":"managed",
  "type":"aws_security_group","name":"this","expressions":{"name":{"references":["var.name"]}}}]}}}}}}"#;
    let path = dir.0.join("plan.json");
    let loaded = analyze_text(&path.to_string_lossy(), plan, &Options::default());
    let group = &loaded.unit.inventory.security_groups[0];
    assert_eq!(group.id, "module.sg.aws_security_group.this");
    assert!(
        loaded
            .sources
            .path(group.span.file)
            .ends_with(".terraform/modules/sg/main.tf")
    );
    assert_eq!(loaded.text(group.name.as_ref().unwrap().span()), "var.name");
}

#[test]
fn elastic_ips_and_aurora_clusters_link_as_in_the_configuration() {
    let resource = |kind: &str, name: &str, values: &str| {
        format!(
            r#"{{"address": "{kind}.{name}", "mode": "managed", "type": "{kind}", "name": "{name}", "values": {values}}}"#
        )
    };
    let resources = [
        resource(
            "aws_network_interface",
            "plain",
            r#"{"id": "eni-1", "security_groups": ["sg-1"]}"#,
        ),
        resource(
            "aws_network_interface",
            "exposed",
            r#"{"id": "eni-2", "security_groups": ["sg-1"]}"#,
        ),
        resource(
            "aws_eip",
            "ip",
            r#"{"id": "eipalloc-1", "network_interface": "eni-2"}"#,
        ),
        resource(
            "aws_rds_cluster",
            "main",
            r#"{"id": "prod", "vpc_security_group_ids": ["sg-1"]}"#,
        ),
        resource(
            "aws_rds_cluster_instance",
            "writer",
            r#"{"id": "prod-1", "cluster_identifier": "prod", "publicly_accessible": true}"#,
        ),
    ];
    let plan = format!(
        r#"{{"format_version": "1.2", "planned_values": {{"root_module": {{"resources": [{}]}}}}}}"#,
        resources.join(", ")
    );
    let loaded = analyze_text("plan.json", &plan, &Options::default());
    let attachment = |id: &str| {
        loaded
            .unit
            .inventory
            .attachments
            .iter()
            .find(|attachment| attachment.id == id)
            .unwrap()
    };
    let reach = |id: &str| attachment(id).reachability.known_value().copied();
    assert_eq!(
        reach("aws_network_interface.plain"),
        Some(Reachability::Private)
    );
    assert_eq!(
        reach("aws_network_interface.exposed"),
        Some(Reachability::Public)
    );
    assert_eq!(
        loaded.text(
            attachment("aws_network_interface.exposed")
                .reachability
                .span()
        ),
        r#""eni-2""#
    );
    assert_eq!(
        reach("aws_rds_cluster_instance.writer"),
        Some(Reachability::Public)
    );
    let groups: Vec<&str> = attachment("aws_rds_cluster_instance.writer")
        .groups
        .iter()
        .map(known)
        .collect();
    assert_eq!(groups, ["sg-1"]);
}
