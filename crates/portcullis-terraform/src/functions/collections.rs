//! Functions over lists, sets and maps, which keep each element's span and traces.

use std::collections::BTreeMap;

use portcullis_ir::Span;

use super::args::{Result, first_unknown, list_items, one, one_list};
use crate::limits::MAX_ITEMS;
use crate::value::{Kind, V};

/// An unknown list argument stands for elements that are not known: it becomes one unknown
/// element, so the known elements beside it stay visible.
pub(super) fn spread(value: V, out: &mut Vec<V>) -> Result<()> {
    match value.kind {
        Kind::List(items) => out.extend(items),
        Kind::Unknown(_) | Kind::Error(_) => out.push(value),
        Kind::Null => {}
        _ => return Err(format!("expected a list, found a {}", value.type_name())),
    }
    Ok(())
}

pub(super) fn concat(args: Vec<V>) -> Result<Kind> {
    let mut out = Vec::new();
    for arg in args {
        spread(arg, &mut out)?;
    }
    Ok(Kind::List(out))
}

pub(super) fn flatten(args: Vec<V>) -> Result<Kind> {
    /// False when the nesting is too deep to follow.
    fn walk(value: V, out: &mut Vec<V>, depth: usize) -> bool {
        if depth > 64 {
            return false;
        }
        match value.kind {
            Kind::List(items) => items.into_iter().all(|item| walk(item, out, depth + 1)),
            _ => {
                out.push(value);
                true
            }
        }
    }
    let mut out = Vec::new();
    if !walk(one(args)?, &mut out, 0) {
        // Terraform would flatten it: a limit of ours, not an error.
        return Ok(Kind::Unknown("flatten: nesting too deep".to_owned()));
    }
    Ok(Kind::List(out))
}

pub(super) fn distinct(items: Vec<V>) -> Vec<V> {
    let mut out: Vec<V> = Vec::new();
    for item in items {
        if item.unknown_reason().is_some() || !out.iter().any(|seen| seen.same(&item)) {
            out.push(item);
        }
    }
    out
}

/// Sets drop duplicates; sets of strings iterate in lexical order.
pub(super) fn to_set(items: Vec<V>) -> Vec<V> {
    let mut out = distinct(items);
    if out.iter().all(|item| matches!(item.kind, Kind::Str(_))) {
        out.sort_by_key(|item| item.to_text().unwrap_or_default());
    }
    out
}

pub(super) fn merge(args: Vec<V>) -> Result<Kind> {
    let mut out = BTreeMap::new();
    for arg in args {
        match arg.kind {
            Kind::Map(map) => out.extend(map),
            Kind::Null => {}
            Kind::Unknown(reason) | Kind::Error(reason) => return Err(reason),
            _ => {
                return Err(format!(
                    "merge: expected a map, found a {}",
                    arg.type_name()
                ));
            }
        }
    }
    Ok(Kind::Map(out))
}

pub(super) fn lookup(args: Vec<V>) -> Result<V> {
    let mut args = args.into_iter();
    let (Some(map), Some(key)) = (args.next(), args.next()) else {
        return Err("lookup needs a map and a key".to_owned());
    };
    let default = args.next();
    let key = key.to_text()?;
    match map.kind {
        Kind::Map(mut map) => match map.remove(&key) {
            Some(value) => Ok(value),
            None => default.ok_or_else(|| format!("key {key:?} is not in the map")),
        },
        Kind::Unknown(reason) | Kind::Error(reason) => Err(reason),
        _ => Err(format!(
            "lookup: expected a map, found a {}",
            map.type_name()
        )),
    }
}

pub(super) fn element(args: Vec<V>) -> Result<V> {
    let mut args = args.into_iter();
    let (Some(list), Some(index)) = (args.next(), args.next()) else {
        return Err("element needs a list and an index".to_owned());
    };
    let items = list_items(list)?;
    let index = index.to_i64()?;
    if items.is_empty() {
        return Err("element: the list is empty".to_owned());
    }
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let wrapped = usize::try_from(index.rem_euclid(len)).unwrap_or(0);
    items
        .into_iter()
        .nth(wrapped)
        .ok_or_else(|| "element: index out of range".to_owned())
}

pub(super) fn length(args: Vec<V>) -> Result<Kind> {
    let value = one(args)?;
    let len = match &value.kind {
        Kind::List(items) => items.len(),
        Kind::Map(map) => map.len(),
        Kind::Str(text) => text.chars().count(),
        _ => return Err(format!("length of a {}", value.type_name())),
    };
    #[allow(clippy::cast_precision_loss)]
    Ok(Kind::Num(len as f64))
}

pub(super) fn contains(args: Vec<V>) -> Result<Kind> {
    first_unknown(&args)?;
    let mut args = args.into_iter();
    let (Some(list), Some(wanted)) = (args.next(), args.next()) else {
        return Err("contains needs a list and a value".to_owned());
    };
    Ok(Kind::Bool(
        list_items(list)?.iter().any(|item| item.same(&wanted)),
    ))
}

