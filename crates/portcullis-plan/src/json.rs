//! Strict JSON with byte ranges (jsonc-parser), and a view of one planned attribute together
//! with the masks Terraform writes beside it (`after_unknown`, `sensitive_values`).

use std::ops::Range;

use jsonc_parser::ast::{ObjectPropName, Value as J};

pub type Json<'a> = J<'a>;

/// Strict JSON: a plan is machine-written, so anything lenient is a corrupt file.
pub fn parse(text: &str) -> Result<Json<'_>, (usize, String)> {
    let options = portcullis_json::strict();
    let result = portcullis_terraform_core::guarded(|| {
        jsonc_parser::parse_to_ast(text, &jsonc_parser::CollectOptions::default(), &options)
    })?
    .map_err(|error| (error.range().start, error.kind().to_string()))?;
    result
        .value
        .ok_or_else(|| (0, "the file holds no JSON value".to_owned()))
}

pub fn range(value: &Json<'_>) -> Range<usize> {
    let range = match value {
        J::StringLit(node) => node.range,
        J::NumberLit(node) => node.range,
        J::BooleanLit(node) => node.range,
        J::Object(node) => node.range,
        J::Array(node) => node.range,
        J::NullKeyword(node) => node.range,
    };
    range.start..range.end
}

fn prop_name<'b>(name: &'b ObjectPropName<'_>) -> &'b str {
    match name {
        ObjectPropName::String(lit) => lit.value.as_ref(),
        ObjectPropName::Word(lit) => lit.value,
    }
}

/// The value of an object's property (the last one when a key repeats, as JSON decoders do).
pub fn get<'b, 'a>(value: &'b Json<'a>, key: &str) -> Option<&'b Json<'a>> {
    match value {
        J::Object(object) => object
            .properties
            .iter()
            .rev()
            .find(|prop| prop_name(&prop.name) == key)
            .map(|prop| &prop.value),
        _ => None,
    }
}

