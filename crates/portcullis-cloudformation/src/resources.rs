//! Template resources to IR items.

use portcullis_ir::{
    Attachment, DeclaredSuppression, Direction, Inventory, Listener, NaclAction, NaclAssociation,
    NaclEntry, NetworkAcl, Peer, Problem, Reachability, ResourceRole, SecurityGroup, SgRule, Span,
    Subnet, SuppressedBy, Trace, Unresolved, Value, Vpc,
};
use portcullis_net::{Cidr, Protocol};

use crate::eval::{Ev, Template, World};
use crate::ids::default_group_id;
use crate::tree::{Entry, Kind, Node};

/// One resource of the template, with the condition it exists under.
struct Resource<'a> {
    id: &'a str,
    kind: &'a str,
    props: Option<&'a Node>,
    /// The resource's `Condition`, when it cannot be decided.
    base: World,
    span: Span,
    name_span: Span,
    construct_path: Option<String>,
}

impl Resource<'_> {
    /// `Base.Key[0]`, suffixed with the conditions assumed beyond the resource's own (not those
    /// at the outcome of the parameters' defaults, so that the default variant keeps the plain id).
    fn item_id(&self, base: String, world: &World, template: &Template<'_>) -> String {
        let extra: Vec<String> = world
            .iter()
            .filter(|(name, (holds, _))| {
                !self.base.contains_key(*name) && template.is_assumption(name, *holds)
            })
            .map(|(name, (holds, _))| {
                if *holds {
                    name.clone()
                } else {
                    format!("!{name}")
                }
            })
            .collect();
        if extra.is_empty() {
            base
        } else {
            format!("{base}{{{}}}", extra.join(","))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Values

fn text(ev: &Ev) -> Value<String> {
    match ev {
        Ev::Str { value, span, via } => Value::Known {
            value: value.clone(),
            span: *span,
            via: via.clone(),
        },
        Ev::Unknown { reason, span, via } => Value::Unknown {
            reason: reason.clone(),
            span: *span,
            via: via.clone(),
        },
        Ev::Null(span) => Value::unknown("the value is null", *span),
        Ev::List { span, .. } | Ev::Map { span, .. } => Value::unknown(
            "the value is a list or an object, where one value is wanted",
            *span,
        ),
        Ev::NoValue(span) => Value::unknown("the value is AWS::NoValue", *span),
    }
}

fn parsed<T>(ev: &Ev, parse: impl FnOnce(&str) -> Result<T, String>) -> Value<T> {
    text(ev).and_then(|value| parse(&value))
}

fn integer(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    trimmed
        .parse::<i64>()
        .or_else(|_| match trimmed.parse::<f64>() {
            // JSON numbers such as `22.0` are integers to CloudFormation.
            Ok(number) if number.fract() == 0.0 && number.abs() < 1e15 => Ok(number as i64),
            _ => Err(()),
        })
        .map_err(|()| format!("`{trimmed}` is not an integer"))
}

fn boolean(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "enabled" => Ok(true),
        "false" | "disabled" => Ok(false),
        other => Err(format!("`{other}` is not a boolean")),
    }
}

fn protocol(text: &str) -> Result<Protocol, String> {
    Protocol::parse(text).ok_or_else(|| format!("`{}` is not an IP protocol", text.trim()))
}

fn cidr(text: &str) -> Result<Cidr, String> {
    Cidr::parse(text).map_err(|error| error.0)
}

fn optional<T>(
    ev: &Ev,
    key: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Option<Value<T>> {
    ev.get(key).map(|value| parsed(value, parse))
}

/// A property the resource needs; its absence is an unknown at the resource.
fn required<T>(
    ev: &Ev,
    key: &str,
    at: Span,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Value<T> {
    ev.get(key).map_or_else(
        || Value::unknown(format!("{key} is missing"), at),
        |value| parsed(value, parse),
    )
}

/// Makes a peer of a group or prefix list id.
type MakePeer = fn(Value<String>) -> Peer;

/// The properties of a statement that name its peers.
struct PeerKeys {
    cidrs: &'static [&'static str],
    groups: &'static [&'static str],
    prefix_lists: &'static [&'static str],
}

