use std::collections::BTreeMap;

use portcullis_diagnostics::{Certainty, Diagnostic, Exposure, Related, fingerprint};
use portcullis_ir::Direction;
use portcullis_net::{Protocol, Reach};

use crate::analysis::{Context, advice};
use crate::nacl::{entry_traffic, evaluate};
use portcullis_diagnostics::Equivalent;

declare_rule! {
    /// ## What it does
    /// Reports network ACL allow entries through which a sensitive port is reachable from the
    /// whole internet, evaluating the entries as AWS does: in rule-number order, first match
    /// wins, then the implicit deny. A deny entry with a lower number that blocks the port
    /// prevents the finding.
    ///
    /// ## Why is this bad?
    /// The network ACL is the subnet's second line of defence. When it lets administration or
    /// database ports through from anywhere, a single permissive security group is all that
    /// stands between those services and the internet.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_network_acl_rule" "ssh" {
    ///   network_acl_id = aws_network_acl.public.id
    ///   rule_number    = 100
    ///   egress         = false
    ///   protocol       = "tcp"
    ///   rule_action    = "allow"
    ///   cidr_block     = "0.0.0.0/0"
    ///   from_port      = 22
    ///   to_port        = 22
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_network_acl_rule" "ssh" {
    ///   network_acl_id = aws_network_acl.public.id
    ///   rule_number    = 100
    ///   egress         = false
    ///   protocol       = "tcp"
    ///   rule_action    = "allow"
    ///   cidr_block     = "10.0.0.0/16"
    ///   from_port      = 22
    ///   to_port        = 22
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    pub static RULE = {
        code: "NACL001",
        name: "nacl-allows-sensitive-port-from-internet",
        category: "network-acl",
        severity: Medium,
        enabled: true,
        equivalents: [&[
            Equivalent::trivy("aws-ec2-no-public-ingress-acl"),
            Equivalent::trivy("aws-0105"),
            Equivalent::trivy("avd-aws-0105"),
            Equivalent::trivy("aws-ec2-no-excessive-port-access"),
            Equivalent::trivy("aws-0102"),
            Equivalent::trivy("avd-aws-0102"),
            Equivalent::checkov("CKV_AWS_229"),
            Equivalent::checkov("CKV_AWS_230"),
            Equivalent::checkov("CKV_AWS_231"),
            Equivalent::checkov("CKV_AWS_232"),
            Equivalent::checkov("CKV_AWS_352"),
        ]],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for acl in &context.inventory.nacls {
        let (entries, unnumbered) = context.acl_entries(&acl.id, Direction::Ingress);
        // Entry span → (entry, services exposed through it, uncertain).
        let mut by_entry: BTreeMap<portcullis_ir::Span, (&portcullis_ir::NaclEntry, Vec<String>, bool)> = BTreeMap::new();
        for service in context.catalogue.iter() {
            let verdict = evaluate(entries, service.protocol, service.ports.from);
            if verdict.allowed.reach() != Reach::Internet {
                continue;
            }
            for (entry, _) in verdict.contributors {
                let slot = by_entry.entry(entry.span).or_insert((entry, Vec::new(), false));
                let label = service.label();
                if !slot.1.contains(&label) {
                    slot.1.push(label);
                }
                slot.2 |= verdict.uncertain || unnumbered;
            }
        }
        for (entry, services, uncertain) in by_entry.into_values() {
            let Some(cidr) = entry.cidr.as_ref().and_then(|cidr| cidr.known_value()) else { continue };
            let span = entry.cidr.as_ref().map_or(entry.span, portcullis_ir::Value::span);
            let certain = !uncertain && entry.assumptions.is_empty() && acl.assumptions.is_empty();
            let traffic = entry_traffic(entry);
            // An entry that allows every port would list the whole catalogue.
            let every_port = traffic.is_some_and(|(protocol, ports)| protocol == Protocol::All || (protocol.has_ports() && ports.is_all()));
            let services = if every_port { vec!["every port".to_owned()] } else { services };
            out.push(Diagnostic {
                rule: &RULE,
                severity: RULE.default_severity,
                certainty: if certain { Certainty::Definite } else { Certainty::Possible },
                message: format!("network ACL `{}` lets {} in from the internet ({cidr})", acl.id, services.join(", ")),
                span,
                resource: entry.id.clone(),
                exposure: traffic.map(|(protocol, ports)| Exposure {
                    direction: Direction::Ingress,
                    protocol,
                    ports: (protocol != Protocol::All).then_some(ports),
                    peer: cidr.to_string(),
                    sources: vec![cidr.to_string()],
                    groups: vec![acl.id.clone()],
                    target: None,
                    services: services.clone(),
                }),
                related: vec![Related { span: entry.span, message: format!("entry `{}`", entry.id) }],
                suggestions: vec![advice(
                    "allow these ports only from known networks, or add a lower-numbered deny entry for them",
                )],
                fingerprint: fingerprint(&[RULE.code, &entry.id, &cidr.to_string()]),
                roots: Vec::new(),
                shown_at: None,
            });
        }
    }
}
