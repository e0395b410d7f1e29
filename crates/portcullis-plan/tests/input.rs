//! Plans as input: detection, sensitive values, malformed, truncated and odd plans.

#![allow(clippy::unwrap_used)]

mod common;

use common::{analyze_text, fixture};
use portcullis_ir::{Peer, Span};
use portcullis_plan::{Options, SENSITIVE, is_plan};

const SENSITIVE_PLAN: &str = r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.5",
  "variables": {
    "db_password": { "value": "hunter2-XYZ" },
    "office_cidr": { "value": "203.0.113.9/32" }
  },
  "planned_values": {
    "outputs": { "token": { "sensitive": true, "value": "tok-XYZ" } },
    "root_module": {
      "resources": [
        {
          "address": "aws_security_group.ops",
          "mode": "managed",
          "type": "aws_security_group",
          "name": "ops",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "schema_version": 1,
          "values": {
            "description": "secret-desc-XYZ",
            "name": "ops",
            "egress": [],
            "ingress": [
              { "cidr_blocks": ["203.0.113.9/32"], "description": "from the office", "from_port": 22,
                "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "tcp",
                "security_groups": [], "self": false, "to_port": 22 }
            ]
          },
          "sensitive_values": {
            "description": true,
            "egress": [],
            "ingress": [ { "cidr_blocks": [true], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [] } ]
          }
        }
      ]
    }
  },
  "resource_changes": [
    {
      "address": "aws_security_group.ops",
      "mode": "managed",
      "type": "aws_security_group",
      "name": "ops",
      "change": {
        "actions": ["create"],
        "before": null,
        "after": { "description": "secret-desc-XYZ", "name": "ops" },
        "after_unknown": { "id": true },
        "before_sensitive": false,
        "after_sensitive": { "description": true }
      }
    }
  ],
  "configuration": {
    "root_module": {
      "variables": {
        "db_password": { "sensitive": true },
        "office_cidr": { "sensitive": true }
      }
    }
  }
}
"#;

