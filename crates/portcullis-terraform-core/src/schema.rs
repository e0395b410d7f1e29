//! What the AWS provider's resource types say about security groups: which attributes hold the
//! groups and subnets of a resource, and how its reachability from outside the VPC is written.
//! Shared by the configuration front-end and the plan reader, which see the same attributes.

use std::collections::BTreeMap;

use portcullis_ir::{Inventory, Reachability, ResourceRole, Value};
use portcullis_net::{Cidr, Protocol};

/// Peer attributes of every rule form (inline, `aws_security_group_rule`, `aws_vpc_*_rule`);
/// their names do not collide, so one table serves all. These take lists of CIDRs...
pub const CIDR_LIST_ATTRS: &[&str] = &["cidr_blocks", "ipv6_cidr_blocks"];
/// ... these one CIDR ...
pub const CIDR_ATTRS: &[&str] = &["cidr_ipv4", "cidr_ipv6"];
/// ... these security groups (ids, or names in a default VPC) ...
pub const GROUP_ATTRS: &[&str] = &[
    "security_groups",
    "source_security_group_id",
    "referenced_security_group_id",
];
/// ... and these managed prefix lists. `self = true` names the rule's own group.
pub const PREFIX_ATTRS: &[&str] = &["prefix_list_ids", "prefix_list_id"];

/// The address attributes of a NACL entry, of which one is given.
pub const NACL_CIDR_ATTRS: &[&str] = &["cidr_block", "ipv6_cidr_block"];

/// The resource types whose ids an attribute holding security groups may name.
pub const GROUP_TYPES: &[&str] = &["aws_security_group", "aws_default_security_group"];
/// ... network ACLs.
pub const ACL_TYPES: &[&str] = &["aws_network_acl", "aws_default_network_acl"];
/// ... subnets.
pub const SUBNET_TYPES: &[&str] = &["aws_subnet"];
/// ... VPCs.
pub const VPC_TYPES: &[&str] = &["aws_vpc"];
/// ... network interfaces (the target of an Elastic IP).
pub const ENI_TYPES: &[&str] = &["aws_network_interface"];
/// ... Aurora clusters (of an Aurora instance).
pub const CLUSTER_TYPES: &[&str] = &["aws_rds_cluster"];

/// A rule's `protocol` or `ip_protocol` as the provider reads it (`tcp`, `6`, `-1`, `all`, ...).
pub fn protocol(text: &str) -> Result<Protocol, String> {
    Protocol::parse(text).ok_or_else(|| format!("`{text}` is not a protocol"))
}

/// A CIDR attribute's value.
pub fn cidr(text: &str) -> Result<Cidr, String> {
    Cidr::parse(text).map_err(|error| error.0)
}

