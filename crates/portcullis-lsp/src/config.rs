//! `portcullis.toml` at the workspace root, read only as far as the server uses it: whether it
//! exists and `[rules] disable`. Kept apart so that the shared config loader can replace it.

use std::path::Path;

use portcullis_checks::Settings;

pub const FILE_NAME: &str = "portcullis.toml";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub found: bool,
    /// Rule codes or names switched off.
    pub disable: Vec<String>,
}

impl Config {
    /// The configuration of a workspace, or why `portcullis.toml` could not be used (the
    /// defaults apply then).
    pub fn load(root: Option<&Path>) -> (Self, Option<String>) {
        let Some(path) = root.map(|root| root.join(FILE_NAME)) else {
            return (Self::default(), None);
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => match Self::parse(&text) {
                Ok(config) => (config, None),
                Err(message) => (
                    Self {
                        found: true,
                        disable: Vec::new(),
                    },
                    Some(format!("{}: {message}", path.display())),
                ),
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => (Self::default(), None),
            Err(error) => (
                Self::default(),
                Some(format!("{}: {error}", path.display())),
            ),
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let table: toml::Table = text
            .parse()
            .map_err(|error: toml::de::Error| error.message().to_owned())?;
        let disable = match table.get("rules").and_then(|rules| rules.get("disable")) {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str().map(str::to_owned).ok_or_else(|| {
                        "`rules.disable` must be a list of rule codes or names".to_owned()
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err("`rules.disable` must be a list of rule codes or names".to_owned());
            }
        };
        Ok(Self {
            found: true,
            disable,
        })
    }

    pub fn settings(&self) -> Settings {
        Settings {
            disable: self.disable.clone(),
            ..Settings::default()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_the_disabled_rules() {
        let config =
            Config::parse("[rules]\ndisable = [\"SG013\", \"icmp-open-to-internet\"]\n").unwrap();
        assert!(config.found);
        assert_eq!(config.disable, ["SG013", "icmp-open-to-internet"]);
        assert_eq!(Config::parse("").unwrap().disable, Vec::<String>::new());
    }

    #[test]
    fn rejects_what_it_cannot_use() {
        assert!(Config::parse("[rules]\ndisable = \"SG013\"").is_err());
        assert!(Config::parse("[rules]\ndisable = [1]").is_err());
        assert!(Config::parse("[rules").is_err());
    }

    #[test]
    fn a_missing_file_is_the_default() {
        let (config, warning) = Config::load(Some(Path::new("/nonexistent/portcullis")));
        assert_eq!((config, warning), (Config::default(), None));
        assert_eq!(Config::load(None).0, Config::default());
    }
}
