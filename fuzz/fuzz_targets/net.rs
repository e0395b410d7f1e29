#![no_main]
//! The CIDR and port algebra against a brute-force model: rules are inserted into a
//! `TrafficSet`, then probe points (protocol, port, address), many of them on the edges of the
//! rules' networks, must be open exactly when some rule allows them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use portcullis_net::{AddrSet, Cidr, IpNet, PortRange, Protocol, TrafficSet};

#[derive(Arbitrary, Debug)]
struct RuleInput {
    protocol: String,
    from: Option<i64>,
    to: Option<i64>,
    ipv6: bool,
    address: [u8; 16],
    prefix: u8,
}

#[derive(Arbitrary, Debug)]
struct Probe {
    protocol: u8,
    port: u16,
    rule: u8,
    /// 0: network start, 1: end, 2: before the start, 3: after the end, else `address`.
    edge: u8,
    address: [u8; 16],
}

#[derive(Arbitrary, Debug)]
struct Input {
    texts: Vec<String>,
    rules: Vec<RuleInput>,
    probes: Vec<Probe>,
}

struct Rule {
    protocol: Protocol,
    ports: PortRange,
    net: IpNet,
}

fn address(ipv6: bool, bytes: [u8; 16]) -> IpAddr {
    if ipv6 {
        IpAddr::V6(Ipv6Addr::from(bytes))
    } else {
        IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]))
    }
}

fn step(addr: IpAddr, forward: bool) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => {
            let n = u32::from(v4);
            IpAddr::V4(Ipv4Addr::from(if forward {
                n.wrapping_add(1)
            } else {
                n.wrapping_sub(1)
            }))
        }
        IpAddr::V6(v6) => {
            let n = u128::from(v6);
            IpAddr::V6(Ipv6Addr::from(if forward {
                n.wrapping_add(1)
            } else {
                n.wrapping_sub(1)
            }))
        }
    }
}

const PROTOCOLS: [Protocol; 6] = [
    Protocol::All,
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Number(50),
];

fn check_text(text: &str) {
    if let Ok(cidr) = Cidr::parse(text) {
        let again = Cidr::parse(&cidr.to_string()).expect("a parsed CIDR prints as a CIDR");
        assert_eq!(again.net, cidr.net);
        assert!(again.canonical);
    }
    if let Some(protocol) = Protocol::parse(text) {
        assert_eq!(Protocol::parse(&protocol.name()), Some(protocol));
    }
}

fuzz_target!(|input: Input| {
    for text in &input.texts {
        check_text(text);
    }
    let mut rules = Vec::new();
    let mut traffic = TrafficSet::new();
    for rule in input.rules.iter().take(16) {
        check_text(&rule.protocol);
        let Some(protocol) = Protocol::parse(&rule.protocol) else {
            continue;
        };
        let Ok(ports) = protocol.port_range(rule.from, rule.to) else {
            continue;
        };
        let max = if rule.ipv6 { 128 } else { 32 };
        let text = format!(
            "{}/{}",
            address(rule.ipv6, rule.address),
            rule.prefix % (max + 1)
        );
        let cidr = Cidr::parse(&text).expect("an address with a prefix in range is a CIDR");
        let addrs = AddrSet::from_net(cidr.net);
        // The minimal CIDR list of a single network is that network.
        assert_eq!(addrs.to_cidrs(), vec![cidr.net]);
        let _ = addrs.reach();
        traffic.insert(protocol, ports, &addrs);
        rules.push(Rule {
            protocol,
            ports,
            net: cidr.net,
        });
    }
    for probe in input.probes.iter().take(64) {
        let protocol = PROTOCOLS[usize::from(probe.protocol) % PROTOCOLS.len()];
        let port = if protocol.is_icmp() {
            probe.port % 256
        } else {
            probe.port
        };
        let addr = match rules.get(usize::from(probe.rule) % rules.len().max(1)) {
            Some(rule) if probe.edge < 4 => match probe.edge {
                0 => rule.net.network(),
                1 => rule.net.broadcast(),
                2 => step(rule.net.network(), false),
                _ => step(rule.net.broadcast(), true),
            },
            _ => address(probe.address[15] % 2 == 1, probe.address),
        };
        let expected = rules.iter().any(|rule| {
            (rule.protocol == protocol || rule.protocol == Protocol::All)
                && rule.ports.contains(port)
                && rule.net.contains(&addr)
        });
        let segments = traffic.segments(protocol, PortRange::single(port));
        assert_eq!(segments.len(), 1);
        assert_eq!(
            segments[0].addrs.contains(addr),
            expected,
            "{protocol} {port} {addr}"
        );
    }
    // Whole-domain queries tile the domain, and neighbouring segments differ.
    for protocol in PROTOCOLS {
        let domain = if protocol.is_icmp() {
            PortRange::ICMP_ALL
        } else {
            PortRange::ALL
        };
        let segments = traffic.segments(protocol, domain);
        assert_eq!(segments.first().map(|s| s.ports.from), Some(domain.from));
        assert_eq!(segments.last().map(|s| s.ports.to), Some(domain.to));
        for pair in segments.windows(2) {
            assert_eq!(
                u32::from(pair[0].ports.to) + 1,
                u32::from(pair[1].ports.from)
            );
            assert_ne!(pair[0].addrs, pair[1].addrs);
        }
    }
});
