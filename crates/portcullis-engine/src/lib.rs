//! The scan pipeline shared by the CLI and the language server: walk, read, parse and lower in
//! parallel, check in parallel, then sort.

mod downloads;
mod finish;
mod options;
mod read;
mod units;
mod walk;

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use portcullis_diagnostics::{Diagnostic, ScanOutcome, Severity, SuppressedFinding};
use portcullis_ir::{FileId, Problem, SourceMap, Span};

pub use downloads::DownloadCounts;
pub use finish::MAX_FINDINGS_PER_FILE;
pub use options::ScanOptions;
pub use portcullis_fetch::FetchOptions;
pub use portcullis_ir::MAX_FILE_SIZE;
pub use portcullis_suppress::PLACEHOLDER_REASON;
pub use walk::{FileKind, file_kind, is_excluded, is_scanned_repository_file};

/// Why a scan produced no result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanError {
    /// Stopped through [`ScanOptions::cancel`].
    Cancelled,
    /// Nothing could be scanned (no path given could be walked), an exclude pattern is invalid,
    /// or the worker threads could not start.
    CannotRun(String),
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cancelled => f.write_str("the scan was cancelled"),
            Self::CannotRun(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ScanError {}

pub struct ScanResult {
    pub sources: SourceMap,
    pub files_scanned: usize,
    pub findings: Vec<Diagnostic>,
    pub suppressed: Vec<SuppressedFinding>,
    pub problems: Vec<Problem>,
    /// Directories or files the walk could not enter (permission denied, broken links).
    pub walk_errors: Vec<String>,
    /// The files whose findings were capped at [`MAX_FINDINGS_PER_FILE`], with the span of the
    /// problem among `problems` that says how many were left out. The file was analysed.
    pub capped: BTreeMap<FileId, Span>,
    /// What downloading remote modules did, when it was allowed.
    pub downloads: Option<DownloadCounts>,
    pub elapsed: Duration,
}

impl ScanResult {
    pub fn outcome(&self) -> ScanOutcome<'_> {
        ScanOutcome {
            sources: &self.sources,
            files_scanned: self.files_scanned,
            findings: &self.findings,
            suppressed: &self.suppressed,
            problems: &self.problems,
            elapsed: self.elapsed,
        }
    }

    /// 2 when a file could not be analysed, 1 when a finding is at or above `fail_on`, else 0.
    pub fn exit_code(&self, fail_on: Severity) -> u8 {
        if !self.problems.is_empty() || !self.walk_errors.is_empty() {
            2
        } else if self
            .findings
            .iter()
            .any(|finding| finding.severity >= fail_on)
        {
            1
        } else {
            0
        }
    }
}

pub fn run(options: ScanOptions) -> Result<ScanResult, ScanError> {
    let started = Instant::now();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = options.threads {
        builder = builder.num_threads(threads.max(1));
    }
    let pool = builder
        .build()
        .map_err(|error| ScanError::CannotRun(format!("cannot start worker threads: {error}")))?;
    pool.install(|| scan_in_pool(&options, started))
}

fn scan_in_pool(options: &ScanOptions, started: Instant) -> Result<ScanResult, ScanError> {
    let (paths, walk_errors) = walk::files_to_scan(options)?;
    let inputs = read::read_all(paths, walk_errors, options);
    if units::cancelled(options) {
        return Err(ScanError::Cancelled);
    }
    let modules = downloads::module_cache(options)?;
    let analysed = units::analyse(&inputs, options, modules.clone())?;
    let read::Inputs {
        sources,
        problems,
        walk_messages,
        ..
    } = inputs;
    let reported = finish::finish(&sources, analysed.checked, problems, options);
    Ok(ScanResult {
        files_scanned: analysed.files_scanned,
        findings: reported.findings,
        suppressed: reported.suppressed,
        problems: reported.problems,
        walk_errors: walk_messages,
        capped: reported.capped,
        downloads: modules.map(|modules| modules.counts()),
        elapsed: started.elapsed(),
        sources,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    use super::*;

    #[test]
    fn a_cancelled_scan_stops_with_an_error() {
        let dir = std::env::temp_dir().join(format!("portcullis-cancel-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("main.tf"),
            "resource \"aws_security_group\" \"a\" {}\n",
        )
        .unwrap();
        let mut options = ScanOptions::new(vec![dir.clone()]);
        assert!(run(options.clone()).is_ok());
        options.cancel = Some(Arc::new(AtomicBool::new(true)));
        assert_eq!(run(options).err(), Some(ScanError::Cancelled));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
