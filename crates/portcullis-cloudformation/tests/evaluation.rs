//! Parameters, pseudo parameters, mappings, intrinsic functions and conditions.

mod common;

use common::{analyse, analyse_with, ports};
use portcullis_cloudformation::Options;
use portcullis_ir::Value;

const PARAMETERS: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  AdminCidr:
    Type: String
    Default: 0.0.0.0/0
  OfficeCidr:
    Type: String
    Default: 203.0.113.0/24
    AllowedValues: [203.0.113.0/24, 0.0.0.0/0]
  NoDefault:
    Type: String
  SshPort:
    Type: Number
    Default: 22
  Cidrs:
    Type: CommaDelimitedList
    Default: "10.0.0.0/8,192.168.0.0/16"
  FromSsm:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /network/admin-cidr
Mappings:
  Networks:
    Office:
      Cidr: 198.51.100.0/24
  Regions:
    us-east-1: {Cidr: 10.0.0.0/8, Ami: ami-1}
    eu-west-1: {Cidr: 10.0.0.0/8, Ami: ami-2}
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub "admin from ${AdminCidr} in ${AWS::Region}"
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: !Ref SshPort, ToPort: !Ref SshPort, CidrIp: !Ref AdminCidr}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref OfficeCidr}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref NoDefault}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Select [1, !Ref Cidrs]}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !FindInMap [Networks, Office, Cidr]}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref FromSsm}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Join ["/", ["10.1.0.0", "16"]]}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !ImportValue SharedCidr}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !GetAtt Vpc.CidrBlock}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Sub "${AWS::Region}/8"}
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !Select [0, !Split [",", "172.16.0.0/12,10.0.0.0/8"]]
          Description: !Ref AWS::NoValue
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !FindInMap [Regions, !Ref "AWS::Region", Cidr]}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !FindInMap [Regions, !Ref "AWS::Region", Ami]}
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.20.0.0/16
"#;

#[test]
fn parameters_mappings_and_intrinsics() {
    let analysed = analyse("p.yaml", PARAMETERS);
    let cidr = |index: usize| {
        let rule = analysed.rule(&format!("SG.SecurityGroupIngress[{index}]"));
        analysed.cidrs(rule).remove(0)
    };
    // The value points at the use site; the default is a via trace.
    assert_eq!(
        cidr(0),
        ("0.0.0.0/0".to_owned(), "!Ref AdminCidr".to_owned())
    );
    let rule = analysed.rule("SG.SecurityGroupIngress[0]");
    if let portcullis_ir::Peer::Cidr(value) = &rule.peers[0] {
        let trace = &value.via()[0];
        assert_eq!(analysed.text(trace.span), "0.0.0.0/0");
        assert_eq!(analysed.line(trace.span), 5);
        assert!(trace.note.contains("AdminCidr"), "{}", trace.note);
    }
    assert_eq!(ports(rule), (Some(22), Some(22)));

    // AllowedValues that reach the internet are named in the via traces.
    let office = analysed.rule("SG.SecurityGroupIngress[1]");
    if let portcullis_ir::Peer::Cidr(value) = &office.peers[0] {
        assert_eq!(
            value.known_value().map(ToString::to_string).as_deref(),
            Some("203.0.113.0/24")
        );
        assert!(
            value
                .via()
                .iter()
                .any(|trace| trace.note.contains("also allows 0.0.0.0/0"))
        );
    }
    assert!(
        cidr(2).0.contains("NoDefault has no default"),
        "{:?}",
        cidr(2)
    );
    assert_eq!(cidr(3).0, "192.168.0.0/16");
    assert_eq!(cidr(4).0, "198.51.100.0/24");
    assert!(cidr(5).0.contains("SSM"), "{:?}", cidr(5));
    assert_eq!(cidr(6).0, "10.1.0.0/16");
    assert_eq!(
        cidr(7).0,
        "unknown: imported from another stack's export `SharedCidr` (Fn::ImportValue)"
    );
    assert_eq!(cidr(8).0, "10.20.0.0/16");
    assert!(cidr(9).0.contains("AWS::Region"), "{:?}", cidr(9));
    assert_eq!(cidr(10).0, "172.16.0.0/12");
    // A key known only at deploy time: the same value in every entry, or unknown.
    assert_eq!(cidr(11).0, "10.0.0.0/8");
    assert!(cidr(12).0.contains("AWS::Region"), "{:?}", cidr(12));
    assert!(
        analysed
            .rule("SG.SecurityGroupIngress[10]")
            .description
            .is_none()
    );

    let group = analysed.unit.inventory.group("SG").expect("SG");
    let description = group.description.as_ref().expect("description");
    assert!(
        description
            .unknown_reason()
            .is_some_and(|r| r.contains("AWS::Region"))
    );

    let named: Vec<(&str, &str)> = analysed
        .unit
        .inventory
        .named_cidrs
        .iter()
        .map(|named| (named.name.as_str(), named.reference.as_str()))
        .collect();
    assert_eq!(
        named,
        [
            ("AdminCidr", "!Ref AdminCidr"),
            ("OfficeCidr", "!Ref OfficeCidr")
        ]
    );
}

