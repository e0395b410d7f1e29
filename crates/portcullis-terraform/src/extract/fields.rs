//! The attributes of a block or of an object value, evaluated on demand, including the blocks
//! `dynamic` generates.

use std::collections::BTreeMap;

use portcullis_ir::{Span, Trace};

use crate::eval::{Ctx, Frame, iterate};
use crate::syntax::Body;
use crate::value::{Kind, V};

/// The attributes of a rule statement, from a block (evaluated on demand) or an object value.
pub(super) enum Fields<'c, 'a> {
    Body {
        ctx: &'c Ctx<'a>,
        body: Body<'c>,
        frame: Frame,
    },
    Map(BTreeMap<String, V>),
}

impl Fields<'_, '_> {
    /// The attribute's value; `None` when absent or null.
    pub(super) fn get(&self, name: &str) -> Option<V> {
        let value = match self {
            Self::Body { ctx, body, frame } => ctx.eval(body.attr(name)?.expr, frame),
            Self::Map(map) => map.get(name)?.clone(),
        };
        (!value.is_null()).then_some(value)
    }

    /// The nested blocks `outer` (static or dynamic), or the objects of an attribute `outer`.
    pub(super) fn nested(&self, outer: &str) -> Vec<Self> {
        match self {
            Self::Body { ctx, body, frame } => {
                let blocks = block_instances(ctx, *body, frame, outer);
                if blocks.is_empty() {
                    return self.get(outer).map(object_fields).unwrap_or_default();
                }
                blocks
                    .into_iter()
                    .map(|instance| Self::Body {
                        ctx,
                        body: instance.body,
                        frame: instance.frame,
                    })
                    .collect()
            }
            Self::Map(_) => self.get(outer).map(object_fields).unwrap_or_default(),
        }
    }

    /// An attribute path such as `vpc_config.security_group_ids`, over every nested block.
    pub(super) fn path(&self, path: &str) -> Vec<V> {
        match path.split_once('.') {
            None => self.get(path).into_iter().collect(),
            Some((outer, rest)) => self
                .nested(outer)
                .iter()
                .flat_map(|inner| inner.path(rest))
                .collect(),
        }
    }
}

pub(super) fn object_fields<'c, 'a>(value: V) -> Vec<Fields<'c, 'a>> {
    match value.kind {
        Kind::Map(map) => vec![Fields::Map(map)],
        Kind::List(items) => items
            .into_iter()
            .filter_map(|item| match item.kind {
                Kind::Map(map) => Some(Fields::Map(map)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A block that may come from `dynamic`: its body, bindings, span and assumptions.
pub(super) struct BlockInstance<'c> {
    pub(super) body: Body<'c>,
    pub(super) frame: Frame,
    pub(super) span: Span,
    pub(super) order: u32,
    pub(super) assumptions: Vec<Trace>,
}

/// Static blocks named `ident` and the blocks `dynamic "ident"` generates, in source order.
pub(super) fn block_instances<'c>(
    ctx: &Ctx<'_>,
    body: Body<'c>,
    frame: &Frame,
    ident: &str,
) -> Vec<BlockInstance<'c>> {
    let mut out: Vec<BlockInstance<'c>> = body
        .blocks_named(ident)
        .into_iter()
        .map(|block| BlockInstance {
            body: block.body,
            frame: frame.clone(),
            span: block.span,
            order: block.span.start,
            assumptions: Vec::new(),
        })
        .collect();
    for dynamic in body
        .blocks_named("dynamic")
        .into_iter()
        .filter(|block| block.label(0) == ident)
    {
        let Some(content) = dynamic.body.blocks_named("content").into_iter().next() else {
            continue;
        };
        let iterator = dynamic
            .body
            .attr("iterator")
            .and_then(|attr| attr.expr.as_ident())
            .unwrap_or(ident);
        let Some(for_each) = dynamic.body.attr("for_each") else {
            continue;
        };
        let collection = ctx.eval(for_each.expr, frame);
        let bind = |key: V, value: V| {
            let mut map = BTreeMap::new();
            map.insert("key".to_owned(), key);
            map.insert("value".to_owned(), value);
            frame.with(iterator, V::new(Kind::Map(map), for_each.expr.span()))
        };
        match iterate(&collection) {
            Ok(items) => {
                for (key, value) in items {
                    out.push(BlockInstance {
                        body: content.body,
                        frame: bind(key, value),
                        span: content.span,
                        order: dynamic.span.start,
                        assumptions: Vec::new(),
                    });
                }
            }
            Err(reason) => {
                let unknown = V::unknown(reason.clone(), for_each.expr.span());
                out.push(BlockInstance {
                    body: content.body,
                    frame: bind(unknown.clone(), unknown),
                    span: content.span,
                    order: dynamic.span.start,
                    assumptions: vec![Trace::new(for_each.expr.span(), format!("for_each of dynamic \"{ident}\" is unknown ({reason}); one block is assumed"))],
                });
            }
        }
    }
    out.sort_by_key(|instance| instance.order);
    out
}
