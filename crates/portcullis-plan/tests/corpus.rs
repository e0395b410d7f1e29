//! Every real plan of `../shared/corpus/plans/` (Terraform 0.12, 1.4 and 1.9, read in place,
//! never copied) is read without a problem; skipped when the corpus is absent. Figures:
//! `cargo test --release -p portcullis-plan --test corpus -- --nocapture`.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{analyze_text, workspace};
use portcullis_plan::{Options, is_plan};

fn corpus_plans() -> Vec<PathBuf> {
    let dir = workspace().join("../shared/corpus/plans");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut plans: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    plans.sort();
    plans
}

#[test]
#[allow(clippy::print_stderr)]
fn corpus_plans_are_read_without_problems() {
    let plans = corpus_plans();
    let mut resources = 0;
    let mut elapsed = Duration::ZERO;
    for path in &plans {
        let text = std::fs::read_to_string(path).unwrap();
        let started = Instant::now();
        assert!(is_plan(&text), "{}", path.display());
        let loaded = analyze_text(&path.to_string_lossy(), &text, &Options::default());
        elapsed += started.elapsed();
        assert!(
            loaded.unit.problems.is_empty(),
            "{}: {:?}",
            path.display(),
            loaded.unit.problems
        );
        let inventory = &loaded.unit.inventory;
        resources += inventory.security_groups.len()
            + inventory.rules.len()
            + inventory.nacls.len()
            + inventory.attachments.len()
            + inventory.vpcs.len()
            + inventory.subnets.len();
        let findings = loaded.findings(&workspace());
        eprintln!(
            "{}: {} groups, {} rules, {} NACLs, {} NACL entries, {} attachments, {} VPCs, {} subnets, {} findings",
            path.display(),
            inventory.security_groups.len(),
            inventory.rules.len(),
            inventory.nacls.len(),
            inventory.nacl_entries.len(),
            inventory.attachments.len(),
            inventory.vpcs.len(),
            inventory.subnets.len(),
            findings.len()
        );
    }
    eprintln!(
        "{} plans, {resources} IR items, detection and reading {:.2} ms",
        plans.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    if !plans.is_empty() {
        assert!(resources > 0, "the corpus plans hold security groups");
    }
}

#[test]
fn for_each_module_keys_of_the_terraform_1_9_plan_are_ids() {
    let Some(path) = corpus_plans()
        .into_iter()
        .find(|path| path.ends_with("checkov-for-each-modules-plan.json"))
    else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let loaded = analyze_text(&path.to_string_lossy(), &text, &Options::default());
    let groups: Vec<&str> = loaded
        .unit
        .inventory
        .security_groups
        .iter()
        .map(|group| group.id.as_str())
        .collect();
    assert_eq!(
        groups,
        [
            r#"module.sg["awful_example"].aws_security_group.bad"#,
            r#"module.sg["bad_example"].aws_security_group.bad"#,
            r#"module.sg["terrible_example"].aws_security_group.bad"#,
        ]
    );
    let findings = loaded.findings(&workspace());
    assert!(
        findings.iter().any(|finding| finding.starts_with("SG001")),
        "{findings:?}"
    );
}
