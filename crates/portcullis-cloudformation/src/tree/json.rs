//! JSON templates, read with `jsonc-parser` in strict mode.

use portcullis_ir::{FileId, Span};

use super::node::{
    Document, Duplicate, Entry, ErrorKind, Kind, MAX_DEPTH, MapBuilder, Node, SyntaxError, bom_len,
};

pub fn parse_json(file: FileId, text: &str) -> Result<Document, SyntaxError> {
    use jsonc_parser::{CollectOptions, ast, parse_to_ast};
    let base = bom_len(text);
    let body = &text[base..];
    let strict = portcullis_json::strict();
    let parsed =
        parse_to_ast(body, &CollectOptions::default(), &strict).map_err(|error| SyntaxError {
            offset: base + error.range().start,
            kind: ErrorKind::Parser(error.kind().to_string()),
        })?;
    let Some(value) = parsed.value else {
        return Err(SyntaxError {
            offset: text.len(),
            kind: ErrorKind::NoJsonValue,
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
                    kind: ErrorKind::TooDeep,
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
