//! Attachments, reachability, network ACLs, subnets, SAM and CDK metadata.

mod common;

use common::analyse;
use portcullis_ir::{Attachment, Direction, NaclAction, Reachability, ResourceRole, Value};
use portcullis_net::Protocol;

fn known<T: Clone>(value: &Value<T>) -> Option<T> {
    value.known_value().cloned()
}

fn groups(attachment: &Attachment) -> Vec<String> {
    attachment
        .groups
        .iter()
        .map(|group| {
            group
                .known_value()
                .cloned()
                .unwrap_or_else(|| "?".to_owned())
        })
        .collect()
}

const ATTACHMENTS: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    VpcConfig:
      SecurityGroupIds: [!Ref AppSG]
      SubnetIds: [subnet-1]
Parameters:
  ExtraGroups:
    Type: List<AWS::EC2::SecurityGroup::Id>
    Default: sg-111,sg-222
Resources:
  AppSG:
    Type: AWS::EC2::SecurityGroup
    Metadata:
      aws:cdk:path: App/Stack/AppSG/Resource
    Properties:
      GroupDescription: app
  Web:
    Type: AWS::EC2::Instance
    Properties:
      SecurityGroupIds: [!GetAtt AppSG.GroupId]
      SubnetId: !Ref Public
  WebWithInterface:
    Type: AWS::EC2::Instance
    Properties:
      NetworkInterfaces:
        - AssociatePublicIpAddress: "true"
          DeviceIndex: "0"
          GroupSet: !Ref ExtraGroups
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      PubliclyAccessible: true
      VPCSecurityGroups: [!Ref AppSG]
  DbDefaultVpc:
    Type: AWS::RDS::DBInstance
    Properties:
      VPCSecurityGroups: [!Ref AppSG]
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      SecurityGroups: [!Ref AppSG]
  InternalAlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internal
      SecurityGroups: [!Ref AppSG]
  Service:
    Type: AWS::ECS::Service
    Properties:
      NetworkConfiguration:
        AwsvpcConfiguration:
          AssignPublicIp: ENABLED
          SecurityGroups: [!Ref AppSG]
          Subnets: [!Ref Public]
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      SecurityGroupIds: [!Ref AppSG]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      PubliclyAccessible: false
      SecurityGroups: [!Ref AppSG]
  NoGroups:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
  Public:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
      MapPublicIpOnLaunch: true
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Igw:
    Type: AWS::EC2::InternetGateway
  PublicRoutes:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  DefaultRoute:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref PublicRoutes
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref Igw
  PublicAssociation:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref Public
      RouteTableId: !Ref PublicRoutes
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties:
      VpcId: !Ref Vpc
  AclSsh:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: 6
      RuleAction: allow
      CidrBlock: 0.0.0.0/0
      PortRange: {From: 22, To: 22}
  AclPing:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 110
      Protocol: 1
      Egress: true
      RuleAction: deny
      Ipv6CidrBlock: ::/0
      Icmp: {Type: 8, Code: -1}
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        SecurityGroupIds: [!Ref AppSG]
  Fleet:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      LaunchTemplate:
        LaunchTemplateId: !Ref Template
        Version: !GetAtt Template.LatestVersionNumber
      VPCZoneIdentifier: [!Ref Public]
  Bastion:
    Type: AWS::EC2::Instance
    Properties:
      SecurityGroupIds: [!Ref AppSG]
  BastionIp:
    Type: AWS::EC2::EIP
    Properties:
      InstanceId: !Ref Bastion
  AclAssociation:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties:
      SubnetId: !Ref Public
      NetworkAclId: !Ref Acl
"#;

