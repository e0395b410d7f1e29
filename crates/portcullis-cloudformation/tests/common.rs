//! Helpers shared by the integration tests.
// Each test binary compiles this module and uses a different subset of it.
#![allow(dead_code)]

use std::sync::Arc;

use portcullis_cloudformation::{Options, analyze};
use portcullis_ir::{Location, Peer, SgRule, SourceFile, SourceMap, Span, Unit, Value};

pub struct Analysed {
    pub file: Arc<SourceFile>,
    pub unit: Unit,
}

impl Analysed {
    pub fn text(&self, span: Span) -> &str {
        self.file.slice(span)
    }

    pub fn location(&self, span: Span) -> Location {
        self.file.location(span.start)
    }

    pub fn line(&self, span: Span) -> u32 {
        self.location(span).line
    }

    pub fn rule(&self, id: &str) -> &SgRule {
        let rules = &self.unit.inventory.rules;
        rules.iter().find(|rule| rule.id == id).unwrap_or_else(|| {
            let ids: Vec<&str> = rules.iter().map(|rule| rule.id.as_str()).collect();
            panic!("no rule {id}; rules: {ids:?}")
        })
    }

    /// The ids of every rule, in the order built.
    pub fn rule_ids(&self) -> Vec<&str> {
        self.unit
            .inventory
            .rules
            .iter()
            .map(|rule| rule.id.as_str())
            .collect()
    }

    /// The CIDR peers of a rule: the CIDR (or the unknown reason) and the text at the span.
    pub fn cidrs(&self, rule: &SgRule) -> Vec<(String, String)> {
        rule.peers
            .iter()
            .filter_map(|peer| match peer {
                Peer::Cidr(Value::Known { value, span, .. }) => {
                    Some((value.to_string(), self.text(*span).to_owned()))
                }
                Peer::Cidr(Value::Unknown { reason, span, .. }) => {
                    Some((format!("unknown: {reason}"), self.text(*span).to_owned()))
                }
                _ => None,
            })
            .collect()
    }
}

pub fn analyse_with(path: &str, text: &str, options: &Options) -> Option<Analysed> {
    let map = SourceMap::new();
    let file = map.add(path, text);
    analyze(&file, options).map(|unit| Analysed { file, unit })
}

pub fn analyse(path: &str, text: &str) -> Analysed {
    analyse_with(path, text, &Options::default()).expect("a template")
}

pub fn ports(rule: &SgRule) -> (Option<i64>, Option<i64>) {
    let port = |value: &Option<Value<i64>>| value.as_ref().and_then(|v| v.known_value().copied());
    (port(&rule.from_port), port(&rule.to_port))
}
