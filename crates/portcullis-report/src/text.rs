//! `--format text`: annotated source excerpts, the way rustc and ruff show diagnostics.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Patch, Renderer, Snippet};
use portcullis_diagnostics::{Certainty, Diagnostic, Severity};
use portcullis_ir::{FileId, SourceMap, Span};

use portcullis_diagnostics::ScanOutcome;

#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    pub color: bool,
    /// Also render suppressed findings, each with why it is suppressed.
    pub show_suppressed: bool,
}

/// Control characters from scanned files must not reach a terminal: an ANSI escape in a
/// malicious `.tf` file could rewrite the screen. Each is replaced by one byte so spans stay valid.
pub fn neutralise(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\n' | '\t' | '\r') {
                '?'
            } else {
                c
            }
        })
        .collect()
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Critical => Level::ERROR.with_name("critical"),
        Severity::High => Level::ERROR.with_name("high"),
        Severity::Medium => Level::WARNING.with_name("medium"),
        Severity::Low => Level::INFO.with_name("low"),
        Severity::Info => Level::NOTE.with_name("info"),
    }
}

/// The neutralised text of every file a finding touches.
fn texts_for(
    sources: &SourceMap,
    spans: impl Iterator<Item = Span>,
) -> BTreeMap<FileId, (String, String)> {
    let mut texts = BTreeMap::new();
    for span in spans {
        texts.entry(span.file).or_insert_with(|| {
            let file = sources.get(span.file);
            let path = file
                .as_ref()
                .map(|file| neutralise(&file.path))
                .unwrap_or_default();
            let text = file.map(|file| neutralise(&file.text)).unwrap_or_default();
            (path, text)
        });
    }
    texts
}

fn render_finding(renderer: &Renderer, sources: &SourceMap, finding: &Diagnostic) -> String {
    let edit_spans = finding
        .suggestions
        .iter()
        .flat_map(|s| s.edits.iter().map(|edit| edit.span));
    let spans = std::iter::once(finding.span)
        .chain(finding.related.iter().map(|related| related.span))
        .chain(edit_spans);
    let texts = texts_for(sources, spans);
    let message = neutralise(&finding.message);
    let resource_label = neutralise(&finding.resource);
    let related_labels: Vec<String> = finding
        .related
        .iter()
        .map(|r| neutralise(&r.message))
        .collect();

    let mut main = Group::with_title(
        level(finding.severity)
            .primary_title(message.as_str())
            .id(finding.rule.code),
    );
    // The primary file first, then the other files with related locations, in id order.
    let mut files: Vec<FileId> = texts
        .keys()
        .copied()
        .filter(|file| *file != finding.span.file)
        .collect();
    files.insert(0, finding.span.file);
    for file in files {
        let Some((path, text)) = texts.get(&file) else {
            continue;
        };
        let mut snippet = Snippet::source(text.as_str()).path(path.as_str());
        let mut annotated = false;
        if file == finding.span.file {
            snippet = snippet.annotation(
                AnnotationKind::Primary
                    .span(finding.span.range())
                    .label(resource_label.as_str()),
            );
            annotated = true;
        }
        for (related, label) in finding.related.iter().zip(&related_labels) {
            if related.span.file == file {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(related.span.range())
                        .label(label.as_str()),
                );
                annotated = true;
            }
        }
        if annotated {
            main = main.element(snippet);
        }
    }
    let notes: Vec<String> = std::iter::once(format!("rule `{}`", finding.rule.name))
        .chain(
            (finding.certainty == Certainty::Possible)
                .then(|| "possible: depends on values that could not be resolved".to_owned()),
        )
        .chain((!finding.roots.is_empty()).then(|| {
            format!(
                "module code, from root modules: {}",
                finding.roots.join(", ")
            )
        }))
        .collect();
    for note in &notes {
        main = main.element(Level::NOTE.message(note.as_str()));
    }
    let suggestion_messages: Vec<String> = finding
        .suggestions
        .iter()
        .map(|s| neutralise(&s.message))
        .collect();
    for (suggestion, message) in finding.suggestions.iter().zip(&suggestion_messages) {
        if suggestion.edits.is_empty() {
            main = main.element(Level::HELP.message(message.as_str()));
        }
    }
    let mut groups = vec![main];
    for (suggestion, message) in finding.suggestions.iter().zip(&suggestion_messages) {
        if suggestion.edits.is_empty() {
            continue;
        }
        let mut group = Group::with_title(
            Level::HELP
                .secondary_title(format!("{message} ({})", suggestion.applicability.as_str())),
        );
        for (file, (path, text)) in &texts {
            let edits: Vec<_> = suggestion
                .edits
                .iter()
                .filter(|edit| edit.span.file == *file)
                .collect();
            if edits.is_empty() {
                continue;
            }
            let mut snippet = Snippet::source(text.as_str()).path(path.as_str());
            for edit in edits {
                snippet =
                    snippet.patch(Patch::new(edit.span.range(), neutralise(&edit.replacement)));
            }
            group = group.element(snippet);
        }
        groups.push(group);
    }
    renderer.render(&groups)
}

fn render_problem(
    renderer: &Renderer,
    sources: &SourceMap,
    problem: &portcullis_ir::Problem,
) -> String {
    let texts = texts_for(sources, std::iter::once(problem.span));
    let message = neutralise(&problem.message);
    let mut group = Group::with_title(Level::ERROR.primary_title(message.as_str()));
    if let Some((path, text)) = texts.get(&problem.span.file) {
        group = group.element(
            Snippet::source(text.as_str())
                .path(path.as_str())
                .annotation(AnnotationKind::Primary.span(problem.span.range())),
        );
    }
    renderer.render(&[group])
}

pub fn render(outcome: &ScanOutcome<'_>, options: TextOptions) -> String {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for finding in outcome.findings {
        out.push_str(&render_finding(&renderer, outcome.sources, finding));
        out.push_str("\n\n");
    }
    if options.show_suppressed {
        for entry in outcome.suppressed {
            out.push_str(&render_finding(
                &renderer,
                outcome.sources,
                &entry.diagnostic,
            ));
            let suppression = &entry.suppression;
            let _ = write!(
                out,
                "\n  = suppressed ({}): {}\n\n",
                suppression.kind.as_str(),
                neutralise(&suppression.reason)
            );
        }
    }
    for problem in outcome.problems {
        out.push_str(&render_problem(&renderer, outcome.sources, problem));
        out.push_str("\n\n");
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|severity| (severity, outcome.count(*severity)))
        .filter(|(_, count)| *count > 0)
        .map(|(severity, count)| format!("{count} {severity}"))
        .collect();
    let files = outcome.files_scanned;
    let _ = write!(
        out,
        "scanned {files} file{} in {} ms: {} finding{}",
        if files == 1 { "" } else { "s" },
        outcome.elapsed.as_millis(),
        outcome.findings.len(),
        if outcome.findings.len() == 1 { "" } else { "s" },
    );
    if !counts.is_empty() {
        let _ = write!(out, " ({})", counts.join(", "));
    }
    if !outcome.suppressed.is_empty() {
        let _ = write!(out, ", {} suppressed", outcome.suppressed.len());
    }
    let errors = outcome.problems.len();
    if errors > 0 {
        let _ = write!(
            out,
            ", {errors} file{} could not be analysed",
            if errors == 1 { "" } else { "s" }
        );
    }
    out.push('\n');
    out
}
