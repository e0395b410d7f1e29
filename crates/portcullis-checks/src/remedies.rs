//! Concrete remedies: a tighter CIDR the repository already knows, a bastion security group, or a
//! managed access path instead of an open port.

use portcullis_diagnostics::{Applicability, Edit, Suggestion};
use portcullis_ir::{Direction, ResourceRole, Span};
use portcullis_net::{AddrSet, Cidr, Reach};

use crate::analysis::{CidrPeer, Context, Statement, widest};
use crate::catalogue::{Category, Service};

/// Words in a variable or parameter name that mark a CIDR meant for trusted sources.
const TRUSTED_WORDS: &[&str] = &[
    "office",
    "vpn",
    "admin",
    "trusted",
    "corp",
    "bastion",
    "management",
    "mgmt",
    "allow",
];

/// Suggestions for a statement that exposes `services` of `category`, most specific first.
pub fn for_exposure(
    context: &Context<'_>,
    statement: &Statement<'_>,
    peer: &CidrPeer<'_>,
    category: Category,
    services: &[&Service],
) -> Vec<Suggestion> {
    let mut suggestions = Vec::new();
    match category {
        Category::RemoteAdministration => {
            if let Some(bastion) = services
                .first()
                .and_then(|service| bastion_group(context, statement, service))
            {
                suggestions.push(display_only(format!(
                    "allow {} only from the bastion security group `{bastion}`: {}",
                    names(services),
                    group_source(&bastion)
                )));
            }
            suggestions.extend(trusted_cidr(context, peer));
            let alternative = if suggestions.is_empty() { "" } else { "or " };
            suggestions.push(display_only(format!(
                "{alternative}remove this rule and reach the hosts through AWS Systems Manager Session Manager or an EC2 Instance Connect Endpoint"
            )));
        }
        Category::Plaintext if services.iter().any(|service| service.name == "http") => {
            suggestions.push(display_only(
                "serve HTTPS on 443 and redirect port 80 to it at the load balancer".to_owned(),
            ));
        }
        _ => {
            // Clients of a database or a broker live in the VPC, rarely in an office.
            if let Some(group) = application_tier(context, statement) {
                suggestions.push(display_only(format!(
                    "allow {} only from the application tier's security group `{group}`: {}",
                    names(services),
                    group_source(&group)
                )));
            }
            suggestions.extend(vpc_cidr(context, statement, peer));
            suggestions.extend(trusted_cidr(context, peer));
            if suggestions.is_empty() {
                suggestions.push(display_only(format!(
                    "restrict the source to the networks that need {}, or reference the security group of the clients",
                    names(services)
                )));
            }
        }
    }
    suggestions
}

fn names(services: &[&Service]) -> String {
    let mut names: Vec<&str> = services
        .iter()
        .map(|service| service.name.as_ref())
        .collect();
    names.dedup();
    names.join(", ")
}

fn display_only(message: String) -> Suggestion {
    Suggestion {
        message,
        applicability: Applicability::DisplayOnly,
        edits: Vec::new(),
    }
}

/// Replaces the peer with `replacement` when the peer is written literally at its span, keeping
/// the quoting; a value that came through a variable is left for the user to change.
fn cidr_edit(context: &Context<'_>, peer: &CidrPeer<'_>, replacement: Cidr) -> Vec<Edit> {
    let span: Span = peer.value.span();
    let Some(file) = context.sources.get(span.file) else {
        return Vec::new();
    };
    let written = file.slice(span);
    let (quote, inner) = match written
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(inner) => ("\"", inner),
        None => match written
            .strip_prefix('\'')
            .and_then(|rest| rest.strip_suffix('\''))
        {
            Some(inner) => ("'", inner),
            None => ("", written),
        },
    };
    if Cidr::parse(inner).ok().map(|cidr| cidr.net) != Some(peer.cidr.net) {
        return Vec::new();
    }
    vec![Edit {
        span,
        replacement: format!("{quote}{replacement}{quote}"),
    }]
}

fn tighter(
    context: &Context<'_>,
    peer: &CidrPeer<'_>,
    replacement: Cidr,
    message: String,
) -> Suggestion {
    let edits = cidr_edit(context, peer, replacement);
    Suggestion {
        message,
        applicability: if edits.is_empty() {
            Applicability::DisplayOnly
        } else {
            Applicability::Unsafe
        },
        edits,
    }
}

