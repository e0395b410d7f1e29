//! Parameter values other than the defaults: conditions they flip are considered, with the
//! scenario recorded on the assumptions of what they create.

mod common;

use common::{analyse, analyse_with};
use portcullis_cloudformation::Options;

const FLIP: &str = include_str!("../../../fixtures/cloudformation/allowed_values_flip.yaml");

/// A template of one group whose SSH rule's source is `cidr`, after `head` (parameters and
/// conditions).
fn ssh_template(head: &str, cidr: &str) -> String {
    format!(
        "{head}Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - {{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: {cidr}}}
"
    )
}

/// Each assumption as (text at its span, line, note, scenario).
fn traces(
    analysed: &common::Analysed,
    traces: &[portcullis_ir::Trace],
) -> Vec<(String, u32, String, Option<String>)> {
    traces
        .iter()
        .map(|trace| {
            (
                analysed.text(trace.span).to_owned(),
                analysed.line(trace.span),
                trace.note.clone(),
                trace.scenario.clone(),
            )
        })
        .collect()
}

fn owned(
    expected: &[(&str, u32, &str, Option<&str>)],
) -> Vec<(String, u32, String, Option<String>)> {
    expected
        .iter()
        .map(|(text, line, note, scenario)| {
            (
                (*text).to_owned(),
                *line,
                (*note).to_owned(),
                scenario.map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn an_allowed_value_that_flips_a_condition_is_a_scenario() {
    let analysed = analyse("flip.yaml", FLIP);
    // The default outcome keeps the plain id and no assumption.
    let default = analysed.rule("DbSG.SecurityGroupIngress[0]");
    assert!(default.assumptions.is_empty());
    assert_eq!(analysed.cidrs(default)[0].0, "10.0.0.0/16");
    let dev = analysed.rule("DbSG.SecurityGroupIngress[0]{IsDev}");
    assert_eq!(analysed.cidrs(dev)[0].0, "0.0.0.0/0");
    assert_eq!(
        traces(&analysed, &dev.assumptions),
        owned(&[
            (
                "IsDev",
                23,
                "assumes condition IsDev is true",
                Some("Env is dev")
            ),
            ("dev", 4, "parameter Env allows dev", None),
        ])
    );
}

#[test]
fn a_condition_no_allowed_value_flips_stays_decided() {
    let analysed = analyse("flip.yaml", FLIP);
    let ids: Vec<&str> = analysed
        .rule_ids()
        .into_iter()
        .filter(|id| id.starts_with("DbSG.SecurityGroupIngress[1]"))
        .collect();
    assert_eq!(ids, ["DbSG.SecurityGroupIngress[1]"]);
    let rule = analysed.rule("DbSG.SecurityGroupIngress[1]");
    assert!(rule.assumptions.is_empty());
    assert_eq!(analysed.cidrs(rule)[0].0, "10.0.0.0/16");
    assert!(analysed.unit.inventory.unresolved.is_empty());
}

#[test]
fn conditions_over_several_parameters_enumerate_their_values() {
    let analysed = analyse("flip.yaml", FLIP);
    let public = analysed.rule("WebSG.SecurityGroupIngress[0]{IsPublicDev}");
    assert_eq!(analysed.cidrs(public)[0].0, "0.0.0.0/0");
    assert_eq!(
        traces(&analysed, &public.assumptions),
        owned(&[
            (
                "IsPublicDev",
                32,
                "assumes condition IsPublicDev is true",
                Some("Env is dev and Tier is public"),
            ),
            ("dev", 4, "parameter Env allows dev", None),
            ("public", 5, "parameter Tier allows public", None),
        ])
    );
    assert!(
        analysed
            .rule("WebSG.SecurityGroupIngress[0]")
            .assumptions
            .is_empty()
    );
}

#[test]
fn a_parameter_without_allowed_values_takes_the_literals_it_is_compared_to() {
    let analysed = analyse("flip.yaml", FLIP);
    let debug = analysed.rule("DebugRule");
    assert_eq!(
        traces(&analysed, &debug.assumptions),
        owned(&[
            (
                "IsDebug",
                36,
                "assumes condition IsDebug is true",
                Some("Stage is debug"),
            ),
            (
                "Stage",
                7,
                "parameter Stage has no AllowedValues: any value may be given",
                None,
            ),
        ])
    );
}

#[test]
fn a_default_equal_to_the_literal_is_flipped_by_any_other_value() {
    let text = ssh_template(
        "Parameters:
  Stage: {Type: String, Default: debug}
Conditions:
  IsDebug: !Equals [!Ref Stage, debug]
",
        "!If [IsDebug, 10.0.0.0/8, 0.0.0.0/0]",
    );
    let analysed = analyse("d.yaml", &text);
    let other = analysed.rule("SG.SecurityGroupIngress[0]{!IsDebug}");
    assert_eq!(analysed.cidrs(other)[0].0, "0.0.0.0/0");
    assert_eq!(
        other.assumptions[0].scenario.as_deref(),
        Some("Stage is not debug")
    );
    assert_eq!(
        other.assumptions[0].note,
        "assumes condition IsDebug is false"
    );
}

#[test]
fn given_parameters_still_decide_exactly() {
    let options = Options {
        parameters: vec![("Env".to_owned(), "prod".to_owned())],
    };
    let analysed = analyse_with("flip.yaml", FLIP, &options).expect("template");
    let ids: Vec<&str> = analysed
        .rule_ids()
        .into_iter()
        .filter(|id| id.starts_with("DbSG"))
        .collect();
    assert_eq!(
        ids,
        [
            "DbSG.SecurityGroupIngress[0]",
            "DbSG.SecurityGroupIngress[1]"
        ]
    );
}

#[test]
fn values_beyond_the_bound_are_recorded_as_not_considered() {
    let values: Vec<String> = (0..10).map(|n| format!("v{n}")).collect();
    let text = ssh_template(
        &format!(
            "Parameters:
  Env: {{Type: String, Default: v0, AllowedValues: [{}]}}
Conditions:
  IsLast: !Equals [!Ref Env, v9]
",
            values.join(", ")
        ),
        "!If [IsLast, 0.0.0.0/0, 10.0.0.0/8]",
    );
    let analysed = analyse("b.yaml", &text);
    let unresolved = &analysed.unit.inventory.unresolved;
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    assert_eq!(unresolved[0].subject, "parameter Env");
    assert_eq!(
        unresolved[0].reason,
        "the conditions it decides were not considered when Env is v8 or Env is v9: at most 8 values of a parameter are"
    );
    assert_eq!(analysed.line(unresolved[0].span), 2);
    // v9 was not considered: IsLast is false whatever was.
    let ids: Vec<&str> = analysed.rule_ids();
    assert_eq!(ids, ["SG.SecurityGroupIngress[0]"]);
}

#[test]
fn combinations_beyond_the_bound_hold_parameters_at_their_defaults() {
    // Four parameters of three values: 81 combinations, more than 64.
    let text = ssh_template(
        "Parameters:
  A: {Type: String, Default: a0, AllowedValues: [a0, a1, a2]}
  B: {Type: String, Default: b0, AllowedValues: [b0, b1, b2]}
  C: {Type: String, Default: c0, AllowedValues: [c0, c1, c2]}
  D: {Type: String, Default: d0, AllowedValues: [d0, d1, d2]}
Conditions:
  All: !And [!Equals [!Ref A, a1], !Equals [!Ref B, b1], !Equals [!Ref C, c1], !Equals [!Ref D, d1]]
",
        "!If [All, 0.0.0.0/0, 10.0.0.0/8]",
    );
    let analysed = analyse("c.yaml", &text);
    let unresolved = &analysed.unit.inventory.unresolved;
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    assert_eq!(unresolved[0].subject, "parameter D");
    assert_eq!(
        unresolved[0].reason,
        "held at the default for conditions All: with the values of A, B, C there would be more than 64 combinations"
    );
    assert_eq!(analysed.text(unresolved[0].span), "D");
}
