//! Module calls: their instances, the variables each child gets, and their outputs.

use std::collections::BTreeMap;
use std::rc::Rc;

use hcl_edit::expr::TraversalOperator;
use portcullis_ir::Span;

use super::context::{Children, Ctx, Resolution};
use super::frame::Frame;
use super::instances::Key;
use super::variables::{nullable, typed, variable_default};
use crate::limits::{Limit, MAX_MODULE_DEPTH};
use crate::models::{self, ModelCall, ModelInstance};
use crate::syntax::{Block, Src};
use crate::value::{Kind, V};

/// The arguments of a module block that are not the module's variables.
const RESERVED: [&str; 6] = [
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

impl<'a> Ctx<'a> {
    pub(super) fn module_output(
        &self,
        name: &str,
        ops: &[&TraversalOperator],
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        let Some(call) = self.module.call(name) else {
            return V::error(
                format!("module.{name} is not declared in this module"),
                span,
            );
        };
        let children = self.children(call);
        let instances = match &*children {
            Children::Instances(instances) => instances,
            Children::Model(instances) => {
                return self.model_output(name, instances, ops, src, frame, span);
            }
            Children::Unresolved { reason, .. } => {
                return V::unknown(format!("module.{name}: {reason}"), span);
            }
        };
        let call_expanded = self.module.call(name).is_some_and(|block| {
            block.body.attr("count").is_some() || block.body.attr("for_each").is_some()
        });
        let output_of = |child: &Ctx<'a>, ops: &[&TraversalOperator]| -> V {
            let Some(TraversalOperator::GetAttr(output)) = ops.first() else {
                return V::unknown(format!("module.{name} is used as a whole"), span);
            };
            let output = output.value().as_str();
            let Some(block) = child.module.outputs.get(output) else {
                return V::error(format!("module.{name} has no output {output}"), span);
            };
            let Some(attr) = block.body.attr("value") else {
                return V::unknown(
                    format!("output {output} of module.{name} has no value"),
                    span,
                );
            };
            let value = child.eval(attr.expr, &Frame::default());
            let value = self.through(&value, span, |value| {
                format!("module.{name}.{output} = {}", value.render())
            });
            self.apply_ops(value, ops.get(1..).unwrap_or(&[]), src, frame, span)
        };
        self.instances_output(
            name,
            instances,
            call_expanded,
            |child| child.instance.as_ref(),
            |child, ops| output_of(child, ops),
            ops,
            src,
            frame,
            span,
        )
    }

    /// The instances of a module call, evaluated once.
    pub fn children(&self, block: &Block<'a>) -> Rc<Children<'a>> {
        let name = block.label(0);
        if let Some(found) = self.children.borrow().get(name) {
            return Rc::clone(found);
        }
        let key = format!("module.{name}");
        if !self.active.borrow_mut().insert(key.clone()) {
            return Rc::new(Children::Unresolved {
                reason: "the module's inputs depend on its own outputs".to_owned(),
                span: block.labels_span,
            });
        }
        let children = Rc::new(self.instantiate(block));
        self.active.borrow_mut().remove(&key);
        self.children
            .borrow_mut()
            .insert(name.to_owned(), Rc::clone(&children));
        children
    }

    pub(super) fn instantiate(&self, block: &Block<'a>) -> Children<'a> {
        let name = block.label(0);
        let span = block.labels_span;
        let unresolved = |reason: String| Children::Unresolved { reason, span };
        let module_key = if self.key.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.key)
        };
        let dir = match self
            .world
            .resolutions
            .get(&(self.dir.clone(), module_key.clone()))
        {
            Some(Resolution::Dir(dir)) => dir.clone(),
            Some(Resolution::Model(model)) => return self.modelled(block, model),
            Some(Resolution::Unresolved(reason)) => return unresolved(reason.clone()),
            None => return unresolved("the module source is not a literal string".to_owned()),
        };
        if self.ancestors.contains(&dir) {
            return unresolved(format!("module cycle through {}", dir.display()));
        }
        if self.ancestors.len() > MAX_MODULE_DEPTH {
            self.env.limit(span, Limit::ModuleDepth);
            return unresolved(Limit::ModuleDepth.to_string());
        }
        let Some(module) = self.world.modules.get(&dir) else {
            return unresolved(format!("{} holds no Terraform file", dir.display()));
        };
        let instances = self.expand(block).1.clone();
        // Instantiating costs steps, so that diamonds of modules cannot multiply without bound.
        let cost = u64::try_from(instances.len())
            .unwrap_or(u64::MAX)
            .saturating_mul(1000);
        if let Err(stop) = self.env.charge(cost) {
            self.env.stopped(span, stop);
            return unresolved("the evaluation budget is spent".to_owned());
        }
        let children = instances
            .into_iter()
            .map(|instance| {
                let suffix = instance.key.as_ref().map(Key::suffix).unwrap_or_default();
                let address = format!("{}module.{name}{suffix}", self.prefix);
                let mut args: BTreeMap<&str, V> = BTreeMap::new();
                for attr in block.body.attrs() {
                    if !RESERVED.contains(&attr.name) {
                        args.insert(attr.name, self.eval(attr.expr, &instance.frame));
                    }
                }
                let mut vars = BTreeMap::new();
                for (var_name, var_block) in &module.variables {
                    let entry = match args.remove(var_name) {
                        // `nullable = false`: a null argument means the default.
                        Some(value) if value.is_null() && !nullable(var_block) => {
                            variable_default(self, var_block, &address)
                        }
                        Some(value) => (value, format!(" (argument of {address})")),
                        None => variable_default(self, var_block, &address),
                    };
                    vars.insert((*var_name).to_owned(), typed(self, var_block, entry));
                }
                let mut child = Ctx::new(self.env, self.world, module, dir.clone(), vars);
                child.prefix = format!("{address}.");
                child.key.clone_from(&module_key);
                child.ancestors = self
                    .ancestors
                    .iter()
                    .cloned()
                    .chain([dir.clone()])
                    .collect();
                child.assumptions = self
                    .assumptions
                    .iter()
                    .cloned()
                    .chain(instance.assumptions)
                    .collect();
                child.instance = instance.key;
                Rc::new(child)
            })
            .collect();
        Children::Instances(children)
    }
}

