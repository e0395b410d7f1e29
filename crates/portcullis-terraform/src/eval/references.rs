//! Names: iteration variables, `var.`, `local.`, `path.`, data sources and resources.

use std::collections::BTreeMap;
use std::rc::Rc;

use hcl_edit::expr::TraversalOperator;
use portcullis_ir::Span;

use super::context::Ctx;
use super::frame::Frame;
use super::instances::{Expansion, Instance, Key};
use crate::syntax::{Block, Src};
use crate::value::{Kind, V};

impl<'a> Ctx<'a> {
    /// A traversal starting at a name: an iteration variable, `var`, `local`, `module`,
    /// `data`, `path`, `terraform`, or a resource type.
    pub(super) fn reference(
        &self,
        root: &str,
        ops: &[&TraversalOperator],
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        if let Some(value) = frame.get(root) {
            // `each.value` reads better in a trace than the whole `each` object.
            let field = match (ops.first(), &value.kind) {
                (Some(TraversalOperator::GetAttr(attr)), Kind::Map(map)) => {
                    let attr = attr.value().as_str();
                    map.get(attr).map(|field| (field, format!("{root}.{attr}")))
                }
                _ => None,
            };
            let (value, path, rest) = match field {
                Some((field, path)) => (field, path, ops.get(1..).unwrap_or(&[])),
                None => (value, root.to_owned(), ops),
            };
            let value = self.through(value, span, |value| format!("{path} = {}", value.render()));
            return self.apply_ops(value, rest, src, frame, span);
        }
        let attr = match ops.first() {
            Some(TraversalOperator::GetAttr(name)) => Some(name.value().as_str()),
            _ => None,
        };
        let rest = ops.get(1..).unwrap_or(&[]);
        let value = match (root, attr) {
            ("var", Some(name)) => match self.vars.get(name) {
                Some((value, note)) => self.through(value, span, |value| {
                    format!("var.{name} = {}{note}", value.render())
                }),
                None => V::error(format!("var.{name} is not declared"), span),
            },
            ("local", Some(name)) => {
                let value = self.local(name, span);
                self.through(&value, span, |value| {
                    format!("local.{name} = {}", value.render())
                })
            }
            ("path", Some("module")) => V::str(self.module.dir.clone(), span),
            ("path", Some("root" | "cwd")) => V::str(".", span),
            ("terraform", Some("workspace")) => V::str("default", span),
            ("count" | "each", Some(field)) => V::error(
                format!("{root}.{field} is used outside count or for_each"),
                span,
            ),
            ("module", Some(name)) => return self.module_output(name, rest, src, frame, span),
            ("data", Some(kind)) => return self.data_reference(kind, rest, src, frame, span),
            (kind, Some(name)) if self.module.has_resource_type(kind) => {
                return self.resource_reference(kind, name, rest, src, frame, span);
            }
            // A resource type (they all contain `_`) that this module does not declare.
            (kind, Some(name)) if kind.contains('_') => {
                return V::error(
                    format!("{kind}.{name} is not declared in this module"),
                    span,
                );
            }
            _ => return V::error(format!("`{root}` is not a known reference"), span),
        };
        self.apply_ops(value, rest, src, frame, span)
    }

    /// A value seen through a reference at `span`, with a trace noting `note`; copies count
    /// against the memory budget.
    pub(super) fn through(&self, value: &V, span: Span, note: impl FnOnce(&V) -> String) -> V {
        if let Err(limit) = self.env.charge_bytes(value.weight()) {
            return self.env.limit(span, limit);
        }
        let note = note(value);
        value.clone().through(span, &note)
    }

    pub fn local(&self, name: &str, span: Span) -> Rc<V> {
        if let Some(value) = self.locals.borrow().get(name) {
            return Rc::clone(value);
        }
        let Some(attr) = self.module.locals.get(name) else {
            return Rc::new(V::error(format!("local.{name} is not declared"), span));
        };
        let key = format!("local.{name}");
        if !self.active.borrow_mut().insert(key.clone()) {
            return Rc::new(V::unknown(format!("local.{name} refers to itself"), span));
        }
        let value = Rc::new(self.eval(attr.expr, &Frame::default()));
        self.active.borrow_mut().remove(&key);
        self.locals
            .borrow_mut()
            .insert(name.to_owned(), Rc::clone(&value));
        value
    }

    /// A data source is read at apply time, but an argument it is given is known
    /// (`data "aws_security_group" "bastion" { id = "sg-0123" }` makes `.id` known).
    pub(super) fn data_reference(
        &self,
        kind: &str,
        ops: &[&TraversalOperator],
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        let name = match ops.first() {
            Some(TraversalOperator::GetAttr(name)) => name.value().as_str(),
            _ => "",
        };
        let unknown = || V::unknown(format!("data.{kind}.{name} is read at apply time"), span);
        let Some(block) = self.module.data_source(kind, name) else {
            return unknown();
        };
        let expanded = block.body.attr("count").is_some() || block.body.attr("for_each").is_some();
        let argument = match ops.get(1) {
            Some(TraversalOperator::GetAttr(attr)) if !expanded => {
                block.body.attr(attr.value().as_str())
            }
            _ => None,
        };
        let Some(argument) = argument else {
            return unknown();
        };
        let key = format!("data.{kind}.{name}.{}", argument.name);
        if !self.active.borrow_mut().insert(key.clone()) {
            return V::unknown(format!("{key} refers to itself"), span);
        }
        let value = self.eval(argument.expr, &Frame::default());
        self.active.borrow_mut().remove(&key);
        let value = self.through(&value, span, |value| format!("{key} = {}", value.render()));
        self.apply_ops(value, ops.get(2..).unwrap_or(&[]), src, frame, span)
    }

