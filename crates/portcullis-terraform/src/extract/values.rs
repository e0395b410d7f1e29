//! Evaluated values as IR values: text, protocols, CIDRs, lists of them.

use portcullis_ir::{Span, Value};
use portcullis_net::{Cidr, Protocol};

use crate::value::{Kind, V};

pub(super) fn text(value: &V) -> Result<String, String> {
    value.to_text()
}

pub(super) fn protocol(value: &V) -> Result<Protocol, String> {
    portcullis_terraform_core::schema::protocol(&value.to_text()?)
}

pub(super) fn cidr(value: &V) -> Result<Cidr, String> {
    portcullis_terraform_core::schema::cidr(&value.to_text()?)
}

/// The elements of a list-valued attribute, or the value itself for a single-valued one. A
/// whole unknown list stays one unknown element at the expression.
pub(super) fn elements(value: V) -> Vec<V> {
    match value.kind {
        Kind::List(items) => items.into_iter().filter(|item| !item.is_null()).collect(),
        _ => vec![value],
    }
}

pub(super) fn strings_of(values: Vec<V>) -> Vec<Value<String>> {
    values
        .into_iter()
        .flat_map(elements)
        .filter_map(|item| item.to_value(text))
        .collect()
}

pub(super) fn unknown_required(name: &str, span: Span) -> Value<String> {
    Value::unknown(format!("{name} is not set"), span)
}
