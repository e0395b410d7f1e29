//! Latency of the language server: from a `didChange` of a 2,000-line Terraform file to its
//! `publishDiagnostics`, through the real binary over stdio, with the debounce set to 0 so that
//! only the work is measured.
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Duration;

use common::{Client, TempDir, uri};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

const LINES: usize = 2_000;

/// Security groups with one ingress rule each, every tenth open to the internet, `LINES` long.
fn generated_module() -> String {
    let mut text = String::new();
    let mut index = 0;
    while text.lines().count() + 10 <= LINES {
        let (port, cidr) = match index % 10 {
            0 => (22, "0.0.0.0/0"),
            1 => (5432, "10.0.0.0/8"),
            _ => (443, "172.16.0.0/12"),
        };
        text.push_str(&format!(
            "resource \"aws_security_group\" \"sg{index}\" {{\n  name = \"sg{index}\"\n  ingress {{\n    description = \"rule {index}\"\n    protocol    = \"tcp\"\n    from_port   = {port}\n    to_port     = {port}\n    cidr_blocks = [\"{cidr}\"]\n  }}\n}}\n"
        ));
        index += 1;
    }
    while text.lines().count() < LINES {
        text.push_str("# padding\n");
    }
    text
}

fn latency(c: &mut Criterion) {
    let dir = TempDir::new("bench");
    let text = generated_module();
    assert_eq!(text.lines().count(), LINES);
    let main = dir.write("main.tf", &text);
    let mut client = Client::spawn();
    client.initialize(dir.path(), json!({}), json!({"debounceMs": 0}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&main), "languageId": "terraform", "version": 1, "text": text}}),
    );
    assert!(!client.diagnostics_for(&main).is_empty());

    // Each iteration retypes the first rule's CIDR (line 8), alternating between the internet
    // and a private range of the same length, so that the range stays valid and the finding
    // comes and goes.
    let cidr = json!({"start": {"line": 7, "character": 20}, "end": {"line": 7, "character": 29}});
    let mut version = 1;
    c.bench_function(
        "didChange of a 2,000-line .tf file to publishDiagnostics",
        |b| {
            b.iter(|| {
                version += 1;
                let replacement = if version % 2 == 0 {
                    "0.0.0.0/8"
                } else {
                    "0.0.0.0/0"
                };
                client.notify(
                    "textDocument/didChange",
                    json!({
                        "textDocument": {"uri": uri(&main), "version": version},
                        "contentChanges": [{"range": cidr, "text": replacement}],
                    }),
                );
                client.wait_for("textDocument/publishDiagnostics", |params| {
                    params["uri"] == uri(&main) && params["version"] == version
                })
            });
        },
    );

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait(), 0);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(10));
    targets = latency
}
criterion_main!(benches);
