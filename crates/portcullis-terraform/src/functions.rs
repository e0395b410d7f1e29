//! The Terraform built-in functions found around security groups, with Terraform's semantics.
//! Any other function is unknown. Functions that keep elements (concat, flatten, ...) keep
//! each element's span and traces, so a CIDR still points at where it was written.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use portcullis_ir::Span;
use portcullis_net::{IpNet, Ipv4Net, Ipv6Net};

use crate::limits::{Limit, MAX_ITEMS, MAX_STRING};
use crate::value::{Kind, V, format_number};

type Result<T> = std::result::Result<T, String>;

/// Calls a function. A failure is an error (which `try` skips) when no argument depends on an
/// unknown value, since it then happens in every evaluation; otherwise it is unknown.
/// `Err` is the limit reached.
pub fn call(name: &str, args: Vec<V>, span: Span) -> std::result::Result<V, Limit> {
    let depends_on_unknown = args.iter().any(V::depends_on_unknown);
    let fail = |reason: String| V::failure(reason, depends_on_unknown, span);
    let result = match name {
        "concat" => concat(args),
        "flatten" => flatten(args),
        "distinct" => one_list(args).map(|items| Kind::List(distinct(items))),
        "compact" => one_list(args).map(|items| {
            Kind::List(
                items
                    .into_iter()
                    .filter(|item| {
                        !item.is_null() && !matches!(&item.kind, Kind::Str(text) if text.is_empty())
                    })
                    .collect(),
            )
        }),
        "merge" => merge(args),
        // These return one of their arguments' elements, which keeps its span and traces.
        "lookup" => return Ok(lookup(args).unwrap_or_else(fail)),
        "element" => return Ok(element(args).unwrap_or_else(fail)),
        "coalesce" => return Ok(coalesce(args).unwrap_or_else(fail)),
        "length" => length(args),
        "keys" => one_map(args)
            .map(|map| Kind::List(map.into_keys().map(|key| V::str(key, span)).collect())),
        "values" => one_map(args).map(|map| Kind::List(map.into_values().collect())),
        "contains" => contains(args),
        "coalescelist" => coalescelist(args),
        "tolist" => one_list(args).map(Kind::List),
        "toset" => one_list(args).map(|items| Kind::List(to_set(items))),
        "tomap" => one_map(args).map(Kind::Map),
        "tostring" => one(args).and_then(|value| match value.kind {
            Kind::Null => Ok(Kind::Null),
            _ => value.to_text().map(Kind::Str),
        }),
        "tonumber" => one(args).and_then(|value| match value.kind {
            Kind::Null => Ok(Kind::Null),
            _ => value.to_num().map(Kind::Num),
        }),
        "jsonencode" => one(args).and_then(|value| {
            let json = to_json(&value)?;
            Ok(Kind::Str(json.to_string()))
        }),
        "jsondecode" => one(args).and_then(|value| {
            let text = value.to_text()?;
            let json: serde_json::Value =
                serde_json::from_str(&text).map_err(|error| format!("jsondecode: {error}"))?;
            Ok(from_json(&json, span).kind)
        }),
        "format" => strings(&args).and_then(|texts| match texts.split_first() {
            Some((fmt, _)) => format(fmt, args.get(1..).unwrap_or(&[])),
            None => Err("format needs a format string".to_owned()),
        }),
        "formatlist" => formatlist(args, span),
        "join" => join(args),
        "split" => two_strings(&args).map(|(sep, text)| {
            if sep.is_empty() {
                Kind::List(text.chars().map(|c| V::str(c.to_string(), span)).collect())
            } else {
                Kind::List(
                    text.split(sep.as_str())
                        .map(|part| V::str(part, span))
                        .collect(),
                )
            }
        }),
        "replace" => replace(&args),
        "lower" => one_string(&args).map(|text| Kind::Str(text.to_lowercase())),
        "upper" => one_string(&args).map(|text| Kind::Str(text.to_uppercase())),
        "trimspace" => one_string(&args).map(|text| Kind::Str(text.trim().to_owned())),
        "chomp" => {
            one_string(&args).map(|text| Kind::Str(text.trim_end_matches(['\r', '\n']).to_owned()))
        }
        "basename" => one_string(&args)
            .map(|text| Kind::Str(text.rsplit('/').next().unwrap_or_default().to_owned())),
        "dirname" => one_string(&args).map(|text| {
            Kind::Str(match text.rsplit_once('/') {
                Some(("", _)) => "/".to_owned(),
                Some((dir, _)) => dir.to_owned(),
                None => ".".to_owned(),
            })
        }),
        "range" => range(&args, span),
        "zipmap" => zipmap(args),
        "setunion" => setunion(args),
        "setproduct" => setproduct(args, span),
        "cidrsubnet" => cidrsubnet(&args).map(|net| Kind::Str(net.to_string())),
        "cidrsubnets" => cidrsubnets(&args, span),
        "cidrhost" => cidrhost(&args).map(|addr| Kind::Str(addr.to_string())),
        "cidrnetmask" => one_string(&args).and_then(|text| match parse_net(&text)? {
            IpNet::V4(net) => Ok(Kind::Str(net.netmask().to_string())),
            IpNet::V6(_) => Err("cidrnetmask only supports IPv4".to_owned()),
        }),
        "sort" => one_list(args).and_then(|items| {
            let mut texts: Vec<(String, V)> = items
                .into_iter()
                .map(|item| Ok((item.to_text()?, item)))
                .collect::<Result<_>>()?;
            texts.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(Kind::List(
                texts.into_iter().map(|(_, item)| item).collect(),
            ))
        }),
        "reverse" => one_list(args).map(|items| Kind::List(items.into_iter().rev().collect())),
        "slice" => slice(args),
        "index" => index(args),
        "one" => return Ok(one_of(args, span).unwrap_or_else(fail)),
        "sensitive" | "nonsensitive" => {
            return Ok(one(args).unwrap_or_else(fail));
        }
        "tobool" => one(args).and_then(|value| value.to_bool().map(Kind::Bool)),
        "substr" => substr(&args),
        "trimprefix" => two_strings(&args).map(|(text, prefix)| {
            Kind::Str(
                text.strip_prefix(prefix.as_str())
                    .unwrap_or(&text)
                    .to_owned(),
            )
        }),
        "trimsuffix" => two_strings(&args).map(|(text, suffix)| {
            Kind::Str(
                text.strip_suffix(suffix.as_str())
                    .unwrap_or(&text)
                    .to_owned(),
            )
        }),
        "trim" => two_strings(&args)
            .map(|(text, chars)| Kind::Str(text.trim_matches(|c| chars.contains(c)).to_owned())),
        "startswith" => {
            two_strings(&args).map(|(text, prefix)| Kind::Bool(text.starts_with(&prefix)))
        }
        "endswith" => two_strings(&args).map(|(text, suffix)| Kind::Bool(text.ends_with(&suffix))),
        "max" | "min" => numbers(&args).and_then(|numbers| {
            let pick = if name == "max" { f64::max } else { f64::min };
            numbers
                .into_iter()
                .reduce(pick)
                .map(Kind::Num)
                .ok_or_else(|| format!("{name} needs arguments"))
        }),
        "sum" => one_list(args)
            .and_then(|items| numbers(&items).map(|numbers| Kind::Num(numbers.into_iter().sum()))),
        "abs" => one(args).and_then(|value| value.to_num().map(|number| Kind::Num(number.abs()))),
        "ceil" => one(args).and_then(|value| value.to_num().map(|number| Kind::Num(number.ceil()))),
        "floor" => {
            one(args).and_then(|value| value.to_num().map(|number| Kind::Num(number.floor())))
        }
        "alltrue" | "anytrue" => one_list(args).and_then(|items| {
            let flags: Vec<bool> = items.iter().map(V::to_bool).collect::<Result<_>>()?;
            Ok(Kind::Bool(if name == "alltrue" {
                flags.iter().all(|flag| *flag)
            } else {
                flags.iter().any(|flag| *flag)
            }))
        }),
        other => {
            return Ok(V::unknown(
                format!("function {other} is not evaluated"),
                span,
            ));
        }
    };
    match result {
        Ok(Kind::Str(text)) if text.len() > MAX_STRING => Err(Limit::StringBytes),
        Ok(Kind::List(items)) if items.len() > MAX_ITEMS => Err(Limit::ListItems),
        Ok(kind) => Ok(V::new(kind, span)),
        Err(reason) => Ok(fail(reason)),
    }
}

