//! Security groups and their rules, in YAML (short tags) and JSON (long forms).

mod common;

use common::{analyse, ports};
use portcullis_ir::{Direction, Peer, Value};
use portcullis_net::Protocol;

const SSH_YAML: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Description: Bastion — accès SSH (é, 😀)
Resources:
  WebSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: "22"
          CidrIp: 0.0.0.0/0
          Description: ssh — ouvert
        - IpProtocol: "-1"
          SourceSecurityGroupId: !GetAtt BastionSG.GroupId
      SecurityGroupEgress:
        - IpProtocol: -1
          CidrIpv6: ::/0
  BastionSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: bastion
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  ExtraRule:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref WebSG
      IpProtocol: tcp
      FromPort: 3306
      ToPort: 3306
      SourceSecurityGroupId: !Ref BastionSG
"#;

#[test]
fn inline_rules_have_ids_ports_peers_and_spans() {
    let analysed = analyse("t.yaml", SSH_YAML);
    assert!(
        analysed.unit.problems.is_empty(),
        "{:?}",
        analysed.unit.problems
    );
    let inventory = &analysed.unit.inventory;
    let ids: Vec<&str> = inventory
        .security_groups
        .iter()
        .map(|g| g.id.as_str())
        .collect();
    // The VPC brings its default group, which `!GetAtt Vpc.DefaultSecurityGroup` names.
    assert_eq!(ids, ["WebSG", "BastionSG", "Vpc.DefaultSecurityGroup"]);
    let default = inventory
        .group("Vpc.DefaultSecurityGroup")
        .expect("the VPC's default group");
    assert!(default.is_default);
    assert!(!inventory.group("WebSG").expect("WebSG").is_default);
    let web = inventory.group("WebSG").expect("WebSG");
    assert_eq!(
        web.vpc
            .as_ref()
            .and_then(Value::known_value)
            .map(String::as_str),
        Some("Vpc")
    );
    assert_eq!(analysed.text(web.name_span), "WebSG");

    let ssh = analysed.rule("WebSG.SecurityGroupIngress[0]");
    assert_eq!(ssh.group.known_value().map(String::as_str), Some("WebSG"));
    assert_eq!(ssh.direction, Direction::Ingress);
    assert_eq!(ssh.protocol.known_value(), Some(&Protocol::Tcp));
    assert_eq!(ports(ssh), (Some(22), Some(22)));
    assert_eq!(
        analysed.cidrs(ssh),
        [("0.0.0.0/0".to_owned(), "0.0.0.0/0".to_owned())]
    );
    // Line and column of the CidrIp value, after multibyte characters on line 2.
    let cidr_span = ssh.peers[0].span();
    let location = analysed.location(cidr_span);
    assert_eq!((location.line, location.column), (13, 19));
    assert_eq!(
        ssh.description
            .as_ref()
            .and_then(Value::known_value)
            .map(String::as_str),
        Some("ssh — ouvert")
    );
    assert!(ssh.assumptions.is_empty());

    let from_bastion = analysed.rule("WebSG.SecurityGroupIngress[1]");
    assert_eq!(from_bastion.protocol.known_value(), Some(&Protocol::All));
    match &from_bastion.peers[..] {
        [Peer::SecurityGroup(group)] => {
            assert_eq!(group.known_value().map(String::as_str), Some("BastionSG"));
            assert_eq!(analysed.text(group.span()), "!GetAtt BastionSG.GroupId");
        }
        other => panic!("unexpected peers {other:?}"),
    }

    let egress = analysed.rule("WebSG.SecurityGroupEgress[0]");
    assert_eq!(egress.direction, Direction::Egress);
    assert_eq!(analysed.cidrs(egress)[0].0, "::/0");

    let extra = analysed.rule("ExtraRule");
    assert_eq!(extra.group.known_value().map(String::as_str), Some("WebSG"));
    assert_eq!(extra.resource, "ExtraRule");
    assert_eq!(ports(extra), (Some(3306), Some(3306)));
    assert_eq!(analysed.text(extra.group.span()), "!Ref WebSG");

    let vpc = &inventory.vpcs[0];
    assert_eq!(
        vpc.cidr
            .as_ref()
            .and_then(Value::known_value)
            .map(ToString::to_string)
            .as_deref(),
        Some("10.0.0.0/16")
    );
}

#[test]
fn json_long_forms_give_the_same_rules() {
    let text = r#"{
  "Resources": {
    "WebSG": {
      "Type": "AWS::EC2::SecurityGroup",
      "Properties": {
        "GroupDescription": "web",
        "VpcId": {"Ref": "Vpc"},
        "SecurityGroupIngress": [
          {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"},
          {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
           "SourceSecurityGroupId": {"Fn::GetAtt": ["BastionSG", "GroupId"]}}
        ]
      }
    },
    "BastionSG": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "b"}},
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}
  }
}
"#;
    let analysed = analyse("t.json", text);
    let ssh = analysed.rule("WebSG.SecurityGroupIngress[0]");
    assert_eq!(ports(ssh), (Some(22), Some(22)));
    assert_eq!(
        analysed.cidrs(ssh),
        [("0.0.0.0/0".to_owned(), "\"0.0.0.0/0\"".to_owned())]
    );
    assert_eq!(analysed.line(ssh.peers[0].span()), 9);
    let https = analysed.rule("WebSG.SecurityGroupIngress[1]");
    match &https.peers[..] {
        [Peer::SecurityGroup(group)] => {
            assert_eq!(group.known_value().map(String::as_str), Some("BastionSG"))
        }
        other => panic!("unexpected peers {other:?}"),
    }
}

#[test]
fn invalid_cidr_is_unknown_with_a_reason() {
    let text = "Resources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.1}\n";
    let analysed = analyse("t.yaml", text);
    let rule = analysed.rule("SG.SecurityGroupIngress[0]");
    let cidrs = analysed.cidrs(rule);
    assert!(cidrs[0].0.contains("without a prefix length"), "{cidrs:?}");
    assert_eq!(cidrs[0].1, "10.0.0.1");
}
