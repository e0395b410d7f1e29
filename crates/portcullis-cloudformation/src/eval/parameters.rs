//! Parameters: the value each one has (given, its default, or none), split for list types, and
//! the allowed values that reach much of the internet.

use std::collections::BTreeMap;

use portcullis_ir::{Span, Trace};
use portcullis_net::{AddrSet, Cidr, Reach};

use super::value::Ev;
use crate::tree::{Entry, Kind, Node};

pub(super) enum ParamValue {
    Given(String),
    Default(String, Span),
    Missing(String),
}

pub(super) struct Param<'a> {
    pub(super) entry: &'a Entry,
    pub(super) value: ParamValue,
    pub(super) list: bool,
    /// Allowed values that reach much of the internet, for the `via` of values from this parameter.
    public_allowed: Vec<Trace>,
}

fn parameter_value(entry: &Entry, given: Option<&String>) -> (ParamValue, bool) {
    let kind = entry
        .value
        .get("Type")
        .and_then(Node::as_str)
        .unwrap_or("String");
    let list = kind.starts_with("List<") || kind == "CommaDelimitedList";
    let name = &entry.key;
    if kind.starts_with("AWS::SSM::Parameter::Value") {
        // The default is the name of an SSM parameter, not the value.
        return (
            ParamValue::Missing(format!(
                "parameter {name} is read from SSM Parameter Store at deploy time"
            )),
            list,
        );
    }
    if let Some(value) = given {
        return (ParamValue::Given(value.clone()), list);
    }
    match entry.value.get("Default") {
        Some(
            default @ Node {
                kind: Kind::Scalar(text),
                ..
            },
        ) => (ParamValue::Default(text.clone(), default.span), list),
        Some(
            default @ Node {
                kind: Kind::Seq(items),
                ..
            },
        ) => {
            let texts: Option<Vec<&str>> = items.iter().map(Node::as_str).collect();
            match texts {
                Some(texts) => (ParamValue::Default(texts.join(","), default.span), list),
                None => (
                    ParamValue::Missing(format!(
                        "parameter {name} has a default that is not a string"
                    )),
                    list,
                ),
            }
        }
        _ => (
            ParamValue::Missing(format!(
                "parameter {name} has no default and no value was given (--cfn-parameters)"
            )),
            list,
        ),
    }
}

fn is_broad(text: &str) -> bool {
    Cidr::parse(text).is_ok_and(|cidr| {
        matches!(
            AddrSet::from_net(cidr.net).reach(),
            Reach::Broad | Reach::Internet
        )
    })
}

/// The parameters of the `Parameters` section, with the values given on the command line.
pub(super) fn parameters<'a>(
    section: &'a [Entry],
    given: &BTreeMap<&str, &String>,
) -> BTreeMap<&'a str, Param<'a>> {
    section
        .iter()
        .map(|entry| {
            let (value, list) = parameter_value(entry, given.get(entry.key.as_str()).copied());
            let public_allowed = match entry.value.get("AllowedValues").map(|n| &n.kind) {
                Some(Kind::Seq(items)) => items
                    .iter()
                    .filter_map(|item| Some((item.as_str()?, item.span)))
                    .filter(|(text, _)| is_broad(text))
                    .map(|(text, span)| {
                        Trace::new(span, format!("parameter {} also allows {text}", entry.key))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            (
                entry.key.as_str(),
                Param {
                    entry,
                    value,
                    list,
                    public_allowed,
                },
            )
        })
        .collect()
}

impl Param<'_> {
    /// The parameter's value as a CIDR, with where the value is written.
    pub(super) fn cidr(&self) -> Option<(Cidr, Span)> {
        match &self.value {
            ParamValue::Default(text, span) => Some((Cidr::parse(text).ok()?, *span)),
            ParamValue::Given(text) => Some((Cidr::parse(text).ok()?, self.entry.key_span)),
            ParamValue::Missing(_) => None,
        }
    }

    /// `Ref: name` to this parameter, at `span`: its value with a trace naming where it comes
    /// from, split on commas for a list type.
    pub(super) fn reference(&self, name: &str, span: Span) -> Ev {
        let (value, trace) = match &self.value {
            ParamValue::Given(value) => (
                value.clone(),
                Trace::new(
                    self.entry.key_span,
                    format!("parameter {name} = {value} (--cfn-parameters)"),
                ),
            ),
            ParamValue::Default(value, at) => (
                value.clone(),
                Trace::new(*at, format!("parameter {name} default")),
            ),
            ParamValue::Missing(reason) => {
                return Ev::Unknown {
                    reason: reason.clone(),
                    span,
                    via: self.public_allowed.clone(),
                };
            }
        };
        let via: Vec<Trace> = std::iter::once(trace)
            .chain(self.public_allowed.iter().cloned())
            .collect();
        let string = |value: &str| Ev::Str {
            value: value.trim().to_owned(),
            span,
            via: via.clone(),
        };
        if self.list {
            Ev::List {
                items: value
                    .split(',')
                    .filter(|item| !item.trim().is_empty())
                    .map(string)
                    .collect(),
                span,
            }
        } else {
            Ev::Str { value, span, via }
        }
    }
}
