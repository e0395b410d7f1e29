//! The workspace's configuration: `portcullis.toml` or `.portcullis.toml`, found from the
//! workspace root upwards and read by the CLI's own loader, so that the editor reports what CI
//! reports (rules, severities, ports, trusted CIDRs, Terraform variable files, size limit).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use portcullis_config::Resolved;

#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file and its text when one was found, to tell whether a reload changed anything.
    source: Option<(PathBuf, String)>,
    /// What the analyses use: the defaults when no file was found or it could not be used.
    pub resolved: Arc<Resolved>,
}

impl PartialEq for Config {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// Whether a path is named like a configuration file.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name().is_some_and(|name| {
        portcullis_config::FILE_NAMES
            .iter()
            .any(|known| name == *known)
    })
}

impl Config {
    /// The configuration of a workspace, or why its file could not be used (the defaults apply
    /// then).
    pub fn load(root: Option<&Path>) -> (Self, Option<String>) {
        let Some(path) = root.and_then(portcullis_config::discover) else {
            return (Self::default(), None);
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) => {
                return (
                    Self::default(),
                    Some(format!("{}: {error}", path.display())),
                );
            }
        };
        match portcullis_config::parse(&path, &text) {
            Ok(resolved) => (
                Self {
                    source: Some((path, text)),
                    resolved: Arc::new(resolved),
                },
                None,
            ),
            Err(error) => (
                Self {
                    source: Some((path, text)),
                    resolved: Arc::default(),
                },
                Some(error.to_string()),
            ),
        }
    }
}

/// When and how large a file was last seen: a cheap test of whether it changed on disk, for
/// clients that report no file changes.
pub type Stamp = Option<(std::time::SystemTime, u64)>;

pub fn stamp(path: &Path) -> Stamp {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}

/// The configuration of each directory: its nearest file, found walking up as the CLI finds it,
/// read once and again whenever the file changes.
#[derive(Default)]
pub struct Configs {
    /// By file (`None`: no file, the defaults), with the file's stamp when it was read.
    by_file: BTreeMap<Option<PathBuf>, (Config, Stamp)>,
}

/// What [`Configs::for_dir`] found.
pub struct Found {
    pub file: Option<PathBuf>,
    pub config: Arc<Resolved>,
    /// Why the file could not be used, the first time it is read (the defaults apply).
    pub warning: Option<String>,
    /// Whether the file was read just now.
    pub fresh: bool,
}

impl Configs {
    pub fn for_dir(&mut self, dir: &Path) -> Found {
        let file = portcullis_config::discover(dir);
        if let Some((config, _)) = self.by_file.get(&file) {
            return Found {
                file,
                config: Arc::clone(&config.resolved),
                warning: None,
                fresh: false,
            };
        }
        let (config, warning) = match &file {
            Some(path) => Config::load(Some(path)),
            None => (Config::default(), None),
        };
        let found = Found {
            file: file.clone(),
            config: Arc::clone(&config.resolved),
            warning,
            fresh: true,
        };
        let stamp = file.as_deref().and_then(stamp);
        self.by_file.insert(file, (config, stamp));
        found
    }

    /// Reads again the files that changed on disk; returns those whose configuration changed,
    /// with the warning of each that cannot be used.
    pub fn refresh(&mut self) -> Vec<(PathBuf, Option<String>)> {
        let mut changed = Vec::new();
        for (file, (config, seen)) in &mut self.by_file {
            let Some(path) = file else { continue };
            let now = stamp(path);
            if now == *seen {
                continue;
            }
            *seen = now;
            let (fresh, warning) = Config::load(Some(path));
            if fresh != *config {
                *config = fresh;
                changed.push((path.clone(), warning));
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn workspace(name: &str, config: Option<(&str, &str)>) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "portcullis-lsp-config-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if let Some((file, text)) = config {
            std::fs::write(dir.join(file), text).unwrap();
        }
        dir
    }

    #[test]
    fn reads_what_the_cli_reads() {
        let dir = workspace(
            "full",
            Some((
                ".portcullis.toml",
                "[rules]\ndisable = [\"SG013\"]\nenable = [\"SG015\"]\n[rules.severity]\nSG002 = \"low\"\n",
            )),
        );
        let (config, warning) = Config::load(Some(&dir));
        assert_eq!(warning, None);
        assert_eq!(
            config.source.map(|(path, _)| path),
            Some(dir.join(".portcullis.toml"))
        );
        let settings = &config.resolved.settings;
        let rule = |code| portcullis_checks::find_rule(code).unwrap();
        assert!(!settings.is_enabled(rule("SG013")));
        assert!(settings.is_enabled(rule("SG015")));
        assert_eq!(
            settings.severity_of(rule("SG002")),
            Some(portcullis_diagnostics::Severity::Low)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_invalid_file_is_located_and_the_defaults_apply() {
        let dir = workspace(
            "invalid",
            Some(("portcullis.toml", "[rules]\ndisable = [\"SG999\"]\n")),
        );
        let (config, warning) = Config::load(Some(&dir));
        let warning = warning.unwrap();
        assert!(
            warning.ends_with("portcullis.toml:2:13: no rule is called `SG999`"),
            "{warning}"
        );
        assert!(config.resolved.settings.disable.is_empty());
        // A fixed file is a change, so that open files are analysed again.
        std::fs::write(
            dir.join("portcullis.toml"),
            "[rules]\ndisable = [\"SG002\"]\n",
        )
        .unwrap();
        let (fixed, warning) = Config::load(Some(&dir));
        assert_eq!(warning, None);
        assert_ne!(fixed, config);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn no_file_is_the_default() {
        assert_eq!(Config::load(None).0, Config::default());
        assert!(is_config_file(Path::new("a/portcullis.toml")));
        assert!(is_config_file(Path::new(".portcullis.toml")));
        assert!(!is_config_file(Path::new("portcullis.yaml")));
    }
}
