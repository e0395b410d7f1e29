//! portcullis diagnostics as LSP diagnostics: UTF-16 ranges, severities, rule links.

use std::str::FromStr;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Uri,
};
use portcullis_diagnostics::{Certainty, Diagnostic, Severity};
use portcullis_ir::{Problem, SourceMap, Span};

pub const SOURCE: &str = "portcullis";

/// The LSP range of a byte span, in UTF-16 code units.
pub fn range(sources: &SourceMap, span: Span) -> Range {
    let position = |offset| {
        let location = sources.location(span.file, offset);
        Position::new(
            location.line.saturating_sub(1),
            location.utf16_column.saturating_sub(1),
        )
    };
    Range::new(position(span.start), position(span.end))
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Critical | Severity::High => DiagnosticSeverity::ERROR,
        Severity::Medium => DiagnosticSeverity::WARNING,
        Severity::Low => DiagnosticSeverity::INFORMATION,
        Severity::Info => DiagnosticSeverity::HINT,
    }
}

pub fn finding(sources: &SourceMap, finding: &Diagnostic) -> lsp_types::Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|related| {
            let uri = crate::uri::from_path(sources.path(related.span.file).as_ref())?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri, range(sources, related.span)),
                message: related.message.clone(),
            })
        })
        .collect();
    let message = match finding.certainty {
        Certainty::Definite => finding.message.clone(),
        Certainty::Possible => format!("{} (possible)", finding.message),
    };
    lsp_types::Diagnostic {
        range: range(sources, finding.span),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.code.to_owned())),
        code_description: Uri::from_str(&finding.rule.help_uri())
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// A file that could not be read or parsed.
pub fn problem(sources: &SourceMap, problem: &Problem) -> lsp_types::Diagnostic {
    lsp_types::Diagnostic {
        range: range(sources, problem.span),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(SOURCE.to_owned()),
        message: problem.message.clone(),
        ..lsp_types::Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_count_utf16_units() {
        let sources = SourceMap::new();
        let file = sources.add("/a.tf", "x = 1\n# 😀 = \"0.0.0.0/0\"\n");
        let start = file.text.find('"').unwrap_or_default();
        let range = range(&sources, file.span(start, start + 11));
        assert_eq!(range, Range::new(Position::new(1, 7), Position::new(1, 18)));
    }

    #[test]
    fn severities() {
        assert_eq!(severity(Severity::Critical), DiagnosticSeverity::ERROR);
        assert_eq!(severity(Severity::High), DiagnosticSeverity::ERROR);
        assert_eq!(severity(Severity::Medium), DiagnosticSeverity::WARNING);
        assert_eq!(severity(Severity::Low), DiagnosticSeverity::INFORMATION);
        assert_eq!(severity(Severity::Info), DiagnosticSeverity::HINT);
    }
}
