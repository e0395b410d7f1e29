//! Suppressions: `# portcullis:ignore[CODE] reason="..." until=YYYY-MM-DD` on the line above a
//! rule or resource, a template's `Metadata`, and the comments and metadata of other tools
//! (tfsec, Trivy, Checkov, KICS, cfn_nag) for the equivalent rules, so that a migration keeps its
//! reviewed exceptions. Each rule declares its equivalents in its own `declare_rule!`.
//!
//! A comment covers the code its front-end says it annotates ([`Comment`]): the line it ends, or
//! else the next line of code and, when that line opens a block, the whole block. Expired
//! suppressions stop suppressing and are reported; unused portcullis suppressions are reported.

mod date;
mod marker;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use portcullis_checks::UNUSED_SUPPRESSION;
use portcullis_diagnostics::{
    Certainty, Diagnostic, RuleMeta, SuppressedFinding, Suppression, fingerprint,
};
use portcullis_ir::{
    Comment, DeclaredSuppression, FileId, SourceFile, SourceMap, Span, SuppressedBy,
};

pub use date::Date;
pub use marker::{PLACEHOLDER_REASON, Problem};

use marker::{MARKER_WORDS, Parsed, check_expiry, markers_in};

/// One suppression and the lines it covers.
struct Marker {
    tool: SuppressedBy,
    /// The rules it silences; empty means every rule.
    rules: Vec<&'static RuleMeta>,
    reason: String,
    span: Span,
    /// 1-based inclusive line range.
    lines: (u32, u32),
    used: bool,
    problem: Option<Problem>,
}

/// The comments of a file as its front-end reads them.
pub type CommentsOf<'a> = &'a (dyn Fn(&SourceFile) -> Vec<Comment> + Sync);

fn markers_of_file(
    sources: &SourceMap,
    source: &SourceFile,
    comments_of: CommentsOf<'_>,
    today: Date,
) -> Vec<Marker> {
    // Most files hold no marker: a search of the whole text is cheaper than reading each comment.
    let lower = source.text.to_ascii_lowercase();
    if !MARKER_WORDS.iter().any(|word| lower.contains(word)) {
        return Vec::new();
    }
    let line = |offset| sources.location(source.id, offset).line;
    let mut markers = Vec::new();
    for comment in comments_of(source) {
        let Some(text) = source
            .text
            .get(comment.span.start as usize..comment.span.end as usize)
        else {
            continue;
        };
        for Parsed {
            tool,
            rules,
            reason,
            until,
            mut problem,
            line_only,
        } in markers_in(text)
        {
            let covered = if line_only {
                comment.line
            } else {
                comment.covers
            };
            check_expiry(until, today, &mut problem);
            markers.push(Marker {
                tool,
                rules,
                reason,
                span: comment.span,
                lines: (line(covered.start), line(covered.end)),
                used: false,
                problem,
            });
        }
    }
    markers
}

/// A suppression from a resource's metadata, covering the resource.
fn declared_marker(
    sources: &SourceMap,
    declared: &DeclaredSuppression,
    today: Date,
) -> Option<Marker> {
    let parsed = marker::declared(declared, today)?;
    let line = |offset| sources.location(declared.scope.file, offset).line;
    Some(Marker {
        tool: parsed.tool,
        rules: parsed.rules,
        reason: parsed.reason,
        span: declared.span,
        lines: (line(declared.scope.start), line(declared.scope.end)),
        used: false,
        problem: parsed.problem,
    })
}

/// Lines of a finding that a marker may cover: its primary location and the headers of the
/// statement and resource it names.
fn finding_lines(sources: &SourceMap, finding: &Diagnostic) -> Vec<u32> {
    std::iter::once(finding.span)
        .chain(
            finding
                .related
                .iter()
                .map(|related| related.span)
                .filter(|span| span.file == finding.span.file),
        )
        .map(|span| sources.location(span.file, span.start).line)
        .collect()
}

/// What the suppression pass decides.
pub struct Applied {
    pub kept: Vec<Diagnostic>,
    pub suppressed: Vec<SuppressedFinding>,
    /// Problems with the suppressions themselves (expired, invalid, unused), as findings of the
    /// suppression rules, before the configuration is applied to them.
    pub reported: Vec<Diagnostic>,
}

/// Splits findings into kept and suppressed, and reports problems with the suppressions.
pub fn apply(
    sources: &SourceMap,
    findings: Vec<Diagnostic>,
    declared: &[DeclaredSuppression],
    comments_of: CommentsOf<'_>,
    today: Date,
) -> Applied {
    // The comments of files with findings are read, and those of files with portcullis markers
    // or declared suppressions even without findings, to report unused ones; all in parallel.
    let mut wanted: BTreeSet<FileId> = findings.iter().map(|finding| finding.span.file).collect();
    wanted.extend(declared.iter().map(|declaration| declaration.scope.file));
    let mut markers: BTreeMap<FileId, Vec<Marker>> = sources
        .files()
        .par_iter()
        .filter(|file| wanted.contains(&file.id) || file.text.contains("portcullis:ignore"))
        .map(|file| (file.id, markers_of_file(sources, file, comments_of, today)))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    for declaration in declared {
        if let Some(marker) = declared_marker(sources, declaration, today) {
            markers
                .entry(declaration.scope.file)
                .or_default()
                .push(marker);
        }
    }
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for finding in findings {
        let Some(file_markers) = markers
            .get_mut(&finding.span.file)
            .filter(|file_markers| !file_markers.is_empty())
        else {
            kept.push(finding);
            continue;
        };
        let lines = finding_lines(sources, &finding);
        let matching = file_markers.iter_mut().find(|marker| {
            marker.problem.is_none()
                && (marker.rules.is_empty() || marker.rules.contains(&finding.rule))
                && lines
                    .iter()
                    .any(|line| (marker.lines.0..=marker.lines.1).contains(line))
        });
        match matching {
            Some(marker) => {
                marker.used = true;
                suppressed.push(SuppressedFinding {
                    diagnostic: finding,
                    suppression: Suppression {
                        kind: marker.tool,
                        reason: marker.reason.clone(),
                        span: Some(marker.span),
                    },
                });
            }
            None => kept.push(finding),
        }
    }
    let mut reported = Vec::new();
    for marker in markers.into_values().flatten() {
        if let Some(problem) = &marker.problem {
            reported.push(finding_about(
                problem.rule(),
                &marker,
                &format!("this suppression is ignored: {problem}"),
            ));
        } else if !marker.used && marker.tool.is_portcullis() {
            reported.push(finding_about(
                &UNUSED_SUPPRESSION,
                &marker,
                "this suppression matches no finding",
            ));
        }
    }
    Applied {
        kept,
        suppressed,
        reported,
    }
}

fn finding_about(rule: &'static RuleMeta, marker: &Marker, message: &str) -> Diagnostic {
    let codes: Vec<&str> = marker.rules.iter().map(|rule| rule.code).collect();
    Diagnostic {
        rule,
        severity: rule.default_severity,
        certainty: Certainty::Definite,
        message: message.to_owned(),
        span: marker.span,
        resource: String::new(),
        exposure: None,
        related: Vec::new(),
        suggestions: Vec::new(),
        fingerprint: fingerprint(&[rule.code, &marker.reason, &codes.join(",")]),
        roots: Vec::new(),
        shown_at: None,
    }
}
