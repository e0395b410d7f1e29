//! The security-group IR. Front-ends fill an [`Inventory`]; checks read it.
//!
//! Identities are strings: a Terraform address (`module.web.aws_security_group.this[0]`) or a
//! CloudFormation logical id (`WebSecurityGroup`). References between items (a rule's group, an
//! instance's groups, an association's subnet) use the same strings, resolved by the front-end;
//! a reference it cannot resolve is a [`Value::Unknown`].

use portcullis_net::{Cidr, Protocol};

use crate::{Span, Trace, Value};

/// Everything one analysis unit (a Terraform root module with its modules, or one
/// CloudFormation template) declares about network exposure.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub security_groups: Vec<SecurityGroup>,
    pub rules: Vec<SgRule>,
    pub nacls: Vec<NetworkAcl>,
    pub nacl_entries: Vec<NaclEntry>,
    pub nacl_associations: Vec<NaclAssociation>,
    pub attachments: Vec<Attachment>,
    /// The ports load balancers answer on.
    pub listeners: Vec<Listener>,
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    /// CIDRs the configuration names (variables, parameters, locals), offered as remedies.
    pub named_cidrs: Vec<NamedCidr>,
    /// Things the front-end could not follow (a module it could not resolve, an unknown count),
    /// reported by a check as information.
    pub unresolved: Vec<Unresolved>,
    /// Suppressions declared in the configuration's structure rather than in comments
    /// (CloudFormation `Metadata`).
    pub declared_suppressions: Vec<DeclaredSuppression>,
}

impl Inventory {
    pub fn group(&self, id: &str) -> Option<&SecurityGroup> {
        self.security_groups.iter().find(|group| group.id == id)
    }

    pub fn extend(&mut self, other: Self) {
        self.security_groups.extend(other.security_groups);
        self.rules.extend(other.rules);
        self.nacls.extend(other.nacls);
        self.nacl_entries.extend(other.nacl_entries);
        self.nacl_associations.extend(other.nacl_associations);
        self.attachments.extend(other.attachments);
        self.listeners.extend(other.listeners);
        self.vpcs.extend(other.vpcs);
        self.subnets.extend(other.subnets);
        self.named_cidrs.extend(other.named_cidrs);
        self.unresolved.extend(other.unresolved);
        self.declared_suppressions
            .extend(other.declared_suppressions);
    }
}

/// Conditions under which an item exists. Empty means it certainly exists; otherwise each
/// trace says what had to be assumed (`count` is unknown, condition `IsProd` holds, ...).
pub type Assumptions = Vec<Trace>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ingress => "ingress",
            Self::Egress => "egress",
        }
    }
}

#[derive(Clone, Debug)]
pub struct SecurityGroup {
    /// Address or logical id, unique in the inventory.
    pub id: String,
    pub name: Option<Value<String>>,
    pub description: Option<Value<String>>,
    pub vpc: Option<Value<String>>,
    /// `aws_default_security_group`, or a group named `default`.
    pub is_default: bool,
    /// The whole resource (block or template entry).
    pub span: Span,
    /// The span of the resource's name or label, for compact pointers.
    pub name_span: Span,
    /// The construct path of CDK output (`Metadata.aws:cdk:path`), when present.
    pub construct_path: Option<String>,
    pub assumptions: Assumptions,
}

/// Who is on the other side of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer {
    Cidr(Value<Cidr>),
    SecurityGroup(Value<String>),
    PrefixList(Value<String>),
    /// `self = true`: the group itself.
    SelfGroup(Span),
}

impl Peer {
    pub fn span(&self) -> Span {
        match self {
            Self::Cidr(value) => value.span(),
            Self::SecurityGroup(value) | Self::PrefixList(value) => value.span(),
            Self::SelfGroup(span) => *span,
        }
    }
}

/// One rule statement: an inline `ingress` block, an `aws_security_group_rule`, an
/// `AWS::EC2::SecurityGroupIngress`, an entry of `SecurityGroupIngress`, ...
#[derive(Clone, Debug)]
pub struct SgRule {
    /// Unique in the inventory, e.g. `aws_security_group.web.ingress[0]`.
    pub id: String,
    /// The resource that holds the statement, e.g. `aws_security_group.web`.
    pub resource: String,
    /// The group the rule belongs to.
    pub group: Value<String>,
    pub direction: Direction,
    pub protocol: Value<Protocol>,
    pub from_port: Option<Value<i64>>,
    pub to_port: Option<Value<i64>>,
    pub peers: Vec<Peer>,
    pub description: Option<Value<String>>,
    /// The statement (block, object or resource).
    pub span: Span,
    pub assumptions: Assumptions,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NaclAction {
    Allow,
    Deny,
}

impl NaclAction {
    /// `allow` or `deny`, in any case, as Terraform and plans write it.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "allow" => Ok(Self::Allow),
            "deny" => Ok(Self::Deny),
            other => Err(format!("`{other}` is not a NACL action")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct NetworkAcl {
    pub id: String,
    pub vpc: Option<Value<String>>,
    pub is_default: bool,
    pub span: Span,
    pub assumptions: Assumptions,
}

#[derive(Clone, Debug)]
pub struct NaclEntry {
    pub id: String,
    pub acl: Value<String>,
    pub rule_number: Value<i64>,
    pub action: Value<NaclAction>,
    pub direction: Direction,
    pub protocol: Value<Protocol>,
    /// Ports for tcp/udp; for ICMP, `from_port` holds the ICMP type and `to_port` the ICMP code.
    pub from_port: Option<Value<i64>>,
    pub to_port: Option<Value<i64>>,
    pub cidr: Option<Value<Cidr>>,
    pub span: Span,
    pub assumptions: Assumptions,
}

#[derive(Clone, Debug)]
pub struct NaclAssociation {
    pub acl: Value<String>,
    pub subnet: Value<String>,
    pub span: Span,
}

/// What kind of thing a security group protects; drives severity and remedies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceRole {
    Compute,
    Database,
    Cache,
    LoadBalancer,
    Cluster,
    Function,
    Search,
    Broker,
    NetworkInterface,
}

/// Whether a resource can be reached from outside its VPC, before security groups apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reachability {
    /// Public IP, `publicly_accessible`, internet-facing scheme.
    Public,
    Private,
    /// Public exactly when its subnet gives public IPs and routes to an internet gateway.
    ViaSubnet,
    /// No subnet is given: an instance launches in the default VPC, whose subnets give public
    /// IPs, unless the account has no default VPC.
    DefaultVpc,
}

/// A resource that uses security groups.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub id: String,
    /// The resource type as written (`aws_db_instance`, `AWS::RDS::DBInstance`).
    pub kind: String,
    pub role: ResourceRole,
    pub groups: Vec<Value<String>>,
    pub reachability: Value<Reachability>,
    pub subnets: Vec<Value<String>>,
    pub span: Span,
    pub name_span: Span,
    pub construct_path: Option<String>,
    pub assumptions: Assumptions,
    /// Where the resource turns off the source/destination check (`source_dest_check = false`,
    /// `SourceDestCheck: false`): it forwards others' traffic, as a NAT instance or a router does.
    pub forwards_traffic: Option<Span>,
}

