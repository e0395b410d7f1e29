//! `Fn::ForEach` (the `AWS::LanguageExtensions` transform): a loop in `Resources` is replaced by the
//! resources it makes before anything else reads the template, so that they are analysed, named and
//! referenced like written ones.
//!
//! ```yaml
//! Fn::ForEach::AdminPorts:
//!   - Port                       # the identifier
//!   - ["22", "3389"]             # the collection: a list of strings, or !Ref to a list parameter
//!   - Admin${Port}:              # the output key, with ${Port} or &{Port} (alphanumerics only)
//!       Type: AWS::EC2::SecurityGroupIngress
//!       Properties: {FromPort: !Ref Port, ...}
//! ```
//!
//! In each copy, `!Ref Port` becomes the element (located at the element in the collection) and
//! `${Port}` in `Fn::Sub` strings is replaced; loops nest. A loop whose collection is not known
//! before deployment stays in place, and the analysis reports it as not analysed.

use std::collections::BTreeMap;

use crate::tree::{Entry, Kind, Node};

const PREFIX: &str = "Fn::ForEach::";

/// Nodes all loops of a template may copy, against a long loop over a large body: past it, the
/// loop stays in place and is reported as not analysed.
const MAX_NODES_COPIED: usize = 1_000_000;

/// Expands the loops of `Resources`. `given` holds the parameter values of the command line.
pub fn expand(root: &mut Node, given: &[(String, String)]) {
    let lists = list_parameters(root, given);
    let Kind::Map(sections) = &mut root.kind else {
        return;
    };
    let Some(resources) = sections
        .iter_mut()
        .find(|section| section.key == "Resources")
    else {
        return;
    };
    let Kind::Map(entries) = &mut resources.value.kind else {
        return;
    };
    let mut budget = MAX_NODES_COPIED;
    let mut expanded = Vec::with_capacity(entries.len());
    for entry in std::mem::take(entries) {
        if entry.key.starts_with(PREFIX) {
            match expand_loop(&entry, &lists, &mut budget) {
                Some(made) => expanded.extend(made),
                None => expanded.push(entry),
            }
        } else {
            expanded.push(entry);
        }
    }
    *entries = expanded;
}

/// The values of list parameters (`CommaDelimitedList`, `List<...>`): given, else the default.
fn list_parameters(root: &Node, given: &[(String, String)]) -> BTreeMap<String, Vec<Node>> {
    let Some(parameters) = root.get("Parameters").and_then(Node::entries) else {
        return BTreeMap::new();
    };
    parameters
        .iter()
        .filter(|entry| {
            entry
                .value
                .get("Type")
                .and_then(Node::as_str)
                .is_some_and(|kind| kind == "CommaDelimitedList" || kind.starts_with("List<"))
        })
        .filter_map(|entry| {
            let (text, span) = match given.iter().rev().find(|(name, _)| *name == entry.key) {
                Some((_, value)) => (value.clone(), entry.key_span),
                None => {
                    let default = entry.value.get("Default")?;
                    (default.as_str()?.to_owned(), default.span)
                }
            };
            let items = text
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| Node {
                    span,
                    kind: Kind::Scalar(item.to_owned()),
                })
                .collect();
            Some((entry.key.clone(), items))
        })
        .collect()
}

