//! The mechanism shared by the per-category rules (admin, database, ...): one finding per rule
//! statement that, with the other statements of its group, opens services of the category to
//! the whole internet.

use portcullis_diagnostics::{Diagnostic, Related, RuleMeta};
use portcullis_ir::Direction;
use portcullis_net::Reach;

use crate::analysis::{Context, statement_finding};
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
        let Some(peer) = statement.widest_peer() else {
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
        let sources = match statement.broad_peers() {
            broad if broad.is_empty() => peer.cidr.to_string(),
            broad => broad,
        };
        let mut message = format!(
            "{} {verb} open to the internet from {sources}",
            labels.join(", ")
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
        let mut finding = statement_finding(
            context,
            rule,
            statement,
            peer,
            message,
            labels,
            remedies::for_exposure(context, statement, peer, category, &services),
        );
        finding
            .related
            .extend(partners.iter().filter_map(|partner| {
                let other = partner.widest_peer()?;
                Some(Related {
                    span: other.value.span(),
                    message: format!(
                        "{} in `{}` covers the rest of the internet",
                        other.cidr, partner.rule.id
                    ),
                })
            }));
        out.push(finding);
    }
}
