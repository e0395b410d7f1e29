//! The exposure algebra: exact sets over protocol × port × address.
//!
//! Security-group semantics are evaluated here and nowhere else: what `-1` means, that ICMP
//! "ports" are type and code, what counts as the internet (RFC 6890), and whether a union of
//! peers covers it.

mod addr;
mod protocol;
mod traffic;

pub use addr::{AddrSet, Cidr, CidrError, Reach, broad_threshold_v4, broad_threshold_v6};
pub use ipnet::{IpNet, Ipv4Net, Ipv6Net};
pub use protocol::{PortRange, Protocol};
pub use traffic::{Segment, TrafficSet};
