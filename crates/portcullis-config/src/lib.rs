//! `portcullis.toml` (or `.portcullis.toml`): found by walking up from the scanned path, or given
//! with `--config`. Unknown keys and invalid values are errors with file, line and column.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use portcullis_checks::catalogue::{Catalogue, Category, Service};
use portcullis_checks::{RULES, Settings, find_rule};
use portcullis_diagnostics::Severity;
use portcullis_net::{Cidr, PortRange, Protocol};
use serde::Deserialize;

pub const FILE_NAMES: [&str; 2] = ["portcullis.toml", ".portcullis.toml"];

/// The configuration as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Exit with 1 when a finding is at or above this severity.
    pub fail_on: Option<String>,
    /// Glob patterns (gitignore syntax) of paths not to scan.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Networks trusted for administration; offered as the tighter CIDR in remedies.
    #[serde(default)]
    pub trusted_cidrs: Vec<String>,
    /// Files larger than this many bytes are reported instead of read.
    pub max_file_size: Option<u64>,
    #[serde(default)]
    pub rules: RulesSection,
    #[serde(default)]
    pub ports: PortsSection,
    #[serde(default)]
    pub terraform: TerraformSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RulesSection {
    /// Only these rules run, when given.
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub enable: Vec<String>,
    #[serde(default)]
    pub disable: Vec<String>,
    /// Severity per rule code or name.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PortsSection {
    #[serde(default)]
    pub add: Vec<PortEntry>,
    /// Service names (`http`) or `PORTS/PROTOCOL` (`80/tcp`) to stop treating as sensitive.
    #[serde(default)]
    pub remove: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PortEntry {
    pub name: String,
    pub protocol: String,
    /// `3000` or `3000-3010`.
    pub ports: toml::Value,
    pub category: String,
    #[serde(default)]
    pub why: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TerraformSection {
    pub allow_outside_root: Option<bool>,
    pub download_modules: Option<bool>,
    pub module_cache: Option<PathBuf>,
    #[serde(default)]
    pub var_files: Vec<PathBuf>,
}

/// An invalid configuration, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// What the scan takes from the configuration.
#[derive(Debug, Default)]
pub struct Resolved {
    pub path: Option<PathBuf>,
    pub settings: Settings,
    pub fail_on: Option<Severity>,
    pub exclude: Vec<String>,
    pub max_file_size: Option<u64>,
    pub allow_outside_root: Option<bool>,
    /// Download remote modules that are not installed.
    pub download_modules: Option<bool>,
    /// Where downloaded modules are cached, relative to the configuration file's directory.
    pub module_cache: Option<PathBuf>,
    /// Relative to the configuration file's directory.
    pub var_files: Vec<PathBuf>,
}

/// The nearest configuration file in `start` or its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = if start.is_file() {
        start.parent()?
    } else {
        start
    };
    let absolute = std::path::absolute(start).ok()?;
    absolute.ancestors().find_map(|dir| {
        FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    (line, column)
}

/// Where a key or value is written, for errors found after parsing.
fn locate(text: &str, needle: &str) -> (usize, usize) {
    text.find(needle)
        .map_or((1, 1), |offset| line_column(text, offset))
}

pub fn load(path: &Path) -> Result<Resolved, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!("cannot read the configuration: {error}"),
    })?;
    parse(path, &text)
}

