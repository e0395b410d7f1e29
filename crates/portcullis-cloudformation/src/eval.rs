//! Evaluation of intrinsic functions against parameters, mappings and conditions.
//!
//! Values are three-valued: known (with the span of the expression and `via` traces naming the
//! parameter or mapping that supplied it), unknown with a reason, or `AWS::NoValue`. Conditions
//! that cannot be decided before deployment are assumed one way or the other by a [`World`]; the
//! caller enumerates worlds and records the assumptions on the items it builds.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use portcullis_ir::{Span, Trace, Unresolved};
use portcullis_net::{AddrSet, Cidr, Reach};

use crate::scenario::{
    Assignment, Choice, MAX_PARAMETER_CHOICES, MAX_SCENARIOS, Side, assignments, choices,
    equals_arguments, reference, walk,
};
use crate::tree::{Entry, Kind, Node};

/// Nesting of evaluation (Ref → GetAtt → property → ...) beyond which a value is unknown.
const MAX_EVAL_DEPTH: usize = 32;
/// Undecided conditions enumerated per item (2^n variants); more stay unknown values.
const MAX_OPEN_CONDITIONS: usize = 4;

/// An evaluated value.
#[derive(Clone, Debug)]
pub enum Ev {
    Str {
        value: String,
        span: Span,
        via: Vec<Trace>,
    },
    List {
        items: Vec<Ev>,
        span: Span,
    },
    Map {
        entries: Vec<(String, Ev)>,
        span: Span,
    },
    Null(Span),
    Unknown {
        reason: String,
        span: Span,
        via: Vec<Trace>,
    },
    /// `Ref: AWS::NoValue`: the property is removed.
    NoValue(Span),
}

