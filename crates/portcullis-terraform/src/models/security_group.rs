//! The offline model of terraform-aws-modules/security-group and its sub-modules
//! (`//modules/ssh`, `//modules/mysql`, ...): from a call's evaluated arguments, the security group
//! and the `aws_security_group_rule`s the module's code would create, at the addresses it would
//! give them, every value pointing at the argument that makes it.
//!
//! Inputs read: `create`, `create_sg`, `security_group_id`, `use_name_prefix`, `name`,
//! `description`, `vpc_id`, `rules`; for ingress and egress, the named rules (`ingress_rules`,
//! `computed_ingress_rules` with `number_of_computed_ingress_rules`), the peers they apply to
//! (`ingress_cidr_blocks`, `ingress_ipv6_cidr_blocks`, `ingress_prefix_list_ids`), and the lists
//! of maps `ingress_with_cidr_blocks`, `ingress_with_ipv6_cidr_blocks`,
//! `ingress_with_source_security_group_id`, `ingress_with_self`, `ingress_with_prefix_list_ids`
//! and their `computed_` forms; in sub-modules, `auto_ingress_rules`, `auto_ingress_with_self`,
//! `auto_egress_rules` and `auto_egress_with_self`.

use std::collections::BTreeMap;

use portcullis_ir::{
    Direction, Inventory, Peer, SecurityGroup, SgRule, Span, Trace, Unresolved, Value,
};
use portcullis_net::{Cidr, Protocol};

use super::ModelCall;
use super::security_group_rules::{self as table, VERSION};
use crate::eval::Key;
use crate::value::{Kind, V};

/// Most rule peers one call of the model produces: rules times peers grow as a product, and
/// the evaluator bounds each list, not the product.
const MAX_PEERS: usize = 1_000_000;

/// One instance of a modelled module call, with its evaluated arguments.
#[derive(Debug)]
pub(crate) struct ModelInstance {
    pub(crate) model: ModelCall,
    /// The call's address with the caller's prefix: `module.web_sg`, `module.a.module.b[0]`.
    pub(crate) address: String,
    pub(crate) instance: Option<Key>,
    /// Arguments other than `source`, `version`, `count`, `for_each`, `providers`, `depends_on`.
    pub(crate) args: BTreeMap<String, V>,
    pub(crate) assumptions: Vec<Trace>,
    pub(crate) span: Span,
    pub(crate) labels_span: Span,
    /// The call's `version` argument, or its `source`: where the model's own values point.
    pub(crate) origin: Span,
}

/// The kinds of rule the module creates, by the name of its `aws_security_group_rule` resource
/// (after the `ingress_`/`egress_` or `computed_ingress_`/`computed_egress_` prefix).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// A list of rule names, applied to the direction's CIDRs and prefix lists.
    Named,
    WithCidrBlocks,
    WithIpv6CidrBlocks,
    WithSourceSecurityGroupId,
    WithSelf,
    WithPrefixListIds,
}

impl Form {
    const ALL: [Self; 6] = [
        Self::Named,
        Self::WithCidrBlocks,
        Self::WithIpv6CidrBlocks,
        Self::WithSourceSecurityGroupId,
        Self::WithSelf,
        Self::WithPrefixListIds,
    ];

    /// `rules`, `with_cidr_blocks`, ...
    fn suffix(self) -> &'static str {
        match self {
            Self::Named => "rules",
            Self::WithCidrBlocks => "with_cidr_blocks",
            Self::WithIpv6CidrBlocks => "with_ipv6_cidr_blocks",
            Self::WithSourceSecurityGroupId => "with_source_security_group_id",
            Self::WithSelf => "with_self",
            Self::WithPrefixListIds => "with_prefix_list_ids",
        }
    }
}

/// A rule's protocol, ports and description.
struct Ports {
    protocol: Value<Protocol>,
    from: Value<i64>,
    to: Value<i64>,
    description: Option<Value<String>>,
}

impl Ports {
    fn unknown(reason: &str, value: &V) -> Self {
        Self {
            protocol: value.convert(|_| Err(reason.to_owned())),
            from: value.convert(|_| Err(reason.to_owned())),
            to: value.convert(|_| Err(reason.to_owned())),
            description: None,
        }
    }
}

