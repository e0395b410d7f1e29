//! Throughput of the exposure algebra: `TrafficSet` inserts and segment queries over many
//! rules, and `AddrSet::reach` over sets built from many CIDRs. Inputs are generated here
//! from a fixed seed, so every run measures the same work.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use portcullis_net::{AddrSet, Cidr, IpNet, PortRange, Protocol, TrafficSet};

/// A small deterministic generator (64-bit LCG, the high bits), so the bench needs no `rand`.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }

    fn below(&mut self, bound: u32) -> u32 {
        self.next() % bound
    }
}

/// A CIDR shaped like the peers of real rules: mostly private and office ranges, some public
/// /8-/32 blocks, some IPv6, and now and then the whole internet.
fn cidr(rng: &mut Lcg) -> IpNet {
    let text = match rng.below(20) {
        0 => "0.0.0.0/0".to_owned(),
        1 => "::/0".to_owned(),
        2 => format!("2600:1f18:{:x}::/{}", rng.below(0xffff), 32 + rng.below(33)),
        3..=7 => format!(
            "10.{}.{}.0/{}",
            rng.below(256),
            rng.below(256),
            16 + rng.below(9)
        ),
        _ => format!(
            "{}.{}.{}.{}/{}",
            1 + rng.below(223),
            rng.below(256),
            rng.below(256),
            rng.below(256),
            8 + rng.below(25)
        ),
    };
    Cidr::parse(&text).expect("generated CIDR").net
}

/// One rule: protocol, port range, peer set.
fn rule(rng: &mut Lcg) -> (Protocol, PortRange, AddrSet) {
    const PORTS: [u16; 12] = [
        22, 80, 443, 3306, 3389, 5432, 6379, 8080, 9200, 2049, 53, 123,
    ];
    let (protocol, ports) = match rng.below(10) {
        0 => (Protocol::All, PortRange::ALL),
        1 => (
            Protocol::Udp,
            PortRange::single(PORTS[rng.below(12) as usize]),
        ),
        2 => (Protocol::Icmp, PortRange::ICMP_ALL),
        3 => {
            let from = rng.below(60_000) as u16;
            (
                Protocol::Tcp,
                PortRange::new(from, from + rng.below(1_000) as u16),
            )
        }
        _ => (
            Protocol::Tcp,
            PortRange::single(PORTS[rng.below(12) as usize]),
        ),
    };
    let mut addrs = AddrSet::new();
    for _ in 0..=rng.below(3) {
        addrs.insert(cidr(rng));
    }
    (protocol, ports, addrs)
}

fn rules(count: usize) -> Vec<(Protocol, PortRange, AddrSet)> {
    let mut rng = Lcg(2);
    (0..count).map(|_| rule(&mut rng)).collect()
}

fn traffic_of(rules: &[(Protocol, PortRange, AddrSet)]) -> TrafficSet {
    let mut traffic = TrafficSet::new();
    for (protocol, ports, addrs) in rules {
        traffic.insert(*protocol, *ports, addrs);
    }
    traffic
}

/// Inserting the rules of one security group (10), a large group (100) and a whole account (1,000)
/// into one traffic set.
fn traffic_insert(c: &mut Criterion) {
    let mut group = c.benchmark_group("TrafficSet::insert");
    for count in [10, 100, 1_000] {
        let input = rules(count);
        group.throughput(Throughput::Elements(count as u64));
        group.bench_with_input(BenchmarkId::from_parameter(count), &input, |b, input| {
            b.iter(|| traffic_of(black_box(input)));
        });
    }
    group.finish();
}

/// What the checks ask of a traffic set: the segments of every sensitive port, and of all ports,
/// for tcp and udp, each segment's reach.
fn traffic_segments(c: &mut Criterion) {
    const QUERIES: [(Protocol, PortRange); 8] = [
        (Protocol::Tcp, PortRange::single(22)),
        (Protocol::Tcp, PortRange::single(3389)),
        (Protocol::Tcp, PortRange::new(1521, 1522)),
        (Protocol::Tcp, PortRange::new(27017, 27019)),
        (Protocol::Udp, PortRange::single(53)),
        (Protocol::Udp, PortRange::new(137, 139)),
        (Protocol::Tcp, PortRange::ALL),
        (Protocol::Udp, PortRange::ALL),
    ];
    let mut group = c.benchmark_group("TrafficSet::segments+reach");
    for count in [10, 100, 1_000] {
        let traffic = traffic_of(&rules(count));
        group.throughput(Throughput::Elements(QUERIES.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(count),
            &traffic,
            |b, traffic| {
                b.iter(|| {
                    let mut reaches = 0usize;
                    for (protocol, ports) in QUERIES {
                        for segment in black_box(traffic).segments(protocol, ports) {
                            reaches += segment.addrs.reach() as usize;
                        }
                    }
                    reaches
                });
            },
        );
    }
    group.finish();
}

/// `AddrSet::reach` on the union of many CIDRs (the peers of every rule of a large account),
/// with and without the internet among them, and the cost of building the union.
fn addr_reach(c: &mut Criterion) {
    let mut group = c.benchmark_group("AddrSet");
    for count in [100, 1_000, 10_000] {
        let mut rng = Lcg(7);
        let nets: Vec<IpNet> = (0..count)
            .map(|_| cidr(&mut rng))
            .filter(|net| net.prefix_len() > 0)
            .collect();
        let mut set = AddrSet::new();
        for net in &nets {
            set.insert(*net);
        }
        group.throughput(Throughput::Elements(nets.len() as u64));
        group.bench_with_input(BenchmarkId::new("insert", count), &nets, |b, nets| {
            b.iter(|| {
                let mut set = AddrSet::new();
                for net in black_box(nets) {
                    set.insert(*net);
                }
                set
            });
        });
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::new("reach", count), &set, |b, set| {
            b.iter(|| black_box(set).reach());
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = traffic_insert, traffic_segments, addr_reach
}
criterion_main!(benches);
