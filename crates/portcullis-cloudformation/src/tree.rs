//! One document tree for CloudFormation JSON and YAML, with byte spans on every node.
//!
//! YAML short tags become the long forms (`!Ref X` is `{"Ref": "X"}`, `!Sub s` is
//! `{"Fn::Sub": s}`), so the evaluator sees a single language. Scalars keep their text: CloudFormation
//! reads `22`, `"22"` and `'22'` alike, and the consumer coerces.

use portcullis_ir::{FileId, Span};
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

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
    pub message: String,
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

fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') { 3 } else { 0 }
}

/// Builds mappings while detecting duplicate keys; shared by both parsers.
#[derive(Default)]
struct MapBuilder {
    entries: Vec<Entry>,
    /// Position of each key, so that huge mappings stay linear.
    index: std::collections::HashMap<String, usize>,
}

impl MapBuilder {
    fn insert(&mut self, entry: Entry, duplicates: &mut Vec<Duplicate>) {
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

// ---------------------------------------------------------------------------------------------
// JSON

pub fn parse_json(file: FileId, text: &str) -> Result<Document, SyntaxError> {
    use jsonc_parser::{CollectOptions, ast, parse_to_ast};
    let base = bom_len(text);
    let body = &text[base..];
    let strict = portcullis_json::strict();
    let parsed =
        parse_to_ast(body, &CollectOptions::default(), &strict).map_err(|error| SyntaxError {
            offset: base + error.range().start,
            message: error.kind().to_string(),
        })?;
    let Some(value) = parsed.value else {
        return Err(SyntaxError {
            offset: text.len(),
            message: "the file holds no JSON value".to_owned(),
        });
    };

    struct Converter {
        file: FileId,
        base: usize,
        duplicates: Vec<Duplicate>,
    }
    impl Converter {
        fn span(&self, range: jsonc_parser::common::Range) -> Span {
            Span::new(self.file, self.base + range.start, self.base + range.end)
        }

        fn convert(&mut self, value: &ast::Value<'_>, depth: usize) -> Result<Node, SyntaxError> {
            let range = match value {
                ast::Value::StringLit(lit) => lit.range,
                ast::Value::NumberLit(lit) => lit.range,
                ast::Value::BooleanLit(lit) => lit.range,
                ast::Value::Object(object) => object.range,
                ast::Value::Array(array) => array.range,
                ast::Value::NullKeyword(null) => null.range,
            };
            let span = self.span(range);
            if depth > MAX_DEPTH {
                return Err(SyntaxError {
                    offset: span.start as usize,
                    message: format!("nesting deeper than {MAX_DEPTH} levels"),
                });
            }
            let kind = match value {
                ast::Value::StringLit(lit) => Kind::Scalar(lit.value.to_string()),
                ast::Value::NumberLit(lit) => Kind::Scalar(lit.value.to_owned()),
                ast::Value::BooleanLit(lit) => Kind::Scalar(lit.value.to_string()),
                ast::Value::NullKeyword(_) => Kind::Null,
                ast::Value::Array(array) => Kind::Seq(
                    array
                        .elements
                        .iter()
                        .map(|element| self.convert(element, depth + 1))
                        .collect::<Result<_, _>>()?,
                ),
                ast::Value::Object(object) => {
                    let mut map = MapBuilder::default();
                    for prop in &object.properties {
                        let key_range = match &prop.name {
                            ast::ObjectPropName::String(lit) => lit.range,
                            ast::ObjectPropName::Word(lit) => lit.range,
                        };
                        let entry = Entry {
                            key: prop.name.as_str().to_owned(),
                            key_span: self.span(key_range),
                            value: self.convert(&prop.value, depth + 1)?,
                        };
                        map.insert(entry, &mut self.duplicates);
                    }
                    Kind::Map(map.entries)
                }
            };
            Ok(Node { span, kind })
        }
    }

    let mut converter = Converter {
        file,
        base,
        duplicates: Vec::new(),
    };
    let root = converter.convert(&value, 0)?;
    Ok(Document {
        root,
        duplicates: converter.duplicates,
    })
}

// ---------------------------------------------------------------------------------------------
// YAML

/// saphyr reports positions in characters; spans are bytes.
struct CharOffsets {
    base: usize,
    /// Byte offset of each character, when the text is not ASCII.
    table: Option<Vec<usize>>,
    len: usize,
}

impl CharOffsets {
    fn new(body: &str, base: usize) -> Self {
        let table = (!body.is_ascii()).then(|| body.char_indices().map(|(at, _)| at).collect());
        Self {
            base,
            table,
            len: body.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let offset = match &self.table {
            None => char_index.min(self.len),
            Some(table) => table.get(char_index).copied().unwrap_or(self.len),
        };
        self.base + offset
    }
}

enum Frame {
    Seq {
        start: usize,
        tag: Option<Tag>,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        tag: Option<Tag>,
        anchor: usize,
        map: MapBuilder,
        key: Option<(String, Span)>,
    },
}

struct YamlBuilder<'a> {
    file: FileId,
    text: &'a str,
    offsets: CharOffsets,
    stack: Vec<Frame>,
    anchors: Vec<(usize, Node, usize)>,
    alias_budget: usize,
    duplicates: Vec<Duplicate>,
    root: Option<Node>,
}

/// The long form of a CloudFormation short tag: `!Ref` → `Ref`, `!Sub` → `Fn::Sub`.
fn intrinsic_name(tag: &Tag) -> Option<String> {
    if tag.handle != "!" {
        return None;
    }
    Some(match tag.suffix.as_str() {
        name @ ("Ref" | "Condition") => name.to_owned(),
        other => format!("Fn::{other}"),
    })
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.kind {
        Kind::Null | Kind::Scalar(_) => 0,
        Kind::Seq(items) => items.iter().map(count_nodes).sum(),
        Kind::Map(entries) => entries.iter().map(|e| 1 + count_nodes(&e.value)).sum(),
    }
}

impl YamlBuilder<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, self.offsets.byte(start), self.offsets.byte(end))
    }

    /// A tagged node's span starts at its tag, which saphyr leaves out of the node's own span.
    fn tag_start(&self, node_start: usize) -> usize {
        let before = self.text.get(..node_start).unwrap_or("").trim_end();
        let token_start = before
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace() || matches!(c, '[' | '{' | ','))
            .map_or(0, |(at, c)| at + c.len_utf8());
        if before
            .get(token_start..)
            .is_some_and(|token| token.starts_with('!'))
        {
            token_start
        } else {
            node_start
        }
    }

    fn wrap(&self, node: Node, tag: Option<&Tag>) -> Node {
        let Some(name) = tag.and_then(intrinsic_name) else {
            return node;
        };
        let start = self.tag_start(node.span.start as usize);
        let span = Span::new(self.file, start, node.span.end as usize);
        Node {
            span,
            kind: Kind::Map(vec![Entry {
                key: name,
                key_span: Span::new(self.file, start, start),
                value: node,
            }]),
        }
    }

    fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Kind {
        let core = tag.is_some_and(Tag::is_yaml_core_schema);
        if style != ScalarStyle::Plain || (core && tag.is_some_and(|t| t.suffix == "str")) {
            return Kind::Scalar(text.to_owned());
        }
        match text {
            "" | "~" | "null" | "Null" | "NULL" => Kind::Null,
            "true" | "True" | "TRUE" => Kind::Scalar("true".to_owned()),
            "false" | "False" | "FALSE" => Kind::Scalar("false".to_owned()),
            _ => Kind::Scalar(text.to_owned()),
        }
    }

    fn add(&mut self, node: Node, anchor: usize) -> Result<(), SyntaxError> {
        if anchor > 0 {
            let size = count_nodes(&node);
            self.anchors.push((anchor, node.clone(), size));
        }
        match self.stack.last_mut() {
            None => {
                // Later documents of a stream are not templates; the first one is.
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { map, key, .. }) => match key.take() {
                None => {
                    let text = match &node.kind {
                        Kind::Scalar(text) => text.clone(),
                        Kind::Null => String::new(),
                        Kind::Seq(_) | Kind::Map(_) => {
                            return Err(SyntaxError {
                                offset: node.span.start as usize,
                                message: "a mapping key must be a scalar in a template".to_owned(),
                            });
                        }
                    };
                    *key = Some((text, node.span));
                }
                Some((text, key_span)) => map.insert(
                    Entry {
                        key: text,
                        key_span,
                        value: node,
                    },
                    &mut self.duplicates,
                ),
            },
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, at: usize) -> Result<Node, SyntaxError> {
        let Some((_, node, size)) = self.anchors.iter().rev().find(|(anchor, ..)| *anchor == id)
        else {
            return Err(SyntaxError {
                offset: at,
                message: "alias to an unknown anchor".to_owned(),
            });
        };
        if *size > self.alias_budget {
            return Err(SyntaxError {
                offset: at,
                message: format!(
                    "YAML aliases expand to more than {ALIAS_BUDGET} nodes (possible billion-laughs attack); the template was not analysed"
                ),
            });
        }
        self.alias_budget -= size;
        Ok(node.clone())
    }

    fn on_event(&mut self, event: Event<'_>, span: saphyr_parser::Span) -> Result<(), SyntaxError> {
        let (start, end) = (span.start.index(), span.end.index());
        match event {
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => {}
            Event::Alias(id) => {
                let at = self.offsets.byte(start);
                let mut node = self.alias(id, at)?;
                node.span = self.span(start, end);
                self.add(node, 0)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = Node {
                    span: self.span(start, end),
                    kind: Self::scalar(&text, style, tag.as_deref()),
                };
                let node = self.wrap(node, tag.as_deref());
                self.add(node, anchor)?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(SyntaxError {
                        offset: self.offsets.byte(start),
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    });
                }
                let tag = tag.as_deref().cloned();
                let frame = if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        start,
                        tag,
                        anchor,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        start,
                        tag,
                        anchor,
                        map: MapBuilder::default(),
                        key: None,
                    }
                };
                self.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, tag, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        start: from,
                        tag,
                        anchor,
                        items,
                    }) => (
                        Node {
                            span: self.span(from, end.max(from)),
                            kind: Kind::Seq(items),
                        },
                        tag,
                        anchor,
                    ),
                    Some(Frame::Map {
                        start: from,
                        tag,
                        anchor,
                        map,
                        ..
                    }) => (
                        Node {
                            span: self.span(from, end.max(from)),
                            kind: Kind::Map(map.entries),
                        },
                        tag,
                        anchor,
                    ),
                    None => return Ok(()),
                };
                let node = self.wrap(node, tag.as_ref());
                self.add(node, anchor)?;
            }
        }
        Ok(())
    }
}

