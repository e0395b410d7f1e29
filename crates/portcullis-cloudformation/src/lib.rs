//! The CloudFormation front-end: JSON and YAML templates (with short tags, intrinsic functions,
//! parameters, conditions, SAM and CDK output) to one [`Unit`] each.
//!
//! Files are recognised by content: any other YAML or JSON (workflows, manifests, `package.json`)
//! is skipped without a word.

mod comments;
mod eval;
mod foreach;
mod ids;
mod resources;
mod scenario;
mod tree;

use std::path::Path;
use std::sync::Arc;

use portcullis_ir::{Comment, NamedCidr, Problem, SourceFile, Unit, Unresolved};

use crate::tree::{Document, Kind, Node, SyntaxError};

/// Settings from the command line.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Parameter values (`--cfn-parameters`), overriding the templates' defaults.
    pub parameters: Vec<(String, String)>,
}

/// Whether the extension may hold a template (`.json`, `.yaml`, `.yml`, `.template`).
pub fn is_candidate(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| {
            ["json", "yaml", "yml", "template"]
                .iter()
                .any(|known| extension.eq_ignore_ascii_case(known))
        })
}

/// Parses a `--cfn-parameters` file: the AWS CLI format
/// (`[{"ParameterKey": "K", "ParameterValue": "V"}]`), the CodePipeline template configuration
/// (`{"Parameters": {"K": "V"}}`), or the `["K=V"]` list of `aws cloudformation deploy`.
pub fn parse_parameters_file(text: &str) -> Result<Vec<(String, String)>, String> {
    let value: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|error| format!("invalid JSON: {error}"))?;
    let text_of = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::Bool(flag) => Some(flag.to_string()),
        // A list parameter may be given as a JSON list; CloudFormation wants it comma-separated.
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(|items| items.join(",")),
        _ => None,
    };
    let mut parameters = Vec::new();
    match &value {
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                if let Some(pair) = item.as_str() {
                    let (key, value) = pair
                        .split_once('=')
                        .ok_or_else(|| format!("entry {index}: `{pair}` is not KEY=VALUE"))?;
                    parameters.push((key.to_owned(), value.to_owned()));
                    continue;
                }
                if item
                    .get("UsePreviousValue")
                    .and_then(serde_json::Value::as_bool)
                    == Some(true)
                {
                    continue;
                }
                let key = item.get("ParameterKey").and_then(serde_json::Value::as_str);
                let value = item.get("ParameterValue").and_then(text_of);
                match (key, value) {
                    (Some(key), Some(value)) => parameters.push((key.to_owned(), value)),
                    _ => {
                        return Err(format!(
                            "entry {index} needs a ParameterKey and a ParameterValue"
                        ));
                    }
                }
            }
        }
        serde_json::Value::Object(object) => {
            let Some(serde_json::Value::Object(map)) = object.get("Parameters") else {
                return Err("expected a list of ParameterKey/ParameterValue objects or {\"Parameters\": {...}}".to_owned());
            };
            for (key, value) in map {
                let value = text_of(value)
                    .ok_or_else(|| format!("parameter {key}: value is not a string"))?;
                parameters.push((key.clone(), value));
            }
        }
        _ => {
            return Err(
                "expected a list of ParameterKey/ParameterValue objects or {\"Parameters\": {...}}"
                    .to_owned(),
            );
        }
    }
    Ok(parameters)
}

/// The comments of a template, each with the line it annotates and the block that line opens
/// (see [`Comment`]), for suppressions. JSON has no comments: a JSON template has none.
pub fn comments(file: &SourceFile) -> Vec<Comment> {
    if is_json(file) {
        Vec::new()
    } else {
        comments::yaml_comments(file)
    }
}

fn is_json(file: &SourceFile) -> bool {
    let extension = Path::new(&file.path)
        .extension()
        .and_then(|extension| extension.to_str())
        .unwrap_or("");
    if extension.eq_ignore_ascii_case("json") {
        return true;
    }
    // `.template` files are JSON or YAML; a JSON document starts with `{`.
    extension.eq_ignore_ascii_case("template")
        && file
            .text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
}

/// Whether a document is a CloudFormation template: it declares a format version, or its
/// `Resources` hold `Type: AWS::...` entries.
fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    root.get("Resources")
        .and_then(Node::entries)
        .is_some_and(|resources| {
            resources.iter().any(|resource| {
                resource
                    .value
                    .get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|kind| kind.starts_with("AWS::"))
            })
        })
}

fn unit(file: &SourceFile) -> Unit {
    Unit {
        name: file.path.clone(),
        ..Unit::default()
    }
}

/// Analyses one template. `None` when the file is not a CloudFormation template; a file that looks
/// like one but cannot be parsed yields a unit with a [`Problem`].
pub fn analyze(file: &Arc<SourceFile>, options: &Options) -> Option<Unit> {
    let parsed = if is_json(file) {
        tree::parse_json(file.id, &file.text).map_err(|error| ("JSON", error))
    } else {
        tree::parse_yaml(file.id, &file.text).map_err(|error| ("YAML", error))
    };
    let mut document: Document = match parsed {
        Ok(document) => document,
        Err((language, SyntaxError { offset, kind })) => {
            if !(file.text.contains("AWSTemplateFormatVersion") || file.text.contains("AWS::")) {
                return None;
            }
            let mut unit = unit(file);
            unit.problems.push(Problem {
                span: file.span(offset, offset),
                message: format!("invalid {language}: {kind}"),
            });
            return Some(unit);
        }
    };
    if !matches!(document.root.kind, Kind::Map(_)) || !is_template(&document.root) {
        return None;
    }
    let mut unit = unit(file);
    foreach::expand(&mut document.root, &options.parameters);
    let template = eval::Template::new(&document.root, &options.parameters);
    let mut builder = resources::Builder::new(&template);
    builder.build();
    let mut inventory = builder.inventory;
    unit.problems = builder.problems;
    inventory.unresolved.extend(template.scenario_cuts());
    let json = is_json(file);
    inventory.named_cidrs = template
        .cidr_parameters()
        .into_iter()
        .map(|(name, cidr, span)| NamedCidr {
            name: name.to_owned(),
            reference: if json {
                format!("{{\"Ref\": \"{name}\"}}")
            } else {
                format!("!Ref {name}")
            },
            cidr,
            span,
        })
        .collect();
    for duplicate in &document.duplicates {
        let (first, second) = (
            file.location(duplicate.first.start).line,
            file.location(duplicate.second.start).line,
        );
        inventory.unresolved.push(Unresolved {
            subject: format!(
                "the earlier value of duplicate key {} (line {first})",
                duplicate.key
            ),
            reason: format!(
                "CloudFormation keeps the later value (line {second}), and so does this analysis"
            ),
            span: duplicate.first,
        });
    }
    if let Some(transform) = document.root.get("Transform") {
        let names: Vec<&str> = match &transform.kind {
            Kind::Seq(items) => items.iter().filter_map(Node::as_str).collect(),
            _ => transform.as_str().into_iter().collect(),
        };
        for name in names {
            if !name.starts_with("AWS::Serverless") && name != "AWS::LanguageExtensions" {
                inventory.unresolved.push(Unresolved {
                    subject: format!("Transform {name}"),
                    reason: "the macro may change the template at deploy time; it was analysed as written".to_owned(),
                    span: transform.span,
                });
            }
        }
    }
    unit.inventory = inventory;
    Some(unit)
}
