//! The comments of a YAML template and the code each one annotates, for suppressions.
//!
//! A lexer, not a line search: `#` starts a comment only at the start of a line or after
//! whitespace, and never inside a single-quoted scalar (`''` escapes a quote), a double-quoted
//! scalar (`\` escapes), both of which may span lines, a block scalar (`|`, `>`, with indicators:
//! its content lines, more indented than the line of its header, are text) or a plain scalar's
//! continuation lines before their own ` #`.
//!
//! A comment after code annotates that line; a comment on its own line annotates the next line
//! that is neither blank nor comment-only (none: the comment annotates nothing and is left out).
//! The annotated line covers its block: when it opens more flow brackets (`{`, `[`, outside
//! quotes and comments) than it closes, up to the line that closes them; otherwise the following
//! lines indented deeper than it, blank lines skipped (a list item's children are indented past
//! its dash).

use portcullis_ir::{Comment, SourceFile};

/// One line of the text as the lexer saw it: offsets without the line break (`\n` or `\r\n`).
#[derive(Debug, Default)]
struct Line {
    start: usize,
    end: usize,
    /// Whether anything other than whitespace and a comment is on the line.
    code: bool,
    /// The offset of the `#` that starts the line's comment.
    comment: Option<usize>,
    /// Flow brackets opened and closed outside quotes and comments.
    opens: usize,
    closes: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    Single,
    Double,
}