    /// `aws_security_group.web.id` is the group's address, the identity the IR uses; other
    /// attributes are known when the configuration writes them (`aws_vpc.main.cidr_block`).
    pub(super) fn resource_reference(
        &self,
        kind: &str,
        name: &str,
        ops: &[&TraversalOperator],
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        let Some(block) = self.module.resource(kind, name) else {
            return V::error(
                format!("{kind}.{name} is not declared in this module"),
                span,
            );
        };
        let expanded = self.expand(block);
        let (expansion, instances) = (expanded.0, &expanded.1);
        let address = format!("{}{kind}.{name}", self.prefix);
        let attr_of = |instance: &Instance, ops: &[&TraversalOperator]| -> V {
            let address = format!(
                "{address}{}",
                instance.key.as_ref().map(Key::suffix).unwrap_or_default()
            );
            let (value, rest) = match ops.first() {
                Some(TraversalOperator::GetAttr(attr)) => (
                    self.resource_attr(block, instance, &address, attr.value().as_str(), span),
                    ops.get(1..).unwrap_or(&[]),
                ),
                _ => {
                    let mut map = BTreeMap::new();
                    map.insert("id".to_owned(), V::str(address.clone(), span));
                    (V::new(Kind::Map(map), span), ops)
                }
            };
            self.apply_ops(value, rest, src, frame, span)
        };
        match expansion {
            Expansion::Single => match instances.first() {
                Some(instance) => attr_of(instance, ops),
                None => V::error(format!("{address} has no instance"), span),
            },
            Expansion::Count | Expansion::ForEach => {
                if let Some(op) = ops.first()
                    && let Some(selected) = self.select(
                        instances,
                        |instance| instance.key.as_ref(),
                        op,
                        &address,
                        src,
                        frame,
                        span,
                    )
                {
                    return selected.map_or_else(
                        |unknown| unknown,
                        |instance| attr_of(instance, ops.get(1..).unwrap_or(&[])),
                    );
                }
                self.all_instances(expansion, instances, ops, attr_of, src, frame, span)
            }
        }
    }

    /// An expanded resource without an instance key: a splat over its instances, or all of
    /// them as a list (`count`) or a map (`for_each`).
    #[allow(clippy::too_many_arguments)]
    fn all_instances(
        &self,
        expansion: Expansion,
        instances: &[Instance],
        ops: &[&TraversalOperator],
        attr_of: impl Fn(&Instance, &[&TraversalOperator]) -> V,
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        match ops.first() {
            Some(TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)) => {
                let rest = ops.get(1..).unwrap_or(&[]);
                let items = instances
                    .iter()
                    .map(|instance| attr_of(instance, rest))
                    .collect();
                V::new(Kind::List(items), span)
            }
            _ => {
                let items: Vec<(Option<Key>, V)> = instances
                    .iter()
                    .map(|instance| (instance.key.clone(), attr_of(instance, &[])))
                    .collect();
                let value = match expansion {
                    Expansion::ForEach => V::new(
                        Kind::Map(
                            items
                                .into_iter()
                                .map(|(key, value)| match key {
                                    Some(Key::Name(name)) => (name, value),
                                    _ => ("*".to_owned(), value),
                                })
                                .collect(),
                        ),
                        span,
                    ),
                    _ => V::new(
                        Kind::List(items.into_iter().map(|(_, value)| value).collect()),
                        span,
                    ),
                };
                self.apply_ops(value, ops, src, frame, span)
            }
        }
    }

    pub(super) fn resource_attr(
        &self,
        block: &Block<'_>,
        instance: &Instance,
        address: &str,
        attr: &str,
        span: Span,
    ) -> V {
        if attr == "id" {
            return V::str(address, span);
        }
        // A listener names its load balancer by ARN: the ARN stands for the balancer as its id does.
        if attr == "arn" && matches!(block.label(0), "aws_lb" | "aws_alb") {
            return V::str(address, span);
        }
        if attr == "default_security_group_id" && block.label(0) == "aws_vpc" {
            return V::str(default_group_id(address), span);
        }
        let Some(found) = block.body.attr(attr) else {
            return V::unknown(format!("{address}.{attr} is known only after apply"), span);
        };
        let key = format!("{address}.{attr}");
        if !self.active.borrow_mut().insert(key.clone()) {
            return V::unknown(format!("{key} refers to itself"), span);
        }
        let value = self.eval(found.expr, &instance.frame);
        self.active.borrow_mut().remove(&key);
        self.through(&value, span, |value| format!("{key} = {}", value.render()))
    }
}

/// The id of a VPC's default security group, as `aws_vpc.x.default_security_group_id` gives it.
pub fn default_group_id(vpc: &str) -> String {
    format!("{vpc}.default_security_group")
}
