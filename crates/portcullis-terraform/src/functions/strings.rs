//! Functions over strings and JSON text.

use portcullis_ir::Span;

use super::args::{Result, first_unknown, list_items};
use crate::limits::MAX_ITEMS;
use crate::value::{Kind, V, format_number};

pub(super) fn to_json(value: &V) -> Result<serde_json::Value> {
    Ok(match &value.kind {
        Kind::Null => serde_json::Value::Null,
        Kind::Bool(flag) => serde_json::Value::Bool(*flag),
        Kind::Num(number) => serde_json::Number::from_f64(*number)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Kind::Str(text) => serde_json::Value::String(text.clone()),
        Kind::List(items) => {
            serde_json::Value::Array(items.iter().map(to_json).collect::<Result<_>>()?)
        }
        Kind::Map(map) => serde_json::Value::Object(
            map.iter()
                .map(|(key, item)| Ok((key.clone(), to_json(item)?)))
                .collect::<Result<_>>()?,
        ),
        Kind::Unknown(reason) | Kind::Error(reason) => return Err(reason.clone()),
    })
}

pub(super) fn from_json(json: &serde_json::Value, span: Span) -> V {
    let kind = match json {
        serde_json::Value::Null => Kind::Null,
        serde_json::Value::Bool(flag) => Kind::Bool(*flag),
        serde_json::Value::Number(number) => Kind::Num(number.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(text) => Kind::Str(text.clone()),
        serde_json::Value::Array(items) => {
            Kind::List(items.iter().map(|item| from_json(item, span)).collect())
        }
        serde_json::Value::Object(map) => Kind::Map(
            map.iter()
                .map(|(key, item)| (key.clone(), from_json(item, span)))
                .collect(),
        ),
    };
    V::new(kind, span)
}

/// `format` verbs: `%s`, `%d`, `%v`, `%q`, `%f`, `%%`, with flags and width ignored except
/// for a precision on `%f`. What it does not evaluate (another verb, `%v` of a collection) is
/// unknown, not an error.
pub(super) fn format(fmt: &str, args: &[V]) -> Result<Kind> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        let verb = loop {
            match chars.next() {
                Some(next) if next.is_ascii_alphabetic() || next == '%' => break next,
                Some(next) => spec.push(next),
                None => return Err("format: incomplete verb".to_owned()),
            }
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = args.next().ok_or("format: not enough arguments")?;
        let unevaluated = |what: String| Ok(Kind::Unknown(format!("{what} is not evaluated")));
        match verb {
            'v' if matches!(arg.kind, Kind::List(_) | Kind::Map(_)) => {
                return unevaluated(format!("format %v of a {}", arg.type_name()));
            }
            's' | 'v' => out.push_str(&arg.to_text()?),
            'd' => out.push_str(&format_number(arg.to_num()?.trunc())),
            'q' => out.push_str(&format!("{:?}", arg.to_text()?)),
            'f' => {
                let precision = spec
                    .split('.')
                    .nth(1)
                    .and_then(|digits| digits.parse::<usize>().ok())
                    .unwrap_or(6)
                    .min(64);
                out.push_str(&format!("{:.*}", precision, arg.to_num()?));
            }
            other => return unevaluated(format!("format verb %{other}")),
        }
    }
    Ok(Kind::Str(out))
}

pub(super) fn formatlist(args: Vec<V>, span: Span) -> Result<Kind> {
    first_unknown(&args)?;
    let Some((fmt, rest)) = args.split_first() else {
        return Err("formatlist needs a format string".to_owned());
    };
    let fmt = fmt.to_text()?;
    let len = rest
        .iter()
        .filter_map(|arg| match &arg.kind {
            Kind::List(items) => Some(items.len()),
            _ => None,
        })
        .max()
        .unwrap_or(1);
    let mut out = Vec::new();
    for index in 0..len.min(MAX_ITEMS) {
        let row: Vec<V> = rest
            .iter()
            .map(|arg| match &arg.kind {
                Kind::List(items) => items
                    .get(index)
                    .cloned()
                    .ok_or_else(|| "formatlist: lists of different lengths".to_owned()),
                _ => Ok(arg.clone()),
            })
            .collect::<Result<_>>()?;
        out.push(V::new(format(&fmt, &row)?, span));
    }
    Ok(Kind::List(out))
}

pub(super) fn join(args: Vec<V>) -> Result<Kind> {
    first_unknown(&args)?;
    let Some((sep, lists)) = args.split_first() else {
        return Err("join needs a separator".to_owned());
    };
    let sep = sep.to_text()?;
    let mut parts = Vec::new();
    for list in lists {
        for item in list_items(list.clone())? {
            parts.push(item.to_text()?);
        }
    }
    Ok(Kind::Str(parts.join(&sep)))
}

pub(super) fn replace(args: &[V]) -> Result<Kind> {
    let [text, search, with] = args else {
        return Err("replace needs three arguments".to_owned());
    };
    let (text, search, with) = (text.to_text()?, search.to_text()?, with.to_text()?);
    if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
        return Ok(Kind::Unknown(
            "replace with a regular expression is not evaluated".to_owned(),
        ));
    }
    if search.is_empty() {
        return Ok(Kind::Str(text));
    }
    Ok(Kind::Str(text.replace(&search, &with)))
}

pub(super) fn substr(args: &[V]) -> Result<Kind> {
    let [text, offset, length] = args else {
        return Err("substr needs three arguments".to_owned());
    };
    let chars: Vec<char> = text.to_text()?.chars().collect();
    let len = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    let mut offset = offset.to_i64()?;
    if offset < 0 {
        offset += len;
    }
    let offset = offset.clamp(0, len);
    let length = length.to_i64()?;
    let end = if length < 0 {
        len
    } else {
        offset.saturating_add(length).min(len)
    };
    let (start, end) = (
        usize::try_from(offset).unwrap_or(0),
        usize::try_from(end).unwrap_or(0),
    );
    Ok(Kind::Str(
        chars
            .get(start..end.max(start))
            .unwrap_or_default()
            .iter()
            .collect(),
    ))
}
