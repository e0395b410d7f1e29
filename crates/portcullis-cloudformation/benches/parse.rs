//! Throughput of the CloudFormation front-end (parse, evaluate intrinsics and lower to IR:
//! `analyze`) in MB/s, for YAML and JSON separately: on generated templates, on the fixtures, on
//! the real-world corpus in `../shared/corpus/realworld` and, when `PORTCULLIS_BENCH_CORPUS` names
//! a directory (a corpus of `gen_corpus.py`), on its templates. Inputs that are absent are skipped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use portcullis_cloudformation::{Options, analyze, is_candidate};
use portcullis_ir::{SourceFile, SourceMap};

const SERVICES: [(&str, &str, i32, i32); 6] = [
    ("ssh", "tcp", 22, 22),
    ("https", "tcp", 443, 443),
    ("postgres", "tcp", 5432, 5432),
    ("all", "-1", -1, -1),
    ("dns", "udp", 53, 53),
    ("apps", "tcp", 3000, 3999),
];

/// A YAML template of `groups` security groups with parameters, a condition, short tags
/// (`!Ref`, `!If`, `!GetAtt`, `!Sub`), inline and standalone ingress rules and instances.
fn yaml_template(groups: usize) -> String {
    let mut text = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: generated benchmark stack\nParameters:\n  Environment:\n    Type: String\n    Default: prod\n    AllowedValues: [prod, dev]\n  AdminCidr:\n    Type: String\n    Default: 0.0.0.0/0\n  OfficeCidr:\n    Type: String\n    Default: 203.0.113.10/32\nConditions:\n  IsProd: !Equals [!Ref Environment, prod]\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n",
    );
    for index in 0..groups {
        let (name, protocol, from, to) = SERVICES[index % SERVICES.len()];
        writeln!(
            text,
            "  Sg{index}:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: !Sub \"${{AWS::StackName}} group {index}\"\n      VpcId: !Ref Vpc\n      SecurityGroupIngress:\n        - IpProtocol: {protocol}\n          FromPort: {from}\n          ToPort: {to}\n          CidrIp: !If [IsProd, !Ref OfficeCidr, !Ref AdminCidr]\n          Description: {name}\n        - IpProtocol: tcp\n          FromPort: 443\n          ToPort: 443\n          CidrIp: 0.0.0.0/0\n        - IpProtocol: tcp\n          FromPort: 443\n          ToPort: 443\n          CidrIpv6: ::/0\n      SecurityGroupEgress:\n        - IpProtocol: \"-1\"\n          CidrIp: 0.0.0.0/0\n  Sg{index}Ingress:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: !GetAtt Sg{index}.GroupId\n      IpProtocol: {protocol}\n      FromPort: {from}\n      ToPort: {to}\n      CidrIp: !Ref AdminCidr\n  Host{index}:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-0123456789abcdef0\n      InstanceType: t3.micro\n      SecurityGroupIds:\n        - !GetAtt Sg{index}.GroupId\n      NetworkInterfaces:\n        - DeviceIndex: \"0\"\n          AssociatePublicIpAddress: true"
        )
        .unwrap();
    }
    text
}