/// An object's properties in order, with the byte range of each name.
pub fn props<'b, 'a>(value: &'b Json<'a>) -> Vec<(&'b str, Range<usize>, &'b Json<'a>)> {
    match value {
        J::Object(object) => object
            .properties
            .iter()
            .map(|prop| {
                let range = match &prop.name {
                    ObjectPropName::String(lit) => lit.range,
                    ObjectPropName::Word(lit) => lit.range,
                };
                (prop_name(&prop.name), range.start..range.end, &prop.value)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// An object's properties in order.
pub fn entries<'b, 'a>(value: &'b Json<'a>) -> Vec<(&'b str, &'b Json<'a>)> {
    match value {
        J::Object(object) => object
            .properties
            .iter()
            .map(|prop| (prop_name(&prop.name), &prop.value))
            .collect(),
        _ => Vec::new(),
    }
}

pub fn items<'b, 'a>(value: &'b Json<'a>) -> &'b [Json<'a>] {
    match value {
        J::Array(array) => &array.elements,
        _ => &[],
    }
}

pub fn as_str<'b>(value: &'b Json<'_>) -> Option<&'b str> {
    match value {
        J::StringLit(lit) => Some(lit.value.as_ref()),
        _ => None,
    }
}

pub fn str_at<'b>(value: &'b Json<'_>, key: &str) -> Option<&'b str> {
    get(value, key).and_then(as_str)
}

pub fn is_true(value: Option<&Json<'_>>) -> bool {
    matches!(value, Some(J::BooleanLit(lit)) if lit.value)
}

/// Scalars as Terraform would turn them into a string (numbers and bools in string attributes).
pub fn to_text(value: &Json<'_>) -> Result<String, String> {
    match value {
        J::StringLit(lit) => Ok(lit.value.clone().into_owned()),
        J::NumberLit(lit) => Ok(lit.value.to_owned()),
        J::BooleanLit(lit) => Ok(lit.value.to_string()),
        J::NullKeyword(_) => Err("the value is null".to_owned()),
        J::Array(_) | J::Object(_) => Err("a collection where a string was expected".to_owned()),
    }
}

pub fn to_i64(value: &Json<'_>) -> Result<i64, String> {
    let text = to_text(value)?;
    text.parse::<i64>()
        .ok()
        .or_else(|| {
            // Terraform numbers may be written `22.0`; only whole values are ports.
            text.parse::<f64>()
                .ok()
                .filter(|number| number.fract() == 0.0 && number.abs() < 9.0e15)
                .map(|number| number as i64)
        })
        .ok_or_else(|| format!("`{text}` is not a whole number"))
}

pub fn to_bool(value: &Json<'_>) -> Result<bool, String> {
    match value {
        J::BooleanLit(lit) => Ok(lit.value),
        J::StringLit(lit) if lit.value == "true" => Ok(true),
        J::StringLit(lit) if lit.value == "false" => Ok(false),
        _ => Err("the value is not a boolean".to_owned()),
    }
}

/// What a planned attribute holds.
pub enum State<'b, 'a> {
    /// Absent or null: not set.
    Unset,
    /// Computed by the provider during apply.
    Unknown,
    /// Marked sensitive: its value must never be read into anything printable.
    Sensitive,
    Present(&'b Json<'a>),
}

/// One planned attribute, with the matching nodes of the unknown and sensitive masks.
/// A mask of `true` on an ancestor covers every descendant.
#[derive(Clone, Copy)]
pub struct Planned<'b, 'a> {
    pub value: Option<&'b Json<'a>>,
    unknown: Option<&'b Json<'a>>,
    sensitive: Option<&'b Json<'a>>,
    /// The closest node that exists in the plan, for spans of absent or unknown values.
    pub anchor: &'b Json<'a>,
}

impl<'b, 'a> Planned<'b, 'a> {
    pub fn new(
        value: &'b Json<'a>,
        unknown: Option<&'b Json<'a>>,
        sensitive: Option<&'b Json<'a>>,
    ) -> Self {
        Self {
            value: Some(value),
            unknown,
            sensitive,
            anchor: value,
        }
    }

    fn child_mask(
        mask: Option<&'b Json<'a>>,
        step: impl Fn(&'b Json<'a>) -> Option<&'b Json<'a>>,
    ) -> Option<&'b Json<'a>> {
        match mask {
            Some(J::BooleanLit(lit)) if lit.value => mask,
            Some(node) => step(node),
            None => None,
        }
    }

    fn step(self, step: impl Fn(&'b Json<'a>) -> Option<&'b Json<'a>>) -> Self {
        let value = self.value.and_then(&step);
        Self {
            value,
            unknown: Self::child_mask(self.unknown, &step),
            sensitive: Self::child_mask(self.sensitive, &step),
            anchor: value.unwrap_or(self.anchor),
        }
    }

    /// The same place, read as absent.
    #[must_use]
    pub fn unset(self) -> Self {
        Self {
            value: None,
            unknown: None,
            sensitive: None,
            anchor: self.anchor,
        }
    }

    pub fn get(self, key: &str) -> Self {
        self.step(|node| get(node, key))
    }

    /// The elements of a planned list or set.
    pub fn items(self) -> Vec<Self> {
        let Some(value) = self.value else {
            return Vec::new();
        };
        (0..items(value).len())
            .map(|index| self.step(|node| items(node).get(index)))
            .collect()
    }

    pub fn state(self) -> State<'b, 'a> {
        if is_true(self.sensitive) {
            return State::Sensitive;
        }
        if is_true(self.unknown) {
            return State::Unknown;
        }
        match self.value {
            Some(J::NullKeyword(_)) | None => State::Unset,
            Some(value) => State::Present(value),
        }
    }

    pub fn range(self) -> Range<usize> {
        range(self.value.unwrap_or(self.anchor))
    }
}
