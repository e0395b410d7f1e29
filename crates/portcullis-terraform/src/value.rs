//! Evaluated Terraform values: every node keeps the span of the expression that produced it
//! and the traces of where it came from; unknown values carry the reason.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use portcullis_ir::{Span, Trace, Value};

/// Longest rendering of a value in a trace note.
const RENDER_LIMIT: usize = 120;
/// Most traces a computed value inherits from its arguments.
const TRACE_LIMIT: usize = 8;

#[derive(Clone, Debug)]
pub struct V {
    pub kind: Kind,
    pub span: Span,
    pub via: Vec<Trace>,
}

#[derive(Clone, Debug)]
pub enum Kind {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    /// Lists, tuples and sets.
    List(Vec<V>),
    /// Maps and objects; keys iterate in lexical order, as in Terraform.
    Map(BTreeMap<String, V>),
    /// Not known before apply, or not known to this evaluator: an unset variable, a computed
    /// attribute, a function that is not evaluated.
    Unknown(String),
    /// Fails in every evaluation (a missing attribute, a function given arguments it rejects):
    /// Terraform would reject it, so `try` skips it and `can` gives false.
    Error(String),
}

impl V {
    pub fn new(kind: Kind, span: Span) -> Self {
        Self {
            kind,
            span,
            via: Vec::new(),
        }
    }

    pub fn unknown(reason: impl Into<String>, span: Span) -> Self {
        Self::new(Kind::Unknown(reason.into()), span)
    }

    pub fn error(reason: impl Into<String>, span: Span) -> Self {
        Self::new(Kind::Error(reason.into()), span)
    }

    /// The same failure (unknown or error) at another span.
    #[must_use]
    pub fn failure_at(&self, span: Span) -> Option<Self> {
        match &self.kind {
            Kind::Unknown(_) | Kind::Error(_) => Some(Self::new(self.kind.clone(), span)),
            _ => None,
        }
    }

    pub fn str(text: impl Into<String>, span: Span) -> Self {
        Self::new(Kind::Str(text.into()), span)
    }

    /// Why the value is not known: it is unknown or an error.
    pub fn unknown_reason(&self) -> Option<&str> {
        match &self.kind {
            Kind::Unknown(reason) | Kind::Error(reason) => Some(reason),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// The first unknown or error inside the value, if any.
    pub fn deep_unknown(&self) -> Option<&str> {
        match &self.kind {
            Kind::Unknown(reason) | Kind::Error(reason) => Some(reason),
            Kind::List(items) => items.iter().find_map(Self::deep_unknown),
            Kind::Map(map) => map.values().find_map(Self::deep_unknown),
            _ => None,
        }
    }

    /// The first error inside the value, if any.
    pub fn deep_error(&self) -> Option<&str> {
        match &self.kind {
            Kind::Error(reason) => Some(reason),
            Kind::List(items) => items.iter().find_map(Self::deep_error),
            Kind::Map(map) => map.values().find_map(Self::deep_error),
            _ => None,
        }
    }

    /// Whether an input that is only known later (not an error) appears inside the value: a
    /// failure computed from it may go away once it is known.
    pub fn depends_on_unknown(&self) -> bool {
        match &self.kind {
            Kind::Unknown(_) => true,
            Kind::List(items) => items.iter().any(Self::depends_on_unknown),
            Kind::Map(map) => map.values().any(Self::depends_on_unknown),
            _ => false,
        }
    }

    /// A failure computed from inputs: an error when they are all known (it then happens in
    /// every evaluation), else unknown.
    pub fn failure(reason: impl Into<String>, inputs_depend_on_unknown: bool, span: Span) -> Self {
        if inputs_depend_on_unknown {
            Self::unknown(reason, span)
        } else {
            Self::error(reason, span)
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "bool",
            Kind::Num(_) => "number",
            Kind::Str(_) => "string",
            Kind::List(_) => "list",
            Kind::Map(_) => "object",
            Kind::Unknown(_) => "unknown",
            Kind::Error(_) => "error",
        }
    }

    /// The value as a string, converting numbers and bools as Terraform does.
    pub fn to_text(&self) -> Result<String, String> {
        match &self.kind {
            Kind::Str(text) => Ok(text.clone()),
            Kind::Num(number) => Ok(format_number(*number)),
            Kind::Bool(flag) => Ok(flag.to_string()),
            Kind::Unknown(reason) | Kind::Error(reason) => Err(reason.clone()),
            Kind::Null => Err("the value is null".to_owned()),
            _ => Err(format!("expected a string, found a {}", self.type_name())),
        }
    }

    pub fn to_num(&self) -> Result<f64, String> {
        match &self.kind {
            Kind::Num(number) => Ok(*number),
            Kind::Str(text) => text
                .trim()
                .parse::<f64>()
                .map_err(|_| format!("`{text}` is not a number")),
            Kind::Unknown(reason) | Kind::Error(reason) => Err(reason.clone()),
            _ => Err(format!("expected a number, found a {}", self.type_name())),
        }
    }

    pub fn to_i64(&self) -> Result<i64, String> {
        let number = self.to_num()?;
        if number.fract() != 0.0 || !number.is_finite() || number.abs() > 9.0e15 {
            return Err(format!("{} is not a whole number", format_number(number)));
        }
        // The range check above keeps the conversion exact.
        #[allow(clippy::cast_possible_truncation)]
        Ok(number as i64)
    }

    pub fn to_bool(&self) -> Result<bool, String> {
        match &self.kind {
            Kind::Bool(flag) => Ok(*flag),
            Kind::Str(text) if text == "true" => Ok(true),
            Kind::Str(text) if text == "false" => Ok(false),
            Kind::Unknown(reason) | Kind::Error(reason) => Err(reason.clone()),
            _ => Err(format!("expected a bool, found a {}", self.type_name())),
        }
    }

    /// Every trace inside the value, without repeats, at most `TRACE_LIMIT`.
    pub fn collect_via(&self, out: &mut Vec<Trace>) {
        for trace in &self.via {
            if out.len() < TRACE_LIMIT && !out.contains(trace) {
                out.push(trace.clone());
            }
        }
        match &self.kind {
            Kind::List(items) => items.iter().for_each(|item| item.collect_via(out)),
            Kind::Map(map) => map.values().for_each(|item| item.collect_via(out)),
            _ => {}
        }
    }

    /// Gives `origins` to the nodes created at `span` that have no trace of their own.
    pub fn inherit(&mut self, span: Span, origins: &[Trace]) {
        if origins.is_empty() {
            return;
        }
        if self.span == span && self.via.is_empty() {
            self.via = origins.to_vec();
        }
        match &mut self.kind {
            Kind::List(items) => items
                .iter_mut()
                .for_each(|item| item.inherit(span, origins)),
            Kind::Map(map) => map
                .values_mut()
                .for_each(|item| item.inherit(span, origins)),
            _ => {}
        }
    }

    /// Approximate size in bytes.
    pub fn weight(&self) -> u64 {
        let own = match &self.kind {
            Kind::Str(text) | Kind::Unknown(text) | Kind::Error(text) => text.len(),
            Kind::List(items) => return items.iter().map(Self::weight).sum::<u64>() + 32,
            Kind::Map(map) => {
                return map
                    .iter()
                    .map(|(key, item)| key.len() as u64 + item.weight())
                    .sum::<u64>()
                    + 32;
            }
            _ => 0,
        };
        own as u64 + 32
    }

    /// Structural equality, ignoring spans and traces.
    pub fn same(&self, other: &Self) -> bool {
        match (&self.kind, &other.kind) {
            (Kind::Null, Kind::Null) => true,
            (Kind::Bool(a), Kind::Bool(b)) => a == b,
            (Kind::Num(a), Kind::Num(b)) => a == b,
            (Kind::Str(a), Kind::Str(b)) => a == b,
            (Kind::List(a), Kind::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            (Kind::Map(a), Kind::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && va.same(vb))
            }
            _ => false,
        }
    }

    /// A short HCL rendering for trace notes.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        if out.len() > RENDER_LIMIT {
            let mut cut = RENDER_LIMIT;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push('…');
        }
        out
    }

