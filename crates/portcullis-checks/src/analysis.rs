//! The exposure analysis of an inventory, shared by the rules: every rule statement resolved to
//! protocol, ports and addresses, and the union of each group's statements per direction.

use std::cell::RefCell;
use std::collections::BTreeMap;

use portcullis_diagnostics::{Certainty, Related};
use portcullis_ir::{
    Direction, Inventory, NaclEntry, Peer, SecurityGroup, SgRule, SourceMap, Span, Trace, Value,
};
use portcullis_net::{AddrSet, Cidr, PortRange, Protocol, Reach, TrafficSet};

use crate::Settings;
use crate::catalogue::{Catalogue, Service};

/// A CIDR peer of a statement, resolved.
#[derive(Clone, Debug)]
pub struct CidrPeer<'a> {
    pub cidr: Cidr,
    pub reach: Reach,
    pub value: &'a Value<Cidr>,
}

/// Why a statement's traffic could not be resolved: the value at fault.
#[derive(Debug)]
pub struct UnknownTraffic<'a> {
    /// A clause: `protocol is not set`, `from_port 90 is greater than to_port 80`.
    pub reason: String,
    pub span: Span,
    pub via: &'a [Trace],
    /// The protocol, when only the ports are unknown.
    pub protocol: Option<Protocol>,
    /// The ports are known but do not make a range AWS accepts (`from_port` above `to_port`).
    pub invalid: bool,
}

/// A rule statement with its traffic resolved.
#[derive(Debug)]
pub struct Statement<'a> {
    pub rule: &'a SgRule,
    /// `None` when the protocol or the ports could not be resolved; `unknown_traffic` says why.
    pub traffic: Option<(Protocol, PortRange)>,
    pub unknown_traffic: Option<UnknownTraffic<'a>>,
    pub cidrs: Vec<CidrPeer<'a>>,
    pub unknown_cidrs: Vec<&'a Value<Cidr>>,
    /// Every known CIDR of the statement.
    pub addrs: AddrSet,
}

impl Statement<'_> {
    /// Protocol `all`, another protocol number, or every port of tcp or udp.
    pub fn is_all_traffic(&self) -> bool {
        matches!(self.traffic, Some((protocol, ports)) if matches!(protocol, Protocol::All | Protocol::Number(_)) || (protocol.has_ports() && ports.is_all()))
    }

    /// The peer a finding points at: the one with the widest reach, first in source order, then
    /// first in the list (peers written at one place: a default the offline model stands for, a
    /// `for` expression).
    pub fn widest_peer(&self) -> Option<&CidrPeer<'_>> {
        // `max_by` keeps the last of equals: reversed, that is the first.
        self.cidrs
            .iter()
            .rev()
            .filter(|peer| peer.reach > Reach::Private)
            .max_by(|a, b| {
                a.reach
                    .cmp(&b.reach)
                    .then(b.value.span().cmp(&a.value.span()))
            })
    }

    /// The peers that reach a large part of the internet, in source order: `0.0.0.0/0 and ::/0`.
    pub fn broad_peers(&self) -> String {
        let peers: Vec<String> = self
            .cidrs
            .iter()
            .filter(|peer| peer.reach >= Reach::Broad)
            .map(|peer| peer.cidr.to_string())
            .collect();
        match peers.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [first @ .., last] => format!("{} and {last}", first.join(", ")),
        }
    }

    /// The key of the traffic set the statement belongs to.
    fn group_key(&self) -> GroupKey {
        match &self.rule.group {
            Value::Known { value, .. } => (value.clone(), self.rule.direction),
            // A rule whose group is unknown is judged alone.
            Value::Unknown { .. } => (format!("\u{0}{}", self.rule.id), self.rule.direction),
        }
    }
}

type GroupKey = (String, Direction);

