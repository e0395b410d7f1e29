//! The template as the evaluator sees it: its resources, parameters and conditions by name, the
//! parameters whose defaults decide conditions, and the scenarios the bounds left out.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use portcullis_ir::{Span, Unresolved};
use portcullis_net::Cidr;

use super::parameters::{Param, ParamValue, parameters};
use crate::scenario::{
    Assignment, Choice, MAX_PARAMETER_CHOICES, choices, equals_arguments, reference, walk,
};
use crate::tree::{Entry, Node};

/// Nesting of evaluation (Ref → GetAtt → property → ...) beyond which a value is unknown.
pub(super) const MAX_EVAL_DEPTH: usize = 32;

/// Conditions assumed to hold (or not) for the item being built, with where they are tested.
pub type World = BTreeMap<String, (bool, Span)>;

/// The undecided conditions of a world with the values assumed for them.
pub(super) type Constraints = Vec<(String, bool)>;

/// What a named condition can be before deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// The same whatever the parameters may be.
    Fixed(bool),
    /// This with the parameters' defaults; other allowed values of them give the other outcome
    /// (or one known only at deploy time).
    Default(bool),
    /// Known only at deploy time.
    Open,
}

pub struct Template<'a> {
    pub root: &'a Node,
    pub resources: Vec<&'a Entry>,
    pub(super) by_id: BTreeMap<&'a str, &'a Entry>,
    pub(super) params: BTreeMap<&'a str, Param<'a>>,
    pub(super) pseudo: BTreeMap<String, String>,
    pub(super) conditions: BTreeMap<&'a str, &'a Entry>,
    /// Each condition's value with the parameters' defaults (or given values).
    pub(super) decided: RefCell<BTreeMap<String, Option<bool>>>,
    /// The choices of the parameters whose defaults decide conditions.
    pub(super) scenario_params: BTreeMap<&'a str, Vec<Choice>>,
    /// The scenario parameters each condition depends on, nested conditions included.
    pub(super) condition_params: BTreeMap<&'a str, BTreeSet<&'a str>>,
    pub(super) outcomes: RefCell<BTreeMap<String, Outcome>>,
    /// The assignment with fewest departures from the defaults under which a world's conditions
    /// can hold (`None`: they cannot), by the world's undecided conditions.
    pub(super) witnesses: RefCell<BTreeMap<Constraints, Option<Assignment<'a>>>>,
    /// Scenarios left out by the bounds, as unresolved parts, by (subject, reason).
    pub(super) cuts: RefCell<BTreeMap<(String, String), Span>>,
}

impl<'a> Template<'a> {
    pub fn new(root: &'a Node, given: &[(String, String)]) -> Self {
        let given: BTreeMap<&str, &String> = given.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let section = |name: &str| root.get(name).and_then(Node::entries).unwrap_or(&[]);
        let params = parameters(section("Parameters"), &given);
        let pseudo = given
            .iter()
            .filter(|(name, _)| name.starts_with("AWS::"))
            .map(|(name, value)| ((*name).to_owned(), (*value).clone()))
            .collect();
        let mut template = Self {
            root,
            resources: section("Resources").iter().collect(),
            by_id: section("Resources")
                .iter()
                .map(|entry| (entry.key.as_str(), entry))
                .collect(),
            params,
            pseudo,
            conditions: section("Conditions")
                .iter()
                .map(|entry| (entry.key.as_str(), entry))
                .collect(),
            decided: RefCell::new(BTreeMap::new()),
            scenario_params: BTreeMap::new(),
            condition_params: BTreeMap::new(),
            outcomes: RefCell::new(BTreeMap::new()),
            witnesses: RefCell::new(BTreeMap::new()),
            cuts: RefCell::new(BTreeMap::new()),
        };
        template.scenario_params = template.find_scenario_params();
        template.condition_params = template
            .conditions
            .keys()
            .map(|name| (*name, template.params_of_condition(name)))
            .collect();
        template
    }

