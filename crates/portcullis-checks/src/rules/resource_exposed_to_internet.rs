use std::collections::BTreeSet;

use portcullis_diagnostics::{Applicability, Certainty, Diagnostic, Edit, Exposure, Related, Severity, Suggestion, fingerprint};
use portcullis_ir::{Attachment, Direction, Reachability, ResourceRole, Span};
use portcullis_net::{PortRange, Protocol, Reach, TrafficSet};

use crate::analysis::{Context, advice, scenario_of, when, widest};
use crate::catalogue::{Category, Service};
use crate::nacl::evaluate;
use portcullis_diagnostics::Equivalent;
use super::PUBLIC_INGRESS;

declare_rule! {
    /// ## What it does
    /// Reports resources (instances, databases, load balancers, clusters, functions, caches)
    /// that are publicly reachable (a public IP, `publicly_accessible`, an internet-facing
    /// scheme, a subnet that gives public IPs) and whose security groups, taken together, open
    /// a sensitive port to the whole internet. The network ACL of the resource's subnet is
    /// applied when it is known.
    ///
    /// ## Why is this bad?
    /// This is an actual exposure, not a risky rule: the service is on the internet. A rule
    /// that opens 3306 to `0.0.0.0/0` on a group used only by private resources is a latent
    /// problem; the same rule on a publicly accessible database is a breach waiting to happen.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   publicly_accessible    = true
    ///   vpc_security_group_ids = [aws_security_group.db.id]
    /// }
    ///
    /// resource "aws_security_group" "db" {
    ///   ingress {
    ///     protocol    = "tcp"
    ///     from_port   = 3306
    ///     to_port     = 3306
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Keep the resource private and let only its clients in:
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   publicly_accessible    = false
    ///   vpc_security_group_ids = [aws_security_group.db.id]
    /// }
    ///
    /// resource "aws_security_group" "db" {
    ///   ingress {
    ///     protocol        = "tcp"
    ///     from_port       = 3306
    ///     to_port         = 3306
    ///     security_groups = [aws_security_group.app.id]
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Turning off public access (`publicly_accessible = false`) can cut off clients that
    /// connect over the internet today, so that edit is unsafe.
    pub static RULE = {
        code: "RES001",
        name: "resource-exposed-to-internet",
        category: "exposure",
        severity: Critical,
        enabled: true,
        equivalents: [PUBLIC_INGRESS, &[Equivalent::checkov("CKV_AWS_24"), Equivalent::checkov("CKV_AWS_25"), Equivalent::checkov("CKV_AWS_277"), Equivalent::cfn_nag("W42")]],
    };
}

/// Why the resource is publicly reachable, with the location that says so.
fn public_because(context: &Context<'_>, attachment: &Attachment) -> Option<Related> {
    let reachability = &attachment.reachability;
    match reachability.known_value()? {
        Reachability::Public => Some(Related { span: reachability.span(), message: "publicly reachable".to_owned() }),
        Reachability::Private => None,
        Reachability::DefaultVpc => Some(Related {
            span: reachability.span(),
            message: "no subnet is given: it launches in the default VPC, whose subnets give public IPs".to_owned(),
        }),
        Reachability::ViaSubnet => attachment.subnets.iter().find_map(|subnet| {
            let subnet = context.inventory.subnets.iter().find(|s| Some(&s.id) == subnet.known_value())?;
            let maps = subnet.map_public_ip_on_launch.as_ref()?;
            let routed = subnet.routes_to_internet.as_ref().is_none_or(|value| value.known_value() != Some(&false));
            (maps.known_value() == Some(&true) && routed).then(|| Related {
                span: maps.span(),
                message: format!("subnet `{}` gives public IPs", subnet.id),
            })
        }),
    }
}

