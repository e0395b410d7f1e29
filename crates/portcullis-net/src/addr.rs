use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use range_set_blaze::RangeSetBlaze;

/// A CIDR as written in a rule, with its normalised network.
///
/// `10.0.0.1/8` is accepted (AWS accepts it too) but is not canonical: the network is
/// `10.0.0.0/8`, and checks may report the difference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    pub net: IpNet,
    pub canonical: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CidrError(pub String);

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Cidr {
    /// Parses `a.b.c.d/n` or an IPv6 `x::/n`. A bare address is not a CIDR block.
    pub fn parse(text: &str) -> Result<Self, CidrError> {
        let trimmed = text.trim();
        let written = IpNet::from_str(trimmed).map_err(|_| {
            if IpAddr::from_str(trimmed).is_ok() {
                CidrError(format!("`{trimmed}` is an address without a prefix length"))
            } else {
                CidrError(format!("`{trimmed}` is not a CIDR block"))
            }
        })?;
        let net = written.trunc();
        Ok(Self {
            net,
            canonical: net == written,
        })
    }

    pub fn is_ipv6(&self) -> bool {
        matches!(self.net, IpNet::V6(_))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.net.fmt(f)
    }
}

/// A set of IPv4 and IPv6 addresses, kept as exact ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddrSet {
    v4: RangeSetBlaze<Ipv4Addr>,
    v6: RangeSetBlaze<Ipv6Addr>,
}

/// How much of the internet a set of addresses reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reach {
    /// No public address.
    Private,
    /// Some public addresses, fewer than the broad threshold (a public /32, an office /24).
    Limited,
    /// A large share of the public space (for example `0.0.0.0/1` or a public /8).
    Broad,
    /// Every public IPv4 address or every global IPv6 address.
    Internet,
}

/// Number of public IPv4 addresses from which a peer set counts as broad: a /8.
pub const fn broad_threshold_v4() -> u64 {
    1 << 24
}

/// Number of global IPv6 addresses from which a peer set counts as broad: a /32.
pub const fn broad_threshold_v6() -> u128 {
    1 << 96
}

/// IPv4 special-purpose ranges of RFC 6890 (and its updates) that are not the internet.
const SPECIAL_V4: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

/// The IPv6 internet is the global unicast space, 2000::/3 (RFC 4291); everything else
/// (`::1`, fc00::/7, fe80::/10, multicast, unallocated space) is not reachable from it.
const GLOBAL_V6: &str = "2000::/3";

/// Special-purpose ranges of RFC 6890 inside 2000::/3 that are not the internet.
const SPECIAL_V6: &[&str] = &["2001:2::/48", "2001:db8::/32"];

fn v4_range(net: Ipv4Net) -> std::ops::RangeInclusive<Ipv4Addr> {
    net.network()..=net.broadcast()
}

fn v6_range(net: Ipv6Net) -> std::ops::RangeInclusive<Ipv6Addr> {
    net.network()..=net.broadcast()
}

fn special_v4() -> RangeSetBlaze<Ipv4Addr> {
    SPECIAL_V4
        .iter()
        .filter_map(|text| Ipv4Net::from_str(text).ok())
        .map(v4_range)
        .collect()
}

fn special_v6() -> RangeSetBlaze<Ipv6Addr> {
    SPECIAL_V6
        .iter()
        .filter_map(|text| Ipv6Net::from_str(text).ok())
        .map(v6_range)
        .collect()
}

fn public_v4() -> &'static RangeSetBlaze<Ipv4Addr> {
    static PUBLIC: std::sync::OnceLock<RangeSetBlaze<Ipv4Addr>> = std::sync::OnceLock::new();
    PUBLIC.get_or_init(|| !&special_v4())
}

fn public_v6() -> &'static RangeSetBlaze<Ipv6Addr> {
    static PUBLIC: std::sync::OnceLock<RangeSetBlaze<Ipv6Addr>> = std::sync::OnceLock::new();
    PUBLIC.get_or_init(|| {
        let global: RangeSetBlaze<Ipv6Addr> = Ipv6Net::from_str(GLOBAL_V6)
            .ok()
            .map(v6_range)
            .into_iter()
            .collect();
        &global - &special_v6()
    })
}

