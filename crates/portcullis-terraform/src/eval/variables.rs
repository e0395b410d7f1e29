//! Variable values: defaults, nullability, and conversion to the declared type.

use hcl_edit::expr::Expression;

use super::context::{Ctx, VarValue};
use super::frame::Frame;
use super::types::conform;
use crate::syntax::{Block, Expr, Json};
use crate::value::V;

/// Whether a variable accepts null (`nullable = false` turns a null into the default).
pub(super) fn nullable(block: &Block<'_>) -> bool {
    !block.body.attr("nullable").is_some_and(|attr| {
        matches!(attr.expr, Expr::Hcl(Expression::Bool(flag), _) if !*flag.value())
            || matches!(attr.expr, Expr::Json(Json::Bool(false, _), _))
    })
}

/// A variable's value converted to its declared type.
pub fn typed(ctx: &Ctx<'_>, block: &Block<'_>, (value, note): VarValue) -> VarValue {
    match block.body.attr("type") {
        Some(ty) => (conform(ctx, value, ty.expr), note),
        None => (value, note),
    }
}

/// A variable's default (constant: Terraform allows no references there, so any context
/// evaluates it), or an unknown naming the variable.
pub fn variable_default(ctx: &Ctx<'_>, block: &Block<'_>, owner: &str) -> VarValue {
    let name = block.label(0);
    let within = if owner.is_empty() {
        String::new()
    } else {
        format!(" in {owner}")
    };
    match block.body.attr("default") {
        // `default = null` makes the variable optional; its value is null.
        Some(attr) => (
            ctx.eval(attr.expr, &Frame::default()),
            format!(" (default{within})"),
        ),
        None => (
            V::unknown(
                format!("var.{name}{within} has no value"),
                block.labels_span,
            ),
            String::new(),
        ),
    }
}