impl ModelInstance {
    fn module_name(&self) -> String {
        match &self.model.submodule {
            Some(name) => format!("terraform-aws-modules/security-group//modules/{name}"),
            None => "terraform-aws-modules/security-group".to_owned(),
        }
    }

    /// Where the resources of the module go: the sub-modules call the module as `module.sg`.
    fn prefix(&self) -> String {
        match self.model.submodule {
            Some(_) => format!("{}.module.sg.", self.address),
            None => format!("{}.", self.address),
        }
    }

    /// The note every value the model makes carries.
    fn note(&self) -> String {
        format!(
            "from the offline model of {} v{VERSION} (the module is not installed)",
            self.module_name()
        )
    }

    fn model_trace(&self, detail: &str) -> Trace {
        let note = if detail.is_empty() {
            self.note()
        } else {
            format!("{detail}, {}", self.note())
        };
        Trace::new(self.origin, note)
    }

    /// An argument, or `None` when it is not given (or null: its default applies).
    fn arg(&self, name: &str) -> Option<&V> {
        self.args.get(name).filter(|value| !value.is_null())
    }

    /// A value of the module's own (a default), at the call's `version` or `source`.
    fn own(&self, kind: Kind, what: &str) -> V {
        let mut value = V::new(kind, self.origin);
        value.via.push(self.model_trace(what));
        value
    }

    fn own_list(&self, items: &[&str], what: &str) -> V {
        let items = items
            .iter()
            .map(|item| self.own(Kind::Str((*item).to_owned()), what))
            .collect();
        V::new(Kind::List(items), self.origin)
    }

    /// A flag with its default; an unknown flag is `Err` with the assumption it makes.
    fn flag(&self, name: &str, default: bool) -> Result<bool, Trace> {
        match self.arg(name) {
            None => Ok(default),
            Some(value) => value.to_bool().map_err(|reason| {
                Trace::new(
                    value.span,
                    format!("{name} of {} is unknown: {reason}", self.address),
                )
            }),
        }
    }

    /// A list-valued input as the module sees it: the argument, or the module's default.
    fn list(&self, name: &str) -> V {
        if let Some(value) = self.arg(name) {
            return value.clone();
        }
        let what = format!("default of {name}");
        match name {
            "egress_cidr_blocks" => self.own_list(&["0.0.0.0/0"], &what),
            "egress_ipv6_cidr_blocks" => self.own_list(&["::/0"], &what),
            _ => V::new(Kind::List(Vec::new()), self.origin),
        }
    }

    /// A rule list after a sub-module adds its automatic rules: the named rules sorted and
    /// without repeats, the lists of maps concatenated, as the sub-modules' code does.
    fn input(&self, direction: Direction, form: Form, computed: bool) -> V {
        let name = format!(
            "{}{}_{}",
            if computed { "computed_" } else { "" },
            direction.as_str(),
            form.suffix()
        );
        let given = self.list(&name);
        let Some(group) = &self.model.submodule else {
            return given;
        };
        if computed {
            return given;
        }
        let auto_name = format!("auto_{name}");
        let auto = match self.arg(&auto_name) {
            Some(value) => value.clone(),
            None => {
                let what = format!("default of {auto_name} in //modules/{group}");
                match (direction, form) {
                    (Direction::Ingress, Form::Named) => {
                        self.own_list(table::auto_ingress_rules(group).unwrap_or_default(), &what)
                    }
                    (Direction::Ingress, Form::WithSelf) => {
                        let rule = self.own(Kind::Str("all-all".to_owned()), &what);
                        let map = V::new(
                            Kind::Map(BTreeMap::from([("rule".to_owned(), rule)])),
                            self.origin,
                        );
                        V::new(Kind::List(vec![map]), self.origin)
                    }
                    (Direction::Egress, Form::Named) => self.own_list(&["all-all"], &what),
                    _ => return given,
                }
            }
        };
        let mut items = Vec::new();
        for part in [auto, given] {
            match part.kind {
                Kind::List(list) => items.extend(list),
                _ => items.push(part),
            }
        }
        if form == Form::Named {
            // sort(compact(distinct(...))): known names sorted, unknown ones kept after them.
            let (mut known, unknown): (Vec<V>, Vec<V>) = items
                .into_iter()
                .partition(|item| matches!(item.kind, Kind::Str(_)));
            known.retain(|item| !matches!(&item.kind, Kind::Str(text) if text.is_empty()));
            known.sort_by_key(|item| item.to_text().ok());
            known.dedup_by(|a, b| a.to_text().ok() == b.to_text().ok());
            items = known.into_iter().chain(unknown).collect();
        }
        V::new(Kind::List(items), self.origin)
    }