pub(super) fn coalesce(args: Vec<V>) -> Result<V> {
    for arg in args {
        match &arg.kind {
            Kind::Null => {}
            Kind::Str(text) if text.is_empty() => {}
            Kind::Unknown(reason) | Kind::Error(reason) => return Err(reason.clone()),
            _ => return Ok(arg),
        }
    }
    Err("coalesce: no non-null argument".to_owned())
}

pub(super) fn coalescelist(args: Vec<V>) -> Result<Kind> {
    for arg in args {
        match arg.kind {
            Kind::List(items) if items.is_empty() => {}
            Kind::List(items) => return Ok(Kind::List(items)),
            Kind::Unknown(reason) | Kind::Error(reason) => return Err(reason),
            _ => {
                return Err(format!(
                    "coalescelist: expected lists, found a {}",
                    arg.type_name()
                ));
            }
        }
    }
    Err("coalescelist: every list is empty".to_owned())
}

pub(super) fn range(args: &[V], span: Span) -> Result<Kind> {
    let numbers: Vec<f64> = args.iter().map(V::to_num).collect::<Result<_>>()?;
    let (start, limit, step) = match numbers.as_slice() {
        [limit] => (0.0, *limit, 1.0),
        [start, limit] => (*start, *limit, if start <= limit { 1.0 } else { -1.0 }),
        [start, limit, step] => (*start, *limit, *step),
        _ => return Err("range takes one to three arguments".to_owned()),
    };
    if step == 0.0 {
        return Err("range: step must not be zero".to_owned());
    }
    let mut out = Vec::new();
    let mut current = start;
    while (step > 0.0 && current < limit) || (step < 0.0 && current > limit) {
        // One past the limit, which `call` reports.
        if out.len() > MAX_ITEMS {
            break;
        }
        out.push(V::new(Kind::Num(current), span));
        current += step;
    }
    Ok(Kind::List(out))
}

pub(super) fn zipmap(args: Vec<V>) -> Result<Kind> {
    let mut args = args.into_iter();
    let (Some(keys), Some(values)) = (args.next(), args.next()) else {
        return Err("zipmap needs keys and values".to_owned());
    };
    let (keys, values) = (list_items(keys)?, list_items(values)?);
    if keys.len() != values.len() {
        return Err("zipmap: keys and values differ in length".to_owned());
    }
    let mut out = BTreeMap::new();
    for (key, value) in keys.iter().zip(values) {
        out.insert(key.to_text()?, value);
    }
    Ok(Kind::Map(out))
}

pub(super) fn setunion(args: Vec<V>) -> Result<Kind> {
    let mut out = Vec::new();
    for arg in args {
        spread(arg, &mut out)?;
    }
    Ok(Kind::List(to_set(out)))
}

pub(super) fn setproduct(args: Vec<V>, span: Span) -> Result<Kind> {
    first_unknown(&args)?;
    let mut rows: Vec<Vec<V>> = vec![Vec::new()];
    for arg in args {
        let items = list_items(arg)?;
        let mut next = Vec::new();
        for row in &rows {
            // Past the limit, which `call` reports.
            if next.len() > MAX_ITEMS {
                break;
            }
            for item in &items {
                let mut extended = row.clone();
                extended.push(item.clone());
                next.push(extended);
            }
        }
        rows = next;
        if rows.len() > MAX_ITEMS {
            break;
        }
    }
    Ok(Kind::List(
        rows.into_iter()
            .map(|row| V::new(Kind::List(row), span))
            .collect(),
    ))
}

pub(super) fn slice(args: Vec<V>) -> Result<Kind> {
    let mut args = args.into_iter();
    let (Some(list), Some(start), Some(end)) = (args.next(), args.next(), args.next()) else {
        return Err("slice needs a list, a start and an end".to_owned());
    };
    let items = list_items(list)?;
    let start = usize::try_from(start.to_i64()?).map_err(|_| "slice: negative start".to_owned())?;
    let end = usize::try_from(end.to_i64()?).map_err(|_| "slice: negative end".to_owned())?;
    if start > end || end > items.len() {
        return Err(format!("slice: {start}..{end} is out of range"));
    }
    Ok(Kind::List(
        items.into_iter().skip(start).take(end - start).collect(),
    ))
}

pub(super) fn index(args: Vec<V>) -> Result<Kind> {
    first_unknown(&args)?;
    let mut args = args.into_iter();
    let (Some(list), Some(wanted)) = (args.next(), args.next()) else {
        return Err("index needs a list and a value".to_owned());
    };
    let position = list_items(list)?
        .iter()
        .position(|item| item.same(&wanted))
        .ok_or_else(|| "index: the value is not in the list".to_owned())?;
    #[allow(clippy::cast_precision_loss)]
    Ok(Kind::Num(position as f64))
}

pub(super) fn one_of(args: Vec<V>, span: Span) -> Result<V> {
    let mut items = one_list(args)?.into_iter();
    match (items.next(), items.next()) {
        (None, _) => Ok(V::new(Kind::Null, span)),
        (Some(item), None) => Ok(item),
        _ => Err("one: the list has more than one element".to_owned()),
    }
}