/// The peers of an EC2-Classic DB security group's ingress.
const DB_INGRESS_PEERS: PeerKeys = PeerKeys {
    cidrs: &["CIDRIP"],
    groups: &["EC2SecurityGroupId", "EC2SecurityGroupName"],
    prefix_lists: &[],
};

/// A property read for a statement, with what to call it in a problem.
struct Property<'p> {
    /// The statement: `DbSG SecurityGroupIngress[0]`.
    subject: &'p str,
    key: &'p str,
    /// How the statement is analysed without the value: `any protocol`, `any port`.
    analysed_as: &'p str,
    /// What a written value must be (`a number`), when one that does not parse is a mistake.
    expected: Option<&'p str>,
}

impl<'p> Property<'p> {
    fn new(subject: &'p str, key: &'p str, analysed_as: &'p str) -> Self {
        Self {
            subject,
            key,
            analysed_as,
            expected: None,
        }
    }

    fn expecting(mut self, expected: &'p str) -> Self {
        self.expected = Some(expected);
        self
    }
}

fn as_text(text: &str) -> Result<String, String> {
    Ok(text.to_owned())
}

fn optional_text(ev: &Ev, key: &str) -> Option<Value<String>> {
    ev.get(key).map(text)
}

/// Every value at `path` (`*` steps into each element of a list), lists flattened.
fn collect<'e>(ev: &'e Ev, path: &[&str], out: &mut Vec<&'e Ev>) {
    match path.split_first() {
        None => match ev {
            Ev::List { items, .. } => out.extend(items.iter()),
            other => out.push(other),
        },
        Some((&"*", rest)) => {
            if let Ev::List { items, .. } = ev {
                for item in items {
                    collect(item, rest, out);
                }
            }
        }
        Some((key, rest)) => {
            if let Some(value) = ev.get(key) {
                collect(value, rest, out);
            }
        }
    }
}

fn collect_all<'e>(ev: &'e Ev, paths: &[&[&str]]) -> Vec<&'e Ev> {
    let mut out = Vec::new();
    for path in paths {
        collect(ev, path, &mut out);
    }
    out
}

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

// ---------------------------------------------------------------------------------------------
// Builder

pub struct Builder<'t, 'a> {
    template: &'t Template<'a>,
    pub inventory: Inventory,
    /// Properties missing or written wrong, each once (an item built in several worlds reads
    /// the same text).
    pub problems: Vec<Problem>,
}

