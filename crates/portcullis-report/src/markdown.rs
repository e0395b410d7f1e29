//! `--format markdown`: a report for a pull-request comment or `$GITHUB_STEP_SUMMARY`: a
//! headline, a Mermaid map of the exposure paths, the findings as a table, and the suppressed
//! findings and unanalysed files folded away. Every name comes from scanned files, so every
//! piece of text is escaped for where it lands: Mermaid labels, table cells, link targets.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use portcullis_diagnostics::{Certainty, Diagnostic, Severity};
use portcullis_ir::{SourceMap, Span};

use crate::graph::{self, Graph, MAX_EDGES, NodeKind, SOURCE_PALETTE};
use portcullis_diagnostics::ScanOutcome;

use crate::{Region, repository_place};

#[derive(Clone, Copy, Debug, Default)]
pub struct MarkdownOptions<'a> {
    /// Prefixed to the links to scanned files (`https://github.com/OWNER/REPO/blob/SHA/`), which
    /// are otherwise relative: right in the repository, wrong in a pull-request comment.
    pub link_base: Option<&'a str>,
    /// Keep the report under this many characters (GitHub refuses comments over 65,536 and job
    /// summaries over 1 MiB): the diagram and table rows that would not fit are left out, and
    /// counted in a note. At least [`MIN_MAX_CHARS`].
    pub max_chars: Option<usize>,
}

/// The smallest size limit: room for the headline and the notes about what was left out.
pub const MIN_MAX_CHARS: usize = 2_000;

/// Room kept for the notes that say what was left out, and for closing tags.
const RESERVE: usize = 1_000;

/// What is left of a size limit. Bytes are counted: never fewer than characters, so the limit
/// holds for characters too.
struct Budget {
    limit: Option<usize>,
    /// Something was left out: later sections are reduced to a note.
    exhausted: bool,
}

impl Budget {
    fn fits(&mut self, out: &str, text: &str) -> bool {
        let fits = self
            .limit
            .is_none_or(|limit| out.len() + text.len() + RESERVE <= limit);
        self.exhausted |= !fits;
        fits
    }

    /// Says what was left out.
    fn note(&self, what: &str) -> String {
        format!(
            "_Not shown, to keep this report under {} characters: {what}. The JSON and SARIF reports list everything._\n",
            self.limit.unwrap_or_default()
        )
    }
}

pub fn render(outcome: &ScanOutcome<'_>, options: &MarkdownOptions<'_>) -> String {
    let links = Links {
        sources: outcome.sources,
        base: options.link_base.map(link_base).unwrap_or_default(),
    };
    let mut budget = Budget {
        limit: options.max_chars.map(|limit| limit.max(MIN_MAX_CHARS)),
        exhausted: false,
    };
    let mut out = String::from("## portcullis exposure map\n\n");
    headline(&mut out, outcome);
    if !outcome.findings.is_empty() {
        let graph = graph::build(outcome.sources, outcome.findings, MAX_EDGES);
        out.push_str("### Exposure paths\n\n");
        if graph.is_empty() {
            out.push_str("No path from the internet to a security group or resource.\n\n");
        } else {
            let mut diagram = String::new();
            mermaid(&mut diagram, &graph);
            if budget.fits(&out, &diagram) {
                out.push_str(&diagram);
            } else {
                out.push_str(&budget.note("the diagram"));
                out.push('\n');
            }
        }
        out.push_str("### Findings\n\n");
        findings_table(&mut out, &links, &mut budget, outcome.findings);
    }
    suppressed(&mut out, &links, &mut budget, outcome);
    problems(&mut out, &links, &mut budget, outcome);
    // Sections end with a blank line; the report ends with exactly one newline.
    let end = out.trim_end().len();
    out.truncate(end);
    out.push('\n');
    out
}

fn plural(count: usize, word: &str) -> String {
    format!("{count} {word}{}", if count == 1 { "" } else { "s" })
}

fn headline(out: &mut String, outcome: &ScanOutcome<'_>) {
    let files = plural(outcome.files_scanned, "file");
    let unanalysed = outcome
        .problems
        .iter()
        .map(|problem| problem.span.file)
        .collect::<BTreeSet<_>>()
        .len();
    if outcome.findings.is_empty() {
        let _ = write!(out, "No exposure found in {files} scanned");
    } else {
        let counts: Vec<String> = Severity::ALL
            .iter()
            .map(|severity| (severity, outcome.count(*severity)))
            .filter(|(_, count)| *count > 0)
            .map(|(severity, count)| format!("{count} {severity}"))
            .collect();
        let _ = write!(
            out,
            "**{}** ({}) in {files} scanned",
            plural(outcome.findings.len(), "finding"),
            counts.join(", ")
        );
    }
    if unanalysed > 0 {
        let _ = write!(out, "; **{} not analysed**", plural(unanalysed, "file"));
    }
    out.push_str(".\n\n");
}

