//! Where a planned value points: the attribute, element or block in the `.tf` source when
//! it is there (with the plan location as a trace), else the plan itself.

use std::collections::BTreeSet;

use portcullis_ir::{Span, Trace, Value};

use super::gather::Instance;
use super::modules::references;
use super::plan::Plan;
use crate::json::{self, Json, Planned, State};
use crate::source::{SrcBlock, SrcExpr};

pub const UNKNOWN_AFTER_APPLY: &str = "known after apply";
pub const SENSITIVE: &str = "the value is sensitive in the plan";
/// The note of the trace at the plan location; the trace's span names the plan file.
const PLANNED: &str = "planned value";

/// One resource instance being converted.
pub(super) struct Res<'p, 'b, 'a> {
    pub(super) plan: &'p Plan<'b, 'a>,
    pub(super) instance: &'p Instance<'b, 'a>,
    pub(super) src: Option<&'p SrcBlock>,
    pub(super) config: Option<&'b Json<'a>>,
}

/// The attributes of a resource or of a nested block: planned values, the source block and
/// the configuration expressions at the same place.
#[derive(Clone, Copy)]
pub(super) struct Fields<'r, 'p, 'b, 'a> {
    pub(super) res: &'r Res<'p, 'b, 'a>,
    pub(super) planned: Planned<'b, 'a>,
    pub(super) src: Option<&'p SrcBlock>,
    pub(super) config: Option<&'b Json<'a>>,
    /// Whether the configuration of this block is known, so that an attribute it does not
    /// write is a provider default rather than a missing reference.
    pub(super) configured: bool,
    /// Where values point when the source has no block for them (an element of
    /// `ingress = [{...}]`, say) but the resource is in the source.
    pub(super) fallback: Option<Span>,
}

#[derive(Clone, Copy)]
pub(super) struct Attr<'r, 'p, 'b, 'a> {
    pub(super) fields: Fields<'r, 'p, 'b, 'a>,
    pub(super) planned: Planned<'b, 'a>,
    pub(super) src: Option<&'p SrcExpr>,
    pub(super) config: Option<&'b Json<'a>>,
}

impl<'p, 'b, 'a> Res<'p, 'b, 'a> {
    pub(super) fn fields(&self) -> Fields<'_, 'p, 'b, 'a> {
        Fields {
            res: self,
            planned: self.instance.values,
            src: self.src,
            config: self
                .config
                .and_then(|config| json::get(config, "expressions")),
            configured: self.config.is_some(),
            fallback: None,
        }
    }

    pub(super) fn span(&self) -> Span {
        self.src.map_or_else(
            || self.plan.plan_span(json::range(self.instance.node)),
            |block| block.span,
        )
    }

    pub(super) fn name_span(&self) -> Span {
        self.src.map_or_else(
            || {
                let node = json::get(self.instance.node, "address").unwrap_or(self.instance.node);
                self.plan.plan_span(json::range(node))
            },
            |block| block.labels,
        )
    }

    pub(super) fn own_id(&self) -> Value<String> {
        Value::known(self.instance.address.clone(), self.name_span())
    }

    pub(super) fn address(&self) -> String {
        self.instance.address.clone()
    }
}

impl<'r, 'p, 'b, 'a> Fields<'r, 'p, 'b, 'a> {
    pub(super) fn attr(self, name: &str) -> Attr<'r, 'p, 'b, 'a> {
        let config = self.config.and_then(|config| json::get(config, name));
        let mut planned = self.planned.get(name);
        // An unknown the configuration does not write is computed by the provider (a rule's
        // `source_security_group_id` beside its `cidr_blocks`): the attribute is not set.
        if self.configured && config.is_none() && matches!(planned.state(), State::Unknown) {
            planned = planned.unset();
        }
        Attr {
            fields: self,
            planned,
            src: self.src.and_then(|block| block.attrs.get(name)),
            config,
        }
    }

    /// The first attribute of `names` that is set (or unknown).
    pub(super) fn first(self, names: &[&str]) -> Option<Attr<'r, 'p, 'b, 'a>> {
        names
            .iter()
            .map(|name| self.attr(name))
            .find(|attr| !matches!(attr.planned.state(), State::Unset))
    }

    /// Nested blocks (planned as a list of objects), paired with the source blocks and the
    /// configuration expressions of the same name, in order.
    pub(super) fn nested(self, name: &str) -> Vec<Self> {
        let planned = self.planned.get(name);
        let items = match planned.value {
            Some(Json::Object(_)) => vec![planned],
            _ => planned.items(),
        };
        let src: Vec<&SrcBlock> = self.src.map(|block| block.nested(name)).unwrap_or_default();
        let config = self.config.and_then(|config| json::get(config, name));
        items
            .into_iter()
            .enumerate()
            .map(|(index, planned)| Self {
                res: self.res,
                planned,
                // The block of the same rank, or the only one (a dynamic block).
                src: src
                    .get(index)
                    .or_else(|| src.first().filter(|_| src.len() == 1))
                    .copied(),
                config: config.and_then(|config| match config {
                    Json::Array(_) => json::items(config).get(index),
                    _ => Some(config),
                }),
                configured: self.configured && config.is_some(),
                fallback: self.source_span(),
            })
            .collect()
    }

    /// An attribute path such as `vpc_config.security_group_ids`, over every nested block.
    pub(super) fn path(self, path: &str) -> Vec<Attr<'r, 'p, 'b, 'a>> {
        match path.split_once('.') {
            None => vec![self.attr(path)],
            Some((outer, rest)) => self
                .nested(outer)
                .into_iter()
                .flat_map(|inner| inner.path(rest))
                .collect(),
        }
    }

