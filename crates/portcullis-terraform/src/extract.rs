//! From evaluated module instances to the IR: security groups and their rules, NACLs,
//! attachments, VPCs, subnets, named CIDRs and what could not be followed.

use crate::schema::{AttachmentSpec, Links, Reach, attachment_spec};
use std::collections::BTreeMap;

use portcullis_ir::{
    Attachment, Direction, Inventory, Listener, NaclAction, NaclAssociation, NaclEntry, NamedCidr,
    NetworkAcl, Peer, Reachability, SecurityGroup, SgRule, Span, Subnet, Trace, Unresolved, Value,
    Vpc,
};
use portcullis_net::{Cidr, Protocol};

use crate::eval::{Children, Ctx, Env, Frame, Key, iterate};
use crate::syntax::{Block, Body};
use crate::value::{Kind, V};

/// The attributes of a rule statement, from a block (evaluated on demand) or an object value.
enum Fields<'c, 'a> {
    Body {
        ctx: &'c Ctx<'a>,
        body: Body<'c>,
        frame: Frame,
    },
    Map(BTreeMap<String, V>),
}

impl Fields<'_, '_> {
    /// The attribute's value; `None` when absent or null.
    fn get(&self, name: &str) -> Option<V> {
        let value = match self {
            Self::Body { ctx, body, frame } => ctx.eval(body.attr(name)?.expr, frame),
            Self::Map(map) => map.get(name)?.clone(),
        };
        (!value.is_null()).then_some(value)
    }

    /// The nested blocks `outer` (static or dynamic), or the objects of an attribute `outer`.
    fn nested(&self, outer: &str) -> Vec<Self> {
        match self {
            Self::Body { ctx, body, frame } => {
                let blocks = block_instances(ctx, *body, frame, outer);
                if blocks.is_empty() {
                    return self.get(outer).map(object_fields).unwrap_or_default();
                }
                blocks
                    .into_iter()
                    .map(|instance| Self::Body {
                        ctx,
                        body: instance.body,
                        frame: instance.frame,
                    })
                    .collect()
            }
            Self::Map(_) => self.get(outer).map(object_fields).unwrap_or_default(),
        }
    }

    /// An attribute path such as `vpc_config.security_group_ids`, over every nested block.
    fn path(&self, path: &str) -> Vec<V> {
        match path.split_once('.') {
            None => self.get(path).into_iter().collect(),
            Some((outer, rest)) => self
                .nested(outer)
                .iter()
                .flat_map(|inner| inner.path(rest))
                .collect(),
        }
    }
}

