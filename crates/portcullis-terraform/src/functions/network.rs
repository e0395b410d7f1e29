//! The `cidr*` functions, with Terraform's semantics for IPv4 and IPv6.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use portcullis_ir::Span;
use portcullis_net::{IpNet, Ipv4Net, Ipv6Net};

use super::args::Result;
use crate::value::{Kind, V};

pub(super) fn parse_net(text: &str) -> Result<IpNet> {
    text.trim()
        .parse::<IpNet>()
        .map_err(|_| format!("`{text}` is not a CIDR block"))
}

pub(super) fn whole(value: &V) -> Result<u128> {
    let number = value.to_i64()?;
    u128::try_from(number).map_err(|_| format!("{number} must not be negative"))
}

pub(super) fn subnet(net: IpNet, newbits: u128, netnum: u128) -> Result<IpNet> {
    let prefix = u128::from(net.prefix_len()) + newbits;
    let max = u128::from(net.max_prefix_len());
    if prefix > max {
        return Err(format!(
            "cannot extend prefix /{} by {newbits} bits",
            net.prefix_len()
        ));
    }
    if newbits < 128 && netnum >> newbits != 0 {
        return Err(format!(
            "network number {netnum} does not fit in {newbits} bits"
        ));
    }
    let shift = max - prefix;
    let offset = if shift >= 128 { 0 } else { netnum << shift };
    let prefix = u8::try_from(prefix).map_err(|_| "prefix too long".to_owned())?;
    match net.trunc() {
        IpNet::V4(net) => {
            let base = u128::from(u32::from(net.network()));
            let addr = u32::try_from(base + offset).map_err(|_| "address overflow".to_owned())?;
            Ipv4Net::new(Ipv4Addr::from(addr), prefix)
                .map(IpNet::V4)
                .map_err(|error| error.to_string())
        }
        IpNet::V6(net) => {
            let base = u128::from(net.network());
            let addr = base.checked_add(offset).ok_or("address overflow")?;
            Ipv6Net::new(Ipv6Addr::from(addr), prefix)
                .map(IpNet::V6)
                .map_err(|error| error.to_string())
        }
    }
}

pub(super) fn cidrsubnet(args: &[V]) -> Result<IpNet> {
    let [prefix, newbits, netnum] = args else {
        return Err("cidrsubnet needs three arguments".to_owned());
    };
    subnet(
        parse_net(&prefix.to_text()?)?,
        whole(newbits)?,
        whole(netnum)?,
    )
}

pub(super) fn cidrsubnets(args: &[V], span: Span) -> Result<Kind> {
    let Some((prefix, bits)) = args.split_first() else {
        return Err("cidrsubnets needs a prefix".to_owned());
    };
    let net = parse_net(&prefix.to_text()?)?;
    let max = u128::from(net.max_prefix_len());
    let base_prefix = u128::from(net.prefix_len());
    // Consecutive allocation, each block aligned to its own size, as Terraform does.
    let mut next: u128 = 0;
    let mut out = Vec::new();
    for newbits in bits {
        let newbits = whole(newbits)?;
        let prefix = base_prefix + newbits;
        if prefix > max {
            return Err(format!(
                "cannot extend prefix /{} by {newbits} bits",
                net.prefix_len()
            ));
        }
        let size_shift = max - prefix;
        let size: u128 = if size_shift >= 128 {
            0
        } else {
            1 << size_shift
        };
        let exhausted = || format!("cidrsubnets: {net} has no room for another /{prefix}");
        if size > 0 && !next.is_multiple_of(size) {
            next = (next / size + 1).checked_mul(size).ok_or_else(exhausted)?;
        }
        let netnum = next.checked_div(size).unwrap_or(0);
        out.push(V::str(subnet(net, newbits, netnum)?.to_string(), span));
        next = next.checked_add(size).ok_or_else(exhausted)?;
    }
    Ok(Kind::List(out))
}

pub(super) fn cidrhost(args: &[V]) -> Result<IpAddr> {
    let [prefix, hostnum] = args else {
        return Err("cidrhost needs two arguments".to_owned());
    };
    let net = parse_net(&prefix.to_text()?)?.trunc();
    let number = hostnum.to_i64()?;
    let host_bits = u32::from(net.max_prefix_len() - net.prefix_len());
    let size: i128 = if host_bits >= 127 {
        i128::MAX
    } else {
        1 << host_bits
    };
    let offset = if number < 0 {
        size + i128::from(number)
    } else {
        i128::from(number)
    };
    if offset < 0 || offset >= size {
        return Err(format!("host number {number} is outside {net}"));
    }
    let offset = u128::try_from(offset).map_err(|_| "host number out of range".to_owned())?;
    match net {
        IpNet::V4(net) => {
            let addr = u32::try_from(u128::from(u32::from(net.network())) + offset)
                .map_err(|_| "address overflow".to_owned())?;
            Ok(IpAddr::V4(Ipv4Addr::from(addr)))
        }
        IpNet::V6(net) => Ok(IpAddr::V6(Ipv6Addr::from(
            u128::from(net.network()) + offset,
        ))),
    }
}