impl Ev {
    pub fn unknown(reason: impl Into<String>, span: Span) -> Self {
        Self::Unknown {
            reason: reason.into(),
            span,
            via: Vec::new(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Ev> {
        match self {
            Self::Map { entries, .. } => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The value moved to where it is used, keeping where it came from in `via`.
    fn at(self, use_span: Span, trace: Option<Trace>) -> Self {
        match self {
            Self::Str { value, via, .. } => Self::Str {
                value,
                span: use_span,
                via: trace.into_iter().chain(via).collect(),
            },
            Self::Unknown { reason, via, .. } => Self::Unknown {
                reason,
                span: use_span,
                via: trace.into_iter().chain(via).collect(),
            },
            Self::List { items, .. } => Self::List {
                items: items
                    .into_iter()
                    .map(|item| item.at(use_span, trace.clone()))
                    .collect(),
                span: use_span,
            },
            other => other,
        }
    }
}

/// Conditions assumed to hold (or not) for the item being built, with where they are tested.
pub type World = BTreeMap<String, (bool, Span)>;

/// The undecided conditions of a world with the values assumed for them.
type Constraints = Vec<(String, bool)>;

/// What a named condition can be before deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// The same whatever the parameters may be.
    Fixed(bool),
    /// This with the parameters' defaults; other allowed values of them give the other outcome
    /// (or one known only at deploy time).
    Default(bool),
    /// Known only at deploy time.
    Open,
}

/// The note of an assumption, as checks will show it.
pub fn assumption(name: &str, holds: bool, span: Span) -> Trace {
    let note = if holds {
        format!("assumes condition {name} is true")
    } else {
        format!("assumes condition {name} is false")
    };
    Trace::new(span, note)
}

enum ParamValue {
    Given(String),
    Default(String, Span),
    Missing(String),
}

struct Param<'a> {
    entry: &'a Entry,
    value: ParamValue,
    list: bool,
    /// Allowed values that reach much of the internet, for the `via` of values from this parameter.
    public_allowed: Vec<Trace>,
}

pub struct Template<'a> {
    pub root: &'a Node,
    pub resources: Vec<&'a Entry>,
    by_id: BTreeMap<&'a str, &'a Entry>,
    params: BTreeMap<&'a str, Param<'a>>,
    pseudo: BTreeMap<String, String>,
    conditions: BTreeMap<&'a str, &'a Entry>,
    /// Each condition's value with the parameters' defaults (or given values).
    decided: RefCell<BTreeMap<String, Option<bool>>>,
    /// The choices of the parameters whose defaults decide conditions.
    scenario_params: BTreeMap<&'a str, Vec<Choice>>,
    /// The scenario parameters each condition depends on, nested conditions included.
    condition_params: BTreeMap<&'a str, BTreeSet<&'a str>>,
    outcomes: RefCell<BTreeMap<String, Outcome>>,
    /// The assignment with fewest departures from the defaults under which a world's conditions
    /// can hold (`None`: they cannot), by the world's undecided conditions.
    witnesses: RefCell<BTreeMap<Constraints, Option<Assignment<'a>>>>,
    /// Scenarios left out by the bounds, as unresolved parts, by (subject, reason).
    cuts: RefCell<BTreeMap<(String, String), Span>>,
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

impl<'a> Template<'a> {
    pub fn new(root: &'a Node, given: &[(String, String)]) -> Self {
        let given: BTreeMap<&str, &String> = given.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let section = |name: &str| root.get(name).and_then(Node::entries).unwrap_or(&[]);
        let params = section("Parameters")
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
            .collect();
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

    fn cut(&self, subject: String, reason: String, span: Span) {
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
            .filter_map(|(name, param)| match &param.value {
                ParamValue::Default(text, span) => Some((*name, Cidr::parse(text).ok()?, *span)),
                ParamValue::Given(text) => {
                    Some((*name, Cidr::parse(text).ok()?, param.entry.key_span))
                }
                ParamValue::Missing(_) => None,
            })
            .collect()
    }

    // -----------------------------------------------------------------------------------------
    // Conditions

    /// The value of a named condition with the parameters' defaults (or given values), when its
    /// inputs are known.
    pub fn condition(&self, name: &str) -> Option<bool> {
        if let Some(decided) = self.decided.borrow().get(name) {
            return *decided;
        }
        // Marks the condition as undecided while it is evaluated, so cycles end.
        self.decided.borrow_mut().insert(name.to_owned(), None);
        let value = self
            .conditions
            .get(name)
            .and_then(|entry| self.test(&entry.value, &Assignment::new(), 0));
        self.decided.borrow_mut().insert(name.to_owned(), value);
        value
    }

    /// The value of a named condition when the parameters take the values of `assignment`.
    fn condition_under(
        &self,
        name: &str,
        assignment: &Assignment<'a>,
        depth: usize,
    ) -> Option<bool> {
        if assignment.values().all(|choice| *choice == 0) {
            return self.condition(name);
        }
        if depth > MAX_EVAL_DEPTH {
            return None;
        }
        let entry = self.conditions.get(name)?;
        self.test(&entry.value, assignment, depth + 1)
    }

    fn outcome(&self, name: &str) -> Outcome {
        if let Some(outcome) = self.outcomes.borrow().get(name) {
            return *outcome;
        }
        // A condition whose evaluation needs its own outcome is taken as open.
        self.outcomes
            .borrow_mut()
            .insert(name.to_owned(), Outcome::Open);
        let outcome = match self.condition(name) {
            None => Outcome::Open,
            Some(default) => {
                let names = [name.to_owned()];
                let changes = self
                    .assignments(&names)
                    .iter()
                    .any(|assignment| self.condition_under(name, assignment, 0) != Some(default));
                if changes {
                    Outcome::Default(default)
                } else {
                    Outcome::Fixed(default)
                }
            }
        };
        self.outcomes.borrow_mut().insert(name.to_owned(), outcome);
        outcome
    }

    /// The assignments of the scenario parameters the conditions depend on, fewest departures
    /// from the defaults first, at most [`MAX_SCENARIOS`]: parameters beyond stay at their
    /// defaults, which is recorded.
    fn assignments(&self, conditions: &[String]) -> Vec<Assignment<'a>> {
        let involved: BTreeSet<&'a str> = conditions
            .iter()
            .filter_map(|name| self.condition_params.get(name.as_str()))
            .flatten()
            .copied()
            .collect();
        let mut enumerated = Vec::new();
        let mut held = Vec::new();
        let mut count = 1usize;
        for name in involved {
            let Some(choices) = self.scenario_params.get(name) else {
                continue;
            };
            if count.saturating_mul(choices.len()) > MAX_SCENARIOS {
                held.push(name);
            } else {
                count *= choices.len();
                enumerated.push((name, choices.len()));
            }
        }
        if let Some(first) = held.first().and_then(|name| self.params.get(name)) {
            self.cut(
                format!(
                    "parameter{} {}",
                    if held.len() > 1 { "s" } else { "" },
                    held.join(", ")
                ),
                format!(
                    "held at the default for conditions {}: with the values of {} there would be more than {MAX_SCENARIOS} combinations",
                    conditions.join(", "),
                    enumerated
                        .iter()
                        .map(|(name, _)| *name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                first.entry.key_span,
            );
        }
        assignments(&enumerated)
    }

    /// The first assignment (fewest departures from the defaults) under which every undecided
    /// condition of `world` may have its assumed value; `None` when there is none.
    fn witness(&self, world: &World) -> Option<Assignment<'a>> {
        let constraints: Constraints = world
            .iter()
            .filter(|(name, _)| !matches!(self.outcome(name), Outcome::Fixed(_)))
            .map(|(name, (holds, _))| (name.clone(), *holds))
            .collect();
        if constraints.is_empty() {
            return Some(Assignment::new());
        }
        if let Some(witness) = self.witnesses.borrow().get(&constraints) {
            return witness.clone();
        }
        // While searching, a condition that needs this world again sees the defaults.
        self.witnesses
            .borrow_mut()
            .insert(constraints.clone(), Some(Assignment::new()));
        let names: Vec<String> = constraints.iter().map(|(name, _)| name.clone()).collect();
        let witness = self.assignments(&names).into_iter().find(|assignment| {
            constraints
                .iter()
                .all(|(name, holds)| self.condition_under(name, assignment, 0) != Some(!holds))
        });
        self.witnesses
            .borrow_mut()
            .insert(constraints, witness.clone());
        witness
    }

    /// Whether the conditions of `world` can hold together for some parameter values.
    fn possible(&self, world: &World) -> bool {
        self.witness(world).is_some()
    }

    /// Whether assuming `name` is `holds` is an assumption; not when it is the outcome of the
    /// parameters' defaults.
    pub fn is_assumption(&self, name: &str, holds: bool) -> bool {
        self.outcome(name) != Outcome::Default(holds)
    }

    /// The assumptions of an item built in `world`: a trace per condition assumed other than the
    /// defaults make it, with the parameter values that lead there as its scenario, and a trace
    /// at each of those values.
    pub fn assumptions(&self, world: &World) -> Vec<Trace> {
        let witness = self.witness(world).unwrap_or_default();
        let departures: Vec<(&str, &Choice)> = witness
            .iter()
            .filter(|(_, choice)| **choice != 0)
            .filter_map(|(name, choice)| {
                Some((*name, self.scenario_params.get(name)?.get(*choice)?))
            })
            .collect();
        let scenario = (!departures.is_empty()).then(|| {
            departures
                .iter()
                .map(|(name, choice)| choice.clause(name))
                .collect::<Vec<_>>()
                .join(" and ")
        });
        let mut traces = Vec::new();
        let mut departed = false;
        for (name, (holds, span)) in world {
            let mut trace = assumption(name, *holds, *span);
            match self.outcome(name) {
                Outcome::Default(default) if default == *holds => continue,
                Outcome::Default(_) => {
                    trace.scenario.clone_from(&scenario);
                    departed = true;
                }
                Outcome::Fixed(_) | Outcome::Open => {}
            }
            traces.push(trace);
        }
        if departed {
            traces.extend(
                departures
                    .iter()
                    .filter_map(|(name, choice)| Some(choice.trace(self.params.get(name)?.entry))),
            );
        }
        traces
    }

    fn test(&self, node: &Node, assignment: &Assignment<'a>, depth: usize) -> Option<bool> {
        if depth > MAX_EVAL_DEPTH {
            return None;
        }
        let entry = node.single_entry()?;
        let args = match &entry.value.kind {
            Kind::Seq(items) => items.as_slice(),
            _ => std::slice::from_ref(&entry.value),
        };
        match entry.key.as_str() {
            "Condition" => self.condition_under(entry.value.as_str()?, assignment, depth + 1),
            "Fn::Equals" => {
                let [a, b] = args else { return None };
                let (a, b) = (
                    self.side(a, assignment, depth)?,
                    self.side(b, assignment, depth)?,
                );
                a.equals(&b)
            }
            "Fn::Not" => self
                .test(args.first()?, assignment, depth + 1)
                .map(|value| !value),
            "Fn::And" | "Fn::Or" => {
                let wanted = entry.key == "Fn::Or";
                let mut unknown = false;
                for arg in args {
                    match self.test(arg, assignment, depth + 1) {
                        Some(value) if value == wanted => return Some(wanted),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                (!unknown).then_some(!wanted)
            }
            _ => None,
        }
    }

    /// An argument of `Fn::Equals`: the assigned choice of a scenario parameter, or its value.
    fn side(&self, node: &Node, assignment: &Assignment<'a>, depth: usize) -> Option<Side<'_>> {
        let assigned = reference(node).and_then(|name| {
            let choice = *assignment.get(name)?;
            self.scenario_params.get(name)?.get(choice)
        });
        match assigned {
            Some(choice) => Some(Side::of(choice)),
            None => self
                .eval(node, &World::new(), depth + 1)
                .as_str()
                .map(|text| Side::Text(text.to_owned())),
        }
    }

    /// Conditions tested by `Fn::If` under `node` that are neither fixed nor in `world`, in order
    /// of appearance, each with the span of its first test.
    fn open_conditions(&self, node: &Node, world: &World, found: &mut Vec<(String, Span)>) {
        match &node.kind {
            Kind::Null | Kind::Scalar(_) => {}
            Kind::Seq(items) => {
                for item in items {
                    self.open_conditions(item, world, found);
                }
            }
            Kind::Map(entries) => {
                if let [entry] = entries.as_slice()
                    && entry.key == "Fn::If"
                    && let Some(name_node) = if_parts(&entry.value).map(|(name, ..)| name)
                    && let Some(name) = name_node.as_str()
                    && self.fixed(name, world).is_none()
                    && !found.iter().any(|(known, _)| known == name)
                {
                    found.push((name.to_owned(), name_node.span));
                }
                for entry in entries {
                    self.open_conditions(&entry.value, world, found);
                }
            }
        }
    }

    /// The alternatives of `node` under `world`: an `Fn::If` whose condition is fixed stands for
    /// its branch; any other for each branch that the parameters allow, with the condition added
    /// to the world. `AWS::NoValue` has no alternative.
    pub fn alternatives<'n>(&self, node: &'n Node, world: &World) -> Vec<(&'n Node, World)> {
        if let Some(entry) = node.single_entry() {
            if entry.key == "Ref" && entry.value.as_str() == Some("AWS::NoValue") {
                return Vec::new();
            }
            if entry.key == "Fn::If"
                && let Some((condition, then, otherwise)) = if_parts(&entry.value)
                && let Some(name) = condition.as_str()
            {
                return match self.fixed(name, world) {
                    Some(true) => self.alternatives(then, world),
                    Some(false) => self.alternatives(otherwise, world),
                    None => [(true, then), (false, otherwise)]
                        .into_iter()
                        .flat_map(|(holds, branch)| {
                            let mut world = world.clone();
                            world.insert(name.to_owned(), (holds, condition.span));
                            if self.possible(&world) {
                                self.alternatives(branch, &world)
                            } else {
                                Vec::new()
                            }
                        })
                        .collect(),
                };
            }
        }
        vec![(node, world.clone())]
    }

    /// The elements of a list property with their index, each under the world it exists in.
    pub fn list_items<'n>(&self, node: &'n Node, world: &World) -> Vec<(usize, &'n Node, World)> {
        let mut out = Vec::new();
        for (list, world) in self.alternatives(node, world) {
            match &list.kind {
                Kind::Seq(items) => {
                    for (index, item) in items.iter().enumerate() {
                        for (item, world) in self.alternatives(item, &world) {
                            out.push((index, item, world));
                        }
                    }
                }
                _ => out.push((0, list, world)),
            }
        }
        out
    }

    /// The worlds in which to evaluate `node`: every combination of the conditions it leaves open
    /// that the parameters allow (at most [`MAX_OPEN_CONDITIONS`] conditions; later ones stay
    /// unknown values, or take the outcome of the defaults, which is recorded).
    pub fn worlds(&self, node: &Node, world: &World) -> Vec<World> {
        let mut open = Vec::new();
        self.open_conditions(node, world, &mut open);
        for (name, span) in open.iter().skip(MAX_OPEN_CONDITIONS) {
            if matches!(self.outcome(name), Outcome::Default(_)) {
                self.cut(
                    format!("condition {name}"),
                    format!(
                        "only its outcome with the parameters' defaults was considered here: the item tests more than {MAX_OPEN_CONDITIONS} undecided conditions"
                    ),
                    *span,
                );
            }
        }
        open.truncate(MAX_OPEN_CONDITIONS);
        let mut worlds = vec![world.clone()];
        for (name, span) in open {
            worlds = worlds
                .into_iter()
                .flat_map(|world| {
                    [true, false].map(|holds| {
                        let mut world = world.clone();
                        world.insert(name.clone(), (holds, span));
                        world
                    })
                })
                .filter(|world| self.possible(world))
                .collect();
        }
        worlds
    }

    /// The value of a condition fixed whatever the parameters, or assumed in `world`.
    fn fixed(&self, name: &str, world: &World) -> Option<bool> {
        match world.get(name) {
            Some((holds, _)) => Some(*holds),
            None => match self.outcome(name) {
                Outcome::Fixed(value) => Some(value),
                Outcome::Default(_) | Outcome::Open => None,
            },
        }
    }

    /// The value of a condition for evaluation: assumed in `world`, fixed, or (for one that the
    /// parameters decide) its value under the parameter values `world` implies.
    fn decide(&self, name: &str, world: &World) -> Option<bool> {
        self.fixed(name, world)
            .or_else(|| match self.outcome(name) {
                Outcome::Default(_) => {
                    let witness = self.witness(world).unwrap_or_default();
                    self.condition_under(name, &witness, 0)
                }
                Outcome::Fixed(_) | Outcome::Open => None,
            })
    }

    /// Whether a resource with `Condition: name` exists: `Some` when that is fixed.
    pub fn exists(&self, name: &str) -> Option<bool> {
        self.fixed(name, &World::new())
    }

    // -----------------------------------------------------------------------------------------
    // Values

    pub fn eval(&self, node: &Node, world: &World, depth: usize) -> Ev {
        if depth > MAX_EVAL_DEPTH {
            return Ev::unknown("the expression is nested too deeply to evaluate", node.span);
        }
        match &node.kind {
            Kind::Null => Ev::Null(node.span),
            Kind::Scalar(text) => Ev::Str {
                value: text.clone(),
                span: node.span,
                via: Vec::new(),
            },
            Kind::Seq(items) => Ev::List {
                items: items
                    .iter()
                    .map(|item| self.eval(item, world, depth + 1))
                    .filter(|item| !matches!(item, Ev::NoValue(_)))
                    .collect(),
                span: node.span,
            },
            Kind::Map(entries) => {
                if let [entry] = entries.as_slice()
                    && (entry.key == "Ref"
                        || entry.key == "Condition"
                        || entry.key.starts_with("Fn::"))
                {
                    return self.intrinsic(node, entry, world, depth + 1);
                }
                Ev::Map {
                    entries: entries
                        .iter()
                        .map(|entry| (entry.key.clone(), self.eval(&entry.value, world, depth + 1)))
                        .filter(|(_, value)| !matches!(value, Ev::NoValue(_)))
                        .collect(),
                    span: node.span,
                }
            }
        }
    }

    fn reference(&self, name: &str, span: Span) -> Ev {
        if let Some(param) = self.params.get(name) {
            let (value, trace) = match &param.value {
                ParamValue::Given(value) => (
                    value.clone(),
                    Trace::new(
                        param.entry.key_span,
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
                        via: param.public_allowed.clone(),
                    };
                }
            };
            let via: Vec<Trace> = std::iter::once(trace)
                .chain(param.public_allowed.iter().cloned())
                .collect();
            let string = |value: &str| Ev::Str {
                value: value.trim().to_owned(),
                span,
                via: via.clone(),
            };
            return if param.list {
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
            };
        }
        if name == "AWS::NoValue" {
            return Ev::NoValue(span);
        }
        if let Some(value) = self.pseudo.get(name) {
            return Ev::Str {
                value: value.clone(),
                span,
                via: Vec::new(),
            };
        }
        if name.starts_with("AWS::") {
            return Ev::unknown(
                format!("pseudo parameter {name} is known only at deploy time"),
                span,
            );
        }
        if self.resource(name).is_some() {
            // A resource's Ref is its physical id; the IR names resources by logical id.
            return Ev::Str {
                value: name.to_owned(),
                span,
                via: Vec::new(),
            };
        }
        Ev::unknown(
            format!("the template declares no parameter or resource {name} (Ref)"),
            span,
        )
    }

    fn get_att(
        &self,
        target: &str,
        attribute: &str,
        span: Span,
        world: &World,
        depth: usize,
    ) -> Ev {
        let kind = self.resource_type(target);
        let property = match (kind, attribute) {
            (Some("AWS::EC2::SecurityGroup"), "GroupId") => {
                return Ev::Str {
                    value: target.to_owned(),
                    span,
                    via: Vec::new(),
                };
            }
            (Some("AWS::EC2::VPC"), "DefaultSecurityGroup") => {
                return Ev::Str {
                    value: crate::resources::default_group_id(target),
                    span,
                    via: Vec::new(),
                };
            }
            (Some("AWS::EC2::SecurityGroup"), "VpcId") => Some("VpcId"),
            (Some("AWS::EC2::VPC" | "AWS::EC2::Subnet"), "CidrBlock") => Some("CidrBlock"),
            (Some("AWS::EC2::Subnet"), "VpcId") => Some("VpcId"),
            _ => None,
        };
        let value = property.and_then(|property| {
            let node = self
                .resource(target)?
                .value
                .get("Properties")?
                .get(property)?;
            let trace = Trace::new(node.span, format!("{property} of {target}"));
            Some(self.eval(node, world, depth + 1).at(span, Some(trace)))
        });
        value.unwrap_or_else(|| {
            Ev::unknown(
                format!("Fn::GetAtt {target}.{attribute} is known only after deployment"),
                span,
            )
        })
    }

    fn intrinsic(&self, node: &Node, entry: &Entry, world: &World, depth: usize) -> Ev {
        let span = node.span;
        let arg = &entry.value;
        let args = match &arg.kind {
            Kind::Seq(items) => items.as_slice(),
            _ => std::slice::from_ref(arg),
        };
        let name = entry.key.as_str();
        let string = |node: &Node| -> Result<String, Ev> {
            match self.eval(node, world, depth + 1) {
                Ev::Str { value, .. } => Ok(value),
                Ev::Unknown { reason, via, .. } => Err(Ev::Unknown { reason, span, via }),
                _ => Err(Ev::unknown(
                    format!("an argument of {name} is not a string"),
                    span,
                )),
            }
        };
        match name {
            "Ref" => match arg.as_str() {
                Some(target) => self.reference(target, span),
                None => Ev::unknown("Ref needs a name", span),
            },
            "Fn::GetAtt" => {
                let parts: Option<(String, String)> = match &arg.kind {
                    Kind::Scalar(text) => text
                        .split_once('.')
                        .map(|(a, b)| (a.to_owned(), b.to_owned())),
                    Kind::Seq(items) => match items.as_slice() {
                        [target, attribute] => target
                            .as_str()
                            .map(str::to_owned)
                            .zip(string(attribute).ok()),
                        _ => None,
                    },
                    _ => None,
                };
                match parts {
                    Some((target, attribute)) => {
                        self.get_att(&target, &attribute, span, world, depth)
                    }
                    None => Ev::unknown("Fn::GetAtt needs a resource and an attribute", span),
                }
            }
            "Fn::If" => match if_parts(arg) {
                Some((condition, then, otherwise)) => {
                    let Some(condition) = condition.as_str() else {
                        return Ev::unknown("Fn::If needs a condition name", span);
                    };
                    match self.decide(condition, world) {
                        Some(true) => self.eval(then, world, depth + 1),
                        Some(false) => self.eval(otherwise, world, depth + 1),
                        None => Ev::unknown(
                            format!("condition {condition} is known only at deploy time (Fn::If)"),
                            span,
                        ),
                    }
                }
                None => Ev::unknown("Fn::If needs a condition and two values", span),
            },
            "Condition" | "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" => {
                match self.test(node, &Assignment::new(), depth) {
                    Some(value) => Ev::Str {
                        value: value.to_string(),
                        span,
                        via: Vec::new(),
                    },
                    None => Ev::unknown(
                        format!("{name} depends on values known only at deploy time"),
                        span,
                    ),
                }
            }
            "Fn::Sub" => self.sub(args, span, world, depth),
            "Fn::Join" => {
                let [delimiter, list] = args else {
                    return Ev::unknown("Fn::Join needs a delimiter and a list", span);
                };
                let delimiter = match string(delimiter) {
                    Ok(delimiter) => delimiter,
                    Err(unknown) => return unknown,
                };
                match self.eval(list, world, depth + 1) {
                    Ev::List { items, .. } => {
                        let mut parts = Vec::new();
                        let mut via = Vec::new();
                        for item in items {
                            match item {
                                Ev::Str {
                                    value, via: from, ..
                                } => {
                                    parts.push(value);
                                    via.extend(from);
                                }
                                Ev::Unknown { reason, via, .. } => {
                                    return Ev::Unknown { reason, span, via };
                                }
                                _ => {
                                    return Ev::unknown(
                                        "an element of the list is not a string (Fn::Join)",
                                        span,
                                    );
                                }
                            }
                        }
                        Ev::Str {
                            value: parts.join(&delimiter),
                            span,
                            via,
                        }
                    }
                    Ev::Unknown { reason, via, .. } => Ev::Unknown { reason, span, via },
                    _ => Ev::unknown("Fn::Join needs a list", span),
                }
            }
            "Fn::Select" => {
                let [index, list] = args else {
                    return Ev::unknown("Fn::Select needs an index and a list", span);
                };
                let index = match string(index) {
                    Ok(index) => index,
                    Err(unknown) => return unknown,
                };
                let Ok(index) = index.trim().parse::<usize>() else {
                    return Ev::unknown(format!("`{index}` is not an index (Fn::Select)"), span);
                };
                match self.eval(list, world, depth + 1) {
                    Ev::List { mut items, .. } if index < items.len() => items.swap_remove(index),
                    Ev::List { .. } => {
                        Ev::unknown(format!("index {index} is out of range (Fn::Select)"), span)
                    }
                    Ev::Unknown { reason, via, .. } => Ev::Unknown { reason, span, via },
                    _ => Ev::unknown("Fn::Select needs a list", span),
                }
            }
            "Fn::Split" => {
                let [delimiter, text] = args else {
                    return Ev::unknown("Fn::Split needs a delimiter and a string", span);
                };
                let delimiter = match string(delimiter) {
                    Ok(delimiter) if !delimiter.is_empty() => delimiter,
                    Ok(_) => return Ev::unknown("the delimiter is empty (Fn::Split)", span),
                    Err(unknown) => return unknown,
                };
                match self.eval(text, world, depth + 1) {
                    Ev::Str { value, via, .. } => Ev::List {
                        items: value
                            .split(delimiter.as_str())
                            .map(|part| Ev::Str {
                                value: part.to_owned(),
                                span,
                                via: via.clone(),
                            })
                            .collect(),
                        span,
                    },
                    Ev::Unknown { reason, via, .. } => Ev::Unknown { reason, span, via },
                    _ => Ev::unknown("Fn::Split needs a string", span),
                }
            }
            "Fn::FindInMap" => self.find_in_map(args, span, world, depth),
            "Fn::ImportValue" => {
                // The export's name as evaluated, else a `!Sub` name as written.
                let export = string(arg).ok().or_else(|| {
                    let sub = arg.get("Fn::Sub")?;
                    match &sub.kind {
                        Kind::Seq(items) => items.first()?.as_str(),
                        _ => sub.as_str(),
                    }
                    .map(str::to_owned)
                });
                let reason = match export {
                    Some(export) => {
                        format!("imported from another stack's export `{export}` (Fn::ImportValue)")
                    }
                    None => "imported from another stack's export (Fn::ImportValue)".to_owned(),
                };
                Ev::unknown(reason, span)
            }
            "Fn::GetAZs" => Ev::unknown("Fn::GetAZs is known only at deploy time", span),
            other => Ev::unknown(format!("{other} is not evaluated"), span),
        }
    }

    fn find_in_map(&self, args: &[Node], span: Span, world: &World, depth: usize) -> Ev {
        let (keys, default) = match args {
            [a, b, c] => ([a, b, c], None),
            [a, b, c, d] => ([a, b, c], d.get("DefaultValue")),
            _ => return Ev::unknown("Fn::FindInMap needs a map and two keys", span),
        };
        // A key known only at deploy time (`AWS::Region`) matches every entry.
        let mut names: Vec<Option<String>> = Vec::new();
        let mut unknown_key = None;
        for key in keys {
            match self.eval(key, world, depth + 1) {
                Ev::Str { value, .. } => names.push(Some(value)),
                Ev::Unknown { reason, via, .. } => {
                    unknown_key.get_or_insert(Ev::Unknown {
                        reason: format!("a key of Fn::FindInMap is unknown: {reason}"),
                        span,
                        via,
                    });
                    names.push(None);
                }
                _ => return Ev::unknown("a key is not a string (Fn::FindInMap)", span),
            }
        }
        let mut found: Vec<&Node> = self.root.get("Mappings").into_iter().collect();
        for name in &names {
            found = found
                .into_iter()
                .flat_map(|node| match name {
                    Some(name) => node.get(name).into_iter().collect::<Vec<_>>(),
                    None => node
                        .entries()
                        .unwrap_or(&[])
                        .iter()
                        .map(|e| &e.value)
                        .collect(),
                })
                .collect();
        }
        let shown = names
            .iter()
            .map(|name| name.as_deref().unwrap_or("*"))
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(unknown) = unknown_key {
            let mut texts = found.iter().map(|node| node.as_str());
            let first = texts.next().flatten();
            return match (first, found.first()) {
                (Some(text), Some(node)) if texts.all(|other| other == Some(text)) => Ev::Str {
                    value: text.to_owned(),
                    span,
                    via: vec![Trace::new(
                        node.span,
                        format!("Mappings {shown}: every entry holds this value"),
                    )],
                },
                _ => unknown,
            };
        }
        match (found.first(), default) {
            (Some(value), _) => {
                let trace = Trace::new(value.span, format!("Mappings {shown}"));
                self.eval(value, world, depth + 1).at(span, Some(trace))
            }
            (None, Some(default)) => self.eval(default, world, depth + 1),
            (None, None) => Ev::unknown(format!("Mappings has no {shown} (Fn::FindInMap)"), span),
        }
    }

    fn sub(&self, args: &[Node], span: Span, world: &World, depth: usize) -> Ev {
        let (template, variables) = match args {
            [template] => (template, None),
            [template, variables] => (template, Some(variables)),
            _ => return Ev::unknown("Fn::Sub needs a string and optional variables", span),
        };
        let Some(template) = template.as_str() else {
            return Ev::unknown("Fn::Sub needs a string", span);
        };
        let mut out = String::new();
        let mut via = Vec::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = after[..end].trim();
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let value = match variables.and_then(|variables| variables.get(name)) {
                Some(node) => self.eval(node, world, depth + 1),
                None => match name.split_once('.') {
                    Some((target, attribute)) if self.resource(target).is_some() => {
                        self.get_att(target, attribute, span, world, depth + 1)
                    }
                    _ => self.reference(name, span),
                },
            };
            match value {
                Ev::Str {
                    value, via: from, ..
                } => {
                    out.push_str(&value);
                    via.extend(from);
                }
                Ev::Unknown { reason, via, .. } => {
                    return Ev::Unknown {
                        reason: format!("${{{name}}} of Fn::Sub is unknown: {reason}"),
                        span,
                        via,
                    };
                }
                _ => return Ev::unknown(format!("Fn::Sub ${{{name}}} is not a string"), span),
            }
        }
        out.push_str(rest);
        Ev::Str {
            value: out,
            span,
            via,
        }
    }
}

/// The condition name and the two branches of an `Fn::If` argument.
fn if_parts(arg: &Node) -> Option<(&Node, &Node, &Node)> {
    match &arg.kind {
        Kind::Seq(items) => match items.as_slice() {
            [condition, then, otherwise] => Some((condition, then, otherwise)),
            _ => None,
        },
        _ => None,
    }
}