/// The same stack in JSON, with the long forms of the intrinsics.
fn json_template(groups: usize) -> String {
    let mut resources = serde_json::Map::new();
    resources.insert(
        "Vpc".to_owned(),
        serde_json::json!({"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}),
    );
    for index in 0..groups {
        let (name, protocol, from, to) = SERVICES[index % SERVICES.len()];
        resources.insert(
            format!("Sg{index}"),
            serde_json::json!({
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": {"Fn::Sub": format!("${{AWS::StackName}} group {index}")},
                    "VpcId": {"Ref": "Vpc"},
                    "SecurityGroupIngress": [
                        {"IpProtocol": protocol, "FromPort": from, "ToPort": to, "Description": name,
                         "CidrIp": {"Fn::If": ["IsProd", {"Ref": "OfficeCidr"}, {"Ref": "AdminCidr"}]}},
                        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
                        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv6": "::/0"}
                    ],
                    "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]
                }
            }),
        );
        resources.insert(
            format!("Sg{index}Ingress"),
            serde_json::json!({
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {"GroupId": {"Fn::GetAtt": [format!("Sg{index}"), "GroupId"]},
                               "IpProtocol": protocol, "FromPort": from, "ToPort": to,
                               "CidrIp": {"Ref": "AdminCidr"}}
            }),
        );
        resources.insert(
            format!("Host{index}"),
            serde_json::json!({
                "Type": "AWS::EC2::Instance",
                "Properties": {"ImageId": "ami-0123456789abcdef0", "InstanceType": "t3.micro",
                               "SecurityGroupIds": [{"Fn::GetAtt": [format!("Sg{index}"), "GroupId"]}],
                               "NetworkInterfaces": [{"DeviceIndex": "0", "AssociatePublicIpAddress": true}]}
            }),
        );
    }
    let template = serde_json::json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "generated benchmark stack",
        "Parameters": {
            "Environment": {"Type": "String", "Default": "prod", "AllowedValues": ["prod", "dev"]},
            "AdminCidr": {"Type": "String", "Default": "0.0.0.0/0"},
            "OfficeCidr": {"Type": "String", "Default": "203.0.113.10/32"}
        },
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Environment"}, "prod"]}},
        "Resources": resources
    });
    serde_json::to_string_pretty(&template).expect("serialise the generated template")
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("json"))
}

/// The candidate files under `root` whose extension is JSON (`json`) or not (`yaml`), sorted.
fn files_under(root: &Path, json: bool) -> Vec<Arc<SourceFile>> {
    let sources = SourceMap::new();
    let mut paths = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                let name = entry.file_name();
                if name != "node_modules" && name != ".git" {
                    pending.push(path);
                }
            } else if is_candidate(&path) && is_json(&path) == json {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            Some(sources.add(path.to_string_lossy().into_owned(), text))
        })
        // Only the files that are templates: the rest are skipped by the scan after a parse.
        .filter(|file| analyze(file, &Options::default()).is_some())
        .collect()
}

fn generated(path: &str, text: String) -> Vec<Arc<SourceFile>> {
    vec![SourceMap::new().add(path, text)]
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bench_input(c: &mut Criterion, name: &str, files: &[Arc<SourceFile>]) {
    if files.is_empty() {
        eprintln!("skipping {name}: no input");
        return;
    }
    let options = Options::default();
    let bytes: u64 = files.iter().map(|file| file.text.len() as u64).sum();
    let mut group = c.benchmark_group("cloudformation");
    group.throughput(Throughput::Bytes(bytes));
    if bytes > 4 * 1024 * 1024 {
        group.sample_size(10);
    }
    group.bench_function(name, |b| {
        b.iter(|| {
            files
                .iter()
                .filter_map(|file| analyze(file, &options))
                .count()
        });
    });
    group.finish();
}

fn cloudformation(c: &mut Criterion) {
    bench_input(
        c,
        "generated YAML (100 groups)",
        &generated("generated.yaml", yaml_template(100)),
    );
    bench_input(
        c,
        "generated JSON (100 groups)",
        &generated("generated.json", json_template(100)),
    );
    let fixtures = workspace().join("fixtures/cloudformation");
    bench_input(c, "fixtures YAML", &files_under(&fixtures, false));
    bench_input(c, "fixtures JSON", &files_under(&fixtures, true));
    let realworld = workspace().join("../shared/corpus/realworld");
    bench_input(
        c,
        "shared/corpus/realworld YAML",
        &files_under(&realworld, false),
    );
    bench_input(
        c,
        "shared/corpus/realworld JSON",
        &files_under(&realworld, true),
    );
    if let Some(dir) = std::env::var_os("PORTCULLIS_BENCH_CORPUS") {
        bench_input(
            c,
            "PORTCULLIS_BENCH_CORPUS YAML",
            &files_under(Path::new(&dir), false),
        );
        bench_input(
            c,
            "PORTCULLIS_BENCH_CORPUS JSON",
            &files_under(Path::new(&dir), true),
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = cloudformation
}
criterion_main!(benches);
