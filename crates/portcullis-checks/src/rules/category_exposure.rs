//! The mechanism shared by the per-category rules (admin, database, ...): one finding per rule
//! statement that, with the other statements of its group, opens services of the category to
//! the whole internet.

use portcullis_diagnostics::{Diagnostic, Exposure, Related, RuleMeta, fingerprint};
use portcullis_ir::Direction;
use portcullis_net::{Protocol, Reach};

use crate::analysis::{Context, certainty, explain_statement};
use crate::catalogue::{Category, Service};
use crate::remedies;

pub fn check(
    context: &Context<'_>,
    rule: &'static RuleMeta,
    category: Category,
    out: &mut Vec<Diagnostic>,
) {
    for statement in &context.statements {
        if statement.rule.direction != Direction::Ingress || statement.is_all_traffic() {
            continue;
        }
        let exposures: Vec<_> = context
            .exposed_services(statement)
            .into_iter()
            .filter(|exposure| {
                exposure.service.category == category && exposure.reach == Reach::Internet
            })
            .collect();
        let (Some(peer), Some((protocol, ports))) = (statement.widest_peer(), statement.traffic)
        else {
            continue;
        };
        if exposures.is_empty() {
            continue;
        }
        let services: Vec<&Service> = exposures.iter().map(|exposure| exposure.service).collect();
        let labels: Vec<String> = services.iter().map(|service| service.label()).collect();
        let verb = if labels.len() == 1 { "is" } else { "are" };
        let group = statement
            .rule
            .group
            .known_value()
            .map_or("its group", String::as_str);
        let mut message = format!(
            "{} {verb} open to the internet from {}",
            labels.join(", "),
            peer.cidr
        );
        let mut partners: Vec<_> = exposures
            .iter()
            .flat_map(|exposure| exposure.partners.iter().copied())
            .collect();
        partners.sort_by_key(|partner| partner.rule.span);
        partners.dedup_by_key(|partner| partner.rule.span);
        if !partners.is_empty() {
            let others = partners.len();
            let plural = if others == 1 { "" } else { "s" };
            message.push_str(&format!(
                " together with {others} other rule{plural} of `{group}`"
            ));
        }
        let primary = peer.value.span();
        let mut related = explain_statement(statement.rule, peer.value.via(), primary);
        related.extend(partners.iter().filter_map(|partner| {
            let other = partner.widest_peer()?;
            Some(Related {
                span: other.value.span(),
                message: format!(
                    "{} in `{}` covers the rest of the internet",
                    other.cidr, partner.rule.id
                ),
            })
        }));
        out.push(Diagnostic {
            rule,
            severity: rule.default_severity,
            certainty: certainty(context, statement.rule),
            message,
            span: primary,
            resource: statement.rule.resource.clone(),
            exposure: Some(Exposure {
                direction: Direction::Ingress,
                protocol,
                ports: (protocol != Protocol::All).then_some(ports),
                peer: peer.cidr.to_string(),
            }),
            related,
            suggestions: remedies::for_exposure(context, statement, peer, category, &services),
            fingerprint: fingerprint(&[rule.code, &statement.rule.id, &peer.cidr.to_string()]),
        });
    }
}