/// One service a statement helps to expose.
#[derive(Clone, Debug)]
pub struct ServiceExposure<'s> {
    pub service: &'s Service,
    /// The reach of the whole group on the service's ports (the union of its statements).
    pub reach: Reach,
    /// Whether the statement reaches that far by itself.
    pub alone: bool,
    /// Other statements of the group that add public addresses on those ports.
    pub partners: Vec<&'s Statement<'s>>,
}

pub struct Context<'a> {
    pub inventory: &'a Inventory,
    /// Security groups by id: lookups are per finding, so they must not scan the inventory.
    groups: BTreeMap<&'a str, &'a SecurityGroup>,
    /// Indexes into `statements` of each group's statements.
    by_group: BTreeMap<&'a str, Vec<usize>>,
    /// Each network ACL's entries per direction, in rule-number order, and whether some entry
    /// had an unknown number.
    acl_entries: crate::nacl::AclIndex<'a>,
    /// Bastion candidates per service, computed once (see `remedies`).
    pub(crate) bastions: RefCell<BTreeMap<(Protocol, PortRange), Vec<String>>>,
    /// Groups attached to compute, sorted, computed once (see `remedies`).
    pub(crate) compute_groups: std::cell::OnceCell<Vec<String>>,
    pub sources: &'a SourceMap,
    pub catalogue: &'a Catalogue,
    /// CIDRs the configuration declares trusted, offered as remedies.
    pub trusted_cidrs: &'a [Cidr],
    pub statements: Vec<Statement<'a>>,
    traffic: BTreeMap<GroupKey, TrafficSet>,
}

impl<'a> Context<'a> {
    pub fn new(inventory: &'a Inventory, sources: &'a SourceMap, settings: &'a Settings) -> Self {
        let statements: Vec<Statement<'a>> = inventory.rules.iter().map(resolve).collect();
        let mut traffic: BTreeMap<GroupKey, TrafficSet> = BTreeMap::new();
        for statement in &statements {
            if let Some((protocol, ports)) = statement.traffic {
                traffic.entry(statement.group_key()).or_default().insert(
                    protocol,
                    ports,
                    &statement.addrs,
                );
            }
        }
        let groups = inventory
            .security_groups
            .iter()
            .map(|group| (group.id.as_str(), group))
            .collect();
        let mut by_group: BTreeMap<&'a str, Vec<usize>> = BTreeMap::new();
        for (index, statement) in statements.iter().enumerate() {
            if let Some(group) = statement.rule.group.known_value() {
                by_group.entry(group.as_str()).or_default().push(index);
            }
        }
        Self {
            inventory,
            groups,
            by_group,
            acl_entries: crate::nacl::index(inventory),
            bastions: RefCell::new(BTreeMap::new()),
            compute_groups: std::cell::OnceCell::new(),
            sources,
            catalogue: &settings.catalogue,
            trusted_cidrs: &settings.trusted_cidrs,
            statements,
            traffic,
        }
    }

