//! Parsing `.tf` (hcl-edit) and `.tf.json` (jsonc-parser, strict) into one borrowed view of
//! bodies, blocks and expressions, with byte spans into the original file.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use portcullis_ir::{FileId, Problem, SourceFile, Span};
use portcullis_terraform_core::{guarded, hcl};

/// How to turn a parser range into a [`Span`] of the original file.
#[derive(Clone, Copy, Debug)]
pub struct Src<'a> {
    pub file: FileId,
    /// Added to every parser offset: 3 after a stripped BOM, the string start inside `.tf.json`.
    pub shift: usize,
    /// Set for templates inside JSON strings with escapes, where offsets cannot be mapped back.
    pub fixed: Option<Span>,
    /// Object keys renamed to get past hcl-edit's duplicate-key error, by parser offset.
    pub renamed: &'a BTreeMap<usize, String>,
}

impl Src<'_> {
    pub fn span(self, range: Option<Range<usize>>) -> Span {
        if let Some(fixed) = self.fixed {
            return fixed;
        }
        let range = range.unwrap_or(0..0);
        Span::new(self.file, range.start + self.shift, range.end + self.shift)
    }
}

/// A JSON value of a `.tf.json` or `.tfvars.json` file; ranges are byte offsets of the file.
#[derive(Debug)]
pub enum Json {
    Null(Range<usize>),
    Bool(bool, Range<usize>),
    Num(f64, Range<usize>),
    Str(String, Range<usize>),
    Array(Vec<Json>, Range<usize>),
    Object(Vec<JsonProp>, Range<usize>),
}

#[derive(Debug)]
pub struct JsonProp {
    pub name: String,
    pub name_range: Range<usize>,
    pub value: Json,
}

impl Json {
    pub fn range(&self) -> Range<usize> {
        match self {
            Self::Null(range)
            | Self::Bool(_, range)
            | Self::Num(_, range)
            | Self::Str(_, range)
            | Self::Array(_, range)
            | Self::Object(_, range) => range.clone(),
        }
    }
}

#[derive(Debug)]
pub enum Tree {
    Hcl(hcl_edit::structure::Body),
    Json(Json),
}

/// One parsed file.
#[derive(Debug)]
pub struct ParsedFile {
    pub source: Arc<SourceFile>,
    pub tree: Tree,
    shift: usize,
    renamed: BTreeMap<usize, String>,
}

impl ParsedFile {
    pub fn src(&self) -> Src<'_> {
        Src {
            file: self.source.id,
            shift: self.shift,
            fixed: None,
            renamed: &self.renamed,
        }
    }

    pub fn path(&self) -> &str {
        &self.source.path
    }

    /// The top-level body (a JSON file's root must be an object).
    pub fn body(&self) -> Option<Body<'_>> {
        match &self.tree {
            Tree::Hcl(body) => Some(Body::Hcl(body, self.src())),
            Tree::Json(Json::Object(props, _)) => Some(Body::Json(props, self.src())),
            Tree::Json(_) => None,
        }
    }
}

/// `override.tf`, `x_override.tf` and their JSON forms: merged into the blocks they match.
pub fn is_override(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = name.strip_suffix(".json").unwrap_or(name);
    stem.strip_suffix(".tf")
        .is_some_and(|stem| stem == "override" || stem.ends_with("_override"))
}

pub fn is_json(path: &str) -> bool {
    path.ends_with(".json")
}

/// Parses a file, or returns the problem at the error position.
pub fn parse(source: &Arc<SourceFile>) -> Result<ParsedFile, Problem> {
    let (text, shift) = hcl::strip_bom(&source.text);
    let problem = |offset: usize, message: String| Problem {
        span: source.span(offset + shift, offset + shift),
        message,
    };
    if is_json(&source.path) {
        let json = parse_json(text).map_err(|(offset, message)| problem(offset, message))?;
        let Json::Object(..) = json else {
            return Err(problem(
                0,
                "a Terraform JSON file must hold an object".to_owned(),
            ));
        };
        return Ok(ParsedFile {
            source: Arc::clone(source),
            tree: Tree::Json(shift_json(json, shift)),
            shift: 0,
            renamed: BTreeMap::new(),
        });
    }
    let (body, renamed) =
        hcl::parse_body(text).map_err(|(offset, message)| problem(offset, message))?;
    Ok(ParsedFile {
        source: Arc::clone(source),
        tree: Tree::Hcl(body),
        shift,
        renamed,
    })
}