fn object_fields<'c, 'a>(value: V) -> Vec<Fields<'c, 'a>> {
    match value.kind {
        Kind::Map(map) => vec![Fields::Map(map)],
        Kind::List(items) => items
            .into_iter()
            .filter_map(|item| match item.kind {
                Kind::Map(map) => Some(Fields::Map(map)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A block that may come from `dynamic`: its body, bindings, span and assumptions.
struct BlockInstance<'c> {
    body: Body<'c>,
    frame: Frame,
    span: Span,
    order: u32,
    assumptions: Vec<Trace>,
}

/// Static blocks named `ident` and the blocks `dynamic "ident"` generates, in source order.
fn block_instances<'c>(
    ctx: &Ctx<'_>,
    body: Body<'c>,
    frame: &Frame,
    ident: &str,
) -> Vec<BlockInstance<'c>> {
    let mut out: Vec<BlockInstance<'c>> = body
        .blocks_named(ident)
        .into_iter()
        .map(|block| BlockInstance {
            body: block.body,
            frame: frame.clone(),
            span: block.span,
            order: block.span.start,
            assumptions: Vec::new(),
        })
        .collect();
    for dynamic in body
        .blocks_named("dynamic")
        .into_iter()
        .filter(|block| block.label(0) == ident)
    {
        let Some(content) = dynamic.body.blocks_named("content").into_iter().next() else {
            continue;
        };
        let iterator = dynamic
            .body
            .attr("iterator")
            .and_then(|attr| attr.expr.as_ident())
            .unwrap_or(ident);
        let Some(for_each) = dynamic.body.attr("for_each") else {
            continue;
        };
        let collection = ctx.eval(for_each.expr, frame);
        let bind = |key: V, value: V| {
            let mut map = BTreeMap::new();
            map.insert("key".to_owned(), key);
            map.insert("value".to_owned(), value);
            frame.with(iterator, V::new(Kind::Map(map), for_each.expr.span()))
        };
        match iterate(&collection) {
            Ok(items) => {
                for (key, value) in items {
                    out.push(BlockInstance {
                        body: content.body,
                        frame: bind(key, value),
                        span: content.span,
                        order: dynamic.span.start,
                        assumptions: Vec::new(),
                    });
                }
            }
            Err(reason) => {
                let unknown = V::unknown(reason.clone(), for_each.expr.span());
                out.push(BlockInstance {
                    body: content.body,
                    frame: bind(unknown.clone(), unknown),
                    span: content.span,
                    order: dynamic.span.start,
                    assumptions: vec![Trace::new(for_each.expr.span(), format!("for_each of dynamic \"{ident}\" is unknown ({reason}); one block is assumed"))],
                });
            }
        }
    }
    out.sort_by_key(|instance| instance.order);
    out
}

fn text(value: &V) -> Result<String, String> {
    value.to_text()
}

fn protocol(value: &V) -> Result<Protocol, String> {
    let text = value.to_text()?;
    Protocol::parse(&text).ok_or_else(|| format!("`{text}` is not a protocol"))
}

fn cidr(value: &V) -> Result<Cidr, String> {
    let text = value.to_text()?;
    Cidr::parse(&text).map_err(|error| error.0)
}

/// The elements of a list-valued attribute, or the value itself for a single-valued one. A
/// whole unknown list stays one unknown element at the expression.
fn elements(value: V) -> Vec<V> {
    match value.kind {
        Kind::List(items) => items.into_iter().filter(|item| !item.is_null()).collect(),
        _ => vec![value],
    }
}

fn strings_of(values: Vec<V>) -> Vec<Value<String>> {
    values
        .into_iter()
        .flat_map(elements)
        .filter_map(|item| item.to_value(text))
        .collect()
}

fn unknown_required(name: &str, span: Span) -> Value<String> {
    Value::unknown(format!("{name} is not set"), span)
}

/// A rule or NACL entry as the AWS provider validates it. What the provider would reject (an
/// attribute it requires that is missing or null, a value of the wrong type) becomes an unknown
/// naming the attribute and a problem saying how it is analysed; a value that is only unknown
/// (an unset variable, a computed attribute) is neither.
struct Statement<'e> {
    env: &'e Env,
    /// The statement in messages: `aws_security_group.web ingress`, `aws_security_group_rule.ssh`.
    subject: String,
    /// The block or object, where a missing attribute is reported.
    span: Span,
}

impl Statement<'_> {
    fn report(&self, span: Span, reason: &str, analysed_as: &str) {
        self.env.problem(
            span,
            format!("{}: {reason}; analysed as {analysed_as}", self.subject),
        );
    }

    /// A required attribute's value, or why it is missing (reported).
    fn required(
        &self,
        fields: &Fields<'_, '_>,
        name: &str,
        analysed_as: &str,
    ) -> Result<V, String> {
        self.required_because(fields, name, "", analysed_as)
    }

    /// As [`Self::required`], with the condition that makes it required (` with ip_protocol tcp`).
    fn required_because(
        &self,
        fields: &Fields<'_, '_>,
        name: &str,
        condition: &str,
        analysed_as: &str,
    ) -> Result<V, String> {
        fields.get(name).ok_or_else(|| {
            let reason = format!("`{name}` is missing (the AWS provider requires it{condition})");
            self.report(self.span, &reason, analysed_as);
            reason
        })
    }

    /// A required attribute converted, or an unknown at the statement when it is missing.
    fn required_value<T>(
        &self,
        fields: &Fields<'_, '_>,
        name: &str,
        analysed_as: &str,
        convert: impl FnOnce(&V) -> Result<T, String>,
    ) -> Value<T> {
        match self.required(fields, name, analysed_as) {
            Ok(value) => value.convert(convert),
            Err(reason) => Value::unknown(reason, self.span),
        }
    }

    /// A port (or ICMP type or code, or rule number); a value of the wrong type is reported.
    fn number(&self, name: &str, value: &V, analysed_as: &str) -> Value<i64> {
        match value.to_i64() {
            Ok(number) => value.convert(|_| Ok(number)),
            Err(reason) if value.depends_on_unknown() || value.unknown_reason().is_some() => {
                value.convert(|_| Err(reason))
            }
            Err(reason) => {
                let reason = format!("`{name}` is not a whole number: {reason}");
                self.report(value.span, &reason, analysed_as);
                value.convert(|_| Err(reason))
            }
        }
    }

    /// A shape error: `Some(reason)` when an attribute taking one CIDR is given a list or an
    /// object, or one taking a list is given a single value.
    fn cidr_shape(&self, name: &str, value: &V, list: bool) -> Option<Value<Cidr>> {
        let given = match value.kind {
            Kind::List(_) if !list => "a list",
            Kind::Map(_) => "an object",
            Kind::Str(_) if list => "a string",
            Kind::Num(_) if list => "a number",
            Kind::Bool(_) if list => "a bool",
            _ => return None,
        };
        let wanted = if list {
            "a list of CIDR strings"
        } else {
            "one CIDR string"
        };
        let reason = format!("`{name}` takes {wanted}, not {given}");
        self.report(value.span, &reason, "an unknown CIDR");
        Some(value.convert(|_| Err(reason)))
    }

    fn one_cidr(&self, name: &str, value: V) -> Value<Cidr> {
        self.cidr_shape(name, &value, false)
            .unwrap_or_else(|| value.convert(cidr))
    }

    fn cidr_list(&self, name: &str, value: V) -> Vec<Value<Cidr>> {
        if let Some(unknown) = self.cidr_shape(name, &value, true) {
            return vec![unknown];
        }
        elements(value)
            .into_iter()
            .filter_map(|item| item.to_value(cidr))
            .collect()
    }
}