fn first_unknown(args: &[V]) -> Result<()> {
    match args.iter().find_map(V::deep_unknown) {
        Some(reason) => Err(reason.to_owned()),
        None => Ok(()),
    }
}

fn one(args: Vec<V>) -> Result<V> {
    let mut args = args.into_iter();
    match (args.next(), args.next()) {
        (Some(value), None) => match value.unknown_reason() {
            Some(reason) => Err(reason.to_owned()),
            None => Ok(value),
        },
        _ => Err("expected one argument".to_owned()),
    }
}

fn list_items(value: V) -> Result<Vec<V>> {
    match value.kind {
        Kind::List(items) => Ok(items),
        Kind::Unknown(reason) | Kind::Error(reason) => Err(reason),
        _ => Err(format!("expected a list, found a {}", value.type_name())),
    }
}

fn one_list(args: Vec<V>) -> Result<Vec<V>> {
    list_items(one(args)?)
}

fn one_map(args: Vec<V>) -> Result<BTreeMap<String, V>> {
    let value = one(args)?;
    match value.kind {
        Kind::Map(map) => Ok(map),
        Kind::Unknown(reason) | Kind::Error(reason) => Err(reason),
        _ => Err(format!("expected a map, found a {}", value.type_name())),
    }
}

fn strings(args: &[V]) -> Result<Vec<String>> {
    args.iter().map(V::to_text).collect()
}