/// A port a load balancer listens on: `aws_lb_listener`, a `listener` block of `aws_elb`,
/// `AWS::ElasticLoadBalancingV2::Listener`, an entry of a classic load balancer's `Listeners`.
#[derive(Clone, Debug)]
pub struct Listener {
    /// The load balancer's id in the inventory (its address or logical id).
    pub load_balancer: Value<String>,
    /// The port clients connect to.
    pub port: Value<i64>,
    pub span: Span,
    pub assumptions: Assumptions,
}

#[derive(Clone, Debug)]
pub struct Vpc {
    pub id: String,
    pub cidr: Option<Value<Cidr>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Subnet {
    pub id: String,
    pub vpc: Option<Value<String>>,
    pub cidr: Option<Value<Cidr>>,
    pub map_public_ip_on_launch: Option<Value<bool>>,
    /// Whether its route table sends 0.0.0.0/0 to an internet gateway, when known.
    pub routes_to_internet: Option<Value<bool>>,
    pub span: Span,
}

/// A CIDR the configuration gives a name to (`variable "office_cidr"`, a `VpnCidr` parameter).
#[derive(Clone, Debug)]
pub struct NamedCidr {
    pub name: String,
    /// How to refer to it in the source language (`var.office_cidr`, `!Ref VpnCidr`).
    pub reference: String,
    pub cidr: Cidr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Unresolved {
    /// What could not be followed, e.g. `module.vpc`.
    pub subject: String,
    pub reason: String,
    pub span: Span,
}

/// An input the front-end could not analyse (a parse error, a limit reached). Problems make the
/// scan exit with code 2, but never stop the other files from being scanned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub message: String,
}

/// The result of one analysis unit: a Terraform root module (with the modules it calls) or a
/// CloudFormation template.
#[derive(Clone, Debug, Default)]
pub struct Unit {
    /// A display name: the root module's directory or the template's path.
    pub name: String,
    pub inventory: Inventory,
    pub problems: Vec<Problem>,
}

/// A suppression written as data: `Metadata: {portcullis: {ignore: [{rule, reason, until}]}}`,
/// `Metadata: {cfn_nag: {rules_to_suppress: [{id, reason}]}}` or `Metadata: {checkov: {skip: [{id,
/// comment}]}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredSuppression {
    /// [`SuppressedBy::Metadata`] (portcullis), [`SuppressedBy::CfnNag`] or
    /// [`SuppressedBy::Checkov`].
    pub tool: SuppressedBy,
    /// The rule as the tool names it (`SG002`, `W2`, `CKV_AWS_24`); empty for every rule.
    pub rule: String,
    pub reason: String,
    pub until: Option<String>,
    /// The entry that declares it.
    pub span: Span,
    /// What it covers: the resource.
    pub scope: Span,
}

/// What suppresses a finding: portcullis's own comment or metadata, another scanner's ignore
/// comment or metadata (so that a migration keeps its reviewed exceptions), or the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SuppressedBy {
    /// A `portcullis:ignore` comment.
    Inline,
    /// A template's `Metadata: {portcullis: {ignore: [...]}}`.
    Metadata,
    Tfsec,
    Trivy,
    Checkov,
    Kics,
    CfnNag,
    Baseline,
}

impl SuppressedBy {
    /// The name reports print (`inline`, `metadata`, `tfsec`, ..., `cfn_nag`, `baseline`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inline => "inline",
            Self::Metadata => "metadata",
            Self::Tfsec => "tfsec",
            Self::Trivy => "trivy",
            Self::Checkov => "checkov",
            Self::Kics => "kics",
            Self::CfnNag => "cfn_nag",
            Self::Baseline => "baseline",
        }
    }

    /// Whether portcullis's own syntax wrote it (an unused one is reported).
    pub fn is_portcullis(self) -> bool {
        matches!(self, Self::Inline | Self::Metadata)
    }
}

/// A comment as its front-end read it (never inside a string or heredoc), and the code it
/// annotates: the line it ends, or else the next line of code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The comment, from its `#` or `//` to the end of its line (trailing blanks excluded).
    pub span: Span,
    /// The annotated line, from its start to its end.
    pub line: Span,
    /// The annotated line and, when it opens a block, the whole block.
    pub covers: Span,
}
