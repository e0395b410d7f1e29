//! Resources that use security groups, and the links only one side of them shows.

use std::collections::{BTreeMap, BTreeSet};

use portcullis_ir::{Attachment, Inventory, Listener, Peer, Reachability, Value};
use portcullis_terraform_core::schema::{AttachmentSpec, Links, Reach};

use super::resource::Resource;
use super::values::{strings_of, text, unknown_required};
use crate::value::V;

pub(super) fn attachment(
    kind: &str,
    spec: &AttachmentSpec,
    resource: &Resource<'_, '_>,
) -> Attachment {
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

/// The `listener` blocks of a classic load balancer: clients connect to `lb_port`.
pub(super) fn classic_listeners(resource: &Resource<'_, '_>, inventory: &mut Inventory) {
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

/// Records an Elastic IP's network interface or an Aurora instance's cluster; false for any
/// other resource type. An Aurora instance is still extracted as an attachment (false).
pub(super) fn record_link(links: &mut Links, kind: &str, resource: &Resource<'_, '_>) -> bool {
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

/// `security_groups` of an instance (and of a rule, in a default VPC) may name groups by
/// `name` rather than id: a name that one group of the configuration has becomes its id.
pub(super) fn link_group_names(inventory: &mut Inventory) {
    let mut by_name: BTreeMap<String, Option<String>> = BTreeMap::new();
    for group in &inventory.security_groups {
        if let Some(name) = group.name.as_ref().and_then(Value::known_value) {
            by_name
                .entry(name.clone())
                .and_modify(|id| *id = None)
                .or_insert_with(|| Some(group.id.clone()));
        }
    }
    let ids: BTreeSet<String> = inventory
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
