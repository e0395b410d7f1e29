//! Parameter scenarios: the values a parameter may take instead of its default, for the
//! conditions it decides.
//!
//! A default is only what happens when nobody passes a value. A parameter that has a default (and
//! no `--cfn-parameters` value) and either `AllowedValues` or conditions that compare it to
//! literals may take other values: each such value is a [`Choice`], and an [`Assignment`] picks
//! one per parameter. The default is always choice 0.

use std::collections::BTreeMap;

use portcullis_ir::{Span, Trace};

use crate::tree::{Entry, Kind, Node};

/// Values of one parameter considered for its conditions (the default among them); more are
/// recorded as not considered.
pub const MAX_PARAMETER_CHOICES: usize = 8;
/// Combinations of parameter values enumerated for one set of conditions; parameters beyond the
/// bound stay at their defaults, and that is recorded.
pub const MAX_SCENARIOS: usize = 64;

/// The choice (an index into the parameter's choices, 0 being the default) of each parameter a
/// set of conditions depends on. A parameter that is absent keeps its default.
pub type Assignment<'a> = BTreeMap<&'a str, usize>;

#[derive(Clone, Debug)]
pub enum Choice {
    /// A value the parameter may take; `allowed` is the `AllowedValues` entry that permits it.
    Value { text: String, allowed: Option<Span> },
    /// Any value other than the literals the conditions compare the parameter to.
    Other { literals: Vec<String> },
}

impl Choice {
    /// The choice as a clause: `Env is dev`, `Env is not dev`.
    pub fn clause(&self, parameter: &str) -> String {
        match self {
            Self::Value { text, .. } => format!("{parameter} is {text}"),
            Self::Other { literals } => match literals.as_slice() {
                [literal] => format!("{parameter} is not {literal}"),
                _ => format!("{parameter} is none of {}", literals.join(", ")),
            },
        }
    }

    /// Why the parameter may take this value: its `AllowedValues` entry, or the parameter itself
    /// when it accepts any value.
    pub fn trace(&self, parameter: &Entry) -> Trace {
        match self {
            Self::Value {
                text,
                allowed: Some(span),
            } => Trace::new(*span, format!("parameter {} allows {text}", parameter.key)),
            _ => Trace::new(
                parameter.key_span,
                format!(
                    "parameter {} has no AllowedValues: any value may be given",
                    parameter.key
                ),
            ),
        }
    }
}

/// One side of an `Fn::Equals` under an assignment.
pub enum Side<'c> {
    Text(String),
    Other(&'c [String]),
}

impl Side<'_> {
    /// `None` when it cannot be told (a value other than some literals against a value that is
    /// not one of them).
    pub fn equals(&self, other: &Self) -> Option<bool> {
        match (self, other) {
            (Self::Text(a), Self::Text(b)) => Some(a == b),
            (Self::Other(literals), Self::Text(text))
            | (Self::Text(text), Self::Other(literals)) => literals.contains(text).then_some(false),
            (Self::Other(_), Self::Other(_)) => None,
        }
    }
}

impl<'c> Side<'c> {
    pub fn of(choice: &'c Choice) -> Self {
        match choice {
            Choice::Value { text, .. } => Self::Text(text.clone()),
            Choice::Other { literals } => Self::Other(literals),
        }
    }
}

/// The parameter a node names with a plain `Ref`.
pub fn reference(node: &Node) -> Option<&str> {
    node.single_entry()
        .filter(|entry| entry.key == "Ref")
        .and_then(|entry| entry.value.as_str())
}

/// The two arguments of an `Fn::Equals`.
pub fn equals_arguments(node: &Node) -> Option<[&Node; 2]> {
    let entry = node
        .single_entry()
        .filter(|entry| entry.key == "Fn::Equals")?;
    match &entry.value.kind {
        Kind::Seq(items) => match items.as_slice() {
            [a, b] => Some([a, b]),
            _ => None,
        },
        _ => None,
    }
}

/// Every node under `node`, itself included, depth first.
pub fn walk<'n>(node: &'n Node, visit: &mut impl FnMut(&'n Node)) {
    visit(node);
    match &node.kind {
        Kind::Seq(items) => items.iter().for_each(|item| walk(item, visit)),
        Kind::Map(entries) => entries.iter().for_each(|entry| walk(&entry.value, visit)),
        Kind::Null | Kind::Scalar(_) => {}
    }
}

/// The choices of a parameter whose value is its default: its `AllowedValues`, or else the
/// literals the conditions compare it to (and any other value, when the default is one of them).
/// `None` when nothing but the default is worth considering.
pub fn choices(parameter: &Entry, default: &str, literals: &[String]) -> Option<Vec<Choice>> {
    let allowed: Vec<(&str, Span)> = match parameter.value.get("AllowedValues").map(|n| &n.kind) {
        Some(Kind::Seq(items)) => items
            .iter()
            .filter_map(|item| Some((item.as_str()?, item.span)))
            .collect(),
        _ => Vec::new(),
    };
    let mut choices = vec![Choice::Value {
        text: default.to_owned(),
        allowed: allowed
            .iter()
            .find(|(text, _)| *text == default)
            .map(|(_, span)| *span),
    }];
    if allowed.is_empty() {
        choices.extend(
            literals
                .iter()
                .filter(|literal| *literal != default)
                .map(|literal| Choice::Value {
                    text: literal.clone(),
                    allowed: None,
                }),
        );
        if literals.iter().any(|literal| literal == default) {
            choices.push(Choice::Other {
                literals: literals.to_vec(),
            });
        }
    } else {
        choices.extend(
            allowed
                .iter()
                .filter(|(text, _)| *text != default)
                .map(|(text, span)| Choice::Value {
                    text: (*text).to_owned(),
                    allowed: Some(*span),
                }),
        );
    }
    (choices.len() > 1).then_some(choices)
}

/// Every assignment of the given parameters (name, number of choices), fewest departures from
/// the defaults first.
pub fn assignments<'a>(parameters: &[(&'a str, usize)]) -> Vec<Assignment<'a>> {
    let mut all: Vec<Vec<usize>> = vec![Vec::new()];
    for (_, count) in parameters {
        all = all
            .into_iter()
            .flat_map(|prefix| {
                (0..*count).map(move |choice| {
                    let mut next = prefix.clone();
                    next.push(choice);
                    next
                })
            })
            .collect();
    }
    all.sort_by_key(|choices| choices.iter().filter(|choice| **choice != 0).count());
    all.into_iter()
        .map(|choices| {
            parameters
                .iter()
                .map(|(name, _)| *name)
                .zip(choices)
                .collect()
        })
        .collect()
}
