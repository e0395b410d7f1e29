//! One HCL reader for every front-end that reads `.tf` text: a parser panic becomes an error
//! for that file rather than the end of the scan, and object keys given twice (which Terraform
//! accepts, the later one winning, but hcl-edit rejects) are renamed so that the file still parses.

use std::collections::BTreeMap;
use std::ops::Range;

const BOM: &str = "\u{feff}";
/// Duplicate object keys renamed before giving up on a file (each rename is one re-parse).
const MAX_RENAMES: usize = 64;

/// Object keys renamed to get past hcl-edit's duplicate-key error, by parser offset, with the
/// name each one really has.
pub type Renamed = BTreeMap<usize, String>;

/// A text without its byte-order mark, and the length of the mark (added to parser offsets).
pub fn strip_bom(text: &str) -> (&str, usize) {
    text.strip_prefix(BOM)
        .map_or((text, 0), |rest| (rest, BOM.len()))
}

/// Runs a parser so that a bug in it becomes an error for this file (at offset 0) rather than
/// the end of the scan.
pub fn guarded<T>(parse: impl FnOnce() -> T) -> Result<T, (usize, String)> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse))
        .map_err(|_| (0, "the parser failed on this file".to_owned()))
}

/// Parses one HCL expression (a `--var` value, a type constraint written in a `.tf.json` string),
/// a parser panic counting as a syntax error.
pub fn parse_expr(text: &str) -> Option<hcl_edit::expr::Expression> {
    guarded(|| hcl_edit::parser::parse_expr(text).ok())
        .ok()
        .flatten()
}

/// Parses a string template (a `.tf.json` string holding `${...}`), a parser panic counting as a
/// syntax error.
pub fn parse_template(text: &str) -> Option<hcl_edit::template::Template> {
    guarded(|| hcl_edit::parser::parse_template(text).ok())
        .ok()
        .flatten()
}

/// Parses an HCL body (a text without BOM: see [`strip_bom`]), or returns the offset and message
/// of the error. A key given twice in an object constructor is renamed in a copy of the text to a
/// placeholder of the same length, so that offsets stay exact; [`Renamed`] gives the real names.
pub fn parse_body(text: &str) -> Result<(hcl_edit::structure::Body, Renamed), (usize, String)> {
    let mut renamed = BTreeMap::new();
    let mut patched: Option<String> = None;
    loop {
        let current = patched.as_deref().unwrap_or(text);
        match guarded(|| hcl_edit::parser::parse_body(current))? {
            Ok(body) => return Ok((body, renamed)),
            Err(error) => {
                let offset = error.location().offset();
                let failure = (offset, error.message().to_owned());
                if !error.message().contains("redefined object key") || renamed.len() >= MAX_RENAMES
                {
                    return Err(failure);
                }
                let Some((range, name)) = key_at(current, offset) else {
                    return Err(failure);
                };
                let Some(placeholder) = placeholder(range.len(), renamed.len()) else {
                    return Err(failure);
                };
                let mut next = current.to_owned();
                next.replace_range(range.clone(), &placeholder);
                renamed.insert(offset, name);
                patched = Some(next);
            }
        }
    }
}

/// The replaceable range and the name of an object key starting at `offset`.
fn key_at(text: &str, offset: usize) -> Option<(Range<usize>, String)> {
    let rest = text.get(offset..)?;
    if let Some(quoted) = rest.strip_prefix('"') {
        let end = quoted.find('"')?;
        let name = quoted.get(..end)?;
        if name.contains('\\') || name.contains("${") {
            return None;
        }
        return Some((offset + 1..offset + 1 + end, name.to_owned()));
    }
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let name = rest.get(..end)?;
    Some((offset..offset + end, name.to_owned())).filter(|_| !name.is_empty())
}

/// An identifier of exactly `len` bytes that no real key uses.
fn placeholder(len: usize, counter: usize) -> Option<String> {
    let digits = counter.to_string();
    if len < digits.len() + 1 {
        return None;
    }
    Some(format!("_{digits:_>width$}", width = len - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_is_renamed_in_place() {
        let text = "a = { port = 1, port = 2 }\n";
        let (body, renamed) = parse_body(text).expect("parses");
        assert_eq!(body.attributes().count(), 1);
        assert_eq!(renamed.values().collect::<Vec<_>>(), ["port"]);
    }

    #[test]
    fn errors_carry_their_offset() {
        let (offset, _) = parse_body("a = {\n").expect_err("unterminated");
        assert!(offset <= 6);
    }

    #[test]
    fn the_bom_is_stripped_and_measured() {
        assert_eq!(strip_bom("\u{feff}a = 1"), ("a = 1", 3));
        assert_eq!(strip_bom("a = 1"), ("a = 1", 0));
    }
}