/// Peer attributes of every rule form (inline, `aws_security_group_rule`, `aws_vpc_*_rule`);
/// their names do not collide, so one table serves all. The first take lists of CIDRs, the
/// others one CIDR.
const CIDR_LIST_ATTRS: &[&str] = &["cidr_blocks", "ipv6_cidr_blocks"];
const CIDR_ATTRS: &[&str] = &["cidr_ipv4", "cidr_ipv6"];
const GROUP_ATTRS: &[&str] = &[
    "security_groups",
    "source_security_group_id",
    "referenced_security_group_id",
];
const PREFIX_ATTRS: &[&str] = &["prefix_list_ids", "prefix_list_id"];

fn peers(fields: &Fields<'_, '_>, statement: &Statement<'_>) -> Vec<Peer> {
    let mut out = Vec::new();
    for name in CIDR_LIST_ATTRS {
        if let Some(value) = fields.get(name) {
            out.extend(statement.cidr_list(name, value).into_iter().map(Peer::Cidr));
        }
    }
    for name in CIDR_ATTRS {
        if let Some(value) = fields.get(name) {
            out.push(Peer::Cidr(statement.one_cidr(name, value)));
        }
    }
    for name in GROUP_ATTRS {
        if let Some(value) = fields.get(name) {
            out.extend(strings_of(vec![value]).into_iter().map(Peer::SecurityGroup));
        }
    }
    for name in PREFIX_ATTRS {
        if let Some(value) = fields.get(name) {
            out.extend(strings_of(vec![value]).into_iter().map(Peer::PrefixList));
        }
    }
    if let Some(value) = fields.get("self") {
        match value.to_bool() {
            Ok(true) => out.push(Peer::SelfGroup(value.span)),
            Ok(false) => {}
            Err(reason) => out.push(Peer::SecurityGroup(Value::unknown(
                format!("whether self applies is unknown: {reason}"),
                value.span,
            ))),
        }
    }
    out
}

/// The attributes of a rule form: inline and `aws_security_group_rule` require `protocol` and
/// both ports; `aws_vpc_security_group_*_rule` requires `ip_protocol`, and ports for tcp and udp.
#[derive(Clone, Copy)]
enum RuleForm {
    Classic,
    Vpc,
}

struct RuleSite {
    id: String,
    resource: String,
    group: Value<String>,
    direction: Direction,
    span: Span,
    assumptions: Vec<Trace>,
}

fn sg_rule(
    fields: &Fields<'_, '_>,
    site: RuleSite,
    form: RuleForm,
    statement: &Statement<'_>,
) -> SgRule {
    let protocol_attr = match form {
        RuleForm::Classic => "protocol",
        RuleForm::Vpc => "ip_protocol",
    };
    let protocol = statement.required_value(fields, protocol_attr, "any protocol", protocol);
    let ports_required = match (form, protocol.known_value()) {
        (RuleForm::Classic, _) => Some(String::new()),
        (RuleForm::Vpc, Some(known)) if known.has_ports() => {
            Some(format!(" with {protocol_attr} {}", known.name()))
        }
        (RuleForm::Vpc, _) => None,
    };
    let port = |name: &str| {
        let value = match &ports_required {
            Some(condition) => {
                match statement.required_because(fields, name, condition, "any port") {
                    Ok(value) => value,
                    Err(reason) => return Some(Value::unknown(reason, statement.span)),
                }
            }
            None => fields.get(name)?,
        };
        Some(statement.number(name, &value, "any port"))
    };
    SgRule {
        id: site.id,
        resource: site.resource,
        group: site.group,
        direction: site.direction,
        protocol,
        from_port: port("from_port"),
        to_port: port("to_port"),
        peers: peers(fields, statement),
        description: fields
            .get("description")
            .and_then(|value| value.to_value(text)),
        span: site.span,
        assumptions: site.assumptions,
    }
}

/// One resource instance being extracted.
struct Resource<'c, 'a> {
    ctx: &'c Ctx<'a>,
    block: &'c Block<'c>,
    frame: Frame,
    address: String,
    assumptions: Vec<Trace>,
}

impl<'c, 'a> Resource<'c, 'a> {
    fn fields(&self) -> Fields<'c, 'a> {
        Fields::Body {
            ctx: self.ctx,
            body: self.block.body,
            frame: self.frame.clone(),
        }
    }

