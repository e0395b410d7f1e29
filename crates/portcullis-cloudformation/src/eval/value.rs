//! What an evaluated value is: known text, a list or a map, null, unknown with a reason, or
//! `AWS::NoValue`.

use portcullis_ir::{Span, Trace};

/// An evaluated value.
#[derive(Clone, Debug)]
pub enum Ev {
    Str {
        value: String,
        span: Span,
        via: Vec<Trace>,
    },
    List {
        items: Vec<Ev>,
        span: Span,
    },
    Map {
        entries: Vec<(String, Ev)>,
        span: Span,
    },
    Null(Span),
    Unknown {
        reason: String,
        span: Span,
        via: Vec<Trace>,
    },
    /// `Ref: AWS::NoValue`: the property is removed.
    NoValue(Span),
}

impl Ev {
    pub fn unknown(reason: impl Into<String>, span: Span) -> Self {
        Self::Unknown {
            reason: reason.into(),
            span,
            via: Vec::new(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Ev> {
        match self {
            Self::Map { entries, .. } => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The value moved to where it is used, keeping where it came from in `via`.
    pub(super) fn at(self, use_span: Span, trace: Option<Trace>) -> Self {
        match self {
            Self::Str { value, via, .. } => Self::Str {
                value,
                span: use_span,
                via: trace.into_iter().chain(via).collect(),
            },
            Self::Unknown { reason, via, .. } => Self::Unknown {
                reason,
                span: use_span,
                via: trace.into_iter().chain(via).collect(),
            },
            Self::List { items, .. } => Self::List {
                items: items
                    .into_iter()
                    .map(|item| item.at(use_span, trace.clone()))
                    .collect(),
                span: use_span,
            },
            other => other,
        }
    }
}
