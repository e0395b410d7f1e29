//! YAML templates, read with `saphyr-parser`: short tags become the long forms, positions in
//! characters become byte spans, and aliases and nesting are capped while building.

use std::borrow::Cow;

use portcullis_ir::{FileId, Span};
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use super::node::{
    ALIAS_BUDGET, Document, Duplicate, Entry, ErrorKind, Kind, MAX_DEPTH, MapBuilder, Node,
    SyntaxError, bom_len,
};
use super::repair::{Edits, MAX_REPAIRS, indentation_repairs};

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
                                kind: ErrorKind::ComplexKey,
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
                kind: ErrorKind::UnknownAnchor,
            });
        };
        if *size > self.alias_budget {
            return Err(SyntaxError {
                offset: at,
                kind: ErrorKind::AliasBudget,
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
                        kind: ErrorKind::TooDeep,
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
    let mut current = Cow::Borrowed(text);
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
                kind: error.kind,
            });
        }
        let mut repaired = current.into_owned();
        // From the end, so that earlier offsets stay valid.
        for &(line_start, pad) in pads.iter().rev() {
            edits.insert(line_start, pad);
            repaired.insert_str(line_start, &" ".repeat(pad));
        }
        current = Cow::Owned(repaired);
    }
}

pub(super) fn parse_yaml_strict(file: FileId, text: &str) -> Result<Document, SyntaxError> {
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
            kind: ErrorKind::of_yaml(error.info()),
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