/// Parses YAML as CloudFormation does: where a continuation line of a quoted scalar or of a flow
/// collection is less indented than YAML 1.2 allows (CloudFormation accepts it, and there the
/// indentation carries no meaning), the line is indented further and the text parsed again, with
/// spans mapped back to the original text.
pub fn parse_yaml(file: FileId, text: &str) -> Result<Document, SyntaxError> {
    let mut current = std::borrow::Cow::Borrowed(text);
    let mut edits = Edits::default();
    loop {
        let error = match parse_yaml_strict(file, &current) {
            Ok(mut document) => {
                if !edits.0.is_empty() {
                    edits.remap_node(&mut document.root);
                    for duplicate in &mut document.duplicates {
                        duplicate.first = edits.remap(duplicate.first);
                        duplicate.second = edits.remap(duplicate.second);
                    }
                }
                return Ok(document);
            }
            Err(error) => error,
        };
        let pads = if edits.0.len() < MAX_REPAIRS {
            indentation_repairs(&current, &error)
        } else {
            Vec::new()
        };
        if pads.is_empty() {
            return Err(SyntaxError {
                offset: edits.original(error.offset),
                message: error.message,
            });
        }
        let mut repaired = current.into_owned();
        // From the end, so that earlier offsets stay valid.
        for &(line_start, pad) in pads.iter().rev() {
            edits.insert(line_start, pad);
            repaired.insert_str(line_start, &" ".repeat(pad));
        }
        current = std::borrow::Cow::Owned(repaired);
    }
}

