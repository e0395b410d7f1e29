//! How a resource or module block expands (`count`, `for_each`, or one instance), and which
//! instance an index after its address selects.

use std::collections::BTreeMap;
use std::rc::Rc;

use hcl_edit::expr::TraversalOperator;
use portcullis_ir::{Span, Trace};

use super::context::Ctx;
use super::frame::Frame;
use super::instances::{Expanded, Expansion, Instance, Key};
use super::iteration::for_each_items;
use crate::limits::{Limit, MAX_ITEMS};
use crate::syntax::{Block, Expr, Src};
use crate::value::{Kind, V};

impl<'a> Ctx<'a> {
    /// The instances of a resource or module block: `count`, `for_each`, or one.
    pub fn expand(&self, block: &Block<'_>) -> Rc<Expanded> {
        if let Some(found) = self.expansions.borrow().get(&block.span) {
            return Rc::clone(found);
        }
        let expanded = Rc::new(self.expand_uncached(block));
        self.expansions
            .borrow_mut()
            .insert(block.span, Rc::clone(&expanded));
        expanded
    }

    pub(super) fn expand_uncached(&self, block: &Block<'_>) -> Expanded {
        let base = Frame::default();
        if let Some(count) = block.body.attr("count") {
            let value = self.eval(count.expr, &base);
            let instances = match value.to_i64() {
                Ok(number) => {
                    let number = usize::try_from(number).unwrap_or(0);
                    if number > MAX_ITEMS {
                        self.env.limit(count.expr.span(), Limit::Count);
                    }
                    (0..number.min(MAX_ITEMS))
                        .map(|index| Instance {
                            key: Some(Key::Index(index)),
                            frame: base.with("count", index_object(index, count.expr.span())),
                            assumptions: Vec::new(),
                        })
                        .collect()
                }
                Err(reason) => vec![Instance {
                    key: Some(Key::Index(0)),
                    frame: base.with("count", index_object(0, count.expr.span())),
                    assumptions: vec![Trace::new(
                        count.expr.span(),
                        format!("count is unknown ({reason}); at least one instance is assumed"),
                    )],
                }],
            };
            return (Expansion::Count, instances);
        }
        if let Some(for_each) = block.body.attr("for_each") {
            let value = self.eval(for_each.expr, &base);
            let span = for_each.expr.span();
            let instances = match for_each_items(&value) {
                Ok(items) => {
                    if items.len() > MAX_ITEMS {
                        self.env.limit(span, Limit::ForEach);
                    }
                    items
                        .into_iter()
                        .take(MAX_ITEMS)
                        .map(|(key, value)| Instance {
                            frame: base.with("each", each_object(&key, value, span)),
                            key: Some(Key::Name(key)),
                            assumptions: Vec::new(),
                        })
                        .collect()
                }
                Err(reason) => {
                    let unknown = V::unknown(format!("for_each is unknown ({reason})"), span);
                    let mut each = BTreeMap::new();
                    each.insert("key".to_owned(), unknown.clone());
                    each.insert("value".to_owned(), unknown);
                    vec![Instance {
                        key: Some(Key::Unknown),
                        frame: base.with("each", V::new(Kind::Map(each), span)),
                        assumptions: vec![Trace::new(
                            span,
                            format!("for_each is unknown ({reason}); one instance is assumed"),
                        )],
                    }]
                }
            };
            return (Expansion::ForEach, instances);
        }
        (
            Expansion::Single,
            vec![Instance {
                key: None,
                frame: base,
                assumptions: Vec::new(),
            }],
        )
    }
}

impl Ctx<'_> {
    /// The instance of a `count` or `for_each` expansion that an index after its address
    /// selects (`aws_instance.web[0]`, `module.sg["a"]`, the legacy `aws_instance.web.0`), or
    /// the value that stands for it when it does not exist or the key is unknown; `None` when
    /// `op` is not an index.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn select<'i, T>(
        &self,
        instances: &'i [T],
        key_of: impl Fn(&T) -> Option<&Key>,
        op: &TraversalOperator,
        address: &str,
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> Option<Result<&'i T, V>> {
        let key = match op {
            TraversalOperator::Index(expr) => self.eval(Expr::Hcl(expr, src), frame),
            TraversalOperator::LegacyIndex(number) => {
                V::new(Kind::Num(*number.value() as f64), span)
            }
            _ => return None,
        };
        Some(pick(instances, key_of, &key, address, span))
    }
}

/// The instance of a `count` or `for_each` expansion that `key` selects; an instance assumed
/// for an unknown `for_each` answers every key.
fn pick<'i, T>(
    items: &'i [T],
    key_of: impl Fn(&T) -> Option<&Key>,
    key: &V,
    address: &str,
    span: Span,
) -> Result<&'i T, V> {
    let wanted = match &key.kind {
        Kind::Num(_) => key
            .to_i64()
            .ok()
            .and_then(|index| usize::try_from(index).ok())
            .map(Key::Index),
        Kind::Str(text) => Some(Key::Name(text.clone())),
        Kind::Unknown(_) | Kind::Error(_) => return Err(V::new(key.kind.clone(), span)),
        _ => None,
    };
    let Some(wanted) = wanted else {
        return Err(V::error(
            format!("{address} cannot be indexed by a {}", key.type_name()),
            span,
        ));
    };
    items
        .iter()
        .find(|item| matches!(key_of(item), Some(found) if *found == wanted || *found == Key::Unknown))
        .ok_or_else(|| V::error(format!("{address}{} does not exist", wanted.suffix()), span))
}

fn index_object(index: usize, span: Span) -> V {
    let mut map = BTreeMap::new();
    #[allow(clippy::cast_precision_loss)]
    map.insert("index".to_owned(), V::new(Kind::Num(index as f64), span));
    V::new(Kind::Map(map), span)
}

fn each_object(key: &str, value: V, span: Span) -> V {
    let mut map = BTreeMap::new();
    map.insert("key".to_owned(), V::str(key, span));
    map.insert("value".to_owned(), value);
    V::new(Kind::Map(map), span)
}