    /// The group's address, or `None` when the module creates none.
    fn group_address(&self) -> String {
        let resource = match self.flag("use_name_prefix", true) {
            Ok(false) => "this",
            _ => "this_name_prefix",
        };
        format!("{}aws_security_group.{resource}[0]", self.prefix())
    }

    /// A named rule's ports, from the caller's `rules` map when given, else the module's table.
    fn named(&self, name: &V) -> Ports {
        let text = match name.to_text() {
            Ok(text) => text,
            Err(reason) => {
                return Ports::unknown(&format!("the rule name is unknown: {reason}"), name);
            }
        };
        if let Some(rules) = self.arg("rules") {
            return self.named_from(rules, &text, name);
        }
        let Some((from, to, protocol, description)) = table::rule(&text) else {
            return Ports::unknown(
                &format!(
                    "rule {text:?} is not in the rules table of {} v{VERSION}",
                    self.module_name()
                ),
                name,
            );
        };
        let detail = format!("{text:?} = [{from}, {to}, {protocol:?}] in the module's rules table");
        let mut via = name.via.clone();
        via.push(self.model_trace(&detail));
        let port = |value| Value::Known {
            value,
            span: name.span,
            via: via.clone(),
        };
        Ports {
            protocol: Protocol::parse(protocol).map_or_else(
                || Value::unknown("no protocol", name.span),
                |value| Value::Known {
                    value,
                    span: name.span,
                    via: via.clone(),
                },
            ),
            from: port(from),
            to: port(to),
            description: Some(Value::Known {
                value: description.to_owned(),
                span: name.span,
                via: via.clone(),
            }),
        }
    }

    /// A named rule from a `rules` map the caller gives: `name = [from, to, protocol, description]`.
    fn named_from(&self, rules: &V, text: &str, name: &V) -> Ports {
        let entry = match &rules.kind {
            Kind::Map(map) => match map.get(text) {
                Some(entry) => entry,
                None => {
                    return Ports::unknown(
                        &format!("rule {text:?} is not in the rules argument"),
                        name,
                    );
                }
            },
            _ => {
                let reason = rules.unknown_reason().map_or_else(
                    || "the rules argument is not a map".to_owned(),
                    str::to_owned,
                );
                return Ports::unknown(&reason, name);
            }
        };
        let Kind::List(items) = &entry.kind else {
            return Ports::unknown(
                &format!("rule {text:?} of the rules argument is not a list"),
                entry,
            );
        };
        let item = |index: usize| {
            items.get(index).cloned().unwrap_or_else(|| {
                V::unknown(
                    format!("rule {text:?} of the rules argument has no item {index}"),
                    entry.span,
                )
            })
        };
        Ports {
            protocol: item(2).convert(protocol),
            from: item(0).convert(V::to_i64),
            to: item(1).convert(V::to_i64),
            description: item(3).to_value(V::to_text),
        }
    }

