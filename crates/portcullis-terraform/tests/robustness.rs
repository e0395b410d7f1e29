//! Arbitrary and mutated input never panics: it yields units, problems and unknowns.

mod common;

use proptest::prelude::*;

/// A configuration that exercises most of the evaluator, to mutate.
const SEED: &str = r#"
variable "cidrs" { default = ["0.0.0.0/0"] }
locals { ports = { ssh = 22, web = 80 } }
resource "aws_security_group" "g" {
  count = length(var.cidrs)
  dynamic "ingress" {
    for_each = local.ports
    content {
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = [for c in var.cidrs : "${c}"]
    }
  }
}
module "m" {
  source = "./m"
  x      = cidrsubnet("10.0.0.0/8", 8, 1)
}
"#;

fn analyze_text(text: &str, json: bool) {
    let path = if json { "r/main.tf.json" } else { "r/main.tf" };
    let (_, units) = common::run(&[
        (path, text),
        (
            "r/m/main.tf",
            "variable \"x\" {}\noutput \"o\" { value = var.x }\n",
        ),
    ]);
    assert!(!units.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "[a-z\"{}\\[\\]()=.,:?!<>%$~*#/\\\\ \n0-9-]{0,200}") {
        analyze_text(&text, false);
        analyze_text(&text, true);
    }

    #[test]
    fn mutated_configurations_never_panic(
        edits in prop::collection::vec((0usize..SEED.len(), "[a-z\"{}\\[\\]()=.,$%~ \n0-9]{0,3}"), 1..4)
    ) {
        let mut text = SEED.to_owned();
        for (at, insert) in edits {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let end = (at + insert.len()).min(text.len());
            let end = (end..=text.len()).find(|end| text.is_char_boundary(*end)).unwrap_or(text.len());
            text.replace_range(at..end, &insert);
        }
        analyze_text(&text, false);
    }
}

/// A cancelled evaluation stops at its next step: a count of 10,000 rules yields next to nothing.
#[test]
fn a_cancelled_evaluation_stops_early() {
    let text = "resource \"aws_security_group_rule\" \"r\" {\n  count = 10000\n  type = \"ingress\"\n  protocol = \"tcp\"\n  from_port = count.index\n  to_port = count.index\n  cidr_blocks = [\"0.0.0.0/0\"]\n  security_group_id = \"sg-1\"\n}\n";
    let rules = |cancel: bool| {
        let sources = portcullis_ir::SourceMap::new();
        let file = sources.add("main.tf", text);
        let options = portcullis_terraform::Options {
            cancel: Some(std::sync::Arc::new(std::sync::atomic::AtomicBool::new(
                cancel,
            ))),
            ..portcullis_terraform::Options::default()
        };
        portcullis_terraform::analyze(&[file], &sources, &options)[0]
            .inventory
            .rules
            .len()
    };
    assert_eq!(rules(false), 10_000);
    assert_eq!(rules(true), 0);
}
