//! Which files a scan reads: the walk of the scanned paths (honouring .gitignore and the exclude
//! patterns, skipping module caches and dependencies), plus unsaved editor buffers.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::downloads::absolute;
use crate::{ScanError, ScanOptions};

/// Which front-end reads a file, by its name. JSON files are CloudFormation candidates until
/// their content says they are plans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Terraform,
    CloudFormation,
}

/// The kind of a file the scan reads; `None` for files it does not.
pub fn file_kind(path: &Path) -> Option<FileKind> {
    if portcullis_terraform::is_terraform_file(path) {
        Some(FileKind::Terraform)
    } else if portcullis_cloudformation::is_candidate(path) {
        Some(FileKind::CloudFormation)
    } else {
        None
    }
}

/// Directories never scanned: module caches (read only for module resolution), dependencies,
/// and CDK asset bundles (the synthesized templates next to them are scanned).
fn is_skipped_dir(name: &str) -> bool {
    matches!(
        name,
        ".terraform" | ".terragrunt-cache" | "node_modules" | ".git"
    ) || name.starts_with("asset.")
}

/// An error of the walk, with the path it concerns when there is one.
pub(crate) type WalkError = (Option<PathBuf>, String);

/// The path an error of the walk is about, through the layers `ignore` wraps it in.
fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

/// The exclude patterns (gitignore syntax) as the walk of `root` applies them.
fn exclusions(root: &Path, exclude: &[String]) -> Result<ignore::overrides::Override, ScanError> {
    let mut overrides = ignore::overrides::OverrideBuilder::new(root);
    for pattern in exclude {
        overrides.add(&format!("!{pattern}")).map_err(|error| {
            ScanError::CannotRun(format!("exclude pattern `{pattern}`: {error}"))
        })?;
    }
    overrides
        .build()
        .map_err(|error| ScanError::CannotRun(format!("exclude patterns: {error}")))
}

/// Whether a scan of `root` with these exclude patterns leaves `path` out: the file or one of its
/// directories below `root` matches a pattern. For callers that name files themselves (the
/// language server), so that they skip what the CLI's walk skips.
pub fn is_excluded(root: &Path, exclude: &[String], path: &Path) -> bool {
    let Ok(overrides) = exclusions(root, exclude) else {
        return false;
    };
    let Ok(relative) = path.strip_prefix(root) else {
        return false;
    };
    let mut current = root.to_path_buf();
    let mut components = relative.components().peekable();
    while let Some(component) = components.next() {
        current.push(component);
        let is_dir = components.peek().is_some();
        if overrides.matched(&current, is_dir).is_ignore() {
            return true;
        }
    }
    false
}

/// Every candidate file under the given paths, sorted, with the walk's errors.
fn discover(
    paths: &[PathBuf],
    exclude: &[String],
    threads: usize,
) -> Result<(Vec<PathBuf>, Vec<WalkError>), ScanError> {
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    for root in paths {
        if root.is_file() {
            found
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(root.clone());
            continue;
        }
        if !root.exists() {
            errors
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((Some(root.clone()), "no such file or directory".to_owned()));
            continue;
        }
        let overrides = exclusions(root, exclude)?;
        let walker = ignore::WalkBuilder::new(root)
            .overrides(overrides)
            .hidden(false)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .follow_links(false)
            .threads(threads)
            .filter_entry(|entry| {
                let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
                !(is_dir
                    && entry.depth() > 0
                    && is_skipped_dir(&entry.file_name().to_string_lossy()))
            })
            .build_parallel();
        walker.run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        // Links are not walked into, but a linked file is read (or refused)
                        // by `read_text`, never skipped without a word.
                        let is_file = entry.file_type().is_some_and(|kind| kind.is_file())
                            || entry.path_is_symlink();
                        if is_file && file_kind(entry.path()).is_some() {
                            found
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .push(entry.into_path());
                        }
                    }
                    Err(error) => errors
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((error_path(&error), error.to_string())),
                }
                ignore::WalkState::Continue
            })
        });
    }
    let mut found = found.into_inner().unwrap_or_else(PoisonError::into_inner);
    found.sort();
    found.dedup();
    let mut errors = errors.into_inner().unwrap_or_else(PoisonError::into_inner);
    errors.sort();
    Ok((found, errors))
}

