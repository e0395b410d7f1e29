//! `--fix`: applies the edits of suggestions to the scanned files, safe ones only unless
//! `--unsafe-fixes` is given. Nothing is written without one of these flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use portcullis_diagnostics::{Applicability, Diagnostic};
use portcullis_ir::{FileId, SourceMap};

/// What `--fix` did.
pub struct Applied {
    pub findings: usize,
    pub files: usize,
    /// Files left alone because they changed on disk since the scan read them.
    pub skipped: Vec<String>,
    /// Files left alone because they are module code outside the scanned files: downloaded into
    /// the cache, installed under `.terraform/`, or followed with `--allow-outside-root`.
    pub outside: Vec<String>,
}

/// Byte ranges and their replacements, per file.
type EditsByFile = BTreeMap<FileId, Vec<(u32, u32, String)>>;

/// The edits to apply: one suggestion per finding, the first whose applicability is allowed.
fn chosen_edits(findings: &[Diagnostic], unsafe_fixes: bool) -> (EditsByFile, usize) {
    let allowed = |applicability: Applicability| {
        applicability == Applicability::Safe
            || (unsafe_fixes && applicability == Applicability::Unsafe)
    };
    let mut by_file = EditsByFile::new();
    let mut fixed = 0;
    for finding in findings {
        let Some(suggestion) = finding
            .suggestions
            .iter()
            .find(|suggestion| !suggestion.edits.is_empty() && allowed(suggestion.applicability))
        else {
            continue;
        };
        fixed += 1;
        for edit in &suggestion.edits {
            by_file.entry(edit.span.file).or_default().push((
                edit.span.start,
                edit.span.end,
                edit.replacement.clone(),
            ));
        }
    }
    (by_file, fixed)
}

/// Applies the chosen edits; overlapping edits after the first are dropped, so that the result
/// is exactly what each edit says.
/// Only files within the `scanned` paths, and not under `.terraform/`, are written.
pub fn apply(
    sources: &SourceMap,
    findings: &[Diagnostic],
    unsafe_fixes: bool,
    scanned: &[PathBuf],
) -> Result<Applied, String> {
    let (by_file, fixed) = chosen_edits(findings, unsafe_fixes);
    let mut applied = Applied {
        findings: fixed,
        files: 0,
        skipped: Vec::new(),
        outside: Vec::new(),
    };
    for (file, mut edits) in by_file {
        let Some(source) = sources.get(file) else {
            continue;
        };
        if !portcullis_engine::is_scanned_repository_file(scanned, Path::new(&source.path)) {
            applied.outside.push(source.path.clone());
            continue;
        }
        let on_disk = std::fs::read_to_string(&source.path)
            .map_err(|error| format!("{}: {error}", source.path))?;
        if on_disk != *source.text {
            applied.skipped.push(source.path.clone());
            continue;
        }
        edits.sort_by_key(|(start, end, _)| (*start, *end));
        edits.dedup();
        let mut text = on_disk;
        let mut next_start = u32::MAX;
        for (start, end, replacement) in edits.into_iter().rev() {
            if end > next_start
                || !text.is_char_boundary(start as usize)
                || !text.is_char_boundary(end as usize)
            {
                continue;
            }
            text.replace_range(start as usize..end as usize, &replacement);
            next_start = start;
        }
        std::fs::write(&source.path, text).map_err(|error| format!("{}: {error}", source.path))?;
        applied.files += 1;
    }
    Ok(applied)
}