impl AddrSet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_net(net: IpNet) -> Self {
        let mut set = Self::new();
        set.insert(net);
        set
    }

    pub fn insert(&mut self, net: IpNet) {
        match net {
            IpNet::V4(net) => {
                self.v4.ranges_insert(v4_range(net));
            }
            IpNet::V6(net) => {
                self.v6.ranges_insert(v6_range(net));
            }
        }
    }

    pub fn union_with(&mut self, other: &Self) {
        if other.is_empty() {
            return;
        }
        self.v4 = &self.v4 | &other.v4;
        self.v6 = &self.v6 | &other.v6;
    }

    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        Self {
            v4: &self.v4 | &other.v4,
            v6: &self.v6 | &other.v6,
        }
    }

    #[must_use]
    pub fn intersection(&self, other: &Self) -> Self {
        Self {
            v4: &self.v4 & &other.v4,
            v6: &self.v6 & &other.v6,
        }
    }

    #[must_use]
    pub fn difference(&self, other: &Self) -> Self {
        Self {
            v4: &self.v4 - &other.v4,
            v6: &self.v6 - &other.v6,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        match addr {
            IpAddr::V4(addr) => self.v4.contains(addr),
            IpAddr::V6(addr) => self.v6.contains(addr),
        }
    }

    /// Whether every address of `net` is in the set.
    pub fn contains_net(&self, net: IpNet) -> bool {
        self.is_superset(&Self::from_net(net))
    }

    pub fn is_superset(&self, other: &Self) -> bool {
        self.v4.is_superset(&other.v4) && self.v6.is_superset(&other.v6)
    }

    /// The public part of the set: what the internet can be.
    #[must_use]
    pub fn public_part(&self) -> Self {
        Self {
            v4: &self.v4 & public_v4(),
            v6: &self.v6 & public_v6(),
        }
    }

    /// Number of public IPv4 addresses in the set.
    pub fn public_count_v4(&self) -> u64 {
        count_v4(&(&self.v4 & public_v4()))
    }

    /// Number of global IPv6 addresses in the set, saturating at `u128::MAX`.
    pub fn public_count_v6(&self) -> u128 {
        count_v6(&(&self.v6 & public_v6()))
    }

    /// How much of the internet this set of peers reaches.
    ///
    /// Counts the public addresses of the set by walking its ranges against the public ranges,
    /// without building the intersection: the checks ask this for every segment of every
    /// statement, so it must not allocate.
    pub fn reach(&self) -> Reach {
        let (public4, all4) = public_v4_ranges();
        let (public6, all6) = public_v6_ranges();
        let v4 = public_count(self.v4.ranges().map(v4_ints), public4);
        let v6 = public_count(self.v6.ranges().map(v6_ints), public6);
        if v4 == *all4 || v6 == *all6 {
            Reach::Internet
        } else if v4 >= u128::from(broad_threshold_v4()) || v6 >= broad_threshold_v6() {
            Reach::Broad
        } else if v4 == 0 && v6 == 0 {
            Reach::Private
        } else {
            Reach::Limited
        }
    }

    /// The set as a minimal list of CIDR blocks, IPv4 first, in address order.
    pub fn to_cidrs(&self) -> Vec<IpNet> {
        let mut nets: Vec<IpNet> = Vec::new();
        for range in self.v4.ranges() {
            nets.extend(ipnet::Ipv4Subnets::new(*range.start(), *range.end(), 0).map(IpNet::V4));
        }
        for range in self.v6.ranges() {
            nets.extend(ipnet::Ipv6Subnets::new(*range.start(), *range.end(), 0).map(IpNet::V6));
        }
        nets
    }
}