impl<'a> Ctx<'a> {
    /// The instances of a call that a model stands for, with their evaluated arguments.
    fn modelled(&self, block: &Block<'_>, model: &ModelCall) -> Children<'a> {
        let name = block.label(0);
        let span = block.labels_span;
        let instances = self.expand(block).1.clone();
        let cost = u64::try_from(instances.len())
            .unwrap_or(u64::MAX)
            .saturating_mul(1000);
        if let Err(stop) = self.env.charge(cost) {
            self.env.stopped(span, stop);
            return Children::Unresolved {
                reason: "the evaluation budget is spent".to_owned(),
                span,
            };
        }
        let origin = block
            .body
            .attr("version")
            .or_else(|| block.body.attr("source"))
            .map_or(span, |attr| attr.expr.span());
        let children = instances
            .into_iter()
            .map(|instance| {
                let suffix = instance.key.as_ref().map(Key::suffix).unwrap_or_default();
                let args = block
                    .body
                    .attrs()
                    .into_iter()
                    .filter(|attr| !RESERVED.contains(&attr.name))
                    .map(|attr| (attr.name.to_owned(), self.eval(attr.expr, &instance.frame)))
                    .collect();
                Rc::new(ModelInstance {
                    model: model.clone(),
                    address: format!("{}module.{name}{suffix}", self.prefix),
                    instance: instance.key,
                    args,
                    assumptions: self
                        .assumptions
                        .iter()
                        .cloned()
                        .chain(instance.assumptions)
                        .collect(),
                    span: block.span,
                    labels_span: span,
                    origin,
                })
            })
            .collect();
        Children::Model(children)
    }

    /// `module.NAME.OUTPUT` of a modelled call.
    fn model_output(
        &self,
        name: &str,
        instances: &[Rc<ModelInstance>],
        ops: &[&TraversalOperator],
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        let output_of = |instance: &ModelInstance, ops: &[&TraversalOperator]| -> V {
            let Some(TraversalOperator::GetAttr(output)) = ops.first() else {
                return V::unknown(format!("module.{name} is used as a whole"), span);
            };
            let value = models::output(instance, output.value().as_str(), span);
            self.apply_ops(value, ops.get(1..).unwrap_or(&[]), src, frame, span)
        };
        let expanded = instances.iter().any(|instance| instance.instance.is_some());
        self.instances_output(
            name,
            instances,
            expanded,
            |instance| instance.instance.as_ref(),
            |instance, ops| output_of(instance, ops),
            ops,
            src,
            frame,
            span,
        )
    }

    /// `module.NAME...` over a call's instances: the one instance of a call without `count` or
    /// `for_each`, the instance an index selects (only `module.x[key]`: the legacy `module.x.0`
    /// is not read), or every instance under a splat.
    #[allow(clippy::too_many_arguments)]
    fn instances_output<T>(
        &self,
        name: &str,
        instances: &[T],
        expanded: bool,
        key_of: impl Fn(&T) -> Option<&Key>,
        output_of: impl Fn(&T, &[&TraversalOperator]) -> V,
        ops: &[&TraversalOperator],
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        if !expanded {
            return match instances.first() {
                Some(instance) => output_of(instance, ops),
                None => V::error(format!("module.{name} has no instance"), span),
            };
        }
        if let Some(op @ TraversalOperator::Index(_)) = ops.first() {
            let address = format!("{}module.{name}", self.prefix);
            let selected = self.select(instances, key_of, op, &address, src, frame, span);
            if let Some(selected) = selected {
                return selected.map_or_else(
                    |unknown| unknown,
                    |instance| output_of(instance, ops.get(1..).unwrap_or(&[])),
                );
            }
        }
        match ops.first() {
            Some(TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)) => {
                let rest = ops.get(1..).unwrap_or(&[]);
                V::new(
                    Kind::List(
                        instances
                            .iter()
                            .map(|instance| output_of(instance, rest))
                            .collect(),
                    ),
                    span,
                )
            }
            _ => V::unknown(format!("module.{name} has several instances"), span),
        }
    }
}
