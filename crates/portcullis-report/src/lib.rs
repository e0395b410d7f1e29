//! Renderers: each turns a finished scan into one output format. Renderers never analyse.

mod dot;
mod github;
mod graph;
mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

use std::cell::RefCell;
use std::io::Write as _;

use portcullis_ir::{SourceMap, Span};

pub use dot::render as render_dot;
pub use github::render as render_github;
pub use json::{render as render_json, write as write_json};
pub use junit::render as render_junit;
pub use markdown::{
    MIN_MAX_CHARS as MARKDOWN_MIN_MAX_CHARS, MarkdownOptions, render as render_markdown,
};
pub use sarif::{SarifOptions, path_uri, render as render_sarif, write as write_sarif};
pub use text::{TextOptions, neutralise, render as render_text};

/// Path, 1-based start and end line/column of a span (columns in characters).
pub(crate) struct Region {
    pub path: String,
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Region {
    pub fn of(sources: &SourceMap, span: Span) -> Self {
        let start = sources.location(span.file, span.start);
        let end = sources.location(span.file, span.end);
        Self {
            path: sources.path(span.file),
            start_line: start.line,
            start_column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

/// What a finding shown at the argument leading to module code says of that code: where the
/// finding is, for the formats that show it in the repository instead (`shown_at`).
pub(crate) fn module_code_note(finding: &portcullis_diagnostics::Diagnostic) -> String {
    format!(
        "`{}` in module code outside the scanned files",
        finding.resource
    )
}

/// Where the formats bound to the repository's files (GitHub annotations, SARIF, Markdown,
/// JUnit) place a finding, with the message to show there: for module code outside the scanned
/// paths, the argument that leads to it, and the message says where the code is.
pub(crate) fn repository_place(
    sources: &SourceMap,
    finding: &portcullis_diagnostics::Diagnostic,
) -> (Span, String) {
    match finding.shown_at {
        Some(shown_at) => {
            let code = Region::of(sources, finding.span);
            let message = format!(
                "{} ({}: {}:{})",
                finding.message,
                module_code_note(finding),
                code.path,
                code.start_line
            );
            (shown_at, message)
        }
        None => (finding.span, finding.message.clone()),
    }
}

/// A sequence serialised item by item as it is written, so that a report on a large repository
/// is never held in memory whole. It can be serialised once.
pub(crate) struct LazySeq<I>(RefCell<Option<I>>);

impl<I> LazySeq<I> {
    pub fn new(items: I) -> Self {
        Self(RefCell::new(Some(items)))
    }
}

impl<I> serde::Serialize for LazySeq<I>
where
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.borrow_mut().take() {
            Some(items) => serializer.collect_seq(items),
            None => Err(serde::ser::Error::custom(
                "a lazy sequence is serialised once",
            )),
        }
    }
}

/// Writes a serialisable report as pretty JSON with a trailing newline.
pub(crate) fn write_pretty_json(
    value: &impl serde::Serialize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // The serialiser writes many small pieces: a buffer of a concrete type takes them inline,
    // instead of one dynamic call each.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut buffered, value).map_err(std::io::Error::other)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// What a writer wrote, as text (JSON writers write UTF-8).
pub(crate) fn written(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut bytes = Vec::new();
    // Writing to memory cannot fail: the only errors are the writer's.
    let _ = write(&mut bytes);
    String::from_utf8(bytes)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}
