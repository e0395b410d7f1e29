//! How far an evaluation goes: the bounds that keep a hostile or huge configuration from taking
//! unbounded time or memory, and the typed reasons an evaluation stops early.

use std::fmt;

/// Deepest nesting of expressions evaluated.
pub const MAX_DEPTH: usize = 96;
/// Evaluation steps per root module.
pub const MAX_STEPS: u64 = 4_000_000;
/// Largest collection an expression, a `count` or a `for_each` may produce.
pub const MAX_ITEMS: usize = 10_000;
/// Longest string a template or a function may produce.
pub const MAX_STRING: usize = 1 << 20;
/// Deepest chain of module calls followed.
pub const MAX_MODULE_DEPTH: usize = 12;
/// Bytes of values copied out of variables, locals and outputs per root module: bounds the
/// memory of `[for i in range(10000) : local.huge]`.
pub const MAX_BYTES: u64 = 256 << 20;
/// Module calls followed per root module (diamonds of modules multiply).
pub const MAX_MODULE_CALLS: usize = 10_000;

/// A bound reached. It is reported as a problem (`evaluation limit reached: ...`) so that the
/// user knows the analysis is partial, and the value it stopped becomes unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// [`MAX_STEPS`].
    Steps,
    /// [`MAX_DEPTH`].
    Depth,
    /// [`MAX_ITEMS`], for a list.
    ListItems,
    /// [`MAX_ITEMS`], for a `count`.
    Count,
    /// [`MAX_ITEMS`], for a `for_each`.
    ForEach,
    /// [`MAX_STRING`].
    StringBytes,
    /// [`MAX_BYTES`].
    CopiedBytes,
    /// [`MAX_MODULE_DEPTH`].
    ModuleDepth,
    /// [`MAX_MODULE_CALLS`].
    ModuleCalls,
}

impl Limit {
    /// The problem's message.
    pub fn message(self) -> String {
        format!("evaluation limit reached: {self}")
    }
}

/// What was exceeded, as the message says it.
impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Steps => write!(f, "more than {MAX_STEPS} evaluation steps"),
            Self::Depth => write!(f, "expressions nested more than {MAX_DEPTH} deep"),
            Self::ListItems => write!(f, "a list of more than {MAX_ITEMS} items"),
            Self::Count => write!(f, "count above {MAX_ITEMS}"),
            Self::ForEach => write!(f, "for_each over more than {MAX_ITEMS} items"),
            Self::StringBytes => write!(f, "a string longer than {MAX_STRING} bytes"),
            Self::CopiedBytes => write!(f, "more than {} MiB of values copied", MAX_BYTES >> 20),
            Self::ModuleDepth => write!(f, "modules nested more than {MAX_MODULE_DEPTH} deep"),
            Self::ModuleCalls => write!(f, "more than {MAX_MODULE_CALLS} module calls"),
        }
    }
}

/// Why an evaluation step was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// A bound was reached.
    Limit(Limit),
    /// The caller no longer wants the result (an editor's buffer changed); it is discarded.
    Cancelled,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_bound() {
        assert_eq!(
            Limit::Steps.message(),
            "evaluation limit reached: more than 4000000 evaluation steps"
        );
        assert_eq!(
            Limit::CopiedBytes.to_string(),
            "more than 256 MiB of values copied"
        );
        assert_eq!(
            Limit::ModuleCalls.message(),
            "evaluation limit reached: more than 10000 module calls"
        );
    }
}