fn v4_ints(range: std::ops::RangeInclusive<Ipv4Addr>) -> (u128, u128) {
    (
        u128::from(u32::from(*range.start())),
        u128::from(u32::from(*range.end())),
    )
}

fn v6_ints(range: std::ops::RangeInclusive<Ipv6Addr>) -> (u128, u128) {
    (u128::from(*range.start()), u128::from(*range.end()))
}

/// The public ranges as integer pairs, and the number of addresses they hold.
fn public_v4_ranges() -> &'static (Vec<(u128, u128)>, u128) {
    static RANGES: std::sync::OnceLock<(Vec<(u128, u128)>, u128)> = std::sync::OnceLock::new();
    RANGES.get_or_init(|| {
        let ranges: Vec<(u128, u128)> = public_v4().ranges().map(v4_ints).collect();
        let all = public_count(ranges.iter().copied(), &ranges);
        (ranges, all)
    })
}

fn public_v6_ranges() -> &'static (Vec<(u128, u128)>, u128) {
    static RANGES: std::sync::OnceLock<(Vec<(u128, u128)>, u128)> = std::sync::OnceLock::new();
    RANGES.get_or_init(|| {
        let ranges: Vec<(u128, u128)> = public_v6().ranges().map(v6_ints).collect();
        let all = public_count(ranges.iter().copied(), &ranges);
        (ranges, all)
    })
}

/// Number of addresses of `set` (sorted, disjoint inclusive ranges) inside `public` (likewise).
/// Public IPv6 space is 2000::/3 minus special ranges, 2^125 addresses at most, so the sum
/// cannot overflow.
fn public_count(set: impl Iterator<Item = (u128, u128)>, public: &[(u128, u128)]) -> u128 {
    let mut first = 0;
    let mut total = 0u128;
    for (start, end) in set {
        while public
            .get(first)
            .is_some_and(|&(_, public_end)| public_end < start)
        {
            first += 1;
        }
        for &(public_start, public_end) in public.get(first..).unwrap_or_default() {
            if public_start > end {
                break;
            }
            total += end.min(public_end) - start.max(public_start) + 1;
        }
    }
    total
}

fn count_v4(set: &RangeSetBlaze<Ipv4Addr>) -> u64 {
    set.ranges()
        .map(|range| u64::from(u32::from(*range.end())) - u64::from(u32::from(*range.start())) + 1)
        .sum()
}

fn count_v6(set: &RangeSetBlaze<Ipv6Addr>) -> u128 {
    set.ranges().fold(0u128, |total, range| {
        let size = (u128::from(*range.end()) - u128::from(*range.start())).saturating_add(1);
        total.saturating_add(size)
    })
}