    /// The resource as one statement (`aws_security_group_rule`, `aws_network_acl_rule`).
    fn statement(&self) -> Statement<'c> {
        Statement {
            env: self.ctx.env,
            subject: self.address.clone(),
            span: self.block.span,
        }
    }

    /// One of its inline `ingress`/`egress` statements.
    fn inline_statement(&self, direction: Direction, span: Span) -> Statement<'c> {
        Statement {
            env: self.ctx.env,
            subject: format!("{} {}", self.address, direction.as_str()),
            span,
        }
    }

    fn own_id(&self) -> Value<String> {
        Value::known(self.address.clone(), self.block.labels_span)
    }

    /// Inline `ingress`/`egress` of a group or a NACL: blocks (static and dynamic), or the
    /// attribute form `ingress = [{...}]`. Each item: fields, span, assumptions.
    fn inline(&self, direction: Direction) -> Vec<(Fields<'c, 'a>, Span, Vec<Trace>)> {
        self.inline_blocks(direction.as_str())
    }

    /// Nested blocks named `name` (static and dynamic), or the attribute form `name = [{...}]`.
    fn inline_blocks(&self, name: &str) -> Vec<(Fields<'c, 'a>, Span, Vec<Trace>)> {
        let blocks = block_instances(self.ctx, self.block.body, &self.frame, name);
        if !blocks.is_empty() {
            return blocks
                .into_iter()
                .map(|instance| {
                    let fields = Fields::Body {
                        ctx: self.ctx,
                        body: instance.body,
                        frame: instance.frame,
                    };
                    (fields, instance.span, instance.assumptions)
                })
                .collect();
        }
        let Some(value) = self.fields().get(name) else {
            return Vec::new();
        };
        match value.kind {
            Kind::List(items) => items
                .into_iter()
                .filter_map(|item| match item.kind {
                    Kind::Map(map) => Some((Fields::Map(map), item.span, Vec::new())),
                    Kind::Unknown(reason) | Kind::Error(reason) => {
                        Some((unknown_statement(&reason, item.span), item.span, Vec::new()))
                    }
                    _ => None,
                })
                .collect(),
            Kind::Unknown(reason) | Kind::Error(reason) => vec![(
                unknown_statement(&reason, value.span),
                value.span,
                Vec::new(),
            )],
            _ => Vec::new(),
        }
    }

    fn assumptions(&self, extra: Vec<Trace>) -> Vec<Trace> {
        let mut all = self.assumptions.clone();
        all.extend(extra);
        all
    }
}

/// A statement whose contents are unknown: the attributes that rules and NACL entries require
/// and one peer are unknown, so that a check can say what it depends on.
fn unknown_statement<'c, 'a>(reason: &str, span: Span) -> Fields<'c, 'a> {
    let unknown = V::unknown(reason.to_owned(), span);
    let map = [
        "protocol",
        "from_port",
        "to_port",
        "rule_no",
        "action",
        "cidr_blocks",
    ]
    .into_iter()
    .map(|name| (name.to_owned(), unknown.clone()))
    .collect();
    Fields::Map(map)
}

/// Extracts a root module instance and, through it, every module it calls.
pub fn extract(ctx: &Ctx<'_>, inventory: &mut Inventory) {
    let mut routing = Routing::default();
    let mut links = Links::default();
    walk(ctx, inventory, &mut routing, &mut links);
    routing.apply(inventory);
    links.apply(inventory);
    link_group_names(inventory);
}

/// `security_groups` of an instance (and of a rule, in a default VPC) may name groups by
/// `name` rather than id: a name that one group of the configuration has becomes its id.
fn link_group_names(inventory: &mut Inventory) {
    let mut by_name: BTreeMap<String, Option<String>> = BTreeMap::new();
    for group in &inventory.security_groups {
        if let Some(name) = group.name.as_ref().and_then(Value::known_value) {
            by_name
                .entry(name.clone())
                .and_modify(|id| *id = None)
                .or_insert_with(|| Some(group.id.clone()));
        }
    }
    let ids: std::collections::BTreeSet<String> = inventory
        .security_groups
        .iter()
        .map(|group| group.id.clone())
        .collect();
    let link = |value: &mut Value<String>| {
        if let Value::Known { value: text, .. } = value
            && !ids.contains(text.as_str())
            && let Some(Some(id)) = by_name.get(text.as_str())
        {
            text.clone_from(id);
        }
    };
    for attachment in &mut inventory.attachments {
        attachment.groups.iter_mut().for_each(link);
    }
    for rule in &mut inventory.rules {
        for peer in &mut rule.peers {
            if let Peer::SecurityGroup(value) = peer {
                link(value);
            }
        }
    }
}

fn walk(ctx: &Ctx<'_>, inventory: &mut Inventory, routing: &mut Routing, links: &mut Links) {
    for block in &ctx.module.resources {
        let kind = block.label(0);
        if !is_extracted(kind) {
            continue;
        }
        for instance in &ctx.expand(block).1 {
            let suffix = instance.key.as_ref().map(Key::suffix).unwrap_or_default();
            let resource = Resource {
                ctx,
                block,
                frame: instance.frame.clone(),
                address: format!("{}{kind}.{}{suffix}", ctx.prefix, block.label(1)),
                assumptions: ctx
                    .assumptions
                    .iter()
                    .chain(&instance.assumptions)
                    .cloned()
                    .collect(),
            };
            if !routing.record(kind, &resource) && !record_link(links, kind, &resource) {
                extract_resource(kind, &resource, inventory);
            }
        }
    }
    for call in &ctx.module.calls {
        let name = call.label(0);
        match &*ctx.children(call) {
            Children::Instances(children) => {
                for child in children {
                    walk(child, inventory, routing, links);
                }
            }
            Children::Unresolved { reason, span } => inventory.unresolved.push(Unresolved {
                subject: format!("{}module.{name}", ctx.prefix),
                reason: reason.clone(),
                span: *span,
            }),
        }
    }
    named_cidrs(ctx, inventory);
}

fn is_extracted(kind: &str) -> bool {
    matches!(
        kind,
        "aws_security_group"
            | "aws_default_security_group"
            | "aws_security_group_rule"
            | "aws_vpc_security_group_ingress_rule"
            | "aws_vpc_security_group_egress_rule"
            | "aws_network_acl"
            | "aws_default_network_acl"
            | "aws_network_acl_rule"
            | "aws_network_acl_association"
            | "aws_vpc"
            | "aws_subnet"
            | "aws_route_table"
            | "aws_route"
            | "aws_route_table_association"
            | "aws_db_security_group"
            | "aws_eip"
            | "aws_eip_association"
            | "aws_lb_listener"
            | "aws_alb_listener"
    ) || attachment_spec(kind).is_some()
}

