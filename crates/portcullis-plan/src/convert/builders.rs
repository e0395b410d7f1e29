//! IR items from planned resources: groups and rules, attachments, VPCs and subnets.

use portcullis_ir::{
    Attachment, Direction, Inventory, NaclAssociation, Peer, Reachability, SecurityGroup, SgRule,
    Span, Subnet, Unresolved, Value, Vpc,
};
use portcullis_net::{Cidr, Protocol};
use portcullis_terraform_core::schema::{
    ACL_TYPES, AttachmentSpec, CIDR_ATTRS, CIDR_LIST_ATTRS, CLUSTER_TYPES, ENI_TYPES, GROUP_ATTRS,
    GROUP_TYPES, Links, PREFIX_ATTRS, Reach, SUBNET_TYPES, VPC_TYPES, attachment_spec,
};

use super::fields::{Fields, Res};
use super::nacls::nacl_entry;
use super::plan::Plan;
use super::values::{cidr, protocol};
use crate::json::{self, Json, Planned};
use crate::source::SrcBlock;

impl Plan<'_, '_> {
    pub fn extract(&self, inventory: &mut Inventory) {
        let mut links = Links::default();
        for instance in &self.instances {
            let info = self.modules.get(&instance.module);
            let config = info.and_then(|info| {
                info.resources
                    .get(&(instance.kind.as_str(), instance.name.as_str()))
                    .copied()
            });
            let src = info
                .and_then(|info| info.source.as_deref())
                .and_then(|module| {
                    module
                        .resources
                        .get(&(instance.kind.clone(), instance.name.clone()))
                });
            let res = Res {
                plan: self,
                instance,
                src,
                config,
            };
            res.record_link(&mut links);
            res.extract(inventory);
        }
        links.apply(inventory);
    }
}

impl<'p, 'b, 'a> Res<'p, 'b, 'a> {
    /// Records an Elastic IP's network interface or an Aurora instance's cluster.
    pub(super) fn record_link(&self, links: &mut Links) {
        let fields = self.fields();
        let target =
            |name: &str, targets: &[&str]| fields.attr(name).link(targets).into_iter().next();
        match self.instance.kind.as_str() {
            "aws_eip" => links
                .eip_targets
                .extend(target("network_interface", ENI_TYPES)),
            "aws_eip_association" => links
                .eip_targets
                .extend(target("network_interface_id", ENI_TYPES)),
            "aws_rds_cluster_instance" => links.cluster_members.push((
                self.address(),
                fields
                    .attr("cluster_identifier")
                    .link_one(CLUSTER_TYPES, "cluster_identifier"),
            )),
            _ => {}
        }
    }

    pub(super) fn extract(&self, inventory: &mut Inventory) {
        let fields = self.fields();
        let kind = self.instance.kind.as_str();
        match kind {
            "aws_security_group" | "aws_default_security_group" => {
                self.security_group(inventory);
            }
            "aws_security_group_rule" => {
                let direction = match fields.attr("type").value(json::to_text) {
                    Some(Value::Known { value, .. }) if value == "egress" => Direction::Egress,
                    Some(Value::Known { value, .. }) if value == "ingress" => Direction::Ingress,
                    other => {
                        let reason = match other {
                            Some(Value::Unknown { reason, .. }) => {
                                format!("the rule type is unknown: {reason}")
                            }
                            _ => "the rule type is neither ingress nor egress".to_owned(),
                        };
                        inventory.unresolved.push(Unresolved {
                            subject: self.address(),
                            reason,
                            span: self.span(),
                        });
                        return;
                    }
                };
                self.standalone_rule(direction, inventory);
            }
            "aws_vpc_security_group_ingress_rule" => {
                self.standalone_rule(Direction::Ingress, inventory);
            }
            "aws_vpc_security_group_egress_rule" => {
                self.standalone_rule(Direction::Egress, inventory);
            }
            "aws_network_acl" | "aws_default_network_acl" => self.network_acl(inventory),
            "aws_network_acl_rule" => {
                let egress = fields.attr("egress").value(json::to_bool);
                let direction = match egress {
                    Some(Value::Known { value: true, .. }) => Direction::Egress,
                    _ => Direction::Ingress,
                };
                let acl = fields
                    .attr("network_acl_id")
                    .link_one(ACL_TYPES, "network_acl_id");
                let entry = nacl_entry(fields, self.address(), acl, direction, self.span());
                inventory.nacl_entries.push(entry);
            }
            "aws_network_acl_association" => inventory.nacl_associations.push(NaclAssociation {
                acl: fields
                    .attr("network_acl_id")
                    .link_one(ACL_TYPES, "network_acl_id"),
                subnet: fields.attr("subnet_id").link_one(SUBNET_TYPES, "subnet_id"),
                span: self.span(),
            }),
            "aws_vpc" => inventory.vpcs.push(Vpc {
                id: self.address(),
                cidr: fields.attr("cidr_block").value(cidr),
                span: self.span(),
            }),
            "aws_subnet" => inventory.subnets.push(Subnet {
                id: self.address(),
                vpc: fields.attr("vpc_id").link(VPC_TYPES).into_iter().next(),
                cidr: fields.attr("cidr_block").value(cidr),
                map_public_ip_on_launch: fields
                    .attr("map_public_ip_on_launch")
                    .value(json::to_bool),
                routes_to_internet: None,
                span: self.span(),
            }),
            _ => {
                if let Some(spec) = attachment_spec(kind) {
                    inventory.attachments.push(self.attachment(&spec));
                }
            }
        }
    }

