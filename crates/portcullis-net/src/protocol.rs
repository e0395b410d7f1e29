use std::fmt;

/// An IP protocol as security groups and network ACLs understand it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// `-1` or `all`: every protocol, every port.
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Any other IP protocol number; AWS ignores ports for these.
    Number(u8),
}

impl Protocol {
    /// Parses the forms AWS accepts: names, numbers (`"6"` is tcp) and `-1`/`all`.
    pub fn parse(text: &str) -> Option<Self> {
        let lower = text.trim().to_ascii_lowercase();
        match lower.as_str() {
            "-1" | "all" => Some(Self::All),
            "tcp" => Some(Self::Tcp),
            "udp" => Some(Self::Udp),
            "icmp" => Some(Self::Icmp),
            "icmpv6" | "icmp6" | "ipv6-icmp" => Some(Self::Icmpv6),
            number => number.parse::<u8>().ok().map(Self::from_number),
        }
    }

    pub fn from_number(number: u8) -> Self {
        match number {
            6 => Self::Tcp,
            17 => Self::Udp,
            1 => Self::Icmp,
            58 => Self::Icmpv6,
            other => Self::Number(other),
        }
    }

    /// Whether `from_port`/`to_port` select ports (tcp, udp) rather than ICMP type and code or nothing.
    pub fn has_ports(self) -> bool {
        matches!(self, Self::Tcp | Self::Udp)
    }

    pub fn is_icmp(self) -> bool {
        matches!(self, Self::Icmp | Self::Icmpv6)
    }

    /// The port (or ICMP type) domain that a rule with these `from`/`to` values opens.
    ///
    /// For tcp and udp, `from..=to` (AWS also reads `-1`/`-1` and `0`/`0` as every port); for
    /// ICMP, `from` is the type (`-1` every type) and `to` the code, which is not tracked; for
    /// `all` and other protocol numbers, every port whatever the values say.
    pub fn port_range(self, from: Option<i64>, to: Option<i64>) -> Result<PortRange, String> {
        match self {
            Self::All | Self::Number(_) => Ok(PortRange::ALL),
            Self::Icmp | Self::Icmpv6 => match from {
                None | Some(-1) => Ok(PortRange::ICMP_ALL),
                Some(kind) => u16::try_from(kind)
                    .ok()
                    .filter(|kind| *kind <= 255)
                    .map(PortRange::single)
                    .ok_or_else(|| format!("ICMP type {kind} is outside 0-255")),
            },
            Self::Tcp | Self::Udp => {
                let (Some(from), Some(to)) = (from, to) else {
                    return Err("tcp and udp rules need from_port and to_port".to_owned());
                };
                if (from, to) == (-1, -1) {
                    return Ok(PortRange::ALL);
                }
                let port = |value: i64| {
                    u16::try_from(value).map_err(|_| format!("port {value} is outside 0-65535"))
                };
                let (from, to) = (port(from)?, port(to)?);
                if from > to {
                    return Err(format!("from_port {from} is greater than to_port {to}"));
                }
                if (from, to) == (0, 0) {
                    // AWS stores an all-ports tcp rule as 0-0 in some APIs; Terraform and
                    // CloudFormation users write 0-65535, but both mean every port.
                    return Ok(PortRange::ALL);
                }
                Ok(PortRange { from, to })
            }
        }
    }

    pub fn name(self) -> String {
        match self {
            Self::All => "all".to_owned(),
            Self::Tcp => "tcp".to_owned(),
            Self::Udp => "udp".to_owned(),
            Self::Icmp => "icmp".to_owned(),
            Self::Icmpv6 => "icmpv6".to_owned(),
            Self::Number(number) => number.to_string(),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// An inclusive range of ports (or ICMP types).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

impl PortRange {
    pub const ALL: Self = Self {
        from: 0,
        to: u16::MAX,
    };
    pub const ICMP_ALL: Self = Self { from: 0, to: 255 };

    pub const fn single(port: u16) -> Self {
        Self {
            from: port,
            to: port,
        }
    }

    pub const fn new(from: u16, to: u16) -> Self {
        Self { from, to }
    }

    /// Number of ports in the range.
    pub fn len(self) -> u32 {
        u32::from(self.to) - u32::from(self.from) + 1
    }

    pub fn is_empty(self) -> bool {
        false
    }

    pub fn is_all(self) -> bool {
        self == Self::ALL
    }

    pub fn contains(self, port: u16) -> bool {
        self.from <= port && port <= self.to
    }

    pub fn intersect(self, other: Self) -> Option<Self> {
        let from = self.from.max(other.from);
        let to = self.to.min(other.to);
        (from <= to).then_some(Self { from, to })
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            f.write_str("all ports")
        } else if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_spellings() {
        assert_eq!(Protocol::parse("-1"), Some(Protocol::All));
        assert_eq!(Protocol::parse("ALL"), Some(Protocol::All));
        assert_eq!(Protocol::parse("6"), Some(Protocol::Tcp));
        assert_eq!(Protocol::parse("17"), Some(Protocol::Udp));
        assert_eq!(Protocol::parse("58"), Some(Protocol::Icmpv6));
        assert_eq!(Protocol::parse("50"), Some(Protocol::Number(50)));
        assert_eq!(Protocol::parse("300"), None);
        assert_eq!(Protocol::parse("tcpx"), None);
    }

    #[test]
    fn icmp_ports_are_type_and_code() {
        // from_port 8 is echo request, not port 8.
        assert_eq!(
            Protocol::Icmp.port_range(Some(8), Some(0)),
            Ok(PortRange::single(8))
        );
        assert_eq!(
            Protocol::Icmp.port_range(Some(-1), Some(-1)),
            Ok(PortRange::ICMP_ALL)
        );
    }

    #[test]
    fn all_protocols_ignore_ports() {
        assert_eq!(
            Protocol::All.port_range(Some(22), Some(22)),
            Ok(PortRange::ALL)
        );
        assert_eq!(
            Protocol::Number(47).port_range(Some(22), Some(22)),
            Ok(PortRange::ALL)
        );
    }

    #[test]
    fn tcp_port_ranges() {
        assert_eq!(
            Protocol::Tcp.port_range(Some(22), Some(22)),
            Ok(PortRange::single(22))
        );
        assert_eq!(
            Protocol::Tcp.port_range(Some(0), Some(65535)),
            Ok(PortRange::ALL)
        );
        assert!(Protocol::Tcp.port_range(Some(30), Some(20)).is_err());
        assert!(Protocol::Tcp.port_range(Some(70000), Some(70000)).is_err());
        assert!(Protocol::Udp.port_range(None, Some(1)).is_err());
    }
}