    /// The parameters whose value is their default and that conditions compare with `Fn::Equals`,
    /// with the values they may take instead.
    fn find_scenario_params(&self) -> BTreeMap<&'a str, Vec<Choice>> {
        let mut literals: BTreeMap<&'a str, Vec<String>> = BTreeMap::new();
        for entry in self.conditions.values() {
            walk(&entry.value, &mut |node| {
                let Some(arguments) = equals_arguments(node) else {
                    return;
                };
                for (side, other) in [(arguments[0], arguments[1]), (arguments[1], arguments[0])] {
                    let Some((name, _)) =
                        reference(side).and_then(|name| self.params.get_key_value(name))
                    else {
                        continue;
                    };
                    let compared = literals.entry(*name).or_default();
                    if let Some(text) = other.as_str()
                        && !compared.iter().any(|known| known == text)
                    {
                        compared.push(text.to_owned());
                    }
                }
            });
        }
        let mut found = BTreeMap::new();
        for (name, literals) in literals {
            let Some(param) = self.params.get(name) else {
                continue;
            };
            let ParamValue::Default(default, _) = &param.value else {
                continue;
            };
            if param.list {
                continue;
            }
            let Some(mut choices) = choices(param.entry, default, &literals) else {
                continue;
            };
            if choices.len() > MAX_PARAMETER_CHOICES {
                let left_out: Vec<String> = choices
                    .split_off(MAX_PARAMETER_CHOICES)
                    .iter()
                    .map(|choice| choice.clause(name))
                    .collect();
                let at = param
                    .entry
                    .value
                    .get("AllowedValues")
                    .map_or(param.entry.key_span, |node| node.span);
                self.cut(
                    format!("parameter {name}"),
                    format!(
                        "the conditions it decides were not considered when {}: at most {MAX_PARAMETER_CHOICES} values of a parameter are",
                        left_out.join(" or ")
                    ),
                    at,
                );
            }
            found.insert(name, choices);
        }
        found
    }

    /// The scenario parameters a condition compares, directly or through nested conditions.
    fn params_of_condition(&self, name: &str) -> BTreeSet<&'a str> {
        let mut found = BTreeSet::new();
        let mut pending = vec![name.to_owned()];
        let mut seen = BTreeSet::new();
        while let Some(name) = pending.pop() {
            let Some(entry) = self.conditions.get(name.as_str()) else {
                continue;
            };
            if !seen.insert(name) {
                continue;
            }
            walk(&entry.value, &mut |node| {
                if let Some(arguments) = equals_arguments(node) {
                    found.extend(arguments.into_iter().filter_map(|argument| {
                        reference(argument).and_then(|name| {
                            self.scenario_params
                                .get_key_value(name)
                                .map(|(key, _)| *key)
                        })
                    }));
                }
                if let Some(entry) = node.single_entry()
                    && entry.key == "Condition"
                    && let Some(nested) = entry.value.as_str()
                {
                    pending.push(nested.to_owned());
                }
            });
        }
        found
    }

    pub(super) fn cut(&self, subject: String, reason: String, span: Span) {
        self.cuts
            .borrow_mut()
            .entry((subject, reason))
            .or_insert(span);
    }

    /// Scenarios the bounds left out, to report as unresolved parts.
    pub fn scenario_cuts(&self) -> Vec<Unresolved> {
        self.cuts
            .borrow()
            .iter()
            .map(|((subject, reason), span)| Unresolved {
                subject: subject.clone(),
                reason: reason.clone(),
                span: *span,
            })
            .collect()
    }

    pub fn resource(&self, id: &str) -> Option<&'a Entry> {
        self.by_id.get(id).copied()
    }

    pub fn resource_type(&self, id: &str) -> Option<&'a str> {
        self.resource(id)?.value.get("Type")?.as_str()
    }

    /// Parameters whose value is a CIDR, with where the value is written.
    pub fn cidr_parameters(&self) -> Vec<(&'a str, Cidr, Span)> {
        self.params
            .iter()
            .filter_map(|(name, param)| {
                let (cidr, span) = param.cidr()?;
                Some((*name, cidr, span))
            })
            .collect()
    }
}