    pub(super) fn security_group(&self, inventory: &mut Inventory) {
        let fields = self.fields();
        let name = fields.attr("name").value(json::to_text);
        let named_default = name
            .as_ref()
            .and_then(Value::known_value)
            .is_some_and(|name| name == "default");
        inventory.security_groups.push(SecurityGroup {
            id: self.address(),
            name,
            description: fields.attr("description").value(json::to_text),
            vpc: fields.attr("vpc_id").link(VPC_TYPES).into_iter().next(),
            is_default: self.instance.kind == "aws_default_security_group" || named_default,
            span: self.span(),
            name_span: self.name_span(),
            construct_path: None,
            assumptions: Vec::new(),
        });
        for direction in [Direction::Ingress, Direction::Egress] {
            if let Some(unknown) = fields.attr(direction.as_str()).unknown::<Cidr>() {
                inventory.rules.push(SgRule {
                    id: format!("{}.{}[0]", self.address(), direction.as_str()),
                    resource: self.address(),
                    group: self.own_id(),
                    direction,
                    protocol: unknown.clone().map(|_| Protocol::All),
                    from_port: None,
                    to_port: None,
                    span: unknown.span(),
                    peers: vec![Peer::Cidr(unknown)],
                    description: None,
                    assumptions: Vec::new(),
                });
                continue;
            }
            for (index, inline) in self.inline(direction).into_iter().enumerate() {
                let site = RuleSite {
                    id: format!("{}.{}[{index}]", self.address(), direction.as_str()),
                    group: self.own_id(),
                    direction,
                    span: inline.span(),
                };
                inventory.rules.push(self.rule(inline, site));
            }
        }
    }

    /// Inline `ingress`/`egress` statements of a group or a NACL. A plan lists them as a set
    /// in its own order, so each is paired with the source block whose literal ports and
    /// protocol agree with it (a `dynamic` block matches anything).
    pub(super) fn inline(&self, direction: Direction) -> Vec<Fields<'_, 'p, 'b, 'a>> {
        let fields = self.fields();
        let name = direction.as_str();
        let planned = fields.planned.get(name).items();
        let blocks: Vec<&SrcBlock> = self.src.map(|block| block.nested(name)).unwrap_or_default();
        let config = fields.config.and_then(|config| json::get(config, name));
        // Statements written as `ingress = [{...}]` rather than as blocks point at the whole
        // list: the plan's set order need not be the source order.
        let attribute = self.src.and_then(|block| block.attrs.get(name));
        let mut used = vec![false; blocks.len()];
        planned
            .into_iter()
            .map(|item| {
                let chosen = best_block(&blocks, &used, item);
                if let Some(index) = chosen
                    && let Some(slot) = used.get_mut(index)
                    && blocks.get(index).is_some_and(|block| !block.dynamic)
                {
                    *slot = true;
                }
                let block_config = match (chosen, config) {
                    (Some(index), Some(config @ Json::Array(_))) => json::items(config).get(index),
                    _ => None,
                };
                Fields {
                    res: self,
                    planned: item,
                    src: chosen.and_then(|index| blocks.get(index).copied()),
                    config: block_config,
                    configured: block_config.is_some(),
                    fallback: attribute
                        .map(|expr| expr.span)
                        .or(self.src.map(|block| block.span)),
                }
            })
            .collect()
    }

    pub(super) fn rule(&self, fields: Fields<'_, '_, '_, '_>, site: RuleSite) -> SgRule {
        let protocol = fields
            .first(&["protocol", "ip_protocol"])
            .and_then(|attr| attr.value(protocol))
            .unwrap_or_else(|| Value::unknown("protocol is not set", site.span));
        SgRule {
            id: site.id,
            resource: self.address(),
            group: site.group,
            direction: site.direction,
            protocol,
            from_port: fields.attr("from_port").value(json::to_i64),
            to_port: fields.attr("to_port").value(json::to_i64),
            peers: peers(fields),
            // A plan writes `""` for a statement without a description.
            description: fields
                .attr("description")
                .value(json::to_text)
                .filter(|value| value.known_value().is_none_or(|text| !text.is_empty())),
            span: site.span,
            assumptions: Vec::new(),
        }
    }

    pub(super) fn standalone_rule(&self, direction: Direction, inventory: &mut Inventory) {
        let group = self
            .fields()
            .attr("security_group_id")
            .link_one(GROUP_TYPES, "security_group_id");
        let site = RuleSite {
            id: self.address(),
            group,
            direction,
            span: self.span(),
        };
        inventory.rules.push(self.rule(self.fields(), site));
    }