/// Mermaid label text inside `"…"`. Letters, digits and harmless punctuation stay; anything
/// that Mermaid, its `%%{init}%%` directives, HTML labels or the surrounding code fence could
/// read as syntax becomes a `#NNN;` entity, which Mermaid decodes for display.
fn mermaid_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || c.is_whitespace() {
            escaped.push(' ');
        } else if c.is_ascii_alphanumeric()
            || matches!(
                c,
                '.' | ',' | '-' | '_' | '/' | '(' | ')' | '[' | ']' | '+' | '=' | '@'
            )
            || (!c.is_ascii() && c.is_alphanumeric())
        {
            escaped.push(c);
        } else {
            let _ = write!(escaped, "#{};", u32::from(c));
        }
    }
    escaped
}

fn mermaid(out: &mut String, graph: &Graph) {
    out.push_str("```mermaid\nflowchart LR\n");
    for node in &graph.nodes {
        let label = mermaid_text(&node.label);
        let (open, close) = match node.kind {
            NodeKind::Source => ("([\"", "\"])"),
            NodeKind::Group => ("[\"", "\"]"),
            NodeKind::Target => ("(\"", "\")"),
        };
        let _ = writeln!(out, "  {}{open}{label}{close}", node.id);
    }
    for edge in &graph.edges {
        let arrow = if edge.possible { "-.->" } else { "-->" };
        let _ = writeln!(
            out,
            "  {} {arrow}|\"{}\"| {}",
            edge.from,
            mermaid_text(&edge.label),
            edge.to
        );
    }
    let (fill, stroke, color) = SOURCE_PALETTE;
    let _ = writeln!(
        out,
        "  classDef source fill:{fill},stroke:{stroke},color:{color}"
    );
    for severity in Severity::ALL {
        let (fill, stroke, color) = graph::palette(severity);
        let nodes: Vec<&str> = graph
            .nodes
            .iter()
            .filter(|node| node.severity == Some(severity))
            .map(|node| node.id.as_str())
            .collect();
        if !nodes.is_empty() {
            let _ = writeln!(
                out,
                "  classDef {severity} fill:{fill},stroke:{stroke},color:{color}\n  class {} {severity}",
                nodes.join(",")
            );
        }
        let links: Vec<String> = graph
            .edges
            .iter()
            .enumerate()
            .filter(|(_, edge)| edge.severity == severity)
            .map(|(index, _)| index.to_string())
            .collect();
        if !links.is_empty() {
            let _ = writeln!(
                out,
                "  linkStyle {} stroke:{fill},stroke-width:2px",
                links.join(",")
            );
        }
    }
    let sources: Vec<&str> = graph
        .nodes
        .iter()
        .filter(|node| node.kind == NodeKind::Source)
        .map(|node| node.id.as_str())
        .collect();
    if !sources.is_empty() {
        let _ = writeln!(out, "  class {} source", sources.join(","));
    }
    out.push_str("```\n\n");
    if graph.omitted > 0 {
        let _ = writeln!(
            out,
            "_…and {} more edge{} not shown; every finding is listed below._\n",
            graph.omitted,
            if graph.omitted == 1 { "" } else { "s" }
        );
    }
    if graph.edges.iter().any(|edge| edge.possible) {
        out.push_str("_Dotted edges depend on values that could not be resolved._\n\n");
    }
}

/// Text for a table cell: on one line, with every character Markdown could read as syntax
/// (including `|`, which would end the cell, and backticks) backslash-escaped.
fn cell(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            escaped.push(' ');
        } else {
            if matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' | '#'
            ) {
                escaped.push('\\');
            }
            escaped.push(c);
        }
    }
    escaped
}

/// A relative link target: every byte outside the unreserved set and `/` percent-encoded, so
/// spaces, parentheses and `#` in paths cannot end or redirect the link.
fn link_target(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

/// How links to scanned files are made.
struct Links<'a> {
    sources: &'a SourceMap,
    /// Empty, or a URL ending in `/`.
    base: String,
}

