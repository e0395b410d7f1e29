//! What a scan is asked to do.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize};

use crate::MAX_FILE_SIZE;

#[derive(Clone)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub threads: Option<usize>,
    pub terraform: portcullis_terraform::Options,
    pub cloudformation: portcullis_cloudformation::Options,
    pub plan: portcullis_plan::Options,
    pub settings: portcullis_checks::Settings,
    /// Texts that replace what is on disk (unsaved editor buffers), by path as walked.
    pub overlays: BTreeMap<PathBuf, String>,
    /// Paths not to scan, in .gitignore syntax (from the configuration file).
    pub exclude: Vec<String>,
    /// Fingerprints of accepted findings: reported as suppressed, not counted.
    pub baseline: BTreeSet<String>,
    /// Counts the files read, for a progress display.
    pub progress: Option<Arc<AtomicUsize>>,
    /// Files larger than this many bytes are reported, not read.
    pub max_file_size: u64,
    /// Set when the result is no longer wanted (the language server's buffer changed): the scan
    /// stops at its next checkpoint and returns [`ScanError::Cancelled`].
    pub cancel: Option<Arc<AtomicBool>>,
    /// Download the remote Terraform modules that are not installed, into this cache. `None`
    /// (the default) keeps the scan offline.
    pub downloads: Option<portcullis_fetch::FetchOptions>,
    /// Counts the remote modules fetched (downloaded or found in the cache), for a progress
    /// display.
    pub modules_progress: Option<Arc<AtomicUsize>>,
}

impl ScanOptions {
    /// Options for `paths` with every default: no overlays, no exclusions, no baseline, and
    /// module sources confined to `paths`.
    pub fn new(paths: Vec<PathBuf>) -> Self {
        Self {
            terraform: portcullis_terraform::Options {
                scan_roots: paths.clone(),
                ..portcullis_terraform::Options::default()
            },
            paths,
            threads: None,
            cloudformation: portcullis_cloudformation::Options::default(),
            plan: portcullis_plan::Options::default(),
            settings: portcullis_checks::Settings::default(),
            overlays: BTreeMap::new(),
            exclude: Vec::new(),
            baseline: BTreeSet::new(),
            progress: None,
            max_file_size: MAX_FILE_SIZE,
            cancel: None,
            downloads: None,
            modules_progress: None,
        }
    }
}

impl ScanOptions {
    /// Options for `paths` under a configuration file: its rule settings, exclusions, size limit,
    /// variable files and module confinement. The CLI adds its flags on top, the language server
    /// its buffers, so that both scan the same way.
    pub fn configured(paths: Vec<PathBuf>, config: &portcullis_config::Resolved) -> Self {
        let mut options = Self::new(paths);
        options.settings = config.settings.clone();
        options.exclude.clone_from(&config.exclude);
        options.terraform.var_files.clone_from(&config.var_files);
        options.terraform.allow_outside_root = config.allow_outside_root.unwrap_or(false);
        if let Some(limit) = config.max_file_size {
            options.max_file_size = limit;
        }
        if config.download_modules == Some(true) {
            options.download_modules(config.module_cache.clone());
        }
        options
    }
}

impl ScanOptions {
    /// Turns downloading of remote modules on, into `cache_dir` or the user's cache directory,
    /// with Terraform's tokens (`terraform login`'s credentials file, `TF_TOKEN_<host>`). The
    /// cache directory is checked when the scan runs: it must not lie inside a scanned path.
    pub fn download_modules(&mut self, cache_dir: Option<PathBuf>) {
        let cache_dir = cache_dir
            .or_else(portcullis_fetch::cache_dir_default)
            .unwrap_or_default();
        self.downloads =
            Some(portcullis_fetch::FetchOptions::new(cache_dir).with_terraform_tokens());
    }
}
