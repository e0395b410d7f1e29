//! When each unit is analysed: a change marks its unit and (re)starts a debounce timer, due
//! units are queued for the analysis thread, which runs only the newest job of a unit, and a
//! result older than the unit's last change is stale.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};
use portcullis_diagnostics::Diagnostic;

use crate::analysis::{Analysis, Overlays, Target};
use crate::config::{self, Stamp};
use crate::documents::{self, Documents};

/// An analysis with the buffer versions it read and its findings as LSP diagnostics.
pub struct Snapshot {
    pub analysis: Analysis,
    pub versions: BTreeMap<PathBuf, i32>,
    pub diagnostics: Vec<lsp_types::Diagnostic>,
}

impl Snapshot {
    /// The findings located in one file, with their LSP diagnostics.
    pub fn findings_in<'a>(
        &'a self,
        path: &'a Path,
    ) -> impl Iterator<Item = (&'a Diagnostic, &'a lsp_types::Diagnostic)> + 'a {
        let path = path.to_string_lossy();
        self.analysis
            .findings
            .iter()
            .zip(&self.diagnostics)
            .filter(move |(finding, _)| self.analysis.sources.path(finding.span.file) == path)
    }
}

#[derive(Default)]
pub struct UnitState {
    /// Bumped by every change to the unit's inputs; a result of an older generation is stale.
    pub generation: u64,
    pub due: Option<Instant>,
    /// The flag of its last queued analysis: set when the unit changes, so that an analysis
    /// whose result would be stale stops early.
    pub cancel: Option<Arc<AtomicBool>>,
    pub current: Option<Snapshot>,
    pub published: BTreeSet<PathBuf>,
    /// The configuration file its last analysis followed (`None` inside: the defaults).
    pub config_file: Option<Option<PathBuf>>,
    /// The files its last analysis read from disk, with their stamps then: one that changes is
    /// a change to the unit, even when the client reports nothing.
    pub inputs: BTreeMap<PathBuf, Stamp>,
}

pub struct Job {
    pub target: Target,
    pub generation: u64,
    pub cancel: Arc<AtomicBool>,
    pub overlays: Overlays,
    pub versions: BTreeMap<PathBuf, i32>,
    pub config: Arc<portcullis_config::Resolved>,
    pub workspace: Option<PathBuf>,
}

pub struct Done {
    pub target: Target,
    pub generation: u64,
    pub versions: BTreeMap<PathBuf, i32>,
    /// `None` when the analysis panicked.
    pub analysis: Option<Analysis>,
}

/// The configuration of a directory, and the file it comes from (`None`: the defaults).
pub type ConfigFor<'a> =
    dyn FnMut(&Path) -> (Option<PathBuf>, Arc<portcullis_config::Resolved>) + 'a;

/// The units and the queue of the analysis thread.
pub struct Scheduler {
    jobs: Sender<Job>,
    pub units: BTreeMap<Target, UnitState>,
}

impl Scheduler {
    /// Starts the analysis thread, which sends each result to `results`.
    pub fn start(results: Sender<Done>) -> Option<Self> {
        let (jobs, job_queue) = unbounded();
        std::thread::Builder::new()
            .name("portcullis-analysis".to_owned())
            .spawn(move || work(&job_queue, &results))
            .ok()?;
        Some(Self {
            jobs,
            units: BTreeMap::new(),
        })
    }

    /// Marks a unit's inputs as changed and (re)starts its debounce timer.
    pub fn touch(&mut self, target: Target, delay: Duration) {
        let unit = self.units.entry(target).or_default();
        unit.generation += 1;
        if let Some(cancel) = unit.cancel.take() {
            cancel.store(true, Ordering::Relaxed);
        }
        unit.due = Some(Instant::now() + delay);
    }

