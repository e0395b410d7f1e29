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
        if let Some(entry) = by_file.get_mut(Path::new(&sources.path(finding.span.file))) {
            entry.0.push(diagnostic.clone());
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
