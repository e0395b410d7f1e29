//! Opt-in download of remote Terraform modules into a local cache (issue 16, part 1).
//!
//! The only crate of portcullis that touches the network, and only when asked: the Terraform
//! front-end calls [`Fetcher::fetch`] for the module sources that [`is_remote_source`] accepts
//! when the user turned downloading on. Nothing downloaded is executed.
//!
//! # Sources
//! - Registry addresses `NAMESPACE/NAME/PROVIDER` (on `registry.terraform.io`) and
//!   `HOST/NAMESPACE/NAME/PROVIDER`, with `//subdir`: service discovery
//!   (`/.well-known/terraform.json`, `modules.v1`), the versions list, the `version` constraint
//!   resolved to the newest match ([`version`]), and the download endpoint's `X-Terraform-Get`
//!   (relative URLs resolved against the download URL; a git or archive source itself).
//!   `TF_TOKEN_<host>` (dots as `_`, hyphens as `__`) is sent as a Bearer token to that host.
//! - `git::https://...?ref=...` and `github.com/ORG/REPO` (git over https); `git::file://`
//!   repositories are read in place. SSH is reported as not supported.
//! - `https://...` archives: `.tar.gz`, `.tgz`, `.zip`, and `?archive=zip|tar.gz|tgz`; a plain
//!   URL is asked for an `X-Terraform-Get` header, as go-getter does.
//!
//! # Cache
//! `CACHE/modules/KEY/` holds one downloaded package (`package/`) and `module.json` (what it is
//! and the package subdirectory an `X-Terraform-Get` named). KEY is the source without its
//! `//subdir` plus the resolved version (registry) or ref (git), escaped, with a 64-bit FNV-1a
//! hash of the exact text so that different sources never share a directory. Downloads go to
//! `CACHE/tmp/UNIQUE/` and are renamed into place when complete, so a reader sees a whole
//! module or none, and two runs racing for the same module both end with the same directory.
//!
//! A registry constraint is answered from the cache as follows:
//! - `= X` (or a bare `X`): the cached `X` is used without any request;
//! - any other constraint: the versions list is cached in `CACHE/registry/` for
//!   [`FetchOptions::versions_ttl`] (default one day) with the discovered `modules.v1` URL; the
//!   newest listed version that matches is used, and if that version is cached no request is
//!   made. When the list is stale and the registry cannot be reached, the newest cached version
//!   that matches is used instead.
//!
//! Git refs and archive URLs are cached by name and never refreshed (a moving branch keeps the
//! commit first fetched, as `terraform init` without `-upgrade` does); delete the cache
//! directory to refresh.

mod archive;
mod git;
pub mod source;
pub mod version;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

pub use source::{ArchiveKind, DEFAULT_REGISTRY, Source, is_remote_source};
pub use version::{Constraint, Version};

use archive::ArchiveError;
use git::GitError;
use source::NotRemote;

/// Settings of a [`Fetcher`].
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Where modules are cached; created on first use. Nothing is written outside it.
    pub cache_dir: PathBuf,
    /// The longest any one HTTP request may take, body included.
    pub timeout: Duration,
    /// The longest a connection may take to open.
    pub connect_timeout: Duration,
    /// The cap per module, applied to the bytes downloaded and, separately, to the bytes
    /// unpacked (archives and git trees).
    pub max_module_bytes: u64,
    /// Bearer tokens by registry host (`app.terraform.io`); see [`tokens_from_env`].
    pub tokens: BTreeMap<String, String>,
    /// How long a registry versions list is reused without asking the registry again.
    pub versions_ttl: Duration,
    /// Hosts whose registry service discovery uses `http://` instead of `https://`: local test
    /// registries and mirrors only.
    pub plain_http_registries: Vec<String>,
    /// At most this many downloads at once in [`Fetcher::fetch_all`].
    pub parallel_downloads: usize,
}

impl FetchOptions {
    /// Defaults: 60 s per request, 10 s to connect, 100 MiB per module, versions lists reused
    /// for a day, 8 parallel downloads, no tokens.
    pub fn new(cache_dir: impl Into<PathBuf>) -> FetchOptions {
        FetchOptions {
            cache_dir: cache_dir.into(),
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_module_bytes: 100 * 1024 * 1024,
            tokens: BTreeMap::new(),
            versions_ttl: Duration::from_secs(24 * 60 * 60),
            plain_http_registries: Vec::new(),
            parallel_downloads: 8,
        }
    }

    /// The same options with the `TF_TOKEN_*` variables of the environment added.
    pub fn with_env_tokens(mut self) -> FetchOptions {
        self.tokens.extend(tokens_from_env());
        self
    }

    /// The same options with Terraform's tokens: those `terraform login` stored in
    /// [`credentials_file_default`], then the `TF_TOKEN_*` variables, which win for a host that
    /// has both.
    pub fn with_terraform_tokens(mut self) -> FetchOptions {
        if let Some(path) = credentials_file_default() {
            self.tokens.extend(tokens_from_credentials_file(&path));
        }
        self.with_env_tokens()
    }
}

/// Where `terraform login` stores tokens: `~/.terraform.d/credentials.tfrc.json`
/// (`%APPDATA%\terraform.d\credentials.tfrc.json` on Windows).
pub fn credentials_file_default() -> Option<PathBuf> {
    let (variable, dir) = if cfg!(windows) {
        ("APPDATA", "terraform.d")
    } else {
        ("HOME", ".terraform.d")
    };
    let base = PathBuf::from(std::env::var_os(variable)?);
    base.is_absolute()
        .then(|| base.join(dir).join("credentials.tfrc.json"))
}

