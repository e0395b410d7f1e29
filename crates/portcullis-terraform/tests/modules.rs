//! Modules: local sources with their inputs, outputs, nesting, cycles, installed modules,
//! unresolved sources, and which directories are root modules.

mod common;
use common::*;

use portcullis_ir::Peer;
use portcullis_terraform::Options;

const SG_MODULE: &str = r#"
variable "cidrs" { default = [] }
variable "port" { default = 22 }
resource "aws_security_group" "this" {
  name = "sg"
}
resource "aws_security_group_rule" "in" {
  type              = "ingress"
  protocol          = "tcp"
  from_port         = var.port
  to_port           = var.port
  cidr_blocks       = var.cidrs
  security_group_id = aws_security_group.this.id
}
output "id" { value = aws_security_group.this.id }
"#;

#[test]
fn a_local_module_is_evaluated_with_its_arguments() {
    let (sources, units) = run(&[
        (
            "r/main.tf",
            r#"module "web_sg" {
  source = "./modules/sg"
  cidrs  = ["0.0.0.0/0"]
}

resource "aws_instance" "web" {
  associate_public_ip_address = true
  vpc_security_group_ids      = [module.web_sg.id]
}
"#,
        ),
        ("r/modules/sg/main.tf", SG_MODULE),
    ]);
    // The module directory is not a root module of its own.
    assert_eq!(units.len(), 1);
    let unit = &units[0];
    assert_eq!(unit.name, "r");
    let rule = rule(unit, "module.web_sg.aws_security_group_rule.in");
    assert_eq!(show(&rule.group), "module.web_sg.aws_security_group.this");
    assert_eq!(peers(rule), vec!["0.0.0.0/0"]);
    let Peer::Cidr(value) = &rule.peers[0] else {
        panic!()
    };
    assert_eq!(sources.path(value.span().file), "r/modules/sg/main.tf");
    assert_eq!(text(&sources, value.span()), "var.cidrs");
    // The trace points at the root module's argument.
    let trace = &value.via()[0];
    assert_eq!(sources.path(trace.span.file), "r/main.tf");
    assert_eq!(line(&sources, trace.span), 3);
    assert!(
        trace.note.contains("argument of module.web_sg"),
        "{}",
        trace.note
    );
    // Outputs flow back: the instance uses the module's group.
    let attachment = &unit.inventory.attachments[0];
    assert_eq!(
        show(&attachment.groups[0]),
        "module.web_sg.aws_security_group.this"
    );
}

#[test]
fn nested_modules_with_count_and_for_each_prefix_addresses() {
    let (_, units) = run(&[
        (
            "r/main.tf",
            r#"module "outer" {
  source   = "./outer"
  for_each = { a = 22, b = 3389 }
  port     = each.value
}
"#,
        ),
        (
            "r/outer/main.tf",
            r#"variable "port" {}
module "inner" {
  count  = 1
  source = "../sg"
  port   = var.port
  cidrs  = ["0.0.0.0/0"]
}
"#,
        ),
        ("r/sg/main.tf", SG_MODULE),
    ]);
    assert_eq!(units.len(), 1);
    let unit = &units[0];
    let id = r#"module.outer["b"].module.inner[0].aws_security_group_rule.in"#;
    assert_eq!(ports(rule(unit, id)), (Some(3389), Some(3389)));
    assert_eq!(
        show(&rule(unit, id).group),
        r#"module.outer["b"].module.inner[0].aws_security_group.this"#
    );
}

#[test]
fn module_cycles_stop_and_are_reported() {
    let (_, units) = run(&[
        (
            "a/main.tf",
            "module \"b\" { source = \"../b\" }\nresource \"aws_security_group\" \"a\" {}\n",
        ),
        (
            "b/main.tf",
            "module \"a\" { source = \"../a\" }\nresource \"aws_security_group\" \"b\" {}\n",
        ),
    ]);
    // Each directory calls the other: no directory is uncalled, so both are roots.
    let names: Vec<&str> = units.iter().map(|unit| unit.name.as_str()).collect();
    assert_eq!(names, vec!["a", "b"]);
    let a = &units[0];
    let groups: Vec<&str> = a
        .inventory
        .security_groups
        .iter()
        .map(|group| group.id.as_str())
        .collect();
    assert_eq!(
        groups,
        vec!["aws_security_group.a", "module.b.aws_security_group.b"]
    );
    assert!(
        a.inventory
            .unresolved
            .iter()
            .any(|item| item.subject == "module.b.module.a" && item.reason.contains("cycle"))
    );
}

