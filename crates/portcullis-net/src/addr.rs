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
    pub fn reach(&self) -> Reach {
        let v4 = &self.v4 & public_v4();
        let v6 = &self.v6 & public_v6();
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
