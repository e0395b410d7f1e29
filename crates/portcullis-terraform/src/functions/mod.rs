//! The Terraform built-in functions found around security groups, with Terraform's semantics.
//! Any other function is unknown. Functions that keep elements (concat, flatten, ...) keep
//! each element's span and traces, so a CIDR still points at where it was written.

mod args;
mod collections;
mod network;
mod strings;

use portcullis_ir::Span;
use portcullis_net::IpNet;

use self::args::{Result, numbers, one, one_list, one_map, one_string, strings, two_strings};
use self::collections::{
    coalesce, coalescelist, concat, contains, distinct, element, flatten, index, length, lookup,
    merge, one_of, range, setproduct, setunion, slice, to_set, zipmap,
};
use self::network::{cidrhost, cidrsubnet, cidrsubnets, parse_net};
use self::strings::{format, formatlist, from_json, join, replace, substr, to_json};
use crate::limits::{Limit, MAX_ITEMS, MAX_STRING};
use crate::value::{Kind, V};

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