/// The entries one loop makes, loops inside it included; `None` when it cannot be expanded.
fn expand_loop(
    entry: &Entry,
    lists: &BTreeMap<String, Vec<Node>>,
    budget: &mut usize,
) -> Option<Vec<Entry>> {
    let Kind::Seq(parts) = &entry.value.kind else {
        return None;
    };
    let [identifier, collection, output] = parts.as_slice() else {
        return None;
    };
    let identifier = identifier.as_str()?;
    let elements: Vec<Node> = match &collection.kind {
        Kind::Seq(items) => items.clone(),
        Kind::Map(_) => {
            let target = collection.get("Ref")?.as_str()?;
            lists.get(target)?.clone()
        }
        _ => return None,
    };
    if elements.iter().any(|element| element.as_str().is_none()) {
        return None;
    }
    let templates: Vec<(&Entry, usize)> = output
        .entries()?
        .iter()
        .map(|template| (template, count_nodes(&template.value)))
        .collect();
    let mut made = Vec::new();
    for element in &elements {
        let value = element.as_str()?;
        for &(template, cost) in &templates {
            *budget = budget.checked_sub(cost)?;
            let key = substitute_key(&template.key, identifier, value);
            if key.starts_with(PREFIX) {
                let body = bind_inner_loop(&template.value, identifier, value, element);
                made.extend(expand_loop(
                    &Entry {
                        key,
                        key_span: template.key_span,
                        value: body,
                    },
                    lists,
                    budget,
                )?);
            } else {
                made.push(Entry {
                    key,
                    key_span: template.key_span,
                    value: bind(&template.value, identifier, value, element),
                });
            }
        }
    }
    Some(made)
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.kind {
        Kind::Seq(items) => items.iter().map(count_nodes).sum(),
        Kind::Map(entries) => entries.iter().map(|entry| count_nodes(&entry.value)).sum(),
        Kind::Null | Kind::Scalar(_) => 0,
    }
}

/// `${id}` and `&{id}` (the element without its non-alphanumeric characters) in an output key.
fn substitute_key(key: &str, identifier: &str, value: &str) -> String {
    let alphanumeric: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
    key.replace(&format!("${{{identifier}}}"), value)
        .replace(&format!("&{{{identifier}}}"), &alphanumeric)
}