/// What the lexer carries from one line to the next.
#[derive(Default)]
struct Lexer {
    /// An open quoted scalar.
    quote: Option<Quote>,
    /// Nesting of flow collections.
    flow: usize,
    /// The indentation of the line holding an open block scalar's header: deeper lines are text.
    block: Option<usize>,
    /// The column a block-context plain scalar that ended a line hangs from: deeper lines
    /// continue it (the column of its key, or of its dash).
    plain: Option<usize>,
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Whether `rest`, the text after a `|` or `>` where a value starts, completes a block scalar
/// header: up to two indicators (`1`-`9`, `+`, `-`), then the end of the line, whitespace or a
/// comment.
fn is_block_header(rest: &str) -> bool {
    let indicators = rest
        .chars()
        .take_while(|c| matches!(c, '1'..='9' | '+' | '-'))
        .count();
    indicators <= 2
        && rest[indicators..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
}

impl Lexer {
    /// Lexes `text[start..end]`, one line without its line break.
    fn line(&mut self, text: &str, start: usize, end: usize) -> Line {
        let mut line = Line {
            start,
            end,
            ..Line::default()
        };
        let body = &text[start..end];
        let indent = indentation(body);
        let blank = body.trim().is_empty();
        if let Some(parent) = self.block {
            if blank {
                return line;
            }
            if indent > parent {
                line.code = true;
                return line;
            }
            self.block = None;
        }
        let plain_parent = self.plain.take();
        if let Some(parent) = plain_parent
            && blank
        {
            self.plain = Some(parent);
            return line;
        }
        let continues_plain = plain_parent.is_some_and(|parent| indent > parent);
        let chars: Vec<(usize, char)> = body.char_indices().collect();
        let next = |index: usize| chars.get(index + 1).map(|&(_, c)| c);
        let ends_token = |c: Option<char>| c.is_none_or(char::is_whitespace);
        let mut expect_node = !continues_plain;
        let mut in_plain = continues_plain;
        let mut after_space = true;
        let mut block_header = false;
        let mut escaped = false;
        // The column of the last node started on the line, and the column a value hangs from.
        let mut node_column = indent;
        let mut value_parent = None;
        let mut index = 0;
        // `---` and `...` mark documents; a node may follow on the same line.
        if self.quote.is_none()
            && self.flow == 0
            && (body.starts_with("---") || body.starts_with("..."))
            && ends_token(body[3..].chars().next())
        {
            line.code = true;
            index = 3;
        }
        while let Some(&(at, c)) = chars.get(index) {
            index += 1;
            if let Some(quote) = self.quote {
                line.code = true;
                match quote {
                    Quote::Single if c == '\'' => {
                        if next(index - 1) == Some('\'') {
                            index += 1;
                        } else {
                            self.quote = None;
                        }
                    }
                    Quote::Double if escaped => escaped = false,
                    Quote::Double if c == '\\' => escaped = true,
                    Quote::Double if c == '"' => self.quote = None,
                    Quote::Single | Quote::Double => {}
                }
                after_space = false;
                continue;
            }
            if c.is_whitespace() {
                after_space = true;
                continue;
            }
            if c == '#' && after_space {
                line.comment = Some(start + at);
                in_plain = false;
                break;
            }
            after_space = false;
            line.code = true;
            let flow_stop = self.flow > 0 && matches!(c, ',' | '[' | ']' | '{' | '}');
            if in_plain && !flow_stop {
                // A plain scalar runs to ` #`, to `: ` or, in a flow collection, to an indicator.
                if c == ':' && (ends_token(next(index - 1)) || self.flow > 0) {
                    in_plain = false;
                    expect_node = true;
                    if self.flow == 0 {
                        value_parent = Some(node_column);
                    }
                }
                continue;
            }
            in_plain = false;
            let indicator = matches!(c, '-' | '?' | ':') && ends_token(next(index - 1));
            if expect_node && self.flow == 0 && !indicator {
                node_column = at;
            }
            match c {
                '\'' | '"' if expect_node => {
                    self.quote = Some(if c == '"' {
                        Quote::Double
                    } else {
                        Quote::Single
                    });
                    expect_node = false;
                }
                '|' | '>' if expect_node && self.flow == 0 && is_block_header(&body[at + 1..]) => {
                    block_header = true;
                    expect_node = false;
                    // The indicators; a comment may follow.
                    while chars
                        .get(index)
                        .is_some_and(|&(_, c)| matches!(c, '1'..='9' | '+' | '-'))
                    {
                        index += 1;
                    }
                }
                '[' | '{' => {
                    line.opens += 1;
                    self.flow += 1;
                    expect_node = true;
                }
                ']' | '}' => {
                    line.closes += 1;
                    self.flow = self.flow.saturating_sub(1);
                    expect_node = false;
                }
                ',' if self.flow > 0 => expect_node = true,
                '-' | '?' | ':' if indicator => {
                    expect_node = true;
                    if self.flow == 0 {
                        value_parent = Some(if c == ':' { node_column } else { at });
                    }
                }
                ':' if self.flow > 0 => expect_node = true,
                '!' | '&' if expect_node => {
                    // A tag or an anchor: the node follows.
                    while chars.get(index).is_some_and(|&(_, c)| {
                        let flow_indicator =
                            self.flow > 0 && matches!(c, ',' | '[' | ']' | '{' | '}');
                        !(c.is_whitespace() || flow_indicator)
                    }) {
                        index += 1;
                    }
                }
                _ => {
                    in_plain = true;
                    expect_node = false;
                }
            }
        }
        if block_header {
            self.block = Some(indent);
        } else if in_plain && self.flow == 0 {
            self.plain = match (continues_plain, plain_parent, value_parent) {
                // A continuation hangs from where its scalar started.
                (true, Some(parent), _) => Some(parent),
                (_, _, Some(parent)) => Some(parent),
                // A scalar alone on its line: lines as deep continue it.
                _ => Some(node_column.saturating_sub(1)),
            };
        }
        line
    }
}

/// Every line of `text`, lexed.
fn lines(text: &str) -> Vec<Line> {
    let mut lexer = Lexer::default();
    let mut lines = Vec::new();
    let mut start = usize::from(text.starts_with('\u{feff}')) * '\u{feff}'.len_utf8();
    loop {
        let newline = text[start..].find('\n').map(|at| start + at);
        let mut end = newline.unwrap_or(text.len());
        if text[start..end].ends_with('\r') {
            end -= 1;
        }
        lines.push(lexer.line(text, start, end));
        match newline {
            Some(at) => start = at + 1,
            None => return lines,
        }
    }
}

/// The index of the last line of the block that starts at `lines[first]`.
fn block_end(text: &str, lines: &[Line], first: usize) -> usize {
    let line = &lines[first];
    if line.opens > line.closes {
        let mut depth = line.opens - line.closes;
        for (index, line) in lines.iter().enumerate().skip(first + 1) {
            depth += line.opens;
            depth = depth.saturating_sub(line.closes);
            if depth == 0 {
                return index;
            }
        }
        return lines.len() - 1;
    }
    let indent = indentation(&text[line.start..line.end]);
    let mut end = first;
    for (index, line) in lines.iter().enumerate().skip(first + 1) {
        let body = &text[line.start..line.end];
        if body.trim().is_empty() {
            continue;
        }
        if indentation(body) <= indent {
            break;
        }
        end = index;
    }
    end
}

/// The comments of a YAML text, each with the line it annotates and that line's block.
pub fn yaml_comments(file: &SourceFile) -> Vec<Comment> {
    let text = file.text.as_str();
    if !text.contains('#') {
        return Vec::new();
    }
    let lines = lines(text);
    let mut comments = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(at) = line.comment else { continue };
        let target = if line.code {
            Some(index)
        } else {
            (index + 1..lines.len()).find(|next| lines[*next].code)
        };
        let Some(target) = target else { continue };
        let end = block_end(text, &lines, target);
        let comment_end = line.start + text[line.start..line.end].trim_end().len();
        comments.push(Comment {
            span: file.span(at, comment_end),
            line: file.span(lines[target].start, lines[target].end),
            covers: file.span(lines[target].start, lines[end].end),
        });
    }
    comments
}

#[cfg(test)]
mod tests {
    use portcullis_ir::{FileId, SourceFile, Span};

    use super::yaml_comments;

