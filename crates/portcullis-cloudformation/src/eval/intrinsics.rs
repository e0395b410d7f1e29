//! Values: `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`,
//! `Fn::FindInMap`, `Fn::If` and the condition functions, evaluated where their inputs are known.

use portcullis_ir::{Span, Trace};

use super::conditions::if_parts;
use super::template::{MAX_EVAL_DEPTH, Template, World};
use super::value::Ev;
use crate::ids::default_group_id;
use crate::scenario::Assignment;
use crate::tree::{Entry, Kind, Node};

impl Template<'_> {
    pub fn eval(&self, node: &Node, world: &World, depth: usize) -> Ev {
        if depth > MAX_EVAL_DEPTH {
            return Ev::unknown("the expression is nested too deeply to evaluate", node.span);
        }
        match &node.kind {
            Kind::Null => Ev::Null(node.span),
            Kind::Scalar(text) => Ev::Str {
                value: text.clone(),
                span: node.span,
                via: Vec::new(),
            },
            Kind::Seq(items) => Ev::List {
                items: items
                    .iter()
                    .map(|item| self.eval(item, world, depth + 1))
                    .filter(|item| !matches!(item, Ev::NoValue(_)))
                    .collect(),
                span: node.span,
            },
            Kind::Map(entries) => {
                if let [entry] = entries.as_slice()
                    && (entry.key == "Ref"
                        || entry.key == "Condition"
                        || entry.key.starts_with("Fn::"))
                {
                    return self.intrinsic(node, entry, world, depth + 1);
                }
                Ev::Map {
                    entries: entries
                        .iter()
                        .map(|entry| (entry.key.clone(), self.eval(&entry.value, world, depth + 1)))
                        .filter(|(_, value)| !matches!(value, Ev::NoValue(_)))
                        .collect(),
                    span: node.span,
                }
            }
        }
    }

    fn reference(&self, name: &str, span: Span) -> Ev {
        if let Some(param) = self.params.get(name) {
            return param.reference(name, span);
        }
        if name == "AWS::NoValue" {
            return Ev::NoValue(span);
        }
        if let Some(value) = self.pseudo.get(name) {
            return Ev::Str {
                value: value.clone(),
                span,
                via: Vec::new(),
            };
        }
        if name.starts_with("AWS::") {
            return Ev::unknown(
                format!("pseudo parameter {name} is known only at deploy time"),
                span,
            );
        }
        if self.resource(name).is_some() {
            // A resource's Ref is its physical id; the IR names resources by logical id.
            return Ev::Str {
                value: name.to_owned(),
                span,
                via: Vec::new(),
            };
        }
        Ev::unknown(
            format!("the template declares no parameter or resource {name} (Ref)"),
            span,
        )
    }

    fn get_att(
        &self,
        target: &str,
        attribute: &str,
        span: Span,
        world: &World,
        depth: usize,
    ) -> Ev {
        let kind = self.resource_type(target);
        let property = match (kind, attribute) {
            (Some("AWS::EC2::SecurityGroup"), "GroupId") => {
                return Ev::Str {
                    value: target.to_owned(),
                    span,
                    via: Vec::new(),
                };
            }
            (Some("AWS::EC2::VPC"), "DefaultSecurityGroup") => {
                return Ev::Str {
                    value: default_group_id(target),
                    span,
                    via: Vec::new(),
                };
            }
            (Some("AWS::EC2::SecurityGroup"), "VpcId") => Some("VpcId"),
            (Some("AWS::EC2::VPC" | "AWS::EC2::Subnet"), "CidrBlock") => Some("CidrBlock"),
            (Some("AWS::EC2::Subnet"), "VpcId") => Some("VpcId"),
            _ => None,
        };
        let value = property.and_then(|property| {
            let node = self
                .resource(target)?
                .value
                .get("Properties")?
                .get(property)?;
            let trace = Trace::new(node.span, format!("{property} of {target}"));
            Some(self.eval(node, world, depth + 1).at(span, Some(trace)))
        });
        value.unwrap_or_else(|| {
            Ev::unknown(
                format!("Fn::GetAtt {target}.{attribute} is known only after deployment"),
                span,
            )
        })
    }

    fn intrinsic(&self, node: &Node, entry: &Entry, world: &World, depth: usize) -> Ev {
        let span = node.span;
        let arg = &entry.value;
        let args = match &arg.kind {
            Kind::Seq(items) => items.as_slice(),
            _ => std::slice::from_ref(arg),
        };
        let name = entry.key.as_str();
        let string = |node: &Node| -> Result<String, Ev> {
            match self.eval(node, world, depth + 1) {
                Ev::Str { value, .. } => Ok(value),
                Ev::Unknown { reason, via, .. } => Err(Ev::Unknown { reason, span, via }),
                _ => Err(Ev::unknown(
                    format!("an argument of {name} is not a string"),
                    span,
                )),
            }
        };
        match name {
            "Ref" => match arg.as_str() {
                Some(target) => self.reference(target, span),
                None => Ev::unknown("Ref needs a name", span),
            },
            "Fn::GetAtt" => {
                let parts: Option<(String, String)> = match &arg.kind {
                    Kind::Scalar(text) => text
                        .split_once('.')
                        .map(|(a, b)| (a.to_owned(), b.to_owned())),
                    Kind::Seq(items) => match items.as_slice() {
                        [target, attribute] => target
                            .as_str()
                            .map(str::to_owned)
                            .zip(string(attribute).ok()),
                        _ => None,
                    },
                    _ => None,
                };
                match parts {
                    Some((target, attribute)) => {
                        self.get_att(&target, &attribute, span, world, depth)
                    }
                    None => Ev::unknown("Fn::GetAtt needs a resource and an attribute", span),
                }
            }
            "Fn::If" => match if_parts(arg) {
                Some((condition, then, otherwise)) => {
                    let Some(condition) = condition.as_str() else {
                        return Ev::unknown("Fn::If needs a condition name", span);
                    };
                    match self.decide(condition, world) {
                        Some(true) => self.eval(then, world, depth + 1),
                        Some(false) => self.eval(otherwise, world, depth + 1),
                        None => Ev::unknown(
                            format!("condition {condition} is known only at deploy time (Fn::If)"),
                            span,
                        ),
                    }
                }
                None => Ev::unknown("Fn::If needs a condition and two values", span),
            },
            "Condition" | "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" => {
                match self.test(node, &Assignment::new(), depth) {
                    Some(value) => Ev::Str {
                        value: value.to_string(),
                        span,
                        via: Vec::new(),
                    },
                    None => Ev::unknown(
                        format!("{name} depends on values known only at deploy time"),
                        span,
                    ),
                }
            }
            "Fn::Sub" => self.sub(args, span, world, depth),
            "Fn::Join" => {
                let [delimiter, list] = args else {
                    return Ev::unknown("Fn::Join needs a delimiter and a list", span);
                };
                let delimiter = match string(delimiter) {
                    Ok(delimiter) => delimiter,
                    Err(unknown) => return unknown,
                };
                match self.eval(list, world, depth + 1) {
                    Ev::List { items, .. } => {
                        let mut parts = Vec::new();
                        let mut via = Vec::new();
                        for item in items {
                            match item {
                                Ev::Str {
                                    value, via: from, ..
                                } => {
                                    parts.push(value);
                                    via.extend(from);
                                }
                                Ev::Unknown { reason, via, .. } => {
                                    return Ev::Unknown { reason, span, via };
                                }
                                _ => {
                                    return Ev::unknown(
                                        "an element of the list is not a string (Fn::Join)",
                                        span,
                                    );
                                }
                            }
                        }
                        Ev::Str {
                            value: parts.join(&delimiter),
                            span,
                            via,
                        }
                    }
                    Ev::Unknown { reason, via, .. } => Ev::Unknown { reason, span, via },
                    _ => Ev::unknown("Fn::Join needs a list", span),
                }
            }
            "Fn::Select" => {
                let [index, list] = args else {
                    return Ev::unknown("Fn::Select needs an index and a list", span);
                };
                let index = match string(index) {
                    Ok(index) => index,
                    Err(unknown) => return unknown,
                };
                let Ok(index) = index.trim().parse::<usize>() else {
                    return Ev::unknown(format!("`{index}` is not an index (Fn::Select)"), span);
                };
                match self.eval(list, world, depth + 1) {
                    Ev::List { mut items, .. } if index < items.len() => items.swap_remove(index),
                    Ev::List { .. } => {
                        Ev::unknown(format!("index {index} is out of range (Fn::Select)"), span)
                    }
                    Ev::Unknown { reason, via, .. } => Ev::Unknown { reason, span, via },
                    _ => Ev::unknown("Fn::Select needs a list", span),
                }
            }
            "Fn::Split" => {
                let [delimiter, text] = args else {
                    return Ev::unknown("Fn::Split needs a delimiter and a string", span);
                };
                let delimiter = match string(delimiter) {
                    Ok(delimiter) if !delimiter.is_empty() => delimiter,
                    Ok(_) => return Ev::unknown("the delimiter is empty (Fn::Split)", span),
                    Err(unknown) => return unknown,
                };
                match self.eval(text, world, depth + 1) {
                    Ev::Str { value, via, .. } => Ev::List {
                        items: value
                            .split(delimiter.as_str())
                            .map(|part| Ev::Str {
                                value: part.to_owned(),
                                span,
                                via: via.clone(),
                            })
                            .collect(),
                        span,
                    },
                    Ev::Unknown { reason, via, .. } => Ev::Unknown { reason, span, via },
                    _ => Ev::unknown("Fn::Split needs a string", span),
                }
            }
            "Fn::FindInMap" => self.find_in_map(args, span, world, depth),
            "Fn::ImportValue" => {
                // The export's name as evaluated, else a `!Sub` name as written.
                let export = string(arg).ok().or_else(|| {
                    let sub = arg.get("Fn::Sub")?;
                    match &sub.kind {
                        Kind::Seq(items) => items.first()?.as_str(),
                        _ => sub.as_str(),
                    }
                    .map(str::to_owned)
                });
                let reason = match export {
                    Some(export) => {
                        format!("imported from another stack's export `{export}` (Fn::ImportValue)")
                    }
                    None => "imported from another stack's export (Fn::ImportValue)".to_owned(),
                };
                Ev::unknown(reason, span)
            }
            "Fn::GetAZs" => Ev::unknown("Fn::GetAZs is known only at deploy time", span),
            other => Ev::unknown(format!("{other} is not evaluated"), span),
        }
    }

    fn find_in_map(&self, args: &[Node], span: Span, world: &World, depth: usize) -> Ev {
        let (keys, default) = match args {
            [a, b, c] => ([a, b, c], None),
            [a, b, c, d] => ([a, b, c], d.get("DefaultValue")),
            _ => return Ev::unknown("Fn::FindInMap needs a map and two keys", span),
        };
        // A key known only at deploy time (`AWS::Region`) matches every entry.
        let mut names: Vec<Option<String>> = Vec::new();
        let mut unknown_key = None;
        for key in keys {
            match self.eval(key, world, depth + 1) {
                Ev::Str { value, .. } => names.push(Some(value)),
                Ev::Unknown { reason, via, .. } => {
                    unknown_key.get_or_insert(Ev::Unknown {
                        reason: format!("a key of Fn::FindInMap is unknown: {reason}"),
                        span,
                        via,
                    });
                    names.push(None);
                }
                _ => return Ev::unknown("a key is not a string (Fn::FindInMap)", span),
            }
        }
        let mut found: Vec<&Node> = self.root.get("Mappings").into_iter().collect();
        for name in &names {
            found = found
                .into_iter()
                .flat_map(|node| match name {
                    Some(name) => node.get(name).into_iter().collect::<Vec<_>>(),
                    None => node
                        .entries()
                        .unwrap_or(&[])
                        .iter()
                        .map(|e| &e.value)
                        .collect(),
                })
                .collect();
        }
        let shown = names
            .iter()
            .map(|name| name.as_deref().unwrap_or("*"))
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(unknown) = unknown_key {
            let mut texts = found.iter().map(|node| node.as_str());
            let first = texts.next().flatten();
            return match (first, found.first()) {
                (Some(text), Some(node)) if texts.all(|other| other == Some(text)) => Ev::Str {
                    value: text.to_owned(),
                    span,
                    via: vec![Trace::new(
                        node.span,
                        format!("Mappings {shown}: every entry holds this value"),
                    )],
                },
                _ => unknown,
            };
        }
        match (found.first(), default) {
            (Some(value), _) => {
                let trace = Trace::new(value.span, format!("Mappings {shown}"));
                self.eval(value, world, depth + 1).at(span, Some(trace))
            }
            (None, Some(default)) => self.eval(default, world, depth + 1),
            (None, None) => Ev::unknown(format!("Mappings has no {shown} (Fn::FindInMap)"), span),
        }
    }

    fn sub(&self, args: &[Node], span: Span, world: &World, depth: usize) -> Ev {
        let (template, variables) = match args {
            [template] => (template, None),
            [template, variables] => (template, Some(variables)),
            _ => return Ev::unknown("Fn::Sub needs a string and optional variables", span),
        };
        let Some(template) = template.as_str() else {
            return Ev::unknown("Fn::Sub needs a string", span);
        };
        let mut out = String::new();
        let mut via = Vec::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = after[..end].trim();
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let value = match variables.and_then(|variables| variables.get(name)) {
                Some(node) => self.eval(node, world, depth + 1),
                None => match name.split_once('.') {
                    Some((target, attribute)) if self.resource(target).is_some() => {
                        self.get_att(target, attribute, span, world, depth + 1)
                    }
                    _ => self.reference(name, span),
                },
            };
            match value {
                Ev::Str {
                    value, via: from, ..
                } => {
                    out.push_str(&value);
                    via.extend(from);
                }
                Ev::Unknown { reason, via, .. } => {
                    return Ev::Unknown {
                        reason: format!("${{{name}}} of Fn::Sub is unknown: {reason}"),
                        span,
                        via,
                    };
                }
                _ => return Ev::unknown(format!("Fn::Sub ${{{name}}} is not a string"), span),
            }
        }
        out.push_str(rest);
        Ev::Str {
            value: out,
            span,
            via,
        }
    }
}
