//! The open buffers: their text as the client's edits leave it, and the overlays and versions
//! an analysis reads.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

use crate::analysis::Overlays;

pub struct Document {
    pub uri: Uri,
    pub version: i32,
    pub text: Arc<str>,
}

/// Open buffers by path.
pub type Documents = BTreeMap<PathBuf, Document>;

/// The buffers' texts, for an analysis to read instead of the disk.
pub fn overlays(documents: &Documents) -> Overlays {
    documents
        .iter()
        .map(|(path, document)| (path.clone(), Arc::clone(&document.text)))
        .collect()
}

/// The buffers' versions, which an analysis's diagnostics and edits refer to.
pub fn versions(documents: &Documents) -> BTreeMap<PathBuf, i32> {
    documents
        .iter()
        .map(|(path, document)| (path.clone(), document.version))
        .collect()
}

/// Applies one change of `didChange`: a whole new text, or a range replaced (UTF-16 positions).
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    let Some(range) = change.range else {
        *text = change.text;
        return;
    };
    let start = offset_at(text, range.start);
    let end = offset_at(text, range.end).max(start);
    text.replace_range(start..end, &change.text);
}

/// The byte offset of an LSP position (UTF-16 column), always on a character boundary: a column
/// past the end of its line is the line's end, a line past the last is the end of the text.
pub fn offset_at(text: &str, position: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(index) => line_start += index + 1,
            None => return text.len(),
        }
    }
    let rest = &text[line_start..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let line = line.strip_suffix('\r').unwrap_or(line);
    line_start + portcullis_ir::utf16_column_offset(line, position.character)
}

/// The LSP position (UTF-16 column) of a byte offset.
fn position_at(text: &str, offset: usize) -> Position {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let line = u32::try_from(before.matches('\n').count()).unwrap_or(u32::MAX);
    let column = before[line_start..].encode_utf16().count();
    Position::new(line, u32::try_from(column).unwrap_or(u32::MAX))
}

/// One edit as a replaced range of the old text (LSP positions) and the text put there.
pub struct Replacement {
    pub start: Position,
    pub end: Position,
    pub inserted: String,
}

impl Replacement {
    /// What a change does to `text` (the text before it): a whole new text becomes the range
    /// between the parts the two texts share at their start and end.
    pub fn of(text: &str, change: &TextDocumentContentChangeEvent) -> Self {
        if let Some(range) = change.range {
            return Self {
                start: range.start,
                end: range.end,
                inserted: change.text.clone(),
            };
        }
        let new = change.text.as_str();
        let mut prefix = text
            .bytes()
            .zip(new.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        while !text.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
            prefix -= 1;
        }
        let longest = text.len().min(new.len()) - prefix;
        let mut suffix = text
            .bytes()
            .rev()
            .zip(new.bytes().rev())
            .take(longest)
            .take_while(|(a, b)| a == b)
            .count();
        while !text.is_char_boundary(text.len() - suffix)
            || !new.is_char_boundary(new.len() - suffix)
        {
            suffix -= 1;
        }
        Self {
            start: position_at(text, prefix),
            end: position_at(text, text.len() - suffix),
            inserted: new[prefix..new.len() - suffix].to_owned(),
        }
    }

    /// Where a range of the old text is in the new one; `None` when the edit touches it.
    pub fn shift(&self, range: Range) -> Option<Range> {
        if range.end <= self.start {
            return Some(range);
        }
        if range.start < self.end {
            return None;
        }
        let added_lines = u32::try_from(self.inserted.matches('\n').count()).unwrap_or(u32::MAX);
        let last_line = self.inserted.rsplit('\n').next().unwrap_or("");
        let last_width = u32::try_from(last_line.encode_utf16().count()).unwrap_or(u32::MAX);
        let moved = |position: Position| {
            if position.line == self.end.line {
                let base = if added_lines == 0 {
                    self.start.character + last_width
                } else {
                    last_width
                };
                Position::new(
                    self.start.line + added_lines,
                    base + (position.character - self.end.character),
                )
            } else {
                Position::new(
                    position.line - self.end.line + self.start.line + added_lines,
                    position.character,
                )
            }
        };
        Some(Range::new(moved(range.start), moved(range.end)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.to_owned(),
        }
    }

    fn range(start: (u32, u32), end: (u32, u32)) -> Range {
        Range::new(Position::new(start.0, start.1), Position::new(end.0, end.1))
    }

    #[test]
    fn kept_ranges_follow_the_edits() {
        let text = "a = 1\nb = \"x\"\nc = 3\n";
        let b = range((1, 4), (1, 7));
        // Three lines inserted at the top move it down three lines.
        let edit = Replacement::of(text, &change(&format!("x\ny\nz\n{text}")));
        assert_eq!(edit.shift(b), Some(range((4, 4), (4, 7))));
        // Text inserted before it on its line moves it right; after it, nothing moves.
        let edit = Replacement::of(text, &change("a = 1\nb  = \"x\"\nc = 3\n"));
        assert_eq!(edit.shift(b), Some(range((1, 5), (1, 8))));
        let edit = Replacement::of(text, &change("a = 1\nb = \"x\"\nc = 3\n}\n"));
        assert_eq!(edit.shift(b), Some(b));
        // An edit inside it drops it; a deleted line above moves it up.
        let edit = Replacement::of(text, &change("a = 1\nb = \"y\"\nc = 3\n"));
        assert_eq!(edit.shift(b), None);
        let edit = Replacement::of(text, &change("b = \"x\"\nc = 3\n"));
        assert_eq!(edit.shift(b), Some(range((0, 4), (0, 7))));
    }

    #[test]
    fn incremental_changes_use_utf16_positions() {
        let mut text = "a = \"é😀\"\nb = 1\n".to_owned();
        let change = |range: Option<Range>, new: &str| TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: new.to_owned(),
        };
        // After `é😀` (1 + 2 UTF-16 units) on line 0.
        let at = Position::new(0, 8);
        apply_change(&mut text, change(Some(Range::new(at, at)), "!"));
        assert_eq!(text, "a = \"é😀!\"\nb = 1\n");
        let line_one = Range::new(Position::new(1, 4), Position::new(1, 5));
        apply_change(&mut text, change(Some(line_one), "22"));
        assert_eq!(text, "a = \"é😀!\"\nb = 22\n");
        apply_change(&mut text, change(None, "x"));
        assert_eq!(text, "x");
    }

    #[test]
    fn positions_past_a_line_end_stay_on_that_line() {
        let text = "ab\r\néé😀\n";
        assert_eq!(offset_at(text, Position::new(0, 1)), 1);
        assert_eq!(offset_at(text, Position::new(0, 9)), 2);
        assert_eq!(offset_at(text, Position::new(1, 1)), 6);
        assert_eq!(offset_at(text, Position::new(1, 4)), 12);
        assert_eq!(offset_at(text, Position::new(1, 3)), 12);
        assert_eq!(offset_at(text, Position::new(2, 0)), text.len());
        assert_eq!(offset_at(text, Position::new(u32::MAX, 5)), text.len());
        let mut edited = text.to_owned();
        let past_end = Position::new(0, 5);
        apply_change(
            &mut edited,
            TextDocumentContentChangeEvent {
                range: Some(Range::new(past_end, past_end)),
                range_length: None,
                text: "c".to_owned(),
            },
        );
        assert_eq!(edited, "abc\r\néé😀\n");
    }
}