    pub(super) fn attachment(&self, spec: &AttachmentSpec) -> Attachment {
        let fields = self.fields();
        let collect = |paths: &[&str], targets: &[&str]| -> Vec<Value<String>> {
            paths
                .iter()
                .flat_map(|path| fields.path(path))
                .flat_map(|attr| attr.link(targets))
                .collect()
        };
        let at_block = self.name_span();
        let flag = |path: &str| {
            fields
                .path(path)
                .into_iter()
                .find(|attr| attr.is_set())
                .and_then(|attr| attr.value(json::to_bool))
        };
        let from_flag = |value: Value<bool>, when_true: Reachability, when_false: Reachability| {
            value.map(|flag| if flag { when_true } else { when_false })
        };
        let fixed = |reach: Reachability| Value::known(reach, at_block);
        let reachability = match spec.reach {
            Reach::PublicIp(path) | Reach::PublicIpOrDefaultVpc(path, _) => flag(path).map_or_else(
                || fixed(Reachability::ViaSubnet),
                |value| from_flag(value, Reachability::Public, Reachability::Private),
            ),
            Reach::Flag(path, default) => flag(path).map_or_else(
                || {
                    fixed(if default {
                        Reachability::Public
                    } else {
                        Reachability::Private
                    })
                },
                |value| from_flag(value, Reachability::Public, Reachability::Private),
            ),
            Reach::Internal => flag("internal").map_or_else(
                || fixed(Reachability::Public),
                |value| from_flag(value, Reachability::Private, Reachability::Public),
            ),
            Reach::Always(reach) => fixed(reach),
        };
        Attachment {
            id: self.address(),
            kind: self.instance.kind.clone(),
            role: spec.role,
            groups: collect(spec.groups, GROUP_TYPES),
            reachability,
            subnets: collect(spec.subnets, SUBNET_TYPES),
            span: self.span(),
            name_span: self.name_span(),
            construct_path: None,
            assumptions: Vec::new(),
            forwards_traffic: flag("source_dest_check")
                .filter(|value| value.known_value() == Some(&false))
                .map(|value| value.span()),
        }
    }
}

/// The index of the unused source block that best agrees with a planned statement.
pub(super) fn best_block(
    blocks: &[&SrcBlock],
    used: &[bool],
    planned: Planned<'_, '_>,
) -> Option<usize> {
    let mut best: Option<(i32, usize)> = None;
    for (index, block) in blocks.iter().enumerate() {
        if used.get(index).copied().unwrap_or(true) {
            continue;
        }
        let Some(score) = agreement(block, planned) else {
            continue;
        };
        if best.is_none_or(|(best_score, _)| score > best_score) {
            best = Some((score, index));
        }
    }
    best.map(|(_, index)| index)
}

/// How many literal attributes of a source block equal the planned ones; `None` when one
/// differs. A dynamic block agrees with anything, below any static block.
pub(super) fn agreement(block: &SrcBlock, planned: Planned<'_, '_>) -> Option<i32> {
    if block.dynamic {
        return Some(-1);
    }
    let mut score = 0;
    for name in ["from_port", "to_port", "protocol", "rule_no", "action"] {
        let Some(literal) = block
            .attrs
            .get(name)
            .and_then(|expr| expr.literal.as_deref())
        else {
            continue;
        };
        let Some(value) = planned
            .get(name)
            .value
            .and_then(|value| json::to_text(value).ok())
        else {
            continue;
        };
        let same = if name == "protocol" {
            Protocol::parse(literal).is_some()
                && Protocol::parse(literal) == Protocol::parse(&value)
        } else {
            literal.eq_ignore_ascii_case(&value)
        };
        if !same {
            return None;
        }
        score += 1;
    }
    Some(score)
}

pub(super) fn peers(fields: Fields<'_, '_, '_, '_>) -> Vec<Peer> {
    let mut out = Vec::new();
    for name in CIDR_LIST_ATTRS.iter().chain(CIDR_ATTRS) {
        out.extend(fields.attr(name).values(cidr).into_iter().map(Peer::Cidr));
    }
    for name in GROUP_ATTRS {
        out.extend(
            fields
                .attr(name)
                .link(GROUP_TYPES)
                .into_iter()
                .map(Peer::SecurityGroup),
        );
    }
    for name in PREFIX_ATTRS {
        out.extend(
            fields
                .attr(name)
                .values(json::to_text)
                .into_iter()
                .map(Peer::PrefixList),
        );
    }
    if let Some(value) = fields.attr("self").value(json::to_bool) {
        match value {
            Value::Known {
                value: true, span, ..
            } => out.push(Peer::SelfGroup(span)),
            Value::Known { .. } => {}
            Value::Unknown { reason, span, via } => out.push(Peer::SecurityGroup(
                Value::unknown(format!("whether self applies is unknown: {reason}"), span)
                    .with_via(via),
            )),
        }
    }
    out
}

pub(super) struct RuleSite {
    pub(super) id: String,
    pub(super) group: Value<String>,
    pub(super) direction: Direction,
    pub(super) span: Span,
}
