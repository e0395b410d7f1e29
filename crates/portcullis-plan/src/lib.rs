//! Terraform plan JSON (`terraform show -json plan.out`, format versions 0.1 to 1.x) into the
//! portcullis IR. Values are the plan's fully resolved ones (remote modules, data sources,
//! computed `for_each`); locations are those of the `.tf` source when the configuration is
//! present, so that findings point at code someone can fix, with the plan as a related location.

mod address;
mod convert;
mod json;
mod redact;
mod source;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use portcullis_ir::{Problem, SourceFile, SourceMap, Unit};

pub use convert::{SENSITIVE, UNKNOWN_AFTER_APPLY};

#[derive(Default, Clone)]
pub struct Options {
    /// --plan-source DIR: where the configuration that produced the plan lives
    pub source_dirs: Vec<PathBuf>,
}

/// How much of a file [`is_plan`] looks at before scanning its top-level keys.
const HEAD: usize = 4096;

/// Whether a JSON text is a `terraform show -json` plan: top-level `format_version` with `planned_values` or `resource_changes`. Cheap: must not fully parse large files that are not plans (look at the first few KB for the keys, then confirm by parsing).
///
/// A truncated plan still counts when the keys appear before the cut, so that it is reported
/// as broken rather than skipped.
pub fn is_plan(text: &str) -> bool {
    let mut end = text.len().min(HEAD);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = text.get(..end).unwrap_or_default();
    if !head.contains("\"format_version\"")
        || !head
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
    {
        return false;
    }
    let keys = top_level_keys(text);
    keys.contains(&"format_version")
        && (keys.contains(&"planned_values") || keys.contains(&"resource_changes"))
}

/// The keys of a JSON object text at depth one, skipping values without building them; stops
/// at the first thing that is not JSON.
fn top_level_keys(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut index = 0;
    let mut expect_key = false;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'"' => {
                let start = index + 1;
                index = start;
                while let Some(&inner) = bytes.get(index) {
                    match inner {
                        b'\\' => index += 2,
                        b'"' => break,
                        _ => index += 1,
                    }
                }
                if depth == 1 && expect_key {
                    if let Some(key) = text.get(start..index) {
                        keys.push(key);
                    }
                    expect_key = false;
                }
            }
            b'{' | b'[' => {
                depth += 1;
                expect_key = depth == 1 && byte == b'{';
            }
            b'}' | b']' => {
                if depth <= 1 {
                    break;
                }
                depth -= 1;
            }
            b',' if depth == 1 => expect_key = true,
            _ => {}
        }
        index += 1;
    }
    keys
}

/// Reads one plan file into a Unit. `sources` is the shared SourceMap: when the configuration is present (Options.source_dirs, or the plan's own directory), register the .tf files you read with `sources.add` (or reuse the ones already in `sources` with the same path: `sources.files()`), and point each IR value's span at the `.tf` resource block or exact attribute (resolved through the plan's `configuration` section: module calls with `source`, resource addresses with count/for_each keys), with the plan location as a `via` trace. Without the source, spans point into the plan JSON with exact line and column.
pub fn analyze(file: &Arc<SourceFile>, sources: &SourceMap, options: &Options) -> Unit {
    let mut unit = Unit {
        name: file.path.clone(),
        ..Unit::default()
    };
    let problem = |offset: usize, message: String| Problem {
        span: file.span(offset, offset),
        message,
    };
    // A BOM becomes three spaces: byte offsets stay those of the file.
    let unbommed = file
        .text
        .strip_prefix('\u{feff}')
        .map(|rest| format!("   {rest}"));
    let text = unbommed.as_deref().unwrap_or(&file.text);
    let root = match json::parse(text) {
        Ok(root) => root,
        Err((offset, message)) => {
            let message = format!("the Terraform plan is malformed or truncated: {message}");
            unit.problems.push(problem(offset, message));
            return unit;
        }
    };
    let Some(version) = json::get(&root, "format_version").and_then(json::as_str) else {
        let message = "not a Terraform plan: no top-level \"format_version\" string".to_owned();
        unit.problems.push(problem(0, message));
        return unit;
    };
    if !matches!(version.split('.').next(), Some("0" | "1")) {
        let offset = json::get(&root, "format_version").map_or(0, |node| json::range(node).start);
        unit.problems.push(problem(
            offset,
            format!("Terraform plan format_version {version} is not supported (0.x and 1.x are)"),
        ));
        return unit;
    }
    let redacted = redact::sensitive_ranges(&root);
    let plan_file = if redacted.is_empty() {
        Arc::clone(file)
    } else {
        // Spans into the plan point at a copy with every sensitive value masked, so that no
        // excerpt of a finding can show one.
        sources.add(file.path.clone(), redact::mask(&file.text, &redacted))
    };
    let instances = convert::gather(&root);
    let plan_dir = Path::new(&file.path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    // A plan names module sources; only configuration under the source directories (and the
    // plan's own) is read, so a hostile plan cannot make the scan quote files elsewhere.
    let allowed: Vec<PathBuf> = options
        .source_dirs
        .iter()
        .chain(std::iter::once(&plan_dir))
        .cloned()
        .collect();
    let mut loader = source::Loader::new(sources, &allowed);
    let dir = options
        .source_dirs
        .iter()
        .chain(std::iter::once(&plan_dir))
        .find(|dir| {
            convert::is_dir(dir) && convert::declares_root(&loader.module(dir), &root, &instances)
        })
        .cloned();
    let plan = convert::Plan::new(
        plan_file,
        &root,
        instances,
        convert::SourceRoot {
            loader: &mut loader,
            dir,
        },
    );
    plan.extract(&mut unit.inventory);
    plan.named_cidrs(&root, &mut unit.inventory);
    unit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_keys_skip_nested_objects_and_strings() {
        let text = r#"{"a": {"format_version": 1}, "b\"": "x,\"y", "format_version": "1.2", "c": [{"d": 1}], "planned_values": {}}"#;
        assert_eq!(
            top_level_keys(text),
            ["a", "b\\\"", "format_version", "c", "planned_values"]
        );
        assert!(is_plan(text));
        assert!(!is_plan(r#"{"format_version": "1.0", "values": {}}"#));
        assert!(!is_plan(r#"{"AWSTemplateFormatVersion": "2010-09-09"}"#));
        assert!(is_plan(
            r#"{"format_version": "1.0", "planned_values": {"root_module": {"#
        ));
    }
}
