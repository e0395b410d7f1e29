//! `--format text` on one large file: each finding renders the lines it touches, so the time
//! grows with the number of findings, not with findings × file size. Each size doubles both the
//! findings and the file; a linear renderer doubles its time.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use portcullis_diagnostics::{Certainty, Diagnostic, RuleMeta, ScanOutcome, Severity};
use portcullis_ir::SourceMap;
use portcullis_report::{TextOptions, render_text};

static RULE: RuleMeta = RuleMeta {
    code: "SG002",
    name: "admin-port-open-to-internet",
    category: "remote-administration",
    default_severity: Severity::High,
    enabled_by_default: true,
    doc: "",
    equivalents: &[],
};

/// A file of `count` security groups, 200 lines apart, and one finding on each.
fn outcome_parts(count: usize) -> (SourceMap, Vec<Diagnostic>) {
    let block = format!(
        "resource \"aws_security_group\" \"g\" {{\n  ingress {{\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }}\n}}\n{}",
        "# padding\n".repeat(195)
    );
    let text = block.repeat(count);
    let sources = SourceMap::new();
    let file = sources.add("main.tf", text.clone());
    let offset = block.find("\"0.0.0.0/0\"").unwrap();
    let findings = (0..count)
        .map(|index| {
            let start = index * block.len() + offset;
            Diagnostic {
                rule: &RULE,
                severity: Severity::High,
                certainty: Certainty::Definite,
                message: "ssh (22/tcp) is open to the internet from 0.0.0.0/0".to_owned(),
                span: file.span(start, start + 11),
                resource: "aws_security_group.g".to_owned(),
                exposure: None,
                related: Vec::new(),
                suggestions: Vec::new(),
                fingerprint: index.to_string(),
                roots: Vec::new(),
                shown_at: None,
            }
        })
        .collect();
    (sources, findings)
}

fn text(c: &mut Criterion) {
    let mut group = c.benchmark_group("text");
    group
        .measurement_time(Duration::from_secs(5))
        .sample_size(10);
    for count in [250, 500, 1000] {
        let (sources, findings) = outcome_parts(count);
        let outcome = ScanOutcome {
            sources: &sources,
            files_scanned: 1,
            findings: &findings,
            suppressed: &[],
            problems: &[],
            elapsed: Duration::ZERO,
        };
        group.throughput(Throughput::Elements(count as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(count),
            &outcome,
            |b, outcome| {
                b.iter(|| render_text(black_box(outcome), TextOptions::default()));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, text);
criterion_main!(benches);
