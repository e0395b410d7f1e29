//! Security groups and their rules: `AWS::EC2::SecurityGroup` with its inline rules, the
//! standalone ingress and egress resources, and EC2-Classic DB security groups.

use portcullis_ir::{Direction, SecurityGroup, SgRule, Span, Value};
use portcullis_net::Protocol;

use super::builder::{Builder, Resource};
use super::values::{PeerKeys, Property, as_text, integer, optional_text, protocol, text};
use crate::eval::{Ev, World};

/// The peers of an EC2-Classic DB security group's ingress.
const DB_INGRESS_PEERS: PeerKeys = PeerKeys {
    cidrs: &["CIDRIP"],
    groups: &["EC2SecurityGroupId", "EC2SecurityGroupName"],
    prefix_lists: &[],
};

/// A rule statement about to be built: what the builder knows before reading its properties.
struct Statement<'w> {
    id: String,
    /// How problems name it: `DbSG SecurityGroupIngress[0]`, `DbIngress`.
    label: String,
    group: Value<String>,
    direction: Direction,
    /// The entry or resource that holds the statement.
    span: Span,
    world: &'w World,
}

impl Builder<'_, '_> {
    pub(super) fn security_group(&mut self, resource: &Resource<'_>) {
        let props = self.properties(resource, &resource.base);
        let name = optional_text(&props, "GroupName");
        let is_default = name
            .as_ref()
            .and_then(Value::known_value)
            .is_some_and(|name| name == "default");
        self.inventory.security_groups.push(SecurityGroup {
            id: resource.id.to_owned(),
            name,
            description: optional_text(&props, "GroupDescription"),
            vpc: optional_text(&props, "VpcId"),
            is_default,
            span: resource.span,
            name_span: resource.name_span,
            construct_path: resource.construct_path.clone(),
            assumptions: self.template.assumptions(&resource.base),
        });
        let Some(node) = resource.props else { return };
        for (direction, key) in [
            (Direction::Ingress, "SecurityGroupIngress"),
            (Direction::Egress, "SecurityGroupEgress"),
        ] {
            let Some(list) = node.get(key) else { continue };
            for (index, item, world) in self.template.list_items(list, &resource.base) {
                for world in self.template.worlds(item, &world) {
                    let ev = self.template.eval(item, &world, 0);
                    let id = resource.item_id(
                        format!("{}.{key}[{index}]", resource.id),
                        &world,
                        self.template,
                    );
                    let statement = Statement {
                        id,
                        label: format!("{} {key}[{index}]", resource.id),
                        group: Value::known(resource.id.to_owned(), resource.name_span),
                        direction,
                        span: item.span,
                        world: &world,
                    };
                    self.rule(resource.id, statement, &ev);
                }
            }
        }
    }

    /// An EC2-Classic DB security group: a group whose ingress entries open the port of the
    /// databases that use it, which only those databases know.
    pub(super) fn db_security_group(&mut self, resource: &Resource<'_>) {
        let props = self.properties(resource, &resource.base);
        self.inventory.security_groups.push(SecurityGroup {
            id: resource.id.to_owned(),
            name: None,
            description: optional_text(&props, "GroupDescription"),
            vpc: optional_text(&props, "EC2VpcId"),
            is_default: false,
            span: resource.span,
            name_span: resource.name_span,
            construct_path: resource.construct_path.clone(),
            assumptions: self.template.assumptions(&resource.base),
        });
        let Some(list) = resource
            .props
            .and_then(|node| node.get("DBSecurityGroupIngress"))
        else {
            return;
        };
        let key = "DBSecurityGroupIngress";
        for (index, item, world) in self.template.list_items(list, &resource.base) {
            for world in self.template.worlds(item, &world) {
                let ev = self.template.eval(item, &world, 0);
                let statement = Statement {
                    id: resource.item_id(
                        format!("{}.{key}[{index}]", resource.id),
                        &world,
                        self.template,
                    ),
                    label: format!("{} {key}[{index}]", resource.id),
                    group: Value::known(resource.id.to_owned(), resource.name_span),
                    direction: Direction::Ingress,
                    span: item.span,
                    world: &world,
                };
                self.db_rule(resource.id, statement, &ev);
            }
        }
    }