pub fn parse(path: &Path, text: &str) -> Result<Resolved, ConfigError> {
    let error_at = |needle: &str, message: String| {
        let (line, column) = locate(text, needle);
        ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let config: Config = toml::from_str(text).map_err(|error| {
        let (line, column) = error
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            message: error.message().to_owned(),
        }
    })?;
    let severity_of = |value: &str| {
        Severity::parse(value).ok_or_else(|| {
            error_at(
                value,
                format!("`{value}` is not one of critical, high, medium, low, info"),
            )
        })
    };
    let fail_on = config.fail_on.as_deref().map(severity_of).transpose()?;
    for rule in config
        .rules
        .select
        .iter()
        .chain(&config.rules.enable)
        .chain(&config.rules.disable)
    {
        if find_rule(rule).is_none() {
            return Err(error_at(rule, format!("no rule is called `{rule}`")));
        }
    }
    let mut severity = BTreeMap::new();
    for (rule, value) in &config.rules.severity {
        let meta =
            find_rule(rule).ok_or_else(|| error_at(rule, format!("no rule is called `{rule}`")))?;
        severity.insert(meta.code.to_owned(), severity_of(value)?);
    }
    let mut trusted_cidrs = Vec::new();
    for text_cidr in &config.trusted_cidrs {
        let cidr =
            Cidr::parse(text_cidr).map_err(|error| error_at(text_cidr, error.to_string()))?;
        trusted_cidrs.push(cidr);
    }
    let mut added = Vec::new();
    for entry in config.ports.add {
        added.push(service(&entry).map_err(|message| error_at(&entry.name, message))?);
    }
    let base = path.parent().unwrap_or_else(|| Path::new("."));
    Ok(Resolved {
        path: Some(path.to_path_buf()),
        settings: Settings {
            select: config.rules.select,
            enable: config.rules.enable,
            disable: config.rules.disable,
            severity,
            catalogue: Catalogue::customised(added, &config.ports.remove),
            trusted_cidrs,
        },
        fail_on,
        exclude: config.exclude,
        max_file_size: config.max_file_size,
        allow_outside_root: config.terraform.allow_outside_root,
        download_modules: config.terraform.download_modules,
        module_cache: config.terraform.module_cache.map(|dir| base.join(dir)),
        var_files: config
            .terraform
            .var_files
            .iter()
            .map(|file| base.join(file))
            .collect(),
    })
}

fn category(name: &str) -> Option<Category> {
    [
        Category::RemoteAdministration,
        Category::Database,
        Category::FileSharing,
        Category::CacheBroker,
        Category::ControlPlane,
        Category::Monitoring,
        Category::Plaintext,
        Category::UdpAmplification,
    ]
    .into_iter()
    .find(|category| category.as_str().replace(' ', "-") == name.replace(' ', "-"))
}

fn service(entry: &PortEntry) -> Result<Service, String> {
    let protocol = Protocol::parse(&entry.protocol)
        .filter(|protocol| protocol.has_ports())
        .ok_or_else(|| format!("protocol of `{}` must be tcp or udp", entry.name))?;
    let ports_text = match &entry.ports {
        toml::Value::Integer(port) => port.to_string(),
        toml::Value::String(text) => text.clone(),
        other => {
            return Err(format!(
                "ports of `{}` must be a number or \"FROM-TO\", not {other}",
                entry.name
            ));
        }
    };
    let (from, to) = ports_text
        .split_once('-')
        .unwrap_or((&ports_text, &ports_text));
    let port = |text: &str| {
        text.trim()
            .parse::<u16>()
            .map_err(|_| format!("`{ports_text}` is not a port or a port range"))
    };
    let (from, to) = (port(from)?, port(to)?);
    if from > to {
        return Err(format!("`{ports_text}` starts after it ends"));
    }
    let category = category(&entry.category).ok_or_else(|| {
        format!(
            "category `{}` is not one of remote-administration, database, file-sharing, cache-or-broker, control-plane, monitoring, plaintext-protocol, udp-amplification",
            entry.category
        )
    })?;
    Ok(Service {
        name: Cow::Owned(entry.name.clone()),
        protocol,
        ports: PortRange::new(from, to),
        category,
        why: Cow::Owned(if entry.why.is_empty() {
            "declared sensitive in portcullis.toml".to_owned()
        } else {
            entry.why.clone()
        }),
    })
}