    pub fn group(&self, id: &str) -> Option<&'a SecurityGroup> {
        self.groups.get(id).copied()
    }

    /// The statements of a group, in source order.
    pub fn statements_of(&self, group: &str) -> impl Iterator<Item = &Statement<'a>> {
        self.by_group
            .get(group)
            .into_iter()
            .flatten()
            .filter_map(|index| self.statements.get(*index))
    }

    /// A network ACL's entries in one direction, in rule-number order, and whether an entry had
    /// an unknown rule number (and was left out).
    pub fn acl_entries(&self, acl: &str, direction: Direction) -> (&[(i64, &'a NaclEntry)], bool) {
        self.acl_entries
            .get(acl)
            .and_then(|directions| directions.get(&direction))
            .map_or((&[], false), |(entries, uncertain)| {
                (entries.as_slice(), *uncertain)
            })
    }

    /// The traffic every statement of a group allows in one direction.
    pub fn group_traffic(&self, group: &str, direction: Direction) -> Option<&TrafficSet> {
        self.traffic.get(&(group.to_owned(), direction))
    }

    /// The widest reach of the statement's group on `protocol`/`ports`.
    pub fn group_reach(
        &self,
        statement: &Statement<'_>,
        protocol: Protocol,
        ports: PortRange,
    ) -> Reach {
        self.traffic
            .get(&statement.group_key())
            .map(|traffic| widest(traffic, protocol, ports))
            .unwrap_or(Reach::Private)
    }

    /// The ingress statements whose tcp or udp ports, none of them catalogued, the union of
    /// their group opens to the whole internet, with their traffic and widest peer.
    pub fn uncatalogued_public_ports<'s>(
        &'s self,
    ) -> impl Iterator<Item = (&'s Statement<'a>, Protocol, PortRange, &'s CidrPeer<'s>)> + 's {
        self.statements.iter().filter_map(move |statement| {
            let (protocol, ports) = statement.traffic?;
            if statement.rule.direction != Direction::Ingress
                || !protocol.has_ports()
                || self.catalogue.touched(protocol, ports).next().is_some()
            {
                return None;
            }
            let peer = statement.widest_peer()?;
            (self.group_reach(statement, protocol, ports) == Reach::Internet)
                .then_some((statement, protocol, ports, peer))
        })
    }

    /// The catalogued services a statement opens to the internet or to a broad public range,
    /// judged on the union of its group's statements.
    pub fn exposed_services<'s>(
        &'s self,
        statement: &'s Statement<'s>,
    ) -> Vec<ServiceExposure<'s>> {
        let Some((protocol, ports)) = statement.traffic else {
            return Vec::new();
        };
        let own_reach = statement.addrs.reach();
        if own_reach == Reach::Private {
            return Vec::new();
        }
        let mut exposures = Vec::new();
        for service in self.catalogue.touched(protocol, ports) {
            let Some(shared) = ports.intersect(service.ports) else {
                continue;
            };
            let reach = self.group_reach(statement, service.protocol, shared);
            if reach < Reach::Broad {
                continue;
            }
            let alone = own_reach >= reach;
            let partners = if alone {
                Vec::new()
            } else {
                self.partners(statement, service.protocol, shared)
            };
            exposures.push(ServiceExposure {
                service,
                reach,
                alone,
                partners,
            });
        }
        exposures
    }

    /// Other statements of the same group and direction with public addresses on these ports.
    fn partners<'s>(
        &'s self,
        statement: &'s Statement<'s>,
        protocol: Protocol,
        ports: PortRange,
    ) -> Vec<&'s Statement<'s>> {
        let key = statement.group_key();
        self.statements
            .iter()
            .filter(|other| !std::ptr::eq(*other, statement) && other.group_key() == key)
            .filter(|other| {
                other.traffic.is_some_and(|(other_protocol, other_ports)| {
                    (other_protocol == protocol || other_protocol == Protocol::All)
                        && other_ports.intersect(ports).is_some()
                })
            })
            .filter(|other| other.addrs.reach() > Reach::Private)
            .collect()
    }

    pub fn path(&self, span: Span) -> String {
        self.sources.path(span.file)
    }

    pub fn line(&self, span: Span) -> u32 {
        self.sources.location(span.file, span.start).line
    }
}

/// The widest reach over the segments of `ports`.
pub fn widest(traffic: &TrafficSet, protocol: Protocol, ports: PortRange) -> Reach {
    traffic
        .segments(protocol, ports)
        .iter()
        .map(|segment| segment.addrs.reach())
        .max()
        .unwrap_or(Reach::Private)
}