#[test]
fn attachments_have_roles_groups_and_reachability() {
    let analysed = analyse("a.yaml", ATTACHMENTS);
    let inventory = &analysed.unit.inventory;
    let summary: Vec<(&str, ResourceRole, Vec<String>, Option<Reachability>)> = inventory
        .attachments
        .iter()
        .map(|a| (a.id.as_str(), a.role, groups(a), known(&a.reachability)))
        .collect();
    let app = || vec!["AppSG".to_owned()];
    assert_eq!(
        summary,
        [
            (
                "Web",
                ResourceRole::Compute,
                app(),
                Some(Reachability::ViaSubnet)
            ),
            (
                "WebWithInterface",
                ResourceRole::Compute,
                vec!["sg-111".to_owned(), "sg-222".to_owned()],
                Some(Reachability::Public)
            ),
            (
                "Db",
                ResourceRole::Database,
                app(),
                Some(Reachability::Public)
            ),
            ("DbDefaultVpc", ResourceRole::Database, app(), None),
            (
                "Alb",
                ResourceRole::LoadBalancer,
                app(),
                Some(Reachability::Public)
            ),
            (
                "InternalAlb",
                ResourceRole::LoadBalancer,
                app(),
                Some(Reachability::Private)
            ),
            (
                "Service",
                ResourceRole::Compute,
                app(),
                Some(Reachability::Public)
            ),
            (
                "Cache",
                ResourceRole::Cache,
                app(),
                Some(Reachability::Private)
            ),
            (
                "Fn",
                ResourceRole::Function,
                app(),
                Some(Reachability::Private)
            ),
            (
                "Broker",
                ResourceRole::Broker,
                app(),
                Some(Reachability::Private)
            ),
            (
                "Template",
                ResourceRole::Compute,
                app(),
                Some(Reachability::ViaSubnet)
            ),
            (
                "Bastion",
                ResourceRole::Compute,
                app(),
                Some(Reachability::Public)
            ),
        ]
    );
    let web = &inventory.attachments[0];
    assert_eq!(analysed.text(web.name_span), "Web");
    assert_eq!(
        web.subnets.iter().filter_map(known).collect::<Vec<_>>(),
        ["Public"]
    );
    let fleet = &inventory.attachments[10];
    assert_eq!(
        fleet.subnets.iter().filter_map(known).collect::<Vec<_>>(),
        ["Public"]
    );
    let bastion = &inventory.attachments[11];
    assert_eq!(analysed.text(bastion.reachability.span()), "!Ref Bastion");
    let db = &inventory.attachments[2];
    assert_eq!(analysed.text(db.reachability.span()), "true");
    assert_eq!(
        inventory
            .group("AppSG")
            .and_then(|g| g.construct_path.as_deref()),
        Some("App/Stack/AppSG/Resource")
    );

    let subnet = &inventory.subnets[0];
    assert_eq!(
        subnet
            .map_public_ip_on_launch
            .as_ref()
            .and_then(Value::known_value),
        Some(&true)
    );
    assert_eq!(
        subnet
            .routes_to_internet
            .as_ref()
            .and_then(Value::known_value),
        Some(&true)
    );
    assert_eq!(
        subnet
            .vpc
            .as_ref()
            .and_then(Value::known_value)
            .map(String::as_str),
        Some("Vpc")
    );

    let acl_ids: Vec<&str> = inventory.nacls.iter().map(|acl| acl.id.as_str()).collect();
    assert_eq!(acl_ids, ["Acl"]);
    let ssh = &inventory.nacl_entries[0];
    assert_eq!(known(&ssh.acl).as_deref(), Some("Acl"));
    assert_eq!(known(&ssh.rule_number), Some(100));
    assert_eq!(known(&ssh.action), Some(NaclAction::Allow));
    assert_eq!(ssh.direction, Direction::Ingress);
    assert_eq!(known(&ssh.protocol), Some(Protocol::Tcp));
    assert_eq!(
        (
            ssh.from_port.as_ref().and_then(known),
            ssh.to_port.as_ref().and_then(known)
        ),
        (Some(22), Some(22))
    );
    assert_eq!(
        analysed.text(ssh.cidr.as_ref().expect("cidr").span()),
        "0.0.0.0/0"
    );
    let ping = &inventory.nacl_entries[1];
    assert_eq!(ping.direction, Direction::Egress);
    assert_eq!(known(&ping.protocol), Some(Protocol::Icmp));
    assert_eq!(ping.from_port.as_ref().and_then(known), Some(8));
    assert_eq!(known(&ping.action), Some(NaclAction::Deny));
    assert_eq!(
        ping.cidr
            .as_ref()
            .and_then(Value::known_value)
            .map(ToString::to_string)
            .as_deref(),
        Some("::/0")
    );
    let association = &inventory.nacl_associations[0];
    assert_eq!(
        (
            known(&association.acl).as_deref(),
            known(&association.subnet).as_deref()
        ),
        (Some("Acl"), Some("Public"))
    );
}

#[test]
fn conditional_reachability_gives_one_attachment_per_branch() {
    let text = r#"Parameters:
  Public: {Type: String, AllowedValues: ["true", "false"]}
Conditions:
  IsPublic: !Equals [!Ref Public, "true"]
Resources:
  SG: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: x}}
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      DBSubnetGroupName: group
      PubliclyAccessible: !If [IsPublic, true, false]
      VPCSecurityGroups: [!Ref SG]
"#;
    let analysed = analyse("r.yaml", text);
    let attachments = &analysed.unit.inventory.attachments;
    let reach: Vec<(Option<Reachability>, usize)> = attachments
        .iter()
        .map(|a| (known(&a.reachability), a.assumptions.len()))
        .collect();
    assert_eq!(
        reach,
        [
            (Some(Reachability::Public), 1),
            (Some(Reachability::Private), 1)
        ]
    );
}