    /// The span of the block in the source, if it is there.
    pub(super) fn source_span(self) -> Option<Span> {
        self.src.map(|block| block.span).or(self.fallback)
    }

    /// The span of the block itself, for values it does not write.
    pub(super) fn span(self) -> Span {
        self.source_span()
            .unwrap_or_else(|| self.res.plan.plan_span(self.planned.range()))
    }
}

impl<'b> Attr<'_, '_, 'b, '_> {
    pub(super) fn is_set(self) -> bool {
        !matches!(self.planned.state(), State::Unset)
    }

    /// The span a value points at, and the plan location as a trace when that is in `.tf`.
    pub(super) fn locate(
        self,
        planned: Planned<'_, '_>,
        element: Option<(usize, usize)>,
    ) -> (Span, Vec<Trace>) {
        let plan = self.fields.res.plan;
        let plan_span = plan.plan_span(planned.range());
        let source_span = match self.src {
            Some(expr) => Some(expr.element(element)),
            None => self.fields.source_span(),
        };
        match source_span {
            Some(span) => (span, vec![Trace::new(plan_span, PLANNED.to_owned())]),
            None => (plan_span, Vec::new()),
        }
    }

    pub(super) fn make<T>(
        self,
        planned: Planned<'_, '_>,
        element: Option<(usize, usize)>,
        parse: &impl Fn(&Json<'_>) -> Result<T, String>,
    ) -> Option<Value<T>> {
        let (span, via) = self.locate(planned, element);
        let value = match planned.state() {
            State::Unset => return None,
            State::Unknown => Value::unknown(UNKNOWN_AFTER_APPLY, span),
            State::Sensitive => Value::unknown(SENSITIVE, span),
            State::Present(json) => match parse(json) {
                Ok(value) => Value::known(value, span),
                Err(reason) => Value::unknown(reason, span),
            },
        };
        Some(value.with_via(via))
    }

    /// The value when the plan does not know it (after apply, or sensitive): a whole set of
    /// inline statements, say.
    pub(super) fn unknown<T>(self) -> Option<Value<T>> {
        match self.planned.state() {
            State::Unknown | State::Sensitive => {
                self.make(self.planned, None, &|_: &Json<'_>| Err(String::new()))
            }
            State::Unset | State::Present(_) => None,
        }
    }

    pub(super) fn value<T>(
        self,
        parse: impl Fn(&Json<'_>) -> Result<T, String>,
    ) -> Option<Value<T>> {
        self.make(self.planned, None, &parse)
    }

    /// The elements of a list attribute (a scalar counts as one); a whole unknown or
    /// sensitive list is one unknown element.
    pub(super) fn values<T>(self, parse: impl Fn(&Json<'_>) -> Result<T, String>) -> Vec<Value<T>> {
        match self.planned.state() {
            State::Present(Json::Array(_)) => {
                let items = self.planned.items();
                let len = items.len();
                items
                    .into_iter()
                    .enumerate()
                    .filter_map(|(index, item)| self.make(item, Some((index, len)), &parse))
                    .collect()
            }
            _ => self.make(self.planned, None, &parse).into_iter().collect(),
        }
    }

    /// The references the configuration names for this attribute.
    pub(super) fn references(self) -> Vec<&'b str> {
        self.config.map(references).unwrap_or_default()
    }

    /// Values that name other resources (a rule's group, an instance's groups, a subnet's
    /// VPC): a planned id of a resource in the plan becomes its address; a value known only
    /// after apply becomes the address its configuration references, when that is one
    /// resource of `targets`.
    pub(super) fn link(self, targets: &[&str]) -> Vec<Value<String>> {
        let res = self.fields.res;
        let plan = res.plan;
        let mut values = self.values(json::to_text);
        let mut linked = BTreeSet::new();
        for value in &mut values {
            if let Value::Known { value: id, .. } = value
                && let Some(address) = plan.ids.get(id.as_str())
            {
                linked.insert(address.clone());
                id.clone_from(address);
            }
        }
        let mut resolved: Vec<String> = Vec::new();
        for reference in self.references() {
            if let Some(address) = plan.resolve(
                &res.instance.module,
                reference,
                targets,
                &res.instance.key,
                0,
            ) && !linked.contains(&address)
                && !resolved.contains(&address)
            {
                resolved.push(address);
            }
        }
        let unknown: Vec<usize> = values
            .iter()
            .enumerate()
            .filter(|(_, value)| value.unknown_reason() == Some(UNKNOWN_AFTER_APPLY))
            .map(|(index, _)| index)
            .collect();
        let whole = matches!(self.planned.state(), State::Unknown);
        if resolved.is_empty() || !(whole || unknown.len() == resolved.len()) {
            return values;
        }
        if whole {
            let (span, via) = self.locate(self.planned, None);
            return resolved
                .into_iter()
                .map(|address| Value::known(address, span).with_via(via.clone()))
                .collect();
        }
        for (index, address) in unknown.into_iter().zip(resolved) {
            if let Some(value) = values.get_mut(index) {
                let (span, via) = (value.span(), value.via().to_vec());
                *value = Value::known(address, span).with_via(via);
            }
        }
        values
    }

    /// One linked value, or an unknown at the block when the attribute is not set.
    pub(super) fn link_one(self, targets: &[&str], name: &str) -> Value<String> {
        self.link(targets)
            .into_iter()
            .next()
            .unwrap_or_else(|| Value::unknown(format!("{name} is not set"), self.fields.span()))
    }
}
