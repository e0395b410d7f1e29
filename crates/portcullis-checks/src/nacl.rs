//! Network ACL evaluation: entries in rule-number order, first match wins, implicit deny.

use portcullis_ir::{Direction, Inventory, NaclAction, NaclEntry};
use portcullis_net::{AddrSet, Protocol};

/// What an ACL lets through on one protocol and port.
pub struct NaclVerdict<'a> {
    pub allowed: AddrSet,
    /// Allow entries that let public addresses through, with what each added.
    pub contributors: Vec<(&'a NaclEntry, AddrSet)>,
    /// Whether an entry could not be evaluated (unknown number, action, protocol or CIDR).
    pub uncertain: bool,
}

fn entry_matches(entry: &NaclEntry, protocol: Protocol, port: u16) -> Option<bool> {
    let entry_protocol = *entry.protocol.known_value()?;
    if entry_protocol != Protocol::All && entry_protocol != protocol {
        return Some(false);
    }
    let number = |value: &Option<portcullis_ir::Value<i64>>| {
        value
            .as_ref()
            .and_then(|value| value.known_value().copied())
    };
    let ports = entry_protocol
        .port_range(number(&entry.from_port), number(&entry.to_port))
        .ok()?;
    Some(ports.contains(port))
}

/// The entries of one ACL and direction, sorted by rule number; entries with an unknown number
/// are left out and make the verdict uncertain.
pub fn ordered_entries<'a>(
    inventory: &'a Inventory,
    acl: &str,
    direction: Direction,
) -> (Vec<(i64, &'a NaclEntry)>, bool) {
    let mut uncertain = false;
    let mut entries: Vec<(i64, &NaclEntry)> = inventory
        .nacl_entries
        .iter()
        .filter(|entry| {
            entry.direction == direction && entry.acl.known_value().is_some_and(|id| id == acl)
        })
        .filter_map(|entry| {
            let number = entry.rule_number.known_value().copied();
            uncertain |= number.is_none();
            number.map(|number| (number, entry))
        })
        .collect();
    entries.sort_by_key(|(number, entry)| (*number, entry.span));
    (entries, uncertain)
}

pub fn evaluate<'a>(
    entries: &[(i64, &'a NaclEntry)],
    protocol: Protocol,
    port: u16,
) -> NaclVerdict<'a> {
    let mut decided = AddrSet::new();
    let mut verdict = NaclVerdict {
        allowed: AddrSet::new(),
        contributors: Vec::new(),
        uncertain: false,
    };
    for (_, entry) in entries {
        let (Some(matches), Some(action), Some(cidr)) = (
            entry_matches(entry, protocol, port),
            entry.action.known_value(),
            entry.cidr.as_ref().and_then(|cidr| cidr.known_value()),
        ) else {
            verdict.uncertain = true;
            continue;
        };
        if !matches {
            continue;
        }
        let block = AddrSet::from_net(cidr.net);
        if *action == NaclAction::Allow {
            let added = block.difference(&decided);
            if !added.public_part().is_empty() {
                verdict.contributors.push((entry, added.clone()));
            }
            verdict.allowed.union_with(&added);
        }
        decided.union_with(&block);
    }
    verdict
}