fn parse_json(text: &str) -> Result<Json, (usize, String)> {
    let options = portcullis_json::strict();
    let result = guarded(|| {
        jsonc_parser::parse_to_ast(text, &jsonc_parser::CollectOptions::default(), &options)
    })?
    .map_err(|error| (error.range().start, error.kind().to_string()))?;
    let value = result
        .value
        .ok_or((0, "the file holds no JSON value".to_owned()))?;
    Ok(convert_json(value))
}

fn convert_json(value: jsonc_parser::ast::Value<'_>) -> Json {
    use jsonc_parser::ast::Value as J;
    let range = |r: jsonc_parser::common::Range| r.start..r.end;
    match value {
        J::NullKeyword(node) => Json::Null(range(node.range)),
        J::BooleanLit(node) => Json::Bool(node.value, range(node.range)),
        J::NumberLit(node) => Json::Num(node.value.parse().unwrap_or(f64::NAN), range(node.range)),
        J::StringLit(node) => Json::Str(node.value.into_owned(), range(node.range)),
        J::Array(node) => Json::Array(
            node.elements.into_iter().map(convert_json).collect(),
            range(node.range),
        ),
        J::Object(node) => {
            let props = node
                .properties
                .into_iter()
                .map(|prop| {
                    let name_range = match &prop.name {
                        jsonc_parser::ast::ObjectPropName::String(lit) => range(lit.range),
                        jsonc_parser::ast::ObjectPropName::Word(lit) => range(lit.range),
                    };
                    JsonProp {
                        name: prop.name.into_string(),
                        name_range,
                        value: convert_json(prop.value),
                    }
                })
                .collect();
            Json::Object(props, range(node.range))
        }
    }
}

fn shift_json(json: Json, shift: usize) -> Json {
    let move_range = |range: Range<usize>| range.start + shift..range.end + shift;
    match json {
        Json::Null(range) => Json::Null(move_range(range)),
        Json::Bool(value, range) => Json::Bool(value, move_range(range)),
        Json::Num(value, range) => Json::Num(value, move_range(range)),
        Json::Str(value, range) => Json::Str(value, move_range(range)),
        Json::Array(items, range) => Json::Array(
            items
                .into_iter()
                .map(|item| shift_json(item, shift))
                .collect(),
            move_range(range),
        ),
        Json::Object(props, range) => Json::Object(
            props
                .into_iter()
                .map(|prop| JsonProp {
                    name: prop.name,
                    name_range: move_range(prop.name_range),
                    value: shift_json(prop.value, shift),
                })
                .collect(),
            move_range(range),
        ),
    }
}

/// A block or object body.
#[derive(Clone, Copy, Debug)]
pub enum Body<'a> {
    Hcl(&'a hcl_edit::structure::Body, Src<'a>),
    Json(&'a [JsonProp], Src<'a>),
    /// A block merged with the blocks of override files: the first layer that sets an
    /// attribute (or has nested blocks of a type) wins; the base block comes last.
    Layers(&'a [Body<'a>]),
}

#[derive(Clone, Copy, Debug)]
pub enum Expr<'a> {
    Hcl(&'a Expression, Src<'a>),
    Json(&'a Json, Src<'a>),
}

impl<'a> Expr<'a> {
    pub fn span(self) -> Span {
        match self {
            Self::Hcl(expr, src) => src.span(expr.span()),
            Self::Json(json, src) => src.span(Some(json.range())),
        }
    }

    /// A bare identifier (`iterator = rule`), as JSON writes it: a string.
    pub fn as_ident(self) -> Option<&'a str> {
        match self {
            Self::Hcl(Expression::Variable(ident), _) => Some(ident.value().as_str()),
            Self::Json(Json::Str(text, _), _) => Some(text),
            _ => None,
        }
    }

    /// A literal string (`source = "./x"`).
    pub fn as_literal_str(self) -> Option<&'a str> {
        match self {
            Self::Hcl(Expression::String(text), _) => Some(text.value()),
            Self::Json(Json::Str(text, _), _) => Some(text),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Attr<'a> {
    pub name: &'a str,
    pub span: Span,
    pub expr: Expr<'a>,
}

#[derive(Clone, Debug)]
pub struct Block<'a> {
    pub ident: &'a str,
    pub labels: Vec<&'a str>,
    pub span: Span,
    pub labels_span: Span,
    pub body: Body<'a>,
}

impl<'a> Block<'a> {
    pub fn label(&self, index: usize) -> &'a str {
        self.labels.get(index).copied().unwrap_or("")
    }
}

/// How many labels a block type takes in Terraform's JSON syntax.
fn json_label_count(ident: &str) -> Option<usize> {
    match ident {
        "resource" | "data" => Some(2),
        "module" | "variable" | "output" | "provider" | "dynamic" => Some(1),
        "locals" | "terraform" => Some(0),
        _ => None,
    }
}