fn extract_resource(kind: &str, resource: &Resource<'_, '_>, inventory: &mut Inventory) {
    let fields = resource.fields();
    match kind {
        "aws_security_group" | "aws_default_security_group" => {
            security_group(kind, resource, inventory)
        }
        "aws_security_group_rule" => {
            let direction = match fields.get("type").map(|value| value.to_text()) {
                Some(Ok(kind)) if kind == "egress" => Direction::Egress,
                Some(Ok(kind)) if kind == "ingress" => Direction::Ingress,
                other => {
                    let reason = match other {
                        Some(Err(reason)) => format!("the rule type is unknown: {reason}"),
                        _ => "the rule type is neither ingress nor egress".to_owned(),
                    };
                    inventory.unresolved.push(Unresolved {
                        subject: resource.address.clone(),
                        reason,
                        span: resource.block.span,
                    });
                    return;
                }
            };
            standalone_rule(resource, &fields, direction, RuleForm::Classic, inventory);
        }
        "aws_vpc_security_group_ingress_rule" => standalone_rule(
            resource,
            &fields,
            Direction::Ingress,
            RuleForm::Vpc,
            inventory,
        ),
        "aws_vpc_security_group_egress_rule" => standalone_rule(
            resource,
            &fields,
            Direction::Egress,
            RuleForm::Vpc,
            inventory,
        ),
        "aws_network_acl" | "aws_default_network_acl" => network_acl(kind, resource, inventory),
        "aws_db_security_group" => db_security_group(resource, inventory),
        "aws_lb_listener" | "aws_alb_listener" => inventory.listeners.push(Listener {
            load_balancer: fields
                .get("load_balancer_arn")
                .and_then(|value| value.to_value(text))
                .unwrap_or_else(|| unknown_required("load_balancer_arn", resource.block.span)),
            port: fields
                .get("port")
                .and_then(|value| value.to_value(V::to_i64))
                .unwrap_or_else(|| {
                    // Gateway Load Balancers listen on every port and take no `port`.
                    Value::unknown("port is not set", resource.block.span)
                }),
            span: resource.block.span,
            assumptions: resource.assumptions(Vec::new()),
        }),
        "aws_network_acl_rule" => {
            let direction = match fields.get("egress").map(|value| value.to_bool()) {
                Some(Ok(true)) => Direction::Egress,
                _ => Direction::Ingress,
            };
            let statement = resource.statement();
            let acl = statement.required_value(
                &fields,
                "network_acl_id",
                "an entry of an unknown network ACL",
                text,
            );
            let entry = nacl_entry(
                &fields,
                NaclSite {
                    id: resource.address.clone(),
                    acl,
                    direction,
                    form: NaclForm::Standalone,
                    assumptions: resource.assumptions(Vec::new()),
                },
                &statement,
            );
            inventory.nacl_entries.push(entry);
        }
        "aws_network_acl_association" => {
            let get = |name: &str| {
                fields
                    .get(name)
                    .and_then(|value| value.to_value(text))
                    .unwrap_or_else(|| unknown_required(name, resource.block.span))
            };
            inventory.nacl_associations.push(NaclAssociation {
                acl: get("network_acl_id"),
                subnet: get("subnet_id"),
                span: resource.block.span,
            });
        }
        "aws_vpc" => {
            inventory.vpcs.push(Vpc {
                id: resource.address.clone(),
                cidr: fields
                    .get("cidr_block")
                    .and_then(|value| value.to_value(cidr)),
                span: resource.block.span,
            });
            // Every VPC comes with a default group, which `default_security_group_id` names:
            // rules and resources that use it are about that group.
            let labels = resource.block.labels_span;
            inventory.security_groups.push(SecurityGroup {
                id: default_group_id(&resource.address),
                name: Some(Value::known("default".to_owned(), labels)),
                description: None,
                vpc: Some(Value::known(resource.address.clone(), labels)),
                is_default: true,
                span: resource.block.span,
                name_span: labels,
                construct_path: None,
                assumptions: resource.assumptions(Vec::new()),
            });
        }
        "aws_subnet" => inventory.subnets.push(Subnet {
            id: resource.address.clone(),
            vpc: fields.get("vpc_id").and_then(|value| value.to_value(text)),
            cidr: fields
                .get("cidr_block")
                .and_then(|value| value.to_value(cidr)),
            map_public_ip_on_launch: fields
                .get("map_public_ip_on_launch")
                .and_then(|value| value.to_value(V::to_bool)),
            routes_to_internet: None,
            span: resource.block.span,
        }),
        _ => {
            if let Some(spec) = attachment_spec(kind) {
                inventory
                    .attachments
                    .push(attachment(kind, &spec, resource));
            }
            if kind == "aws_elb" {
                classic_listeners(resource, inventory);
            }
        }
    }
}

