//! The `.tf` configuration that produced a plan: resource blocks and their attributes, located
//! by module directory, type and name, with byte spans into files of the shared `SourceMap`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use portcullis_ir::{MAX_FILE_SIZE, SourceFile, SourceMap, Span};
use portcullis_terraform_core::hcl;

use crate::json;

/// An attribute's expression.
#[derive(Debug)]
pub struct SrcExpr {
    pub span: Span,
    /// Element spans when the expression is a list literal.
    pub elements: Option<Vec<Span>>,
    /// The text of a literal string, number or bool, to match planned nested blocks.
    pub literal: Option<String>,
}

impl SrcExpr {
    /// The span of element `index` of a list of `len` elements: the literal's element when it
    /// has as many, else the whole expression.
    pub fn element(&self, element: Option<(usize, usize)>) -> Span {
        element
            .and_then(|(index, len)| {
                self.elements
                    .as_ref()
                    .filter(|elements| elements.len() == len)
                    .and_then(|elements| elements.get(index).copied())
            })
            .unwrap_or(self.span)
    }
}

/// A resource block or a nested block inside one.
#[derive(Debug)]
pub struct SrcBlock {
    pub span: Span,
    /// The labels (`"aws_security_group" "web"`), or the block name of a nested block.
    pub labels: Span,
    pub attrs: BTreeMap<String, SrcExpr>,
    /// Nested blocks in source order; a `dynamic "x"` block appears as its `content` under `x`.
    pub blocks: Vec<(String, SrcBlock)>,
    pub dynamic: bool,
}

impl SrcBlock {
    pub fn nested(&self, name: &str) -> Vec<&Self> {
        self.blocks
            .iter()
            .filter(|(ident, _)| ident == name)
            .map(|(_, block)| block)
            .collect()
    }
}

/// The resource and module blocks of one module directory.
#[derive(Debug, Default)]
pub struct SrcModule {
    pub resources: BTreeMap<(String, String), SrcBlock>,
    pub calls: BTreeSet<String>,
    /// `variable "name"` blocks: the span of the label.
    pub variables: BTreeMap<String, Span>,
}

/// Reads module directories once per plan, reusing files already in the `SourceMap`.
pub struct Loader<'s> {
    sources: &'s SourceMap,
    /// Canonical directories configuration may be read from.
    allowed: Vec<PathBuf>,
    existing: BTreeMap<String, Arc<SourceFile>>,
    dirs: BTreeMap<PathBuf, Arc<SrcModule>>,
}

/// `./a/../b/main.tf` is `b/main.tf`, as the walker displays paths.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn display(path: &Path) -> String {
    normalize(path).to_string_lossy().into_owned()
}

impl<'s> Loader<'s> {
    pub fn new(sources: &'s SourceMap, allowed: &[PathBuf]) -> Self {
        let existing = sources
            .files()
            .into_iter()
            .map(|file| (display(Path::new(&file.path)), file))
            .collect();
        let allowed = allowed
            .iter()
            .filter_map(|dir| {
                std::fs::canonicalize(if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                })
                .ok()
            })
            .collect();
        Self {
            sources,
            allowed,
            existing,
            dirs: BTreeMap::new(),
        }
    }

    /// The resources and module calls declared by the `.tf` files of a directory.
    pub fn module(&mut self, dir: &Path) -> Arc<SrcModule> {
        let dir = normalize(dir);
        if let Some(module) = self.dirs.get(&dir) {
            return Arc::clone(module);
        }
        let mut module = SrcModule::default();
        let inside = std::fs::canonicalize(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &dir
        })
        .is_ok_and(|real| self.allowed.iter().any(|root| real.starts_with(root)));
        let files = if inside { tf_files(&dir) } else { Vec::new() };
        for path in files {
            if let Some(file) = self.file(&path) {
                read_module(&file, &mut module);
            }
        }
        let module = Arc::new(module);
        self.dirs.insert(dir, Arc::clone(&module));
        module
    }

    fn file(&mut self, path: &Path) -> Option<Arc<SourceFile>> {
        let key = display(path);
        if let Some(file) = self.existing.get(&key) {
            return Some(Arc::clone(file));
        }
        let size = std::fs::metadata(path).ok()?.len();
        if size > MAX_FILE_SIZE {
            return None;
        }
        let text = std::fs::read_to_string(path).ok()?;
        let file = self.sources.add(key.clone(), text);
        self.existing.insert(key, Arc::clone(&file));
        Some(file)
    }
}

fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.file_name())
        .filter(|name| {
            let name = name.to_string_lossy();
            name.ends_with(".tf") || name.ends_with(".tf.json")
        })
        .map(|name| dir.join(name))
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    paths
}

/// A file that does not parse contributes nothing: the Terraform front-end reports it, and
/// findings fall back to the plan's own location.
fn read_module(file: &Arc<SourceFile>, module: &mut SrcModule) {
    let (text, shift) = hcl::strip_bom(&file.text);
    let at = At { file, shift };
    if file.path.ends_with(".json") {
        if let Ok(root) = json::parse(text) {
            at.json_module(&root, module);
        }
        return;
    }
    // Keys renamed to get past duplicates are object keys, never the attribute names read here.
    let Ok((body, _)) = hcl::parse_body(text) else {
        return;
    };
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels.iter().map(|label| label.as_str()).collect();
        match (block.ident.value().as_str(), labels.as_slice()) {
            ("resource", [kind, name]) => {
                module
                    .resources
                    .entry(((*kind).to_owned(), (*name).to_owned()))
                    .or_insert_with(|| at.block(block, false));
            }
            ("module", [name]) => {
                module.calls.insert((*name).to_owned());
            }
            ("variable", [name]) => {
                let label = block.labels.first().and_then(hcl_edit::Span::span);
                module
                    .variables
                    .entry((*name).to_owned())
                    .or_insert_with(|| at.span(label));
            }
            _ => {}
        }
    }
}

/// The objects of a `.tf.json` value: one object, or each object of an array.
fn objects<'b, 'a>(value: &'b json::Json<'a>) -> Vec<&'b json::Json<'a>> {
    match value {
        json::Json::Object(_) => vec![value],
        json::Json::Array(_) => json::items(value)
            .iter()
            .filter(|item| matches!(item, json::Json::Object(_)))
            .collect(),
        _ => Vec::new(),
    }
}

#[derive(Clone, Copy)]
struct At<'f> {
    file: &'f SourceFile,
    shift: usize,
}

