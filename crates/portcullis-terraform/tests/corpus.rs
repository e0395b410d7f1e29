//! Robustness over the real-world corpus in `../shared/corpus/realworld` (skipped when the
//! corpus is absent): nothing panics, and the terraform-aws-modules/security-group examples
//! evaluate to their public SSH and HTTP rules.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use portcullis_ir::{Peer, SourceMap, Unit, Value};
use portcullis_terraform::{Options, analyze, is_terraform_file};

fn corpus() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/realworld");
    path.is_dir().then_some(path)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, out);
        } else if is_terraform_file(&path) {
            out.push(path);
        }
    }
}

fn scan(root: &Path) -> (SourceMap, Vec<Unit>, usize) {
    let mut paths = Vec::new();
    walk(root, &mut paths);
    let sources = SourceMap::new();
    let files: Vec<Arc<_>> = paths
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            Some(sources.add(path.to_string_lossy(), text))
        })
        .collect();
    let options = Options {
        scan_roots: vec![root.to_path_buf()],
        ..Options::default()
    };
    let units = analyze(&files, &sources, &options);
    (sources, units, files.len())
}

#[test]
fn corpus_never_panics_and_reports_its_figures() {
    let Some(root) = corpus() else {
        eprintln!("corpus absent, skipped");
        return;
    };
    let started = std::time::Instant::now();
    let (sources, units, files) = scan(&root);
    let problems: Vec<_> = units.iter().flat_map(|unit| &unit.problems).collect();
    let rules: usize = units.iter().map(|unit| unit.inventory.rules.len()).sum();
    eprintln!(
        "corpus: {files} files, {} units, {rules} rules, {} problems, {:?}",
        units.len(),
        problems.len(),
        started.elapsed()
    );
    for problem in &problems {
        let location = sources.location(problem.span.file, problem.span.start);
        eprintln!(
            "  {}:{}: {}",
            sources.path(problem.span.file),
            location.line,
            problem.message
        );
    }
    assert!(
        files > 500,
        "the corpus should hold hundreds of Terraform files"
    );
    assert!(rules > 100);
}

/// Whether a unit has a rule opening `port` over tcp to 0.0.0.0/0.
fn opens_to_world(unit: &Unit, port: i64) -> bool {
    unit.inventory.rules.iter().any(|rule| {
        let ports = (
            rule.from_port.as_ref().and_then(|value| value.known_value().copied()),
            rule.to_port.as_ref().and_then(|value| value.known_value().copied()),
        );
        let world = rule.peers.iter().any(|peer| {
            matches!(peer, Peer::Cidr(Value::Known { value, .. }) if value.to_string() == "0.0.0.0/0")
        });
        world && matches!(ports, (Some(from), Some(to)) if from <= port && port <= to)
    })
}

#[test]
fn security_group_module_examples_yield_public_ssh_and_http() {
    let Some(root) = corpus() else {
        eprintln!("corpus absent, skipped");
        return;
    };
    let (_, units, _) = scan(&root.join("terraform-aws-modules+terraform-aws-security-group"));
    let unit = |suffix: &str| {
        units
            .iter()
            .find(|unit| unit.name.ends_with(suffix))
            .unwrap_or_else(|| {
                panic!(
                    "no unit {suffix}: {:?}",
                    units.iter().map(|unit| &unit.name).collect::<Vec<_>>()
                )
            })
    };
    // http: `ingress_cidr_blocks = ["0.0.0.0/0"]` given to the http-80 module.
    let http = unit("examples/http");
    assert!(
        opens_to_world(http, 80),
        "http example opens 80 to the world"
    );
    let rule = http
        .inventory
        .rules
        .iter()
        .find(|rule| rule.id == "module.http_sg.module.sg.aws_security_group_rule.ingress_rules[0]")
        .expect("the http-80 rule");
    let Some(Peer::Cidr(world)) = rule.peers.first() else {
        panic!("a CIDR peer")
    };
    // The value came from the root module's argument: a trace points at examples/http/main.tf.
    assert!(
        world
            .via()
            .iter()
            .any(|trace| trace.note.contains("argument of module.http_sg"))
    );
    assert!(
        opens_to_world(unit("examples/computed"), 3306),
        "computed example opens MySQL"
    );
    assert!(
        opens_to_world(unit("examples/complete"), 5432),
        "complete example opens PostgreSQL"
    );
    assert!(
        !opens_to_world(unit("examples/complete"), 22),
        "its SSH rule is for 10.10.0.0/16 only"
    );
}

/// Every 7th corpus file, cut at a third and at two thirds (on a character boundary), with and
/// without a BOM: broken input yields problems, never a panic.
#[test]
fn truncated_corpus_files_never_panic() {
    let Some(root) = corpus() else {
        eprintln!("corpus absent, skipped");
        return;
    };
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    let sources = SourceMap::new();
    let mut files = Vec::new();
    for (index, path) in paths.iter().enumerate().filter(|(index, _)| index % 7 == 0) {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for (part, cut) in [text.len() / 3, text.len() * 2 / 3].into_iter().enumerate() {
            let mut cut = cut;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bom = if part == 0 { "\u{feff}" } else { "" };
            let body = format!("{bom}{}", &text[..cut]);
            files.push(sources.add(format!("cut/{index}-{part}/{name}"), body));
        }
    }
    let units = analyze(&files, &sources, &Options::default());
    let problems: usize = units.iter().map(|unit| unit.problems.len()).sum();
    eprintln!(
        "truncated: {} files, {} units, {problems} problems",
        files.len(),
        units.len()
    );
    assert!(problems > 0);
}
