//! The open buffers: their text as the client's edits leave it, and the overlays and versions
//! an analysis reads.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::{Position, TextDocumentContentChangeEvent, Uri};

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

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Range;

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