/// The tokens of a `credentials.tfrc.json` (`{"credentials": {"HOST": {"token": "..."}}}`), by
/// lower-cased host; none when the file is missing, too large or not in that form.
pub fn tokens_from_credentials_file(path: &Path) -> BTreeMap<String, String> {
    #[derive(Deserialize)]
    struct CredentialsFile {
        #[serde(default)]
        credentials: BTreeMap<String, Credential>,
    }
    #[derive(Deserialize)]
    struct Credential {
        token: Option<String>,
    }
    let Ok(file) = fs::File::open(path) else {
        return BTreeMap::new();
    };
    let mut bytes = Vec::new();
    if file
        .take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut bytes)
        .is_err()
        || bytes.len() as u64 > MAX_JSON_BYTES
    {
        return BTreeMap::new();
    }
    serde_json::from_slice::<CredentialsFile>(&bytes)
        .map(|file| {
            file.credentials
                .into_iter()
                .filter_map(|(host, credential)| {
                    let token = credential.token?.trim().to_owned();
                    (!token.is_empty()).then(|| (host.to_ascii_lowercase(), token))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `TF_TOKEN_<host>` variables of the environment, by host: Terraform writes the host with
/// `.` as `_` and `-` as `__` (`TF_TOKEN_app_terraform_io`, `TF_TOKEN_my__registry_example_com`).
pub fn tokens_from_env() -> BTreeMap<String, String> {
    std::env::vars_os()
        .filter_map(|(name, value)| {
            let name = name.to_str()?;
            let host = name.strip_prefix("TF_TOKEN_")?;
            let value = value.to_str()?.trim().to_owned();
            (!host.is_empty() && !value.is_empty()).then(|| (token_host(host), value))
        })
        .collect()
}

/// `my__registry_example_com` → `my-registry.example.com`.
fn token_host(encoded: &str) -> String {
    encoded
        .split("__")
        .map(|part| part.replace('_', "."))
        .collect::<Vec<_>>()
        .join("-")
        .to_ascii_lowercase()
}

/// The default cache directory: `portcullis/modules` under `$XDG_CACHE_HOME`, `~/.cache`
/// (Linux and other Unix), `~/Library/Caches` (macOS) or `%LOCALAPPDATA%` (Windows).
pub fn cache_dir_default() -> Option<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    let base = if cfg!(windows) {
        absolute("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        absolute("HOME").map(|home| home.join("Library").join("Caches"))
    } else {
        absolute("XDG_CACHE_HOME").or_else(|| absolute("HOME").map(|home| home.join(".cache")))
    }?;
    Some(base.join("portcullis").join("modules"))
}

/// One module to fetch: its `source` and `version` arguments.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Request {
    pub source: String,
    pub version: Option<String>,
}

impl Request {
    pub fn new(source: impl Into<String>, version: Option<&str>) -> Request {
        Request {
            source: source.into(),
            version: version.map(str::to_owned),
        }
    }
}

/// A module on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// The module directory, with every `//subdir` applied.
    pub dir: PathBuf,
    /// The registry version chosen, for a registry source.
    pub version: Option<String>,
    /// Whether the module came from the cache without downloading it.
    pub from_cache: bool,
}

/// Why a module could not be fetched. Every variant names the module source as written, and
/// [`fmt::Display`] says what happened in one sentence.
#[derive(Debug)]
pub enum FetchError {
    /// A local path: the front-end reads it from disk.
    NotRemote { module: String },
    /// Not a valid source, or a `version` given for a source that is not a registry address.
    Invalid { module: String, reason: String },
    /// A remote kind this crate does not fetch (SSH, S3, Mercurial, ...).
    Unsupported { module: String, reason: String },
    /// The host name did not resolve.
    Dns { module: String, host: String },
    /// The connection failed (refused, reset, unreachable).
    Connect {
        module: String,
        url: String,
        reason: String,
    },
    /// A request took longer than [`FetchOptions::timeout`].
    Timeout { module: String, url: String },
    /// A TLS failure (certificate, handshake).
    Tls {
        module: String,
        url: String,
        reason: String,
    },
    /// A non-success HTTP status.
    HttpStatus {
        module: String,
        url: String,
        status: u16,
    },
    /// The registry answered something that does not follow its protocol.
    Registry {
        module: String,
        url: String,
        reason: String,
    },
    /// No published version matches the constraint.
    NoMatchingVersion {
        module: String,
        constraint: String,
        available: Vec<String>,
    },
    /// More than [`FetchOptions::max_module_bytes`] (or the entry cap).
    TooLarge {
        module: String,
        limit: u64,
        what: String,
    },
    /// An archive or repository entry that would leave the module directory.
    UnsafeArchive {
        module: String,
        entry: String,
        reason: String,
    },
    /// An archive that cannot be read.
    Archive { module: String, reason: String },
    /// A git failure (unknown ref, protocol error).
    Git { module: String, reason: String },
    /// The `//subdir` does not exist in the downloaded package.
    NoSuchSubdir { module: String, subdir: String },
    /// The cache directory could not be written or read.
    Cache {
        module: String,
        path: PathBuf,
        reason: String,
    },
}

impl FetchError {
    /// The module source the error is about.
    pub fn module(&self) -> &str {
        match self {
            FetchError::NotRemote { module }
            | FetchError::Invalid { module, .. }
            | FetchError::Unsupported { module, .. }
            | FetchError::Dns { module, .. }
            | FetchError::Connect { module, .. }
            | FetchError::Timeout { module, .. }
            | FetchError::Tls { module, .. }
            | FetchError::HttpStatus { module, .. }
            | FetchError::Registry { module, .. }
            | FetchError::NoMatchingVersion { module, .. }
            | FetchError::TooLarge { module, .. }
            | FetchError::UnsafeArchive { module, .. }
            | FetchError::Archive { module, .. }
            | FetchError::Git { module, .. }
            | FetchError::NoSuchSubdir { module, .. }
            | FetchError::Cache { module, .. } => module,
        }
    }

    /// The message without the leading module source.
    pub fn reason(&self) -> String {
        match self {
            FetchError::NotRemote { .. } => "a local path is not downloaded".to_owned(),
            FetchError::Invalid { reason, .. } => format!("invalid source: {reason}"),
            FetchError::Unsupported { reason, .. } => format!("not supported: {reason}"),
            FetchError::Dns { host, .. } => format!("the host name {host} does not resolve (DNS)"),
            FetchError::Connect { url, reason, .. } => format!("cannot connect to {url}: {reason}"),
            FetchError::Timeout { url, .. } => format!("{url} did not answer in time"),
            FetchError::Tls { url, reason, .. } => format!("TLS failure with {url}: {reason}"),
            FetchError::HttpStatus { url, status, .. } => format!("{url} answered HTTP {status}"),
            FetchError::Registry { url, reason, .. } => {
                format!("unexpected registry answer from {url}: {reason}")
            }
            FetchError::NoMatchingVersion {
                constraint,
                available,
                ..
            } => {
                if available.is_empty() {
                    format!("no published version matches {constraint:?} (the registry lists none)")
                } else {
                    format!(
                        "no published version matches {constraint:?} (newest: {})",
                        available.join(", ")
                    )
                }
            }
            FetchError::TooLarge { limit, what, .. } => {
                format!("the module exceeds the limit of {limit} {what}")
            }
            FetchError::UnsafeArchive { entry, reason, .. } => {
                format!("refused: the entry {entry:?} is unsafe ({reason})")
            }
            FetchError::Archive { reason, .. } => format!("broken archive: {reason}"),
            FetchError::Git { reason, .. } => format!("git: {reason}"),
            FetchError::NoSuchSubdir { subdir, .. } => {
                format!("the subdirectory {subdir:?} does not exist in the module")
            }
            FetchError::Cache { path, reason, .. } => {
                format!("module cache {}: {reason}", path.display())
            }
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "cannot fetch module {:?}: {}",
            self.module(),
            self.reason()
        )
    }
}

impl std::error::Error for FetchError {}

/// Downloads modules into the cache and finds them there.
pub struct Fetcher {
    options: FetchOptions,
    agent: ureq::Agent,
    /// `modules.v1` base URL by registry host, for this run.
    discovered: Mutex<HashMap<String, String>>,
}

/// What is stored next to a package in the cache.
#[derive(Serialize, Deserialize)]
struct ModuleRecord {
    /// The package source (without `//subdir`).
    source: String,
    /// The registry version or git ref.
    version: Option<String>,
    /// The package subdirectory named by an `X-Terraform-Get` (or a redirect), if any.
    subdir: Option<String>,
}

/// A cached registry versions list.
#[derive(Serialize, Deserialize)]
struct VersionsRecord {
    fetched_unix: u64,
    modules_base: String,
    versions: Vec<String>,
}

const RECORD: &str = "module.json";
const PACKAGE: &str = "package";
const MAX_JSON_BYTES: u64 = 8 * 1024 * 1024;

impl Fetcher {
    pub fn new(options: FetchOptions) -> Fetcher {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .timeout_connect(Some(options.connect_timeout))
            .http_status_as_error(false)
            .max_redirects(10)
            .user_agent(concat!("portcullis/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Fetcher {
            options,
            agent,
            discovered: Mutex::new(HashMap::new()),
        }
    }

    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// Resolves a module source (and the `version` constraint of a registry source) to a
    /// directory in the cache, downloading it when it is not cached.
    pub fn fetch(&self, source: &str, version: Option<&str>) -> Result<Fetched, FetchError> {
        let parsed = source::parse(source).map_err(|error| match error {
            NotRemote::Local => FetchError::NotRemote {
                module: source.to_owned(),
            },
            NotRemote::Unsupported(reason) => FetchError::Unsupported {
                module: source.to_owned(),
                reason,
            },
            NotRemote::Invalid(reason) => FetchError::Invalid {
                module: source.to_owned(),
                reason,
            },
        })?;
        let version = version.map(str::trim).filter(|text| !text.is_empty());
        let context = Context { module: source };
        match &parsed {
            Source::Registry {
                host,
                namespace,
                name,
                provider,
                subdir,
            } => {
                let address = Registry {
                    host,
                    namespace,
                    name,
                    provider,
                };
                self.fetch_registry(&context, &address, version, subdir.as_deref())
            }
            _ if version.is_some() => Err(FetchError::Invalid {
                module: source.to_owned(),
                reason: "a version constraint applies to registry modules only".to_owned(),
            }),
            other => {
                let (root, from_cache) = self.install_package(&context, &other.package(), 0)?;
                let dir = apply_subdir(&context, &root, other.subdir())?;
                Ok(Fetched {
                    dir,
                    version: None,
                    from_cache,
                })
            }
        }
    }

    /// Fetches every request, several at once; the results are in the order of `requests`.
    /// The same source and version asked twice is fetched once.
    pub fn fetch_all(&self, requests: &[Request]) -> Vec<Result<Fetched, FetchError>> {
        use rayon::prelude::*;
        let mut unique: Vec<&Request> = Vec::new();
        for request in requests {
            if !unique.contains(&request) {
                unique.push(request);
            }
        }
        let run = || {
            unique
                .par_iter()
                .map(|request| self.fetch(&request.source, request.version.as_deref()))
                .collect::<Vec<_>>()
        };
        let results = match rayon::ThreadPoolBuilder::new()
            .num_threads(self.options.parallel_downloads.max(1))
            .build()
        {
            Ok(pool) => pool.install(run),
            Err(_) => run(),
        };
        let mut by_request: HashMap<&Request, Result<Fetched, FetchError>> =
            unique.into_iter().zip(results).collect();
        let mut out = Vec::with_capacity(requests.len());
        for (index, request) in requests.iter().enumerate() {
            let later_use = requests[index + 1..].contains(request);
            let result = if later_use {
                by_request.get(request).map(clone_result)
            } else {
                by_request.remove(request)
            };
            out.push(result.unwrap_or_else(|| {
                Err(FetchError::Invalid {
                    module: request.source.clone(),
                    reason: "internal: the request was lost".to_owned(),
                })
            }));
        }
        out
    }

    // -----------------------------------------------------------------------------------------
    // Registry.

    fn fetch_registry(
        &self,
        context: &Context<'_>,
        address: &Registry<'_>,
        version: Option<&str>,
        subdir: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        let constraint = version
            .map(|text| {
                Constraint::parse(text).map_err(|reason| FetchError::Invalid {
                    module: context.module.to_owned(),
                    reason,
                })
            })
            .transpose()?;
        let id = address.id();
        // An exact version that is cached: no request at all.
        if let Some(exact) = constraint.as_ref().and_then(Constraint::exact)
            && constraint
                .as_ref()
                .is_some_and(|constraint| constraint.allows(exact))
            && let Some(found) = self.cached(&id, Some(exact.as_str()))
        {
            return finish(context, found, Some(exact.to_string()), true, subdir);
        }
        let chosen = self.choose_version(context, address, constraint.as_ref())?;
        let (chosen, base) = match chosen {
            Chosen::Listed { version, base } => (version, base),
            Chosen::CachedOnly { version } => {
                let Some(found) = self.cached(&id, Some(&version)) else {
                    return Err(FetchError::Cache {
                        module: context.module.to_owned(),
                        path: self.options.cache_dir.clone(),
                        reason: "a cached module disappeared".to_owned(),
                    });
                };
                return finish(context, found, Some(version), true, subdir);
            }
        };
        if let Some(found) = self.cached(&id, Some(&chosen)) {
            return finish(context, found, Some(chosen), true, subdir);
        }
        let download_url = format!(
            "{}{}/{}/{}/{}/download",
            base, address.namespace, address.name, address.provider, chosen
        );
        let (response_url, location) = self.download_location(context, &download_url)?;
        let target = resolve_url(&response_url, &location);
        let inner = source::parse(&target).map_err(|error| FetchError::Registry {
            module: context.module.to_owned(),
            url: download_url.clone(),
            reason: match error {
                NotRemote::Local => format!("X-Terraform-Get names a local path {target:?}"),
                NotRemote::Unsupported(reason) | NotRemote::Invalid(reason) => {
                    format!("X-Terraform-Get {target:?}: {reason}")
                }
            },
        })?;
        if matches!(inner, Source::Registry { .. }) {
            return Err(FetchError::Registry {
                module: context.module.to_owned(),
                url: download_url,
                reason: format!("X-Terraform-Get {target:?} is another registry address"),
            });
        }
        if names_local_file(&inner) {
            return Err(FetchError::Registry {
                module: context.module.to_owned(),
                url: download_url,
                reason: format!("X-Terraform-Get {target:?} names a file on this machine"),
            });
        }
        let root = self.install(context, &id, Some(&chosen), |fetcher, scratch| {
            fetcher.download_package(context, &inner.package(), scratch, 1)?;
            Ok(inner.subdir().map(str::to_owned))
        })?;
        finish(context, root, Some(chosen), false, subdir)
    }

    fn choose_version(
        &self,
        context: &Context<'_>,
        address: &Registry<'_>,
        constraint: Option<&Constraint>,
    ) -> Result<Chosen, FetchError> {
        let record_path = self
            .options
            .cache_dir
            .join("registry")
            .join(format!("{}.json", cache_key(&address.id(), None)));
        let fresh = read_json::<VersionsRecord>(&record_path).filter(|record| {
            now_unix().saturating_sub(record.fetched_unix) < self.options.versions_ttl.as_secs()
        });
        let record = match fresh {
            Some(record) => record,
            None => match self.list_versions(context, address) {
                Ok(record) => {
                    // A cache that cannot be written only costs a request next time.
                    let _ = write_json_atomically(&self.options.cache_dir, &record_path, &record);
                    record
                }
                Err(error) => {
                    if is_network_error(&error)
                        && let Some(version) = self.newest_cached(&address.id(), constraint)
                    {
                        return Ok(Chosen::CachedOnly { version });
                    }
                    return Err(error);
                }
            },
        };
        let versions: Vec<Version> = record
            .versions
            .iter()
            .filter_map(|text| Version::parse(text))
            .collect();
        match version::newest_match(&versions, constraint) {
            Some(version) => Ok(Chosen::Listed {
                version: version.as_str().to_owned(),
                base: record.modules_base,
            }),
            None => {
                let mut sorted: Vec<&Version> = versions.iter().collect();
                sorted.sort();
                Err(FetchError::NoMatchingVersion {
                    module: context.module.to_owned(),
                    constraint: constraint.map_or_else(|| "any".to_owned(), ToString::to_string),
                    available: sorted
                        .iter()
                        .rev()
                        .take(5)
                        .map(ToString::to_string)
                        .collect(),
                })
            }
        }
    }

    /// The newest cached version of a registry module that `constraint` allows.
    fn newest_cached(&self, id: &str, constraint: Option<&Constraint>) -> Option<String> {
        let modules = self.options.cache_dir.join("modules");
        let prefix = escape(id);
        let mut best: Option<Version> = None;
        for entry in fs::read_dir(modules).ok()?.flatten() {
            let name = entry.file_name();
            if !name.to_string_lossy().starts_with(&prefix) {
                continue;
            }
            let Some(record) = read_json::<ModuleRecord>(&entry.path().join(RECORD)) else {
                continue;
            };
            if record.source != id {
                continue;
            }
            let Some(version) = record.version.as_deref().and_then(Version::parse) else {
                continue;
            };
            let allowed = match constraint {
                Some(constraint) => constraint.allows(&version),
                None => !version.is_prerelease(),
            };
            if allowed && best.as_ref().is_none_or(|best| version > *best) {
                best = Some(version);
            }
        }
        best.map(|version| version.as_str().to_owned())
    }

    /// Service discovery, then the versions list.
    fn list_versions(
        &self,
        context: &Context<'_>,
        address: &Registry<'_>,
    ) -> Result<VersionsRecord, FetchError> {
        let base = self.discover(context, address.host)?;
        let url = format!(
            "{base}{}/{}/{}/versions",
            address.namespace, address.name, address.provider
        );
        let (_, body) = self.get_json(context, &url)?;
        let bad = |reason: &str| FetchError::Registry {
            module: context.module.to_owned(),
            url: url.clone(),
            reason: reason.to_owned(),
        };
        let modules = body
            .get("modules")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| bad("no \"modules\" list"))?;
        let versions = modules
            .iter()
            .filter_map(|module| module.get("versions").and_then(serde_json::Value::as_array))
            .flatten()
            .filter_map(|entry| entry.get("version").and_then(serde_json::Value::as_str))
            .map(str::to_owned)
            .collect();
        Ok(VersionsRecord {
            fetched_unix: now_unix(),
            modules_base: base,
            versions,
        })
    }

    /// The `modules.v1` base URL of a registry host, ending with `/`.
    fn discover(&self, context: &Context<'_>, host: &str) -> Result<String, FetchError> {
        if let Ok(discovered) = self.discovered.lock()
            && let Some(base) = discovered.get(host)
        {
            return Ok(base.clone());
        }
        let scheme = if self
            .options
            .plain_http_registries
            .iter()
            .any(|plain| plain.eq_ignore_ascii_case(host))
        {
            "http"
        } else {
            "https"
        };
        let url = format!("{scheme}://{host}/.well-known/terraform.json");
        let (final_url, body) = self.get_json(context, &url)?;
        let Some(modules) = body.get("modules.v1").and_then(serde_json::Value::as_str) else {
            return Err(FetchError::Registry {
                module: context.module.to_owned(),
                url,
                reason: format!("{host} does not offer a module registry (no \"modules.v1\")"),
            });
        };
        let mut base = resolve_url(&final_url, modules);
        if !base.ends_with('/') {
            base.push('/');
        }
        if let Ok(mut discovered) = self.discovered.lock() {
            discovered.insert(host.to_owned(), base.clone());
        }
        Ok(base)
    }

    /// The download endpoint's answer: the URL it was asked at and the location it named
    /// (`X-Terraform-Get`, or the `location` of a JSON body).
    fn download_location(
        &self,
        context: &Context<'_>,
        url: &str,
    ) -> Result<(String, String), FetchError> {
        let mut response = self.get(context, url)?;
        let final_url = ureq::ResponseExt::get_uri(&response).to_string();
        if let Some(location) = response
            .headers()
            .get("X-Terraform-Get")
            .and_then(|value| value.to_str().ok())
        {
            return Ok((final_url, location.trim().to_owned()));
        }
        let body = read_limited(context, url, response.body_mut(), MAX_JSON_BYTES)?;
        serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|json| {
                json.get("location")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            })
            .map(|location| (final_url, location))
            .ok_or_else(|| FetchError::Registry {
                module: context.module.to_owned(),
                url: url.to_owned(),
                reason: "no X-Terraform-Get header in the download answer".to_owned(),
            })
    }

    // -----------------------------------------------------------------------------------------
    // Packages: git, archives, redirects.

    /// Finds `package` in the cache or downloads it; returns the package root (with the
    /// subdirectory a redirect named) and whether it was cached.
    fn install_package(
        &self,
        context: &Context<'_>,
        package: &Source,
        depth: usize,
    ) -> Result<(PathBuf, bool), FetchError> {
        let (id, reference) = package_id(package);
        if let Some(found) = self.cached(&id, reference.as_deref()) {
            return Ok((found, true));
        }
        let root = self.install(context, &id, reference.as_deref(), |fetcher, scratch| {
            fetcher.download_package(context, package, scratch, depth)
        })?;
        Ok((root, false))
    }

    /// Downloads `package` into `scratch/package`; returns the subdirectory of the package that
    /// is the module root (named by a redirect), if any.
    fn download_package(
        &self,
        context: &Context<'_>,
        package: &Source,
        scratch: &Path,
        depth: usize,
    ) -> Result<Option<String>, FetchError> {
        let dest = scratch.join(PACKAGE);
        let limit = self.options.max_module_bytes;
        match package {
            Source::Git { url, reference, .. } => {
                let result = if let Some(path) = file_url_path(url) {
                    git::export_local(&path, reference.as_deref(), &dest, limit)
                } else {
                    git::fetch_remote(
                        url,
                        reference.as_deref(),
                        &self.agent,
                        &scratch.join("git"),
                        &dest,
                        limit,
                    )
                };
                let _ = fs::remove_dir_all(scratch.join("git"));
                result.map_err(|error| git_error(context, error))?;
                Ok(None)
            }
            Source::Archive { url, kind, .. } => {
                let mut response = self.get(context, url)?;
                let mut reader = response.body_mut().with_config().limit(u64::MAX).reader();
                let downloaded = scratch.join("download");
                let mut file = fs::File::create(&downloaded)
                    .map_err(|error| self.cache_error(context, &downloaded, error))?;
                let copied = io::copy(&mut (&mut reader).take(limit.saturating_add(1)), &mut file)
                    .map_err(|error| transfer_error(context, url, error))?;
                if copied > limit {
                    return Err(FetchError::TooLarge {
                        module: context.module.to_owned(),
                        limit,
                        what: "downloaded bytes".to_owned(),
                    });
                }
                drop(file);
                let unpacked = match kind {
                    ArchiveKind::TarGz => fs::File::open(&downloaded)
                        .map_err(ArchiveError::Io)
                        .and_then(|file| {
                            archive::unpack_tar_gz(io::BufReader::new(file), &dest, limit)
                        }),
                    ArchiveKind::Zip => archive::unpack_zip(&downloaded, &dest, limit),
                };
                let _ = fs::remove_file(&downloaded);
                unpacked.map_err(|error| archive_error(context, error))?;
                fs::create_dir_all(&dest)
                    .map_err(|error| self.cache_error(context, &dest, error))?;
                Ok(None)
            }
            Source::Redirect { url, .. } => {
                if depth > 3 {
                    return Err(FetchError::Invalid {
                        module: context.module.to_owned(),
                        reason: format!("too many X-Terraform-Get redirections at {url}"),
                    });
                }
                let separator = if url.contains('?') { '&' } else { '?' };
                let asked = format!("{url}{separator}terraform-get=1");
                let response = self.get(context, &asked)?;
                let final_url = ureq::ResponseExt::get_uri(&response).to_string();
                let Some(location) = response
                    .headers()
                    .get("X-Terraform-Get")
                    .and_then(|value| value.to_str().ok())
                else {
                    return Err(FetchError::Unsupported {
                        module: context.module.to_owned(),
                        reason: format!(
                            "{url} is neither an archive (.zip, .tar.gz) nor answers with X-Terraform-Get"
                        ),
                    });
                };
                let target = resolve_url(&final_url, location.trim());
                let inner = match source::parse(&target) {
                    Ok(inner) if names_local_file(&inner) => {
                        return Err(FetchError::Unsupported {
                            module: context.module.to_owned(),
                            reason: format!(
                                "{url} redirects to {target:?}, a file on this machine"
                            ),
                        });
                    }
                    Ok(
                        inner @ (Source::Git { .. }
                        | Source::Archive { .. }
                        | Source::Redirect { .. }),
                    ) => inner,
                    _ => {
                        return Err(FetchError::Unsupported {
                            module: context.module.to_owned(),
                            reason: format!(
                                "{url} redirects to {target:?}, which is not a git or archive source"
                            ),
                        });
                    }
                };
                let inner_subdir =
                    self.download_package(context, &inner.package(), scratch, depth + 1)?;
                Ok(join_subdirs(inner_subdir.as_deref(), inner.subdir()))
            }
            Source::Registry { .. } => Err(FetchError::Invalid {
                module: context.module.to_owned(),
                reason: "a registry address inside a download answer".to_owned(),
            }),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Cache.

    fn module_dir(&self, id: &str, reference: Option<&str>) -> PathBuf {
        self.options
            .cache_dir
            .join("modules")
            .join(cache_key(id, reference))
    }

    /// The package root of a complete cached module.
    fn cached(&self, id: &str, reference: Option<&str>) -> Option<PathBuf> {
        let dir = self.module_dir(id, reference);
        let record = read_json::<ModuleRecord>(&dir.join(RECORD))?;
        if record.source != id || record.version.as_deref() != reference {
            return None;
        }
        let package = dir.join(PACKAGE);
        let root = match record.subdir.as_deref() {
            Some(subdir) => resolve_subdir(&package, subdir)?,
            None => package,
        };
        root.is_dir().then_some(root)
    }

    /// Runs `download` in a fresh scratch directory inside the cache, then moves the result
    /// into place; returns the package root.
    fn install(
        &self,
        context: &Context<'_>,
        id: &str,
        reference: Option<&str>,
        download: impl FnOnce(&Fetcher, &Path) -> Result<Option<String>, FetchError>,
    ) -> Result<PathBuf, FetchError> {
        let scratch = Scratch::new(&self.options.cache_dir).map_err(|error| {
            self.cache_error(context, &self.options.cache_dir.join("tmp"), error)
        })?;
        let subdir = download(self, &scratch.path)?;
        let record = ModuleRecord {
            source: id.to_owned(),
            version: reference.map(str::to_owned),
            subdir,
        };
        let text = serde_json::to_vec_pretty(&record).unwrap_or_default();
        let record_path = scratch.path.join(RECORD);
        fs::write(&record_path, text)
            .map_err(|error| self.cache_error(context, &record_path, error))?;
        let target = self.module_dir(id, reference);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|error| self.cache_error(context, parent, error))?;
        }
        if let Err(error) = fs::rename(&scratch.path, &target) {
            // Another run installed the same module first: use theirs.
            if self.cached(id, reference).is_none() {
                return Err(self.cache_error(context, &target, error));
            }
        }
        self.cached(id, reference)
            .ok_or_else(|| FetchError::NoSuchSubdir {
                module: context.module.to_owned(),
                subdir: record.subdir.unwrap_or_default(),
            })
    }

    fn cache_error(&self, context: &Context<'_>, path: &Path, error: io::Error) -> FetchError {
        FetchError::Cache {
            module: context.module.to_owned(),
            path: path.to_path_buf(),
            reason: error.to_string(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // HTTP.

    fn get(
        &self,
        context: &Context<'_>,
        url: &str,
    ) -> Result<ureq::http::Response<ureq::Body>, FetchError> {
        let mut request = self.agent.get(url);
        if let Some(token) = self.token_for(url) {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let response = request
            .call()
            .map_err(|error| http_error(context, url, error))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(FetchError::HttpStatus {
                module: context.module.to_owned(),
                url: url.to_owned(),
                status,
            });
        }
        Ok(response)
    }

    fn get_json(
        &self,
        context: &Context<'_>,
        url: &str,
    ) -> Result<(String, serde_json::Value), FetchError> {
        let mut response = self.get(context, url)?;
        let final_url = ureq::ResponseExt::get_uri(&response).to_string();
        let body = read_limited(context, url, response.body_mut(), MAX_JSON_BYTES)?;
        let json = serde_json::from_slice(&body).map_err(|error| FetchError::Registry {
            module: context.module.to_owned(),
            url: url.to_owned(),
            reason: format!("not JSON: {error}"),
        })?;
        Ok((final_url, json))
    }

    fn token_for(&self, url: &str) -> Option<&str> {
        let host = url_host(url)?.to_ascii_lowercase();
        let bare = host
            .rsplit_once(':')
            .map_or(host.as_str(), |(name, _)| name);
        self.options
            .tokens
            .get(&host)
            .or_else(|| self.options.tokens.get(bare))
            .map(String::as_str)
    }
}

/// What the error messages name.
struct Context<'a> {
    module: &'a str,
}

struct Registry<'a> {
    host: &'a str,
    namespace: &'a str,
    name: &'a str,
    provider: &'a str,
}

impl Registry<'_> {
    fn id(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.host, self.namespace, self.name, self.provider
        )
    }
}

