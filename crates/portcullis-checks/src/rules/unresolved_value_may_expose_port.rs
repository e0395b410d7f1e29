use portcullis_diagnostics::{Certainty, Diagnostic, Exposure, Related, Severity, fingerprint};
use portcullis_ir::Direction;
use portcullis_net::{PortRange, Protocol, Reach};

use crate::analysis::{Context, Statement, advice, explain_statement, how_to_supply, scenario, when};

declare_rule! {
    /// ## What it does
    /// Reports ingress rule statements whose source CIDR could not be resolved (a variable
    /// without a value, a data source, a parameter without a default) on a sensitive port or on
    /// every port, and statements open to a public source whose protocol or ports could not be
    /// resolved (a variable without a value, a missing or invalid `from_port`). The finding names
    /// the value it depends on. It is `medium` when the known source is the whole internet and
    /// only the ports are in doubt, `info` otherwise.
    ///
    /// ## Why is this bad?
    /// Whether the rule is safe depends on a value decided at deploy time. If that value is
    /// ever `0.0.0.0/0`, the port is open to the internet, and no review of this code will
    /// notice.
    ///
    /// ## Example
    /// ```hcl
    /// variable "ssh_cidrs" {
    ///   type = list(string)
    /// }
    ///
    /// resource "aws_security_group_rule" "ssh" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 22
    ///   to_port           = 22
    ///   cidr_blocks       = var.ssh_cidrs
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Give the variable a safe default and a validation that rejects public ranges, or pass
    /// the value to the scan with `--var`/`--var-file`:
    /// ```hcl
    /// variable "ssh_cidrs" {
    ///   type    = list(string)
    ///   default = ["10.0.0.0/16"]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    pub static RULE = {
        code: "SG017",
        name: "unresolved-value-may-expose-port",
        category: "unknown",
        severity: Info,
        enabled: true,
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for statement in &context.statements {
        if statement.rule.direction != Direction::Ingress {
            continue;
        }
        match &statement.traffic {
            Some((protocol, ports)) => unknown_sources(context, statement, *protocol, *ports, out),
            None => unknown_traffic(context, statement, out),
        }
    }
}

fn unknown_sources(context: &Context<'_>, statement: &Statement<'_>, protocol: Protocol, ports: PortRange, out: &mut Vec<Diagnostic>) {
    let rule = statement.rule;
    if statement.unknown_cidrs.is_empty() {
        return;
    }
    let mut names: Vec<String> = context.catalogue.touched(protocol, ports).map(|service| service.label()).collect();
    names.dedup();
    let what = if statement.is_all_traffic() {
        "every port".to_owned()
    } else if names.is_empty() {
        return;
    } else {
        names.join(", ")
    };
    for value in &statement.unknown_cidrs {
        let reason = value.unknown_reason().unwrap_or("unknown");
        let span = value.span();
        let mut related = explain_statement(context, rule, value.via(), span);
        related.insert(0, Related { span, message: format!("unresolved: {reason}") });
        out.push(Diagnostic {
            rule: &RULE,
            severity: RULE.default_severity,
            certainty: Certainty::Possible,
            message: when(format!("{what} may be open to the internet: the source could not be resolved ({reason})"), scenario(context, rule)),
            span,
            resource: rule.resource.clone(),
            exposure: None,
            related,
            suggestions: vec![advice(how_to_supply(context, span))],
            fingerprint: fingerprint(&[RULE.code, &rule.id, reason]),
            roots: Vec::new(),
            shown_at: None,
        });
    }
}

/// A statement open to a public (or unresolved) source whose protocol or ports are unknown: it
/// may open any port.
fn unknown_traffic(context: &Context<'_>, statement: &Statement<'_>, out: &mut Vec<Diagnostic>) {
    let (Some(unknown), rule) = (&statement.unknown_traffic, statement.rule) else { return };
    let peer = statement.widest_peer().filter(|peer| peer.reach >= Reach::Broad);
    let source = match (peer, statement.unknown_cidrs.first()) {
        (Some(peer), _) => peer.cidr.to_string(),
        (None, Some(_)) => "an unresolved source".to_owned(),
        (None, None) => return,
    };
    let (what, value, protocol, ports) = match unknown.protocol {
        Some(protocol) => (format!("any {protocol} port"), "the ports", protocol, Some(if protocol.is_icmp() { PortRange::ICMP_ALL } else { PortRange::ALL })),
        None => ("any protocol and port".to_owned(), "the protocol", Protocol::All, None),
    };
    let reason = &unknown.reason;
    let mut related = explain_statement(context, rule, unknown.via, unknown.span);
    related.insert(0, Related { span: unknown.span, message: format!("unresolved: {reason}") });
    if let Some(peer) = peer {
        related.insert(1, Related { span: peer.value.span(), message: format!("{} allowed by `{}`", peer.cidr, rule.id) });
    }
    let internet = peer.is_some_and(|peer| peer.reach == Reach::Internet);
    out.push(Diagnostic {
        rule: &RULE,
        severity: if internet { Severity::Medium } else { RULE.default_severity },
        certainty: Certainty::Possible,
        message: when(format!("{what} may be open to the internet from {source}: {value} could not be resolved ({reason})"), scenario(context, rule)),
        span: unknown.span,
        resource: rule.resource.clone(),
        exposure: peer.map(|peer| Exposure {
            direction: rule.direction,
            protocol,
            ports,
            peer: peer.cidr.to_string(),
            sources: statement.cidrs.iter().filter(|other| other.reach > Reach::Private).map(|other| other.cidr.to_string()).collect(),
            groups: rule.group.known_value().cloned().into_iter().collect(),
            target: None,
            services: Vec::new(),
        }),
        related,
        suggestions: std::iter::once(advice("give the rule the protocol and ports the service needs"))
            .chain((!unknown.invalid).then(|| advice(how_to_supply(context, unknown.span))))
            .collect(),
        fingerprint: fingerprint(&[RULE.code, &rule.id, reason, &source]),
        roots: Vec::new(),
        shown_at: None,
    });
}
