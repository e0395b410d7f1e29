use portcullis_ir::{FileId, Span};

use super::node::{ErrorKind, Kind, MAX_DEPTH, Node};
use super::yaml::parse_yaml_strict;
use super::{Document, parse_json, parse_yaml};

fn slice(text: &str, span: Span) -> &str {
    &text[span.range()]
}

fn yaml(text: &str) -> Document {
    parse_yaml(FileId(0), text).expect("valid YAML")
}

#[test]
fn short_tags_become_long_forms_with_spans_from_the_tag() {
    let text = "a: !Ref Foo\nb: !GetAtt [X, GroupId]\nc: !If\n  - Cond\n  - 1\n  - 2\n";
    let doc = yaml(text);
    let a = doc.root.get("a").expect("a");
    assert_eq!(slice(text, a.span), "!Ref Foo");
    let inner = a.get("Ref").expect("Ref");
    assert_eq!(inner.as_str(), Some("Foo"));
    let b = doc.root.get("b").expect("b");
    assert_eq!(slice(text, b.span), "!GetAtt [X, GroupId]");
    assert!(b.get("Fn::GetAtt").is_some());
    let c = doc.root.get("c").expect("c");
    assert!(matches!(c.get("Fn::If").map(|n| &n.kind), Some(Kind::Seq(items)) if items.len() == 3));
}

#[test]
fn multibyte_characters_shift_byte_offsets() {
    let text = "# é😀 ünïcode\nx: \"0.0.0.0/0\"\n";
    let doc = yaml(text);
    let x = doc.root.get("x").expect("x");
    assert_eq!(slice(text, x.span), "\"0.0.0.0/0\"");
    assert_eq!(x.as_str(), Some("0.0.0.0/0"));
}

#[test]
fn bom_is_skipped_in_both_languages() {
    let text = "\u{feff}x: 1\n";
    let doc = yaml(text);
    assert_eq!(slice(text, doc.root.get("x").expect("x").span), "1");
    let text = "\u{feff}{\"x\": 1}";
    let doc = parse_json(FileId(0), text).expect("valid JSON");
    assert_eq!(slice(text, doc.root.get("x").expect("x").span), "1");
}

#[test]
fn duplicate_keys_keep_the_last_value_and_are_recorded() {
    let text = "a: 1\nb: 2\na: 3\n";
    let doc = yaml(text);
    assert_eq!(doc.root.get("a").and_then(Node::as_str), Some("3"));
    assert_eq!(doc.duplicates.len(), 1);
    let text = r#"{"a": 1, "a": 2}"#;
    let doc = parse_json(FileId(0), text).expect("valid JSON");
    assert_eq!(doc.root.get("a").and_then(Node::as_str), Some("2"));
    assert_eq!(slice(text, doc.duplicates[0].second), "\"a\"");
}

#[test]
fn under_indented_continuation_lines_are_accepted_like_cloudformation() {
    let text = "Outputs:\n  Help:\n    Value: 'first line, then\n    a continuation ''quoted'' line'\n    Other:\n      c:\n        'x:y': [\n            \"a\",\n            \"b\"\n        ]\n        'z': 1\n  After: \"é 0.0.0.0/0\"\n";
    let strict = parse_yaml_strict(FileId(0), text).expect_err("outside YAML 1.2");
    assert_eq!(strict.kind, ErrorKind::QuotedScalarIndentation);
    assert_eq!(
        strict.kind.to_string(),
        "invalid indentation in quoted scalar"
    );
    let flow_only = text.replace("\n    a continuation", " a continuation");
    assert!(parse_yaml_strict(FileId(0), &flow_only).is_err());
    let doc = yaml(text);
    let help = doc
        .root
        .get("Outputs")
        .and_then(|o| o.get("Help"))
        .expect("Help");
    assert_eq!(
        help.get("Value").and_then(Node::as_str),
        Some("first line, then a continuation 'quoted' line")
    );
    let other = help
        .get("Other")
        .and_then(|o| o.get("c"))
        .and_then(|o| o.get("x:y"))
        .map(|n| &n.kind);
    assert!(matches!(other, Some(Kind::Seq(items)) if items.len() == 2));
    let after = doc
        .root
        .get("Outputs")
        .and_then(|o| o.get("After"))
        .expect("After");
    assert_eq!(slice(text, after.span), "\"é 0.0.0.0/0\"");
}

#[test]
fn billion_laughs_is_rejected_quickly() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(",");
        text.push_str(&format!("{}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    let started = std::time::Instant::now();
    let error = parse_yaml(FileId(0), &text).expect_err("rejected");
    assert_eq!(error.kind, ErrorKind::AliasBudget);
    assert!(error.kind.to_string().contains("billion-laughs"));
    assert!(started.elapsed().as_millis() < 1000);
}

#[test]
fn deep_nesting_is_rejected() {
    let text = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    // saphyr stops flow collections itself; block nesting reaches our own limit.
    assert!(parse_yaml(FileId(0), &text).is_err());
    let block: String = (0..MAX_DEPTH + 5)
        .map(|depth| format!("{}k:\n", " ".repeat(depth)))
        .collect();
    let error = parse_yaml(FileId(0), &block).expect_err("deep");
    assert_eq!(error.kind, ErrorKind::TooDeep);
    assert_eq!(
        error.kind.to_string(),
        format!("nesting deeper than {MAX_DEPTH} levels")
    );
    assert!(parse_json(FileId(0), &text).is_err());
}

#[test]
fn syntax_errors_carry_a_byte_offset() {
    let text = "é: [1, 2\n";
    let error = parse_yaml(FileId(0), text).expect_err("invalid");
    assert!(error.offset <= text.len());
    let error = parse_json(FileId(0), "{\"a\": 1,}").expect_err("trailing comma");
    assert_eq!(error.offset, 7);
}