/// A copy of `node` with the loop's identifier bound to `value`.
fn bind(node: &Node, identifier: &str, value: &str, element: &Node) -> Node {
    if let Some(intrinsic) = node.single_entry() {
        if intrinsic.key == "Ref" && intrinsic.value.as_str() == Some(identifier) {
            return Node {
                span: element.span,
                kind: Kind::Scalar(value.to_owned()),
            };
        }
        if intrinsic.key == "Fn::Sub" {
            let pattern = format!("${{{identifier}}}");
            let substituted = |text: &Node| Node {
                span: text.span,
                kind: Kind::Scalar(text.as_str().unwrap_or_default().replace(&pattern, value)),
            };
            let argument = match &intrinsic.value.kind {
                Kind::Scalar(_) => substituted(&intrinsic.value),
                Kind::Seq(items) => Node {
                    span: intrinsic.value.span,
                    kind: Kind::Seq(
                        items
                            .iter()
                            .enumerate()
                            .map(|(index, item)| match (index, &item.kind) {
                                (0, Kind::Scalar(_)) => substituted(item),
                                _ => bind(item, identifier, value, element),
                            })
                            .collect(),
                    ),
                },
                _ => bind(&intrinsic.value, identifier, value, element),
            };
            return Node {
                span: node.span,
                kind: Kind::Map(vec![Entry {
                    key: intrinsic.key.clone(),
                    key_span: intrinsic.key_span,
                    value: argument,
                }]),
            };
        }
    }
    let kind = match &node.kind {
        Kind::Seq(items) => Kind::Seq(
            items
                .iter()
                .map(|item| bind(item, identifier, value, element))
                .collect(),
        ),
        Kind::Map(entries) => Kind::Map(
            entries
                .iter()
                .map(|entry| Entry {
                    key: entry.key.clone(),
                    key_span: entry.key_span,
                    value: if entry.key.starts_with(PREFIX) {
                        bind_inner_loop(&entry.value, identifier, value, element)
                    } else {
                        bind(&entry.value, identifier, value, element)
                    },
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        span: node.span,
        kind,
    }
}

/// A loop inside a loop: its output keys may name the outer identifier too.
fn bind_inner_loop(node: &Node, identifier: &str, value: &str, element: &Node) -> Node {
    let bound = bind(node, identifier, value, element);
    let Kind::Seq(mut parts) = bound.kind else {
        return bound;
    };
    if let Some(Node {
        kind: Kind::Map(outputs),
        ..
    }) = parts.get_mut(2)
    {
        for output in outputs {
            output.key = substitute_key(&output.key, identifier, value);
        }
    }
    Node {
        span: bound.span,
        kind: Kind::Seq(parts),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use portcullis_ir::FileId;

    fn expanded(yaml: &str, given: &[(String, String)]) -> Vec<(String, String)> {
        let mut document = crate::tree::parse_yaml(FileId(0), yaml).unwrap();
        expand(&mut document.root, given);
        document
            .root
            .get("Resources")
            .and_then(Node::entries)
            .unwrap()
            .iter()
            .map(|entry| {
                let port = entry
                    .value
                    .get("Properties")
                    .and_then(|properties| properties.get("FromPort"))
                    .and_then(Node::as_str)
                    .unwrap_or("-");
                (entry.key.clone(), port.to_owned())
            })
            .collect()
    }

    const LOOP: &str = "Parameters:\n  Ports:\n    Type: CommaDelimitedList\n    Default: \"22, 80\"\nResources:\n  Fn::ForEach::Rules:\n    - Port\n    - !Ref Ports\n    - Rule${Port}:\n        Type: AWS::EC2::SecurityGroupIngress\n        Properties:\n          FromPort: !Ref Port\n  Other:\n    Type: AWS::S3::Bucket\n";

    #[test]
    fn a_loop_over_a_list_parameter_makes_one_resource_per_element_in_place() {
        let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
            items
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect()
        };
        assert_eq!(
            expanded(LOOP, &[]),
            pairs(&[("Rule22", "22"), ("Rule80", "80"), ("Other", "-")])
        );
        // A value given on the command line wins over the default.
        assert_eq!(
            expanded(LOOP, &[("Ports".to_owned(), "3389".to_owned())]),
            pairs(&[("Rule3389", "3389"), ("Other", "-")])
        );
    }

    #[test]
    fn output_keys_keep_only_alphanumerics_with_the_ampersand_form() {
        let yaml = "Resources:\n  Fn::ForEach::Envs:\n    - Env\n    - [prod-eu, test]\n    - Sg&{Env}:\n        Type: AWS::EC2::SecurityGroup\n      Sg${Env}Copy:\n        Type: AWS::EC2::SecurityGroup\n";
        let keys: Vec<String> = expanded(yaml, &[])
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        assert_eq!(keys, ["Sgprodeu", "Sgprod-euCopy", "Sgtest", "SgtestCopy"]);
    }

    #[test]
    fn loops_that_cannot_be_expanded_stay_in_place() {
        for collection in ["!GetAZs \"\"", "!Ref NotAParameter", "[[nested], x]"] {
            let yaml = format!(
                "Resources:\n  Fn::ForEach::X:\n    - Id\n    - {collection}\n    - R${{Id}}:\n        Type: AWS::EC2::SecurityGroup\n"
            );
            let keys: Vec<String> = expanded(&yaml, &[])
                .into_iter()
                .map(|(key, _)| key)
                .collect();
            assert_eq!(keys, ["Fn::ForEach::X"], "{collection}");
        }
        // Too many copies: the loop stays, reported rather than half expanded.
        let many: Vec<String> = (0..2_000).map(|index| index.to_string()).collect();
        let yaml = format!(
            "Resources:\n  Fn::ForEach::X:\n    - Id\n    - [{}]\n    - R${{Id}}:\n        Type: AWS::EC2::SecurityGroup\n      Fn::ForEach::Y:\n        - Inner\n        - [{}]\n        - R${{Id}}x${{Inner}}:\n            Type: AWS::EC2::SecurityGroup\n",
            many.join(", "),
            many.join(", ")
        );
        let keys: Vec<String> = expanded(&yaml, &[])
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        assert_eq!(keys, ["Fn::ForEach::X"]);
    }
}
