//! Attribute access, indexing and splats applied to a value.

use hcl_edit::expr::TraversalOperator;
use portcullis_ir::Span;

use super::context::Ctx;
use super::frame::Frame;
use crate::syntax::{Expr, Src};
use crate::value::{Kind, V};

impl<'a> Ctx<'a> {
    pub fn apply_ops(
        &self,
        mut value: V,
        ops: &[&TraversalOperator],
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        for (index, op) in ops.iter().enumerate() {
            if value.unknown_reason().is_some() {
                return V { span, ..value };
            }
            value = match op {
                TraversalOperator::GetAttr(name) => get_attr(value, name.value().as_str(), span),
                TraversalOperator::Index(expr) => {
                    let key = self.eval(Expr::Hcl(expr, src), frame);
                    index_value(value, &key, span)
                }
                TraversalOperator::LegacyIndex(number) => {
                    let key = V::new(Kind::Num(*number.value() as f64), span);
                    index_value(value, &key, span)
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let rest = ops.get(index + 1..).unwrap_or(&[]);
                    let items = match value.kind {
                        Kind::Null => Vec::new(),
                        Kind::List(items) => items,
                        _ => vec![value],
                    };
                    let mapped = items
                        .into_iter()
                        .map(|item| self.apply_ops(item, rest, src, frame, span))
                        .collect();
                    return V::new(Kind::List(mapped), span);
                }
            };
        }
        value
    }
}

fn get_attr(value: V, name: &str, span: Span) -> V {
    if let Some(failure) = value.failure_at(span) {
        return failure;
    }
    match value.kind {
        Kind::Map(mut map) => map
            .remove(name)
            .unwrap_or_else(|| V::error(format!("attribute {name} is not set"), span)),
        _ => V::error(
            format!("a {} has no attribute {name}", value.type_name()),
            span,
        ),
    }
}

fn index_value(value: V, key: &V, span: Span) -> V {
    if let Some(failure) = key.failure_at(span).or_else(|| value.failure_at(span)) {
        return failure;
    }
    match value.kind {
        Kind::List(items) => match key
            .to_i64()
            .ok()
            .and_then(|index| usize::try_from(index).ok())
        {
            Some(index) => {
                let len = items.len();
                items.into_iter().nth(index).unwrap_or_else(|| {
                    V::error(
                        format!("index {index} is out of range (length {len})"),
                        span,
                    )
                })
            }
            None => V::error("a list index must be a whole number", span),
        },
        Kind::Map(mut map) => match key.to_text() {
            Ok(text) => map
                .remove(&text)
                .unwrap_or_else(|| V::error(format!("key {text:?} is not in the map"), span)),
            Err(reason) => V::error(reason, span),
        },
        _ => V::error(format!("a {} cannot be indexed", value.type_name()), span),
    }
}
