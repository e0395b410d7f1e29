//! Meta-tests: every rule is documented with the fixed headings, its messages follow the style,
//! and `docs/rules/` is generated from the rule docs (`PORTCULLIS_UPDATE_DOCS=1 cargo test
//! --test docs` regenerates it).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use portcullis_checks::RULES;
use portcullis_diagnostics::RuleMeta;

const HEADINGS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Fix safety",
];

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules")
}

fn rule_page(meta: &RuleMeta) -> String {
    format!(
        "# {code}: {name}\n\n- Category: {category}\n- Default severity: {severity}\n- Enabled by default: {enabled}\n\n{doc}\n",
        code = meta.code,
        name = meta.name,
        category = meta.category,
        severity = meta.default_severity,
        enabled = if meta.enabled_by_default { "yes" } else { "no" },
        doc = meta.documentation(),
    )
}

fn index_page() -> String {
    let mut page = String::from(
        "# Rules\n\nGenerated from the rule doc comments; do not edit by hand.\n\n| code | name | category | default severity | enabled |\n| --- | --- | --- | --- | --- |\n",
    );
    for rule in RULES {
        let meta = rule.meta;
        page.push_str(&format!(
            "| {code} | [{name}]({code}.md) | {category} | {severity} | {enabled} |\n",
            code = meta.code,
            name = meta.name,
            category = meta.category,
            severity = meta.default_severity,
            enabled = if meta.enabled_by_default { "yes" } else { "no" },
        ));
    }
    page
}

#[test]
fn every_rule_doc_has_the_fixed_headings() {
    for rule in RULES {
        let doc = rule.meta.documentation();
        let mut last = 0;
        for heading in HEADINGS {
            let at = doc
                .find(heading)
                .unwrap_or_else(|| panic!("{} lacks `{heading}`", rule.meta.code));
            assert!(
                at >= last,
                "{}: `{heading}` is out of order",
                rule.meta.code
            );
            last = at;
        }
        assert!(
            !rule.meta.summary().is_empty(),
            "{} has no summary",
            rule.meta.code
        );
    }
}

#[test]
fn codes_and_names_are_unique_and_kebab_case() {
    let mut codes: Vec<&str> = RULES.iter().map(|rule| rule.meta.code).collect();
    let mut names: Vec<&str> = RULES.iter().map(|rule| rule.meta.name).collect();
    for name in &names {
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{name}"
        );
    }
    codes.sort_unstable();
    codes.dedup();
    names.sort_unstable();
    names.dedup();
    assert_eq!(codes.len(), RULES.len());
    assert_eq!(names.len(), RULES.len());
}

#[test]
fn generated_rule_docs_are_current() {
    let dir = docs_dir();
    let mut pages = vec![("README.md".to_owned(), index_page())];
    pages.extend(
        RULES
            .iter()
            .map(|rule| (format!("{}.md", rule.meta.code), rule_page(rule.meta))),
    );
    if std::env::var_os("PORTCULLIS_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, page) in &pages {
            std::fs::write(dir.join(name), page).unwrap();
        }
    }
    for (name, page) in &pages {
        let current = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            current == *page,
            "docs/rules/{name} is stale: run `PORTCULLIS_UPDATE_DOCS=1 cargo test -p portcullis --test docs`"
        );
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut expected: Vec<String> = pages.into_iter().map(|(name, _)| name).collect();
    expected.sort();
    assert_eq!(
        on_disk, expected,
        "docs/rules holds pages of rules that no longer exist"
    );
}

fn catalogue_page() -> String {
    let mut page = String::from(
        "# Sensitive-port catalogue\n\nGenerated from `crates/portcullis-checks/src/catalogue.rs`; do not edit by hand.\n\n| category | service | protocol | ports | why it must not face the internet |\n| --- | --- | --- | --- | --- |\n",
    );
    for service in portcullis_checks::catalogue::SERVICES {
        page.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            service.category.as_str(),
            service.name,
            service.protocol,
            service.ports,
            service.why
        ));
    }
    page
}

#[test]
fn generated_catalogue_doc_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/catalogue.md");
    if std::env::var_os("PORTCULLIS_UPDATE_DOCS").is_some() {
        std::fs::write(&path, catalogue_page()).unwrap();
    }
    assert!(
        std::fs::read_to_string(&path).unwrap_or_default() == catalogue_page(),
        "docs/catalogue.md is stale: run `PORTCULLIS_UPDATE_DOCS=1 cargo test -p portcullis --test docs`"
    );
}
