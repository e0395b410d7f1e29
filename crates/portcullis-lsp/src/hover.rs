//! Hover texts: a finding's rule documentation and exposure, and what a CIDR literal covers.

use portcullis_diagnostics::{Certainty, Diagnostic};
use portcullis_net::{AddrSet, Cidr, IpNet, Reach};

/// A finding: what it says, the traffic it is about, then the rule's documentation.
pub fn finding(finding: &Diagnostic) -> String {
    let rule = finding.rule;
    let certainty = match finding.certainty {
        Certainty::Definite => "",
        Certainty::Possible => ", possible",
    };
    let mut text = format!(
        "**{} {}** ({}{certainty})\n\n{}\n\nResource: `{}`\n",
        rule.code, rule.name, finding.severity, finding.message, finding.resource
    );
    if let Some(exposure) = &finding.exposure {
        let ports = exposure
            .ports
            .map_or_else(String::new, |ports| format!(" {ports}"));
        text.push_str(&format!(
            "\nExposure: {} {}{ports} from {}\n",
            exposure.direction.as_str(),
            exposure.protocol,
            exposure.peer
        ));
        if !exposure.services.is_empty() {
            text.push_str(&format!(
                "\nExposed services: {}\n",
                exposure.services.join(", ")
            ));
        }
        if let Some(target) = &exposure.target {
            text.push_str(&format!("\nReaches: `{target}`\n"));
        }
    }
    text.push_str("\n---\n\n");
    text.push_str(&rule.documentation());
    text
}

/// The CIDR literal around a byte offset of a line, if the characters there form one.
pub fn cidr_at(line: &str, offset: usize) -> Option<(Cidr, &str)> {
    let is_part = |c: char| c.is_ascii_hexdigit() || matches!(c, '.' | ':' | '/');
    let offset = offset.min(line.len());
    if !line.is_char_boundary(offset) {
        return None;
    }
    let start = line[..offset]
        .rfind(|c: char| !is_part(c))
        .map_or(0, |index| index + 1);
    let end = line[offset..]
        .find(|c: char| !is_part(c))
        .map_or(line.len(), |index| offset + index);
    let word = line.get(start..end)?;
    if !word.contains('/') {
        return None;
    }
    Cidr::parse(word).ok().map(|cidr| (cidr, word))
}

/// What a CIDR covers: family, size, how much of it is public, its reach.
pub fn cidr(cidr: &Cidr, written: &str) -> String {
    let set = AddrSet::from_net(cidr.net);
    let (family, total, public) = match cidr.net {
        IpNet::V4(net) => (
            "IPv4",
            group_digits(1u128 << (32 - u32::from(net.prefix_len()))),
            group_digits(u128::from(set.public_count_v4())),
        ),
        IpNet::V6(net) => (
            "IPv6",
            format!("2^{}", 128 - u32::from(net.prefix_len())),
            group_digits(set.public_count_v6()),
        ),
    };
    let reach = match set.reach() {
        Reach::Private => "private: no address is reachable from the internet (RFC 6890)",
        Reach::Limited => "public: part of the internet",
        Reach::Broad => "public and broad: a large share of the internet",
        Reach::Internet => "public: the whole internet",
    };
    let mut text = format!(
        "**`{written}`**: {family}, {total} addresses, {public} of them public\n\nReach: {reach}\n"
    );
    if !cidr.canonical {
        text.push_str(&format!(
            "\nHost bits are set: AWS applies it as `{}`\n",
            cidr.net
        ));
    }
    text
}

fn group_digits(number: u128) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// What the CIDR literal at an LSP position covers, if there is one.
pub fn cidr_in_text(text: &str, position: lsp_types::Position) -> Option<String> {
    let offset = crate::documents::offset_at(text, position);
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |index| index + 1);
    let line_end = text
        .get(offset..)?
        .find('\n')
        .map_or(text.len(), |index| offset + index);
    let (found, written) = cidr_at(text.get(line_start..line_end)?, offset - line_start)?;
    Some(cidr(&found, written))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use lsp_types::Position;
    use std::sync::Arc;

    #[test]
    fn finds_the_cidr_under_the_cursor() {
        let line = r#"    cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]"#;
        let at = |needle: &str| line.find(needle).unwrap() + 2;
        assert_eq!(cidr_at(line, at("10.0")).unwrap().1, "10.0.0.0/8");
        assert_eq!(cidr_at(line, at("0.0.0.0/0")).unwrap().1, "0.0.0.0/0");
        assert!(cidr_at(line, at("cidr")).is_none());
        assert!(cidr_at("from_port = 22", 12).is_none());
    }

    #[test]
    fn describes_public_private_and_sizes() {
        let (internet, written) = cidr_at("0.0.0.0/0", 0).unwrap();
        let text = cidr(&internet, written);
        assert!(text.contains("4,294,967,296 addresses"), "{text}");
        assert!(text.contains("the whole internet"), "{text}");
        let (private, written) = cidr_at("10.1.2.3/8", 3).unwrap();
        let text = cidr(&private, written);
        assert!(
            text.contains("16,777,216 addresses, 0 of them public"),
            "{text}"
        );
        assert!(text.contains("private"), "{text}");
        assert!(text.contains("AWS applies it as `10.0.0.0/8`"), "{text}");
        let (v6, written) = cidr_at("::/0", 1).unwrap();
        assert!(cidr(&v6, written).contains("IPv6, 2^128 addresses"));
    }

    #[test]
    fn groups_digits() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(4_294_967_296), "4,294,967,296");
    }

    #[test]
    fn cidr_hover_reads_the_line_under_the_cursor() {
        let text: Arc<str> = Arc::from("x = 1\ncidr = \"192.168.0.0/16\"\n");
        let hover = cidr_in_text(&text, Position::new(1, 12)).unwrap_or_default();
        assert!(hover.contains("`192.168.0.0/16`"), "{hover}");
        assert!(cidr_in_text(&text, Position::new(0, 1)).is_none());
        assert!(cidr_in_text(&text, Position::new(9, 0)).is_none());
    }
}