/// A user's base URL, made safe inside a Markdown link target and ended with `/`.
fn link_base(base: &str) -> String {
    let mut encoded = String::with_capacity(base.len() + 1);
    for byte in base.trim().bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:/?#@!$&'*+,;=%".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    if !encoded.is_empty() && !encoded.ends_with('/') {
        encoded.push('/');
    }
    encoded
}

fn location(links: &Links<'_>, span: Span) -> String {
    let region = Region::of(links.sources, span);
    format!(
        "[{}:{}]({}{}#L{})",
        cell(&region.path),
        region.start_line,
        links.base,
        link_target(&region.path),
        region.start_line
    )
}

/// Severity, rule, location and message cells of a finding.
fn finding_cells(links: &Links<'_>, finding: &Diagnostic) -> String {
    let (span, message) = repository_place(links.sources, finding);
    let possible = if finding.certainty == Certainty::Possible {
        " (possible)"
    } else {
        ""
    };
    format!(
        "| {}{possible} | [{}]({}) | {} | {} |",
        finding.severity,
        cell(finding.rule.code),
        finding.rule.help_uri(),
        location(links, span),
        cell(&message)
    )
}

/// Appends rows while they fit; the count of those left out.
fn rows(
    out: &mut String,
    budget: &mut Budget,
    rows: impl ExactSizeIterator<Item = String>,
) -> usize {
    let total = rows.len();
    for (index, row) in rows.enumerate() {
        if !budget.fits(out, &row) {
            return total - index;
        }
        out.push_str(&row);
    }
    0
}

fn findings_table(
    out: &mut String,
    links: &Links<'_>,
    budget: &mut Budget,
    findings: &[Diagnostic],
) {
    out.push_str("| severity | rule | location | finding | remedy |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    let left_out = rows(
        out,
        budget,
        findings.iter().map(|finding| {
            let remedy = finding
                .suggestions
                .first()
                .map(|suggestion| cell(&suggestion.message))
                .unwrap_or_default();
            format!("{} {remedy} |\n", finding_cells(links, finding))
        }),
    );
    out.push('\n');
    if left_out > 0 {
        out.push_str(&budget.note(&plural(left_out, "more finding")));
        out.push('\n');
    }
}

fn suppressed(out: &mut String, links: &Links<'_>, budget: &mut Budget, outcome: &ScanOutcome<'_>) {
    if outcome.suppressed.is_empty() {
        return;
    }
    if budget.exhausted {
        out.push_str(&budget.note(&plural(outcome.suppressed.len(), "suppressed finding")));
        out.push('\n');
        return;
    }
    let _ = writeln!(
        out,
        "<details>\n<summary>{} suppressed</summary>\n",
        plural(outcome.suppressed.len(), "finding")
    );
    out.push_str("| severity | rule | location | finding | suppressed by |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    let left_out = rows(
        out,
        budget,
        outcome.suppressed.iter().map(|entry| {
            let suppression = &entry.suppression;
            let by = if suppression.reason.trim().is_empty() {
                cell(suppression.kind.as_str())
            } else {
                cell(&format!(
                    "{}: {}",
                    suppression.kind.as_str(),
                    suppression.reason
                ))
            };
            format!("{} {by} |\n", finding_cells(links, &entry.diagnostic))
        }),
    );
    if left_out > 0 {
        out.push('\n');
        out.push_str(&budget.note(&plural(left_out, "more suppressed finding")));
    }
    out.push_str("\n</details>\n\n");
}

fn problems(out: &mut String, links: &Links<'_>, budget: &mut Budget, outcome: &ScanOutcome<'_>) {
    if outcome.problems.is_empty() {
        return;
    }
    if budget.exhausted {
        out.push_str(&budget.note(&format!(
            "{} analysing files",
            plural(outcome.problems.len(), "error")
        )));
        return;
    }
    let _ = writeln!(
        out,
        "<details>\n<summary>{} analysing files</summary>\n",
        plural(outcome.problems.len(), "error")
    );
    out.push_str("| location | error |\n| --- | --- |\n");
    let left_out = rows(
        out,
        budget,
        outcome.problems.iter().map(|problem| {
            format!(
                "| {} | {} |\n",
                location(links, problem.span),
                cell(&problem.message)
            )
        }),
    );
    if left_out > 0 {
        out.push('\n');
        out.push_str(&budget.note(&plural(left_out, "more error")));
    }
    out.push_str("\n</details>\n");
}
