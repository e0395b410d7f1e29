//! Template detection, invalid input, limits, and the `--cfn-parameters` file.

mod common;

use common::{analyse, analyse_with};
use portcullis_cloudformation::{Options, is_candidate, parse_parameters_file};
use std::path::Path;

fn skipped(path: &str, text: &str) -> bool {
    analyse_with(path, text, &Options::default()).is_none()
}

#[test]
fn candidates_by_extension() {
    for path in ["a.json", "b.yaml", "c.YML", "d.template"] {
        assert!(is_candidate(Path::new(path)), "{path}");
    }
    for path in ["main.tf", "README.md", "yaml", "x.tfvars"] {
        assert!(!is_candidate(Path::new(path)), "{path}");
    }
}

#[test]
fn non_templates_are_skipped_silently() {
    let workflow = "name: ci\non:\n  push:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";
    let manifest = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: LoadBalancer\n  ports:\n    - port: 22\n---\napiVersion: v1\nkind: ConfigMap\n";
    let package = r#"{"name": "app", "version": "1.0.0", "scripts": {"test": "jest"}}"#;
    let helm_values = "Resources:\n  limits:\n    cpu: 100m\n";
    assert!(skipped(".github/workflows/ci.yml", workflow));
    assert!(skipped("k8s/service.yaml", manifest));
    assert!(skipped("package.json", package));
    assert!(skipped("values.yaml", helm_values));
    assert!(skipped("empty.yaml", ""));
    assert!(skipped("list.json", "[1, 2]"));
    // Broken files that do not mention CloudFormation are not ours either.
    assert!(skipped("broken.yaml", "a: [1, 2\n"));
}

#[test]
fn templates_are_detected_by_content() {
    let without_version = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";
    assert!(!skipped("x.yml", without_version));
    let json_template = r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}"#;
    assert!(!skipped("x.template", json_template));
    let yaml_template = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n";
    assert!(!skipped("x.template", yaml_template));
}

#[test]
fn invalid_templates_are_problems_with_a_position() {
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n    Properties: [oops\n";
    let analysed = analyse("bad.yaml", text);
    let problem = &analysed.unit.problems[0];
    assert!(
        problem.message.starts_with("invalid YAML: "),
        "{}",
        problem.message
    );
    assert!(analysed.line(problem.span) >= 5);

    let text = "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {},\n}\n";
    let analysed = analyse("bad.json", text);
    let problem = &analysed.unit.problems[0];
    assert!(
        problem.message.starts_with("invalid JSON: "),
        "{}",
        problem.message
    );
    let location = analysed.location(problem.span);
    assert_eq!((location.line, location.column), (3, 18));
}

#[test]
fn billion_laughs_template_is_rejected_with_a_clear_message() {
    let mut text = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 10].join(", ");
        text.push_str(&format!("  {}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    let started = std::time::Instant::now();
    let analysed = analyse("laughs.yaml", &text);
    assert!(started.elapsed().as_millis() < 2000);
    assert_eq!(analysed.unit.problems.len(), 1);
    assert!(analysed.unit.problems[0].message.contains("billion-laughs"));
}

#[test]
fn duplicate_keys_are_reported_and_the_later_value_wins() {
    let text = "Resources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: a\n      GroupDescription: b\n";
    let analysed = analyse("dup.yaml", text);
    assert!(analysed.unit.problems.is_empty());
    let unresolved = &analysed.unit.inventory.unresolved[0];
    assert_eq!(
        unresolved.subject,
        "the earlier value of duplicate key GroupDescription (line 5)"
    );
    assert!(
        unresolved.reason.contains("later value (line 6)"),
        "{}",
        unresolved.reason
    );
    assert_eq!(analysed.line(unresolved.span), 5);
    let group = analysed.unit.inventory.group("SG").expect("SG");
    assert_eq!(
        group
            .description
            .as_ref()
            .and_then(|d| d.known_value())
            .map(String::as_str),
        Some("b")
    );
}

#[test]
fn parameters_files_in_both_formats() {
    let cli = r#"[{"ParameterKey": "Cidr", "ParameterValue": "10.0.0.0/8"},
                  {"ParameterKey": "Port", "ParameterValue": 22},
                  {"ParameterKey": "Old", "UsePreviousValue": true}]"#;
    assert_eq!(
        parse_parameters_file(cli),
        Ok(vec![
            ("Cidr".to_owned(), "10.0.0.0/8".to_owned()),
            ("Port".to_owned(), "22".to_owned())
        ])
    );
    let pipeline = r#"{"Parameters": {"Cidr": "10.0.0.0/8"}, "Tags": {}}"#;
    assert_eq!(
        parse_parameters_file(pipeline),
        Ok(vec![("Cidr".to_owned(), "10.0.0.0/8".to_owned())])
    );
    let deploy = r#"["Cidr=10.0.0.0/8"]"#;
    assert_eq!(
        parse_parameters_file(deploy),
        Ok(vec![("Cidr".to_owned(), "10.0.0.0/8".to_owned())])
    );
    assert!(parse_parameters_file("{").is_err());
    assert!(parse_parameters_file(r#"[{"ParameterKey": "x"}]"#).is_err());
    assert!(parse_parameters_file(r#"{"Other": 1}"#).is_err());
}

#[test]
fn truncated_and_mangled_templates_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cloudformation");
    for name in [
        "condition.yaml",
        "ssh_open_long_forms.json",
        "parameters.yaml",
    ] {
        let text = std::fs::read_to_string(dir.join(name)).expect("fixture");
        let cuts = text.char_indices().map(|(at, _)| at);
        for cut in cuts {
            let _ = analyse_with(name, &text[..cut], &Options::default());
            // The same text with one character dropped: unbalanced brackets, broken tags.
            let mut mangled = text.clone();
            mangled.remove(cut);
            let _ = analyse_with(name, &mangled, &Options::default());
        }
    }
}

#[test]
fn huge_mappings_stay_fast() {
    let mut text = String::from("AWSTemplateFormatVersion: '2010-09-09'\nMappings:\n  Big:\n");
    for index in 0..50_000 {
        text.push_str(&format!("    k{index}: {{v: {index}}}\n"));
    }
    text.push_str("Resources:\n");
    for index in 0..2_000 {
        text.push_str(&format!(
            "  SG{index}:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: !Ref SG{}\n",
            (index + 1) % 2_000
        ));
    }
    let started = std::time::Instant::now();
    let analysed = analyse("big.yaml", &text);
    assert_eq!(analysed.unit.inventory.security_groups.len(), 2_000);
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
}
