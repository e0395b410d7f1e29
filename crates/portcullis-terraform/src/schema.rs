//! What the AWS provider's resource types say about security groups: which attributes hold the
//! groups and subnets of a resource, and how its reachability from outside the VPC is written.
//! Shared by the configuration front-end and the plan reader, which see the same attributes.

use portcullis_ir::{Reachability, ResourceRole};

/// How a resource type's reachability from outside its VPC is written.
pub enum Reach {
    /// `true` → public, `false` → private, absent → decided by the subnet.
    PublicIp(&'static str),
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
            Reach::PublicIp("associate_public_ip_address"),
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
        "aws_network_interface" => spec(
            R::NetworkInterface,
            &["security_groups"],
            &["subnet_id"],
            Reach::Always(Reachability::ViaSubnet),
        ),
        "aws_db_instance" => spec(
            R::Database,
            &["vpc_security_group_ids"],
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