    /// Each comment as `(comment, annotated line, covered text)`.
    fn comments(text: &str) -> Vec<(String, String, String)> {
        let file = SourceFile::new(FileId(0), "template.yaml", text);
        let slice = |span: Span| text[span.range()].to_owned();
        yaml_comments(&file)
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

    #[test]
    fn a_hash_inside_a_quoted_url_is_not_a_comment() {
        assert!(comments("Description: \"see https://x/#portcullis:ignore\"\n").is_empty());
        assert!(comments("Description: 'see https://x/#portcullis:ignore'\n").is_empty());
        assert!(comments("Url: https://x/#portcullis:ignore\nKey: a#b\n").is_empty());
    }

    #[test]
    fn a_comment_after_code_annotates_its_line() {
        let found = comments("A: 1\nB: 2 # portcullis:ignore[SG001] reason=\"x\"   \nC: 3\n");
        assert_eq!(
            found,
            [(
                "# portcullis:ignore[SG001] reason=\"x\"".to_owned(),
                "B: 2 # portcullis:ignore[SG001] reason=\"x\"   ".to_owned(),
                "B: 2 # portcullis:ignore[SG001] reason=\"x\"   ".to_owned(),
            )]
        );
    }

    #[test]
    fn a_comment_on_its_own_line_annotates_the_next_code_and_its_block() {
        let text = "Resources:\n  # first\n\n  # second\n  Web:\n    Type: AWS::EC2::SecurityGroup\n\n    Properties:\n      SecurityGroupIngress:\n        # third\n        - CidrIp: 0.0.0.0/0\n          IpProtocol: -1\n        - CidrIp: 10.0.0.0/8\n  Other:\n    Type: X\n";
        let found = comments(text);
        let web = "  Web:\n    Type: AWS::EC2::SecurityGroup\n\n    Properties:\n      SecurityGroupIngress:\n        # third\n        - CidrIp: 0.0.0.0/0\n          IpProtocol: -1\n        - CidrIp: 10.0.0.0/8";
        assert_eq!(found.len(), 3);
        assert_eq!(found[0], ("# first".into(), "  Web:".into(), web.into()));
        assert_eq!(found[1], ("# second".into(), "  Web:".into(), web.into()));
        assert_eq!(
            found[2],
            (
                "# third".into(),
                "        - CidrIp: 0.0.0.0/0".into(),
                "        - CidrIp: 0.0.0.0/0\n          IpProtocol: -1".into()
            )
        );
    }

    #[test]
    fn a_line_that_opens_flow_brackets_covers_up_to_their_close() {
        let text = "# c\nX: !Join [\"]\", [\n  a, \"[\",\n  b]] # d\nY: [1]\n";
        let found = comments(text);
        assert_eq!(
            found[0],
            (
                "# c".into(),
                "X: !Join [\"]\", [".into(),
                "X: !Join [\"]\", [\n  a, \"[\",\n  b]] # d".into()
            )
        );
        assert_eq!(found[1].1, "  b]] # d");
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn a_hash_in_a_block_scalar_is_text() {
        let text = "Resources:\n  Fn:\n    Properties:\n      Code: |-2 # header comment\n        # portcullis:ignore[SG001] not a comment\n\n        echo hi # neither\n      Other: >\n        # folded text\n      Last: 1 # real\n";
        let found = comments(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "# header comment");
        assert_eq!(found[0].1, "      Code: |-2 # header comment");
        assert_eq!(found[1].0, "# real");
        assert_eq!(found[1].1, "      Last: 1 # real");
    }

    #[test]
    fn a_multi_line_quoted_scalar_hides_hashes_until_it_closes() {
        let text = "A: \"first \\\" # no\n  # still inside\n  last\" # after\nB: 'it''s # not\n  # nor this\n  end'  # yes\n# own\nC: x\n";
        let found = comments(text);
        let shown: Vec<(&str, &str)> = found
            .iter()
            .map(|(comment, line, _)| (comment.as_str(), line.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("# after", "  last\" # after"),
                ("# yes", "  end'  # yes"),
                ("# own", "C: x"),
            ]
        );
    }

    #[test]
    fn quotes_inside_plain_scalars_are_text() {
        let text = "A: it's # one\nB: plain text\n  continued 'here # two\nC: x # three\n";
        let found: Vec<String> = comments(text).into_iter().map(|found| found.0).collect();
        assert_eq!(found, ["# one", "# two", "# three"]);
    }

    #[test]
    fn crlf_line_breaks_are_not_part_of_lines_and_trailing_comments_annotate_nothing() {
        let text = "# c\r\nA: 1\r\nB: 2 # d \r\n# nothing follows\r\n";
        let found = comments(text);
        assert_eq!(
            found,
            [
                ("# c".into(), "A: 1".into(), "A: 1".into()),
                ("# d".into(), "B: 2 # d ".into(), "B: 2 # d ".into()),
            ]
        );
    }
}
