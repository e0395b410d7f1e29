//! Which files are Terraform files, and paths as Terraform joins them.

use std::path::{Component, Path, PathBuf};

/// Whether a path is a Terraform file this front-end reads.
pub fn is_terraform_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    [".tf", ".tf.json", ".tfvars", ".tfvars.json"]
        .iter()
        .any(|suffix| name.len() > suffix.len() && name.ends_with(suffix))
}

pub fn is_tfvars(path: &str) -> bool {
    path.ends_with(".tfvars") || path.ends_with(".tfvars.json")
}

/// Removes `.` and resolves `..` lexically (no filesystem access, symlinks are not followed).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

pub fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The directory of a file path as given (`.` for a bare file name).
pub fn dir_of(path: &str) -> PathBuf {
    normalize(Path::new(path).parent().unwrap_or_else(|| Path::new("")))
}
