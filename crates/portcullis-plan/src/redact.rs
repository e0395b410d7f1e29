//! Sensitive values of a plan: where they are, and a copy of the text with them masked.
//!
//! `terraform show -json` writes sensitive values in clear next to masks that mark them
//! (`sensitive_values`, `after_sensitive`, `before_sensitive`, sensitive outputs and
//! variables). Excerpts of the plan must never show them.

use std::ops::Range;

use crate::json::{self, Json};

/// The byte ranges of every value a mask marks sensitive, sorted.
pub fn sensitive_ranges(root: &Json<'_>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for state in [
        json::get(root, "planned_values"),
        json::get(root, "prior_state").and_then(|state| json::get(state, "values")),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(module) = json::get(state, "root_module") {
            module_values(module, &mut out);
        }
        outputs(state, &mut out);
    }
    for change in json::get(root, "resource_changes")
        .map(json::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|change| json::get(change, "change"))
        .chain(
            json::get(root, "output_changes")
                .map(json::entries)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, change)| change),
        )
    {
        for (value, mask) in [("after", "after_sensitive"), ("before", "before_sensitive")] {
            if let (Some(value), Some(mask)) = (json::get(change, value), json::get(change, mask)) {
                masked(value, mask, &mut out);
            }
        }
    }
    let declared = json::get(root, "configuration")
        .and_then(|config| json::get(config, "root_module"))
        .and_then(|module| json::get(module, "variables"));
    for (name, variable) in json::get(root, "variables")
        .map(json::entries)
        .unwrap_or_default()
    {
        let sensitive = declared
            .and_then(|declared| json::get(declared, name))
            .and_then(|declared| json::get(declared, "sensitive"));
        if json::is_true(sensitive)
            && let Some(value) = json::get(variable, "value")
        {
            out.push(inner(value));
        }
    }
    out.sort_by_key(|range| (range.start, range.end));
    out
}

fn module_values(module: &Json<'_>, out: &mut Vec<Range<usize>>) {
    for resource in json::get(module, "resources")
        .map(json::items)
        .unwrap_or_default()
    {
        if let (Some(values), Some(mask)) = (
            json::get(resource, "values"),
            json::get(resource, "sensitive_values"),
        ) {
            masked(values, mask, out);
        }
    }
    for child in json::get(module, "child_modules")
        .map(json::items)
        .unwrap_or_default()
    {
        module_values(child, out);
    }
}

fn outputs(state: &Json<'_>, out: &mut Vec<Range<usize>>) {
    for (_, output) in json::get(state, "outputs")
        .map(json::entries)
        .unwrap_or_default()
    {
        if json::is_true(json::get(output, "sensitive"))
            && let Some(value) = json::get(output, "value")
        {
            out.push(inner(value));
        }
    }
}

/// A string keeps its quotes, so that the masked text is still JSON-shaped.
fn inner(value: &Json<'_>) -> Range<usize> {
    let range = json::range(value);
    match value {
        Json::StringLit(_) if range.len() >= 2 => range.start + 1..range.end - 1,
        _ => range,
    }
}

fn masked(value: &Json<'_>, mask: &Json<'_>, out: &mut Vec<Range<usize>>) {
    match (value, mask) {
        (_, Json::BooleanLit(flag)) if flag.value => out.push(inner(value)),
        (Json::Array(values), Json::Array(masks)) => {
            for (value, mask) in values.elements.iter().zip(&masks.elements) {
                masked(value, mask, out);
            }
        }
        (Json::Object(_), Json::Object(_)) => {
            for (key, mask) in json::entries(mask) {
                if let Some(value) = json::get(value, key) {
                    masked(value, mask, out);
                }
            }
        }
        _ => {}
    }
}

/// The text with every character in `ranges` replaced by a filler of the same UTF-8 length,
/// so that byte offsets, lines and columns (in characters and UTF-16 units) are unchanged.
pub fn mask(text: &str, ranges: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut ranges = ranges.iter().peekable();
    for (offset, c) in text.char_indices() {
        while ranges.next_if(|range| range.end <= offset).is_some() {}
        let inside = ranges
            .peek()
            .is_some_and(|range| range.start <= offset && offset < range.end);
        if !inside || matches!(c, '\n' | '\r') {
            out.push(c);
            continue;
        }
        out.push(match c.len_utf8() {
            1 => '*',
            2 => '\u{a4}',
            3 => '\u{2217}',
            _ => '\u{1f512}',
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_offsets_and_columns() {
        let text = "{\"a\": \"sé😀cret\", \"b\": 1}";
        let start = text.find('s').unwrap_or(0);
        let end = text.find("\",").unwrap_or(0);
        let ranges = vec![start..end, end + 2..end + 2];
        let masked = mask(text, &ranges);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked.chars().count(), text.chars().count());
        assert!(!masked.contains("cret"));
        assert!(masked.ends_with("\", \"b\": 1}"));
    }
}
