//! Rules and NACL entries with missing or wrongly typed properties: unknown values naming the
//! property, and a problem each, never a silent drop.

mod common;

use common::analyse;
use portcullis_ir::Value;

const INCOMPLETE: &str = include_str!("../../../fixtures/cloudformation/incomplete_rules.yaml");

fn reason<T>(value: &Value<T>) -> Option<&str> {
    value.unknown_reason()
}

#[test]
fn missing_and_wrong_properties_are_unknowns_and_problems() {
    let analysed = analyse("incomplete.yaml", INCOMPLETE);
    let no_protocol = analysed.rule("DbSG.SecurityGroupIngress[0]");
    assert_eq!(
        reason(&no_protocol.protocol),
        Some("`IpProtocol` is missing (CloudFormation requires it)")
    );
    assert_eq!(analysed.line(no_protocol.protocol.span()), 13);
    let no_ports = analysed.rule("DbSG.SecurityGroupIngress[1]");
    let from = no_ports.from_port.as_ref().expect("an unknown FromPort");
    assert_eq!(
        reason(from),
        Some("`FromPort` is missing (required for tcp)")
    );
    assert_eq!(analysed.line(from.span()), 15);
    let word = analysed.rule("DbSG.SecurityGroupIngress[2]");
    let from = word.from_port.as_ref().expect("an unknown FromPort");
    assert_eq!(reason(from), Some("`FromPort` is `ssh`, not a number"));
    assert_eq!(analysed.text(from.span()), "ssh");
    assert_eq!(
        word.to_port.as_ref().and_then(Value::known_value),
        Some(&22)
    );
    let list = analysed.rule("DbSG.SecurityGroupIngress[3]");
    assert_eq!(
        analysed.cidrs(list),
        [(
            "unknown: `CidrIp` is a list, where one value is wanted".to_owned(),
            "[0.0.0.0/0, 10.0.0.0/8]".to_owned()
        )]
    );
    let resource = analysed.rule("NoProtocolIngress");
    assert_eq!(
        reason(&resource.protocol),
        Some("`IpProtocol` is missing (CloudFormation requires it)")
    );
    assert_eq!(analysed.line(resource.protocol.span()), 27);
}

#[test]
fn an_unknown_input_is_not_a_problem() {
    let analysed = analyse("incomplete.yaml", INCOMPLETE);
    let rule = analysed.rule("DbSG.SecurityGroupIngress[4]");
    assert!(
        analysed.cidrs(rule)[0]
            .0
            .contains("AdminCidr has no default")
    );
    assert!(
        analysed
            .unit
            .problems
            .iter()
            .all(|problem| analysed.line(problem.span) != 24)
    );
}

#[test]
fn nacl_entries_without_required_properties() {
    let analysed = analyse("incomplete.yaml", INCOMPLETE);
    let entry = |id: &str| {
        analysed
            .unit
            .inventory
            .nacl_entries
            .iter()
            .find(|entry| entry.id == id)
            .unwrap_or_else(|| panic!("no entry {id}"))
    };
    assert_eq!(
        reason(&entry("NoNumberEntry").rule_number),
        Some("`RuleNumber` is missing (CloudFormation requires it)")
    );
    assert_eq!(
        reason(&entry("NoAclEntry").acl),
        Some("`NetworkAclId` is missing (CloudFormation requires it)")
    );
    let bare = entry("BareEntry");
    assert_eq!(
        reason(&bare.protocol),
        Some("`Protocol` is missing (CloudFormation requires it)")
    );
    assert_eq!(
        reason(&bare.action),
        Some("`RuleAction` is missing (CloudFormation requires it)")
    );
    let no_range = entry("NoRangeEntry");
    assert_eq!(
        no_range.from_port.as_ref().and_then(reason),
        Some("`PortRange` is missing (required for tcp)")
    );
    assert_eq!(analysed.line(no_range.span), 66);
}

#[test]
fn problems_name_the_statement_the_property_and_the_analysis() {
    let analysed = analyse("incomplete.yaml", INCOMPLETE);
    let problems: Vec<(u32, &str)> = analysed
        .unit
        .problems
        .iter()
        .map(|problem| (analysed.line(problem.span), problem.message.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (
                13,
                "DbSG SecurityGroupIngress[0]: `IpProtocol` is missing (CloudFormation requires it); analysed as any protocol"
            ),
            (
                15,
                "DbSG SecurityGroupIngress[1]: `FromPort` is missing (required for tcp); analysed as any port"
            ),
            (
                15,
                "DbSG SecurityGroupIngress[1]: `ToPort` is missing (required for tcp); analysed as any port"
            ),
            (
                17,
                "DbSG SecurityGroupIngress[2]: `FromPort` is `ssh`, not a number; analysed as any port"
            ),
            (
                22,
                "DbSG SecurityGroupIngress[3]: `CidrIp` is a list, where one value is wanted; analysed as an unknown peer"
            ),
            (
                26,
                "DbSG SecurityGroupEgress[0]: `ToPort` is missing (required for udp); analysed as any port"
            ),
            (
                27,
                "NoProtocolIngress: `IpProtocol` is missing (CloudFormation requires it); analysed as any protocol"
            ),
            (
                34,
                "NoPortsEgress: `FromPort` is missing (required for tcp); analysed as any port"
            ),
            (
                34,
                "NoPortsEgress: `ToPort` is missing (required for tcp); analysed as any port"
            ),
            (
                44,
                "NoNumberEntry: `RuleNumber` is missing (CloudFormation requires it); analysed as an entry of unknown order"
            ),
            (
                52,
                "NoAclEntry: `NetworkAclId` is missing (CloudFormation requires it); analysed as an entry of an unknown ACL"
            ),
            (
                60,
                "BareEntry: `Protocol` is missing (CloudFormation requires it); analysed as any protocol"
            ),
            (
                60,
                "BareEntry: `RuleAction` is missing (CloudFormation requires it); analysed as an unknown action"
            ),
            (
                66,
                "NoRangeEntry: `PortRange` is missing (required for tcp); analysed as any port"
            ),
        ]
    );
}
