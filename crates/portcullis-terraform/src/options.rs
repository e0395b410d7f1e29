//! How the caller configures the front-end.

use std::path::PathBuf;
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
}
