//! One analysis unit as the editor sees it: a Terraform root module (the files of one
//! directory) or one CloudFormation template, with open buffers in place of the files on disk.
//!
//! This runs the front-ends and the checker itself rather than `portcullis_engine::run`: the
//! engine walks directories recursively and does not yet apply `ScanOptions.overlays`, while an
//! editor needs exactly one unit, from unsaved text, including files not yet on disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use portcullis_checks::Settings;
use portcullis_diagnostics::Diagnostic;
use portcullis_ir::{Problem, SourceFile, SourceMap, Unit};

/// What is analysed together.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A directory of Terraform files: a change to `variables.tf` changes `main.tf`'s findings.
    Module(PathBuf),
    Template(PathBuf),
}

impl Target {
    /// The unit a file belongs to; `None` for files portcullis does not read.
    pub fn of(path: &Path) -> Option<Self> {
        if portcullis_terraform::is_terraform_file(path) {
            path.parent().map(|dir| Self::Module(dir.to_path_buf()))
        } else if portcullis_cloudformation::is_candidate(path) {
            Some(Self::Template(path.to_path_buf()))
        } else {
            None
        }
    }
}

/// Open buffers by path.
pub type Overlays = BTreeMap<PathBuf, Arc<str>>;

pub struct Analysis {
    pub sources: SourceMap,
    /// The files of the unit, each of which gets a diagnostics list (empty clears old ones).
    pub files: Vec<PathBuf>,
    pub findings: Vec<Diagnostic>,
    pub problems: Vec<Problem>,
}

impl Analysis {
    pub fn run(
        target: &Target,
        overlays: &Overlays,
        settings: &Settings,
        workspace: Option<&Path>,
    ) -> Self {
        let files = match target {
            Target::Module(dir) => module_files(dir, overlays),
            // A template closed before it was ever saved has nothing left to analyse.
            Target::Template(path) if overlays.contains_key(path) || path.is_file() => {
                vec![path.clone()]
            }
            Target::Template(_) => Vec::new(),
        };
        let sources = SourceMap::new();
        let mut problems = Vec::new();
        let mut read = Vec::new();
        for path in &files {
            let display = path.to_string_lossy();
            match overlays.get(path) {
                Some(text) => read.push(sources.add(display, Arc::clone(text))),
                None => match read_text(path) {
                    Ok(text) => read.push(sources.add(display, text)),
                    Err(message) => {
                        let file = sources.add(display, "");
                        problems.push(Problem {
                            span: file.span(0, 0),
                            message,
                        });
                    }
                },
            }
        }
        let units = match target {
            Target::Module(_) => {
                let options = portcullis_terraform::Options {
                    scan_roots: workspace.map(Path::to_path_buf).into_iter().collect(),
                    ..portcullis_terraform::Options::default()
                };
                portcullis_terraform::analyze(&read, &sources, &options)
            }
            Target::Template(_) => read
                .iter()
                .filter_map(|file: &Arc<SourceFile>| {
                    portcullis_cloudformation::analyze(
                        file,
                        &portcullis_cloudformation::Options::default(),
                    )
                })
                .collect::<Vec<Unit>>(),
        };
        let mut findings: Vec<Diagnostic> = units
            .iter()
            .flat_map(|unit| portcullis_checks::check(&unit.inventory, &sources, settings))
            .collect();
        problems.extend(units.into_iter().flat_map(|unit| unit.problems));
        portcullis_report::sort_findings(&sources, &mut findings);
        portcullis_report::sort_problems(&sources, &mut problems);
        Self {
            sources,
            files,
            findings,
            problems,
        }
    }
}

/// The Terraform files of a directory, on disk or only open in the editor, sorted.
fn module_files(dir: &Path, overlays: &Overlays) -> Vec<PathBuf> {
    let on_disk = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file());
    let open = overlays
        .keys()
        .filter(|path| path.parent() == Some(dir))
        .cloned();
    let mut files: Vec<PathBuf> = on_disk
        .chain(open)
        .filter(|path| portcullis_terraform::is_terraform_file(path))
        .collect();
    files.sort();
    files.dedup();
    files
}

/// A file's text, or why it cannot be analysed, with the limits the CLI applies.
fn read_text(path: &Path) -> Result<String, String> {
    let metadata = std::fs::metadata(path).map_err(|error| format!("cannot read file: {error}"))?;
    if metadata.len() > portcullis_engine::MAX_FILE_SIZE {
        return Err(format!(
            "file is {} bytes, over the {}-byte limit; it was not analysed",
            metadata.len(),
            portcullis_engine::MAX_FILE_SIZE
        ));
    }
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read file: {error}"))?;
    String::from_utf8(bytes).map_err(|error| {
        format!(
            "file is not valid UTF-8 (invalid byte at offset {}); it was not analysed",
            error.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn buffers_not_yet_saved_are_part_of_their_unit() {
        let dir = std::env::temp_dir().join(format!("portcullis-lsp-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("main.tf"), "variable \"x\" {}\n").unwrap();
        let unsaved = dir.join("new.tf");
        let overlays = Overlays::from([(
            unsaved.clone(),
            Arc::from(
                "resource \"aws_security_group\" \"a\" {\n  ingress {\n    protocol = \"tcp\"\n    from_port = 22\n    to_port = 22\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
            ),
        )]);
        let settings = Settings::default();
        let analysis = Analysis::run(&Target::Module(dir.clone()), &overlays, &settings, None);
        assert_eq!(analysis.files, [dir.join("main.tf"), unsaved.clone()]);
        let finding = analysis.findings.first().unwrap();
        assert_eq!(finding.rule.code, "SG002");
        assert_eq!(
            analysis.sources.path(finding.span.file),
            unsaved.to_string_lossy()
        );

        // A template that exists nowhere has nothing to publish.
        let gone = Target::Template(dir.join("gone.yaml"));
        assert!(
            Analysis::run(&gone, &Overlays::new(), &settings, None)
                .files
                .is_empty()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