impl At<'_> {
    fn span(self, range: Option<std::ops::Range<usize>>) -> Span {
        let range = range.unwrap_or(0..0);
        self.file
            .span(range.start + self.shift, range.end + self.shift)
    }

    fn block(self, block: &Block, dynamic: bool) -> SrcBlock {
        let labels = match (block.labels.first(), block.labels.last()) {
            (Some(first), Some(last)) => self.span(first.span()).cover(self.span(last.span())),
            _ => self.span(block.ident.span()),
        };
        SrcBlock {
            span: self.span(block.span()),
            labels,
            attrs: self.attrs(&block.body),
            blocks: self.blocks(&block.body),
            dynamic,
        }
    }

    fn range_span(self, range: std::ops::Range<usize>) -> Span {
        self.span(Some(range))
    }

    /// `resource` and `module` of a `.tf.json` file (objects, or arrays of objects).
    fn json_module(self, root: &json::Json<'_>, module: &mut SrcModule) {
        for top in objects(root) {
            for (ident, _, value) in json::props(top) {
                match ident {
                    "resource" => {
                        for kinds in objects(value) {
                            for (kind, _, names) in json::props(kinds) {
                                for names in objects(names) {
                                    for (name, name_range, body) in json::props(names) {
                                        let Some(body) = objects(body).into_iter().next() else {
                                            continue;
                                        };
                                        module
                                            .resources
                                            .entry((kind.to_owned(), name.to_owned()))
                                            .or_insert_with(|| {
                                                self.json_block(body, name_range.clone(), false)
                                            });
                                    }
                                }
                            }
                        }
                    }
                    "module" => {
                        for calls in objects(value) {
                            module.calls.extend(
                                json::props(calls)
                                    .into_iter()
                                    .map(|(name, ..)| name.to_owned()),
                            );
                        }
                    }
                    "variable" => {
                        for variables in objects(value) {
                            for (name, range, _) in json::props(variables) {
                                module
                                    .variables
                                    .entry(name.to_owned())
                                    .or_insert_with(|| self.range_span(range));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// A block of a `.tf.json` file. Properties are attributes; an object or array of objects
    /// is also a nested block, since JSON does not tell them apart.
    fn json_block(
        self,
        body: &json::Json<'_>,
        label: std::ops::Range<usize>,
        dynamic: bool,
    ) -> SrcBlock {
        let mut attrs = BTreeMap::new();
        let mut blocks = Vec::new();
        for (name, name_range, value) in json::props(body) {
            if name == "dynamic" {
                for dynamic in objects(value) {
                    for (ident, ident_range, spec) in json::props(dynamic) {
                        for content in objects(spec)
                            .into_iter()
                            .filter_map(|spec| json::get(spec, "content"))
                        {
                            blocks.push((
                                ident.to_owned(),
                                self.json_block(content, ident_range.clone(), true),
                            ));
                        }
                    }
                }
                continue;
            }
            for nested in objects(value) {
                blocks.push((
                    name.to_owned(),
                    self.json_block(nested, name_range.clone(), false),
                ));
            }
            let elements = match value {
                json::Json::Array(_) => Some(
                    json::items(value)
                        .iter()
                        .map(|item| self.range_span(json::range(item)))
                        .collect(),
                ),
                _ => None,
            };
            let literal = match value {
                json::Json::Array(_) | json::Json::Object(_) | json::Json::NullKeyword(_) => None,
                scalar => json::to_text(scalar).ok(),
            };
            attrs.insert(
                name.to_owned(),
                SrcExpr {
                    span: self.range_span(json::range(value)),
                    elements,
                    literal,
                },
            );
        }
        SrcBlock {
            span: self.range_span(json::range(body)),
            labels: self.range_span(label),
            attrs,
            blocks,
            dynamic,
        }
    }

    fn attrs(self, body: &Body) -> BTreeMap<String, SrcExpr> {
        body.attributes()
            .map(|attr| {
                let expr = &attr.value;
                let elements = match expr {
                    Expression::Array(array) => {
                        Some(array.iter().map(|item| self.span(item.span())).collect())
                    }
                    _ => None,
                };
                let literal = match expr {
                    Expression::String(text) => Some(text.value().clone()),
                    Expression::Number(number) => Some(number.value().to_string()),
                    Expression::Bool(flag) => Some(flag.value().to_string()),
                    _ => None,
                };
                let src = SrcExpr {
                    span: self.span(expr.span()),
                    elements,
                    literal,
                };
                (attr.key.value().as_str().to_owned(), src)
            })
            .collect()
    }

    fn blocks(self, body: &Body) -> Vec<(String, SrcBlock)> {
        let mut out = Vec::new();
        for block in body.blocks() {
            let ident = block.ident.value().as_str();
            if ident != "dynamic" {
                out.push((ident.to_owned(), self.block(block, false)));
                continue;
            }
            let Some(name) = block.labels.first() else {
                continue;
            };
            if let Some(content) = block
                .body
                .blocks()
                .find(|inner| inner.ident.value().as_str() == "content")
            {
                out.push((name.as_str().to_owned(), self.block(content, true)));
            }
        }
        out
    }
}
