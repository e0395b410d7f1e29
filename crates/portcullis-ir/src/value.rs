use crate::Span;

/// A step in a value's history: where it was written or what decided it
/// (`variable "cidr" default`, a tfvars line, a module argument, a CloudFormation parameter).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Trace {
    pub span: Span,
    pub note: String,
    /// For an assumption that stands for input values other than the defaults: those values as
    /// a clause (`Env is dev`), which checks add to the message of the findings it leads to.
    pub scenario: Option<String>,
}

impl Trace {
    pub fn new(span: Span, note: impl Into<String>) -> Self {
        Self {
            span,
            note: note.into(),
            scenario: None,
        }
    }
}

/// A value of the configuration with where it came from.
///
/// `span` is where the value appears in the resource (the expression a finding points at);
/// `via` lists the places that supplied it, outermost first. A value that cannot be resolved is
/// [`Value::Unknown`] with a reason: it is never guessed and never dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value<T> {
    Known {
        value: T,
        span: Span,
        via: Vec<Trace>,
    },
    Unknown {
        reason: String,
        span: Span,
        via: Vec<Trace>,
    },
}

impl<T> Value<T> {
    pub fn known(value: T, span: Span) -> Self {
        Self::Known {
            value,
            span,
            via: Vec::new(),
        }
    }

    pub fn unknown(reason: impl Into<String>, span: Span) -> Self {
        Self::Unknown {
            reason: reason.into(),
            span,
            via: Vec::new(),
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Self::Known { span, .. } | Self::Unknown { span, .. } => *span,
        }
    }

    pub fn via(&self) -> &[Trace] {
        match self {
            Self::Known { via, .. } | Self::Unknown { via, .. } => via,
        }
    }

    pub fn known_value(&self) -> Option<&T> {
        match self {
            Self::Known { value, .. } => Some(value),
            Self::Unknown { .. } => None,
        }
    }

    pub fn unknown_reason(&self) -> Option<&str> {
        match self {
            Self::Known { .. } => None,
            Self::Unknown { reason, .. } => Some(reason),
        }
    }

    #[must_use]
    pub fn with_via(mut self, trace: Vec<Trace>) -> Self {
        match &mut self {
            Self::Known { via, .. } | Self::Unknown { via, .. } => via.extend(trace),
        }
        self
    }

    /// Transforms a known value, or turns it into an unknown with the reason given by `f`.
    pub fn and_then<U>(self, f: impl FnOnce(T) -> Result<U, String>) -> Value<U> {
        match self {
            Self::Known { value, span, via } => match f(value) {
                Ok(value) => Value::Known { value, span, via },
                Err(reason) => Value::Unknown { reason, span, via },
            },
            Self::Unknown { reason, span, via } => Value::Unknown { reason, span, via },
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Value<U> {
        self.and_then(|value| Ok(f(value)))
    }

    pub fn as_ref(&self) -> Value<&T> {
        match self {
            Self::Known { value, span, via } => Value::Known {
                value,
                span: *span,
                via: via.clone(),
            },
            Self::Unknown { reason, span, via } => Value::Unknown {
                reason: reason.clone(),
                span: *span,
                via: via.clone(),
            },
        }
    }
}