#[test]
fn cfn_parameters_override_defaults() {
    let options = Options {
        parameters: vec![
            ("AdminCidr".to_owned(), "10.9.0.0/16".to_owned()),
            ("NoDefault".to_owned(), "192.0.2.0/24".to_owned()),
            ("AWS::Region".to_owned(), "eu-west-1".to_owned()),
        ],
    };
    let analysed = analyse_with("p.yaml", PARAMETERS, &options).expect("template");
    let cidr = |index: usize| {
        let rule = analysed.rule(&format!("SG.SecurityGroupIngress[{index}]"));
        analysed.cidrs(rule).remove(0).0
    };
    assert_eq!(cidr(0), "10.9.0.0/16");
    assert_eq!(cidr(2), "192.0.2.0/24");
    assert!(cidr(9).contains("eu-west-1/8"), "{}", cidr(9));
}

const CONDITIONS: &str = r#"Parameters:
  Env:
    Type: String
    Default: prod
  Stage:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  IsStage: !Equals [!Ref Stage, staging]
  IsUsEast1: !Equals [!Ref "AWS::Region", us-east-1]
  ProdOrStage: !Or [!Condition IsProd, !Condition IsStage]
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: conditions
      SecurityGroupIngress:
        - !If [IsDev, {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}, !Ref AWS::NoValue]
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !If [IsUsEast1, 0.0.0.0/0, 10.0.0.0/8]
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: !If [ProdOrStage, 0.0.0.0/0, 10.0.0.0/8]
  DevOnly:
    Type: AWS::EC2::SecurityGroupIngress
    Condition: IsDev
    Properties: {GroupId: !Ref SG, IpProtocol: tcp, FromPort: 3306, ToPort: 3306, CidrIp: 0.0.0.0/0}
  StageOnly:
    Type: AWS::EC2::SecurityGroupIngress
    Condition: IsStage
    Properties: {GroupId: !Ref SG, IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 0.0.0.0/0}
"#;