    /// The ports of a map of a `with_*` list: its `from_port`, `to_port` and `protocol`, or
    /// those of its `rule`.
    fn mapped(&self, map: &V, entries: &BTreeMap<String, V>, direction: Direction) -> Ports {
        let rule = entries
            .get("rule")
            .filter(|rule| !rule.is_null())
            .map(|rule| self.named(rule));
        let missing = |name: &str| -> Value<i64> {
            Value::unknown(
                format!("{name} is not set and the rule names none (the AWS provider requires it)"),
                map.span,
            )
        };
        let (rule_protocol, rule_from, rule_to) = match rule {
            Some(ports) => (Some(ports.protocol), Some(ports.from), Some(ports.to)),
            None => (None, None, None),
        };
        let number = |name: &str, fallback: Option<Value<i64>>| match entries.get(name) {
            Some(value) if !value.is_null() => value.convert(V::to_i64),
            _ => fallback.unwrap_or_else(|| missing(name)),
        };
        let default_description = match direction {
            Direction::Ingress => "Ingress Rule",
            Direction::Egress => "Egress Rule",
        };
        Ports {
            protocol: match entries.get("protocol") {
                Some(value) if !value.is_null() => value.convert(protocol),
                _ => rule_protocol.unwrap_or_else(|| {
                    Value::unknown(
                        "protocol is not set and the rule names none (the AWS provider requires it)",
                        map.span,
                    )
                }),
            },
            from: number("from_port", rule_from),
            to: number("to_port", rule_to),
            // lookup(m, "description", "Ingress Rule"), not the named rule's description.
            description: entries
                .get("description")
                .and_then(|value| value.to_value(V::to_text))
                .or_else(|| Some(Value::known(default_description.to_owned(), map.span))),
        }
    }

    /// Adds the model's trace to a peer's value, so that findings say where it comes from.
    fn traced<T>(&self, value: Value<T>) -> Value<T> {
        // A default of the module's own already says where it comes from.
        if value.via().iter().any(|trace| trace.span == self.origin) {
            return value;
        }
        value.with_via(vec![self.model_trace("")])
    }

    fn cidrs(&self, value: &V, out: &mut Vec<Peer>) {
        match &value.kind {
            Kind::List(items) => {
                for item in items.iter().filter(|item| !item.is_null()) {
                    out.push(Peer::Cidr(self.traced(item.convert(cidr))));
                }
            }
            _ => out.push(Peer::Cidr(self.traced(value.convert(cidr)))),
        }
    }

    /// `compact(split(",", value))`: a comma-separated string of CIDRs or prefix lists.
    fn split<T>(&self, value: &V, convert: impl Fn(&str) -> Result<T, String>) -> Vec<Value<T>> {
        match value.to_text() {
            Ok(text) => text
                .split(',')
                .filter(|part| !part.is_empty())
                .map(|part| self.traced(value.convert(|_| convert(part))))
                .collect(),
            Err(reason) => vec![self.traced(value.convert(|_| Err(reason)))],
        }
    }

    fn prefix_lists(&self, value: &V, out: &mut Vec<Peer>) {
        match &value.kind {
            Kind::List(items) => {
                for item in items.iter().filter(|item| !item.is_null()) {
                    out.push(Peer::PrefixList(self.traced(item.convert(V::to_text))));
                }
            }
            _ => out.push(Peer::PrefixList(self.traced(value.convert(V::to_text)))),
        }
    }

