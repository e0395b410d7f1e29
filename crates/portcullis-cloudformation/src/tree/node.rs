//! What a parsed template is: a tree of scalars, sequences and mappings with byte spans, the
//! duplicate keys dropped while building it, the limits on its size and the error that stops it.

use std::fmt;

use portcullis_ir::Span;

/// Deepest nesting accepted; real templates stay far below it, and it keeps every recursive walk
/// (conversion, evaluation, drop) well inside the stack.
pub const MAX_DEPTH: usize = 128;
/// Nodes that YAML alias expansion may add in total, against billion-laughs documents.
pub const ALIAS_BUDGET: usize = 50_000;

#[derive(Clone, Debug)]
pub struct Node {
    pub span: Span,
    pub kind: Kind,
}

#[derive(Clone, Debug)]
pub enum Kind {
    Null,
    /// A string, number or boolean as written (booleans normalised to `true`/`false`).
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// A key written twice in one mapping; the later value is kept, as CloudFormation does.
#[derive(Clone, Debug)]
pub struct Duplicate {
    pub key: String,
    pub first: Span,
    pub second: Span,
}

#[derive(Debug)]
pub struct Document {
    pub root: Node,
    pub duplicates: Vec<Duplicate>,
}

/// A syntax error or a limit reached, at a byte offset.
#[derive(Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub kind: ErrorKind,
}

/// Why a document could not be read. The YAML reader branches on the indentation errors (it
/// repairs what CloudFormation accepts); the others are reported as they render.
#[derive(Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A continuation line of a quoted scalar less indented than YAML 1.2 allows.
    QuotedScalarIndentation,
    /// Another indentation error of the YAML parser, with its message.
    Indentation(String),
    /// Any other error of the JSON or YAML parser, with its message.
    Parser(String),
    /// A JSON file without a value.
    NoJsonValue,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// YAML aliases expanding to more than [`ALIAS_BUDGET`] nodes.
    AliasBudget,
    /// A YAML alias to an anchor not defined before it.
    UnknownAnchor,
    /// A YAML mapping key that is a sequence or a mapping.
    ComplexKey,
}

impl ErrorKind {
    /// The kind of an error message of the YAML parser.
    pub fn of_yaml(message: &str) -> Self {
        if message == "invalid indentation in quoted scalar" {
            Self::QuotedScalarIndentation
        } else if message.starts_with("invalid indentation") {
            Self::Indentation(message.to_owned())
        } else {
            Self::Parser(message.to_owned())
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::QuotedScalarIndentation => f.write_str("invalid indentation in quoted scalar"),
            Self::Indentation(message) | Self::Parser(message) => f.write_str(message),
            Self::NoJsonValue => f.write_str("the file holds no JSON value"),
            Self::TooDeep => write!(f, "nesting deeper than {MAX_DEPTH} levels"),
            Self::AliasBudget => write!(
                f,
                "YAML aliases expand to more than {ALIAS_BUDGET} nodes (possible billion-laughs attack); the template was not analysed"
            ),
            Self::UnknownAnchor => f.write_str("alias to an unknown anchor"),
            Self::ComplexKey => f.write_str("a mapping key must be a scalar in a template"),
        }
    }
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(text) => Some(text),
            _ => None,
        }
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .find(|entry| entry.key == key)
            .map(|entry| &entry.value)
    }

    /// The single `(key, argument)` of a one-entry mapping: the shape of every intrinsic.
    pub fn single_entry(&self) -> Option<&Entry> {
        match self.entries()? {
            [entry] => Some(entry),
            _ => None,
        }
    }
}

pub(super) fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') { 3 } else { 0 }
}

/// Builds mappings while detecting duplicate keys; shared by both parsers.
#[derive(Default)]
pub(super) struct MapBuilder {
    pub(super) entries: Vec<Entry>,
    /// Position of each key, so that huge mappings stay linear.
    index: std::collections::HashMap<String, usize>,
}

impl MapBuilder {
    pub(super) fn insert(&mut self, entry: Entry, duplicates: &mut Vec<Duplicate>) {
        if let Some(&at) = self.index.get(&entry.key) {
            let existing = &mut self.entries[at];
            duplicates.push(Duplicate {
                key: entry.key.clone(),
                first: existing.key_span,
                second: entry.key_span,
            });
            *existing = entry;
        } else {
            self.index.insert(entry.key.clone(), self.entries.len());
            self.entries.push(entry);
        }
    }
}
