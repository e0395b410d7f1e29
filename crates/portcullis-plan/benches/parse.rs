//! Throughput of the plan front-end (`terraform show -json` to IR: `analyze`) in MB/s: on a
//! generated plan without its configuration, on the fixtures (with their `.tf` sources beside)
//! and on the real plans in `../shared/corpus/plans`. Inputs that are absent are skipped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use portcullis_ir::SourceMap;
use portcullis_plan::{Options, analyze, is_plan};
use serde_json::{Value, json};

/// A plan of `groups` security groups (inline ingress and egress), standalone rules and
/// instances, in `planned_values` and `resource_changes` as Terraform writes them.
fn generated_plan(groups: usize) -> String {
    const SERVICES: [(&str, i64, i64); 5] = [
        ("tcp", 22, 22),
        ("tcp", 443, 443),
        ("tcp", 5432, 5432),
        ("-1", 0, 0),
        ("udp", 53, 53),
    ];
    let rule = |protocol: &str, from: i64, to: i64, cidr: &str| {
        json!({"cidr_blocks": [cidr], "description": "", "from_port": from, "ipv6_cidr_blocks": [],
               "prefix_list_ids": [], "protocol": protocol, "security_groups": [], "self": false,
               "to_port": to})
    };
    let mut resources: Vec<Value> = Vec::new();
    for index in 0..groups {
        let (protocol, from, to) = SERVICES[index % SERVICES.len()];
        let cidr = if index % 4 == 0 {
            "0.0.0.0/0"
        } else {
            "10.0.0.0/8"
        };
        resources.push(json!({
            "address": format!("aws_security_group.sg_{index}"), "mode": "managed",
            "type": "aws_security_group", "name": format!("sg_{index}"),
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 1,
            "values": {
                "description": format!("group {index}"), "name": format!("sg-{index}"),
                "ingress": [rule(protocol, from, to, cidr), rule("tcp", 443, 443, "0.0.0.0/0")],
                "egress": [rule("-1", 0, 0, "0.0.0.0/0")],
                "revoke_rules_on_delete": false, "tags": {"Name": format!("sg-{index}")},
                "timeouts": null, "vpc_id": "vpc-0abc"
            }
        }));
        resources.push(json!({
            "address": format!("aws_security_group_rule.extra_{index}"), "mode": "managed",
            "type": "aws_security_group_rule", "name": format!("extra_{index}"),
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 2,
            "values": {"type": "ingress", "protocol": protocol, "from_port": from, "to_port": to,
                       "cidr_blocks": [cidr], "ipv6_cidr_blocks": null, "prefix_list_ids": null,
                       "self": false, "description": null, "timeouts": null},
            "sensitive_values": {}
        }));
        resources.push(json!({
            "address": format!("aws_instance.host_{index}"), "mode": "managed",
            "type": "aws_instance", "name": format!("host_{index}"),
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 1,
            "values": {"ami": "ami-0123456789abcdef0", "instance_type": "t3.micro",
                       "associate_public_ip_address": true, "tags": null}
        }));
    }
    let changes: Vec<Value> = resources
        .iter()
        .map(|resource| {
            json!({
                "address": resource["address"], "mode": "managed", "type": resource["type"],
                "name": resource["name"], "provider_name": resource["provider_name"],
                "change": {"actions": ["create"], "before": null, "after": resource["values"],
                           "after_unknown": {"id": true, "arn": true}, "before_sensitive": false,
                           "after_sensitive": {}}
            })
        })
        .collect();
    let plan = json!({
        "format_version": "1.2", "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": changes
    });
    serde_json::to_string_pretty(&plan).expect("serialise the generated plan")
}

/// Every plan file under `root` (JSON files that [`is_plan`] accepts), sorted.
fn plans_under(root: &Path) -> Vec<(String, Arc<str>)> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "json")
                && let Ok(text) = std::fs::read_to_string(&path)
                && is_plan(&text)
            {
                found.push((path.to_string_lossy().into_owned(), Arc::from(text)));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bench_input(c: &mut Criterion, name: &str, plans: &[(String, Arc<str>)]) {
    if plans.is_empty() {
        eprintln!("skipping {name}: no input");
        return;
    }
    let options = Options::default();
    let bytes: u64 = plans.iter().map(|(_, text)| text.len() as u64).sum();
    let mut group = c.benchmark_group("plan");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function(name, |b| {
        b.iter_batched(
            || {
                let sources = SourceMap::new();
                let files: Vec<_> = plans
                    .iter()
                    .map(|(path, text)| sources.add(path.clone(), &**text))
                    .collect();
                (sources, files)
            },
            |(sources, files)| {
                let units: Vec<_> = files
                    .iter()
                    .map(|file| analyze(file, &sources, &options))
                    .collect();
                (units, sources)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn plan(c: &mut Criterion) {
    let generated = generated_plan(200);
    bench_input(
        c,
        "generated plan (200 groups, no configuration)",
        &[("generated/plan.json".to_owned(), Arc::from(generated))],
    );
    bench_input(
        c,
        "fixtures/plan",
        &plans_under(&workspace().join("fixtures/plan")),
    );
    bench_input(
        c,
        "shared/corpus/plans",
        &plans_under(&workspace().join("../shared/corpus/plans")),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = plan
}
criterion_main!(benches);