/// A CIDR declared trusted: first `trusted-cidrs` from the configuration file, then a variable or
/// parameter of the code whose name says office, VPN or admin.
fn trusted_cidr(context: &Context<'_>, peer: &CidrPeer<'_>) -> Option<Suggestion> {
    if let Some(cidr) = context.trusted_cidrs.first() {
        return Some(tighter(
            context,
            peer,
            *cidr,
            format!("restrict the source to the trusted network {cidr} from the configuration"),
        ));
    }
    let named = context.inventory.named_cidrs.iter().find(|named| {
        let lower = named.name.to_ascii_lowercase();
        TRUSTED_WORDS.iter().any(|word| lower.contains(word))
            && AddrSet::from_net(named.cidr.net).reach() <= Reach::Limited
    })?;
    Some(tighter(
        context,
        peer,
        named.cidr,
        format!(
            "restrict the source to `{}` ({})",
            named.reference, named.cidr
        ),
    ))
}

/// The CIDR of the VPC of the statement's group, for services that only clients inside need.
fn vpc_cidr(
    context: &Context<'_>,
    statement: &Statement<'_>,
    peer: &CidrPeer<'_>,
) -> Option<Suggestion> {
    let group = context.group(statement.rule.group.known_value()?)?;
    let vpc_id = group.vpc.as_ref()?.known_value()?;
    let cidr = context
        .inventory
        .vpcs
        .iter()
        .find(|vpc| &vpc.id == vpc_id)?
        .cidr
        .as_ref()?
        .known_value()
        .copied()?;
    Some(tighter(
        context,
        peer,
        cidr,
        format!(
            "restrict the source to the VPC `{vpc_id}` ({cidr}), or better, reference the security group of the application tier"
        ),
    ))
}

/// How to name a group as the source of a rule, in the language of its id: Terraform addresses
/// contain a dot, CloudFormation logical ids do not.
fn group_source(group: &str) -> String {
    match group.rsplit_once('.') {
        Some(_) => format!(
            "`security_groups = [{group}.id]` in an inline block (`source_security_group_id` in `aws_security_group_rule`, `referenced_security_group_id` in `aws_vpc_security_group_ingress_rule`) instead of a CIDR"
        ),
        None => format!("`SourceSecurityGroupId: !Ref {group}` instead of a CIDR"),
    }
}

/// A group in the same VPC that is attached to compute (instances, functions, services): the
/// clients a database should accept.
fn application_tier(context: &Context<'_>, statement: &Statement<'_>) -> Option<String> {
    let own = statement.rule.group.known_value()?;
    let vpc = |group: &str| {
        context
            .group(group)
            .and_then(|group| group.vpc.as_ref())
            .and_then(|vpc| vpc.known_value().cloned())
    };
    let own_vpc = vpc(own);
    // Computed once: per finding it would be quadratic.
    let compute = context.compute_groups.get_or_init(|| {
        let mut groups: Vec<String> = context
            .inventory
            .attachments
            .iter()
            .filter(|attachment| {
                matches!(
                    attachment.role,
                    ResourceRole::Compute | ResourceRole::Function | ResourceRole::Cluster
                )
            })
            .flat_map(|attachment| {
                attachment
                    .groups
                    .iter()
                    .filter_map(|group| group.known_value().cloned())
            })
            .filter(|group| context.group(group).is_some())
            .collect();
        groups.sort_unstable();
        groups.dedup();
        groups
    });
    compute
        .iter()
        .find(|group| group.as_str() != own && vpc(group) == own_vpc)
        .cloned()
}

/// A group that allows the service only from a narrow, known CIDR: a bastion.
fn bastion_group(
    context: &Context<'_>,
    exposed: &Statement<'_>,
    service: &Service,
) -> Option<String> {
    let exposed_group = exposed.rule.group.known_value();
    let key = (service.protocol, service.ports);
    // Computed once per service: per finding it would make the checks quadratic.
    let mut cache = context.bastions.borrow_mut();
    let candidates = cache
        .entry(key)
        .or_insert_with(|| bastion_candidates(context, service));
    candidates
        .iter()
        .find(|group| Some(*group) != exposed_group)
        .cloned()
}

/// Every group that allows the service only from narrow, known CIDRs, sorted.
fn bastion_candidates(context: &Context<'_>, service: &Service) -> Vec<String> {
    let mut candidates: Vec<String> = context
        .statements
        .iter()
        .filter(|statement| statement.rule.direction == Direction::Ingress)
        .filter_map(|statement| {
            let group = statement.rule.group.known_value()?;
            let (protocol, ports) = statement.traffic?;
            let narrow = protocol == service.protocol
                && ports.intersect(service.ports).is_some()
                && !statement.cidrs.is_empty()
                && statement.unknown_cidrs.is_empty();
            narrow.then_some(group)
        })
        .filter(|group| {
            context
                .group_traffic(group, Direction::Ingress)
                .is_some_and(|traffic| {
                    widest(traffic, service.protocol, service.ports) <= Reach::Limited
                })
        })
        .cloned()
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    candidates
}