/// The `listener` blocks of a classic load balancer: clients connect to `lb_port`.
fn classic_listeners(resource: &Resource<'_, '_>, inventory: &mut Inventory) {
    for (fields, span, assumptions) in resource.inline_blocks("listener") {
        inventory.listeners.push(Listener {
            load_balancer: resource.own_id(),
            port: fields
                .get("lb_port")
                .and_then(|value| value.to_value(V::to_i64))
                .unwrap_or_else(|| Value::unknown("lb_port is not set", span)),
            span,
            assumptions: resource.assumptions(assumptions),
        });
    }
}

/// An EC2-Classic DB security group: a group whose `ingress` blocks admit a CIDR or an EC2
/// group to the port of the databases that use it, which the group does not say.
fn db_security_group(resource: &Resource<'_, '_>, inventory: &mut Inventory) {
    let fields = resource.fields();
    inventory.security_groups.push(SecurityGroup {
        id: resource.address.clone(),
        name: fields.get("name").and_then(|value| value.to_value(text)),
        description: fields
            .get("description")
            .and_then(|value| value.to_value(text)),
        vpc: None,
        is_default: false,
        span: resource.block.span,
        name_span: resource.block.labels_span,
        construct_path: None,
        assumptions: resource.assumptions(Vec::new()),
    });
    let port_reason = format!(
        "the port of the databases that use DB security group `{}` (EC2-Classic)",
        resource.address
    );
    for (index, (fields, span, assumptions)) in
        resource.inline_blocks("ingress").into_iter().enumerate()
    {
        let statement = resource.inline_statement(Direction::Ingress, span);
        let mut peers = Vec::new();
        if let Some(value) = fields.get("cidr") {
            peers.push(Peer::Cidr(statement.one_cidr("cidr", value)));
        }
        for name in ["security_group_name", "security_group_id"] {
            peers.extend(
                fields
                    .get(name)
                    .and_then(|value| value.to_value(text))
                    .map(Peer::SecurityGroup),
            );
        }
        inventory.rules.push(SgRule {
            id: format!("{}.ingress[{index}]", resource.address),
            resource: resource.address.clone(),
            group: resource.own_id(),
            direction: Direction::Ingress,
            protocol: Value::known(Protocol::Tcp, span),
            from_port: Some(Value::unknown(port_reason.clone(), span)),
            to_port: Some(Value::unknown(port_reason.clone(), span)),
            peers,
            description: None,
            span,
            assumptions: resource.assumptions(assumptions),
        });
    }
}

/// The id of a VPC's default security group, as `aws_vpc.x.default_security_group_id` gives it.
pub(crate) fn default_group_id(vpc: &str) -> String {
    format!("{vpc}.default_security_group")
}

fn security_group(kind: &str, resource: &Resource<'_, '_>, inventory: &mut Inventory) {
    let fields = resource.fields();
    let name = fields.get("name").and_then(|value| value.to_value(text));
    let named_default = name
        .as_ref()
        .and_then(Value::known_value)
        .is_some_and(|name| name == "default");
    inventory.security_groups.push(SecurityGroup {
        id: resource.address.clone(),
        name,
        description: fields
            .get("description")
            .and_then(|value| value.to_value(text)),
        vpc: fields.get("vpc_id").and_then(|value| value.to_value(text)),
        is_default: kind == "aws_default_security_group" || named_default,
        span: resource.block.span,
        name_span: resource.block.labels_span,
        construct_path: None,
        assumptions: resource.assumptions(Vec::new()),
    });
    for direction in [Direction::Ingress, Direction::Egress] {
        for (index, (fields, span, assumptions)) in
            resource.inline(direction).into_iter().enumerate()
        {
            let site = RuleSite {
                id: format!("{}.{}[{index}]", resource.address, direction.as_str()),
                resource: resource.address.clone(),
                group: resource.own_id(),
                direction,
                span,
                assumptions: resource.assumptions(assumptions),
            };
            let statement = resource.inline_statement(direction, span);
            inventory
                .rules
                .push(sg_rule(&fields, site, RuleForm::Classic, &statement));
        }
    }
}

fn standalone_rule(
    resource: &Resource<'_, '_>,
    fields: &Fields<'_, '_>,
    direction: Direction,
    form: RuleForm,
    inventory: &mut Inventory,
) {
    let statement = resource.statement();
    let group = statement.required_value(
        fields,
        "security_group_id",
        "a rule of an unknown group",
        text,
    );
    let site = RuleSite {
        id: resource.address.clone(),
        resource: resource.address.clone(),
        group,
        direction,
        span: resource.block.span,
        assumptions: resource.assumptions(Vec::new()),
    };
    inventory
        .rules
        .push(sg_rule(fields, site, form, &statement));
}

fn network_acl(kind: &str, resource: &Resource<'_, '_>, inventory: &mut Inventory) {
    let fields = resource.fields();
    inventory.nacls.push(NetworkAcl {
        id: resource.address.clone(),
        vpc: fields.get("vpc_id").and_then(|value| value.to_value(text)),
        is_default: kind == "aws_default_network_acl",
        span: resource.block.span,
        assumptions: resource.assumptions(Vec::new()),
    });
    for direction in [Direction::Ingress, Direction::Egress] {
        for (index, (fields, span, assumptions)) in
            resource.inline(direction).into_iter().enumerate()
        {
            let site = NaclSite {
                id: format!("{}.{}[{index}]", resource.address, direction.as_str()),
                acl: resource.own_id(),
                direction,
                form: NaclForm::Inline,
                assumptions: resource.assumptions(assumptions),
            };
            let statement = resource.inline_statement(direction, span);
            let entry = nacl_entry(&fields, site, &statement);
            inventory.nacl_entries.push(entry);
        }
    }
    if let Some(subnets) = fields.get("subnet_ids") {
        for subnet in strings_of(vec![subnets]) {
            let span = subnet.span();
            inventory.nacl_associations.push(NaclAssociation {
                acl: resource.own_id(),
                subnet,
                span,
            });
        }
    }
}