impl<'a> Body<'a> {
    pub fn attr(self, name: &str) -> Option<Attr<'a>> {
        self.attrs().into_iter().find(|attr| attr.name == name)
    }

    pub fn attrs(self) -> Vec<Attr<'a>> {
        match self {
            Self::Layers(layers) => {
                let mut out: Vec<Attr<'a>> = Vec::new();
                for attr in layers.iter().flat_map(|layer| layer.attrs()) {
                    if !out.iter().any(|seen| seen.name == attr.name) {
                        out.push(attr);
                    }
                }
                out
            }
            Self::Hcl(body, src) => body
                .attributes()
                .map(|attr| Attr {
                    name: attr.key.value().as_str(),
                    span: src.span(attr.span()),
                    expr: Expr::Hcl(&attr.value, src),
                })
                .collect(),
            Self::Json(props, src) => props
                .iter()
                .filter(|prop| prop.name != "//")
                .map(|prop| Attr {
                    name: &prop.name,
                    span: src.span(Some(prop.name_range.start..prop.value.range().end)),
                    expr: Expr::Json(&prop.value, src),
                })
                .collect(),
        }
    }

    /// Every block of the body in source order. In JSON, only the block types whose label
    /// count is known (top-level constructs) are blocks.
    pub fn blocks(self) -> Vec<Block<'a>> {
        match self {
            Self::Layers(layers) => layers.last().map(|base| base.blocks()).unwrap_or_default(),
            Self::Hcl(body, src) => body
                .blocks()
                .map(|block| {
                    let labels: Vec<&str> =
                        block.labels.iter().map(|label| label.as_str()).collect();
                    let span = src.span(block.span());
                    let labels_span = match (block.labels.first(), block.labels.last()) {
                        (Some(first), Some(last)) => {
                            src.span(first.span()).cover(src.span(last.span()))
                        }
                        _ => src.span(block.ident.span()),
                    };
                    Block {
                        ident: block.ident.value().as_str(),
                        labels,
                        span,
                        labels_span,
                        body: Self::Hcl(&block.body, src),
                    }
                })
                .collect(),
            Self::Json(props, src) => {
                json_blocks_of(props, src, |prop| json_label_count(&prop.name))
            }
        }
    }

    /// The nested blocks named `ident`; in JSON, the object or objects under that key.
    pub fn blocks_named(self, ident: &str) -> Vec<Block<'a>> {
        match self {
            Self::Layers(layers) => layers
                .iter()
                .map(|layer| layer.blocks_named(ident))
                .find(|blocks| !blocks.is_empty())
                .unwrap_or_default(),
            Self::Hcl(..) => self
                .blocks()
                .into_iter()
                .filter(|block| block.ident == ident)
                .collect(),
            Self::Json(props, src) => json_blocks_of(props, src, |prop| {
                (prop.name == ident).then_some(usize::from(ident == "dynamic"))
            }),
        }
    }
}

/// The blocks of the JSON properties `labels_of` accepts, with the number of labels it gives.
fn json_blocks_of<'a>(
    props: &'a [JsonProp],
    src: Src<'a>,
    labels_of: impl Fn(&JsonProp) -> Option<usize>,
) -> Vec<Block<'a>> {
    let mut out = Vec::new();
    for prop in props {
        if let Some(count) = labels_of(prop) {
            let key_span = src.span(Some(prop.name_range.clone()));
            json_blocks(
                &prop.name,
                &prop.value,
                count,
                Vec::new(),
                key_span,
                src,
                &mut out,
            );
        }
    }
    out
}

fn json_blocks<'a>(
    ident: &'a str,
    value: &'a Json,
    labels_left: usize,
    labels: Vec<&'a str>,
    labels_span: Span,
    src: Src<'a>,
    out: &mut Vec<Block<'a>>,
) {
    match value {
        Json::Object(props, range) if labels_left == 0 => out.push(Block {
            ident,
            labels,
            span: src.span(Some(range.clone())),
            labels_span,
            body: Body::Json(props, src),
        }),
        Json::Object(props, _) => {
            for prop in props.iter().filter(|prop| prop.name != "//") {
                let mut labels = labels.clone();
                labels.push(&prop.name);
                let span = src.span(Some(prop.name_range.clone()));
                json_blocks(ident, &prop.value, labels_left - 1, labels, span, src, out);
            }
        }
        Json::Array(items, _) => {
            for item in items {
                json_blocks(
                    ident,
                    item,
                    labels_left,
                    labels.clone(),
                    labels_span,
                    src,
                    out,
                );
            }
        }
        _ => {}
    }
}
