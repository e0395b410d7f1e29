#![allow(clippy::unwrap_used)]
//! The exposure map (`--format markdown` and `--format dot`) of the fixtures under
//! fixtures/map, produced by the real pipeline. The Mermaid blocks of the Markdown snapshots
//! are parsed by Mermaid itself in CI: scripts/check-mermaid.sh.

use std::path::PathBuf;
use std::time::Duration;

use portcullis_diagnostics::{SuppressedFinding, Suppression};
use portcullis_engine::{ScanOptions, ScanResult, run};
use portcullis_report::{MarkdownOptions, render_dot, render_markdown};

/// Integration tests run in the repository root; this prefix is stripped from the output so
/// that snapshots show paths relative to fixtures/map.
const PREFIX: &str = "fixtures/map/";

fn scan(name: &str) -> ScanResult {
    let mut result = run(ScanOptions {
        threads: Some(1),
        ..ScanOptions::new(vec![PathBuf::from(format!("{PREFIX}{name}"))])
    })
    .unwrap();
    result.elapsed = Duration::ZERO;
    result
}

fn markdown(result: &ScanResult) -> String {
    render_markdown(&result.outcome(), &MarkdownOptions::default()).replace(PREFIX, "")
}

fn dot(result: &ScanResult) -> String {
    render_dot(&result.outcome()).replace(PREFIX, "")
}

/// The lines of the first ```` ```mermaid ```` block.
fn mermaid_block(markdown: &str) -> Vec<&str> {
    markdown
        .lines()
        .skip_while(|line| *line != "```mermaid")
        .skip(1)
        .take_while(|line| *line != "```")
        .collect()
}

/// Cell separators of a table row: `|` not escaped by a backslash.
fn separators(row: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in row.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
    }
    count
}

#[test]
fn terraform() {
    let result = scan("terraform");
    assert!(result.problems.is_empty());
    insta::assert_snapshot!("terraform_markdown", markdown(&result));
    insta::assert_snapshot!("terraform_dot", dot(&result));
}

#[test]
fn cloudformation() {
    let result = scan("cloudformation");
    assert!(result.problems.is_empty());
    insta::assert_snapshot!("cloudformation_markdown", markdown(&result));
    insta::assert_snapshot!("cloudformation_dot", dot(&result));
}

#[test]
fn hostile_names_stay_inside_their_labels_and_cells() {
    let result = scan("tricky");
    assert_eq!(result.problems.len(), 1, "broken.tf is reported");
    let text = markdown(&result);
    insta::assert_snapshot!("tricky_markdown", text);
    insta::assert_snapshot!("tricky_dot", dot(&result));

    let diagram = mermaid_block(&text);
    assert!(diagram.len() > 3);
    for line in diagram {
        // Nothing a name brings may read as a directive, HTML, a fence or the end of a label:
        // each node or edge line holds exactly one quoted label.
        assert!(!line.contains("%%") && !line.contains('<') && !line.contains('`'));
        assert!(matches!(line.matches('"').count(), 0 | 2), "{line}");
    }
    // Findings rows have five cells, error rows two: a `|` in a name must not add one.
    for row in text.lines().filter(|line| line.starts_with("| ")) {
        assert!(matches!(separators(row), 3 | 6), "{row}");
    }
}

#[test]
fn large_maps_are_capped_with_a_note() {
    let result = scan("large");
    let text = markdown(&result);
    let edges = mermaid_block(&text)
        .iter()
        .filter(|line| line.contains("-->"))
        .count();
    assert_eq!(edges, 40);
    assert!(text.contains("_…and 6 more edges not shown"));
    insta::assert_snapshot!("large_markdown", text);
    insta::assert_snapshot!("large_dot", dot(&result));
}

#[test]
fn no_findings_still_make_a_report() {
    let result = scan("clean");
    assert!(result.findings.is_empty());
    insta::assert_snapshot!("clean_markdown", markdown(&result));
    insta::assert_snapshot!("clean_dot", dot(&result));
}

#[test]
fn suppressed_findings_are_folded_away() {
    let mut result = scan("terraform");
    let index = result
        .findings
        .iter()
        .position(|finding| finding.rule.code == "SG008")
        .unwrap();
    let diagnostic = result.findings.remove(index);
    result.suppressed.push(SuppressedFinding {
        diagnostic,
        suppression: Suppression {
            kind: portcullis_ir::SuppressedBy::Inline,
            reason: "the load balancer | redirects to HTTPS".to_owned(),
            span: None,
        },
    });
    let text = markdown(&result);
    assert!(
        !text.contains("aws_security_group.web_lb"),
        "not on the map"
    );
    insta::assert_snapshot!("suppressed_markdown", text);
}

