//! Route tables: whether a subnet's default route leads to an internet gateway.

use std::collections::BTreeMap;

use portcullis_ir::{Inventory, Span, Value};

use super::fields::Fields;
use super::resource::Resource;

/// Route tables, routes and their subnet associations, to tell whether a subnet's traffic
/// to 0.0.0.0/0 goes to an internet gateway.
#[derive(Default)]
pub(super) struct Routing {
    /// Route tables of the configuration, with the span of a default route to an internet
    /// gateway when they have one.
    pub(super) tables: BTreeMap<String, Option<Span>>,
    /// Subnet, route table, span of the association.
    pub(super) associations: Vec<(String, String, Span)>,
}

impl Routing {
    /// Records a routing resource; false for any other resource type.
    pub(super) fn record(&mut self, kind: &str, resource: &Resource<'_, '_>) -> bool {
        let fields = resource.fields();
        let known = |name: &str| fields.get(name).and_then(|value| value.to_text().ok());
        match kind {
            "aws_route_table" => {
                let routes = resource.inline_blocks("route");
                let to_internet = routes
                    .iter()
                    .find_map(|(route, span, _)| default_route_to_gateway(route).then_some(*span));
                // An `aws_route` met earlier may already have given the table its default route.
                let entry = self.tables.entry(resource.address.clone()).or_default();
                if entry.is_none() {
                    *entry = to_internet;
                }
            }
            "aws_route" => {
                if let (Some(table), true) =
                    (known("route_table_id"), default_route_to_gateway(&fields))
                {
                    *self.tables.entry(table).or_default() = Some(resource.block.span);
                }
            }
            "aws_route_table_association" => {
                if let (Some(subnet), Some(table)) = (known("subnet_id"), known("route_table_id")) {
                    self.associations.push((subnet, table, resource.block.span));
                }
            }
            _ => return false,
        }
        true
    }

    /// Sets `routes_to_internet` of the subnets explicitly associated with a route table of
    /// the configuration; the others use the VPC's main table, which stays unknown.
    pub(super) fn apply(self, inventory: &mut Inventory) {
        for subnet in &mut inventory.subnets {
            let Some((_, table, association)) =
                self.associations.iter().find(|(id, _, _)| *id == subnet.id)
            else {
                continue;
            };
            let Some(route) = self.tables.get(table) else {
                continue;
            };
            subnet.routes_to_internet = Some(match route {
                Some(span) => Value::known(true, *span),
                None => Value::known(false, *association),
            });
        }
    }
}

/// A route for 0.0.0.0/0 or ::/0 whose target is an internet gateway.
pub(super) fn default_route_to_gateway(route: &Fields<'_, '_>) -> bool {
    let text = |name: &str| route.get(name).and_then(|value| value.to_text().ok());
    let default = text("cidr_block")
        .or_else(|| text("destination_cidr_block"))
        .is_some_and(|cidr| cidr == "0.0.0.0/0")
        || text("ipv6_cidr_block")
            .or_else(|| text("destination_ipv6_cidr_block"))
            .is_some_and(|cidr| cidr == "::/0");
    let gateway = text("gateway_id")
        .is_some_and(|id| id.starts_with("igw-") || id.contains("aws_internet_gateway."));
    default && gateway
}