enum Chosen {
    /// From the versions list, with the registry's `modules.v1` base.
    Listed { version: String, base: String },
    /// The registry was unreachable; a cached version matches.
    CachedOnly { version: String },
}

fn finish(
    context: &Context<'_>,
    root: PathBuf,
    version: Option<String>,
    from_cache: bool,
    subdir: Option<&str>,
) -> Result<Fetched, FetchError> {
    Ok(Fetched {
        dir: apply_subdir(context, &root, subdir)?,
        version,
        from_cache,
    })
}

fn clone_result(result: &Result<Fetched, FetchError>) -> Result<Fetched, FetchError> {
    match result {
        Ok(fetched) => Ok(fetched.clone()),
        Err(error) => Err(FetchError::Invalid {
            module: error.module().to_owned(),
            reason: error.reason(),
        }),
    }
}

/// Whether a source a server named reads this machine's files (`git::file://`): a remote
/// answer may not make the fetcher copy local repositories into the cache.
fn names_local_file(source: &Source) -> bool {
    matches!(source, Source::Git { url, .. } if url.to_ascii_lowercase().starts_with("file:"))
}

/// The cache identity of a package and its version or ref.
fn package_id(package: &Source) -> (String, Option<String>) {
    match package {
        Source::Git { url, reference, .. } => (format!("git::{url}"), reference.clone()),
        Source::Archive { url, .. } | Source::Redirect { url, .. } => (url.clone(), None),
        Source::Registry {
            host,
            namespace,
            name,
            provider,
            ..
        } => (format!("{host}/{namespace}/{name}/{provider}"), None),
    }
}

