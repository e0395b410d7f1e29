//! Where a configuration's modules live: local sources read in place, and the directories
//! `terraform init` installed the others in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Whether a module source is a local path, which Terraform reads in place: `./...`, `../...`,
/// `.` or `..`.
pub fn is_local_source(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
}

/// `.terraform/modules/modules.json` under a root: where `terraform init` installed each module
/// key (`sg`, `sg.rules`), as the manifest writes it (relative to the root). An absent or
/// unreadable manifest is empty.
pub fn installed_modules(root: &Path) -> BTreeMap<String, PathBuf> {
    let path = root.join(".terraform").join("modules").join("modules.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        return BTreeMap::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return BTreeMap::new();
    };
    let Some(modules) = json.get("Modules").and_then(serde_json::Value::as_array) else {
        return BTreeMap::new();
    };
    modules
        .iter()
        .filter_map(|entry| {
            let key = entry.get("Key")?.as_str()?;
            let dir = entry.get("Dir")?.as_str()?;
            (!key.is_empty()).then(|| (key.to_owned(), PathBuf::from(dir)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_sources_are_paths_from_the_calling_directory() {
        for local in ["./sg", "../shared/sg", ".", ".."] {
            assert!(is_local_source(local), "{local}");
        }
        for remote in [
            "terraform-aws-modules/security-group/aws",
            "git::https://example.com/sg.git",
            ".hidden",
            "..x",
            "sg",
        ] {
            assert!(!is_local_source(remote), "{remote}");
        }
    }
}