#[test]
fn a_cycle_beside_a_root_is_still_analysed() {
    let (_, units) = run(&[
        ("root/main.tf", "resource \"aws_security_group\" \"r\" {}\n"),
        ("x/main.tf", "module \"y\" { source = \"../y\" }\n"),
        ("y/main.tf", "module \"x\" { source = \"../x\" }\n"),
    ]);
    let names: Vec<&str> = units.iter().map(|unit| unit.name.as_str()).collect();
    assert_eq!(names, vec!["root", "x", "y"]);
}

#[test]
fn registry_modules_need_terraform_init() {
    let (sources, unit) = one_unit(&[(
        "r/main.tf",
        "module \"sg\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.0.0\"\n}\n",
    )]);
    let item = &unit.inventory.unresolved[0];
    assert_eq!(item.subject, "module.sg");
    assert!(item.reason.contains("modules.json"), "{}", item.reason);
    // Both ways out are named.
    assert!(item.reason.contains("terraform init"), "{}", item.reason);
    assert!(
        item.reason.contains("run terraform init"),
        "{}",
        item.reason
    );
    assert_eq!(text(&sources, item.span), "\"sg\"");
}

#[test]
fn installed_modules_are_read_from_modules_json_and_registered() {
    let root = std::env::temp_dir().join(format!("portcullis-tf-installed-{}", std::process::id()));
    let installed = root.join(".terraform/modules/sg");
    std::fs::create_dir_all(&installed).unwrap();
    std::fs::write(
        root.join(".terraform/modules/modules.json"),
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"sg","Source":"registry.terraform.io/x/sg/aws","Dir":".terraform/modules/sg"}]}"#,
    )
    .unwrap();
    std::fs::write(installed.join("main.tf"), SG_MODULE).unwrap();
    let main = root.join("main.tf");
    let main_text = "module \"sg\" {\n  source = \"x/sg/aws\"\n  cidrs  = [\"0.0.0.0/0\"]\n  port   = 3306\n}\n";
    let main_path = main.to_string_lossy().into_owned();
    let (sources, units) = run(&[(main_path.as_str(), main_text)]);
    let unit = &units[0];
    let rule = rule(unit, "module.sg.aws_security_group_rule.in");
    assert_eq!(ports(rule), (Some(3306), Some(3306)));
    assert_eq!(peers(rule), vec!["0.0.0.0/0"]);
    // The module file was added to the source map, so its spans resolve.
    assert!(
        sources
            .path(rule.span.file)
            .ends_with(".terraform/modules/sg/main.tf")
    );
    assert!(text(&sources, rule.span).starts_with("resource"));
    std::fs::remove_dir_all(root).ok();
}

#[test]
fn sources_outside_the_scan_roots_are_not_followed_unless_allowed() {
    let files = [
        (
            "repo/app/main.tf",
            "module \"sg\" {\n  source = \"../shared\"\n  cidrs  = [\"0.0.0.0/0\"]\n}\n",
        ),
        ("repo/shared/main.tf", SG_MODULE),
    ];
    let restricted = Options {
        scan_roots: vec!["repo/app".into()],
        ..Options::default()
    };
    let (_, units) = run_with(&files, &restricted);
    let app = units.iter().find(|unit| unit.name == "repo/app").unwrap();
    assert!(app.inventory.rules.is_empty());
    assert!(
        app.inventory.unresolved[0]
            .reason
            .contains("outside the scanned paths")
    );
    let allowed = Options {
        allow_outside_root: true,
        ..restricted
    };
    let (_, units) = run_with(&files, &allowed);
    let app = units.iter().find(|unit| unit.name == "repo/app").unwrap();
    assert_eq!(rule_ids(app), vec!["module.sg.aws_security_group_rule.in"]);
}

#[test]
fn units_are_one_per_root_module_sorted_by_name() {
    let (_, units) = run(&[
        ("z/main.tf", "resource \"aws_security_group\" \"z\" {}"),
        ("a/main.tf", "resource \"aws_security_group\" \"a\" {}"),
        ("a/terraform.tfvars", "x = 1"),
        ("m/only.tfvars", "x = 1"),
    ]);
    let names: Vec<&str> = units.iter().map(|unit| unit.name.as_str()).collect();
    assert_eq!(names, vec!["a", "z"]);
}

#[test]
fn diamonds_of_modules_are_bounded() {
    // Every level calls the next one ten times: 10^9 instances if nothing stopped it.
    let mut files: Vec<(String, String)> = Vec::new();
    for level in 0..9 {
        let calls: String = (0..10)
            .map(|index| format!("module \"m{index}\" {{ source = \"../l{}\" }}\n", level + 1))
            .collect();
        files.push((format!("l{level}/main.tf"), calls));
    }
    files.push((
        "l9/main.tf".to_owned(),
        "resource \"aws_security_group\" \"leaf\" {}\n".to_owned(),
    ));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let (_, units) = run(&borrowed);
    assert_eq!(units.len(), 1);
    let unit = &units[0];
    assert!(
        unit.problems
            .iter()
            .any(|problem| problem.message.contains("evaluation limit")),
        "{:?}",
        unit.problems
    );
    assert!(unit.inventory.security_groups.len() < 100_000);
}

