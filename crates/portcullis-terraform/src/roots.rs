//! Which directories are root modules, and the files the walker gave in each, parsed once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use portcullis_ir::{Problem, SourceFile};
use portcullis_terraform_core::manifest::is_local_source;

use crate::paths::{is_tfvars, normalize};
use crate::syntax::{self, Block, ParsedFile};

pub(crate) type Parsed = Result<Arc<ParsedFile>, Problem>;

/// Whether a file may hold a `module` block: its text must spell the word, unless it is JSON,
/// where a key may be written with `\u` escapes.
pub(crate) fn may_call_modules(file: &SourceFile) -> bool {
    !is_tfvars(&file.path)
        && (file.text.contains("module")
            || (syntax::is_json(&file.path) && file.text.contains("\\u")))
}

/// The directories a file's `module` blocks call by local path.
pub(crate) fn local_calls(dir: &Path, file: &ParsedFile) -> BTreeSet<PathBuf> {
    let Some(body) = file.body() else {
        return BTreeSet::new();
    };
    body.blocks()
        .into_iter()
        .filter(|block| block.ident == "module")
        .filter_map(|block| local_source(&block))
        .map(|source| normalize(&dir.join(source)))
        .filter(|target| target != dir)
        .collect()
}

pub(crate) type DirFiles = (Vec<Arc<ParsedFile>>, Vec<Problem>);

/// The files the walker gave in one directory.
#[derive(Default)]
pub(crate) struct Dir {
    /// Sorted by path, each with its parse if it was parsed early (to find module calls); the
    /// parse is taken when the directory is loaded.
    pub(crate) files: Mutex<Vec<(Arc<SourceFile>, Option<Parsed>)>>,
    /// Set for a directory other directories call as a module: parsed once, kept for every
    /// root that loads it.
    pub(crate) shared: Option<OnceLock<DirFiles>>,
    /// Whether a root has loaded it.
    pub(crate) loaded: AtomicBool,
}

impl Dir {
    /// The bytes of its files: how long its evaluation may take.
    pub(crate) fn size(&self) -> usize {
        self.files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(source, _)| source.text.len())
            .sum()
    }

    pub(crate) fn load(&self) -> DirFiles {
        self.loaded.store(true, Ordering::Relaxed);
        match &self.shared {
            Some(cell) => cell.get_or_init(|| self.parse()).clone(),
            None => self.parse(),
        }
    }

    pub(crate) fn parse(&self) -> DirFiles {
        let mut files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
        let mut parsed = Vec::new();
        let mut problems = Vec::new();
        for (source, early) in files.iter_mut() {
            match early
                .take()
                .unwrap_or_else(|| syntax::parse(source).map(Arc::new))
            {
                Ok(file) => parsed.push(file),
                Err(problem) => problems.push(problem),
            }
        }
        (parsed, problems)
    }
}

/// Directories under `.terraform` hold installed modules, never root modules.
pub(crate) fn in_terraform_dir(dir: &Path) -> bool {
    dir.components()
        .any(|component| component.as_os_str() == ".terraform")
}

/// Directories that no other scanned directory calls as a local module. Directories that
/// no root reaches (a cycle of modules calling each other) are roots too, so that every
/// directory is analysed; when everything is a cycle, every directory is a root.
pub(crate) fn root_modules(
    module_dirs: &BTreeSet<PathBuf>,
    calls: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
) -> Vec<PathBuf> {
    let called: BTreeSet<&PathBuf> = calls.values().flatten().collect();
    let mut roots: Vec<PathBuf> = module_dirs
        .iter()
        .filter(|dir| !called.contains(dir))
        .cloned()
        .collect();
    let mut reached: BTreeSet<PathBuf> = BTreeSet::new();
    let mut pending = roots.clone();
    while let Some(dir) = pending.pop() {
        if reached.insert(dir.clone()) {
            pending.extend(calls.get(&dir).into_iter().flatten().cloned());
        }
    }
    roots.extend(
        module_dirs
            .iter()
            .filter(|dir| !reached.contains(*dir))
            .cloned(),
    );
    roots.sort();
    roots
}

/// Whether a module source names a directory of the scan (local), to decide root modules.
pub(crate) fn local_source<'b>(block: &Block<'b>) -> Option<&'b str> {
    block
        .body
        .attr("source")
        .and_then(|attr| attr.expr.as_literal_str())
        .filter(|source| is_local_source(source))
}
