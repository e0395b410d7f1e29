//! One analysis unit as the editor sees it: a Terraform root module (the files of one
//! directory) or one CloudFormation template, with open buffers in place of the files on disk.
//!
//! The unit's files are passed to the engine one by one (a directory would be walked
//! recursively), with every open buffer as an overlay, so the editor sees what the CLI reports:
//! the same front-ends, rules, configuration and suppressions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use portcullis_config::Resolved;
use portcullis_diagnostics::Diagnostic;
use portcullis_engine::FileKind;
use portcullis_ir::{FileId, Problem, SourceMap, Span};

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
        match portcullis_engine::file_kind(path)? {
            FileKind::Terraform => path.parent().map(|dir| Self::Module(dir.to_path_buf())),
            FileKind::CloudFormation => Some(Self::Template(path.to_path_buf())),
        }
    }
}

impl Target {
    /// The directory whose configuration applies.
    pub fn dir(&self) -> PathBuf {
        match self {
            Self::Module(dir) => dir.clone(),
            Self::Template(path) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
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
    /// The files whose findings were capped, with the span of the problem that says so: the
    /// file was analysed, and its findings are shown with that note.
    pub capped: BTreeMap<FileId, Span>,
}

impl Analysis {
    pub fn run(
        target: &Target,
        overlays: &Overlays,
        config: &Resolved,
        workspace: Option<&Path>,
        cancel: Option<Arc<AtomicBool>>,
    ) -> Self {
        let files = match target {
            Target::Module(dir) => module_files(dir, overlays),
            // A template closed before it was ever saved has nothing left to analyse.
            Target::Template(path) if overlays.contains_key(path) || path.is_file() => {
                vec![path.clone()]
            }
            Target::Template(_) => Vec::new(),
        };
        // What the CLI's walk would leave out is not analysed; its files get empty lists.
        let included: Vec<PathBuf> = files
            .iter()
            .filter(|path| {
                !workspace
                    .is_some_and(|root| portcullis_engine::is_excluded(root, &config.exclude, path))
            })
            .cloned()
            .collect();
        let mut options = portcullis_engine::ScanOptions::configured(included, config);
        options.overlays = overlays
            .iter()
            .map(|(path, text)| (path.clone(), text.to_string()))
            .collect();
        options.terraform.scan_roots = workspace.map(Path::to_path_buf).into_iter().collect();
        options.cancel = cancel;
        let (sources, findings, problems, capped) = match portcullis_engine::run(options) {
            Ok(result) => (
                result.sources,
                result.findings,
                result.problems,
                result.capped,
            ),
            // Nothing to analyse (every file vanished): nothing to publish but empty lists. A
            // cancelled analysis ends here too; it was cancelled because its unit changed, so the
            // server drops its result as stale.
            Err(_) => (SourceMap::new(), Vec::new(), Vec::new(), BTreeMap::new()),
        };
        Self {
            sources,
            files,
            findings,
            problems,
            capped,
        }
    }

    /// Whether a problem only says that findings were capped, not that the file went unread.
    pub fn is_cap_note(&self, problem: &Problem) -> bool {
        self.capped.get(&problem.span.file) == Some(&problem.span)
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
        .filter(|path| portcullis_engine::file_kind(path) == Some(FileKind::Terraform))
        .collect();
    files.sort();
    files.dedup();
    files
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
        let config = Resolved::default();
        let analysis = Analysis::run(&Target::Module(dir.clone()), &overlays, &config, None, None);
        assert_eq!(analysis.files, [dir.join("main.tf"), unsaved.clone()]);
        let finding = analysis.findings.first().unwrap();
        assert_eq!(finding.rule.code, "SG002");
        assert_eq!(
            analysis.sources.path(finding.span.file),
            unsaved.to_string_lossy()
        );

        // A file the configuration excludes is listed, to clear it, but not analysed.
        let config = Resolved {
            exclude: vec!["new.tf".to_owned()],
            ..Resolved::default()
        };
        let excluded = Analysis::run(
            &Target::Module(dir.clone()),
            &overlays,
            &config,
            Some(&dir),
            None,
        );
        assert_eq!(excluded.files, [dir.join("main.tf"), unsaved.clone()]);
        assert!(excluded.findings.is_empty());

        // A template that exists nowhere has nothing to publish.
        let gone = Target::Template(dir.join("gone.yaml"));
        assert!(
            Analysis::run(&gone, &Overlays::new(), &config, None, None)
                .files
                .is_empty()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