#[test]
fn outputs_of_module_instances_are_selected_by_key() {
    let (_, unit) = one_unit(&[
        (
            "r/main.tf",
            r#"module "sg" {
  source = "./sg"
  count  = 2
  port   = 22
}
module "named" {
  source   = "./sg"
  for_each = { a = 1 }
}
resource "aws_instance" "i" {
  vpc_security_group_ids = concat([module.sg[1].id], module.sg[*].id, [module.named["a"].id])
}
"#,
        ),
        ("r/sg/main.tf", SG_MODULE),
    ]);
    let groups: Vec<String> = unit.inventory.attachments[0]
        .groups
        .iter()
        .map(show)
        .collect();
    assert_eq!(
        groups,
        vec![
            "module.sg[1].aws_security_group.this",
            "module.sg[0].aws_security_group.this",
            "module.sg[1].aws_security_group.this",
            r#"module.named["a"].aws_security_group.this"#,
        ]
    );
}

#[test]
fn a_directory_read_from_disk_is_registered_once_for_all_roots() {
    let root = std::env::temp_dir().join(format!("portcullis-tf-shared-{}", std::process::id()));
    let shared = root.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::write(shared.join("main.tf"), SG_MODULE).unwrap();
    std::fs::write(shared.join("broken.tf"), "resource \"x\" \"y\" {\n").unwrap();
    let call = "module \"sg\" {\n  source = \"../shared\"\n  cidrs  = [\"0.0.0.0/0\"]\n}\n";
    let a = root.join("a/main.tf").to_string_lossy().into_owned();
    let b = root.join("b/main.tf").to_string_lossy().into_owned();
    let (sources, units) = run(&[(a.as_str(), call), (b.as_str(), call)]);
    assert_eq!(units.len(), 2);
    let problems: usize = units.iter().map(|unit| unit.problems.len()).sum();
    assert_eq!(problems, 1, "the broken module file is reported once");
    let module_files = sources
        .files()
        .iter()
        .filter(|file| file.path.contains("/shared/"))
        .count();
    assert_eq!(module_files, 2, "main.tf and broken.tf, each added once");
    // Registered at the normalised path, whichever root reads it first.
    let main = shared.join("main.tf").to_string_lossy().into_owned();
    assert!(
        sources.files().iter().any(|file| file.path == main),
        "{:?}",
        sources
            .files()
            .iter()
            .map(|file| file.path.clone())
            .collect::<Vec<_>>()
    );
    for unit in &units {
        assert_eq!(rule_ids(unit), vec!["module.sg.aws_security_group_rule.in"]);
    }
    std::fs::remove_dir_all(root).ok();
}

