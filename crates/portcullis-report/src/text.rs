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

/// The lines of one file that a finding's spans touch, neutralised: rendering only them keeps
/// the text output linear in the findings, however large the file.
struct Excerpt {
    path: String,
    text: String,
    /// Where the excerpt starts in the file.
    offset: u32,
    /// Its first line, 1-based.
    first_line: usize,
}

impl Excerpt {
    /// A span of the file as a range of the excerpt.
    fn range(&self, span: Span) -> std::ops::Range<usize> {
        let clamp = |at: u32| (at.saturating_sub(self.offset) as usize).min(self.text.len());
        clamp(span.start)..clamp(span.end)
    }
}

/// The excerpt of every file a finding touches: from the start of the first line a span touches
/// to the end of the last.
fn excerpts(sources: &SourceMap, spans: impl Iterator<Item = Span>) -> BTreeMap<FileId, Excerpt> {
    let mut bounds: BTreeMap<FileId, (u32, u32)> = BTreeMap::new();
    for span in spans {
        let entry = bounds.entry(span.file).or_insert((span.start, span.end));
        entry.0 = entry.0.min(span.start);
        entry.1 = entry.1.max(span.end);
    }
    bounds
        .into_iter()
        .filter_map(|(id, (start, end))| {
            let file = sources.get(id)?;
            let text = file.text.as_str();
            let start = (start as usize).min(text.len());
            let end = (end as usize).clamp(start, text.len());
            let line_start = text
                .get(..start)
                .and_then(|before| before.rfind('\n'))
                .map_or(0, |newline| newline + 1);
            // The line break is kept, so that a `\r\n` is read as one.
            let line_end = text
                .get(end..)
                .and_then(|after| after.find('\n'))
                .map_or(text.len(), |newline| end + newline + 1);
            let (offset, lines) = match text.get(line_start..line_end) {
                Some(lines) => (u32::try_from(line_start).unwrap_or(u32::MAX), lines),
                None => (0, text),
            };
            let excerpt = Excerpt {
                path: neutralise(&file.path),
                text: neutralise(lines),
                offset,
                first_line: sources.location(id, offset).line as usize,
            };
            Some((id, excerpt))
        })
        .collect()
}

fn render_finding(renderer: &Renderer, sources: &SourceMap, finding: &Diagnostic) -> String {
    let edit_spans = finding
        .suggestions
        .iter()
        .flat_map(|s| s.edits.iter().map(|edit| edit.span));
    let spans = std::iter::once(finding.span)
        .chain(finding.related.iter().map(|related| related.span))
        .chain(edit_spans);
    let texts = excerpts(sources, spans);
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
        let Some(excerpt) = texts.get(&file) else {
            continue;
        };
        let mut snippet = Snippet::source(excerpt.text.as_str())
            .path(excerpt.path.as_str())
            .line_start(excerpt.first_line);
        let mut annotated = false;
        if file == finding.span.file {
            snippet = snippet.annotation(
                AnnotationKind::Primary
                    .span(excerpt.range(finding.span))
                    .label(resource_label.as_str()),
            );
            annotated = true;
        }
        for (related, label) in finding.related.iter().zip(&related_labels) {
            if related.span.file == file {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(excerpt.range(related.span))
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
        for (file, excerpt) in &texts {
            let edits: Vec<_> = suggestion
                .edits
                .iter()
                .filter(|edit| edit.span.file == *file)
                .collect();
            if edits.is_empty() {
                continue;
            }
            let mut snippet = Snippet::source(excerpt.text.as_str())
                .path(excerpt.path.as_str())
                .line_start(excerpt.first_line);
            for edit in edits {
                snippet = snippet.patch(Patch::new(
                    excerpt.range(edit.span),
                    neutralise(&edit.replacement),
                ));
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
    let texts = excerpts(sources, std::iter::once(problem.span));
    let message = neutralise(&problem.message);
    let mut group = Group::with_title(Level::ERROR.primary_title(message.as_str()));
    if let Some(excerpt) = texts.get(&problem.span.file) {
        group = group.element(
            Snippet::source(excerpt.text.as_str())
                .path(excerpt.path.as_str())
                .line_start(excerpt.first_line)
                .annotation(AnnotationKind::Primary.span(excerpt.range(problem.span))),
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
