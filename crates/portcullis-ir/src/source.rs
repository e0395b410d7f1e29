//! Files, byte spans, and byte → line/column conversion.

use std::sync::{Arc, PoisonError, RwLock};

use line_index::{LineIndex, TextSize, WideEncoding};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// The byte offset in `line` (one line's text, without its line break) of a 0-based UTF-16
/// column, on a character boundary; a column past the end is the line's end.
pub fn utf16_column_offset(line: &str, utf16_column: u32) -> usize {
    let mut units = 0u32;
    for (offset, character) in line.char_indices() {
        if units >= utf16_column {
            return offset;
        }
        units += u32::try_from(character.len_utf16()).unwrap_or(2);
    }
    line.len()
}

/// The default size limit: files larger than this are reported, not read.
pub const MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Self {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end.max(start)).unwrap_or(u32::MAX),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span that contains both (same file assumed).
    #[must_use]
    pub fn cover(self, other: Self) -> Self {
        Self {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A 1-based position. `column` counts Unicode scalar values; `utf16_column` counts UTF-16
/// code units, as LSP and SARIF (`columnKind: utf16CodeUnits`) want.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub line: u32,
    pub column: u32,
    pub utf16_column: u32,
}

/// One scanned file: its path as given on the command line and its text.
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    pub path: String,
    /// Kept as read: a `String` moves in without a copy, large files included.
    pub text: String,
    index: LineIndex,
}

impl SourceFile {
    pub fn new(id: FileId, path: impl Into<String>, text: impl Into<String>) -> Self {
        let text: String = text.into();
        let index = LineIndex::new(&text);
        Self {
            id,
            path: path.into(),
            text,
            index,
        }
    }

    pub fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.id, start, end)
    }

    /// The position of a byte offset; offsets inside a character or past the end are clamped.
    pub fn location(&self, offset: u32) -> Location {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let size = TextSize::try_from(offset).unwrap_or_default();
        let line_col = self.index.line_col(size);
        let line_start = offset - line_col.col as usize;
        let before = &self.text[line_start..offset];
        let column = u32::try_from(before.chars().count()).unwrap_or(u32::MAX);
        let utf16_column = self
            .index
            .to_wide(WideEncoding::Utf16, line_col)
            .map_or(column, |wide| wide.col);
        Location {
            line: line_col.line + 1,
            column: column + 1,
            utf16_column: utf16_column + 1,
        }
    }

    /// The byte offset of a 1-based line and UTF-16 column (LSP positions). A column past the end
    /// of its line means the line's end, as LSP specifies; a line past the end, the text's end.
    pub fn offset_of_utf16(&self, line: u32, utf16_column: u32) -> usize {
        let index = line.saturating_sub(1);
        let Some(start) = self
            .index
            .line(index)
            .map(|range| usize::from(range.start()))
        else {
            return self.text.len();
        };
        let rest = self.text.get(start..).unwrap_or("");
        let line_text = rest.split_inclusive('\n').next().unwrap_or("");
        let content = line_text.trim_end_matches(['\n', '\r']);
        start + utf16_column_offset(content, utf16_column.saturating_sub(1))
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

/// Every file of a scan, indexed by [`FileId`].
///
/// Files are added while the scan runs (the Terraform front-end loads module sources it meets),
/// so the map is shared and appends under a lock; lookups clone an `Arc`. Ids depend on the
/// order of additions, so nothing user-visible may be ordered by id: sort by path.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: RwLock<Vec<Arc<SourceFile>>>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&self, path: impl Into<String>, text: impl Into<String>) -> Arc<SourceFile> {
        self.insert(SourceFile::new(FileId(0), path, text))
    }

    /// Adds a file built beforehand, giving it the next id: building it (its line index) can
    /// then happen on a worker thread, outside the map's lock.
    pub fn insert(&self, mut file: SourceFile) -> Arc<SourceFile> {
        let mut files = self.files.write().unwrap_or_else(PoisonError::into_inner);
        file.id = FileId(u32::try_from(files.len()).unwrap_or(u32::MAX));
        let file = Arc::new(file);
        files.push(Arc::clone(&file));
        file
    }

    pub fn get(&self, id: FileId) -> Option<Arc<SourceFile>> {
        let files = self.files.read().unwrap_or_else(PoisonError::into_inner);
        files.get(id.0 as usize).cloned()
    }

    /// Every file added so far, in the order of addition.
    pub fn files(&self) -> Vec<Arc<SourceFile>> {
        self.files
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn len(&self) -> usize {
        self.files
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn path(&self, file: FileId) -> String {
        self.get(file)
            .map(|source| source.path.clone())
            .unwrap_or_default()
    }

    pub fn location(&self, file: FileId, offset: u32) -> Location {
        self.get(file).map_or(
            Location {
                line: 1,
                column: 1,
                utf16_column: 1,
            },
            |source| source.location(offset),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_utf16_units() {
        let file = SourceFile::new(FileId(0), "a.tf", "x = 1\n# é😀 = \"0.0.0.0/0\"\n");
        let offset = file.text.find('"').unwrap();
        let location = file.location(u32::try_from(offset).unwrap());
        assert_eq!(location.line, 2);
        assert_eq!(location.column, 8);
        assert_eq!(location.utf16_column, 9);
        assert_eq!(file.offset_of_utf16(2, 9), offset);
        // Inside the emoji's surrogate pair: the next character, never half of one.
        let emoji = file.text.find('😀').unwrap();
        assert_eq!(file.offset_of_utf16(2, 5), emoji + '😀'.len_utf8());
        // Past the end of the line: the end of that line, not the next one.
        assert_eq!(file.offset_of_utf16(1, 40), 5);
        assert_eq!(file.offset_of_utf16(9, 1), file.text.len());
    }

    #[test]
    fn crlf_does_not_shift_columns() {
        let file = SourceFile::new(FileId(0), "a.tf", "a\r\nbc = 1\r\n");
        let offset = file.text.find('=').unwrap();
        let location = file.location(u32::try_from(offset).unwrap());
        assert_eq!((location.line, location.column), (2, 4));
    }

    #[test]
    fn offsets_out_of_range_are_clamped() {
        let file = SourceFile::new(FileId(0), "a.tf", "é");
        assert_eq!(file.location(1).column, 1);
        assert_eq!(file.location(99).column, 2);
    }
}