#[test]
fn override_files_merge_into_the_blocks_they_match() {
    let (sources, unit) = one_unit(&[
        (
            "r/main.tf",
            r#"variable "port" { default = 22 }
locals { cidr = "0.0.0.0/0" }
resource "aws_security_group" "web" {
  name        = "web"
  description = "original"
  ingress {
    protocol    = "tcp"
    from_port   = var.port
    to_port     = var.port
    cidr_blocks = [local.cidr]
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#,
        ),
        (
            "r/override.tf",
            r#"variable "port" { default = 3389 }
locals { cidr = "10.0.0.0/8" }
resource "aws_security_group" "web" {
  description = "overridden"
  ingress {
    protocol    = "tcp"
    from_port   = var.port
    to_port     = var.port
    cidr_blocks = [local.cidr, "192.168.0.0/16"]
  }
}
"#,
        ),
        (
            "r/z_override.tf",
            "resource \"aws_security_group\" \"web\" {\n  description = \"last\"\n}\n",
        ),
    ]);
    // One group, not three: the override blocks are merged, not declared again.
    assert_eq!(unit.inventory.security_groups.len(), 1);
    let group = &unit.inventory.security_groups[0];
    assert_eq!(show(group.name.as_ref().unwrap()), "web");
    assert_eq!(show(group.description.as_ref().unwrap()), "last");
    assert_eq!(sources.path(group.span.file), "r/main.tf");
    // The override's ingress blocks replace the original's; its egress stays.
    assert_eq!(
        rule_ids(&unit),
        vec![
            "aws_security_group.web.ingress[0]",
            "aws_security_group.web.egress[0]"
        ]
    );
    let ingress = rule(&unit, "aws_security_group.web.ingress[0]");
    assert_eq!(peers(ingress), vec!["10.0.0.0/8", "192.168.0.0/16"]);
    assert_eq!(ports(ingress), (Some(3389), Some(3389)));
    assert_eq!(sources.path(ingress.span.file), "r/override.tf");
}

#[test]
fn an_installed_module_file_that_is_not_utf8_is_reported() {
    let root = std::env::temp_dir().join(format!(
        "portcullis-tf-binary-module-{}",
        std::process::id()
    ));
    let installed = root.join(".terraform/modules/sg");
    std::fs::create_dir_all(&installed).unwrap();
    std::fs::write(
        root.join(".terraform/modules/modules.json"),
        r#"{"Modules":[{"Key":"sg","Source":"registry.terraform.io/x/sg/aws","Dir":".terraform/modules/sg"}]}"#,
    )
    .unwrap();
    std::fs::write(installed.join("main.tf"), SG_MODULE).unwrap();
    std::fs::write(
        installed.join("broken.tf"),
        b"resource \"x\" \"y\" {\n  a = \"\xff\xfe\"\n}\n",
    )
    .unwrap();
    let main = root.join("main.tf").to_string_lossy().into_owned();
    let (sources, units) = run(&[(
        main.as_str(),
        "module \"sg\" {\n  source = \"x/sg/aws\"\n}\n",
    )]);
    let problems: Vec<_> = units.iter().flat_map(|unit| &unit.problems).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("not valid UTF-8"),
        "{}",
        problems[0].message
    );
    assert!(sources.path(problems[0].span.file).ends_with("broken.tf"));
    // The module's other file is still analysed.
    assert!(
        units[0]
            .inventory
            .rules
            .iter()
            .any(|rule| rule.id == "module.sg.aws_security_group_rule.in")
    );
    std::fs::remove_dir_all(root).ok();
}

#[test]
fn a_scanned_module_called_by_two_roots_is_shared_and_its_problem_reported_once() {
    let call = "module \"sg\" {\n  source = \"../shared\"\n  cidrs  = [\"0.0.0.0/0\"]\n}\n";
    let files = [
        ("a/main.tf", call),
        ("b/main.tf", call),
        ("shared/main.tf", SG_MODULE),
        ("shared/broken.tf", "resource \"x\" \"y\" {\n"),
    ];
    let (_, units) = run(&files);
    let names: Vec<&str> = units.iter().map(|unit| unit.name.as_str()).collect();
    assert_eq!(names, ["a", "b"], "the called directory is not a root");
    for unit in &units {
        assert_eq!(
            peers(rule(unit, "module.sg.aws_security_group_rule.in")),
            vec!["0.0.0.0/0"]
        );
    }
    let problems: usize = units.iter().map(|unit| unit.problems.len()).sum();
    assert_eq!(problems, 1, "the broken module file is reported once");

    // Unit by unit, each root that loads the module carries its problem.
    let sources = portcullis_ir::SourceMap::new();
    let added: Vec<_> = files
        .iter()
        .map(|(path, text)| sources.add(*path, *text))
        .collect();
    let mut seen =
        portcullis_terraform::analyze_each(&added, &sources, &Options::default(), |unit| {
            (unit.name, unit.problems.len(), unit.inventory.rules.len())
        });
    seen.sort();
    assert_eq!(seen, [("a".to_owned(), 1, 1), ("b".to_owned(), 1, 1)]);
}

#[test]
fn a_module_call_spelled_with_json_escapes_is_still_a_call() {
    // `\u006dodule` is `module`: the file never spells the word, yet it calls ./sg.
    let (_, units) = run(&[
        (
            "r/main.tf.json",
            r#"{"\u006dodule": {"web": {"source": "./sg", "cidrs": ["0.0.0.0/0"]}}}"#,
        ),
        ("r/sg/main.tf", SG_MODULE),
    ]);
    assert_eq!(units.len(), 1, "r/sg is a module, not a root");
    assert_eq!(
        peers(rule(&units[0], "module.web.aws_security_group_rule.in")),
        vec!["0.0.0.0/0"]
    );
}

#[test]
fn a_directory_no_root_reads_still_reports_its_problems() {
    let (sources, units) = run(&[
        ("r/main.tf", "resource \"aws_security_group\" \"sg\" {}\n"),
        ("vars/prod.tfvars", "cidrs = [\n"),
    ]);
    let names: Vec<&str> = units.iter().map(|unit| unit.name.as_str()).collect();
    assert_eq!(names, ["r", "vars"]);
    assert!(units[0].problems.is_empty());
    assert_eq!(units[1].problems.len(), 1);
    assert_eq!(
        sources.path(units[1].problems[0].span.file),
        "vars/prod.tfvars"
    );
}
