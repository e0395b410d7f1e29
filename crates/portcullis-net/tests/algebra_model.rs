#![allow(clippy::unwrap_used)]
//! The exposure algebra against a brute-force model on a small universe: 16 ports and the
//! 256 addresses of 198.51.100.0/24 (plus one address outside it).

use std::net::{IpAddr, Ipv4Addr};

use portcullis_net::{AddrSet, Cidr, PortRange, Protocol, TrafficSet};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct ModelRule {
    protocol: Protocol,
    ports: PortRange,
    cidr: Cidr,
}

fn protocol() -> impl Strategy<Value = Protocol> {
    prop_oneof![
        Just(Protocol::Tcp),
        Just(Protocol::Udp),
        Just(Protocol::All)
    ]
}

fn rule() -> impl Strategy<Value = ModelRule> {
    (protocol(), 0u16..16, 0u16..16, 0u8..=255, 24u8..=32).prop_map(
        |(protocol, a, b, host, prefix)| {
            let cidr = Cidr::parse(&format!("198.51.100.{host}/{prefix}")).unwrap();
            let ports = protocol
                .port_range(Some(i64::from(a.min(b)) + 1), Some(i64::from(a.max(b)) + 1))
                .unwrap();
            ModelRule {
                protocol,
                ports,
                cidr,
            }
        },
    )
}

fn model_allows(rules: &[ModelRule], protocol: Protocol, port: u16, addr: IpAddr) -> bool {
    rules.iter().any(|rule| {
        (rule.protocol == protocol || rule.protocol == Protocol::All)
            && rule.ports.contains(port)
            && rule.cidr.net.contains(&addr)
    })
}

proptest! {
    #[test]
    fn segments_match_brute_force(rules in prop::collection::vec(rule(), 0..8), query_tcp in any::<bool>()) {
        let mut traffic = TrafficSet::new();
        for rule in &rules {
            traffic.insert(rule.protocol, rule.ports, &AddrSet::from_net(rule.cidr.net));
        }
        let protocol = if query_tcp { Protocol::Tcp } else { Protocol::Udp };
        let query = PortRange::new(0, 20);
        let segments = traffic.segments(protocol, query);
        // The segments tile the query range without gaps.
        prop_assert_eq!(segments.first().map(|s| s.ports.from), Some(0));
        prop_assert_eq!(segments.last().map(|s| s.ports.to), Some(20));
        for pair in segments.windows(2) {
            prop_assert_eq!(pair[0].ports.to + 1, pair[1].ports.from);
            prop_assert_ne!(&pair[0].addrs, &pair[1].addrs);
        }
        let universe = (0..=255u8).map(|host| IpAddr::V4(Ipv4Addr::new(198, 51, 100, host)))
            .chain([IpAddr::V4(Ipv4Addr::new(198, 51, 101, 0))]);
        for addr in universe {
            for segment in &segments {
                for port in segment.ports.from..=segment.ports.to {
                    prop_assert_eq!(
                        segment.addrs.contains(addr),
                        model_allows(&rules, protocol, port, addr),
                        "port {} addr {}", port, addr
                    );
                }
            }
        }
    }

    #[test]
    fn union_covers_net_iff_every_address_is_covered(rules in prop::collection::vec(rule(), 0..8), prefix in 24u8..=30) {
        let mut set = AddrSet::new();
        for rule in &rules {
            set.insert(rule.cidr.net);
        }
        let target = Cidr::parse(&format!("198.51.100.0/{prefix}")).unwrap().net;
        let brute = target.hosts_all().all(|addr| rules.iter().any(|r| r.cidr.net.contains(&addr)));
        prop_assert_eq!(set.contains_net(target), brute);
    }
}

trait AllHosts {
    fn hosts_all(&self) -> Box<dyn Iterator<Item = IpAddr>>;
}

impl AllHosts for portcullis_net::IpNet {
    fn hosts_all(&self) -> Box<dyn Iterator<Item = IpAddr>> {
        match self {
            portcullis_net::IpNet::V4(net) => {
                let (start, end) = (u32::from(net.network()), u32::from(net.broadcast()));
                Box::new((start..=end).map(|n| IpAddr::V4(Ipv4Addr::from(n))))
            }
            portcullis_net::IpNet::V6(_) => Box::new(std::iter::empty()),
        }
    }
}
