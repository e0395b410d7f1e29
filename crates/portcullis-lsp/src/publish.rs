//! What each file of an analysed unit shows.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::convert;

/// A file's findings (with the note of a capped file) and its problems: a problem means the
/// file could not be analysed.
pub type FileDiagnostics = (Vec<lsp_types::Diagnostic>, Vec<lsp_types::Diagnostic>);

/// The diagnostics of every file of the unit, empty for files without any; `diagnostics` are
/// the analysis's findings converted, in the same order.
pub fn per_file(
    analysis: &Analysis,
    diagnostics: &[lsp_types::Diagnostic],
) -> BTreeMap<PathBuf, FileDiagnostics> {
    let sources = &analysis.sources;
    let mut by_file: BTreeMap<PathBuf, FileDiagnostics> = analysis
        .files
        .iter()
        .map(|path| (path.clone(), Default::default()))
        .collect();
    for (finding, diagnostic) in analysis.findings.iter().zip(diagnostics) {
        let file = sources.path(finding.span.file);
        if let Some(entry) = by_file.get_mut(Path::new(&file)) {
            entry.0.push(diagnostic.clone());
            continue;
        }
        // Module code outside the unit (another directory, a downloaded or installed module):
        // shown at the first argument of the unit's files that leads to it, the call's.
        let Some(caller) = finding
            .related
            .iter()
            .find(|related| by_file.contains_key(Path::new(&sources.path(related.span.file))))
        else {
            continue;
        };
        let mut moved = diagnostic.clone();
        let location = sources.location(finding.span.file, finding.span.start);
        moved.message = format!(
            "{} (in module code, {file}:{})",
            diagnostic.message, location.line
        );
        moved.range = convert::range(sources, caller.span);
        if let Some(uri) = crate::uri::from_path(Path::new(&file)) {
            moved
                .related_information
                .get_or_insert_with(Vec::new)
                .insert(
                    0,
                    lsp_types::DiagnosticRelatedInformation {
                        location: lsp_types::Location::new(uri, diagnostic.range),
                        message: format!("`{}` in module code", finding.resource),
                    },
                );
        }
        if let Some(entry) = by_file.get_mut(Path::new(&sources.path(caller.span.file))) {
            entry.0.push(moved);
        }
    }
    for problem in &analysis.problems {
        if let Some(entry) = by_file.get_mut(Path::new(&sources.path(problem.span.file))) {
            // A note that findings were capped goes with the findings it counts; any other
            // problem means the file could not be analysed.
            if analysis.is_cap_note(problem) {
                entry.0.push(convert::problem(sources, problem));
            } else {
                entry.1.push(convert::problem(sources, problem));
            }
        }
    }
    by_file
}