fn resolve(rule: &SgRule) -> Statement<'_> {
    let (traffic, unknown_traffic) = match resolve_traffic(rule) {
        Ok(traffic) => (Some(traffic), None),
        Err(unknown) => (None, Some(unknown)),
    };
    let mut cidrs = Vec::new();
    let mut unknown_cidrs = Vec::new();
    let mut addrs = AddrSet::new();
    for peer in &rule.peers {
        if let Peer::Cidr(value) = peer {
            match value.known_value() {
                Some(cidr) => {
                    addrs.insert(cidr.net);
                    cidrs.push(CidrPeer {
                        cidr: *cidr,
                        reach: AddrSet::from_net(cidr.net).reach(),
                        value,
                    });
                }
                None => unknown_cidrs.push(value),
            }
        }
    }
    Statement {
        rule,
        traffic,
        unknown_traffic,
        cidrs,
        unknown_cidrs,
        addrs,
    }
}

/// The protocol and ports of a rule, or the value that keeps them unknown.
fn resolve_traffic(rule: &SgRule) -> Result<(Protocol, PortRange), UnknownTraffic<'_>> {
    let protocol = match &rule.protocol {
        Value::Known { value, .. } => *value,
        Value::Unknown { reason, span, via } => {
            return Err(UnknownTraffic {
                reason: reason.clone(),
                span: *span,
                via,
                protocol: None,
                invalid: false,
            });
        }
    };
    // AWS ignores the ports of `all` and of protocols without ports, even unknown ones.
    if matches!(protocol, Protocol::All | Protocol::Number(_)) {
        return Ok((protocol, PortRange::ALL));
    }
    let mut ports = [None, None];
    for (slot, value) in ports.iter_mut().zip([&rule.from_port, &rule.to_port]) {
        match value {
            None => {}
            Some(Value::Known { value, .. }) => *slot = Some(*value),
            Some(Value::Unknown { reason, span, via }) => {
                return Err(UnknownTraffic {
                    reason: reason.clone(),
                    span: *span,
                    via,
                    protocol: Some(protocol),
                    invalid: false,
                });
            }
        }
    }
    let [from, to] = ports;
    protocol
        .port_range(from, to)
        .map(|ports| (protocol, ports))
        .map_err(|reason| UnknownTraffic {
            reason,
            span: rule.from_port.as_ref().map_or(rule.span, Value::span),
            via: &[],
            protocol: Some(protocol),
            invalid: true,
        })
}

/// `definite` unless the rule or its group exists only under assumptions.
pub fn certainty(context: &Context<'_>, rule: &SgRule) -> Certainty {
    let group_assumed = rule
        .group
        .known_value()
        .and_then(|id| context.group(id))
        .is_some_and(|group| !group.assumptions.is_empty());
    if rule.assumptions.is_empty() && !group_assumed {
        Certainty::Definite
    } else {
        Certainty::Possible
    }
}

/// The input values other than the defaults that a rule (or its group) exists under, as a
/// clause: `Env is dev`.
pub fn scenario(context: &Context<'_>, rule: &SgRule) -> Option<String> {
    let group = rule.group.known_value().and_then(|id| context.group(id));
    scenario_of(
        rule.assumptions
            .iter()
            .chain(group.into_iter().flat_map(|group| &group.assumptions)),
    )
}

/// The scenario clauses of some assumptions, each once, in order, joined with `and`.
pub fn scenario_of<'t>(assumptions: impl IntoIterator<Item = &'t Trace>) -> Option<String> {
    let mut clauses: Vec<&str> = Vec::new();
    for clause in assumptions
        .into_iter()
        .filter_map(|trace| trace.scenario.as_deref())
    {
        if !clauses.contains(&clause) {
            clauses.push(clause);
        }
    }
    (!clauses.is_empty()).then(|| clauses.join(" and "))
}

/// A message, with the scenario it depends on: `... when Env is dev`.
pub fn when(message: String, scenario: Option<String>) -> String {
    match scenario {
        Some(scenario) => format!("{message} when {scenario}"),
        None => message,
    }
}

