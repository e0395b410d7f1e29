//! Load balancer listeners: the ports clients connect to.

mod common;

use common::analyse;
use portcullis_ir::Value;

/// Each listener as (load balancer or its unknown reason, port or its unknown reason, assumptions).
fn listeners(text: &str) -> Vec<(String, String, usize)> {
    let analysed = analyse("l.yaml", text);
    let shown = |value: Value<String>| match value {
        Value::Known { value, .. } => value,
        Value::Unknown { reason, .. } => format!("unknown: {reason}"),
    };
    analysed
        .unit
        .inventory
        .listeners
        .iter()
        .map(|listener| {
            (
                shown(listener.load_balancer.clone()),
                shown(listener.port.clone().map(|port| port.to_string())),
                listener.assumptions.len(),
            )
        })
        .collect()
}

#[test]
fn v2_listeners_name_their_load_balancer_and_port() {
    let text = r#"Resources:
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Scheme: internet-facing}
  Https:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: {LoadBalancerArn: !Ref Alb, Port: 443, Protocol: HTTPS}
  Gateway:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: {LoadBalancerArn: !Ref Alb}
  Imported:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: {LoadBalancerArn: !ImportValue shared-alb, Port: "8443"}
"#;
    assert_eq!(
        listeners(text),
        [
            ("Alb".to_owned(), "443".to_owned(), 0),
            (
                "Alb".to_owned(),
                "unknown: the listener sets no Port".to_owned(),
                0
            ),
            (
                "unknown: imported from another stack's export `shared-alb` (Fn::ImportValue)"
                    .to_owned(),
                "8443".to_owned(),
                0
            ),
        ]
    );
}

#[test]
fn classic_listeners_belong_to_their_load_balancer() {
    let text = r#"Parameters:
  Ssh: {Type: String, AllowedValues: ["yes", "no"]}
Conditions:
  WithSsh: !Equals [!Ref Ssh, "yes"]
Resources:
  Elb:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      Listeners:
        - {LoadBalancerPort: "80", InstancePort: "8080", Protocol: HTTP}
        - !If [WithSsh, {LoadBalancerPort: 22, InstancePort: 22, Protocol: TCP}, !Ref AWS::NoValue]
        - {InstancePort: 8080, Protocol: HTTP}
"#;
    let analysed = analyse("l.yaml", text);
    assert_eq!(
        listeners(text),
        [
            ("Elb".to_owned(), "80".to_owned(), 0),
            ("Elb".to_owned(), "22".to_owned(), 1),
            (
                "Elb".to_owned(),
                "unknown: `LoadBalancerPort` is missing (CloudFormation requires it)".to_owned(),
                0
            ),
        ]
    );
    let problems: Vec<&str> = analysed
        .unit
        .problems
        .iter()
        .map(|problem| problem.message.as_str())
        .collect();
    assert_eq!(
        problems,
        [
            "Elb Listeners[2]: `LoadBalancerPort` is missing (CloudFormation requires it); analysed as any port"
        ]
    );
}
