//! Continuation lines that CloudFormation accepts and YAML 1.2 does not: the lines to indent
//! further before parsing again, and the map from offsets in the edited text back to the original.

use portcullis_ir::Span;

use super::node::{ErrorKind, Kind, Node, SyntaxError};

/// Lines re-indented by `parse_yaml` before giving up.
pub(super) const MAX_REPAIRS: usize = 64;

/// Spaces inserted at line starts: `(offset in the original text, count)`, sorted.
#[derive(Default)]
pub(super) struct Edits(pub(super) Vec<(usize, usize)>);

impl Edits {
    /// The original offset of an offset in the edited text.
    pub(super) fn original(&self, edited: usize) -> usize {
        let mut shift = 0;
        for &(at, count) in &self.0 {
            let start = at + shift;
            if edited < start {
                break;
            }
            if edited < start + count {
                return at;
            }
            shift += count;
        }
        edited - shift
    }

    /// Records `count` spaces inserted at `edited`, an offset in the current text.
    pub(super) fn insert(&mut self, edited: usize, count: usize) {
        let at = self.original(edited);
        let index = self.0.partition_point(|&(other, _)| other <= at);
        self.0.insert(index, (at, count));
    }

    pub(super) fn remap(&self, span: Span) -> Span {
        Span::new(
            span.file,
            self.original(span.start as usize),
            self.original(span.end as usize),
        )
    }

    pub(super) fn remap_node(&self, node: &mut Node) {
        node.span = self.remap(node.span);
        match &mut node.kind {
            Kind::Null | Kind::Scalar(_) => {}
            Kind::Seq(items) => items.iter_mut().for_each(|item| self.remap_node(item)),
            Kind::Map(entries) => {
                for entry in entries {
                    entry.key_span = self.remap(entry.key_span);
                    self.remap_node(&mut entry.value);
                }
            }
        }
    }
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The `(line start, spaces to add)` that make an under-indented continuation line acceptable, or
/// nothing when the error is of another kind.
pub(super) fn indentation_repairs(text: &str, error: &SyntaxError) -> Vec<(usize, usize)> {
    let at = error.offset.min(text.len());
    let line_start = |offset: usize| text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    if error.kind == ErrorKind::QuotedScalarIndentation {
        // saphyr points at the opening quote; every continuation line moves past it.
        let Some(quote) = text[at..]
            .chars()
            .next()
            .filter(|c| matches!(c, '\'' | '"'))
        else {
            return Vec::new();
        };
        let column = text[line_start(at)..at].chars().count() + 1;
        let mut pads = Vec::new();
        let mut escaped = false;
        for (index, c) in text[at + 1..].char_indices() {
            let offset = at + 1 + index;
            match c {
                '\\' if quote == '"' => escaped = !escaped,
                c if c == quote && !escaped => {
                    // `''` is an escaped quote in single-quoted scalars.
                    if quote == '\'' && text[offset + 1..].starts_with('\'') {
                        escaped = true;
                        continue;
                    }
                    break;
                }
                '\n' => {
                    escaped = false;
                    let start = offset + 1;
                    let indent = indentation(&text[start..]);
                    if indent < column {
                        pads.push((start, column - indent));
                    }
                }
                _ => escaped = false,
            }
        }
        return pads;
    }
    if matches!(error.kind, ErrorKind::Indentation(_)) {
        // Inside a flow collection, where indentation carries no meaning: a closing bracket, or a
        // line after an opening bracket or a comma.
        let start = line_start(at);
        let line = &text[start..];
        let previous = text[..start.saturating_sub(1)]
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("");
        let in_flow = line.trim_start().starts_with([']', '}'])
            || previous.trim_end().ends_with(['[', '{', ',']);
        if in_flow {
            let indent = indentation(line);
            let target = indentation(previous).max(indent + 1);
            return vec![(start, target - indent)];
        }
    }
    Vec::new()
}
