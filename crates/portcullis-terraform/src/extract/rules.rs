//! Security groups and their rules: inline, `aws_security_group_rule`,
//! `aws_vpc_security_group_*_rule`, and EC2-Classic DB security groups.

use portcullis_ir::{Direction, Inventory, Peer, SecurityGroup, SgRule, Span, Trace, Value};
use portcullis_net::Protocol;
use portcullis_terraform_core::schema::{CIDR_ATTRS, CIDR_LIST_ATTRS, GROUP_ATTRS, PREFIX_ATTRS};

use super::fields::Fields;
use super::resource::Resource;
use super::statement::Statement;
use super::values::{protocol, strings_of, text};

pub(super) fn peers(fields: &Fields<'_, '_>, statement: &Statement<'_>) -> Vec<Peer> {
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
pub(super) enum RuleForm {
    Classic,
    Vpc,
}

pub(super) struct RuleSite {
    pub(super) id: String,
    pub(super) resource: String,
    pub(super) group: Value<String>,
    pub(super) direction: Direction,
    pub(super) span: Span,
    pub(super) assumptions: Vec<Trace>,
}

pub(super) fn sg_rule(
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

pub(super) fn security_group(kind: &str, resource: &Resource<'_, '_>, inventory: &mut Inventory) {
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

pub(super) fn standalone_rule(
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

/// An EC2-Classic DB security group: a group whose `ingress` blocks admit a CIDR or an EC2
/// group to the port of the databases that use it, which the group does not say.
pub(super) fn db_security_group(resource: &Resource<'_, '_>, inventory: &mut Inventory) {
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
