//! The comments of HCL files (`.tf`, `.tfvars`), read by a lexer that knows HCL's strings,
//! templates and heredocs: a `#` inside `"https://example.com/#x"` or inside a heredoc is
//! text, not a comment. Each `#` or `//` comment comes with the code it annotates, for
//! suppression markers:
//!
//! - a comment after code on a line annotates that line; a comment on its own line annotates
//!   the next line that holds code (not blank, not only comments);
//! - the annotated line covers its block when it opens more brackets (`{`, `[`) than it closes,
//!   counting only brackets of code (not of strings, templates, comments or heredocs), through
//!   the line where they are all closed; otherwise it covers itself.
//!
//! `/* */` comments are skipped and not reported. JSON files have no comments.

use portcullis_ir::{Comment, SourceFile};

/// The `#` and `//` comments of an HCL file, each with the line it annotates and the code that
/// line covers; none for a JSON file (`.tf.json`, `.tfvars.json`). A comment followed by no
/// code annotates nothing and is left out.
pub fn comments(file: &SourceFile) -> Vec<Comment> {
    if file.path.ends_with(".json") {
        return Vec::new();
    }
    let Lexed { lines, comments } = lex(&file.text);
    let span = |start: usize, end: usize| file.span(start, end);
    comments
        .into_iter()
        .filter_map(|(offset, index)| {
            let line = lines.get(index)?;
            let target = if line.code {
                index
            } else {
                (index + 1..lines.len()).find(|next| lines.get(*next).is_some_and(|l| l.code))?
            };
            let annotated = lines.get(target)?;
            let end = lines.get(block_end(&lines, target))?;
            let text = file.text.get(offset..line.end).unwrap_or_default();
            Some(Comment {
                span: span(offset, offset + text.trim_end().len()),
                line: span(annotated.start, annotated.end),
                covers: span(annotated.start, end.end),
            })
        })
        .collect()
}

/// The last line of the block the line `start` opens, or `start` when it opens none.
fn block_end(lines: &[Line], start: usize) -> usize {
    let Some(first) = lines.get(start) else {
        return start;
    };
    if first.opens <= first.closes {
        return start;
    }
    let mut depth = first.opens - first.closes;
    for (index, line) in lines.iter().enumerate().skip(start + 1) {
        depth += line.opens;
        depth = depth.saturating_sub(line.closes);
        if depth == 0 {
            return index;
        }
    }
    lines.len().saturating_sub(1)
}

/// One line of the text.
#[derive(Debug, Default)]
struct Line {
    /// Byte offset of its first character.
    start: usize,
    /// Byte offset of its end, before `\n` or `\r\n`.
    end: usize,
    /// Whether it holds anything but blanks and comments.
    code: bool,
    /// Brackets of code it opens and closes.
    opens: usize,
    closes: usize,
}

struct Lexed {
    lines: Vec<Line>,
    /// The offset of each `#` or `//` comment, and its line.
    comments: Vec<(usize, usize)>,
}

/// Where the lexer is.
enum Mode {
    /// Code: the file's top level (the first mode), or a `${ }`/`%{ }` template interpolation,
    /// with the depth of the braces opened inside it.
    Code { braces: usize },
    /// A quoted string.
    Quoted,
}

struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    lines: Vec<Line>,
    line: Line,
    comments: Vec<(usize, usize)>,
    modes: Vec<Mode>,
    /// The marker of a heredoc whose body starts on the next line.
    heredoc: Option<String>,
}

fn lex(text: &str) -> Lexed {
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        at: if text.starts_with('\u{feff}') { 3 } else { 0 },
        lines: Vec::new(),
        line: Line::default(),
        comments: Vec::new(),
        modes: vec![Mode::Code { braces: 0 }],
        heredoc: None,
    };
    lexer.run();
    lexer.line.end = text.len();
    lexer.lines.push(lexer.line);
    Lexed {
        lines: lexer.lines,
        comments: lexer.comments,
    }
}

