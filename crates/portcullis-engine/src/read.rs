//! The text of each file: read in parallel within the size limit, decoded, and registered in the
//! source map, or a problem saying why it could not be.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use portcullis_ir::{FileId, Problem, SourceFile, SourceMap};
use rayon::prelude::*;

use crate::ScanOptions;
use crate::walk::{FileKind, WalkError, file_kind};

/// The files read, registered in path order and sorted by front-end, and the problems of those
/// that could not be walked or read.
pub(crate) struct Inputs {
    pub sources: SourceMap,
    pub problems: Vec<Problem>,
    /// Errors of the walk that concern no path.
    pub walk_messages: Vec<String>,
    pub terraform: Vec<Arc<SourceFile>>,
    pub templates: Vec<Arc<SourceFile>>,
    pub plans: Vec<Arc<SourceFile>>,
}

/// Reads every file in parallel and registers it; a file that cannot be read, or a path the walk
/// could not enter, becomes a problem.
pub(crate) fn read_all(
    paths: Vec<PathBuf>,
    walk_errors: Vec<WalkError>,
    options: &ScanOptions,
) -> Inputs {
    // Files are read and indexed (their line index) in parallel, and registered in path order.
    let read: Vec<(PathBuf, Result<SourceFile, Unreadable>)> = paths
        .into_par_iter()
        .map(|path| {
            let text = match options.overlays.get(&path) {
                Some(text) => buffer_text(&path, text, options),
                None => read_text(&path, &options.paths, options.max_file_size),
            };
            if let Some(counter) = &options.progress {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            let file = text.map(|text| SourceFile::new(FileId(0), display_path(&path), text));
            (path, file)
        })
        .collect();

    let sources = SourceMap::new();
    let mut problems = Vec::new();
    // A directory or file the walk could not enter is reported like a file that could not be
    // read, so that JSON, SARIF and the other formats show it too.
    let mut walk_messages = Vec::new();
    for (path, message) in walk_errors {
        match path {
            Some(path) => {
                let file = sources.add(display_path(&path), "");
                problems.push(Problem {
                    span: file.span(0, 0),
                    message,
                });
            }
            None => walk_messages.push(message),
        }
    }
    let mut terraform_files = Vec::new();
    let mut templates = Vec::new();
    let mut plans = Vec::new();
    for (path, file) in read {
        match file {
            Ok(file) => {
                let file = sources.insert(file);
                match file_kind(&path) {
                    Some(FileKind::Terraform) => terraform_files.push(file),
                    // A plan is JSON too: its content decides.
                    Some(FileKind::CloudFormation) if portcullis_plan::is_plan(&file.text) => {
                        plans.push(file);
                    }
                    Some(FileKind::CloudFormation) => templates.push(file),
                    None => {}
                }
            }
            Err(unreadable) => {
                // A file that is not UTF-8 is registered with its valid prefix and a replacement
                // for the rest, so that the problem sits at the byte that broke it.
                let (text, at) = match unreadable.text {
                    Some((text, offset)) => (text, offset),
                    None => (String::new(), 0),
                };
                let file = sources.add(display_path(&path), text);
                problems.push(Problem {
                    span: file.span(at, at),
                    message: unreadable.message,
                });
            }
        }
    }
    Inputs {
        sources,
        problems,
        walk_messages,
        terraform: terraform_files,
        templates,
        plans,
    }
}

/// `./main.tf` is shown as `main.tf`.
pub(crate) fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./")
        .map_or_else(|| text.clone().into_owned(), str::to_owned)
}

/// Why a file was not analysed.
pub(crate) struct Unreadable {
    message: String,
    /// For a file that is not UTF-8: its text with the invalid bytes replaced, and the offset
    /// of the first one.
    text: Option<(String, usize)>,
}

impl From<String> for Unreadable {
    fn from(message: String) -> Self {
        Self {
            message,
            text: None,
        }
    }
}

fn too_big(size: u64, max_size: u64) -> Unreadable {
    Unreadable::from(format!(
        "file is {size} bytes, over the {max_size}-byte limit; it was not analysed"
    ))
}