/// The network ACLs of the resource's subnets, when every subnet's ACL is known.
fn subnet_acls(context: &Context<'_>, attachment: &Attachment) -> Vec<String> {
    let mut acls = BTreeSet::new();
    for subnet in &attachment.subnets {
        let Some(subnet) = subnet.known_value() else { return Vec::new() };
        let Some(acl) = context
            .inventory
            .nacl_associations
            .iter()
            .find(|association| association.subnet.known_value() == Some(subnet))
            .and_then(|association| association.acl.known_value())
        else {
            return Vec::new();
        };
        acls.insert(acl.clone());
    }
    acls.into_iter().collect()
}

/// Whether some subnet ACL lets the internet reach the port (true when no ACL is known).
fn acl_lets_in(context: &Context<'_>, acls: &[String], protocol: Protocol, port: u16) -> bool {
    acls.is_empty()
        || acls.iter().any(|acl| {
            let (entries, _) = context.acl_entries(acl, Direction::Ingress);
            evaluate(entries, protocol, port).allowed.reach() == Reach::Internet
        })
}

/// The ports a load balancer listens on, when every listener's port is known; `None` for other
/// resources and for load balancers without known listeners.
fn listener_ports(context: &Context<'_>, attachment: &Attachment) -> Option<Vec<u16>> {
    if attachment.role != ResourceRole::LoadBalancer {
        return None;
    }
    let listeners: Vec<_> = context
        .inventory
        .listeners
        .iter()
        .filter(|listener| listener.load_balancer.known_value() == Some(&attachment.id))
        .collect();
    let ports: Option<Vec<u16>> = listeners
        .iter()
        .map(|listener| listener.port.known_value().and_then(|port| u16::try_from(*port).ok()))
        .collect();
    ports.filter(|ports| !ports.is_empty())
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for attachment in &context.inventory.attachments {
        let Some(because) = public_because(context, attachment) else { continue };
        // In the order the resource lists them, each once.
        let mut groups: Vec<&str> = Vec::new();
        for group in attachment.groups.iter().filter_map(|group| group.known_value()) {
            if !groups.contains(&group.as_str()) {
                groups.push(group);
            }
        }
        let statements: Vec<_> = groups
            .iter()
            .flat_map(|group| context.statements_of(group))
            .filter(|statement| statement.rule.direction == Direction::Ingress)
            .collect();
        let mut traffic = TrafficSet::new();
        for statement in &statements {
            if let Some((protocol, ports)) = statement.traffic {
                traffic.insert(protocol, ports, &statement.addrs);
            }
        }
        let acls = subnet_acls(context, attachment);
        // A load balancer answers only on its listeners' ports, whatever its groups allow.
        let listening = listener_ports(context, attachment);
        let all_open = listening.is_none()
            && widest(&traffic, Protocol::All, PortRange::ALL) == Reach::Internet
            && acl_lets_in(context, &acls, Protocol::Tcp, 0);
        let exposed: Vec<&Service> = context
            .catalogue
            .iter()
            // A public load balancer on port 80 usually redirects to HTTPS; SG008 judges the rule.
            .filter(|service| !(attachment.role == ResourceRole::LoadBalancer && service.category == Category::Plaintext))
            .filter(|service| {
                listening.as_ref().is_none_or(|ports| {
                    service.protocol == Protocol::Tcp && ports.iter().any(|port| service.ports.contains(*port))
                })
            })
            .filter(|service| widest(&traffic, service.protocol, service.ports) == Reach::Internet)
            .filter(|service| acl_lets_in(context, &acls, service.protocol, service.ports.from))
            .collect();
        if exposed.is_empty() && !all_open {
            continue;
        }
        let mut labels: Vec<String> = exposed.iter().map(|service| service.label()).collect();
        labels.dedup();
        let what = if all_open { "every port".to_owned() } else { labels.join(", ") };
        let grave = all_open
            || exposed.iter().any(|service| matches!(service.category, Category::RemoteAdministration | Category::Database));
        // The statements that let the internet in on an exposed port.
        let culprits: Vec<_> = statements
            .iter()
            .filter(|statement| statement.widest_peer().is_some_and(|peer| peer.reach >= Reach::Broad))
            .filter(|statement| {
                statement.traffic.is_some_and(|(protocol, ports)| {
                    all_open || exposed.iter().any(|service| {
                        (protocol == Protocol::All || protocol == service.protocol) && ports.intersect(service.ports).is_some()
                    })
                })
            })
            .collect();
        let mut related = vec![because.clone()];
        related.extend(culprits.iter().filter_map(|statement| {
            let peer = statement.widest_peer()?;
            Some(Related { span: peer.value.span(), message: format!("{} allowed by `{}`", peer.cidr, statement.rule.id) })
        }));
        let assumptions = attachment.assumptions.iter().chain(culprits.iter().flat_map(|statement| &statement.rule.assumptions));
        let possible = attachment.reachability.known_value() == Some(&Reachability::DefaultVpc) || assumptions.clone().next().is_some();
        let scenario = scenario_of(assumptions);
        let via: Vec<&str> = {
            let mut via: Vec<&str> = culprits.iter().filter_map(|statement| statement.rule.group.known_value().map(String::as_str)).collect();
            via.dedup();
            via
        };
        let mut sources: Vec<String> = culprits
            .iter()
            .filter_map(|statement| statement.widest_peer().map(|peer| peer.cidr.to_string()))
            .collect();
        sources.sort();
        sources.dedup();
        // The exposure says what the message says: every port, or the first service named.
        let traffic = if all_open { Some((Protocol::All, None)) } else { exposed.first().map(|service| (service.protocol, Some(service.ports))) };
        let exposure = traffic.map(|(protocol, ports)| Exposure {
            direction: Direction::Ingress,
            protocol,
            ports,
            peer: sources.first().cloned().unwrap_or_else(|| "0.0.0.0/0".to_owned()),
            sources: sources.clone(),
            groups: via.iter().map(|group| (*group).to_owned()).collect(),
            target: Some(attachment.id.clone()),
            services: if all_open { vec!["every port".to_owned()] } else { labels.clone() },
        });
        out.push(Diagnostic {
            rule: &RULE,
            severity: if grave { Severity::Critical } else { Severity::High },
            certainty: if possible { Certainty::Possible } else { Certainty::Definite },
            message: when(format!("`{}` is reachable from the internet on {what} through {}", attachment.id, via.iter().map(|group| format!("`{group}`")).collect::<Vec<_>>().join(", ")), scenario),
            span: attachment.name_span,
            resource: attachment.id.clone(),
            exposure,
            related,
            suggestions: remedies(context, attachment, because.span),
            fingerprint: fingerprint(&[RULE.code, &attachment.id, &what]),
            roots: Vec::new(),
            shown_at: None,
        });
    }
}