impl Lexer<'_> {
    fn peek(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.at + offset).copied()
    }

    fn run(&mut self) {
        while let Some(byte) = self.peek(0) {
            if byte == b'\n' {
                self.newline();
                continue;
            }
            match self.modes.last() {
                Some(Mode::Quoted) => self.quoted(byte),
                _ => self.code(byte),
            }
        }
    }

    /// Ends the line at `\n`, then reads the body of a heredoc opened on it.
    fn newline(&mut self) {
        let end = if self.at > 0 && self.bytes.get(self.at - 1) == Some(&b'\r') {
            self.at - 1
        } else {
            self.at
        };
        self.at += 1;
        self.end_line(end);
        // A quoted string ends with its line (an unterminated one, which Terraform rejects).
        if matches!(self.modes.last(), Some(Mode::Quoted)) {
            self.modes.pop();
        }
        if let Some(marker) = self.heredoc.take() {
            self.heredoc_body(&marker);
        }
    }

    fn end_line(&mut self, end: usize) {
        let next = Line {
            start: self.at,
            ..Line::default()
        };
        let mut line = std::mem::replace(&mut self.line, next);
        line.end = end;
        self.lines.push(line);
    }

    /// Lines of text up to the one that holds only the marker (indented or not), which is code.
    fn heredoc_body(&mut self, marker: &str) {
        while self.at < self.bytes.len() {
            let rest = self.text.get(self.at..).unwrap_or_default();
            let len = rest.find('\n').unwrap_or(rest.len());
            let content = rest.get(..len).unwrap_or_default();
            let trimmed = content.trim();
            self.line.code = !trimmed.is_empty();
            if trimmed == marker {
                // The marker's line goes on as code (`EOF` then a newline, or the end).
                self.at += content.len() - content.trim_start().len() + marker.len();
                return;
            }
            self.at += len;
            if self.at >= self.bytes.len() {
                return;
            }
            let end = self.at - usize::from(content.ends_with('\r'));
            self.at += 1;
            self.end_line(end);
        }
    }

    fn quoted(&mut self, byte: u8) {
        match (byte, self.peek(1), self.peek(2)) {
            (b'\\', Some(next), _) if next != b'\n' => self.at += 2,
            (b'"', _, _) => {
                self.modes.pop();
                self.at += 1;
            }
            // `$${` and `%%{` are a literal `${` and `%{`.
            (b'$', Some(b'$'), Some(b'{')) | (b'%', Some(b'%'), Some(b'{')) => self.at += 3,
            (b'$' | b'%', Some(b'{'), _) => {
                self.modes.push(Mode::Code { braces: 0 });
                self.at += 2;
            }
            _ => self.at += 1,
        }
    }

    fn code(&mut self, byte: u8) {
        let top = self.modes.len() == 1;
        match (byte, self.peek(1)) {
            (b'#', _) | (b'/', Some(b'/')) => {
                self.comments.push((self.at, self.lines.len()));
                let rest = self.text.get(self.at..).unwrap_or_default();
                self.at += rest.find('\n').unwrap_or(rest.len());
            }
            (b'/', Some(b'*')) => self.block_comment(),
            (b'"', _) => {
                self.line.code = true;
                self.modes.push(Mode::Quoted);
                self.at += 1;
            }
            (b'<', Some(b'<')) => {
                self.line.code = true;
                self.heredoc_opener();
            }
            (b'{' | b'[', _) => {
                self.line.code = true;
                if top {
                    self.line.opens += 1;
                } else if byte == b'{'
                    && let Some(Mode::Code { braces, .. }) = self.modes.last_mut()
                {
                    *braces += 1;
                }
                self.at += 1;
            }
            (b'}' | b']', _) => {
                self.line.code = true;
                if top {
                    self.line.closes += 1;
                } else if byte == b'}' {
                    match self.modes.last_mut() {
                        Some(Mode::Code { braces, .. }) if *braces > 0 => *braces -= 1,
                        // The end of an interpolation: back in its string.
                        _ => {
                            self.modes.pop();
                        }
                    }
                }
                self.at += 1;
            }
            (b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c', _) => self.at += 1,
            _ => {
                let rest = self.text.get(self.at..).unwrap_or_default();
                let c = rest.chars().next().unwrap_or(' ');
                if !c.is_whitespace() {
                    self.line.code = true;
                }
                self.at += c.len_utf8().max(1);
            }
        }
    }

    /// `/* ... */`, over any number of lines; neither code nor a reported comment.
    fn block_comment(&mut self) {
        self.at += 2;
        while let Some(byte) = self.peek(0) {
            match (byte, self.peek(1)) {
                (b'*', Some(b'/')) => {
                    self.at += 2;
                    return;
                }
                (b'\n', _) => {
                    let end = self.at - usize::from(self.bytes.get(self.at - 1) == Some(&b'\r'));
                    self.at += 1;
                    self.end_line(end);
                }
                _ => self.at += 1,
            }
        }
    }

    /// `<<EOF` or `<<-EOF` at the end of a line: the heredoc's body starts on the next line.
    fn heredoc_opener(&mut self) {
        let rest = self.text.get(self.at + 2..).unwrap_or_default();
        let rest_dashless = rest.strip_prefix('-').unwrap_or(rest);
        let marker_len = rest_dashless
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest_dashless.len());
        let marker = rest_dashless.get(..marker_len).unwrap_or_default();
        let after = rest_dashless.get(marker_len..).unwrap_or_default();
        let line_rest = after.get(..after.find('\n').unwrap_or(after.len()));
        let starts_with_letter = marker
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if starts_with_letter && line_rest.is_some_and(|rest| rest.trim().is_empty()) {
            self.heredoc = Some(marker.to_owned());
            self.at += 2 + (rest.len() - rest_dashless.len()) + marker_len;
        } else {
            self.at += 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use portcullis_ir::{SourceMap, Span};

    use super::*;

    fn file(path: &str, text: &str) -> Arc<SourceFile> {
        SourceMap::new().add(path, text)
    }

    /// Each comment's text, annotated line and covered text.
    fn read(text: &str) -> Vec<(String, String, String)> {
        let source = file("main.tf", text);
        let slice = |span: Span| text[span.start as usize..span.end as usize].to_owned();
        comments(&source)
            .into_iter()
            .map(|comment| {
                (
                    slice(comment.span),
                    slice(comment.line),
                    slice(comment.covers),
                )
            })
            .collect()
    }

    fn owned(comment: &str, line: &str, covers: &str) -> (String, String, String) {
        (comment.to_owned(), line.to_owned(), covers.to_owned())
    }

    #[test]
    fn a_comment_on_its_own_line_annotates_the_next_code_and_its_block() {
        let text = "# portcullis:ignore[SG001] reason  \n\n# more\n// also\nresource \"a\" \"b\" {\n  x = 1\n}\ny = 2\n";
        let block = "resource \"a\" \"b\" {\n  x = 1\n}";
        assert_eq!(
            read(text),
            [
                owned(
                    "# portcullis:ignore[SG001] reason",
                    "resource \"a\" \"b\" {",
                    block
                ),
                owned("# more", "resource \"a\" \"b\" {", block),
                owned("// also", "resource \"a\" \"b\" {", block),
            ]
        );
    }

    #[test]
    fn a_comment_after_code_annotates_its_line() {
        let text = "ingress {\n  cidr_blocks = [\"0.0.0.0/0\"] # why\n}\n";
        assert_eq!(
            read(text),
            [owned(
                "# why",
                "  cidr_blocks = [\"0.0.0.0/0\"] # why",
                "  cidr_blocks = [\"0.0.0.0/0\"] # why"
            )]
        );
        let text = "resource \"a\" \"b\" { // tfsec:ignore:x\n  y = 1\n}\n";
        assert_eq!(read(text)[0].2, text.trim_end());
    }

    #[test]
    fn a_hash_inside_a_string_is_not_a_comment() {
        let text = "url = \"https://example.com/#portcullis:ignore\"\nx = \"a // b\"\n";
        assert!(read(text).is_empty());
        let escaped = "x = \"say \\\"#no\\\"\" # yes\n";
        assert_eq!(read(escaped)[0].0, "# yes");
    }

    #[test]
    fn templates_hold_nested_strings() {
        let text = "name = \"${join(\"#\", [\"}\", \"{\"])}-%{ if true }#x%{ endif }\" # real\nz = \"$${literal\" # too\n";
        let found: Vec<String> = read(text).into_iter().map(|c| c.0).collect();
        assert_eq!(found, ["# real", "# too"]);
    }

    #[test]
    fn a_hash_inside_a_heredoc_is_not_a_comment() {
        let text = "policy = <<EOF\n# not a comment\n{ \"a\": \"[\" }\nEOF\n# yes\nx = 1\n";
        assert_eq!(read(text), [owned("# yes", "x = 1", "x = 1")]);
        let indented = "resource \"a\" \"b\" {\n  user_data = <<-EOT\n    # nope {\n    EOT\n}\n# here\ny = {\n  z = \"}\"\n}\n";
        assert_eq!(
            read(indented),
            [owned("# here", "y = {", "y = {\n  z = \"}\"\n}")]
        );
    }

    #[test]
    fn braces_inside_strings_do_not_open_blocks() {
        let text = "# c\nname = \"{[\"\nother = 1\n";
        assert_eq!(read(text), [owned("# c", "name = \"{[\"", "name = \"{[\"")]);
        let text = "# c\nresource \"a\" \"b\" {\n  d = \"}}\"\n}\nlast = 1\n";
        assert_eq!(read(text)[0].2, "resource \"a\" \"b\" {\n  d = \"}}\"\n}");
    }

    #[test]
    fn block_comments_are_skipped() {
        let text = "/* # not reported\n { */\n# yes\n/* only a comment */\nx = [\n  1,\n]\n";
        assert_eq!(read(text), [owned("# yes", "x = [", "x = [\n  1,\n]")]);
    }

    #[test]
    fn an_unclosed_block_covers_the_rest_of_the_file() {
        let text = "# c\nx = {\n  y = 1\n";
        assert_eq!(read(text), [owned("# c", "x = {", "x = {\n  y = 1\n")]);
    }

    #[test]
    fn a_comment_followed_by_no_code_annotates_nothing() {
        assert!(read("x = 1\n# trailing\n\n").is_empty());
    }

    #[test]
    fn lines_end_before_crlf() {
        let text = "# c \r\nx = 1\r\n";
        assert_eq!(read(text), [owned("# c", "x = 1", "x = 1")]);
    }

    #[test]
    fn json_files_have_no_comments() {
        let source = file("main.tf.json", "{\"//\": \"# not\"}");
        assert!(comments(&source).is_empty());
        let source = file("terraform.tfvars", "a = 1 # yes\n");
        assert_eq!(comments(&source).len(), 1);
    }

    /// The line-based reading the engine used before (a comment is the first `#` or `//` of a
    /// line, brackets counted on whole lines): comment offset, annotated line, last covered line.
    fn line_based(text: &str) -> Vec<(usize, usize, usize)> {
        let lines: Vec<&str> = text.split('\n').collect();
        let mut offset = 0;
        let mut out = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            let start = offset;
            offset += line.len() + 1;
            let at = match (line.find('#'), line.find("//")) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => continue,
            };
            let target = if line[..at].trim().is_empty() {
                let next = (index + 1..lines.len()).find(|next| {
                    let trimmed = lines[*next].trim();
                    !trimmed.is_empty() && !trimmed.starts_with('#') && !trimmed.starts_with("//")
                });
                let Some(next) = next else { continue };
                next
            } else {
                index
            };
            let count = |line: &str, set: [char; 2]| line.matches(set).count();
            let (opens, closes) = (
                count(lines[target], ['{', '[']),
                count(lines[target], ['}', ']']),
            );
            let mut end = target;
            if opens > closes {
                let mut depth = opens - closes;
                end = lines.len() - 1;
                for (next, line) in lines.iter().enumerate().skip(target + 1) {
                    depth += count(line, ['{', '[']);
                    depth = depth.saturating_sub(count(line, ['}', ']']));
                    if depth == 0 {
                        end = next;
                        break;
                    }
                }
            }
            out.push((start + at, target, end));
        }
        out
    }

    #[test]
    fn ordinary_code_reads_as_the_line_based_logic_did() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let mut pending = vec![
            std::path::PathBuf::from(root).join("fixtures"),
            std::path::PathBuf::from(root).join("examples"),
        ];
        let mut compared = 0;
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let name = path.to_string_lossy().into_owned();
                if !(name.ends_with(".tf") || name.ends_with(".tfvars")) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                // Ordinary code: no heredoc, no block comment, no `#`/`//` or bracket in a string.
                let ordinary = !text.contains("<<")
                    && !text.contains("/*")
                    && !text.contains('\r')
                    && !text.starts_with('\u{feff}')
                    && text.lines().all(|line| {
                        line.split('"').skip(1).step_by(2).all(|quoted| {
                            !quoted.contains(['#', '{', '}', '[', ']']) && !quoted.contains("//")
                        })
                    });
                if !ordinary {
                    continue;
                }
                let source = file(&name, &text);
                let line_of = |offset: u32| text[..offset as usize].matches('\n').count();
                let lexed: Vec<(usize, usize, usize)> = comments(&source)
                    .into_iter()
                    .map(|comment| {
                        (
                            comment.span.start as usize,
                            line_of(comment.line.start),
                            line_of(comment.covers.end),
                        )
                    })
                    .collect();
                assert_eq!(lexed, line_based(&text), "{name}");
                compared += 1;
            }
        }
        assert!(compared > 10, "only {compared} files compared");
    }
}
