//! Attachments: the resources that use security groups (instances, databases, load balancers,
//! functions ...), how each is reached, and what other resources say about them (Auto Scaling
//! subnets, Elastic IPs).

use portcullis_ir::{Attachment, Reachability, ResourceRole, Value};

use super::builder::{Builder, Resource};
use super::values::{boolean, collect, collect_all, parsed, text};
use crate::eval::{Ev, World};
use crate::tree::{Kind, Node};

impl Builder<'_, '_> {
    pub(super) fn attachment(&mut self, resource: &Resource<'_>, spec: &AttachmentSpec) {
        let worlds = match resource.props {
            Some(node) => {
                // Only the properties that decide exposure are worth a variant per condition.
                let relevant = Node {
                    span: node.span,
                    kind: Kind::Seq(
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

    /// What other resources say about attachments: the subnets an Auto Scaling group launches a
    /// launch template or configuration into, and Elastic IPs that make an instance public.
    pub(super) fn links(&mut self) {
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

enum Reach {
    Fixed(Reachability),
    /// A boolean such as `PubliclyAccessible` or `AssignPublicIp: ENABLED`, with its default.
    Flag(&'static [&'static str], Reachability),
    /// `Scheme: internet-facing | internal`, internet-facing by default.
    Scheme,
    /// `AssociatePublicIpAddress` of the network interfaces; none means the subnet decides.
    PublicIp(&'static [&'static str]),
}

pub(super) struct AttachmentSpec {
    role: ResourceRole,
    /// Top-level properties that decide groups and reachability.
    properties: &'static [&'static str],
    groups: &'static [&'static [&'static str]],
    subnets: &'static [&'static [&'static str]],
    reach: Reach,
}

pub(super) fn attachment_spec(kind: &str) -> Option<AttachmentSpec> {
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
