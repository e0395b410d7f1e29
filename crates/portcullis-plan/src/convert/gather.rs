//! Which resource instances a plan holds: the managed ones of `planned_values` (or of
//! `resource_changes`), minus those being deleted.

use std::collections::BTreeMap;

use crate::address::join;
use crate::json::{self, Json, Planned};

/// One planned managed resource instance.
pub struct Instance<'b, 'a> {
    pub address: String,
    /// The module instance address (`module.sg["web"]`), empty in the root module.
    pub(super) module: String,
    pub(super) kind: String,
    pub(super) name: String,
    /// The instance key as written in the address (`[0]`, `["web"]`), or empty.
    pub(super) key: String,
    pub(super) values: Planned<'b, 'a>,
    /// The resource object in the plan, for plan spans.
    pub(super) node: &'b Json<'a>,
}

/// The managed resources of `planned_values` (or, without it, of `resource_changes`), minus
/// those being deleted.
pub fn gather<'b, 'a>(root: &'b Json<'a>) -> Vec<Instance<'b, 'a>> {
    // A deposed object (create_before_destroy) shares the address of its replacement; its
    // deletion says nothing about the resource that stays.
    let current: Vec<&'b Json<'a>> = json::get(root, "resource_changes")
        .map(json::items)
        .unwrap_or_default()
        .iter()
        .filter(|change| {
            json::str_at(change, "mode").is_none_or(|mode| mode == "managed")
                && json::get(change, "deposed").is_none()
        })
        .collect();
    let changes: BTreeMap<&str, &'b Json<'a>> = current
        .iter()
        .filter_map(|resource| {
            Some((
                json::str_at(resource, "address")?,
                json::get(resource, "change")?,
            ))
        })
        .collect();
    let deleted = |address: &str| {
        changes.get(address).is_some_and(|change| {
            let actions: Vec<&str> = json::get(change, "actions")
                .map(json::items)
                .unwrap_or_default()
                .iter()
                .filter_map(json::as_str)
                .collect();
            actions == ["delete"]
        })
    };
    let mut out = Vec::new();
    if let Some(module) =
        json::get(root, "planned_values").and_then(|p| json::get(p, "root_module"))
    {
        walk_module(module, "", &changes, &mut out);
    } else {
        for resource in current {
            let Some(change) = json::get(resource, "change") else {
                continue;
            };
            let Some(after) =
                json::get(change, "after").filter(|after| !matches!(after, Json::NullKeyword(_)))
            else {
                continue;
            };
            let module = json::str_at(resource, "module_address").unwrap_or("");
            let values = Planned::new(
                after,
                json::get(change, "after_unknown"),
                json::get(change, "after_sensitive"),
            );
            if let Some(instance) = instance(resource, module, values) {
                out.push(instance);
            }
        }
    }
    out.retain(|instance| !deleted(&instance.address));
    out.sort_by(|a, b| a.address.cmp(&b.address));
    out.dedup_by(|a, b| a.address == b.address);
    out
}

pub(super) fn walk_module<'b, 'a>(
    module: &'b Json<'a>,
    address: &str,
    changes: &BTreeMap<&str, &'b Json<'a>>,
    out: &mut Vec<Instance<'b, 'a>>,
) {
    for resource in json::get(module, "resources")
        .map(json::items)
        .unwrap_or_default()
    {
        if json::str_at(resource, "mode").is_some_and(|mode| mode != "managed") {
            continue;
        }
        let Some(values) = json::get(resource, "values") else {
            continue;
        };
        let change = json::str_at(resource, "address").and_then(|address| changes.get(address));
        let unknown = change.and_then(|change| json::get(change, "after_unknown"));
        let sensitive = json::get(resource, "sensitive_values")
            .or_else(|| change.and_then(|change| json::get(change, "after_sensitive")));
        if let Some(instance) =
            instance(resource, address, Planned::new(values, unknown, sensitive))
        {
            out.push(instance);
        }
    }
    for child in json::get(module, "child_modules")
        .map(json::items)
        .unwrap_or_default()
    {
        let child_address = json::str_at(child, "address").unwrap_or(address);
        walk_module(child, child_address, changes, out);
    }
}

pub(super) fn instance<'b, 'a>(
    resource: &'b Json<'a>,
    module: &str,
    values: Planned<'b, 'a>,
) -> Option<Instance<'b, 'a>> {
    let address = json::str_at(resource, "address")?;
    let kind = json::str_at(resource, "type")?;
    let name = json::str_at(resource, "name")?;
    let base = join(module, &format!("{kind}.{name}"));
    let key = address.strip_prefix(&base).unwrap_or("").to_owned();
    Some(Instance {
        address: address.to_owned(),
        module: module.to_owned(),
        kind: kind.to_owned(),
        name: name.to_owned(),
        key,
        values,
        node: resource,
    })
}