/// The attributes of a NACL entry form: an inline `ingress`/`egress` block requires `rule_no`,
/// `action`, `protocol` and both ports; `aws_network_acl_rule` requires `rule_number`,
/// `rule_action` and `protocol`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NaclForm {
    Inline,
    Standalone,
}

struct NaclSite {
    id: String,
    acl: Value<String>,
    direction: Direction,
    form: NaclForm,
    assumptions: Vec<Trace>,
}

fn nacl_entry(fields: &Fields<'_, '_>, site: NaclSite, statement: &Statement<'_>) -> NaclEntry {
    let inline = site.form == NaclForm::Inline;
    let (number_attr, action_attr) = if inline {
        ("rule_no", "action")
    } else {
        ("rule_number", "rule_action")
    };
    let number = |name: &str, analysed_as: &str| {
        fields
            .get(name)
            .map(|value| statement.number(name, &value, analysed_as))
    };
    let protocol = statement.required_value(fields, "protocol", "any protocol", protocol);
    let is_icmp = protocol
        .known_value()
        .is_some_and(|protocol| protocol.is_icmp());
    let action = statement.required_value(fields, action_attr, "an unknown action", |value| {
        NaclAction::parse(&value.to_text()?)
    });
    let rule_number = match statement.required(fields, number_attr, "an unknown rule number") {
        Ok(value) => statement.number(number_attr, &value, "an unknown rule number"),
        Err(reason) => Value::unknown(reason, statement.span),
    };
    // Inline entries require both ports, ICMP included, whose type and code are elsewhere.
    let given_port = |name: &str| {
        if inline {
            statement.required(fields, name, "any port").map(Some)
        } else {
            Ok(fields.get(name))
        }
    };
    let (from_given, to_given) = (given_port("from_port"), given_port("to_port"));
    let port = |given: Result<Option<V>, String>, name: &str| match given {
        Ok(value) => value.map(|value| statement.number(name, &value, "any port")),
        Err(reason) => Some(Value::unknown(reason, statement.span)),
    };
    let (from_port, to_port) = if is_icmp {
        (
            number("icmp_type", "any ICMP type"),
            number("icmp_code", "any ICMP code"),
        )
    } else {
        (port(from_given, "from_port"), port(to_given, "to_port"))
    };
    let cidr = ["cidr_block", "ipv6_cidr_block"]
        .iter()
        .find_map(|name| Some(statement.one_cidr(name, fields.get(name)?)));
    NaclEntry {
        id: site.id,
        acl: site.acl,
        rule_number,
        action,
        direction: site.direction,
        from_port,
        to_port,
        protocol,
        cidr,
        span: statement.span,
        assumptions: site.assumptions,
    }
}

fn attachment(kind: &str, spec: &AttachmentSpec, resource: &Resource<'_, '_>) -> Attachment {
    let fields = resource.fields();
    let collect =
        |paths: &[&str]| strings_of(paths.iter().flat_map(|path| fields.path(path)).collect());
    let at_block = resource.block.labels_span;
    let flag = |path: &str| fields.path(path).into_iter().next();
    let from_flag = |value: V, when_true: Reachability, when_false: Reachability| {
        value
            .to_value(|value| {
                value
                    .to_bool()
                    .map(|flag| if flag { when_true } else { when_false })
            })
            .unwrap_or_else(|| Value::known(when_false, at_block))
    };
    let reachability = match spec.reach {
        Reach::PublicIp(path) => match flag(path) {
            Some(value) => from_flag(value, Reachability::Public, Reachability::Private),
            None => Value::known(Reachability::ViaSubnet, at_block),
        },
        Reach::PublicIpOrDefaultVpc(path, placement) => match flag(path) {
            Some(value) => from_flag(value, Reachability::Public, Reachability::Private),
            None if placement
                .iter()
                .all(|name| fields.get(name).is_none() && fields.nested(name).is_empty()) =>
            {
                Value::known(Reachability::DefaultVpc, at_block)
            }
            None => Value::known(Reachability::ViaSubnet, at_block),
        },
        Reach::Flag(path, default) => match flag(path) {
            Some(value) => from_flag(value, Reachability::Public, Reachability::Private),
            None => Value::known(
                if default {
                    Reachability::Public
                } else {
                    Reachability::Private
                },
                at_block,
            ),
        },
        Reach::Internal => match flag("internal") {
            Some(value) => from_flag(value, Reachability::Private, Reachability::Public),
            None => Value::known(Reachability::Public, at_block),
        },
        Reach::Always(reach) => Value::known(reach, at_block),
    };
    Attachment {
        id: resource.address.clone(),
        kind: kind.to_owned(),
        role: spec.role,
        groups: collect(spec.groups),
        reachability,
        subnets: collect(spec.subnets),
        span: resource.block.span,
        name_span: resource.block.labels_span,
        construct_path: None,
        assumptions: resource.assumptions(Vec::new()),
        forwards_traffic: flag("source_dest_check")
            .filter(|value| value.to_bool() == Ok(false))
            .map(|value| value.span),
    }
}

