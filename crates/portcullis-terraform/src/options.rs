//! How the caller configures the front-end.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// How the CLI configures the front-end.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--var NAME=VALUE`, in command-line order (later wins).
    pub vars: Vec<(String, String)>,
    /// `--var-file FILE`, in command-line order.
    pub var_files: Vec<PathBuf>,
    /// Follow local module sources that leave the scan roots.
    pub allow_outside_root: bool,
    /// The paths given on the command line; empty means no restriction on module sources.
    pub scan_roots: Vec<PathBuf>,
    /// Set when the result is no longer wanted (an editor's buffer changed): evaluations stop
    /// early, with meaningless results the caller discards.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Where remote modules that are not installed come from, when the user allowed downloading
    /// them. `None` (the default) keeps the front-end offline: it reads only what is on disk.
    pub downloads: Option<Downloads>,
}

/// A remote module call: its `source` and `version` arguments.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RemoteModule {
    pub source: String,
    pub version: Option<String>,
}

/// Puts remote modules on disk. The front-end only reads what it is given: the network, the
/// cache and their limits belong to the implementation.
pub trait ModuleDownloader: Send + Sync {
    /// The directory of each module (its `//subdir` applied), or why it could not be had, in the
    /// order of `modules`. Implementations may fetch them at the same time.
    fn download(&self, modules: &[RemoteModule]) -> Vec<Result<PathBuf, String>>;

    /// Whether `dir` lies in the downloaded modules' storage: module calls inside a downloaded
    /// module may lead anywhere in it (a sub-module calling `../../`), and nowhere else.
    fn holds(&self, dir: &Path) -> bool;
}

/// The downloader the caller chose.
#[derive(Clone)]
pub struct Downloads(pub Arc<dyn ModuleDownloader>);

impl fmt::Debug for Downloads {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Downloads(..)")
    }
}
