//! Large plans: a synthetic plan of for_each module instances, each with a group, inline
//! rules, a standalone rule whose group is known after apply and an instance. The default
//! test checks that the work grows linearly; the ignored one measures a plan of tens of MB:
//! `cargo test --release -p portcullis-plan --test scale -- --ignored --nocapture`.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use common::analyze_text;
use portcullis_plan::Options;
use serde_json::{Value, json};

fn rule(port: u64, cidr: &str) -> Value {
    json!({"cidr_blocks": [cidr], "description": format!("port {port}"), "from_port": port,
        "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "tcp",
        "security_groups": [], "self": false, "to_port": port})
}

/// A plan of `modules` module instances, pretty-printed as `terraform show -json | jq`.
fn synthetic_plan(modules: usize) -> String {
    let mut children = Vec::new();
    let mut changes = Vec::new();
    for index in 0..modules {
        let module = format!("module.app[\"k{index}\"]");
        let group = json!({
            "address": format!("{module}.aws_security_group.this"), "mode": "managed",
            "type": "aws_security_group", "name": "this", "schema_version": 1,
            "values": {"description": "secret", "name": format!("app-{index}"), "egress": [],
                "ingress": [rule(22, "10.0.0.0/8"), rule(443, "0.0.0.0/0"), rule(5432, "10.1.0.0/16")]},
            "sensitive_values": {"description": true, "egress": [], "ingress": []}
        });
        let standalone = json!({
            "address": format!("{module}.aws_security_group_rule.extra"), "mode": "managed",
            "type": "aws_security_group_rule", "name": "extra", "schema_version": 2,
            "values": {"type": "ingress", "protocol": "tcp", "from_port": 3389, "to_port": 3389,
                "cidr_blocks": ["192.168.0.0/16"], "self": false},
            "sensitive_values": {"cidr_blocks": [false]}
        });
        let instance = json!({
            "address": format!("{module}.aws_instance.this"), "mode": "managed",
            "type": "aws_instance", "name": "this", "schema_version": 1,
            "values": {"ami": "ami-1", "instance_type": "t3.micro", "associate_public_ip_address": true},
            "sensitive_values": {}
        });
        for (resource, unknown) in [
            (&group, json!({"id": true, "arn": true})),
            (
                &standalone,
                json!({"id": true, "security_group_id": true, "source_security_group_id": true}),
            ),
            (
                &instance,
                json!({"id": true, "vpc_security_group_ids": true}),
            ),
        ] {
            changes.push(json!({
                "address": resource["address"], "module_address": module, "mode": "managed",
                "type": resource["type"], "name": resource["name"],
                "change": {"actions": ["create"], "before": null, "after": resource["values"],
                    "after_unknown": unknown, "before_sensitive": false,
                    "after_sensitive": resource["sensitive_values"]}
            }));
        }
        children.push(json!({"address": module, "resources": [group, standalone, instance]}));
    }
    let refs = |list: &[&str]| json!({"references": list});
    let plan = json!({
        "format_version": "1.2", "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"child_modules": children}},
        "resource_changes": changes,
        "configuration": {"root_module": {"module_calls": {"app": {
            "source": "./modules/app", "for_each_expression": refs(&["local.apps"]),
            "module": {"resources": [
                {"address": "aws_security_group.this", "mode": "managed", "type": "aws_security_group", "name": "this", "expressions": {}},
                {"address": "aws_security_group_rule.extra", "mode": "managed", "type": "aws_security_group_rule", "name": "extra",
                    "expressions": {"security_group_id": refs(&["aws_security_group.this.id", "aws_security_group.this"]),
                        "cidr_blocks": {"constant_value": ["192.168.0.0/16"]}}},
                {"address": "aws_instance.this", "mode": "managed", "type": "aws_instance", "name": "this",
                    "expressions": {"vpc_security_group_ids": refs(&["aws_security_group.this.id", "aws_security_group.this"])}}
            ]}
        }}}}
    });
    serde_json::to_string_pretty(&plan).unwrap()
}

fn read(modules: usize) -> (usize, f64) {
    let text = synthetic_plan(modules);
    let started = Instant::now();
    let loaded = analyze_text("plan.json", &text, &Options::default());
    let seconds = started.elapsed().as_secs_f64();
    assert!(loaded.unit.problems.is_empty());
    let inventory = &loaded.unit.inventory;
    assert_eq!(inventory.security_groups.len(), modules);
    assert_eq!(inventory.rules.len(), modules * 4);
    assert_eq!(inventory.attachments.len(), modules);
    let last = format!("module.app[\"k{}\"].aws_security_group.this", modules - 1);
    assert!(
        inventory
            .rules
            .iter()
            .any(|rule| rule.group.known_value() == Some(&last))
    );
    (text.len(), seconds)
}

#[test]
fn reading_grows_linearly() {
    let (_, small) = read(100);
    let (_, large) = read(800);
    // Eight times the plan; a quadratic step would take sixty-four times as long.
    assert!(
        large < small * 24.0 + 0.5,
        "100: {small:.3}s, 800: {large:.3}s"
    );
}

#[test]
#[ignore = "measurement; run with --release --ignored --nocapture"]
#[allow(clippy::print_stderr)]
fn measure_a_large_plan() {
    for modules in [5_000, 20_000] {
        let text = synthetic_plan(modules);
        let started = Instant::now();
        let parsed: Value = serde_json::from_str(&text).unwrap();
        let serde = started.elapsed().as_secs_f64();
        drop(parsed);
        let (bytes, seconds) = read(modules);
        eprintln!(
            "{modules} module instances, {:.1} MB: portcullis-plan {seconds:.3}s (serde_json::Value parse alone {serde:.3}s)",
            bytes as f64 / 1e6
        );
    }
}