fn one_string(args: &[V]) -> Result<String> {
    match args {
        [value] => value.to_text(),
        _ => Err("expected one argument".to_owned()),
    }
}

fn two_strings(args: &[V]) -> Result<(String, String)> {
    match args {
        [a, b] => Ok((a.to_text()?, b.to_text()?)),
        _ => Err("expected two arguments".to_owned()),
    }
}

/// An unknown list argument stands for elements that are not known: it becomes one unknown
/// element, so the known elements beside it stay visible.
fn spread(value: V, out: &mut Vec<V>) -> Result<()> {
    match value.kind {
        Kind::List(items) => out.extend(items),
        Kind::Unknown(_) | Kind::Error(_) => out.push(value),
        Kind::Null => {}
        _ => return Err(format!("expected a list, found a {}", value.type_name())),
    }
    Ok(())
}

fn concat(args: Vec<V>) -> Result<Kind> {
    let mut out = Vec::new();
    for arg in args {
        spread(arg, &mut out)?;
    }
    Ok(Kind::List(out))
}

fn flatten(args: Vec<V>) -> Result<Kind> {
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

fn distinct(items: Vec<V>) -> Vec<V> {
    let mut out: Vec<V> = Vec::new();
    for item in items {
        if item.unknown_reason().is_some() || !out.iter().any(|seen| seen.same(&item)) {
            out.push(item);
        }
    }
    out
}

/// Sets drop duplicates; sets of strings iterate in lexical order.
fn to_set(items: Vec<V>) -> Vec<V> {
    let mut out = distinct(items);
    if out.iter().all(|item| matches!(item.kind, Kind::Str(_))) {
        out.sort_by_key(|item| item.to_text().unwrap_or_default());
    }
    out
}

fn merge(args: Vec<V>) -> Result<Kind> {
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

fn lookup(args: Vec<V>) -> Result<V> {
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

fn element(args: Vec<V>) -> Result<V> {
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

fn length(args: Vec<V>) -> Result<Kind> {
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

fn contains(args: Vec<V>) -> Result<Kind> {
    first_unknown(&args)?;
    let mut args = args.into_iter();
    let (Some(list), Some(wanted)) = (args.next(), args.next()) else {
        return Err("contains needs a list and a value".to_owned());
    };
    Ok(Kind::Bool(
        list_items(list)?.iter().any(|item| item.same(&wanted)),
    ))
}

fn coalesce(args: Vec<V>) -> Result<V> {
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

fn coalescelist(args: Vec<V>) -> Result<Kind> {
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

fn to_json(value: &V) -> Result<serde_json::Value> {
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

pub fn from_json(json: &serde_json::Value, span: Span) -> V {
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
fn format(fmt: &str, args: &[V]) -> Result<Kind> {
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

fn formatlist(args: Vec<V>, span: Span) -> Result<Kind> {
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

fn join(args: Vec<V>) -> Result<Kind> {
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

fn replace(args: &[V]) -> Result<Kind> {
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

fn range(args: &[V], span: Span) -> Result<Kind> {
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

fn zipmap(args: Vec<V>) -> Result<Kind> {
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

fn setunion(args: Vec<V>) -> Result<Kind> {
    let mut out = Vec::new();
    for arg in args {
        spread(arg, &mut out)?;
    }
    Ok(Kind::List(to_set(out)))
}

fn setproduct(args: Vec<V>, span: Span) -> Result<Kind> {
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

fn parse_net(text: &str) -> Result<IpNet> {
    text.trim()
        .parse::<IpNet>()
        .map_err(|_| format!("`{text}` is not a CIDR block"))
}

fn whole(value: &V) -> Result<u128> {
    let number = value.to_i64()?;
    u128::try_from(number).map_err(|_| format!("{number} must not be negative"))
}

fn subnet(net: IpNet, newbits: u128, netnum: u128) -> Result<IpNet> {
    let prefix = u128::from(net.prefix_len()) + newbits;
    let max = u128::from(net.max_prefix_len());
    if prefix > max {
        return Err(format!(
            "cannot extend prefix /{} by {newbits} bits",
            net.prefix_len()
        ));
    }
    if newbits < 128 && netnum >> newbits != 0 {
        return Err(format!(
            "network number {netnum} does not fit in {newbits} bits"
        ));
    }
    let shift = max - prefix;
    let offset = if shift >= 128 { 0 } else { netnum << shift };
    let prefix = u8::try_from(prefix).map_err(|_| "prefix too long".to_owned())?;
    match net.trunc() {
        IpNet::V4(net) => {
            let base = u128::from(u32::from(net.network()));
            let addr = u32::try_from(base + offset).map_err(|_| "address overflow".to_owned())?;
            Ipv4Net::new(Ipv4Addr::from(addr), prefix)
                .map(IpNet::V4)
                .map_err(|error| error.to_string())
        }
        IpNet::V6(net) => {
            let base = u128::from(net.network());
            let addr = base.checked_add(offset).ok_or("address overflow")?;
            Ipv6Net::new(Ipv6Addr::from(addr), prefix)
                .map(IpNet::V6)
                .map_err(|error| error.to_string())
        }
    }
}

fn cidrsubnet(args: &[V]) -> Result<IpNet> {
    let [prefix, newbits, netnum] = args else {
        return Err("cidrsubnet needs three arguments".to_owned());
    };
    subnet(
        parse_net(&prefix.to_text()?)?,
        whole(newbits)?,
        whole(netnum)?,
    )
}

fn cidrsubnets(args: &[V], span: Span) -> Result<Kind> {
    let Some((prefix, bits)) = args.split_first() else {
        return Err("cidrsubnets needs a prefix".to_owned());
    };
    let net = parse_net(&prefix.to_text()?)?;
    let max = u128::from(net.max_prefix_len());
    let base_prefix = u128::from(net.prefix_len());
    // Consecutive allocation, each block aligned to its own size, as Terraform does.
    let mut next: u128 = 0;
    let mut out = Vec::new();
    for newbits in bits {
        let newbits = whole(newbits)?;
        let prefix = base_prefix + newbits;
        if prefix > max {
            return Err(format!(
                "cannot extend prefix /{} by {newbits} bits",
                net.prefix_len()
            ));
        }
        let size_shift = max - prefix;
        let size: u128 = if size_shift >= 128 {
            0
        } else {
            1 << size_shift
        };
        let exhausted = || format!("cidrsubnets: {net} has no room for another /{prefix}");
        if size > 0 && !next.is_multiple_of(size) {
            next = (next / size + 1).checked_mul(size).ok_or_else(exhausted)?;
        }
        let netnum = next.checked_div(size).unwrap_or(0);
        out.push(V::str(subnet(net, newbits, netnum)?.to_string(), span));
        next = next.checked_add(size).ok_or_else(exhausted)?;
    }
    Ok(Kind::List(out))
}

fn cidrhost(args: &[V]) -> Result<IpAddr> {
    let [prefix, hostnum] = args else {
        return Err("cidrhost needs two arguments".to_owned());
    };
    let net = parse_net(&prefix.to_text()?)?.trunc();
    let number = hostnum.to_i64()?;
    let host_bits = u32::from(net.max_prefix_len() - net.prefix_len());
    let size: i128 = if host_bits >= 127 {
        i128::MAX
    } else {
        1 << host_bits
    };
    let offset = if number < 0 {
        size + i128::from(number)
    } else {
        i128::from(number)
    };
    if offset < 0 || offset >= size {
        return Err(format!("host number {number} is outside {net}"));
    }
    let offset = u128::try_from(offset).map_err(|_| "host number out of range".to_owned())?;
    match net {
        IpNet::V4(net) => {
            let addr = u32::try_from(u128::from(u32::from(net.network())) + offset)
                .map_err(|_| "address overflow".to_owned())?;
            Ok(IpAddr::V4(Ipv4Addr::from(addr)))
        }
        IpNet::V6(net) => Ok(IpAddr::V6(Ipv6Addr::from(
            u128::from(net.network()) + offset,
        ))),
    }
}

fn numbers(args: &[V]) -> Result<Vec<f64>> {
    args.iter().map(V::to_num).collect()
}

fn slice(args: Vec<V>) -> Result<Kind> {
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

fn index(args: Vec<V>) -> Result<Kind> {
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

fn one_of(args: Vec<V>, span: Span) -> Result<V> {
    let mut items = one_list(args)?.into_iter();
    match (items.next(), items.next()) {
        (None, _) => Ok(V::new(Kind::Null, span)),
        (Some(item), None) => Ok(item),
        _ => Err("one: the list has more than one element".to_owned()),
    }
}

fn substr(args: &[V]) -> Result<Kind> {
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
