//! The builder: the inventory and problems being made, and what every kind of resource needs
//! to read its properties (problems for missing or malformed ones, peers, unresolved parts).

use portcullis_ir::{Inventory, Peer, Problem, Span, Unresolved, Value};

use super::values::{MakePeer, PeerKeys, Property, as_text, cidr, parsed};
use crate::eval::{Ev, Template, World};
use crate::tree::{Entry, Node};

/// One resource of the template, with the condition it exists under.
pub(super) struct Resource<'a> {
    pub(super) id: &'a str,
    pub(super) kind: &'a str,
    pub(super) props: Option<&'a Node>,
    /// The resource's `Condition`, when it cannot be decided.
    pub(super) base: World,
    pub(super) span: Span,
    pub(super) name_span: Span,
    pub(super) construct_path: Option<String>,
}

impl Resource<'_> {
    /// `Base.Key[0]`, suffixed with the conditions assumed beyond the resource's own (not those
    /// at the outcome of the parameters' defaults, so that the default variant keeps the plain id).
    pub(super) fn item_id(&self, base: String, world: &World, template: &Template<'_>) -> String {
        let extra: Vec<String> = world
            .iter()
            .filter(|(name, (holds, _))| {
                !self.base.contains_key(*name) && template.is_assumption(name, *holds)
            })
            .map(|(name, (holds, _))| {
                if *holds {
                    name.clone()
                } else {
                    format!("!{name}")
                }
            })
            .collect();
        if extra.is_empty() {
            base
        } else {
            format!("{base}{{{}}}", extra.join(","))
        }
    }
}

pub struct Builder<'t, 'a> {
    pub(super) template: &'t Template<'a>,
    pub inventory: Inventory,
    /// Properties missing or written wrong, each once (an item built in several worlds reads
    /// the same text).
    pub problems: Vec<Problem>,
}

impl<'t, 'a> Builder<'t, 'a> {
    pub fn new(template: &'t Template<'a>) -> Self {
        Self {
            template,
            inventory: Inventory::default(),
            problems: Vec::new(),
        }
    }

    pub(super) fn problem(&mut self, span: Span, message: String) {
        let problem = Problem { span, message };
        if !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    /// A property CloudFormation needs that is absent: an unknown at the statement, and a problem.
    pub(super) fn missing<T>(
        &mut self,
        property: &Property<'_>,
        needed: &str,
        at: Span,
    ) -> Value<T> {
        let reason = format!("`{}` is missing ({needed})", property.key);
        self.problem(
            at,
            format!(
                "{}: {reason}; analysed as {}",
                property.subject, property.analysed_as
            ),
        );
        Value::unknown(reason, at)
    }

    /// The peers a statement names under `keys`.
    pub(super) fn peers(&mut self, subject: &str, ev: &Ev, keys: &PeerKeys) -> Vec<Peer> {
        let mut peers = Vec::new();
        let kinds: [(&[&str], MakePeer); 2] = [
            (keys.groups, Peer::SecurityGroup),
            (keys.prefix_lists, Peer::PrefixList),
        ];
        for key in keys.cidrs {
            if let Some(value) = ev.get(key) {
                let property = Property::new(subject, key, "an unknown peer");
                peers.push(Peer::Cidr(self.property(&property, value, cidr)));
            }
        }
        for (names, peer) in kinds {
            for key in names {
                if let Some(value) = ev.get(key) {
                    let property = Property::new(subject, key, "an unknown peer");
                    peers.push(peer(self.property(&property, value, as_text)));
                }
            }
        }
        peers
    }

    /// A property CloudFormation requires, read from the statement `ev`.
    pub(super) fn required_property<T>(
        &mut self,
        property: &Property<'_>,
        ev: &Ev,
        at: Span,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Value<T> {
        match ev.get(property.key) {
            Some(value) => self.property(property, value, parse),
            None => self.missing(property, "CloudFormation requires it", at),
        }
    }

    /// A property's value. One written in the wrong form (a list where one value is wanted, a
    /// word where a number is) is an unknown at the value and a problem; one that depends on
    /// inputs (a parameter without a value, an import) is only an unknown.
    pub(super) fn property<T>(
        &mut self,
        property: &Property<'_>,
        ev: &Ev,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Value<T> {
        let (span, what, via) = match ev {
            Ev::List { span, .. } => (
                *span,
                "is a list, where one value is wanted".to_owned(),
                Vec::new(),
            ),
            Ev::Map { span, .. } => (
                *span,
                "is an object, where one value is wanted".to_owned(),
                Vec::new(),
            ),
            Ev::Str { value, span, via } => match (parse(value), property.expected) {
                (Ok(value), _) => {
                    return Value::Known {
                        value,
                        span: *span,
                        via: via.clone(),
                    };
                }
                (Err(reason), None) => {
                    return Value::Unknown {
                        reason,
                        span: *span,
                        via: via.clone(),
                    };
                }
                (Err(_), Some(expected)) => (
                    *span,
                    format!("is `{}`, not {expected}", value.trim()),
                    via.clone(),
                ),
            },
            Ev::Null(_) | Ev::Unknown { .. } | Ev::NoValue(_) => return parsed(ev, parse),
        };
        let reason = format!("`{}` {what}", property.key);
        self.problem(
            span,
            format!(
                "{}: {reason}; analysed as {}",
                property.subject, property.analysed_as
            ),
        );
        Value::Unknown { reason, span, via }
    }

    pub(super) fn unresolved(
        &mut self,
        subject: impl Into<String>,
        reason: impl Into<String>,
        span: Span,
    ) {
        self.inventory.unresolved.push(Unresolved {
            subject: subject.into(),
            reason: reason.into(),
            span,
        });
    }

    pub(super) fn properties(&self, resource: &Resource<'_>, world: &World) -> Ev {
        match resource.props {
            Some(props) => self.template.eval(props, world, 0),
            None => Ev::Map {
                entries: Vec::new(),
                span: resource.span,
            },
        }
    }

    /// The properties of every resource of a type, evaluated where nothing is assumed.
    pub(super) fn evaluated(&self, kind: &str) -> Vec<(&'a Entry, Ev)> {
        let template = self.template;
        template
            .resources
            .iter()
            .filter(|entry| entry.value.get("Type").and_then(Node::as_str) == Some(kind))
            .filter_map(|entry| {
                let props = entry.value.get("Properties")?;
                Some((*entry, template.eval(props, &World::new(), 0)))
            })
            .collect()
    }
}