/// The commented default configuration `portcullis init` writes.
pub fn default_file() -> String {
    let mut rules = String::new();
    for rule in RULES {
        let meta = rule.meta;
        rules.push_str(&format!(
            "#   {:<8} {:<42} {:<9} {}\n",
            meta.code,
            meta.name,
            meta.default_severity,
            if meta.enabled_by_default { "on" } else { "off" }
        ));
    }
    format!(
        r#"# portcullis configuration. Every key is optional; the values shown are examples.

# Exit with 1 when a finding is at or above this severity (critical, high, medium, low, info).
fail-on = "high"

# Paths not to scan, in .gitignore syntax.
exclude = [
  # "examples/**",
]

# Files larger than this many bytes are reported instead of read.
max-file-size = 10485760

# Networks trusted for administration, offered as the tighter CIDR in suggested fixes.
trusted-cidrs = [
  # "203.0.113.0/28",
]

[rules]
# Rules by code or name:
{rules}select = []   # only these rules, when not empty; e.g. ["SG001", "SG002"]
enable = []   # e.g. ["SG015"]
disable = []  # e.g. ["icmp-open-to-internet"]

[rules.severity]
# SG013 = "info"

[ports]
# Extra sensitive services, and built-in ones to stop reporting (by name, or PORTS/PROTOCOL).
add = [
  # {{ name = "grafana", protocol = "tcp", ports = 3000, category = "monitoring", why = "dashboards expose every metric" }},
]
remove = [
  # "http",
]

[terraform]
# Follow local module sources outside the scanned directories.
allow-outside-root = false
# Download remote modules that are not installed (registry, git over https, archives) into the
# module cache; without it the scan reads only what is on disk.
download-modules = false
# The module cache, relative to this file (default: portcullis/modules in the user's cache).
# module-cache = "/var/cache/portcullis-modules"
# Variable files applied to every root module, relative to this file.
var-files = []
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Resolved, ConfigError> {
        parse(Path::new("portcullis.toml"), text)
    }

    #[test]
    fn default_file_parses() {
        let resolved = parse_text(&default_file()).unwrap();
        assert_eq!(resolved.fail_on, Some(Severity::High));
    }

    #[test]
    fn unknown_key_is_located() {
        let error =
            parse_text("fail-on = \"high\"\n[rules]\ndisabled = [\"SG001\"]\n").unwrap_err();
        assert_eq!((error.line, error.column), (3, 1));
        assert!(
            error.message.contains("unknown field `disabled`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn invalid_values_are_located() {
        let error = parse_text("[rules]\ndisable = [\"SG999\"]\n").unwrap_err();
        assert_eq!(
            (error.line, error.message.as_str()),
            (2, "no rule is called `SG999`")
        );
        let error =
            parse_text("[rules]\nenable = []\nselect = [\"SG001\", \"SG998\"]\n").unwrap_err();
        assert_eq!(
            (error.line, error.message.as_str()),
            (3, "no rule is called `SG998`")
        );
        let error = parse_text("fail-on = \"urgent\"\n").unwrap_err();
        assert_eq!(error.line, 1);
        let error = parse_text("trusted-cidrs = [\"10.0.0.0/33\"]\n").unwrap_err();
        assert!(error.message.contains("not a CIDR"), "{}", error.message);
        let error = parse_text("[[ports.add]]\nname = \"x\"\nprotocol = \"icmp\"\nports = 1\ncategory = \"database\"\n").unwrap_err();
        assert!(error.message.contains("tcp or udp"), "{}", error.message);
    }

    #[test]
    fn settings_follow_the_file() {
        let resolved = parse_text(
            "trusted-cidrs = [\"203.0.113.0/28\"]\n[rules]\nenable = [\"rule-without-description\"]\ndisable = [\"SG012\"]\n[rules.severity]\nunrestricted-egress = \"info\"\n[ports]\nremove = [\"http\"]\nadd = [{ name = \"grafana\", protocol = \"tcp\", ports = \"3000-3001\", category = \"monitoring\" }]\n",
        )
        .unwrap();
        let settings = &resolved.settings;
        assert!(settings.is_enabled(find_rule("SG015").unwrap()));
        assert!(!settings.is_enabled(find_rule("SG012").unwrap()));
        assert_eq!(settings.severity.get("SG013"), Some(&Severity::Info));
        assert_eq!(settings.trusted_cidrs.len(), 1);
        assert_eq!(
            settings
                .catalogue
                .touched(Protocol::Tcp, PortRange::single(80))
                .count(),
            0
        );
        assert_eq!(
            settings
                .catalogue
                .touched(Protocol::Tcp, PortRange::single(3001))
                .count(),
            1
        );
    }
}