/// A directory name for `id@reference`: readable, bounded, and unique through a hash of the
/// exact text.
fn cache_key(id: &str, reference: Option<&str>) -> String {
    let full = match reference {
        Some(reference) => format!("{id}@{reference}"),
        None => id.to_owned(),
    };
    let mut readable = escape(&full);
    readable.truncate(96);
    format!("{readable}-{:016x}", fnv1a(full.as_bytes()))
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn join_subdirs(outer: Option<&str>, inner: Option<&str>) -> Option<String> {
    match (outer, inner) {
        (Some(outer), Some(inner)) => Some(format!("{outer}/{inner}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

/// `root/subdir`, where a component may be a `*` glob matching exactly one directory (as
/// go-getter allows for archives with one top-level directory); never outside `root`.
fn resolve_subdir(root: &Path, subdir: &str) -> Option<PathBuf> {
    let mut dir = root.to_path_buf();
    for part in subdir
        .split(['/', '\\'])
        .filter(|part| !part.is_empty() && *part != ".")
    {
        if part == ".." || part.contains(':') {
            return None;
        }
        if part.contains('*') {
            let matches: Vec<PathBuf> = fs::read_dir(&dir)
                .ok()?
                .flatten()
                .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
                .filter(|entry| glob_match(part, &entry.file_name().to_string_lossy()))
                .map(|entry| entry.path())
                .collect();
            let [only] = matches.as_slice() else {
                return None;
            };
            dir = only.clone();
        } else {
            dir.push(part);
        }
    }
    // Only directories the cache wrote (no symbolic links were unpacked), but check anyway.
    let canonical_root = root.canonicalize().ok()?;
    let canonical = dir.canonicalize().ok()?;
    (canonical.starts_with(&canonical_root) && canonical.is_dir()).then_some(dir)
}

fn glob_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, rest)) => {
            let Some(tail) = name.strip_prefix(prefix) else {
                return false;
            };
            (0..=tail.len())
                .filter(|at| tail.is_char_boundary(*at))
                .any(|at| glob_match(rest, &tail[at..]))
        }
    }
}

fn apply_subdir(
    context: &Context<'_>,
    root: &Path,
    subdir: Option<&str>,
) -> Result<PathBuf, FetchError> {
    match subdir {
        None => Ok(root.to_path_buf()),
        Some(subdir) => resolve_subdir(root, subdir).ok_or_else(|| FetchError::NoSuchSubdir {
            module: context.module.to_owned(),
            subdir: subdir.to_owned(),
        }),
    }
}

/// A directory under `CACHE/tmp`, removed when dropped unless it was renamed away.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new(cache_dir: &Path) -> io::Result<Scratch> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let tmp = cache_dir.join("tmp");
        fs::create_dir_all(&tmp)?;
        loop {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.subsec_nanos());
            let name = format!(
                "{}-{}-{nanos}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            );
            let path = tmp.join(name);
            match fs::create_dir(&path) {
                Ok(()) => return Ok(Scratch { path }),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
                Err(error) => return Err(error),
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.path.exists() {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Option<T> {
    let text = fs::read(path).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Writes `value` to a temporary file in the cache, then renames it over `path`.
fn write_json_atomically<T: Serialize>(cache_dir: &Path, path: &Path, value: &T) -> io::Result<()> {
    let scratch = Scratch::new(cache_dir)?;
    let temporary = scratch.path.join("record.json");
    fs::write(
        &temporary,
        serde_json::to_vec_pretty(value).map_err(io::Error::other)?,
    )?;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::rename(&temporary, path)
}

/// The local path of a `file://` URL.
fn file_url_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("file://")?;
    // `file:///abs` and `file://localhost/abs`.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    path.starts_with('/').then(|| PathBuf::from(path))
}

/// The `host[:port]` of an absolute URL.
fn url_host(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    Some(
        authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host),
    )
}

/// `reference` resolved against `base` (RFC 3986 for the cases registries use): absolute URLs
/// and forced getters (`git::...`) as they are, `//host/...`, `/path`, and relative paths.
fn resolve_url(base: &str, reference: &str) -> String {
    let reference = reference.trim();
    let (forced, rest) = match reference.split_once("::") {
        Some((getter, rest))
            if !getter.is_empty() && getter.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            (Some(getter), rest)
        }
        _ => (None, reference),
    };
    if forced.is_some() || rest.contains("://") || reference.starts_with("github.com/") {
        return reference.to_owned();
    }
    let Some((scheme, after)) = base.split_once("://") else {
        return reference.to_owned();
    };
    if let Some(network) = reference.strip_prefix("//") {
        return format!("{scheme}://{network}");
    }
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let origin = format!("{scheme}://{}", &after[..authority_end]);
    if reference.starts_with('/') {
        return format!("{origin}{reference}");
    }
    let path = after[authority_end..]
        .split(['?', '#'])
        .next()
        .unwrap_or("");
    if reference.starts_with('?') {
        return format!("{origin}{path}{reference}");
    }
    let directory = path.rfind('/').map_or("/", |at| &path[..=at]);
    let mut segments: Vec<&str> = directory
        .split('/')
        .filter(|part| !part.is_empty())
        .collect();
    let (reference_path, query) = match reference.find(['?', '#']) {
        Some(at) => (&reference[..at], &reference[at..]),
        None => (reference, ""),
    };
    let parts: Vec<&str> = reference_path.split('/').collect();
    for (index, part) in parts.iter().enumerate() {
        match *part {
            "." => {}
            ".." => {
                segments.pop();
            }
            "" if index + 1 < parts.len() => {}
            part => segments.push(part),
        }
    }
    let trailing = if reference_path.ends_with('/')
        || reference_path.ends_with("/.")
        || reference_path.ends_with("/..")
    {
        "/"
    } else {
        ""
    };
    format!("{origin}/{}{trailing}{query}", segments.join("/"))
}

fn read_limited(
    context: &Context<'_>,
    url: &str,
    body: &mut ureq::Body,
    limit: u64,
) -> Result<Vec<u8>, FetchError> {
    let mut out = Vec::new();
    body.with_config()
        .limit(u64::MAX)
        .reader()
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|error| transfer_error(context, url, error))?;
    if out.len() as u64 > limit {
        return Err(FetchError::TooLarge {
            module: context.module.to_owned(),
            limit,
            what: format!("bytes in the answer of {url}"),
        });
    }
    Ok(out)
}

fn is_network_error(error: &FetchError) -> bool {
    matches!(
        error,
        FetchError::Dns { .. }
            | FetchError::Connect { .. }
            | FetchError::Timeout { .. }
            | FetchError::Tls { .. }
    ) || matches!(error, FetchError::HttpStatus { status, .. } if *status >= 500)
}

fn http_error(context: &Context<'_>, url: &str, error: ureq::Error) -> FetchError {
    let module = context.module.to_owned();
    let url = url.to_owned();
    match error {
        ureq::Error::HostNotFound => FetchError::Dns {
            module,
            host: url_host(&url).unwrap_or(&url).to_owned(),
        },
        ureq::Error::Timeout(_) => FetchError::Timeout { module, url },
        ureq::Error::Tls(reason) => FetchError::Tls {
            module,
            url,
            reason: reason.to_owned(),
        },
        ureq::Error::Rustls(error) => FetchError::Tls {
            module,
            url,
            reason: error.to_string(),
        },
        // The system resolver's failure reaches ureq as an io::Error with this text only.
        ureq::Error::Io(error)
            if error
                .to_string()
                .starts_with("failed to lookup address information") =>
        {
            FetchError::Dns {
                module,
                host: url_host(&url).unwrap_or(&url).to_owned(),
            }
        }
        ureq::Error::Io(error) => transfer_error(context, &url, error),
        ureq::Error::ConnectionFailed => FetchError::Connect {
            module,
            url,
            reason: "the connection failed".to_owned(),
        },
        other => FetchError::Connect {
            module,
            url,
            reason: other.to_string(),
        },
    }
}

fn transfer_error(context: &Context<'_>, url: &str, error: io::Error) -> FetchError {
    let module = context.module.to_owned();
    let url = url.to_owned();
    if error.kind() == io::ErrorKind::TimedOut {
        return FetchError::Timeout { module, url };
    }
    // ureq reports its own errors (timeouts among them) wrapped in an io::Error while reading.
    if let Some(inner) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ureq::Error>())
        && matches!(inner, ureq::Error::Timeout(_))
    {
        return FetchError::Timeout { module, url };
    }
    let reason = match error.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        io::ErrorKind::ConnectionReset => "connection reset".to_owned(),
        _ => error.to_string(),
    };
    FetchError::Connect {
        module,
        url,
        reason,
    }
}

