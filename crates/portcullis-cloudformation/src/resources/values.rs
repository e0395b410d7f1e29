//! Reading evaluated values into IR values: text, integers, booleans, protocols, CIDRs, and the
//! properties a statement is read from.

use portcullis_ir::{Peer, Span, Value};
use portcullis_net::{Cidr, Protocol};

use crate::eval::Ev;

pub(super) fn text(ev: &Ev) -> Value<String> {
    match ev {
        Ev::Str { value, span, via } => Value::Known {
            value: value.clone(),
            span: *span,
            via: via.clone(),
        },
        Ev::Unknown { reason, span, via } => Value::Unknown {
            reason: reason.clone(),
            span: *span,
            via: via.clone(),
        },
        Ev::Null(span) => Value::unknown("the value is null", *span),
        Ev::List { span, .. } | Ev::Map { span, .. } => Value::unknown(
            "the value is a list or an object, where one value is wanted",
            *span,
        ),
        Ev::NoValue(span) => Value::unknown("the value is AWS::NoValue", *span),
    }
}

pub(super) fn parsed<T>(ev: &Ev, parse: impl FnOnce(&str) -> Result<T, String>) -> Value<T> {
    text(ev).and_then(|value| parse(&value))
}

pub(super) fn integer(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    trimmed
        .parse::<i64>()
        .or_else(|_| match trimmed.parse::<f64>() {
            // JSON numbers such as `22.0` are integers to CloudFormation.
            Ok(number) if number.fract() == 0.0 && number.abs() < 1e15 => Ok(number as i64),
            _ => Err(()),
        })
        .map_err(|()| format!("`{trimmed}` is not an integer"))
}

pub(super) fn boolean(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "enabled" => Ok(true),
        "false" | "disabled" => Ok(false),
        other => Err(format!("`{other}` is not a boolean")),
    }
}

pub(super) fn protocol(text: &str) -> Result<Protocol, String> {
    Protocol::parse(text).ok_or_else(|| format!("`{}` is not an IP protocol", text.trim()))
}

pub(super) fn cidr(text: &str) -> Result<Cidr, String> {
    Cidr::parse(text).map_err(|error| error.0)
}

pub(super) fn optional<T>(
    ev: &Ev,
    key: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Option<Value<T>> {
    ev.get(key).map(|value| parsed(value, parse))
}

/// A property the resource needs; its absence is an unknown at the resource.
pub(super) fn required<T>(
    ev: &Ev,
    key: &str,
    at: Span,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Value<T> {
    ev.get(key).map_or_else(
        || Value::unknown(format!("{key} is missing"), at),
        |value| parsed(value, parse),
    )
}

/// Makes a peer of a group or prefix list id.
pub(super) type MakePeer = fn(Value<String>) -> Peer;

/// The properties of a statement that name its peers.
pub(super) struct PeerKeys {
    pub(super) cidrs: &'static [&'static str],
    pub(super) groups: &'static [&'static str],
    pub(super) prefix_lists: &'static [&'static str],
}

/// A property read for a statement, with what to call it in a problem.
pub(super) struct Property<'p> {
    /// The statement: `DbSG SecurityGroupIngress[0]`.
    pub(super) subject: &'p str,
    pub(super) key: &'p str,
    /// How the statement is analysed without the value: `any protocol`, `any port`.
    pub(super) analysed_as: &'p str,
    /// What a written value must be (`a number`), when one that does not parse is a mistake.
    pub(super) expected: Option<&'p str>,
}

impl<'p> Property<'p> {
    pub(super) fn new(subject: &'p str, key: &'p str, analysed_as: &'p str) -> Self {
        Self {
            subject,
            key,
            analysed_as,
            expected: None,
        }
    }

    pub(super) fn expecting(mut self, expected: &'p str) -> Self {
        self.expected = Some(expected);
        self
    }
}

pub(super) fn as_text(text: &str) -> Result<String, String> {
    Ok(text.to_owned())
}

pub(super) fn optional_text(ev: &Ev, key: &str) -> Option<Value<String>> {
    ev.get(key).map(text)
}

/// Every value at `path` (`*` steps into each element of a list), lists flattened.
pub(super) fn collect<'e>(ev: &'e Ev, path: &[&str], out: &mut Vec<&'e Ev>) {
    match path.split_first() {
        None => match ev {
            Ev::List { items, .. } => out.extend(items.iter()),
            other => out.push(other),
        },
        Some((&"*", rest)) => {
            if let Ev::List { items, .. } = ev {
                for item in items {
                    collect(item, rest, out);
                }
            }
        }
        Some((key, rest)) => {
            if let Some(value) = ev.get(key) {
                collect(value, rest, out);
            }
        }
    }
}

pub(super) fn collect_all<'e>(ev: &'e Ev, paths: &[&[&str]]) -> Vec<&'e Ev> {
    let mut out = Vec::new();
    for path in paths {
        collect(ev, path, &mut out);
    }
    out
}

pub(super) fn known(ev: &Ev, key: &str) -> Option<String> {
    ev.get(key).and_then(Ev::as_str).map(str::to_owned)
}
