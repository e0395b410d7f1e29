//! Quick fixes: the suggestions that carry edits, and a suppression comment with a reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_types::{
    CodeAction, CodeActionKind, DocumentChanges, OneOf, OptionalVersionedTextDocumentIdentifier,
    Range, TextDocumentEdit, TextEdit, WorkspaceEdit,
};
use portcullis_diagnostics::{Applicability, Diagnostic, Edit};
use portcullis_ir::SourceMap;

use crate::convert;

// The reason is left for the user to write: until they do, the suppression is reported invalid
// (SUP003) and suppresses nothing.
use portcullis_engine::PLACEHOLDER_REASON;

/// Every code action for one finding. `versions` are the buffer versions the analysis read,
/// so that a client refuses edits computed for older text.
pub fn for_finding(
    sources: &SourceMap,
    finding: &Diagnostic,
    diagnostic: &lsp_types::Diagnostic,
    versions: &BTreeMap<PathBuf, i32>,
) -> Vec<CodeAction> {
    let quick_fix = |title: String, edits: &[Edit], preferred: bool| CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(workspace_edit(sources, edits, versions)),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    };
    let mut actions: Vec<CodeAction> = finding
        .suggestions
        .iter()
        .filter(|suggestion| !suggestion.edits.is_empty())
        .map(|suggestion| {
            let title = match suggestion.applicability {
                Applicability::Unsafe => format!("{} (unsafe)", suggestion.message),
                _ => suggestion.message.clone(),
            };
            quick_fix(
                title,
                &suggestion.edits,
                suggestion.applicability == Applicability::Safe,
            )
        })
        .collect();
    if let Some(edit) = suppression(sources, finding) {
        actions.push(quick_fix(
            format!("Suppress {} here, with a reason", finding.rule.code),
            &[edit],
            false,
        ));
    }
    actions
}

/// Edits grouped by file, in path order.
fn workspace_edit(
    sources: &SourceMap,
    edits: &[Edit],
    versions: &BTreeMap<PathBuf, i32>,
) -> WorkspaceEdit {
    let mut by_file: BTreeMap<String, Vec<OneOf<TextEdit, _>>> = BTreeMap::new();
    for edit in edits {
        by_file
            .entry(sources.path(edit.span.file))
            .or_default()
            .push(OneOf::Left(TextEdit::new(
                convert::range(sources, edit.span),
                edit.replacement.clone(),
            )));
    }
    let changes = by_file
        .into_iter()
        .filter_map(|(path, edits)| {
            let path = PathBuf::from(path);
            Some(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: crate::uri::from_path(&path)?,
                    version: versions.get(&path).copied(),
                },
                edits,
            })
        })
        .collect();
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Edits(changes)),
        ..WorkspaceEdit::default()
    }
}

/// `# portcullis:ignore[CODE] reason="..."` on its own line above the finding, indented like
/// it. JSON has no comments, so JSON files get none.
fn suppression(sources: &SourceMap, finding: &Diagnostic) -> Option<Edit> {
    let file = sources.get(finding.span.file)?;
    if Path::new(&file.path)
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("json"))
    {
        return None;
    }
    let before = file.text.get(..finding.span.start as usize)?;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let indent: String = file.text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = if file.text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Some(Edit {
        span: file.span(line_start, line_start),
        replacement: format!(
            "{indent}# portcullis:ignore[{}] reason=\"{PLACEHOLDER_REASON}\"{newline}",
            finding.rule.code
        ),
    })
}

/// Whether two ranges share a position (an empty request range at a finding's edge counts).
pub fn overlaps(a: &Range, b: &Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use lsp_types::Position;

    fn finding_in(path: &str, text: &str) -> (SourceMap, Vec<Diagnostic>) {
        let path = std::path::PathBuf::from(path);
        let mut options = portcullis_engine::ScanOptions::new(vec![path.clone()]);
        options.overlays.insert(path, text.to_owned());
        let result = portcullis_engine::run(options).unwrap();
        (result.sources, result.findings)
    }

    const SSH: &str = "resource \"aws_security_group\" \"web\" {\n  ingress {\n    protocol    = \"tcp\"\n    from_port   = 22\n    to_port     = 22\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n";

    #[test]
    fn suppression_goes_above_the_finding_with_its_indent() {
        let (sources, findings) = finding_in("/m/main.tf", SSH);
        let ssh = findings.iter().find(|f| f.rule.code == "SG002").unwrap();
        let edit = suppression(&sources, ssh).unwrap();
        let line_six = Position::new(5, 0);
        assert_eq!(
            convert::range(&sources, edit.span),
            Range::new(line_six, line_six)
        );
        assert_eq!(
            edit.replacement,
            format!("    # portcullis:ignore[SG002] reason=\"{PLACEHOLDER_REASON}\"\n")
        );
    }

    #[test]
    fn json_gets_no_suppression() {
        let json = r#"{"resource": {"aws_security_group": {"web": {"ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]}}}}"#;
        let (sources, findings) = finding_in("/m/main.tf.json", json);
        let ssh = findings.iter().find(|f| f.rule.code == "SG002").unwrap();
        assert!(suppression(&sources, ssh).is_none());
    }

    #[test]
    fn actions_carry_versions_and_the_diagnostic() {
        let (sources, findings) = finding_in("/m/main.tf", SSH);
        let ssh = findings.iter().find(|f| f.rule.code == "SG002").unwrap();
        let diagnostic = convert::finding(&sources, ssh);
        let versions = BTreeMap::from([(PathBuf::from("/m/main.tf"), 7)]);
        let actions = for_finding(&sources, ssh, &diagnostic, &versions);
        let suppress = actions.last().unwrap();
        assert!(suppress.title.starts_with("Suppress SG002"));
        let Some(DocumentChanges::Edits(edits)) = &suppress.edit.as_ref().unwrap().document_changes
        else {
            panic!("expected document edits");
        };
        assert_eq!(edits[0].text_document.version, Some(7));
        assert_eq!(edits[0].text_document.uri.as_str(), "file:///m/main.tf");
    }

    #[test]
    fn overlapping_ranges() {
        let range = |a, b| Range::new(Position::new(0, a), Position::new(0, b));
        assert!(overlaps(&range(0, 5), &range(5, 5)));
        assert!(overlaps(&range(2, 3), &range(0, 9)));
        assert!(!overlaps(&range(0, 2), &range(3, 4)));
    }
}