    /// Who a rule admits, as the module's resource for `form` writes it.
    fn peers(
        &self,
        direction: Direction,
        form: Form,
        entries: Option<&BTreeMap<String, V>>,
    ) -> Vec<Peer> {
        let dir = direction.as_str();
        let cidr_blocks = self.list(&format!("{dir}_cidr_blocks"));
        let ipv6_cidr_blocks = self.list(&format!("{dir}_ipv6_cidr_blocks"));
        let prefix_list_ids = self.list(&format!("{dir}_prefix_list_ids"));
        let entry = |name: &str| {
            entries
                .and_then(|entries| entries.get(name))
                .filter(|value| !value.is_null())
        };
        let mut out = Vec::new();
        match form {
            Form::Named => {
                self.cidrs(&cidr_blocks, &mut out);
                self.cidrs(&ipv6_cidr_blocks, &mut out);
            }
            Form::WithCidrBlocks | Form::WithIpv6CidrBlocks => {
                // The map's own list, else the call's default list of that family.
                let (key, default) = if form == Form::WithCidrBlocks {
                    ("cidr_blocks", &cidr_blocks)
                } else {
                    ("ipv6_cidr_blocks", &ipv6_cidr_blocks)
                };
                match entry(key) {
                    Some(value) => out.extend(
                        self.split(value, portcullis_terraform_core::schema::cidr)
                            .into_iter()
                            .map(Peer::Cidr),
                    ),
                    None => self.cidrs(default, &mut out),
                }
            }
            Form::WithSourceSecurityGroupId => {
                let group = match entry("source_security_group_id") {
                    Some(value) => value.convert(V::to_text),
                    None => Value::unknown(
                        "source_security_group_id is not set",
                        entries
                            .and_then(|entries| entries.values().next())
                            .map_or(self.origin, |value| value.span),
                    ),
                };
                out.push(Peer::SecurityGroup(self.traced(group)));
            }
            Form::WithSelf => match entry("self").map(V::to_bool) {
                Some(Ok(false)) => {}
                Some(Err(reason)) => out.push(Peer::SecurityGroup(Value::unknown(
                    format!("whether self applies is unknown: {reason}"),
                    entry("self").map_or(self.origin, |value| value.span),
                ))),
                _ => out.push(Peer::SelfGroup(
                    entry("self").map_or(self.origin, |value| value.span),
                )),
            },
            Form::WithPrefixListIds => {
                if let Some(value) = entry("prefix_list_ids") {
                    out.extend(
                        self.split(value, |text| Ok(text.to_owned()))
                            .into_iter()
                            .map(Peer::PrefixList),
                    );
                    return out;
                }
            }
        }
        self.prefix_lists(&prefix_list_ids, &mut out);
        out
    }
}

fn protocol(value: &V) -> Result<Protocol, String> {
    portcullis_terraform_core::schema::protocol(&value.to_text()?)
}

fn cidr(value: &V) -> Result<Cidr, String> {
    portcullis_terraform_core::schema::cidr(&value.to_text()?)
}

/// The security group and rules the module would create for one instance of the call.
pub(crate) fn extract(instance: &ModelInstance, inventory: &mut Inventory) {
    let mut assumptions = instance.assumptions.clone();
    match instance.flag("create", true) {
        Ok(false) => return,
        Ok(true) => {}
        Err(trace) => assumptions.push(trace),
    }
    let group = match instance.flag("create_sg", true) {
        Ok(false) => match instance.arg("security_group_id") {
            Some(value) => value.convert(V::to_text),
            None => Value::unknown("security_group_id is not set", instance.labels_span),
        },
        created => {
            let mut group_assumptions = assumptions.clone();
            group_assumptions.extend(created.err());
            let address = instance.group_address();
            let description = match instance.arg("description") {
                Some(value) => value.to_value(V::to_text),
                None => Some(Value::known(
                    "Security Group managed by Terraform".to_owned(),
                    instance.origin,
                )),
            };
            inventory.security_groups.push(SecurityGroup {
                id: address.clone(),
                name: instance
                    .arg("name")
                    .and_then(|value| value.to_value(V::to_text)),
                description,
                vpc: instance
                    .arg("vpc_id")
                    .and_then(|value| value.to_value(V::to_text)),
                is_default: false,
                span: instance.span,
                name_span: instance.labels_span,
                construct_path: None,
                assumptions: group_assumptions,
            });
            Value::known(address, instance.labels_span)
        }
    };
    let prefix = instance.prefix();
    let mut produced = 0_usize;
    for direction in [Direction::Ingress, Direction::Egress] {
        for computed in [false, true] {
            for form in Form::ALL {
                let list = instance.input(direction, form, computed);
                let resource = format!(
                    "{}{}_{}",
                    if computed { "computed_" } else { "" },
                    direction.as_str(),
                    form.suffix()
                );
                let (items, count_assumption) = items(instance, &list, &resource, computed);
                for (index, item) in items.into_iter().enumerate() {
                    let suffix = match &count_assumption {
                        Some(_) => Key::Unknown.suffix(),
                        None => Key::Index(index).suffix(),
                    };
                    let id = format!("{prefix}aws_security_group_rule.{resource}{suffix}");
                    let mut rule_assumptions = assumptions.clone();
                    rule_assumptions.extend(count_assumption.clone());
                    let (ports, peers) = match (form, &item.kind) {
                        (Form::Named, _) => {
                            (instance.named(&item), instance.peers(direction, form, None))
                        }
                        (_, Kind::Map(entries)) => (
                            instance.mapped(&item, entries, direction),
                            instance.peers(direction, form, Some(entries)),
                        ),
                        _ => {
                            let reason = item.unknown_reason().map_or_else(
                                || format!("an item of {resource} is not a map"),
                                str::to_owned,
                            );
                            (
                                Ports::unknown(&reason, &item),
                                vec![Peer::Cidr(
                                    instance.traced(item.convert(|_| Err(reason.clone()))),
                                )],
                            )
                        }
                    };
                    produced = produced.saturating_add(peers.len().max(1));
                    if produced > MAX_PEERS {
                        inventory.unresolved.push(Unresolved {
                            subject: instance.address.clone(),
                            reason: format!(
                                "the offline model of {} stopped after {MAX_PEERS} rule peers; the rest was not analysed",
                                instance.module_name()
                            ),
                            span: instance.labels_span,
                        });
                        return;
                    }
                    inventory.rules.push(SgRule {
                        id: id.clone(),
                        resource: id,
                        group: group.clone(),
                        direction,
                        protocol: ports.protocol,
                        from_port: Some(ports.from),
                        to_port: Some(ports.to),
                        peers,
                        description: ports.description,
                        span: item.span,
                        assumptions: rule_assumptions,
                    });
                }
            }
        }
    }
}