/// Words in a resource or group name that mark an instance meant to be reached from outside or to
/// forward traffic: making it private would break it.
const GATEWAY_WORDS: &[&str] = &["bastion", "jump", "nat"];

/// Whether the resource is a bastion or NAT instance: it forwards traffic, or its name or its
/// groups' names say so.
fn is_gateway(attachment: &Attachment) -> bool {
    let says_gateway = |name: &str| {
        name.to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| GATEWAY_WORDS.contains(&word))
    };
    attachment.forwards_traffic.is_some()
        || attachment.role == ResourceRole::Compute
            && (says_gateway(&attachment.id) || attachment.groups.iter().filter_map(|group| group.known_value()).any(|group| says_gateway(group)))
}

fn remedies(context: &Context<'_>, attachment: &Attachment, because: Span) -> Vec<Suggestion> {
    if is_gateway(attachment) {
        return vec![advice(
            "this looks like a bastion or NAT instance, which must stay reachable: allow SSH only from known networks, or replace the bastion with SSM Session Manager",
        )];
    }
    let mut suggestions = vec![advice("close the sensitive ports to the internet in the security groups listed above")];
    let written = context.sources.get(because.file).map(|file| file.slice(because).to_owned()).unwrap_or_default();
    if attachment.reachability.known_value() == Some(&Reachability::Public) && written.trim() == "true" {
        suggestions.insert(
            0,
            Suggestion {
                message: "make the resource private".to_owned(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit { span: because, replacement: "false".to_owned() }],
            },
        );
    }
    suggestions
}