impl<'t, 'a> Builder<'t, 'a> {
    pub fn new(template: &'t Template<'a>) -> Self {
        Self {
            template,
            inventory: Inventory::default(),
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, span: Span, message: String) {
        let problem = Problem { span, message };
        if !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    /// A property CloudFormation needs that is absent: an unknown at the statement, and a problem.
    fn missing<T>(&mut self, property: &Property<'_>, needed: &str, at: Span) -> Value<T> {
        let reason = format!("`{}` is missing ({needed})", property.key);
        self.problem(
            at,
            format!(
                "{}: {reason}; analysed as {}",
                property.subject, property.analysed_as
            ),
        );
        Value::unknown(reason, at)
    }

    /// The peers a statement names under `keys`.
    fn peers(&mut self, subject: &str, ev: &Ev, keys: &PeerKeys) -> Vec<Peer> {
        let mut peers = Vec::new();
        let kinds: [(&[&str], MakePeer); 2] = [
            (keys.groups, Peer::SecurityGroup),
            (keys.prefix_lists, Peer::PrefixList),
        ];
        for key in keys.cidrs {
            if let Some(value) = ev.get(key) {
                let property = Property::new(subject, key, "an unknown peer");
                peers.push(Peer::Cidr(self.property(&property, value, cidr)));
            }
        }
        for (names, peer) in kinds {
            for key in names {
                if let Some(value) = ev.get(key) {
                    let property = Property::new(subject, key, "an unknown peer");
                    peers.push(peer(self.property(&property, value, as_text)));
                }
            }
        }
        peers
    }

    /// A property CloudFormation requires, read from the statement `ev`.
    fn required_property<T>(
        &mut self,
        property: &Property<'_>,
        ev: &Ev,
        at: Span,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Value<T> {
        match ev.get(property.key) {
            Some(value) => self.property(property, value, parse),
            None => self.missing(property, "CloudFormation requires it", at),
        }
    }

    /// A property's value. One written in the wrong form (a list where one value is wanted, a
    /// word where a number is) is an unknown at the value and a problem; one that depends on
    /// inputs (a parameter without a value, an import) is only an unknown.
    fn property<T>(
        &mut self,
        property: &Property<'_>,
        ev: &Ev,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Value<T> {
        let (span, what, via) = match ev {
            Ev::List { span, .. } => (
                *span,
                "is a list, where one value is wanted".to_owned(),
                Vec::new(),
            ),
            Ev::Map { span, .. } => (
                *span,
                "is an object, where one value is wanted".to_owned(),
                Vec::new(),
            ),
            Ev::Str { value, span, via } => match (parse(value), property.expected) {
                (Ok(value), _) => {
                    return Value::Known {
                        value,
                        span: *span,
                        via: via.clone(),
                    };
                }
                (Err(reason), None) => {
                    return Value::Unknown {
                        reason,
                        span: *span,
                        via: via.clone(),
                    };
                }
                (Err(_), Some(expected)) => (
                    *span,
                    format!("is `{}`, not {expected}", value.trim()),
                    via.clone(),
                ),
            },
            Ev::Null(_) | Ev::Unknown { .. } | Ev::NoValue(_) => return parsed(ev, parse),
        };
        let reason = format!("`{}` {what}", property.key);
        self.problem(
            span,
            format!(
                "{}: {reason}; analysed as {}",
                property.subject, property.analysed_as
            ),
        );
        Value::Unknown { reason, span, via }
    }

    fn unresolved(&mut self, subject: impl Into<String>, reason: impl Into<String>, span: Span) {
        self.inventory.unresolved.push(Unresolved {
            subject: subject.into(),
            reason: reason.into(),
            span,
        });
    }

    pub fn build(&mut self) {
        let template = self.template;
        for &entry in &template.resources {
            self.resource(entry);
        }
        self.routes();
        self.links();
    }

    fn resource(&mut self, entry: &'a Entry) {
        let id = entry.key.as_str();
        let span = entry.key_span.cover(entry.value.span);
        if id.starts_with("Fn::ForEach") {
            self.unresolved(
                id,
                "the Fn::ForEach loop could not be expanded (its collection is not a list of strings known before deployment, or it is too large); the resources it creates were not analysed",
                span,
            );
            return;
        }
        let kind = entry.value.get("Type").and_then(Node::as_str);
        if let Some(module) = kind.filter(|kind| kind.ends_with("::MODULE")) {
            self.unresolved(
                id,
                format!("{module} is a CloudFormation module; the resources it creates were not analysed"),
                span,
            );
            return;
        }
        let Some(kind) = kind else {
            let reason = if entry.value.get("Type").is_some() {
                "its Type is not a plain string (a module or a macro), so it was not expanded"
            } else {
                "the resource has no Type"
            };
            self.unresolved(id, reason, span);
            return;
        };
        let mut base = World::new();
        if let Some(condition) = entry.value.get("Condition")
            && let Some(name) = condition.as_str()
        {
            match self.template.exists(name) {
                Some(true) => {}
                Some(false) => return,
                None => {
                    base.insert(name.to_owned(), (true, condition.span));
                }
            }
        }
        self.declared_suppressions(entry.value.get("Metadata"), span);
        let construct_path = entry
            .value
            .get("Metadata")
            .and_then(|metadata| metadata.get("aws:cdk:path"))
            .and_then(Node::as_str)
            .map(str::to_owned);
        let resource = Resource {
            id,
            kind,
            props: entry.value.get("Properties"),
            base,
            span,
            name_span: entry.key_span,
            construct_path,
        };
        match kind {
            "AWS::EC2::SecurityGroup" => self.security_group(&resource),
            "AWS::EC2::SecurityGroupIngress" => self.rule_resource(&resource, Direction::Ingress),
            "AWS::EC2::SecurityGroupEgress" => self.rule_resource(&resource, Direction::Egress),
            "AWS::RDS::DBSecurityGroup" => self.db_security_group(&resource),
            "AWS::RDS::DBSecurityGroupIngress" => self.db_ingress_resource(&resource),
            "AWS::EC2::VPC" => self.vpc(&resource),
            "AWS::EC2::Subnet" => self.subnet(&resource),
            "AWS::EC2::NetworkAcl" => self.nacl(&resource),
            "AWS::EC2::NetworkAclEntry" => self.nacl_entry(&resource),
            "AWS::EC2::SubnetNetworkAclAssociation" => self.nacl_association(&resource),
            "AWS::ElasticLoadBalancingV2::Listener" => self.listener(&resource),
            _ => match attachment_spec(kind) {
                Some(spec) => {
                    self.attachment(&resource, &spec);
                    if kind == "AWS::ElasticLoadBalancing::LoadBalancer" {
                        self.classic_listeners(&resource);
                    }
                }
                // Not a resource the analysis reads: its macros do not matter.
                None => return,
            },
        }
        // A macro over the whole Properties (`Fn::Transform` beside the other keys) may add or
        // change anything: what is written was analysed, what the macro makes was not.
        let transform = resource
            .props
            .and_then(Node::entries)
            .and_then(|entries| entries.iter().find(|entry| entry.key == "Fn::Transform"));
        if let Some(transform) = transform {
            let macro_name = transform
                .value
                .get("Name")
                .and_then(Node::as_str)
                .map_or_else(String::new, |name| format!(" {name}"));
            self.unresolved(
                id,
                format!("its Properties go through the macro{macro_name} (Fn::Transform); what is deployed may differ from what is written"),
                transform.key_span,
            );
        }
    }

    /// Suppressions written in a resource's `Metadata` by portcullis, cfn_nag and Checkov users.
    fn declared_suppressions(&mut self, metadata: Option<&Node>, scope: Span) {
        let Some(metadata) = metadata else { return };
        // (tool, metadata key, list key, rule key, reason key)
        let layouts = [
            (
                SuppressedBy::Metadata,
                "portcullis",
                "ignore",
                "rule",
                "reason",
            ),
            (
                SuppressedBy::CfnNag,
                "cfn_nag",
                "rules_to_suppress",
                "id",
                "reason",
            ),
            (SuppressedBy::Checkov, "checkov", "skip", "id", "comment"),
        ];
        for (tool, section, list, rule_key, reason_key) in layouts {
            let Some(Kind::Seq(items)) = metadata
                .get(section)
                .and_then(|node| node.get(list))
                .map(|node| &node.kind)
            else {
                continue;
            };
            for item in items {
                let text = |key: &str| item.get(key).and_then(Node::as_str).map(str::to_owned);
                self.inventory
                    .declared_suppressions
                    .push(DeclaredSuppression {
                        tool,
                        rule: text(rule_key).unwrap_or_default(),
                        reason: text(reason_key).unwrap_or_default(),
                        until: text("until"),
                        span: item.span,
                        scope,
                    });
            }
        }
    }

    fn properties(&self, resource: &Resource<'_>, world: &World) -> Ev {
        match resource.props {
            Some(props) => self.template.eval(props, world, 0),
            None => Ev::Map {
                entries: Vec::new(),
                span: resource.span,
            },
        }
    }

    fn security_group(&mut self, resource: &Resource<'_>) {
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
    fn db_security_group(&mut self, resource: &Resource<'_>) {
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

    fn db_ingress_resource(&mut self, resource: &Resource<'_>) {
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

    fn rule_resource(&mut self, resource: &Resource<'_>, direction: Direction) {
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

    fn vpc(&mut self, resource: &Resource<'_>) {
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

    fn subnet(&mut self, resource: &Resource<'_>) {
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

    fn nacl(&mut self, resource: &Resource<'_>) {
        let props = self.properties(resource, &resource.base);
        self.inventory.nacls.push(NetworkAcl {
            id: resource.id.to_owned(),
            vpc: optional_text(&props, "VpcId"),
            is_default: false,
            span: resource.span,
            assumptions: self.template.assumptions(&resource.base),
        });
    }

    fn nacl_entry(&mut self, resource: &Resource<'_>) {
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

    fn nacl_association(&mut self, resource: &Resource<'_>) {
        let props = self.properties(resource, &resource.base);
        let at = resource.span;
        self.inventory.nacl_associations.push(NaclAssociation {
            acl: required(&props, "NetworkAclId", at, |text| Ok(text.to_owned())),
            subnet: required(&props, "SubnetId", at, |text| Ok(text.to_owned())),
            span: resource.span,
        });
    }

    /// A listener of an application, network or gateway load balancer; `LoadBalancerArn` is a
    /// `!Ref` to the load balancer, which evaluates to its logical id, its attachment's id.
    fn listener(&mut self, resource: &Resource<'_>) {
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
    fn classic_listeners(&mut self, resource: &Resource<'_>) {
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

    fn attachment(&mut self, resource: &Resource<'_>, spec: &AttachmentSpec) {
        let worlds = match resource.props {
            Some(node) => {
                // Only the properties that decide exposure are worth a variant per condition.
                let relevant = Node {
                    span: node.span,
                    kind: crate::tree::Kind::Seq(
                        spec.properties
                            .iter()
                            .filter_map(|key| node.get(key).cloned())
                            .collect(),
                    ),
                };
                self.template.worlds(&relevant, &resource.base)
            }
            None => vec![resource.base.clone()],
        };
        for world in worlds {
            let mut props = self.properties(resource, &world);
            if resource.kind == "AWS::Serverless::Function"
                && props.get("VpcConfig").is_none()
                && let Some(globals) = self
                    .template
                    .root
                    .get("Globals")
                    .and_then(|globals| globals.get("Function"))
                    .and_then(|function| function.get("VpcConfig"))
                && let Ev::Map { entries, .. } = &mut props
            {
                entries.push((
                    "VpcConfig".to_owned(),
                    self.template.eval(globals, &world, 0),
                ));
            }
            let mut groups: Vec<Value<String>> = collect_all(&props, spec.groups)
                .into_iter()
                .map(text)
                .collect();
            if groups.is_empty() && resource.kind == "AWS::RDS::DBInstance" {
                groups = self.cluster_groups(&props);
            }
            if groups.is_empty() {
                continue;
            }
            let subnets = collect_all(&props, spec.subnets)
                .into_iter()
                .map(text)
                .collect();
            let reachability = self.reachability(resource, spec, &props);
            self.inventory.attachments.push(Attachment {
                id: resource.id.to_owned(),
                kind: resource.kind.to_owned(),
                role: spec.role,
                groups,
                reachability,
                subnets,
                span: resource.span,
                name_span: resource.name_span,
                construct_path: resource.construct_path.clone(),
                assumptions: self.template.assumptions(&world),
                forwards_traffic: match props.get("SourceDestCheck") {
                    Some(Ev::Str { value, span, .. }) if value.eq_ignore_ascii_case("false") => {
                        Some(*span)
                    }
                    _ => None,
                },
            });
        }
    }

    /// The groups of the Aurora cluster an instance belongs to (`DBClusterIdentifier`): an
    /// instance of a cluster has no groups of its own.
    fn cluster_groups(&self, props: &Ev) -> Vec<Value<String>> {
        let Some(cluster) = props.get("DBClusterIdentifier").and_then(Ev::as_str) else {
            return Vec::new();
        };
        let template = self.template;
        if template.resource_type(cluster) != Some("AWS::RDS::DBCluster") {
            return Vec::new();
        }
        let Some(node) = template
            .resource(cluster)
            .and_then(|entry| entry.value.get("Properties"))
            .and_then(|props| props.get("VpcSecurityGroupIds"))
        else {
            return Vec::new();
        };
        let value = template.eval(node, &World::new(), 0);
        let mut groups = Vec::new();
        collect(&value, &[], &mut groups);
        groups.into_iter().map(text).collect()
    }

    fn reachability(
        &self,
        resource: &Resource<'_>,
        spec: &AttachmentSpec,
        props: &Ev,
    ) -> Value<Reachability> {
        let here = |reachability| Value::known(reachability, resource.name_span);
        match spec.reach {
            Reach::Fixed(reachability) => here(reachability),
            Reach::Flag(path, absent) => {
                let mut values = Vec::new();
                collect(props, path, &mut values);
                match values.first() {
                    Some(value) => parsed(value, boolean).map(|public| {
                        if public {
                            Reachability::Public
                        } else {
                            Reachability::Private
                        }
                    }),
                    None if resource.kind == "AWS::RDS::DBInstance"
                        && props.get("DBSubnetGroupName").is_none() =>
                    {
                        Value::unknown(
                            "PubliclyAccessible is not set and there is no DBSubnetGroupName: RDS makes an instance in a default VPC public",
                            resource.name_span,
                        )
                    }
                    None => here(absent),
                }
            }
            Reach::Scheme => match props.get("Scheme") {
                Some(value) => parsed(value, |text| match text.trim() {
                    "internet-facing" => Ok(Reachability::Public),
                    "internal" => Ok(Reachability::Private),
                    other => Err(format!("`{other}` is not a load balancer scheme")),
                }),
                // Load balancers are internet-facing unless told otherwise.
                None => here(Reachability::Public),
            },
            Reach::PublicIp(path) => {
                let mut values = Vec::new();
                collect(props, path, &mut values);
                let flags: Vec<Value<bool>> = values
                    .into_iter()
                    .map(|value| parsed(value, boolean))
                    .collect();
                if let Some(public) = flags.iter().find(|flag| flag.known_value() == Some(&true)) {
                    return public.clone().map(|_| Reachability::Public);
                }
                if let Some(unknown) = flags.iter().find(|flag| flag.known_value().is_none()) {
                    return unknown.clone().map(|_| Reachability::Public);
                }
                match flags.first() {
                    Some(private) => private.clone().map(|_| Reachability::Private),
                    // Without a subnet, an instance launches in the default VPC.
                    None if resource.kind == "AWS::EC2::Instance"
                        && props.get("SubnetId").is_none()
                        && props.get("NetworkInterfaces").is_none() =>
                    {
                        here(Reachability::DefaultVpc)
                    }
                    None => here(Reachability::ViaSubnet),
                }
            }
        }
    }

    /// The properties of every resource of a type, evaluated where nothing is assumed.
    fn evaluated(&self, kind: &str) -> Vec<(&'a Entry, Ev)> {
        let template = self.template;
        template
            .resources
            .iter()
            .filter(|entry| entry.value.get("Type").and_then(Node::as_str) == Some(kind))
            .filter_map(|entry| {
                let props = entry.value.get("Properties")?;
                Some((*entry, template.eval(props, &World::new(), 0)))
            })
            .collect()
    }

    /// Whether each subnet's route table sends 0.0.0.0/0 to an internet gateway, from the routes
    /// and associations of the template.
    fn routes(&mut self) {
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

    /// What other resources say about attachments: the subnets an Auto Scaling group launches a
    /// launch template or configuration into, and Elastic IPs that make an instance public.
    fn links(&mut self) {
        for (_, group) in self.evaluated("AWS::AutoScaling::AutoScalingGroup") {
            let mut launchers = Vec::new();
            collect_all(
                &group,
                &[
                    &["LaunchConfigurationName"],
                    &["LaunchTemplate", "LaunchTemplateId"],
                    &["LaunchTemplate", "LaunchTemplateName"],
                    &[
                        "MixedInstancesPolicy",
                        "LaunchTemplate",
                        "LaunchTemplateSpecification",
                        "LaunchTemplateId",
                    ],
                    &[
                        "MixedInstancesPolicy",
                        "LaunchTemplate",
                        "LaunchTemplateSpecification",
                        "LaunchTemplateName",
                    ],
                ],
            )
            .into_iter()
            .filter_map(Ev::as_str)
            .for_each(|launcher| launchers.push(launcher.to_owned()));
            let subnets: Vec<Value<String>> = collect_all(&group, &[&["VPCZoneIdentifier"]])
                .into_iter()
                .map(text)
                .collect();
            for attachment in &mut self.inventory.attachments {
                if launchers.contains(&attachment.id) && attachment.subnets.is_empty() {
                    attachment.subnets.clone_from(&subnets);
                }
            }
        }
        let mut elastic = self.evaluated("AWS::EC2::EIP");
        elastic.extend(self.evaluated("AWS::EC2::EIPAssociation"));
        for (_, eip) in elastic {
            for key in ["InstanceId", "NetworkInterfaceId"] {
                let Some(Ev::Str { value, span, via }) = eip.get(key) else {
                    continue;
                };
                for attachment in &mut self.inventory.attachments {
                    if attachment.id == *value {
                        attachment.reachability = Value::Known {
                            value: Reachability::Public,
                            span: *span,
                            via: via.clone(),
                        };
                    }
                }
            }
        }
    }
}

fn known(ev: &Ev, key: &str) -> Option<String> {
    ev.get(key).and_then(Ev::as_str).map(str::to_owned)
}

// ---------------------------------------------------------------------------------------------
// Attachments

enum Reach {
    Fixed(Reachability),
    /// A boolean such as `PubliclyAccessible` or `AssignPublicIp: ENABLED`, with its default.
    Flag(&'static [&'static str], Reachability),
    /// `Scheme: internet-facing | internal`, internet-facing by default.
    Scheme,
    /// `AssociatePublicIpAddress` of the network interfaces; none means the subnet decides.
    PublicIp(&'static [&'static str]),
}

struct AttachmentSpec {
    role: ResourceRole,
    /// Top-level properties that decide groups and reachability.
    properties: &'static [&'static str],
    groups: &'static [&'static [&'static str]],
    subnets: &'static [&'static [&'static str]],
    reach: Reach,
}

fn attachment_spec(kind: &str) -> Option<AttachmentSpec> {
    use ResourceRole as Role;
    let spec = |role, properties, groups, subnets, reach| AttachmentSpec {
        role,
        properties,
        groups,
        subnets,
        reach,
    };
    const PRIVATE: Reach = Reach::Fixed(Reachability::Private);
    Some(match kind {
        "AWS::EC2::Instance" => spec(
            Role::Compute,
            &[
                "SecurityGroupIds",
                "SecurityGroups",
                "NetworkInterfaces",
                "SubnetId",
            ],
            &[
                &["SecurityGroupIds"],
                &["SecurityGroups"],
                &["NetworkInterfaces", "*", "GroupSet"],
            ],
            &[&["SubnetId"], &["NetworkInterfaces", "*", "SubnetId"]],
            Reach::PublicIp(&["NetworkInterfaces", "*", "AssociatePublicIpAddress"]),
        ),
        "AWS::EC2::LaunchTemplate" => spec(
            Role::Compute,
            &["LaunchTemplateData"],
            &[
                &["LaunchTemplateData", "SecurityGroupIds"],
                &["LaunchTemplateData", "SecurityGroups"],
                &["LaunchTemplateData", "NetworkInterfaces", "*", "Groups"],
            ],
            &[&["LaunchTemplateData", "NetworkInterfaces", "*", "SubnetId"]],
            Reach::PublicIp(&[
                "LaunchTemplateData",
                "NetworkInterfaces",
                "*",
                "AssociatePublicIpAddress",
            ]),
        ),
        "AWS::AutoScaling::LaunchConfiguration" => spec(
            Role::Compute,
            &["SecurityGroups", "AssociatePublicIpAddress"],
            &[&["SecurityGroups"]],
            &[],
            Reach::PublicIp(&["AssociatePublicIpAddress"]),
        ),
        // MapPublicIpOnLaunch applies only to an instance's primary interface created at launch:
        // a standalone interface is public only through an Elastic IP (see `links`).
        "AWS::EC2::NetworkInterface" => spec(
            Role::NetworkInterface,
            &["GroupSet", "SubnetId"],
            &[&["GroupSet"]],
            &[&["SubnetId"]],
            PRIVATE,
        ),
        "AWS::RDS::DBInstance" => spec(
            Role::Database,
            &[
                "VPCSecurityGroups",
                "DBSecurityGroups",
                "PubliclyAccessible",
                "DBSubnetGroupName",
                "DBClusterIdentifier",
            ],
            &[&["VPCSecurityGroups"], &["DBSecurityGroups"]],
            &[],
            Reach::Flag(&["PubliclyAccessible"], Reachability::Private),
        ),
        "AWS::RDS::DBCluster" | "AWS::DocDB::DBCluster" | "AWS::Neptune::DBCluster" => spec(
            Role::Database,
            &["VpcSecurityGroupIds", "PubliclyAccessible"],
            &[&["VpcSecurityGroupIds"]],
            &[],
            Reach::Flag(&["PubliclyAccessible"], Reachability::Private),
        ),
        "AWS::Redshift::Cluster" => spec(
            Role::Database,
            &["VpcSecurityGroupIds", "PubliclyAccessible"],
            &[&["VpcSecurityGroupIds"]],
            &[],
            Reach::Flag(&["PubliclyAccessible"], Reachability::Private),
        ),
        "AWS::ElastiCache::CacheCluster" => spec(
            Role::Cache,
            &["VpcSecurityGroupIds", "CacheSecurityGroupNames"],
            &[&["VpcSecurityGroupIds"], &["CacheSecurityGroupNames"]],
            &[],
            PRIVATE,
        ),
        "AWS::ElastiCache::ReplicationGroup" | "AWS::ElastiCache::ServerlessCache" => spec(
            Role::Cache,
            &["SecurityGroupIds", "CacheSecurityGroupNames", "SubnetIds"],
            &[&["SecurityGroupIds"], &["CacheSecurityGroupNames"]],
            &[&["SubnetIds"]],
            PRIVATE,
        ),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => spec(
            Role::LoadBalancer,
            &["SecurityGroups", "Scheme", "Subnets", "SubnetMappings"],
            &[&["SecurityGroups"]],
            &[&["Subnets"], &["SubnetMappings", "*", "SubnetId"]],
            Reach::Scheme,
        ),
        "AWS::ElasticLoadBalancing::LoadBalancer" => spec(
            Role::LoadBalancer,
            &["SecurityGroups", "Scheme", "Subnets"],
            &[&["SecurityGroups"]],
            &[&["Subnets"]],
            Reach::Scheme,
        ),
        "AWS::ECS::Service" => spec(
            Role::Compute,
            &["NetworkConfiguration"],
            &[&[
                "NetworkConfiguration",
                "AwsvpcConfiguration",
                "SecurityGroups",
            ]],
            &[&["NetworkConfiguration", "AwsvpcConfiguration", "Subnets"]],
            Reach::Flag(
                &[
                    "NetworkConfiguration",
                    "AwsvpcConfiguration",
                    "AssignPublicIp",
                ],
                Reachability::Private,
            ),
        ),
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => spec(
            Role::Function,
            &["VpcConfig"],
            &[&["VpcConfig", "SecurityGroupIds"]],
            &[&["VpcConfig", "SubnetIds"]],
            PRIVATE,
        ),
        "AWS::EKS::Cluster" => spec(
            Role::Cluster,
            &["ResourcesVpcConfig"],
            &[&["ResourcesVpcConfig", "SecurityGroupIds"]],
            &[&["ResourcesVpcConfig", "SubnetIds"]],
            PRIVATE,
        ),
        "AWS::OpenSearchService::Domain" | "AWS::Elasticsearch::Domain" => spec(
            Role::Search,
            &["VPCOptions"],
            &[&["VPCOptions", "SecurityGroupIds"]],
            &[&["VPCOptions", "SubnetIds"]],
            PRIVATE,
        ),
        "AWS::AmazonMQ::Broker" => spec(
            Role::Broker,
            &["SecurityGroups", "PubliclyAccessible", "SubnetIds"],
            &[&["SecurityGroups"]],
            &[&["SubnetIds"]],
            Reach::Flag(&["PubliclyAccessible"], Reachability::Private),
        ),
        _ => return None,
    })
}
