//! Network ACLs and their entries, inline and `aws_network_acl_rule`.

use portcullis_ir::{
    Direction, Inventory, NaclAction, NaclAssociation, NaclEntry, NetworkAcl, Trace, Value,
};
use portcullis_terraform_core::schema::NACL_CIDR_ATTRS;

use super::fields::Fields;
use super::resource::Resource;
use super::statement::Statement;
use super::values::{protocol, strings_of, text};
use crate::value::V;

pub(super) fn network_acl(kind: &str, resource: &Resource<'_, '_>, inventory: &mut Inventory) {
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
pub(super) enum NaclForm {
    Inline,
    Standalone,
}

pub(super) struct NaclSite {
    pub(super) id: String,
    pub(super) acl: Value<String>,
    pub(super) direction: Direction,
    pub(super) form: NaclForm,
    pub(super) assumptions: Vec<Trace>,
}

pub(super) fn nacl_entry(
    fields: &Fields<'_, '_>,
    site: NaclSite,
    statement: &Statement<'_>,
) -> NaclEntry {
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
    let cidr = NACL_CIDR_ATTRS
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
