//! Network ACL evaluation: entries in rule-number order, first match wins, implicit deny.

use std::collections::BTreeMap;

use portcullis_ir::{Direction, Inventory, NaclAction, NaclEntry};
use portcullis_net::{AddrSet, PortRange, Protocol};

/// What an ACL lets through on one protocol and port.
pub struct NaclVerdict<'a> {
    pub allowed: AddrSet,
    /// Allow entries that let public addresses through, with what each added.
    pub contributors: Vec<(&'a NaclEntry, AddrSet)>,
    /// Whether an entry could not be evaluated (unknown number, action, protocol or CIDR).
    pub uncertain: bool,
}

/// The protocol and ports (ICMP types for ICMP) an entry matches, when they are known.
pub fn entry_traffic(entry: &NaclEntry) -> Option<(Protocol, PortRange)> {
    let protocol = *entry.protocol.known_value()?;
    let number = |value: &Option<portcullis_ir::Value<i64>>| {
        value
            .as_ref()
            .and_then(|value| value.known_value().copied())
    };
    let ports = protocol
        .port_range(number(&entry.from_port), number(&entry.to_port))
        .ok()?;
    Some((protocol, ports))
}

fn entry_matches(entry: &NaclEntry, protocol: Protocol, port: u16) -> Option<bool> {
    let (entry_protocol, ports) = entry_traffic(entry)?;
    if entry_protocol != Protocol::All && entry_protocol != protocol {
        return Some(false);
    }
    Some(ports.contains(port))
}

/// ACL id → direction → entries in rule-number order, and whether an entry had no known number.
pub type AclIndex<'a> = BTreeMap<&'a str, BTreeMap<Direction, (Vec<(i64, &'a NaclEntry)>, bool)>>;

/// Every ACL's entries per direction, sorted by rule number; entries with an unknown number are
/// left out and mark their list uncertain.
pub fn index(inventory: &Inventory) -> AclIndex<'_> {
    let mut index = AclIndex::new();
    for entry in &inventory.nacl_entries {
        let Some(acl) = entry.acl.known_value() else {
            continue;
        };
        let slot = index
            .entry(acl.as_str())
            .or_default()
            .entry(entry.direction)
            .or_default();
        match entry.rule_number.known_value() {
            Some(number) => slot.0.push((*number, entry)),
            None => slot.1 = true,
        }
    }
    for (entries, _) in index.values_mut().flat_map(BTreeMap::values_mut) {
        entries.sort_by_key(|(number, entry)| (*number, entry.span));
    }
    index
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
