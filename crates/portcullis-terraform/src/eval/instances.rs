//! The instances a `count` or `for_each` makes of a resource or module block.

use portcullis_ir::Trace;

use super::frame::Frame;

/// An instance key of a resource or module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Index(usize),
    Name(String),
    /// `for_each` could not be evaluated; one instance is assumed.
    Unknown,
}

impl Key {
    pub fn suffix(&self) -> String {
        match self {
            Self::Index(index) => format!("[{index}]"),
            Self::Name(name) => format!("[{name:?}]"),
            Self::Unknown => "[*]".to_owned(),
        }
    }
}

/// One instance of a block: its key, the bindings of `count` or `each`, and what its existence
/// depends on.
#[derive(Clone, Debug)]
pub struct Instance {
    pub key: Option<Key>,
    pub frame: Frame,
    pub assumptions: Vec<Trace>,
}

/// How a block expands.
#[derive(Clone, Copy, Debug)]
pub enum Expansion {
    Single,
    Count,
    ForEach,
}

/// How a block expands and its instances.
pub type Expanded = (Expansion, Vec<Instance>);