/// How a resource type's reachability from outside its VPC is written.
pub enum Reach {
    /// `true` → public, `false` → private, absent → decided by the subnet.
    PublicIp(&'static str),
    /// As `PublicIp`, but with none of the placement attributes (a subnet, a network interface)
    /// given, the resource launches in the default VPC. A plan cannot tell an absent subnet from
    /// one known only after apply, so it reads this as `PublicIp`.
    PublicIpOrDefaultVpc(&'static str, &'static [&'static str]),
    /// `true` → public, `false` → private, absent → the provider default.
    Flag(&'static str, bool),
    /// `internal = true` → private; `false` or absent → internet-facing.
    Internal,
    Always(Reachability),
}

pub struct AttachmentSpec {
    pub role: ResourceRole,
    /// Attributes (`a.b` for a nested block) holding security-group ids.
    pub groups: &'static [&'static str],
    /// Attributes holding subnet ids.
    pub subnets: &'static [&'static str],
    pub reach: Reach,
}

/// The attachment layout of a resource type, or `None` when it does not use security groups.
pub fn attachment_spec(kind: &str) -> Option<AttachmentSpec> {
    use ResourceRole as R;
    let spec = |role, groups, subnets, reach| {
        Some(AttachmentSpec {
            role,
            groups,
            subnets,
            reach,
        })
    };
    match kind {
        "aws_instance" => spec(
            R::Compute,
            &["vpc_security_group_ids", "security_groups"],
            &["subnet_id"],
            Reach::PublicIpOrDefaultVpc(
                "associate_public_ip_address",
                &["subnet_id", "network_interface"],
            ),
        ),
        "aws_launch_template" => spec(
            R::Compute,
            &[
                "vpc_security_group_ids",
                "security_group_names",
                "network_interfaces.security_groups",
            ],
            &["network_interfaces.subnet_id"],
            Reach::PublicIp("network_interfaces.associate_public_ip_address"),
        ),
        // `map_public_ip_on_launch` applies only to the primary interface an instance creates at
        // launch: a standalone interface is public only through an Elastic IP, which the
        // front-ends link afterwards.
        "aws_network_interface" => spec(
            R::NetworkInterface,
            &["security_groups"],
            &["subnet_id"],
            Reach::Always(Reachability::Private),
        ),
        // `security_group_names`: EC2-Classic DB security groups, by name.
        "aws_db_instance" => spec(
            R::Database,
            &["vpc_security_group_ids", "security_group_names"],
            &[],
            Reach::Flag("publicly_accessible", false),
        ),
        // An Aurora instance uses its cluster's groups, which the front-ends link afterwards.
        "aws_rds_cluster_instance" => spec(
            R::Database,
            &[],
            &[],
            Reach::Flag("publicly_accessible", false),
        ),
        "aws_rds_cluster" => spec(
            R::Database,
            &["vpc_security_group_ids"],
            &[],
            Reach::Always(Reachability::Private),
        ),
        "aws_redshift_cluster" => spec(
            R::Database,
            &["vpc_security_group_ids"],
            &[],
            Reach::Flag("publicly_accessible", false),
        ),
        "aws_elasticache_cluster" | "aws_elasticache_replication_group" => spec(
            R::Cache,
            &["security_group_ids"],
            &[],
            Reach::Always(Reachability::Private),
        ),
        "aws_lb" | "aws_alb" | "aws_elb" => spec(
            R::LoadBalancer,
            &["security_groups"],
            &["subnets"],
            Reach::Internal,
        ),
        "aws_eks_cluster" => spec(
            R::Cluster,
            &["vpc_config.security_group_ids"],
            &["vpc_config.subnet_ids"],
            Reach::Flag("vpc_config.endpoint_public_access", true),
        ),
        "aws_lambda_function" => spec(
            R::Function,
            &["vpc_config.security_group_ids"],
            &["vpc_config.subnet_ids"],
            Reach::Always(Reachability::Private),
        ),
        "aws_ecs_service" => spec(
            R::Compute,
            &["network_configuration.security_groups"],
            &["network_configuration.subnets"],
            Reach::Flag("network_configuration.assign_public_ip", false),
        ),
        "aws_opensearch_domain" | "aws_elasticsearch_domain" => spec(
            R::Search,
            &["vpc_options.security_group_ids"],
            &["vpc_options.subnet_ids"],
            Reach::Always(Reachability::Private),
        ),
        "aws_mq_broker" => spec(
            R::Broker,
            &["security_groups"],
            &["subnet_ids"],
            Reach::Flag("publicly_accessible", false),
        ),
        _ => None,
    }
}

/// Links between resources that only the linking side shows: Elastic IPs that make a network
/// interface public, Aurora instances that use their cluster's groups. A front-end records them
/// while extracting and applies them once every attachment is in the inventory.
#[derive(Default)]
pub struct Links {
    /// The network interface an Elastic IP is given to (`aws_eip.network_interface`,
    /// `aws_eip_association.network_interface_id`), spanned at that attribute.
    pub eip_targets: Vec<Value<String>>,
    /// Aurora instances (attachment id) and the cluster they belong to.
    pub cluster_members: Vec<(String, Value<String>)>,
}

impl Links {
    /// Makes the network interfaces that an Elastic IP targets public, and gives Aurora
    /// instances their cluster's groups.
    pub fn apply(self, inventory: &mut Inventory) {
        let cluster_groups: BTreeMap<String, Vec<Value<String>>> = inventory
            .attachments
            .iter()
            .filter(|attachment| attachment.kind == "aws_rds_cluster")
            .map(|cluster| (cluster.id.clone(), cluster.groups.clone()))
            .collect();
        for attachment in &mut inventory.attachments {
            match attachment.kind.as_str() {
                "aws_network_interface" => {
                    let eip = self
                        .eip_targets
                        .iter()
                        .find(|target| target.known_value() == Some(&attachment.id));
                    if let Some(eip) = eip {
                        attachment.reachability = Value::known(Reachability::Public, eip.span());
                    }
                }
                "aws_rds_cluster_instance" => {
                    let Some((_, cluster)) = self
                        .cluster_members
                        .iter()
                        .find(|(member, _)| *member == attachment.id)
                    else {
                        continue;
                    };
                    attachment.groups =
                        match cluster.known_value().and_then(|id| cluster_groups.get(id)) {
                            Some(groups) => groups.clone(),
                            None => {
                                let reason = match cluster.unknown_reason() {
                                    Some(reason) => format!("the cluster is unknown: {reason}"),
                                    None => "the cluster is not declared in the configuration"
                                        .to_owned(),
                                };
                                vec![Value::unknown(
                                    format!("the groups of its Aurora cluster: {reason}"),
                                    cluster.span(),
                                )]
                            }
                        };
                }
                _ => {}
            }
        }
    }
}