/// The items of a rule list, and the assumption made when their number is unknown. A computed
/// list counts `number_of_computed_...` items, as the module's `count` does.
fn items(
    instance: &ModelInstance,
    list: &V,
    resource: &str,
    computed: bool,
) -> (Vec<V>, Option<Trace>) {
    let mut items = match &list.kind {
        Kind::List(items) => items.clone(),
        _ => {
            let reason = list.unknown_reason().unwrap_or("it is not a list");
            let trace = Trace::new(
                list.span,
                format!(
                    "the number of {resource} of {} is unknown: {reason}",
                    instance.address
                ),
            );
            return (vec![list.clone()], Some(trace));
        }
    };
    if !computed {
        return (items, None);
    }
    let number_name = format!("number_of_{resource}");
    match instance.arg(&number_name).map(V::to_i64) {
        None => (Vec::new(), None),
        Some(Ok(number)) => {
            items.truncate(usize::try_from(number.max(0)).unwrap_or(0));
            (items, None)
        }
        Some(Err(reason)) => {
            let span = instance
                .arg(&number_name)
                .map_or(instance.origin, |value| value.span);
            let trace = Trace::new(
                span,
                format!("{number_name} of {} is unknown: {reason}", instance.address),
            );
            (items, Some(trace))
        }
    }
}

/// An output of a modelled call: the group's id, name and VPC as the module's outputs give them.
pub(crate) fn output(instance: &ModelInstance, name: &str, span: Span) -> V {
    let from_arg = |arg: &str| {
        instance.arg(arg).map_or_else(
            || V::unknown(format!("{arg} of {} is not set", instance.address), span),
            |value| {
                value
                    .clone()
                    .through(span, &format!("{arg} of {} (modelled)", instance.address))
            },
        )
    };
    let creates = instance.flag("create", true).unwrap_or(true);
    match name {
        "security_group_id" if !creates => V::str("", span),
        "security_group_id" => match instance.flag("create_sg", true) {
            Ok(false) => from_arg("security_group_id"),
            _ => V::str(instance.group_address(), span),
        },
        "security_group_vpc_id" => from_arg("vpc_id"),
        "security_group_name" if matches!(instance.flag("use_name_prefix", true), Ok(false)) => {
            from_arg("name")
        }
        _ => V::unknown(
            format!(
                "output {name} of {} is not known to the offline model of {}",
                instance.address,
                instance.module_name()
            ),
            span,
        ),
    }
}