fn archive_error(context: &Context<'_>, error: ArchiveError) -> FetchError {
    let module = context.module.to_owned();
    match error {
        ArchiveError::Unsafe { entry, reason } => FetchError::UnsafeArchive {
            module,
            entry,
            reason: reason.to_owned(),
        },
        ArchiveError::TooLarge { limit, what } => FetchError::TooLarge {
            module,
            limit,
            what: what.to_owned(),
        },
        ArchiveError::Format(reason) => FetchError::Archive { module, reason },
        ArchiveError::Io(error) => FetchError::Archive {
            module,
            reason: error.to_string(),
        },
    }
}

fn git_error(context: &Context<'_>, error: GitError) -> FetchError {
    let module = context.module.to_owned();
    match error {
        GitError::NoSuchRef(name) => FetchError::Git {
            module,
            reason: format!("no tag, branch or commit named {name:?}"),
        },
        GitError::TooLarge { limit, what } => FetchError::TooLarge {
            module,
            limit,
            what: what.to_owned(),
        },
        GitError::Unsafe { entry, reason } => FetchError::UnsafeArchive {
            module,
            entry,
            reason: reason.to_owned(),
        },
        GitError::Other(reason) => FetchError::Git { module, reason },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_login_tokens_are_read_by_host() {
        let dir =
            std::env::temp_dir().join(format!("portcullis-credentials-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("credentials.tfrc.json");
        fs::write(
            &path,
            r#"{"credentials": {"App.Terraform.io": {"token": " abc "}, "helper.example": {}}}"#,
        )
        .unwrap();
        let tokens = tokens_from_credentials_file(&path);
        assert_eq!(
            tokens,
            BTreeMap::from([("app.terraform.io".to_owned(), "abc".to_owned())])
        );
        fs::write(&path, "not json").unwrap();
        assert!(tokens_from_credentials_file(&path).is_empty());
        assert!(tokens_from_credentials_file(&dir.join("missing.json")).is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_name_the_resolver_cannot_find_is_a_dns_error() {
        let context = Context { module: "m" };
        let url = "https://registry.example.invalid/.well-known/terraform.json";
        let unresolved = ureq::Error::Io(io::Error::other(
            "failed to lookup address information: Name or service not known",
        ));
        let error = http_error(&context, url, unresolved);
        assert!(
            matches!(&error, FetchError::Dns { host, .. } if host == "registry.example.invalid"),
            "{error}"
        );
        let refused = ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused));
        let error = http_error(&context, url, refused);
        assert!(matches!(error, FetchError::Connect { .. }), "{error}");
    }

    #[test]
    fn relative_locations_resolve_against_the_download_url() {
        let base = "https://registry.example.com/v1/modules/ns/name/aws/1.0.0/download";
        assert_eq!(
            resolve_url(base, "git::https://github.com/a/b?ref=v1"),
            "git::https://github.com/a/b?ref=v1"
        );
        assert_eq!(
            resolve_url(base, "https://cdn.example.com/m.tgz"),
            "https://cdn.example.com/m.tgz"
        );
        assert_eq!(
            resolve_url(base, "/archives/m.zip"),
            "https://registry.example.com/archives/m.zip"
        );
        assert_eq!(
            resolve_url(base, "./m.tar.gz"),
            "https://registry.example.com/v1/modules/ns/name/aws/1.0.0/m.tar.gz"
        );
        assert_eq!(
            resolve_url(base, "../../m.zip?x=1"),
            "https://registry.example.com/v1/modules/ns/name/m.zip?x=1"
        );
        assert_eq!(
            resolve_url(base, "//other.example.com/m.zip"),
            "https://other.example.com/m.zip"
        );
        assert_eq!(
            resolve_url(
                "http://127.0.0.1:80/.well-known/terraform.json",
                "/v1/modules/"
            ),
            "http://127.0.0.1:80/v1/modules/"
        );
    }

    #[test]
    fn token_hosts_decode_like_terraform() {
        assert_eq!(token_host("app_terraform_io"), "app.terraform.io");
        assert_eq!(
            token_host("my__registry_example_com"),
            "my-registry.example.com"
        );
    }

    #[test]
    fn cache_keys_are_stable_readable_and_distinct() {
        let one = cache_key("registry.terraform.io/a/b/aws", Some("5.3.0"));
        assert_eq!(
            one,
            cache_key("registry.terraform.io/a/b/aws", Some("5.3.0"))
        );
        assert!(
            one.starts_with("registry.terraform.io_a_b_aws_5.3.0-"),
            "{one}"
        );
        assert_ne!(
            one,
            cache_key("registry.terraform.io/a/b/aws", Some("5.3.1"))
        );
        assert_ne!(cache_key("a/b", None), cache_key("a_b", None));
        assert!(cache_key(&"x".repeat(500), None).len() < 120);
    }

    #[test]
    fn globs() {
        assert!(glob_match("*", "repo-1.0"));
        assert!(glob_match("repo-*", "repo-1.0"));
        assert!(!glob_match("repo-*", "other"));
    }
}
