//! Type constraints of variables (`type = map(object({ port = optional(number, 22) }))`):
//! values are converted as Terraform converts them, so that optional attributes exist with
//! their default or null, and numbers and strings meet where the type says.

use hcl_edit::expr::{Expression, ObjectKey};

use super::context::Ctx;
use super::frame::Frame;
use crate::syntax::{Expr, Json, Src};
use crate::value::{Kind, V};

/// Deepest type constraint followed.
const MAX_TYPE_DEPTH: usize = 32;

pub fn conform(ctx: &Ctx<'_>, value: V, ty: Expr<'_>) -> V {
    match ty {
        Expr::Hcl(ty, src) => conform_hcl(ctx, value, ty, src, 0),
        // In JSON, the type is a string holding the HCL type expression.
        Expr::Json(Json::Str(text, _), src) => {
            match portcullis_terraform_core::hcl::parse_expr(text) {
                Some(parsed) => {
                    let src = Src {
                        fixed: Some(ty.span()),
                        ..src
                    };
                    conform_hcl(ctx, value, &parsed, src, 0)
                }
                None => value,
            }
        }
        Expr::Json(..) => value,
    }
}

fn conform_hcl(ctx: &Ctx<'_>, value: V, ty: &Expression, src: Src<'_>, depth: usize) -> V {
    if depth > MAX_TYPE_DEPTH || value.is_null() || value.unknown_reason().is_some() {
        return value;
    }
    match ty {
        Expression::Variable(name) => primitive(value, name.value().as_str()),
        Expression::FuncCall(call) => {
            let mut args = call.args.iter();
            let (name, arg) = (call.name.name.value().as_str(), args.next());
            let next = |value: V, ty: &Expression| conform_hcl(ctx, value, ty, src, depth + 1);
            match (name, arg, value.kind) {
                ("list" | "set", Some(element), Kind::List(items)) => V {
                    kind: Kind::List(items.into_iter().map(|item| next(item, element)).collect()),
                    ..value
                },
                ("map", Some(element), Kind::Map(map)) => V {
                    kind: Kind::Map(
                        map.into_iter()
                            .map(|(key, item)| (key, next(item, element)))
                            .collect(),
                    ),
                    ..value
                },
                ("tuple", Some(Expression::Array(types)), Kind::List(items)) => {
                    let mut types = types.iter();
                    let items = items
                        .into_iter()
                        .map(|item| match types.next() {
                            Some(ty) => next(item, ty),
                            None => item,
                        })
                        .collect();
                    V {
                        kind: Kind::List(items),
                        ..value
                    }
                }
                ("object", Some(Expression::Object(attrs)), Kind::Map(mut map)) => {
                    for (key, attr) in attrs {
                        let name = match key {
                            ObjectKey::Ident(ident) => ident.value().as_str().to_owned(),
                            ObjectKey::Expression(Expression::Variable(ident)) => {
                                ident.value().as_str().to_owned()
                            }
                            ObjectKey::Expression(Expression::String(text)) => text.value().clone(),
                            ObjectKey::Expression(_) => continue,
                        };
                        let (attr_ty, default, optional) = match attr.expr() {
                            Expression::FuncCall(call)
                                if call.name.name.value().as_str() == "optional" =>
                            {
                                let mut args = call.args.iter();
                                (args.next(), args.next(), true)
                            }
                            other => (Some(other), None, false),
                        };
                        let current = map.remove(&name).filter(|item| !item.is_null());
                        let filled = match (current, default) {
                            (Some(item), _) => Some(item),
                            (None, Some(default)) => {
                                Some(ctx.eval(Expr::Hcl(default, src), &Frame::default()))
                            }
                            (None, None) if optional => Some(V::new(Kind::Null, value.span)),
                            (None, None) => None,
                        };
                        if let Some(item) = filled {
                            let item = match attr_ty {
                                Some(ty) => next(item, ty),
                                None => item,
                            };
                            map.insert(name, item);
                        }
                    }
                    V {
                        kind: Kind::Map(map),
                        ..value
                    }
                }
                (_, _, kind) => V { kind, ..value },
            }
        }
        _ => value,
    }
}

/// `"22"` is a number where the type says number, `22` a string where it says string.
fn primitive(value: V, ty: &str) -> V {
    let kind = match (ty, &value.kind) {
        ("string", Kind::Num(_) | Kind::Bool(_)) => value.to_text().map(Kind::Str).ok(),
        ("number", Kind::Str(_)) => value.to_num().map(Kind::Num).ok(),
        ("bool", Kind::Str(_)) => value.to_bool().map(Kind::Bool).ok(),
        _ => None,
    };
    match kind {
        Some(kind) => V { kind, ..value },
        None => value,
    }
}