    /// The units whose inputs changed on disk since their last analysis: a file it read that
    /// is not open, or which configuration file is nearest its directory.
    pub fn changed_on_disk(&self, documents: &Documents) -> BTreeSet<Target> {
        self.units
            .iter()
            .filter(|(target, unit)| {
                let moved = unit
                    .config_file
                    .as_ref()
                    .is_some_and(|file| *file != portcullis_config::discover(&target.dir()));
                moved
                    || unit.inputs.iter().any(|(path, seen)| {
                        !documents.contains_key(path) && config::stamp(path) != *seen
                    })
            })
            .map(|(target, _)| target.clone())
            .collect()
    }

    /// The units whose last analysis followed this configuration file.
    pub fn following(&self, file: &Path) -> Vec<Target> {
        self.units
            .iter()
            .filter(|(_, unit)| {
                unit.config_file
                    .as_ref()
                    .is_some_and(|followed| followed.as_deref() == Some(file))
            })
            .map(|(target, _)| target.clone())
            .collect()
    }

    pub fn next_due(&self) -> Option<Instant> {
        self.units.values().filter_map(|unit| unit.due).min()
    }

    /// Queues the analyses whose debounce time has come, each with the configuration
    /// `config_for` gives its directory (and the file it came from).
    pub fn start_due(
        &mut self,
        documents: &Documents,
        workspace: Option<&Path>,
        config_for: &mut ConfigFor<'_>,
    ) {
        let now = Instant::now();
        let overlays = documents::overlays(documents);
        let versions = documents::versions(documents);
        for (target, unit) in &mut self.units {
            if unit.due.is_some_and(|due| due <= now) {
                unit.due = None;
                let cancel = Arc::new(AtomicBool::new(false));
                unit.cancel = Some(Arc::clone(&cancel));
                let (config_file, config) = config_for(&target.dir());
                unit.config_file = Some(config_file);
                let _ = self.jobs.send(Job {
                    target: target.clone(),
                    generation: unit.generation,
                    cancel,
                    overlays: overlays.clone(),
                    versions: versions.clone(),
                    config,
                    workspace: workspace.map(Path::to_path_buf),
                });
            }
        }
    }
}

/// Analyses queued jobs; of several queued for one unit only the newest runs.
fn work(queue: &Receiver<Job>, results: &Sender<Done>) {
    while let Ok(first) = queue.recv() {
        let mut batch = BTreeMap::new();
        for job in std::iter::once(first).chain(queue.try_iter()) {
            batch.insert(job.target.clone(), job);
        }
        for (target, job) in batch {
            // A bug in a front-end must cost one analysis, not the editor session.
            let analysis = std::panic::catch_unwind(AssertUnwindSafe(|| {
                Analysis::run(
                    &job.target,
                    &job.overlays,
                    &job.config,
                    job.workspace.as_deref(),
                    Some(Arc::clone(&job.cancel)),
                )
            }))
            .ok();
            let done = Done {
                target,
                generation: job.generation,
                versions: job.versions,
                analysis,
            };
            if results.send(done).is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_cancels_the_analysis_already_queued_or_running() {
        let (jobs, queue) = unbounded();
        let mut server = Scheduler {
            jobs,
            units: BTreeMap::new(),
        };
        let config = Arc::new(portcullis_config::Resolved::default());
        let mut config_for = |_: &Path| (None, Arc::clone(&config));
        let target = Target::Module(PathBuf::from("/nonexistent/portcullis-cancel"));
        server.touch(target.clone(), Duration::ZERO);
        server.start_due(&Documents::new(), None, &mut config_for);
        let first: Job = queue.try_recv().expect("a queued analysis");
        assert!(!first.cancel.load(Ordering::Relaxed));
        // An edit makes the first analysis stale: it is told to stop; the next one is not.
        server.touch(target, Duration::ZERO);
        assert!(first.cancel.load(Ordering::Relaxed));
        server.start_due(&Documents::new(), None, &mut config_for);
        let second: Job = queue.try_recv().expect("the analysis of the edit");
        assert!(!second.cancel.load(Ordering::Relaxed));
        assert!(second.generation > first.generation);
    }
}