/// Related locations explaining a rule statement finding: where the value came from, what was
/// assumed, and the statement itself.
pub fn explain_statement(
    context: &Context<'_>,
    rule: &SgRule,
    value_via: &[portcullis_ir::Trace],
    primary: Span,
) -> Vec<Related> {
    let mut related: Vec<Related> = value_via
        .iter()
        .map(|trace| Related {
            span: trace.span,
            message: trace.note.clone(),
        })
        .collect();
    related.extend(rule.assumptions.iter().map(|trace| Related {
        span: trace.span,
        message: trace.note.clone(),
    }));
    if rule.span != primary {
        related.push(Related {
            span: first_line(context.sources, rule.span),
            message: format!("{} rule `{}`", rule.direction.as_str(), rule.id),
        });
    }
    related
}

/// Where an unresolved value can be supplied to the scan, in the language of its file.
pub fn how_to_supply(context: &Context<'_>, span: Span) -> &'static str {
    let path = context.path(span);
    if path.ends_with(".tf") || path.ends_with(".tf.json") || path.ends_with(".tfvars") {
        "give the value a safe default, validate it against public ranges, or pass it to the scan with --var or --var-file"
    } else {
        "constrain the parameter with AllowedValues or AllowedPattern, or pass its value to the scan with --cfn-parameters; a value imported from another stack (Fn::ImportValue) is checked where that stack exports it"
    }
}

/// A finding about one rule statement, pointing at `peer`, with the statement's traffic as its
/// exposure and the value's history as related locations.
pub fn statement_finding(
    context: &Context<'_>,
    rule: &'static portcullis_diagnostics::RuleMeta,
    statement: &Statement<'_>,
    peer: &CidrPeer<'_>,
    message: String,
    services: Vec<String>,
    suggestions: Vec<portcullis_diagnostics::Suggestion>,
) -> portcullis_diagnostics::Diagnostic {
    let primary = peer.value.span();
    let exposure = statement
        .traffic
        .map(|(protocol, ports)| portcullis_diagnostics::Exposure {
            direction: statement.rule.direction,
            protocol,
            ports: (protocol != Protocol::All).then_some(ports),
            peer: peer.cidr.to_string(),
            sources: statement
                .cidrs
                .iter()
                .filter(|other| other.reach > Reach::Private)
                .map(|other| other.cidr.to_string())
                .collect(),
            groups: statement
                .rule
                .group
                .known_value()
                .cloned()
                .into_iter()
                .collect(),
            target: None,
            services,
        });
    portcullis_diagnostics::Diagnostic {
        rule,
        severity: rule.default_severity,
        certainty: certainty(context, statement.rule),
        message: when(message, scenario(context, statement.rule)),
        span: primary,
        resource: statement.rule.resource.clone(),
        exposure,
        related: explain_statement(context, statement.rule, peer.value.via(), primary),
        suggestions,
        // The traffic is part of the identity: opening another port is a new finding.
        fingerprint: portcullis_diagnostics::fingerprint(&[
            rule.code,
            &statement.rule.id,
            &peer.cidr.to_string(),
            &statement
                .traffic
                .map(|(protocol, ports)| format!("{ports}/{protocol}"))
                .unwrap_or_default(),
        ]),
        roots: Vec::new(),
        shown_at: None,
    }
}

/// A suggestion without edits.
pub fn advice(message: impl Into<String>) -> portcullis_diagnostics::Suggestion {
    portcullis_diagnostics::Suggestion {
        message: message.into(),
        applicability: portcullis_diagnostics::Applicability::DisplayOnly,
        edits: Vec::new(),
    }
}

/// The part of a span on its first line, so that a related location names a block by its header
/// instead of underlining all of it.
pub fn first_line(sources: &SourceMap, span: Span) -> Span {
    let Some(file) = sources.get(span.file) else {
        return span;
    };
    let text = file.slice(span);
    let end = text.find(['\r', '\n']).map_or(text.len(), |at| at);
    let end = text[..end].trim_end().len();
    Span {
        end: span.start + u32::try_from(end).unwrap_or(0),
        ..span
    }
}