/// Lines re-indented by [`parse_yaml`] before giving up.
const MAX_REPAIRS: usize = 64;

/// Spaces inserted at line starts: `(offset in the original text, count)`, sorted.
#[derive(Default)]
struct Edits(Vec<(usize, usize)>);

impl Edits {
    /// The original offset of an offset in the edited text.
    fn original(&self, edited: usize) -> usize {
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
    fn insert(&mut self, edited: usize, count: usize) {
        let at = self.original(edited);
        let index = self.0.partition_point(|&(other, _)| other <= at);
        self.0.insert(index, (at, count));
    }

    fn remap(&self, span: Span) -> Span {
        Span::new(
            span.file,
            self.original(span.start as usize),
            self.original(span.end as usize),
        )
    }

    fn remap_node(&self, node: &mut Node) {
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
fn indentation_repairs(text: &str, error: &SyntaxError) -> Vec<(usize, usize)> {
    let at = error.offset.min(text.len());
    let line_start = |offset: usize| text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    if error.message == "invalid indentation in quoted scalar" {
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
    if error.message.starts_with("invalid indentation") {
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

fn parse_yaml_strict(file: FileId, text: &str) -> Result<Document, SyntaxError> {
    let base = bom_len(text);
    let body = &text[base..];
    let mut builder = YamlBuilder {
        file,
        text,
        offsets: CharOffsets::new(body, base),
        stack: Vec::new(),
        anchors: Vec::new(),
        alias_budget: ALIAS_BUDGET,
        duplicates: Vec::new(),
        root: None,
    };
    for event in Parser::new_from_str(body) {
        let (event, span) = event.map_err(|error| SyntaxError {
            offset: builder.offsets.byte(error.marker().index()),
            message: error.info().to_owned(),
        })?;
        builder.on_event(event, span)?;
    }
    let root = builder.root.unwrap_or(Node {
        span: Span::new(file, base, base),
        kind: Kind::Null,
    });
    Ok(Document {
        root,
        duplicates: builder.duplicates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    fn yaml(text: &str) -> Document {
        parse_yaml(FileId(0), text).expect("valid YAML")
    }

    #[test]
    fn short_tags_become_long_forms_with_spans_from_the_tag() {
        let text = "a: !Ref Foo\nb: !GetAtt [X, GroupId]\nc: !If\n  - Cond\n  - 1\n  - 2\n";
        let doc = yaml(text);
        let a = doc.root.get("a").expect("a");
        assert_eq!(slice(text, a.span), "!Ref Foo");
        let inner = a.get("Ref").expect("Ref");
        assert_eq!(inner.as_str(), Some("Foo"));
        let b = doc.root.get("b").expect("b");
        assert_eq!(slice(text, b.span), "!GetAtt [X, GroupId]");
        assert!(b.get("Fn::GetAtt").is_some());
        let c = doc.root.get("c").expect("c");
        assert!(
            matches!(c.get("Fn::If").map(|n| &n.kind), Some(Kind::Seq(items)) if items.len() == 3)
        );
    }

    #[test]
    fn multibyte_characters_shift_byte_offsets() {
        let text = "# é😀 ünïcode\nx: \"0.0.0.0/0\"\n";
        let doc = yaml(text);
        let x = doc.root.get("x").expect("x");
        assert_eq!(slice(text, x.span), "\"0.0.0.0/0\"");
        assert_eq!(x.as_str(), Some("0.0.0.0/0"));
    }

    #[test]
    fn bom_is_skipped_in_both_languages() {
        let text = "\u{feff}x: 1\n";
        let doc = yaml(text);
        assert_eq!(slice(text, doc.root.get("x").expect("x").span), "1");
        let text = "\u{feff}{\"x\": 1}";
        let doc = parse_json(FileId(0), text).expect("valid JSON");
        assert_eq!(slice(text, doc.root.get("x").expect("x").span), "1");
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_and_are_recorded() {
        let text = "a: 1\nb: 2\na: 3\n";
        let doc = yaml(text);
        assert_eq!(doc.root.get("a").and_then(Node::as_str), Some("3"));
        assert_eq!(doc.duplicates.len(), 1);
        let text = r#"{"a": 1, "a": 2}"#;
        let doc = parse_json(FileId(0), text).expect("valid JSON");
        assert_eq!(doc.root.get("a").and_then(Node::as_str), Some("2"));
        assert_eq!(slice(text, doc.duplicates[0].second), "\"a\"");
    }

    #[test]
    fn under_indented_continuation_lines_are_accepted_like_cloudformation() {
        let text = "Outputs:\n  Help:\n    Value: 'first line, then\n    a continuation ''quoted'' line'\n    Other:\n      c:\n        'x:y': [\n            \"a\",\n            \"b\"\n        ]\n        'z': 1\n  After: \"é 0.0.0.0/0\"\n";
        let strict = parse_yaml_strict(FileId(0), text).expect_err("outside YAML 1.2");
        assert_eq!(strict.message, "invalid indentation in quoted scalar");
        let flow_only = text.replace("\n    a continuation", " a continuation");
        assert!(parse_yaml_strict(FileId(0), &flow_only).is_err());
        let doc = yaml(text);
        let help = doc
            .root
            .get("Outputs")
            .and_then(|o| o.get("Help"))
            .expect("Help");
        assert_eq!(
            help.get("Value").and_then(Node::as_str),
            Some("first line, then a continuation 'quoted' line")
        );
        let other = help
            .get("Other")
            .and_then(|o| o.get("c"))
            .and_then(|o| o.get("x:y"))
            .map(|n| &n.kind);
        assert!(matches!(other, Some(Kind::Seq(items)) if items.len() == 2));
        let after = doc
            .root
            .get("Outputs")
            .and_then(|o| o.get("After"))
            .expect("After");
        assert_eq!(slice(text, after.span), "\"é 0.0.0.0/0\"");
    }

    #[test]
    fn billion_laughs_is_rejected_quickly() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for pair in names.windows(2) {
            let refs = vec![format!("*{}", pair[0]); 9].join(",");
            text.push_str(&format!("{}: &{} [{refs}]\n", pair[1], pair[1]));
        }
        let started = std::time::Instant::now();
        let error = parse_yaml(FileId(0), &text).expect_err("rejected");
        assert!(
            error.message.contains("billion-laughs"),
            "{}",
            error.message
        );
        assert!(started.elapsed().as_millis() < 1000);
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let text = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        // saphyr stops flow collections itself; block nesting reaches our own limit.
        assert!(parse_yaml(FileId(0), &text).is_err());
        let block: String = (0..MAX_DEPTH + 5)
            .map(|depth| format!("{}k:\n", " ".repeat(depth)))
            .collect();
        let error = parse_yaml(FileId(0), &block).expect_err("deep");
        assert!(error.message.contains("nesting"), "{}", error.message);
        assert!(parse_json(FileId(0), &text).is_err());
    }

    #[test]
    fn syntax_errors_carry_a_byte_offset() {
        let text = "é: [1, 2\n";
        let error = parse_yaml(FileId(0), text).expect_err("invalid");
        assert!(error.offset <= text.len());
        let error = parse_json(FileId(0), "{\"a\": 1,}").expect_err("trailing comma");
        assert_eq!(error.offset, 7);
    }
}
