//! VPCs (with their default security group), subnets and whether they route to an internet
//! gateway, network ACLs, their entries and associations.

use portcullis_ir::{
    Direction, NaclAction, NaclAssociation, NaclEntry, NetworkAcl, SecurityGroup, Subnet, Trace,
    Value, Vpc,
};
use portcullis_net::Protocol;

use super::builder::{Builder, Resource};
use super::values::{
    Property, as_text, boolean, cidr, integer, known, optional, optional_text, parsed, protocol,
    required,
};
use crate::ids::default_group_id;

impl Builder<'_, '_> {
    pub(super) fn vpc(&mut self, resource: &Resource<'_>) {
        let props = self.properties(resource, &resource.base);
        self.inventory.vpcs.push(Vpc {
            id: resource.id.to_owned(),
            cidr: optional(&props, "CidrBlock", cidr),
            span: resource.span,
        });
        // Every VPC comes with a default group, which `!GetAtt Vpc.DefaultSecurityGroup` names:
        // rules and resources that use it are about that group.
        self.inventory.security_groups.push(SecurityGroup {
            id: default_group_id(resource.id),
            name: Some(Value::known("default".to_owned(), resource.name_span)),
            description: None,
            vpc: Some(Value::known(resource.id.to_owned(), resource.name_span)),
            is_default: true,
            span: resource.span,
            name_span: resource.name_span,
            construct_path: resource.construct_path.clone(),
            assumptions: self.template.assumptions(&resource.base),
        });
    }

    pub(super) fn subnet(&mut self, resource: &Resource<'_>) {
        let props = self.properties(resource, &resource.base);
        self.inventory.subnets.push(Subnet {
            id: resource.id.to_owned(),
            vpc: optional_text(&props, "VpcId"),
            cidr: optional(&props, "CidrBlock", cidr),
            map_public_ip_on_launch: optional(&props, "MapPublicIpOnLaunch", boolean),
            routes_to_internet: None,
            span: resource.span,
        });
    }

    pub(super) fn nacl(&mut self, resource: &Resource<'_>) {
        let props = self.properties(resource, &resource.base);
        self.inventory.nacls.push(NetworkAcl {
            id: resource.id.to_owned(),
            vpc: optional_text(&props, "VpcId"),
            is_default: false,
            span: resource.span,
            assumptions: self.template.assumptions(&resource.base),
        });
    }

    pub(super) fn nacl_entry(&mut self, resource: &Resource<'_>) {
        let Some(node) = resource.props else {
            self.unresolved(resource.id, "the entry has no Properties", resource.span);
            return;
        };
        for world in self.template.worlds(node, &resource.base) {
            let ev = self.template.eval(node, &world, 0);
            let at = resource.span;
            let subject = resource.id;
            let protocol_property =
                Property::new(subject, "Protocol", "any protocol").expecting("an IP protocol");
            let protocol = self.required_property(&protocol_property, &ev, at, protocol);
            let mut assumptions = self.template.assumptions(&world);
            let direction = match ev.get("Egress").map(|value| parsed(value, boolean)) {
                None | Some(Value::Known { value: false, .. }) => Direction::Ingress,
                Some(Value::Known { value: true, .. }) => Direction::Egress,
                Some(Value::Unknown { reason, span, .. }) => {
                    assumptions.push(Trace::new(
                        span,
                        format!("Egress is unknown ({reason}); analysed as ingress"),
                    ));
                    Direction::Ingress
                }
            };
            let known_protocol = protocol.known_value().copied();
            let (from_port, to_port) = if known_protocol.is_some_and(Protocol::is_icmp) {
                let icmp = ev.get("Icmp");
                (
                    icmp.and_then(|icmp| optional(icmp, "Type", integer)),
                    icmp.and_then(|icmp| optional(icmp, "Code", integer)),
                )
            } else {
                let with_ports = known_protocol.filter(|known| known.has_ports());
                let range = ev.get("PortRange");
                let [from_port, to_port] = [("From", "PortRange.From"), ("To", "PortRange.To")]
                    .map(|(key, shown)| {
                        let property =
                            Property::new(subject, shown, "any port").expecting("a number");
                        match (range.and_then(|range| range.get(key)), with_ports) {
                            (Some(value), _) => Some(self.property(&property, value, integer)),
                            (None, Some(known)) => {
                                let property = if range.is_none() {
                                    Property::new(subject, "PortRange", "any port")
                                } else {
                                    property
                                };
                                Some(self.missing(
                                    &property,
                                    &format!("required for {}", known.name()),
                                    at,
                                ))
                            }
                            (None, None) => None,
                        }
                    });
                (from_port, to_port)
            };
            let action_property = Property::new(subject, "RuleAction", "an unknown action");
            let action = self.required_property(&action_property, &ev, at, |text| {
                NaclAction::parse(text.trim())
            });
            let acl_property = Property::new(subject, "NetworkAclId", "an entry of an unknown ACL");
            let acl = self.required_property(&acl_property, &ev, at, as_text);
            let number_property = Property::new(subject, "RuleNumber", "an entry of unknown order")
                .expecting("a number");
            let rule_number = self.required_property(&number_property, &ev, at, integer);
            self.inventory.nacl_entries.push(NaclEntry {
                id: resource.item_id(resource.id.to_owned(), &world, self.template),
                acl,
                rule_number,
                action,
                direction,
                protocol,
                from_port,
                to_port,
                cidr: optional(&ev, "CidrBlock", cidr)
                    .or_else(|| optional(&ev, "Ipv6CidrBlock", cidr)),
                span: resource.span,
                assumptions,
            });
        }
    }

    pub(super) fn nacl_association(&mut self, resource: &Resource<'_>) {
        let props = self.properties(resource, &resource.base);
        let at = resource.span;
        self.inventory.nacl_associations.push(NaclAssociation {
            acl: required(&props, "NetworkAclId", at, |text| Ok(text.to_owned())),
            subnet: required(&props, "SubnetId", at, |text| Ok(text.to_owned())),
            span: resource.span,
        });
    }

    /// Whether each subnet's route table sends 0.0.0.0/0 to an internet gateway, from the routes
    /// and associations of the template.
    pub(super) fn routes(&mut self) {
        let template = self.template;
        let internet_tables: Vec<String> = self
            .evaluated("AWS::EC2::Route")
            .iter()
            .filter(|(_, route)| {
                let default = known(route, "DestinationCidrBlock").as_deref() == Some("0.0.0.0/0")
                    || known(route, "DestinationIpv6CidrBlock").as_deref() == Some("::/0");
                let gateway = known(route, "GatewayId").is_some_and(|gateway| {
                    template.resource_type(&gateway) == Some("AWS::EC2::InternetGateway")
                });
                default && gateway
            })
            .filter_map(|(_, route)| known(route, "RouteTableId"))
            .collect();
        for (entry, association) in self.evaluated("AWS::EC2::SubnetRouteTableAssociation") {
            let (Some(subnet), Some(table)) = (
                known(&association, "SubnetId"),
                known(&association, "RouteTableId"),
            ) else {
                continue;
            };
            let routed = internet_tables.contains(&table);
            if let Some(subnet) = self.inventory.subnets.iter_mut().find(|s| s.id == subnet) {
                subnet.routes_to_internet = Some(Value::known(routed, entry.key_span));
            }
        }
    }
}
