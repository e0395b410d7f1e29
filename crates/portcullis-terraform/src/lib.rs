//! The Terraform front-end: `.tf`, `.tf.json`, `.tfvars` and `.tfvars.json` files become
//! [`Unit`]s of the portcullis IR, one per root module, with every value evaluated as far as
//! the configuration allows (variables, tfvars, locals, functions, `count`/`for_each`,
//! `dynamic` blocks, modules) and every value it could not know marked unknown with a reason.

mod comments;
mod eval;
mod extract;
mod functions;
mod inputs;
mod limits;
mod loading;
mod models;
mod module;
mod options;
mod paths;
mod roots;
mod syntax;
mod value;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use portcullis_ir::{Inventory, SourceFile, SourceMap, Unit};
use rayon::prelude::*;

use crate::inputs::Inputs;
use crate::loading::Shared;
use crate::paths::{dir_of, display, is_tfvars};
use crate::roots::{Dir, Parsed, in_terraform_dir, local_calls, may_call_modules, root_modules};

pub use crate::comments::comments;
pub use crate::options::{Downloads, ModuleDownloader, Options, RemoteModule};
pub use crate::paths::{is_terraform_file, normalize};

/// `files`: every Terraform file the walker found (.tf, .tf.json, .tfvars, .tfvars.json), already read.
/// `sources`: the shared SourceMap; register any extra file you read yourself (module sources under
/// .terraform/modules, --var-file files) with `sources.add`.
///
/// The units are sorted by name; a problem several units share (a module two roots call, a
/// `--var-file`) is given to the first of them only.
pub fn analyze(files: &[Arc<SourceFile>], sources: &SourceMap, options: &Options) -> Vec<Unit> {
    let mut units = analyze_each(files, sources, options, |unit| unit);
    units.sort_by(|a, b| a.name.cmp(&b.name));
    let mut seen: BTreeSet<(portcullis_ir::Span, String)> = BTreeSet::new();
    for unit in &mut units {
        unit.problems
            .retain(|problem| seen.insert((problem.span, problem.message.clone())));
    }
    units
}

/// [`analyze`], one unit at a time: `consume` receives each root module's unit on the worker
/// thread that evaluated it, so that the caller can check it and let it go while other roots are
/// still being evaluated. A directory is parsed when a root first loads it and its syntax trees
/// are dropped with that root's evaluation, unless other directories call it as a module (then
/// it is parsed once and kept for all its callers): peak memory follows the roots being
/// evaluated, not the whole repository.
///
/// Results come in the order of the root directories, then of the directories no root reads
/// that have problems to report. A problem several units share is given to each of them.
pub fn analyze_each<R, F>(
    files: &[Arc<SourceFile>],
    sources: &SourceMap,
    options: &Options,
    consume: F,
) -> Vec<R>
where
    R: Send,
    F: Fn(Unit) -> R + Sync,
{
    // Which directories are roots depends on the module calls, so the files that may hold one
    // are parsed first; those parses are kept for the evaluation, nothing is parsed twice.
    let early: Vec<Option<Parsed>> = files
        .par_iter()
        .map(|file| may_call_modules(file).then(|| syntax::parse(file).map(Arc::new)))
        .collect();
    let mut dirs: BTreeMap<PathBuf, Dir> = BTreeMap::new();
    let mut module_dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut calls: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    let mut given: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for (file, early) in files.iter().zip(early) {
        let dir = dir_of(&file.path);
        if let Some(parent) = Path::new(&file.path).parent() {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            given
                .entry(dir.clone())
                .or_insert_with(|| parent.to_path_buf());
        }
        if !is_tfvars(&file.path) && !in_terraform_dir(&dir) {
            module_dirs.insert(dir.clone());
            if let Some(Ok(parsed)) = &early {
                let targets = local_calls(&dir, parsed);
                if !targets.is_empty() {
                    calls.entry(dir.clone()).or_default().extend(targets);
                }
            }
        }
        dirs.entry(dir)
            .or_default()
            .files
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .push((Arc::clone(file), early));
    }
    let called: BTreeSet<&PathBuf> = calls.values().flatten().collect();
    for (dir, entry) in &mut dirs {
        entry
            .files
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .sort_by(|a, b| a.0.path.cmp(&b.0.path));
        if called.contains(dir) {
            entry.shared = Some(OnceLock::new());
        }
    }
    let roots = root_modules(&module_dirs, &calls);
    let inputs = Inputs::new(sources, options);
    let shared = Shared {
        dirs: &dirs,
        given: &given,
        sources,
        options,
        inputs: &inputs,
        disk: Mutex::default(),
    };
    // The largest roots go first, so that no worker is left with a big one at the end while
    // the others wait; results are put back in the order of the roots.
    let mut by_size: Vec<(usize, &PathBuf)> = roots.iter().enumerate().collect();
    by_size.sort_by_cached_key(|(index, root)| {
        let size = dirs.get(*root).map_or(0, Dir::size);
        (std::cmp::Reverse(size), *index)
    });
    let mut indexed: Vec<(usize, R)> = by_size
        .into_par_iter()
        .map(|(index, root)| (index, consume(shared.unit(root))))
        .collect();
    indexed.sort_by_key(|(index, _)| *index);
    let mut results: Vec<R> = indexed.into_iter().map(|(_, result)| result).collect();
    // A directory that no root reads (only tfvars, say) still reports its problems.
    let unread: Vec<Unit> = dirs
        .par_iter()
        .filter(|(_, entry)| !entry.loaded.load(Ordering::Relaxed))
        .filter_map(|(dir, entry)| {
            let (_, problems) = entry.load();
            (!problems.is_empty()).then(|| Unit {
                name: display(dir),
                inventory: Inventory::default(),
                problems,
            })
        })
        .collect();
    results.extend(unread.into_iter().map(consume));
    results
}
