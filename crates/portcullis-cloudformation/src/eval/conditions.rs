//! Conditions: their value with the parameters' defaults, whether other allowed values flip
//! them, and the worlds (conditions assumed one way or the other) an item is built in.

use std::collections::BTreeSet;

use portcullis_ir::{Span, Trace};

use super::template::{Constraints, MAX_EVAL_DEPTH, Outcome, Template, World};
use crate::scenario::{Assignment, Choice, MAX_SCENARIOS, Side, assignments, reference};
use crate::tree::{Kind, Node};

/// Undecided conditions enumerated per item (2^n variants); more stay unknown values.
const MAX_OPEN_CONDITIONS: usize = 4;

/// The note of an assumption, as checks will show it.
fn assumption(name: &str, holds: bool, span: Span) -> Trace {
    let note = if holds {
        format!("assumes condition {name} is true")
    } else {
        format!("assumes condition {name} is false")
    };
    Trace::new(span, note)
}

impl<'a> Template<'a> {
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
    pub(super) fn condition_under(
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

    pub(super) fn test(
        &self,
        node: &Node,
        assignment: &Assignment<'a>,
        depth: usize,
    ) -> Option<bool> {
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
    pub(super) fn decide(&self, name: &str, world: &World) -> Option<bool> {
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
}

/// The condition name and the two branches of an `Fn::If` argument.
pub(super) fn if_parts(arg: &Node) -> Option<(&Node, &Node, &Node)> {
    match &arg.kind {
        Kind::Seq(items) => match items.as_slice() {
            [condition, then, otherwise] => Some((condition, then, otherwise)),
            _ => None,
        },
        _ => None,
    }
}
