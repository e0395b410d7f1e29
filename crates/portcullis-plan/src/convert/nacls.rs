//! Network ACLs and their entries.

use portcullis_ir::{
    Direction, Inventory, NaclAction, NaclAssociation, NaclEntry, NetworkAcl, Span, Value,
};
use portcullis_net::{Cidr, Protocol};
use portcullis_terraform_core::schema::{NACL_CIDR_ATTRS, SUBNET_TYPES, VPC_TYPES};

use super::fields::{Fields, Res};
use super::values::{cidr, protocol};
use crate::json;

impl Res<'_, '_, '_> {
    pub(super) fn network_acl(&self, inventory: &mut Inventory) {
        let fields = self.fields();
        inventory.nacls.push(NetworkAcl {
            id: self.address(),
            vpc: fields.attr("vpc_id").link(VPC_TYPES).into_iter().next(),
            is_default: self.instance.kind == "aws_default_network_acl",
            span: self.span(),
            assumptions: Vec::new(),
        });
        for direction in [Direction::Ingress, Direction::Egress] {
            if let Some(unknown) = fields.attr(direction.as_str()).unknown::<Cidr>() {
                let span = unknown.span();
                inventory.nacl_entries.push(NaclEntry {
                    id: format!("{}.{}[0]", self.address(), direction.as_str()),
                    acl: self.own_id(),
                    rule_number: unknown.clone().map(|_| 0),
                    action: unknown.clone().map(|_| NaclAction::Allow),
                    direction,
                    protocol: unknown.clone().map(|_| Protocol::All),
                    from_port: None,
                    to_port: None,
                    cidr: Some(unknown),
                    span,
                    assumptions: Vec::new(),
                });
                continue;
            }
            for (index, inline) in self.inline(direction).into_iter().enumerate() {
                let id = format!("{}.{}[{index}]", self.address(), direction.as_str());
                let span = inline.span();
                let entry = nacl_entry(inline, id, self.own_id(), direction, span);
                inventory.nacl_entries.push(entry);
            }
        }
        for subnet in fields.attr("subnet_ids").link(SUBNET_TYPES) {
            let span = subnet.span();
            inventory.nacl_associations.push(NaclAssociation {
                acl: self.own_id(),
                subnet,
                span,
            });
        }
    }
}

pub(super) fn nacl_entry(
    fields: Fields<'_, '_, '_, '_>,
    id: String,
    acl: Value<String>,
    direction: Direction,
    span: Span,
) -> NaclEntry {
    let number = |names: &[&str]| {
        fields
            .first(names)
            .and_then(|attr| attr.value(json::to_i64))
    };
    let protocol = fields
        .attr("protocol")
        .value(protocol)
        .unwrap_or_else(|| Value::unknown("protocol is not set", span));
    let is_icmp = protocol
        .known_value()
        .is_some_and(|protocol| protocol.is_icmp());
    let action = fields
        .first(&["action", "rule_action"])
        .and_then(|attr| attr.value(|value| NaclAction::parse(&json::to_text(value)?)))
        .unwrap_or_else(|| Value::unknown("action is not set", span));
    // A plan writes both address attributes, one of them empty.
    let cidr = NACL_CIDR_ATTRS
        .iter()
        .map(|name| fields.attr(name))
        .find(|attr| attr.is_set() && attr.planned.value.and_then(json::as_str) != Some(""))
        .and_then(|attr| attr.value(cidr));
    let (from, to) = if is_icmp {
        (&["icmp_type"], &["icmp_code"])
    } else {
        (&["from_port"], &["to_port"])
    };
    NaclEntry {
        id,
        acl,
        rule_number: number(&["rule_no", "rule_number"])
            .unwrap_or_else(|| Value::unknown("rule_no is not set", span)),
        action,
        direction,
        from_port: number(from),
        to_port: number(to),
        protocol,
        cidr,
        span,
        assumptions: Vec::new(),
    }
}