#[test]
fn resource_findings_alone_still_draw_whole_paths() {
    // As when every rule finding is suppressed: the resource finding's own sources are used.
    let mut result = scan("cloudformation");
    result
        .findings
        .retain(|finding| finding.rule.code == "RES001");
    let text = markdown(&result);
    let diagram = mermaid_block(&text);
    for edge in [
        "internet -->|\"mysql (3306/tcp)\"| sg2_dbadminsg",
        "internet -->|\"mysql (3306/tcp)\"| sg3_dbclientssg",
        "sg2_dbadminsg -->|\"mysql (3306/tcp)\"| res2_database",
        "internet -->|\"ssh (22/tcp)\"| sg1_bastionsg",
        "sg1_bastionsg -->|\"ssh (22/tcp)\"| res1_bastion",
    ] {
        assert!(
            diagram.contains(&format!("  {edge}").as_str()),
            "{edge}\n{text}"
        );
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    for name in ["terraform", "cloudformation", "tricky", "large"] {
        let (first, second) = (scan(name), scan(name));
        assert_eq!(markdown(&first), markdown(&second), "{name}");
        assert_eq!(dot(&first), dot(&second), "{name}");
    }
}

#[test]
fn links_lead_to_the_rule_docs_and_to_files_under_the_link_base() {
    let result = scan("terraform");
    let relative = markdown(&result);
    let based = render_markdown(
        &result.outcome(),
        &MarkdownOptions {
            link_base: Some("https://github.com/acme/infra/blob/0123abc"),
            ..MarkdownOptions::default()
        },
    )
    .replace(PREFIX, "");
    // Rule documentation is portcullis's, never a path in the scanned repository.
    assert!(relative.contains(
        "[SG002](https://github.com/portcullis-sec/portcullis/blob/main/docs/rules/SG002.md)"
    ));
    assert!(!relative.contains("](docs/rules/"));
    // Files: relative by default, under the base (with a `/` added) when one is given.
    let file_links = |text: &str| -> Vec<String> {
        text.split("](")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
            .filter(|target| target.contains("#L"))
            .map(str::to_owned)
            .collect()
    };
    let relative_links = file_links(&relative);
    let based_links = file_links(&based);
    assert!(!relative_links.is_empty());
    assert_eq!(relative_links.len(), based_links.len());
    for (relative, based) in relative_links.iter().zip(&based_links) {
        assert_eq!(
            *based,
            format!("https://github.com/acme/infra/blob/0123abc/{relative}")
        );
    }
    // A base cannot end the link early: spaces and parentheses are encoded.
    let hostile = render_markdown(
        &result.outcome(),
        &MarkdownOptions {
            link_base: Some("https://x.test/a b)(c/"),
            ..MarkdownOptions::default()
        },
    );
    assert!(
        hostile.contains("](https://x.test/a%20b%29%28c/"),
        "{hostile}"
    );
}

#[test]
fn a_size_limit_leaves_rows_out_and_says_how_many() {
    let result = scan("large");
    let whole = markdown(&result);
    let rows_of = |text: &str| {
        text.lines()
            .filter(|line| {
                line.starts_with("| ") && line.contains("](https://github.com/portcullis-sec/")
            })
            .count()
    };
    let all = rows_of(&whole);
    assert_eq!(all, result.findings.len());
    for limit in [whole.chars().count() / 2, 3_000] {
        let options = MarkdownOptions {
            max_chars: Some(limit),
            ..MarkdownOptions::default()
        };
        let text = render_markdown(&result.outcome(), &options);
        assert!(
            text.chars().count() <= limit,
            "{limit}: {}",
            text.chars().count()
        );
        let shown = rows_of(&text);
        assert!(shown < all, "{limit}: nothing was left out");
        assert!(
            text.contains(&format!(
                "_Not shown, to keep this report under {limit} characters: {} more finding",
                all - shown
            )),
            "{text}"
        );
        // The diagram is whole or absent, never cut.
        let diagram = mermaid_block(&text);
        assert!(
            diagram.is_empty() || diagram == mermaid_block(&whole),
            "{limit}: a partial diagram"
        );
    }
    // A limit the whole report fits in (with the room kept for notes) changes nothing.
    let unlimited = render_markdown(&result.outcome(), &MarkdownOptions::default());
    let roomy = MarkdownOptions {
        max_chars: Some(unlimited.len() + 1_000),
        ..MarkdownOptions::default()
    };
    assert_eq!(render_markdown(&result.outcome(), &roomy), unlimited);
}

/// Groups are nodes of their template or root module: the same logical id in two templates is
/// two nodes, and network ACLs, which filter subnets, are not drawn as groups.
#[test]
fn same_names_in_two_templates_stay_apart() {
    let result = scan("same_names");
    let dot = dot(&result);
    let groups: Vec<&str> = dot
        .lines()
        .filter(|line| line.trim_start().starts_with("\"sg"))
        .filter(|line| !line.contains("->"))
        .collect();
    assert_eq!(groups.len(), 2, "{dot}");
    assert!(!dot.contains("PublicAcl"), "{dot}");
    insta::assert_snapshot!("same_names_dot", dot);
}