impl fmt::Display for AddrSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nets = self.to_cidrs();
        if nets.is_empty() {
            return f.write_str("no address");
        }
        let texts: Vec<String> = nets.iter().map(ToString::to_string).collect();
        f.write_str(&texts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(cidrs: &[&str]) -> AddrSet {
        let mut set = AddrSet::new();
        for cidr in cidrs {
            set.insert(Cidr::parse(cidr).unwrap().net);
        }
        set
    }

    #[test]
    fn non_canonical_cidr_is_normalised() {
        let cidr = Cidr::parse("10.0.0.1/8").unwrap();
        assert_eq!(cidr.net.to_string(), "10.0.0.0/8");
        assert!(!cidr.canonical);
        assert!(Cidr::parse("10.0.0.0/8").unwrap().canonical);
        assert!(Cidr::parse("10.0.0.1").is_err());
        assert!(Cidr::parse("banana").is_err());
    }

    /// `reach` as the definition says it: through the intersection with the public space.
    fn reach_by_intersection(set: &AddrSet) -> Reach {
        let v4 = &set.v4 & public_v4();
        let v6 = &set.v6 & public_v6();
        if &v4 == public_v4() || &v6 == public_v6() {
            Reach::Internet
        } else if count_v4(&v4) >= broad_threshold_v4() || count_v6(&v6) >= broad_threshold_v6() {
            Reach::Broad
        } else if v4.is_empty() && v6.is_empty() {
            Reach::Private
        } else {
            Reach::Limited
        }
    }

    #[test]
    fn reach_counts_as_the_intersection_does() {
        let mut state: u64 = 2;
        let mut next = move |bound: u32| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as u32) % bound
        };
        let special: Vec<&str> = SPECIAL_V4.iter().chain(SPECIAL_V6).copied().collect();
        for _ in 0..2_000 {
            let mut cidrs = Vec::new();
            for _ in 0..=next(6) {
                cidrs.push(match next(6) {
                    0 => special[next(special.len() as u32) as usize].to_owned(),
                    1 => format!("{:x}::/{}", 0x2000 + next(0x2000), 3 + next(30)),
                    2 => format!("{}.0.0.0/{}", next(256), next(9)),
                    _ => format!(
                        "{}.{}.{}.{}/{}",
                        next(256),
                        next(256),
                        next(256),
                        next(256),
                        next(33)
                    ),
                });
            }
            let refs: Vec<&str> = cidrs.iter().map(String::as_str).collect();
            let peers = set(&refs);
            assert_eq!(peers.reach(), reach_by_intersection(&peers), "{cidrs:?}");
            let mut with_rest = peers.clone();
            with_rest.union_with(&set(&[
                "0.0.0.0/1",
                "128.0.0.0/2",
                "192.0.0.0/3",
                "224.0.0.0/3",
            ]));
            assert_eq!(
                with_rest.reach(),
                reach_by_intersection(&with_rest),
                "{cidrs:?} and the rest"
            );
        }
        for cidrs in [
            &["0.0.0.0/0"][..],
            &["::/0"],
            &["2000::/3"],
            &["2000::/4", "3000::/4"],
            &["2000::/4"],
            &[
                "0.0.0.0/5",
                "8.0.0.0/7",
                "11.0.0.0/8",
                "12.0.0.0/6",
                "16.0.0.0/4",
                "32.0.0.0/3",
                "64.0.0.0/2",
                "128.0.0.0/1",
            ],
        ] {
            let peers = set(cidrs);
            assert_eq!(peers.reach(), reach_by_intersection(&peers), "{cidrs:?}");
        }
    }

    #[test]
    fn reach_of_typical_peers() {
        assert_eq!(set(&["0.0.0.0/0"]).reach(), Reach::Internet);
        assert_eq!(set(&["::/0"]).reach(), Reach::Internet);
        assert_eq!(set(&["0.0.0.0/1", "128.0.0.0/1"]).reach(), Reach::Internet);
        assert_eq!(set(&["0.0.0.0/1"]).reach(), Reach::Broad);
        assert_eq!(set(&["8.0.0.0/8"]).reach(), Reach::Broad);
        assert_eq!(set(&["8.8.8.8/32"]).reach(), Reach::Limited);
        assert_eq!(
            set(&["10.0.0.0/8", "192.168.0.0/16"]).reach(),
            Reach::Private
        );
        assert_eq!(set(&["2000::/3"]).reach(), Reach::Internet);
        assert_eq!(
            set(&["fc00::/7", "fe80::/10", "::1/128"]).reach(),
            Reach::Private
        );
        assert_eq!(set(&["2001:db8::/32"]).reach(), Reach::Private);
        assert_eq!(AddrSet::new().reach(), Reach::Private);
    }

    #[test]
    fn public_space_without_private_ranges_is_still_the_internet() {
        // Every public address, listed without the private ranges, is still the whole internet.
        let public = set(&["0.0.0.0/0"]).public_part();
        assert_eq!(public.reach(), Reach::Internet);
        assert!(!public.contains("10.1.2.3".parse().unwrap()));
    }

    #[test]
    fn cidr_listing_is_minimal() {
        let nets = set(&["10.0.0.0/25", "10.0.0.128/25"]).to_cidrs();
        assert_eq!(nets, vec!["10.0.0.0/24".parse::<IpNet>().unwrap()]);
    }
}