#[test]
fn conditions_are_decided_or_assumed_both_ways() {
    let analysed = analyse("c.yaml", CONDITIONS);
    let ids = analysed.rule_ids();
    // IsDev is false with Env's default (prod), but Env may be given any other value: its rule
    // and resource exist in that scenario. IsUsEast1 is unknown: both branches. ProdOrStage is
    // true with the default, and may be false when Env is not prod (IsStage is then unknown).
    assert_eq!(
        ids,
        [
            "SG.SecurityGroupIngress[0]{IsDev}",
            "SG.SecurityGroupIngress[1]{IsUsEast1}",
            "SG.SecurityGroupIngress[1]{!IsUsEast1}",
            "SG.SecurityGroupIngress[2]",
            "SG.SecurityGroupIngress[2]{!ProdOrStage}",
            "DevOnly",
            "StageOnly",
        ]
    );
    let dev = analysed.rule("SG.SecurityGroupIngress[0]{IsDev}");
    let scenarios: Vec<Option<&str>> = dev
        .assumptions
        .iter()
        .map(|trace| trace.scenario.as_deref())
        .collect();
    assert_eq!(scenarios, [Some("Env is not prod"), None]);
    assert_eq!(
        dev.assumptions[1].note,
        "parameter Env has no AllowedValues: any value may be given"
    );
    assert_eq!(analysed.text(dev.assumptions[1].span), "Env");
    let public = analysed.rule("SG.SecurityGroupIngress[1]{IsUsEast1}");
    assert_eq!(analysed.cidrs(public)[0].0, "0.0.0.0/0");
    assert_eq!(public.assumptions.len(), 1);
    assert!(public.assumptions[0].note.contains("IsUsEast1 is true"));
    assert_eq!(analysed.text(public.assumptions[0].span), "IsUsEast1");
    let private = analysed.rule("SG.SecurityGroupIngress[1]{!IsUsEast1}");
    assert_eq!(analysed.cidrs(private)[0].0, "10.0.0.0/8");
    let https = analysed.rule("SG.SecurityGroupIngress[2]");
    assert!(https.assumptions.is_empty());
    assert_eq!(analysed.cidrs(https)[0].0, "0.0.0.0/0");
    let stage = analysed.rule("StageOnly");
    assert_eq!(stage.assumptions.len(), 1);
    assert!(stage.assumptions[0].note.contains("IsStage"));
}

#[test]
fn pseudo_parameters_and_unknown_intrinsics_are_unknown() {
    let text = r#"Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      VpcId: !ImportValue network-VpcId
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, SourceSecurityGroupId: !GetAtt Other.Arn}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Cidr [10.0.0.0/16, 2, 8]}
  Other:
    Type: AWS::IAM::Role
"#;
    let analysed = analyse("u.yaml", text);
    let group = analysed.unit.inventory.group("SG").expect("SG");
    assert!(
        group
            .vpc
            .as_ref()
            .and_then(Value::unknown_reason)
            .is_some_and(|r| r.contains("network-VpcId"))
    );
    let rule = analysed.rule("SG.SecurityGroupIngress[0]");
    let peer = rule.peers[0].clone();
    assert!(
        matches!(peer, portcullis_ir::Peer::SecurityGroup(Value::Unknown { ref reason, .. }) if reason.contains("Other.Arn"))
    );
    let cidr = analysed.cidrs(analysed.rule("SG.SecurityGroupIngress[1]"));
    assert!(cidr[0].0.contains("Fn::Cidr"), "{cidr:?}");
}

#[test]
fn import_value_reasons_name_the_export() {
    let text = r#"Parameters:
  Env: {Type: String, Default: prod}
  Stage: {Type: String}
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: imports
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !ImportValue {"Fn::Sub": "${Env}-AdminCidr"}}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !ImportValue {"Fn::Sub": "${Stage}-AdminCidr"}}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !ImportValue {"Fn::Sub": ["${S}-Cidr", {S: !Ref Stage}]}}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !ImportValue {"Fn::GetAZs": ""}}
"#;
    let analysed = analyse("i.yaml", text);
    let reasons: Vec<String> = (0..4)
        .map(|index| {
            let rule = analysed.rule(&format!("SG.SecurityGroupIngress[{index}]"));
            analysed.cidrs(rule).remove(0).0
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "unknown: imported from another stack's export `prod-AdminCidr` (Fn::ImportValue)",
            "unknown: imported from another stack's export `${Stage}-AdminCidr` (Fn::ImportValue)",
            "unknown: imported from another stack's export `${S}-Cidr` (Fn::ImportValue)",
            "unknown: imported from another stack's export (Fn::ImportValue)",
        ]
    );
}