    fn render_into(&self, out: &mut String) {
        if out.len() > RENDER_LIMIT {
            return;
        }
        match &self.kind {
            Kind::Null => out.push_str("null"),
            Kind::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Kind::Num(number) => out.push_str(&format_number(*number)),
            Kind::Str(text) => {
                let _ = write!(out, "{text:?}");
            }
            Kind::Unknown(_) => out.push_str("(unknown)"),
            Kind::Error(_) => out.push_str("(error)"),
            Kind::List(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    item.render_into(out);
                }
                out.push(']');
            }
            Kind::Map(map) => {
                out.push('{');
                for (index, (key, item)) in map.iter().enumerate() {
                    out.push_str(if index > 0 { ", " } else { " " });
                    let _ = write!(out, "{key} = ");
                    item.render_into(out);
                }
                out.push_str(if map.is_empty() { "}" } else { " }" });
            }
        }
    }

    /// The value as seen through a reference at `span`: every node moves to `span` and records
    /// where it was before with `note`, so a finding points at the expression in the resource
    /// and lists the definition as related.
    #[must_use]
    pub fn through(self, span: Span, note: &str) -> Self {
        let Self {
            kind,
            span: old,
            mut via,
        } = self;
        if old != span {
            via.push(Trace::new(old, note.to_owned()));
        }
        let kind = match kind {
            Kind::List(items) => Kind::List(
                items
                    .into_iter()
                    .map(|item| item.through(span, note))
                    .collect(),
            ),
            Kind::Map(map) => Kind::Map(
                map.into_iter()
                    .map(|(key, item)| (key, item.through(span, note)))
                    .collect(),
            ),
            other => other,
        };
        Self { kind, span, via }
    }

    /// Converts to an IR value; `None` for null (an absent optional attribute).
    pub fn to_value<T>(
        &self,
        convert: impl FnOnce(&Self) -> Result<T, String>,
    ) -> Option<Value<T>> {
        if self.is_null() {
            return None;
        }
        Some(self.convert(convert))
    }

    /// Converts to an IR value, null included.
    pub fn convert<T>(&self, convert: impl FnOnce(&Self) -> Result<T, String>) -> Value<T> {
        let value = match convert(self) {
            Ok(value) => Value::known(value, self.span),
            Err(reason) => Value::unknown(reason, self.span),
        };
        value.with_via(self.via.clone())
    }
}

pub fn format_number(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1.0e15 {
        format!("{number:.0}")
    } else {
        number.to_string()
    }
}
