//! `--format dot`: the exposure map of `--format markdown` as a Graphviz digraph
//! (`portcullis scan --format dot | dot -Tsvg > exposure.svg`).

use std::fmt::Write as _;

use crate::graph::{self, MAX_EDGES, NodeKind, SOURCE_PALETTE};
use portcullis_diagnostics::ScanOutcome;

/// A DOT double-quoted string. Backslashes are doubled so that names cannot smuggle in
/// Graphviz escapes such as `\N` or `\l`; control characters become spaces.
fn quoted(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('"');
    for c in text.chars() {
        match c {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            c if c.is_control() => escaped.push(' '),
            c => escaped.push(c),
        }
    }
    escaped.push('"');
    escaped
}

pub fn render(outcome: &ScanOutcome<'_>) -> String {
    let graph = graph::build(outcome.sources, outcome.findings, MAX_EDGES);
    let mut out = String::from("digraph exposure {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [fontname=\"Helvetica\", style=\"filled\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for node in &graph.nodes {
        let (fill, stroke, color) = node.severity.map_or(SOURCE_PALETTE, graph::palette);
        let shape = match node.kind {
            NodeKind::Source => "ellipse",
            NodeKind::Group => "box",
            NodeKind::Target => "box, style=\"filled,rounded\"",
        };
        let _ = writeln!(
            out,
            "  {} [label={}, shape={shape}, fillcolor=\"{fill}\", color=\"{stroke}\", fontcolor=\"{color}\"];",
            quoted(&node.id),
            quoted(&node.label),
        );
    }
    for edge in &graph.edges {
        let (fill, _, _) = graph::palette(edge.severity);
        let style = if edge.possible { ", style=dashed" } else { "" };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, color=\"{fill}\"{style}];",
            quoted(&edge.from),
            quoted(&edge.to),
            quoted(&edge.label),
        );
    }
    let note = if graph.is_empty() {
        Some("no exposure found".to_owned())
    } else if graph.omitted > 0 {
        Some(format!(
            "…and {} more edge{} not shown",
            graph.omitted,
            if graph.omitted == 1 { "" } else { "s" }
        ))
    } else {
        None
    };
    if let Some(note) = note {
        let _ = writeln!(out, "  labelloc=b;\n  label={};", quoted(&note));
    }
    out.push_str("}\n");
    out
}