/// The text of an unsaved editor buffer, judged as the scan of the saved file would judge it: over
/// the size limit, or saved in an encoding other than UTF-8 (which the editor decoded), it is
/// not analysed.
fn buffer_text(path: &Path, text: &str, options: &ScanOptions) -> Result<String, Unreadable> {
    let size = text.len() as u64;
    if size > options.max_file_size {
        return Err(too_big(size, options.max_file_size));
    }
    if let Err(unreadable) = read_text(path, &options.paths, options.max_file_size)
        && unreadable.text.is_some()
    {
        return Err(unreadable);
    }
    Ok(text.to_owned())
}

/// Reads a file as text, or says why it cannot be.
///
/// A symbolic link is followed only when it resolves to a regular file inside a scanned path (or
/// was named on the command line): a repository must not make the scanner read, and quote in
/// excerpts, files elsewhere on the machine, nor block on a FIFO or a device.
fn read_text(path: &Path, roots: &[PathBuf], max_size: u64) -> Result<String, Unreadable> {
    let cannot_read =
        |error: std::io::Error| Unreadable::from(format!("cannot read file: {error}"));
    let link = std::fs::symlink_metadata(path).map_err(cannot_read)?;
    if link.file_type().is_symlink() && !roots.iter().any(|root| root == path) {
        let target = std::fs::canonicalize(path).map_err(|error| {
            Unreadable::from(format!("cannot read file: broken symbolic link ({error})"))
        })?;
        let inside = roots
            .iter()
            .filter_map(|root| std::fs::canonicalize(root).ok())
            .any(|root| target.starts_with(root));
        if !inside {
            return Err(Unreadable::from(
                "symbolic link to a file outside the scanned paths; it was not followed".to_owned(),
            ));
        }
    }
    let metadata = std::fs::metadata(path).map_err(cannot_read)?;
    if !metadata.is_file() {
        return Err(Unreadable::from(
            "not a regular file; it was not analysed".to_owned(),
        ));
    }
    let too_big = |size: u64| too_big(size, max_size);
    if metadata.len() > max_size {
        return Err(too_big(metadata.len()));
    }
    // The file may grow between the check and the read: never read more than the limit.
    // Sized to the file, so that the text is kept without spare capacity and never copied.
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    std::fs::File::open(path)
        .and_then(|file| file.take(max_size + 1).read_to_end(&mut bytes))
        .map_err(cannot_read)?;
    if bytes.len() as u64 > max_size {
        return Err(too_big(bytes.len() as u64));
    }
    decode(bytes)
}

/// UTF-8, or UTF-16 with a byte-order mark (what some Windows editors write). The mark is kept, as
/// U+FEFF, so that front-ends skip it as they skip a UTF-8 one and columns stay right.
fn decode(bytes: Vec<u8>) -> Result<String, Unreadable> {
    let unit: Option<fn([u8; 2]) -> u16> = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(u16::from_le_bytes),
        Some([0xFE, 0xFF]) => Some(u16::from_be_bytes),
        _ => None,
    };
    if let Some(unit) = unit {
        if !bytes.len().is_multiple_of(2) {
            return Err(Unreadable::from("file starts with a UTF-16 byte-order mark but has an odd number of bytes; it was not analysed".to_owned()));
        }
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| unit([pair[0], pair[1]]))
            .collect();
        return String::from_utf16(&units).map_err(|_| {
            Unreadable::from(
                "file is not valid UTF-16 (an unpaired surrogate); it was not analysed".to_owned(),
            )
        });
    }
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let bytes = error.as_bytes();
        // The prefix is valid UTF-8, so the position can be given as a line and column.
        let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
        Unreadable {
            message: format!(
                "file is not valid UTF-8 (byte 0x{:02x} at line {line}, column {column}, offset {offset}); it was not analysed",
                bytes[offset]
            ),
            text: Some((String::from_utf8_lossy(bytes).into_owned(), offset)),
        }
    })
}
