//! Reading a function's arguments: how many, of which type.

use std::collections::BTreeMap;

use crate::value::{Kind, V};

pub(super) type Result<T> = std::result::Result<T, String>;

pub(super) fn first_unknown(args: &[V]) -> Result<()> {
    match args.iter().find_map(V::deep_unknown) {
        Some(reason) => Err(reason.to_owned()),
        None => Ok(()),
    }
}

pub(super) fn one(args: Vec<V>) -> Result<V> {
    let mut args = args.into_iter();
    match (args.next(), args.next()) {
        (Some(value), None) => match value.unknown_reason() {
            Some(reason) => Err(reason.to_owned()),
            None => Ok(value),
        },
        _ => Err("expected one argument".to_owned()),
    }
}

pub(super) fn list_items(value: V) -> Result<Vec<V>> {
    match value.kind {
        Kind::List(items) => Ok(items),
        Kind::Unknown(reason) | Kind::Error(reason) => Err(reason),
        _ => Err(format!("expected a list, found a {}", value.type_name())),
    }
}

pub(super) fn one_list(args: Vec<V>) -> Result<Vec<V>> {
    list_items(one(args)?)
}

pub(super) fn one_map(args: Vec<V>) -> Result<BTreeMap<String, V>> {
    let value = one(args)?;
    match value.kind {
        Kind::Map(map) => Ok(map),
        Kind::Unknown(reason) | Kind::Error(reason) => Err(reason),
        _ => Err(format!("expected a map, found a {}", value.type_name())),
    }
}

pub(super) fn strings(args: &[V]) -> Result<Vec<String>> {
    args.iter().map(V::to_text).collect()
}

pub(super) fn one_string(args: &[V]) -> Result<String> {
    match args {
        [value] => value.to_text(),
        _ => Err("expected one argument".to_owned()),
    }
}

pub(super) fn two_strings(args: &[V]) -> Result<(String, String)> {
    match args {
        [a, b] => Ok((a.to_text()?, b.to_text()?)),
        _ => Err("expected two arguments".to_owned()),
    }
}

pub(super) fn numbers(args: &[V]) -> Result<Vec<f64>> {
    args.iter().map(V::to_num).collect()
}