/// Variables and locals whose value is one CIDR, offered by checks as remedies.
fn named_cidrs(ctx: &Ctx<'_>, inventory: &mut Inventory) {
    let mut named: Vec<(String, String, V)> = ctx
        .vars
        .iter()
        .map(|(name, (value, _))| (name.clone(), format!("var.{name}"), value.clone()))
        .collect();
    for (name, attr) in &ctx.module.locals {
        named.push((
            (*name).to_owned(),
            format!("local.{name}"),
            V::clone(&ctx.local(name, attr.span)),
        ));
    }
    for (name, reference, value) in named {
        let Kind::Str(text) = &value.kind else {
            continue;
        };
        let Ok(cidr) = Cidr::parse(text) else {
            continue;
        };
        let duplicate = inventory
            .named_cidrs
            .iter()
            .any(|seen| seen.reference == reference && seen.span == value.span);
        if !duplicate {
            inventory.named_cidrs.push(NamedCidr {
                name,
                reference,
                cidr,
                span: value.span,
            });
        }
    }
}

/// Records an Elastic IP's network interface or an Aurora instance's cluster; false for any
/// other resource type. An Aurora instance is still extracted as an attachment (false).
fn record_link(links: &mut Links, kind: &str, resource: &Resource<'_, '_>) -> bool {
    let fields = resource.fields();
    let target = |name: &str| fields.get(name).and_then(|value| value.to_value(text));
    match kind {
        "aws_eip" => links.eip_targets.extend(target("network_interface")),
        "aws_eip_association" => links.eip_targets.extend(target("network_interface_id")),
        "aws_rds_cluster_instance" => {
            let cluster = target("cluster_identifier").unwrap_or_else(|| {
                unknown_required("cluster_identifier", resource.block.labels_span)
            });
            links
                .cluster_members
                .push((resource.address.clone(), cluster));
            return false;
        }
        _ => return false,
    }
    true
}

/// Route tables, routes and their subnet associations, to tell whether a subnet's traffic
/// to 0.0.0.0/0 goes to an internet gateway.
#[derive(Default)]
struct Routing {
    /// Route tables of the configuration, with the span of a default route to an internet
    /// gateway when they have one.
    tables: BTreeMap<String, Option<Span>>,
    /// Subnet, route table, span of the association.
    associations: Vec<(String, String, Span)>,
}

impl Routing {
    /// Records a routing resource; false for any other resource type.
    fn record(&mut self, kind: &str, resource: &Resource<'_, '_>) -> bool {
        let fields = resource.fields();
        let known = |name: &str| fields.get(name).and_then(|value| value.to_text().ok());
        match kind {
            "aws_route_table" => {
                let routes = resource.inline_blocks("route");
                let to_internet = routes
                    .iter()
                    .find_map(|(route, span, _)| default_route_to_gateway(route).then_some(*span));
                // An `aws_route` met earlier may already have given the table its default route.
                let entry = self.tables.entry(resource.address.clone()).or_default();
                if entry.is_none() {
                    *entry = to_internet;
                }
            }
            "aws_route" => {
                if let (Some(table), true) =
                    (known("route_table_id"), default_route_to_gateway(&fields))
                {
                    *self.tables.entry(table).or_default() = Some(resource.block.span);
                }
            }
            "aws_route_table_association" => {
                if let (Some(subnet), Some(table)) = (known("subnet_id"), known("route_table_id")) {
                    self.associations.push((subnet, table, resource.block.span));
                }
            }
            _ => return false,
        }
        true
    }

    /// Sets `routes_to_internet` of the subnets explicitly associated with a route table of
    /// the configuration; the others use the VPC's main table, which stays unknown.
    fn apply(self, inventory: &mut Inventory) {
        for subnet in &mut inventory.subnets {
            let Some((_, table, association)) =
                self.associations.iter().find(|(id, _, _)| *id == subnet.id)
            else {
                continue;
            };
            let Some(route) = self.tables.get(table) else {
                continue;
            };
            subnet.routes_to_internet = Some(match route {
                Some(span) => Value::known(true, *span),
                None => Value::known(false, *association),
            });
        }
    }
}

/// A route for 0.0.0.0/0 or ::/0 whose target is an internet gateway.
fn default_route_to_gateway(route: &Fields<'_, '_>) -> bool {
    let text = |name: &str| route.get(name).and_then(|value| value.to_text().ok());
    let default = text("cidr_block")
        .or_else(|| text("destination_cidr_block"))
        .is_some_and(|cidr| cidr == "0.0.0.0/0")
        || text("ipv6_cidr_block")
            .or_else(|| text("destination_ipv6_cidr_block"))
            .is_some_and(|cidr| cidr == "::/0");
    let gateway = text("gateway_id")
        .is_some_and(|id| id.starts_with("igw-") || id.contains("aws_internet_gateway."));
    default && gateway
}
