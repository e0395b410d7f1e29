//! Evaluation: variables and their precedence, locals, templates, functions, conditionals,
//! `for` expressions, references, unknowns and their reasons, limits.

mod common;
use common::*;

use portcullis_ir::{Peer, Value};
use portcullis_terraform::Options;

/// A group whose one ingress rule takes its CIDRs from `cidrs` (an HCL expression) on `port`.
fn group_with(cidrs: &str, port: &str) -> String {
    format!(
        r#"resource "aws_security_group" "g" {{
  ingress {{
    protocol    = "tcp"
    from_port   = {port}
    to_port     = {port}
    cidr_blocks = {cidrs}
  }}
}}
"#
    )
}

fn peers_of(files: &[(&str, &str)]) -> Vec<String> {
    let (_, unit) = one_unit(files);
    peers(rule(&unit, "aws_security_group.g.ingress[0]"))
}

#[test]
fn tfvars_override_defaults_in_terraform_order() {
    let main = group_with("var.cidrs", "22");
    let variables = r#"variable "cidrs" { default = ["10.0.0.0/8"] }"#;
    assert_eq!(
        peers_of(&[("m/main.tf", &main), ("m/variables.tf", variables)]),
        vec!["10.0.0.0/8"]
    );
    let with_tfvars = [
        ("m/main.tf", main.as_str()),
        ("m/variables.tf", variables),
        ("m/terraform.tfvars", r#"cidrs = ["1.0.0.0/8"]"#),
        ("m/terraform.tfvars.json", r#"{"cidrs": ["2.0.0.0/8"]}"#),
        ("m/b.auto.tfvars", r#"cidrs = ["4.0.0.0/8"]"#),
        ("m/a.auto.tfvars", r#"cidrs = ["3.0.0.0/8"]"#),
        ("m/other.tfvars", r#"cidrs = ["5.0.0.0/8"]"#),
    ];
    // Auto files apply in lexical order after terraform.tfvars(.json); other .tfvars are not loaded.
    assert_eq!(peers_of(&with_tfvars), vec!["4.0.0.0/8"]);
}

#[test]
fn a_tfvars_value_carries_a_trace_to_its_line() {
    let main = group_with("var.admin_cidrs", "22");
    let (sources, unit) = one_unit(&[
        ("m/main.tf", &main),
        (
            "m/variables.tf",
            r#"variable "admin_cidrs" { default = ["10.0.0.0/8"] }"#,
        ),
        (
            "m/terraform.tfvars",
            "# tightened below\nadmin_cidrs = [\"0.0.0.0/0\"]\n",
        ),
    ]);
    let rule = rule(&unit, "aws_security_group.g.ingress[0]");
    let Peer::Cidr(value) = &rule.peers[0] else {
        panic!()
    };
    // The span stays at the expression in the resource; the trace names the tfvars line.
    assert_eq!(text(&sources, value.span()), "var.admin_cidrs");
    let trace = &value.via()[0];
    assert_eq!(
        trace.note,
        r#"var.admin_cidrs = ["0.0.0.0/0"] in terraform.tfvars"#
    );
    assert_eq!(sources.path(trace.span.file), "m/terraform.tfvars");
    assert_eq!(line(&sources, trace.span), 2);
    assert_eq!(text(&sources, trace.span), r#""0.0.0.0/0""#);
}

#[test]
fn var_files_and_vars_from_the_command_line_come_last() {
    let dir = std::env::temp_dir().join(format!("portcullis-tf-varfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let var_file = dir.join("prod.tfvars");
    std::fs::write(&var_file, "cidrs = [\"6.0.0.0/8\"]\nport = 3306\n").unwrap();
    let main = group_with("var.cidrs", "var.port");
    let variables = "variable \"cidrs\" {}\nvariable \"port\" { default = 22 }\nvariable \"name\" { type = string }\n";
    let files = [
        ("m/main.tf", main.as_str()),
        ("m/variables.tf", variables),
        ("m/terraform.tfvars", "port = 80"),
    ];
    let options = Options {
        var_files: vec![var_file.clone()],
        ..Options::default()
    };
    let (sources, units) = run_with(&files, &options);
    let second = rule(&units[0], "aws_security_group.g.ingress[0]");
    assert_eq!(peers(second), vec!["6.0.0.0/8"]);
    assert_eq!(ports(second), (Some(3306), Some(3306)));
    // The var file was registered so that its spans resolve.
    let Peer::Cidr(value) = &second.peers[0] else {
        panic!()
    };
    assert!(
        sources
            .path(value.via()[0].span.file)
            .ends_with("prod.tfvars")
    );

    let options = Options {
        var_files: vec![var_file],
        vars: vec![
            ("cidrs".to_owned(), "[\"7.0.0.0/8\"]".to_owned()),
            ("port".to_owned(), "443".to_owned()),
        ],
        ..Options::default()
    };
    let (sources, units) = run_with(&files, &options);
    let second = rule(&units[0], "aws_security_group.g.ingress[0]");
    assert_eq!(peers(second), vec!["7.0.0.0/8"]);
    assert_eq!(ports(second), (Some(443), Some(443)));
    let Peer::Cidr(value) = &second.peers[0] else {
        panic!()
    };
    assert_eq!(text(&sources, value.via()[0].span), "\"7.0.0.0/8\"");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_variable_without_value_is_unknown_with_its_name() {
    let main = group_with("var.cidrs", "22");
    let (sources, unit) = one_unit(&[
        ("m/main.tf", &main),
        ("m/v.tf", "variable \"cidrs\" {\n  type = list(string)\n}\n"),
    ]);
    let rule = rule(&unit, "aws_security_group.g.ingress[0]");
    assert_eq!(peers(rule), vec!["?var.cidrs has no value"]);
    assert_eq!(text(&sources, rule.peers[0].span()), "var.cidrs");
}

#[test]
fn locals_templates_and_functions_are_evaluated() {
    let cases: &[(&str, &[&str])] = &[
        (r#"["${local.prefix}.0.0/16"]"#, &["10.1.0.0/16"]),
        (
            "concat(local.private, [local.anywhere])",
            &["10.0.0.0/8", "0.0.0.0/0"],
        ),
        ("[for c in local.private : c if c != \"\"]", &["10.0.0.0/8"]),
        (
            "flatten([local.private, [[local.anywhere]]])",
            &["10.0.0.0/8", "0.0.0.0/0"],
        ),
        (
            "distinct(concat(local.private, local.private))",
            &["10.0.0.0/8"],
        ),
        ("compact([\"\", local.anywhere])", &["0.0.0.0/0"]),
        (
            "values(merge({a = \"1.0.0.0/8\"}, {b = \"2.0.0.0/8\"}))",
            &["1.0.0.0/8", "2.0.0.0/8"],
        ),
        (
            "[lookup(local.by_env, \"prod\", \"9.9.9.9/32\")]",
            &["0.0.0.0/0"],
        ),
        (
            "[lookup(local.by_env, \"dev\", \"9.9.9.9/32\")]",
            &["9.9.9.9/32"],
        ),
        ("[element(local.private, 3)]", &["10.0.0.0/8"]),
        ("[cidrsubnet(\"10.0.0.0/16\", 8, 2)]", &["10.0.2.0/24"]),
        (
            "cidrsubnets(\"10.0.0.0/16\", 4, 8)",
            &["10.0.0.0/20", "10.0.16.0/24"],
        ),
        // The example of Terraform's documentation.
        (
            "cidrsubnets(\"10.1.0.0/16\", 4, 4, 8, 4)",
            &[
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20",
            ],
        ),
        (
            "[cidrsubnet(\"2001:db8::/32\", 16, 1)]",
            &["2001:db8:1::/48"],
        ),
        // Overflowing the address space is an error, not an overflow.
        (
            "cidrsubnets(\"::/0\", 1, 1, 1)",
            &["?cidrsubnets: ::/0 has no room for another /1"],
        ),
        (
            "[\"${cidrhost(\"10.0.0.0/24\", -1)}/32\"]",
            &["10.0.0.255/32"],
        ),
        (
            "[cidrsubnet(\"10.0.0.0/24\", 4, 16)]",
            &["?network number 16 does not fit in 4 bits"],
        ),
        ("[\"${cidrhost(\"10.0.0.0/24\", 5)}/32\"]", &["10.0.0.5/32"]),
        ("[format(\"%s/%d\", \"8.8.8.0\", 24)]", &["8.8.8.0/24"]),
        (
            "formatlist(\"%s/32\", [\"1.1.1.1\", \"2.2.2.2\"])",
            &["1.1.1.1/32", "2.2.2.2/32"],
        ),
        (
            "split(\",\", \"1.0.0.0/8,2.0.0.0/8\")",
            &["1.0.0.0/8", "2.0.0.0/8"],
        ),
        ("[join(\"/\", [\"3.0.0.0\", \"8\"])]", &["3.0.0.0/8"]),
        ("[replace(\"10_0_0_0/8\", \"_\", \".\")]", &["10.0.0.0/8"]),
        ("[trimspace(lower(\" 0.0.0.0/0 \"))]", &["0.0.0.0/0"]),
        (
            "[chomp(\"x\\n\") == \"x\" ? \"1.0.0.0/8\" : \"2.0.0.0/8\"]",
            &["1.0.0.0/8"],
        ),
        (
            "[\"${basename(\"a/b/10.0.0.0\")}/${dirname(\"8/x\")}\"]",
            &["10.0.0.0/8"],
        ),
        (
            "tolist(toset([\"2.0.0.0/8\", \"1.0.0.0/8\", \"2.0.0.0/8\"]))",
            &["1.0.0.0/8", "2.0.0.0/8"],
        ),
        ("coalescelist([], local.private)", &["10.0.0.0/8"]),
        ("[coalesce(\"\", local.anywhere)]", &["0.0.0.0/0"]),
        ("keys(zipmap([\"1.0.0.0/8\"], [1]))", &["1.0.0.0/8"]),
        ("jsondecode(jsonencode(local.private))", &["10.0.0.0/8"]),
        (
            "setunion(local.private, [local.anywhere])",
            &["0.0.0.0/0", "10.0.0.0/8"],
        ),
        (
            "[try(local.by_env.missing, local.anywhere)]",
            &["0.0.0.0/0"],
        ),
        (
            "can(local.by_env.missing) ? [\"1.0.0.0/8\"] : [\"2.0.0.0/8\"]",
            &["2.0.0.0/8"],
        ),
        (
            "length(local.private) + 1 == 2 && !false ? [local.anywhere] : []",
            &["0.0.0.0/0"],
        ),
        (
            "[for k, v in local.by_env : v if k == \"prod\"]",
            &["0.0.0.0/0"],
        ),
        (
            "values({for k, v in local.by_env : upper(k) => v})",
            &["0.0.0.0/0"],
        ),
        (
            "[\"%{if contains(local.private, \"10.0.0.0/8\")}10.9.0.0/16%{else}0.0.0.0/0%{endif}\"]",
            &["10.9.0.0/16"],
        ),
        (
            "[\"%{for p in [\"10\", \"8\"]}${p}.%{endfor}0.0/16\"]",
            &["10.8.0.0/16"],
        ),
        (
            "[\"${tostring(10)}.0.0.0/${tonumber(\"8\")}\"]",
            &["10.0.0.0/8"],
        ),
        ("[local.nets[*].cidr][0]", &["4.0.0.0/8", "5.0.0.0/8"]),
        ("[local.nets.1.cidr]", &["5.0.0.0/8"]),
        (
            "[for i in range(2) : \"1${i}.0.0.0/8\"]",
            &["10.0.0.0/8", "11.0.0.0/8"],
        ),
        (
            "[for pair in setproduct([\"1\"], [\"8\"]) : \"${pair[0]}.0.0.0/${pair[1]}\"]",
            &["1.0.0.0/8"],
        ),
        (
            "[\"${cidrnetmask(\"10.0.0.0/8\")}\" == \"255.0.0.0\" ? \"6.0.0.0/8\" : \"7.0.0.0/8\"]",
            &["6.0.0.0/8"],
        ),
        (
            "[path.module == \"m\" ? \"8.0.0.0/8\" : \"9.0.0.0/8\"]",
            &["8.0.0.0/8"],
        ),
        // Strip markers remove the whitespace next to directives and interpolations.
        (
            "[<<-EOT\n    %{ for p in [\"10\", \"8\"] ~}\n      ${p}.\n    %{~ endfor ~}\n    0.0/16\n    EOT\n]",
            &["10.8.0.0/16"],
        ),
        (
            "[\"a %{~ if true ~}  b  %{~ else ~} x %{~ endif ~} c\" == \"abc\" ? \"1.0.0.0/8\" : \"2.0.0.0/8\"]",
            &["1.0.0.0/8"],
        ),
        // The heredoc is dedented; the CIDR parser trims its final newline.
        ("[<<-EOT\n    0.0.0.0/0\n    EOT\n]", &["0.0.0.0/0"]),
        (
            "[\"0.0.0.0\"]",
            &["?`0.0.0.0` is an address without a prefix length"],
        ),
    ];
    let locals = r#"locals {
  prefix   = "10.1"
  anywhere = "0.0.0.0/0"
  private  = ["10.0.0.0/8"]
  by_env   = { prod = "0.0.0.0/0" }
  nets     = [{ cidr = "4.0.0.0/8" }, { cidr = "5.0.0.0/8" }]
}
"#;
    for (expr, expected) in cases {
        let main = group_with(expr, "22");
        let got = peers_of(&[("m/main.tf", &main), ("m/locals.tf", locals)]);
        assert_eq!(&got, expected, "{expr}");
    }
}

#[test]
fn unknowns_say_what_they_depend_on() {
    let cases = [
        ("[aws_vpc.main.cidr_block]", "10.0.0.0/16"),
        (
            "[aws_subnet.a.cidr_block]",
            "?aws_subnet.a.cidr_block is known only after apply",
        ),
        (
            "[data.aws_vpc.default.cidr_block]",
            "?data.aws_vpc.default is read at apply time",
        ),
        // An argument given to a data source is known.
        ("[data.aws_vpc.given.cidr_block]", "172.16.0.0/16"),
        ("[regex(\"x\", \"y\")]", "?function regex is not evaluated"),
        ("[local.missing]", "?local.missing is not declared"),
        ("[local.loop]", "?local.loop refers to itself"),
        (
            "var.flag ? [\"0.0.0.0/0\"] : []",
            "?the condition is unknown: var.flag has no value",
        ),
    ];
    let others = r#"
variable "flag" { type = bool }
locals { loop = local.loop }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "a" { vpc_id = aws_vpc.main.id }
data "aws_vpc" "default" { default = true }
data "aws_vpc" "given" { cidr_block = "172.16.0.0/16" }
"#;
    for (expr, expected) in cases {
        let main = group_with(expr, "22");
        let got = peers_of(&[("m/main.tf", &main), ("m/other.tf", others)]);
        assert_eq!(got, vec![expected.to_owned()], "{expr}");
    }
}

/// The port an expression gives a rule: a number, `null` for no port, or `?reason`.
fn port_of(port: &str, others: &str) -> String {
    let main = group_with("[\"0.0.0.0/0\"]", port);
    let (_, unit) = one_unit(&[("m/main.tf", &main), ("m/other.tf", others)]);
    match &rule(&unit, "aws_security_group.g.ingress[0]").from_port {
        None => "null".to_owned(),
        Some(value) => show(value),
    }
}

#[test]
fn try_and_can_catch_errors_by_kind_and_keep_unknowns() {
    let others = r#"
variable "unset" {}
variable "rules" { default = { all = { ip_protocol = "-1" } } }
"#;
    let fallbacks = [
        ("try(coalesce(null, null), 22)", "22"),
        ("try(element([], 0), 22)", "22"),
        ("try(one([1, 2]), 22)", "22"),
        ("try(index([\"a\"], \"b\"), 22)", "22"),
        ("try(length(coalescelist([], [])), 5)", "5"),
        ("try(length(split(\",\", null)), 5)", "5"),
        ("try(max([]...), 22)", "22"),
        ("try(jsondecode(\"x\"), 22)", "22"),
        ("try(var.rules.all.from_port, 22)", "22"),
        (
            "try(coalesce(lookup(var.rules.all, \"from_port\", null), lookup(var.rules.all, \"to_port\", null)), 22)",
            "22",
        ),
        ("try(local.missing + 1, 22)", "22"),
        ("can(one([1, 2])) ? 1 : 22", "22"),
        ("can(jsondecode(\"x\")) ? 1 : 22", "22"),
        ("can(element([80], 0)) ? 80 : 22", "80"),
        // A failure computed from an unknown input may go away once it is known.
        ("try(element(var.unset, 0), 22)", "?var.unset has no value"),
        ("try(var.unset + 1, 22)", "?var.unset has no value"),
        (
            "can(lookup(var.unset, \"port\")) ? 1 : 22",
            "?the condition is unknown: var.unset has no value",
        ),
        // A function that is not evaluated is unknown, not an error.
        (
            "try(parseint(\"16\", 10), 22)",
            "?function parseint is not evaluated",
        ),
        // Every argument fails: the whole is an error, still unknown to the checks.
        (
            "try(element([], 0), one([1, 2]))",
            "?no argument of try could be evaluated",
        ),
    ];
    for (expr, expected) in fallbacks {
        assert_eq!(port_of(expr, others), expected, "{expr}");
    }
}

#[test]
fn a_known_element_stays_visible_beside_an_unknown_list() {
    let main = group_with("concat(var.extra, [\"0.0.0.0/0\"])", "22");
    let got = peers_of(&[("m/main.tf", &main), ("m/v.tf", "variable \"extra\" {}")]);
    assert_eq!(got, vec!["?var.extra has no value", "0.0.0.0/0"]);
}

#[test]
fn runaway_evaluation_is_cut_and_reported() {
    let main = group_with("[for i in range(100000) : \"10.0.0.0/8\"]", "22");
    let (_, unit) = one_unit(&[("m/main.tf", &main)]);
    assert!(
        unit.problems
            .iter()
            .any(|problem| problem.message.contains("evaluation limit")),
        "{:?}",
        unit.problems
    );
    let first = rule(&unit, "aws_security_group.g.ingress[0]");
    assert!(matches!(&first.peers[0], Peer::Cidr(Value::Unknown { .. })));

    // Deeply nested locals hit the depth limit instead of the stack.
    let mut locals = String::from("locals {\n  l0 = \"10.0.0.0/8\"\n");
    for index in 1..400 {
        locals.push_str(&format!("  l{index} = local.l{}\n", index - 1));
    }
    locals.push_str("}\n");
    let main = group_with("[local.l399]", "22");
    let (_, unit) = one_unit(&[("m/main.tf", &main), ("m/locals.tf", &locals)]);
    assert!(
        unit.problems
            .iter()
            .any(|problem| problem.message.contains("nested")),
        "{:?}",
        unit.problems
    );

    let main = group_with(
        "[\"${join(\"\", [for i in range(9000) : \"0123456789012345678901234567890123456789\"])}\"]",
        "22",
    );
    let (_, unit) = one_unit(&[("m/main.tf", &main)]);
    let long = rule(&unit, "aws_security_group.g.ingress[0]");
    assert!(matches!(&long.peers[0], Peer::Cidr(Value::Unknown { .. })));
}

#[test]
fn computed_values_keep_the_traces_of_their_arguments() {
    let main = group_with("split(\",\", var.csv)", "22");
    let (sources, unit) = one_unit(&[
        ("m/main.tf", &main),
        ("m/v.tf", "variable \"csv\" {}"),
        ("m/terraform.tfvars", "csv = \"10.0.0.0/8,0.0.0.0/0\"\n"),
    ]);
    let rule = rule(&unit, "aws_security_group.g.ingress[0]");
    assert_eq!(peers(rule), vec!["10.0.0.0/8", "0.0.0.0/0"]);
    let Peer::Cidr(world) = &rule.peers[1] else {
        panic!()
    };
    assert!(text(&sources, world.span()).starts_with("split("));
    assert_eq!(sources.path(world.via()[0].span.file), "m/terraform.tfvars");
    assert!(world.via()[0].note.starts_with("var.csv = "));
}

#[test]
fn copying_huge_values_is_bounded() {
    let locals = r#"locals {
  chunk = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
  big   = join("", [for i in range(9000) : local.chunk])
  many  = [for i in range(2000) : local.big]
}
"#;
    let main = group_with("[length(local.many) > 0 ? \"10.0.0.0/8\" : \"\"]", "22");
    let (_, unit) = one_unit(&[("m/main.tf", &main), ("m/locals.tf", locals)]);
    assert!(
        unit.problems
            .iter()
            .any(|problem| problem.message.contains("MiB of values copied")),
        "{:?}",
        unit.problems
    );
}

#[test]
fn variable_types_fill_optional_attributes_and_convert_primitives() {
    let (_, unit) = one_unit(&[(
        "m/main.tf",
        r#"
variable "rules" {
  type = map(object({
    port     = optional(number, 22)
    cidrs    = optional(list(string), ["0.0.0.0/0"])
    protocol = optional(string)
  }))
  default = {
    ssh = {}
    db  = { port = "5432", cidrs = ["10.0.0.0/8"] }
  }
}
variable "nothing" {
  type    = list(string)
  default = null
}
resource "aws_security_group_rule" "r" {
  for_each          = var.rules
  type              = "ingress"
  protocol          = coalesce(each.value.protocol, "tcp")
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_blocks       = each.value.port == 22 ? each.value.cidrs : concat(each.value.cidrs, var.nothing == null ? [] : var.nothing)
  security_group_id = "sg-1"
}
"#,
    )]);
    assert!(unit.problems.is_empty(), "{:?}", unit.problems);
    let ssh = rule(&unit, r#"aws_security_group_rule.r["ssh"]"#);
    assert_eq!(ports(ssh), (Some(22), Some(22)));
    assert_eq!(peers(ssh), vec!["0.0.0.0/0"]);
    assert_eq!(show(&ssh.protocol), "tcp");
    let db = rule(&unit, r#"aws_security_group_rule.r["db"]"#);
    assert_eq!(ports(db), (Some(5432), Some(5432)));
    assert_eq!(peers(db), vec!["10.0.0.0/8"]);
}
