//! Load balancer listeners: `AWS::ElasticLoadBalancingV2::Listener` resources and the
//! `Listeners` of classic load balancers.

use portcullis_ir::{Listener, Value};

use super::builder::{Builder, Resource};
use super::values::{Property, as_text, integer, parsed};
use crate::eval::Ev;

impl Builder<'_, '_> {
    /// A listener of an application, network or gateway load balancer; `LoadBalancerArn` is a
    /// `!Ref` to the load balancer, which evaluates to its logical id, its attachment's id.
    pub(super) fn listener(&mut self, resource: &Resource<'_>) {
        let Some(node) = resource.props else {
            self.unresolved(resource.id, "the listener has no Properties", resource.span);
            return;
        };
        for world in self.template.worlds(node, &resource.base) {
            let ev = self.template.eval(node, &world, 0);
            let property = Property::new(
                resource.id,
                "LoadBalancerArn",
                "a listener of an unknown load balancer",
            );
            let load_balancer = self.required_property(&property, &ev, resource.span, as_text);
            let port = match ev.get("Port") {
                Some(value) => {
                    let property =
                        Property::new(resource.id, "Port", "any port").expecting("a number");
                    self.property(&property, value, integer)
                }
                // Gateway Load Balancers listen on every port and take no `Port`.
                None => Value::unknown("the listener sets no Port", resource.span),
            };
            self.inventory.listeners.push(Listener {
                load_balancer,
                port,
                span: resource.span,
                assumptions: self.template.assumptions(&world),
            });
        }
    }

    /// The `Listeners` of a classic load balancer: clients connect to `LoadBalancerPort`.
    pub(super) fn classic_listeners(&mut self, resource: &Resource<'_>) {
        let Some(list) = resource.props.and_then(|node| node.get("Listeners")) else {
            return;
        };
        for (index, item, world) in self.template.list_items(list, &resource.base) {
            for world in self.template.worlds(item, &world) {
                let ev = self.template.eval(item, &world, 0);
                let subject = format!("{} Listeners[{index}]", resource.id);
                let property =
                    Property::new(&subject, "LoadBalancerPort", "any port").expecting("a number");
                let port = match ev {
                    Ev::Map { .. } => self.required_property(&property, &ev, item.span, integer),
                    // An entry that is not written out (an import, a parameter) keeps its reason.
                    _ => parsed(&ev, integer),
                };
                self.inventory.listeners.push(Listener {
                    load_balancer: Value::known(resource.id.to_owned(), resource.name_span),
                    port,
                    span: item.span,
                    assumptions: self.template.assumptions(&world),
                });
            }
        }
    }
}