/// The files to scan, sorted: those the walk of the scanned paths finds and the unsaved buffers
/// under them, with the errors of the walk. Fails when nothing at all could be walked.
pub(crate) fn files_to_scan(
    options: &ScanOptions,
) -> Result<(Vec<PathBuf>, Vec<WalkError>), ScanError> {
    // A path given that exists only as an unsaved buffer is not walked: the overlay provides it.
    let on_disk: Vec<PathBuf> = options
        .paths
        .iter()
        .filter(|path| !options.overlays.contains_key(*path))
        .cloned()
        .collect();
    let (paths, walk_errors) = discover(&on_disk, &options.exclude, rayon::current_num_threads())?;
    if paths.is_empty() && !walk_errors.is_empty() && options.overlays.is_empty() {
        let messages: Vec<String> = walk_errors
            .iter()
            .map(|(path, message)| match path {
                Some(path) if !message.contains(&*path.to_string_lossy()) => {
                    format!("{}: {message}", path.display())
                }
                _ => message.clone(),
            })
            .collect();
        return Err(ScanError::CannotRun(messages.join("; ")));
    }
    // Unsaved editor buffers replace the disk, and count even before their first save.
    let mut paths = paths;
    paths.extend(
        options
            .overlays
            .keys()
            .filter(|path| {
                file_kind(path).is_some() && options.paths.iter().any(|root| path.starts_with(root))
            })
            .cloned(),
    );
    paths.sort();
    paths.dedup();
    Ok((paths, walk_errors))
}

/// Whether `path` lies in one of the scanned `paths` (compared absolute, without `.` and `..`).
/// A scanned file stands for its directory, as for module sources: the modules beside it are
/// in the scan.
fn is_within(paths: &[PathBuf], path: &Path) -> bool {
    let path = absolute(path);
    paths.iter().any(|scanned| {
        let scanned = absolute(scanned);
        let dir = match scanned.parent() {
            Some(parent) if scanned.is_file() => parent,
            _ => &scanned,
        };
        path.starts_with(dir)
    })
}

/// Whether `path` is repository code of the scan: within the scanned `paths` and not under
/// `.terraform/` (installed modules, which are never committed).
pub fn is_scanned_repository_file(paths: &[PathBuf], path: &Path) -> bool {
    is_within(paths, path)
        && !path
            .components()
            .any(|part| part.as_os_str() == ".terraform")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn within_the_scanned_paths_a_file_stands_for_its_directory() {
        let root = std::env::temp_dir().join(format!("portcullis-within-{}", std::process::id()));
        std::fs::create_dir_all(root.join("app/modules/sg")).unwrap();
        std::fs::write(root.join("app/main.tf"), "").unwrap();
        let scanned = [root.join("app/main.tf")];
        assert!(is_within(&scanned, &root.join("app/modules/sg/main.tf")));
        assert!(is_within(&scanned, &root.join("app/x/../main.tf")));
        assert!(!is_within(&scanned, &root.join("other/main.tf")));
        assert!(!is_within(&scanned, &root.join("app/../other/main.tf")));
        let relative = [PathBuf::from("app")];
        assert!(is_within(&relative, Path::new("./app/main.tf")));
        assert!(!is_within(&relative, Path::new("application/main.tf")));
        assert!(is_scanned_repository_file(
            &relative,
            Path::new("app/modules/main.tf")
        ));
        assert!(!is_scanned_repository_file(
            &relative,
            Path::new("app/.terraform/modules/sg/main.tf")
        ));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn is_excluded_agrees_with_the_walk() {
        let root = std::env::temp_dir().join(format!("portcullis-excluded-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let files = [
            "main.tf",
            "prod.tfvars",
            "db/main.tf",
            "db/nested/main.tf",
            "app/legacy/main.tf",
            "app/main.tf",
            "stack.yaml",
            "stacks/stack.yaml",
        ];
        for file in files {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let exclude: Vec<String> = ["db/", "**/legacy/**", "*.tfvars", "/stack.yaml"]
            .map(str::to_owned)
            .to_vec();
        let (walked, errors) = discover(std::slice::from_ref(&root), &exclude, 1).unwrap();
        assert!(errors.is_empty());
        let kept: Vec<PathBuf> = files
            .iter()
            .map(|file| root.join(file))
            .filter(|path| !is_excluded(&root, &exclude, path))
            .collect();
        let mut kept = kept;
        kept.sort();
        assert_eq!(kept, walked);
        assert_eq!(
            kept,
            [
                root.join("app/main.tf"),
                root.join("main.tf"),
                root.join("stacks/stack.yaml")
            ]
        );
        // Outside the root, or without patterns, nothing is excluded.
        assert!(!is_excluded(
            &root,
            &exclude,
            Path::new("/elsewhere/db/main.tf")
        ));
        assert!(!is_excluded(&root, &[], &root.join("db/main.tf")));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
