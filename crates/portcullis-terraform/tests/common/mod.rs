//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use portcullis_ir::{Peer, SgRule, SourceMap, Span, Unit, Value};
use portcullis_terraform::{Options, analyze};

/// Analyzes in-memory files; paths are relative and need not exist.
pub fn run(files: &[(&str, &str)]) -> (SourceMap, Vec<Unit>) {
    run_with(files, &Options::default())
}

pub fn run_with(files: &[(&str, &str)], options: &Options) -> (SourceMap, Vec<Unit>) {
    let sources = SourceMap::new();
    let added: Vec<Arc<_>> = files
        .iter()
        .map(|(path, text)| sources.add(*path, *text))
        .collect();
    let units = analyze(&added, &sources, options);
    (sources, units)
}

pub fn one_unit(files: &[(&str, &str)]) -> (SourceMap, Unit) {
    let (sources, mut units) = run(files);
    assert_eq!(
        units.len(),
        1,
        "units: {:?}",
        units.iter().map(|unit| &unit.name).collect::<Vec<_>>()
    );
    let unit = units.remove(0);
    (sources, unit)
}

pub fn text(sources: &SourceMap, span: Span) -> String {
    sources
        .get(span.file)
        .map(|file| file.slice(span).to_owned())
        .unwrap_or_default()
}

pub fn line(sources: &SourceMap, span: Span) -> u32 {
    sources.location(span.file, span.start).line
}

pub fn rule<'u>(unit: &'u Unit, id: &str) -> &'u SgRule {
    unit.inventory
        .rules
        .iter()
        .find(|rule| rule.id == id)
        .unwrap_or_else(|| {
            panic!(
                "no rule {id}; rules: {:?}",
                unit.inventory
                    .rules
                    .iter()
                    .map(|rule| &rule.id)
                    .collect::<Vec<_>>()
            )
        })
}

pub fn rule_ids(unit: &Unit) -> Vec<String> {
    unit.inventory
        .rules
        .iter()
        .map(|rule| rule.id.clone())
        .collect()
}

/// The peers as text: a CIDR, `sg:ID`, `pl:ID`, `self`, or `?reason`.
pub fn peers(rule: &SgRule) -> Vec<String> {
    rule.peers
        .iter()
        .map(|peer| match peer {
            Peer::Cidr(Value::Known { value, .. }) => value.to_string(),
            Peer::Cidr(Value::Unknown { reason, .. }) => format!("?{reason}"),
            Peer::SecurityGroup(value) => format!("sg:{}", show(value)),
            Peer::PrefixList(value) => format!("pl:{}", show(value)),
            Peer::SelfGroup(_) => "self".to_owned(),
        })
        .collect()
}

pub fn show<T: std::fmt::Display>(value: &Value<T>) -> String {
    match value {
        Value::Known { value, .. } => value.to_string(),
        Value::Unknown { reason, .. } => format!("?{reason}"),
    }
}

pub fn ports(rule: &SgRule) -> (Option<i64>, Option<i64>) {
    let get = |value: &Option<Value<i64>>| {
        value
            .as_ref()
            .and_then(|value| value.known_value().copied())
    };
    (get(&rule.from_port), get(&rule.to_port))
}