#[test]
fn sensitive_values_never_reach_the_ir_nor_any_excerpt() {
    let loaded = analyze_text("plan.json", SENSITIVE_PLAN, &Options::default());
    assert!(
        loaded.unit.problems.is_empty(),
        "{:?}",
        loaded.unit.problems
    );
    let inventory = &loaded.unit.inventory;
    let printed = format!("{inventory:?}");
    for secret in ["XYZ", "203.0.113.9"] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    let group = &inventory.security_groups[0];
    assert_eq!(
        group.description.as_ref().unwrap().unknown_reason(),
        Some(SENSITIVE)
    );
    let rule = &inventory.rules[0];
    let Peer::Cidr(cidr) = &rule.peers[0] else {
        panic!("a CIDR peer")
    };
    assert_eq!(cidr.unknown_reason(), Some(SENSITIVE));
    assert_eq!(rule.from_port.as_ref().unwrap().known_value(), Some(&22));

    let mut spans: Vec<Span> = vec![group.span, group.name_span, rule.span];
    for peer in &rule.peers {
        spans.push(peer.span());
    }
    for span in spans {
        let file = loaded.sources.get(span.file).unwrap();
        assert_eq!(file.path, "plan.json");
        for secret in ["XYZ", "203.0.113.9"] {
            assert!(
                !file.text.contains(secret),
                "{secret} shown through {span:?}"
            );
        }
        assert_eq!(file.text.len(), SENSITIVE_PLAN.len());
    }
    // The masked copy keeps every line and column of the original.
    let masked = loaded.sources.get(rule.span.file).unwrap();
    assert_eq!(masked.text.lines().count(), SENSITIVE_PLAN.lines().count());
    assert!(masked.text.contains(r#""description": "***************","#));
    assert_eq!(
        &*loaded.file.text, SENSITIVE_PLAN,
        "the scanned file is untouched"
    );
}

#[test]
fn a_truncated_plan_is_a_problem_at_the_end() {
    let text = std::fs::read_to_string(fixture("root_resources").join("plan.json")).unwrap();
    let cut = &text[..text.len() * 3 / 5];
    assert!(is_plan(cut), "still recognised, so that it is reported");
    let loaded = analyze_text("plan.json", cut, &Options::default());
    assert_eq!(loaded.unit.problems.len(), 1);
    let problem = &loaded.unit.problems[0];
    assert!(
        problem.message.contains("malformed or truncated"),
        "{}",
        problem.message
    );
    let location = loaded
        .sources
        .location(problem.span.file, problem.span.start);
    assert!(location.line > 400, "{location:?}");
    assert!(loaded.unit.inventory.security_groups.is_empty());
}

#[test]
fn malformed_plans_are_problems_with_line_and_column() {
    let cases = [
        (
            "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {},\n}",
            (3, 23),
            "Trailing commas",
        ),
        (
            "{\n  \"format_version\": \"1.2\", // note\n  \"planned_values\": {}\n}",
            (2, 28),
            "Comments",
        ),
        (
            "{\"format_version\": \"2.0\", \"planned_values\": {}}",
            (1, 20),
            "2.0",
        ),
        ("{\"planned_values\": {}}", (1, 1), "format_version"),
        ("[]", (1, 1), "format_version"),
        ("", (1, 1), "no JSON value"),
    ];
    for (text, (line, column), needle) in cases {
        let loaded = analyze_text("plan.json", text, &Options::default());
        let problem = loaded
            .unit
            .problems
            .first()
            .unwrap_or_else(|| panic!("{text}"));
        assert!(
            problem.message.contains(needle),
            "{text}: {}",
            problem.message
        );
        let location = loaded
            .sources
            .location(problem.span.file, problem.span.start);
        assert_eq!((location.line, location.column), (line, column), "{text}");
    }
}

#[test]
fn odd_shapes_and_every_truncation_never_panic() {
    let odd = [
        r#"{"format_version":"1.0","planned_values":null}"#,
        r#"{"format_version":"1.0","planned_values":{"root_module":{"resources":[{"address":1}]}}}"#,
        r#"{"format_version":"1.0","planned_values":{"root_module":{"resources":[{"address":"aws_security_group.a","type":"aws_security_group","name":"a","values":{"ingress":"x","egress":[1,null,{"cidr_blocks":5,"protocol":[]}]}}],"child_modules":[{"address":"module.x[\"a\"]"},{}]}},"resource_changes":[{"address":"aws_security_group.a","change":{"actions":"delete","after_unknown":[true]}}]}"#,
        r#"{"format_version":"1.0","resource_changes":[{"address":"aws_instance.a","type":"aws_instance","name":"a","mode":"managed","change":{"actions":["create"],"after":{"vpc_security_group_ids":["sg-1",null]},"after_unknown":{"subnet_id":true}}}]}"#,
        r#"{"format_version":"1.0","planned_values":{"root_module":{"resources":[{"address":"module.m.aws_security_group_rule.r[0]","type":"aws_security_group_rule","name":"r","values":{"type":"ingress","from_port":"22.5","to_port":1e400,"protocol":"tcp","cidr_blocks":["0.0.0.0/99","x"]}}]}},"configuration":{"root_module":{"module_calls":{"m":{"source":"../../../../etc","module":{"resources":[{"type":"aws_security_group_rule","name":"r","expressions":{"security_group_id":{"references":["var.x","module.m.out","module.n[\"a\"].y"]}}}]}}}}}}"#,
    ];
    for text in odd {
        assert!(is_plan(text), "{text}");
        let _ = analyze_text("plan.json", text, &Options::default());
    }
    let text = std::fs::read_to_string(fixture("nested_modules").join("plan.json")).unwrap();
    for end in (0..text.len()).step_by(61) {
        let loaded = analyze_text("plan.json", &text[..end], &Options::default());
        assert_eq!(loaded.unit.problems.len(), 1, "cut at {end}");
    }
}

#[test]
fn detection_looks_at_top_level_keys_only() {
    for case in ["root_resources", "nested_modules", "no_source"] {
        let text = std::fs::read_to_string(fixture(case).join("plan.json")).unwrap();
        assert!(is_plan(&text), "{case}");
    }
    assert!(!is_plan(
        r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}"#
    ));
    assert!(!is_plan(
        r#"{"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {}}}"#
    ));
    assert!(!is_plan(
        r#"{"Resources": {"a": {"format_version": "1", "planned_values": {}}}}"#
    ));
    // A large JSON file that is not a plan is rejected from its head alone.
    let big = format!("[{}]", "1,".repeat(2_000_000) + "1");
    assert!(!is_plan(&big));
}

#[test]
fn a_deposed_object_does_not_hide_its_replacement() {
    let text = r#"{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group", "name": "web",
     "values": {"name": "web", "ingress": [], "egress": []}}
  ]}},
  "resource_changes": [
    {"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group", "name": "web",
     "change": {"actions": ["create"], "before": null, "after": {"name": "web"}, "after_unknown": {"id": true}}},
    {"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group", "name": "web",
     "deposed": "00000001",
     "change": {"actions": ["delete"], "before": {"name": "web"}, "after": null, "after_unknown": {}}}
  ]
}"#;
    let loaded = analyze_text("plan.json", text, &Options::default());
    assert_eq!(loaded.unit.inventory.security_groups.len(), 1);
    let without_planned_values = text.replace("\"planned_values\"", "\"unused\"");
    let loaded = analyze_text("plan.json", &without_planned_values, &Options::default());
    assert_eq!(loaded.unit.inventory.security_groups.len(), 1);
}