    pub(super) fn db_ingress_resource(&mut self, resource: &Resource<'_>) {
        let Some(node) = resource.props else {
            self.unresolved(resource.id, "the rule has no Properties", resource.span);
            return;
        };
        for world in self.template.worlds(node, &resource.base) {
            let ev = self.template.eval(node, &world, 0);
            let property = Property::new(
                resource.id,
                "DBSecurityGroupName",
                "a rule of an unknown group",
            );
            let group = self.required_property(&property, &ev, resource.span, as_text);
            let statement = Statement {
                id: resource.item_id(resource.id.to_owned(), &world, self.template),
                label: resource.id.to_owned(),
                group,
                direction: Direction::Ingress,
                span: resource.span,
                world: &world,
            };
            self.db_rule(resource.id, statement, &ev);
        }
    }

    /// Whether a rule evaluated to an object; if not, it is recorded as unresolved.
    fn is_statement(&mut self, id: &str, span: Span, ev: &Ev) -> bool {
        match ev {
            Ev::Map { .. } => true,
            Ev::Unknown { reason, .. } => {
                self.unresolved(
                    id,
                    format!("the rule could not be evaluated: {reason}"),
                    span,
                );
                false
            }
            _ => {
                self.unresolved(id, "the rule is not an object", span);
                false
            }
        }
    }

    /// An ingress of a DB security group: tcp to the port of the databases that use the group.
    fn db_rule(&mut self, resource: &str, statement: Statement<'_>, ev: &Ev) {
        if !self.is_statement(&statement.id, statement.span, ev) {
            return;
        }
        let peers = self.peers(&statement.label, ev, &DB_INGRESS_PEERS);
        let group_name = statement.group.known_value().map_or_else(
            || "an unknown group".to_owned(),
            |group| format!("`{group}`"),
        );
        let port = Value::unknown(
            format!(
                "the port of the databases that use DB security group {group_name} (EC2-Classic)"
            ),
            statement.span,
        );
        self.inventory.rules.push(SgRule {
            id: statement.id,
            resource: resource.to_owned(),
            group: statement.group,
            direction: statement.direction,
            protocol: Value::known(Protocol::Tcp, statement.span),
            from_port: Some(port.clone()),
            to_port: Some(port),
            peers,
            description: None,
            span: statement.span,
            assumptions: self.template.assumptions(statement.world),
        });
    }

    pub(super) fn rule_resource(&mut self, resource: &Resource<'_>, direction: Direction) {
        let Some(node) = resource.props else {
            self.unresolved(resource.id, "the rule has no Properties", resource.span);
            return;
        };
        for world in self.template.worlds(node, &resource.base) {
            let ev = self.template.eval(node, &world, 0);
            let group = match ev.get("GroupId").or_else(|| ev.get("GroupName")) {
                Some(group) => text(group),
                None => {
                    Value::unknown("the rule names no GroupId or GroupName", resource.name_span)
                }
            };
            let statement = Statement {
                id: resource.item_id(resource.id.to_owned(), &world, self.template),
                label: resource.id.to_owned(),
                group,
                direction,
                span: resource.span,
                world: &world,
            };
            self.rule(resource.id, statement, &ev);
        }
    }

    fn rule(&mut self, resource: &str, statement: Statement<'_>, ev: &Ev) {
        let Statement {
            id,
            label,
            group,
            direction,
            span,
            world,
        } = statement;
        if !self.is_statement(&id, span, ev) {
            return;
        }
        let subject = label.as_str();
        let protocol_property =
            Property::new(subject, "IpProtocol", "any protocol").expecting("an IP protocol");
        let protocol = self.required_property(&protocol_property, ev, span, protocol);
        let [from_port, to_port] = ["FromPort", "ToPort"].map(|key| {
            let property = Property::new(subject, key, "any port").expecting("a number");
            match (ev.get(key), protocol.known_value()) {
                (Some(value), _) => Some(self.property(&property, value, integer)),
                (None, Some(known)) if known.has_ports() => {
                    Some(self.missing(&property, &format!("required for {}", known.name()), span))
                }
                (None, _) => None,
            }
        });
        let keys = match direction {
            Direction::Ingress => PeerKeys {
                cidrs: &["CidrIp", "CidrIpv6"],
                groups: &["SourceSecurityGroupId", "SourceSecurityGroupName"],
                prefix_lists: &["SourcePrefixListId"],
            },
            Direction::Egress => PeerKeys {
                cidrs: &["CidrIp", "CidrIpv6"],
                groups: &["DestinationSecurityGroupId"],
                prefix_lists: &["DestinationPrefixListId"],
            },
        };
        let peers = self.peers(subject, ev, &keys);
        self.inventory.rules.push(SgRule {
            id,
            resource: resource.to_owned(),
            group,
            direction,
            protocol,
            from_port,
            to_port,
            peers,
            description: optional_text(ev, "Description"),
            span,
            assumptions: self.template.assumptions(world),
        });
    }
}
