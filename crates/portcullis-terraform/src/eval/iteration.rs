//! What `for` expressions, `dynamic` blocks and `for_each` iterate over.

use std::collections::BTreeMap;

use crate::value::{Kind, V};

/// The keys and values `for_each` iterates: a map's entries, or a set of strings (key = value).
pub fn for_each_items(value: &V) -> Result<Vec<(String, V)>, String> {
    match &value.kind {
        Kind::Map(map) => Ok(map
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()),
        Kind::List(items) => {
            let mut out: BTreeMap<String, V> = BTreeMap::new();
            for item in items {
                out.insert(item.to_text()?, item.clone());
            }
            Ok(out.into_iter().collect())
        }
        Kind::Null => Ok(Vec::new()),
        Kind::Unknown(reason) | Kind::Error(reason) => Err(reason.clone()),
        _ => Err(format!("for_each over a {}", value.type_name())),
    }
}

/// The (key, value) pairs a `for` expression or a dynamic block iterates.
pub fn iterate(value: &V) -> Result<Vec<(V, V)>, String> {
    match &value.kind {
        Kind::List(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                #[allow(clippy::cast_precision_loss)]
                let key = V::new(Kind::Num(index as f64), item.span);
                (key, item.clone())
            })
            .collect()),
        Kind::Map(map) => Ok(map
            .iter()
            .map(|(key, item)| (V::str(key.clone(), item.span), item.clone()))
            .collect()),
        Kind::Null => Ok(Vec::new()),
        Kind::Unknown(reason) | Kind::Error(reason) => Err(reason.clone()),
        _ => Err(format!("cannot iterate over a {}", value.type_name())),
    }
}
