use std::collections::BTreeMap;

use crate::{AddrSet, PortRange, Protocol};

/// A piece of a traffic set: every port in `ports` is open to exactly `addrs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub ports: PortRange,
    pub addrs: AddrSet,
}

/// The traffic a set of rules allows: for each protocol, a piecewise-constant map from port
/// (ICMP type for ICMP) to the set of peer addresses.
///
/// Rules of protocol `all` live under [`Protocol::All`] and apply to every protocol on query.
#[derive(Clone, Debug, Default)]
pub struct TrafficSet {
    maps: BTreeMap<Protocol, SegmentMap>,
}

impl TrafficSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds what one rule allows. `ports` must come from [`Protocol::port_range`].
    pub fn insert(&mut self, protocol: Protocol, ports: PortRange, addrs: &AddrSet) {
        if addrs.is_empty() {
            return;
        }
        self.maps
            .entry(protocol)
            .or_insert_with(|| SegmentMap::new(protocol))
            .insert(ports, addrs);
    }

    /// The addresses that reach each port of `ports` over `protocol`, including rules of
    /// protocol `all`; adjacent ports with the same addresses are merged. Ports that no rule
    /// opens appear with an empty set, so the segments always tile `ports`.
    pub fn segments(&self, protocol: Protocol, ports: PortRange) -> Vec<Segment> {
        // Rules of protocol `all` open every port: their addresses are added to every segment
        // of the answer (not to a copy of the whole map, which checks would make per query).
        let all = self
            .maps
            .get(&Protocol::All)
            .filter(|_| protocol != Protocol::All)
            .map(SegmentMap::union_of_all)
            .filter(|all| !all.is_empty());
        match self.maps.get(&protocol) {
            Some(map) => map.query(ports, all.as_ref()),
            None => SegmentMap::new(protocol).query(ports, all.as_ref()),
        }
    }

    /// Every protocol that some rule names, `all` included, in a stable order.
    pub fn protocols(&self) -> impl Iterator<Item = Protocol> + '_ {
        self.maps.keys().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.maps.is_empty()
    }
}

/// A tiling of one protocol's port domain into segments, sorted by start.
#[derive(Clone, Debug)]
struct SegmentMap {
    domain: PortRange,
    starts: Vec<(u16, AddrSet)>,
}

impl SegmentMap {
    fn new(protocol: Protocol) -> Self {
        let domain = if protocol.is_icmp() {
            PortRange::ICMP_ALL
        } else {
            PortRange::ALL
        };
        Self {
            domain,
            starts: vec![(0, AddrSet::new())],
        }
    }

    /// Makes `at` the start of a segment.
    fn split_at(&mut self, at: u16) {
        let index = self.starts.partition_point(|(start, _)| *start <= at);
        // index >= 1 because the first segment starts at 0.
        let containing = index.saturating_sub(1);
        if self.starts[containing].0 != at {
            let copy = self.starts[containing].1.clone();
            self.starts.insert(index, (at, copy));
        }
    }

    fn insert(&mut self, ports: PortRange, addrs: &AddrSet) {
        let Some(ports) = ports.intersect(self.domain) else {
            return;
        };
        self.split_at(ports.from);
        if ports.to < self.domain.to {
            self.split_at(ports.to + 1);
        }
        for (start, set) in &mut self.starts {
            if ports.contains(*start) {
                set.union_with(addrs);
            }
        }
    }

    fn end_of(&self, index: usize) -> u16 {
        self.starts
            .get(index + 1)
            .map_or(self.domain.to, |(next, _)| next - 1)
    }

    fn union_of_all(&self) -> AddrSet {
        let mut all = AddrSet::new();
        for (_, set) in &self.starts {
            all.union_with(set);
        }
        all
    }

    /// The segments over `ports`, each set with `extra` added; adjacent equal sets merged.
    fn query(&self, ports: PortRange, extra: Option<&AddrSet>) -> Vec<Segment> {
        let mut out: Vec<Segment> = Vec::new();
        let Some(ports) = ports.intersect(self.domain) else {
            return out;
        };
        // The segment holding `ports.from`, then the following ones up to `ports.to`.
        let first = self
            .starts
            .partition_point(|(start, _)| *start <= ports.from)
            .saturating_sub(1);
        for (index, (start, set)) in self.starts.iter().enumerate().skip(first) {
            if *start > ports.to {
                break;
            }
            let piece = PortRange::new(*start, self.end_of(index));
            let Some(clipped) = piece.intersect(ports) else {
                continue;
            };
            let set = match extra {
                Some(extra) => std::borrow::Cow::Owned(set.union(extra)),
                None => std::borrow::Cow::Borrowed(set),
            };
            match out.last_mut() {
                Some(last) if last.addrs == *set => last.ports.to = clipped.to,
                _ => out.push(Segment {
                    ports: clipped,
                    addrs: set.into_owned(),
                }),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cidr, Reach};

    fn addrs(cidr: &str) -> AddrSet {
        AddrSet::from_net(Cidr::parse(cidr).unwrap().net)
    }

    #[test]
    fn union_across_rules_reaches_the_internet() {
        let mut traffic = TrafficSet::new();
        traffic.insert(Protocol::Tcp, PortRange::single(22), &addrs("0.0.0.0/1"));
        traffic.insert(Protocol::Tcp, PortRange::new(20, 30), &addrs("128.0.0.0/1"));
        let segments = traffic.segments(Protocol::Tcp, PortRange::single(22));
        assert_eq!(segments.len(), 1);
        assert_eq!(segments[0].addrs.reach(), Reach::Internet);
        let around = traffic.segments(Protocol::Tcp, PortRange::new(20, 30));
        let reaches: Vec<_> = around.iter().map(|s| (s.ports, s.addrs.reach())).collect();
        assert_eq!(
            reaches,
            vec![
                (PortRange::new(20, 21), Reach::Broad),
                (PortRange::single(22), Reach::Internet),
                (PortRange::new(23, 30), Reach::Broad),
            ]
        );
    }

    #[test]
    fn protocol_all_applies_to_every_protocol() {
        let mut traffic = TrafficSet::new();
        traffic.insert(Protocol::All, PortRange::ALL, &addrs("0.0.0.0/0"));
        for protocol in [
            Protocol::Tcp,
            Protocol::Udp,
            Protocol::Icmp,
            Protocol::Number(47),
        ] {
            let segments = traffic.segments(protocol, PortRange::single(3));
            assert_eq!(segments[0].addrs.reach(), Reach::Internet, "{protocol}");
        }
    }

    #[test]
    fn udp_rule_does_not_open_tcp() {
        let mut traffic = TrafficSet::new();
        traffic.insert(Protocol::Udp, PortRange::single(22), &addrs("0.0.0.0/0"));
        let tcp = traffic.segments(Protocol::Tcp, PortRange::single(22));
        assert_eq!(tcp[0].addrs.reach(), Reach::Private);
    }
}
