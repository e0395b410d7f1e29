//! The Terraform front-end: `.tf`, `.tf.json`, `.tfvars` and `.tfvars.json` files become
//! [`Unit`]s of the portcullis IR, one per root module, with every value evaluated as far as
//! the configuration allows (variables, tfvars, locals, functions, `count`/`for_each`,
//! `dynamic` blocks, modules) and every value it could not know marked unknown with a reason.

mod eval;
mod extract;
mod functions;
mod module;
pub mod schema;
mod syntax;
mod types;
mod value;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use portcullis_ir::{Inventory, MAX_FILE_SIZE, Problem, SourceFile, SourceMap, Unit};
use rayon::prelude::*;

use crate::eval::{Ctx, Env, Frame, Resolution, VarValue, World, typed, variable_default};
use crate::module::{
    Layering, Module, dir_of, display, is_local_source, is_tfvars, layering, normalize,
};
use crate::syntax::{Expr, ParsedFile, Src};
use crate::value::V;

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

type Parsed = Result<Arc<ParsedFile>, Problem>;

/// Whether a path is a Terraform file this front-end reads.
pub fn is_terraform_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    [".tf", ".tf.json", ".tfvars", ".tfvars.json"]
        .iter()
        .any(|suffix| name.len() > suffix.len() && name.ends_with(suffix))
}

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

/// Whether a file may hold a `module` block: its text must spell the word, unless it is JSON,
/// where a key may be written with `\u` escapes.
fn may_call_modules(file: &SourceFile) -> bool {
    !is_tfvars(&file.path)
        && (file.text.contains("module")
            || (syntax::is_json(&file.path) && file.text.contains("\\u")))
}

/// The directories a file's `module` blocks call by local path.
fn local_calls(dir: &Path, file: &ParsedFile) -> BTreeSet<PathBuf> {
    let Some(body) = file.body() else {
        return BTreeSet::new();
    };
    body.blocks()
        .into_iter()
        .filter(|block| block.ident == "module")
        .filter_map(|block| eval::local_source(&block))
        .map(|source| normalize(&dir.join(source)))
        .filter(|target| target != dir)
        .collect()
}

type DirFiles = (Vec<Arc<ParsedFile>>, Vec<Problem>);

/// The files the walker gave in one directory.
#[derive(Default)]
struct Dir {
    /// Sorted by path, each with its parse if it was parsed early (to find module calls); the
    /// parse is taken when the directory is loaded.
    files: Mutex<Vec<(Arc<SourceFile>, Option<Parsed>)>>,
    /// Set for a directory other directories call as a module: parsed once, kept for every
    /// root that loads it.
    shared: Option<OnceLock<DirFiles>>,
    /// Whether a root has loaded it.
    loaded: AtomicBool,
}

impl Dir {
    /// The bytes of its files: how long its evaluation may take.
    fn size(&self) -> usize {
        self.files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(source, _)| source.text.len())
            .sum()
    }

    fn load(&self) -> DirFiles {
        self.loaded.store(true, Ordering::Relaxed);
        match &self.shared {
            Some(cell) => cell.get_or_init(|| self.parse()).clone(),
            None => self.parse(),
        }
    }

    fn parse(&self) -> DirFiles {
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
fn in_terraform_dir(dir: &Path) -> bool {
    dir.components()
        .any(|component| component.as_os_str() == ".terraform")
}

/// Directories that no other scanned directory calls as a local module. Directories that
/// no root reaches (a cycle of modules calling each other) are roots too, so that every
/// directory is analysed; when everything is a cycle, every directory is a root.
fn root_modules(
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

/// `--var-file` and `--var` inputs, read and parsed once for every root.
struct Inputs {
    var_files: Vec<Arc<ParsedFile>>,
    problems: Vec<Problem>,
    /// The `--var` values as one synthetic file, `NAME=VALUE` per line.
    cli: Option<Arc<SourceFile>>,
    /// Name, byte range of the value in `cli`.
    cli_vars: Vec<(String, std::ops::Range<usize>)>,
}

impl Inputs {
    fn new(sources: &SourceMap, options: &Options) -> Self {
        let mut var_files = Vec::new();
        let mut problems = Vec::new();
        for path in &options.var_files {
            let Ok(text) = std::fs::read_to_string(path) else {
                let file = sources.add(display(path), "");
                problems.push(Problem {
                    span: file.span(0, 0),
                    message: format!("cannot read the variable file {}", path.display()),
                });
                continue;
            };
            let file = sources.add(display(path), text);
            match syntax::parse(&file) {
                Ok(parsed) => var_files.push(Arc::new(parsed)),
                Err(problem) => problems.push(problem),
            }
        }
        let mut text = String::new();
        let mut cli_vars = Vec::new();
        for (name, value) in &options.vars {
            text.push_str(name);
            text.push('=');
            let start = text.len();
            text.push_str(value);
            cli_vars.push((name.clone(), start..text.len()));
            text.push('\n');
        }
        let cli = (!options.vars.is_empty()).then(|| sources.add("<command line --var>", text));
        Self {
            var_files,
            problems,
            cli,
            cli_vars,
        }
    }
}

/// The module directories of one root, loaded before evaluation borrows them.
struct Loading {
    /// `.terraform/modules/modules.json` of the root: module key → directory.
    installed: BTreeMap<String, PathBuf>,
    /// Module directories read from disk, as the user's paths spell them.
    given: BTreeMap<PathBuf, PathBuf>,
    root: PathBuf,
    loaded: BTreeMap<PathBuf, Vec<Arc<ParsedFile>>>,
    resolutions: BTreeMap<(PathBuf, String), Resolution>,
    problems: Vec<Problem>,
}

struct Shared<'s> {
    dirs: &'s BTreeMap<PathBuf, Dir>,
    /// The directories of the given files, normalised → as given.
    given: &'s BTreeMap<PathBuf, PathBuf>,
    sources: &'s SourceMap,
    options: &'s Options,
    inputs: &'s Inputs,
    /// Directories read from disk, with the problems of their files.
    disk: Mutex<BTreeMap<PathBuf, DirFiles>>,
}

impl Shared<'_> {
    fn unit(&self, root: &Path) -> Unit {
        let mut loading = Loading {
            installed: installed_modules(root),
            given: BTreeMap::new(),
            root: root.to_path_buf(),
            loaded: BTreeMap::new(),
            resolutions: BTreeMap::new(),
            problems: self.inputs.problems.clone(),
        };
        self.load(root, "", &mut Vec::new(), &mut loading);
        let Loading {
            loaded,
            resolutions,
            mut problems,
            ..
        } = loading;
        let layerings: BTreeMap<&PathBuf, Layering<'_>> = loaded
            .iter()
            .map(|(dir, files)| (dir, layering(files)))
            .collect();
        let mut world = World {
            modules: BTreeMap::new(),
            resolutions,
        };
        for (dir, files) in &loaded {
            let module = Module::new(dir, files, layerings.get(dir));
            world.modules.insert(dir.clone(), module);
        }
        let env = Env::cancellable(self.options.cancel.clone());
        let mut inventory = Inventory::default();
        if let Some(module) = world.modules.get(root) {
            let root_files = loaded.get(root).map(Vec::as_slice).unwrap_or_default();
            let vars = self.root_vars(&env, &world, module, root, root_files);
            let ctx = Ctx::new(&env, &world, module, root.to_path_buf(), vars);
            extract::extract(&ctx, &mut inventory);
        }
        problems.extend(env.take_problems());
        Unit {
            name: display(root),
            inventory,
            problems,
        }
    }

    /// Loads a module directory and, depth first, the modules it calls, recording how each
    /// call resolves. `chain` holds the directories of the callers, to stop at cycles.
    fn load(&self, dir: &Path, key: &str, chain: &mut Vec<PathBuf>, loading: &mut Loading) {
        if !loading.loaded.contains_key(dir) {
            let files = self.files_of(dir, &mut loading.problems);
            loading.loaded.insert(dir.to_path_buf(), files);
        }
        if chain.len() > eval::MAX_MODULE_DEPTH || chain.iter().any(|caller| caller == dir) {
            // The evaluator reports the cycle or the depth where the call is made.
            return;
        }
        chain.push(dir.to_path_buf());
        let files = loading.loaded.get(dir).cloned().unwrap_or_default();
        for file in files.iter().filter(|file| !is_tfvars(file.path())) {
            let Some(body) = file.body() else { continue };
            for block in body
                .blocks()
                .into_iter()
                .filter(|block| block.ident == "module")
            {
                if loading.resolutions.len() >= eval::MAX_MODULE_CALLS {
                    loading.problems.push(Problem {
                        span: block.labels_span,
                        message: format!(
                            "evaluation limit reached: more than {} module calls",
                            eval::MAX_MODULE_CALLS
                        ),
                    });
                    chain.pop();
                    return;
                }
                let name = block.label(0);
                let call_key = if key.is_empty() {
                    name.to_owned()
                } else {
                    format!("{key}.{name}")
                };
                let Some(source) = block
                    .body
                    .attr("source")
                    .and_then(|attr| attr.expr.as_literal_str())
                else {
                    continue;
                };
                let slot = (dir.to_path_buf(), call_key.clone());
                if loading.resolutions.contains_key(&slot) {
                    continue;
                }
                let resolution = match self.resolve(dir, &call_key, source, loading) {
                    Ok((target, given)) => {
                        loading.given.entry(target.clone()).or_insert(given);
                        Resolution::Dir(target)
                    }
                    Err(reason) => Resolution::Unresolved(reason),
                };
                loading.resolutions.insert(slot.clone(), resolution.clone());
                if let Resolution::Dir(target) = resolution {
                    self.load(&target, &call_key, chain, loading);
                    if loading.loaded.get(&target).is_none_or(Vec::is_empty) {
                        let reason = format!("{} holds no Terraform file", target.display());
                        loading
                            .resolutions
                            .insert(slot, Resolution::Unresolved(reason));
                    }
                }
            }
        }
        chain.pop();
    }

    /// Where a module call leads: the directory (normalised, the identity of a module) and the
    /// same directory as the user's paths spell it (files read from it are registered so).
    fn resolve(
        &self,
        dir: &Path,
        key: &str,
        source: &str,
        loading: &Loading,
    ) -> Result<(PathBuf, PathBuf), String> {
        let (given, base) = if is_local_source(source) {
            (self.given_dir(loading, dir).join(source), None)
        } else {
            let installed = loading.installed.get(key).ok_or_else(|| {
                format!(
                    "source {source} is not installed (no entry {key:?} in .terraform/modules/modules.json; run terraform init)"
                )
            })?;
            (
                self.given_dir(loading, &loading.root).join(installed),
                Some(installed),
            )
        };
        let target = normalize(&given);
        // modules.json comes from the scanned repository too: its directories are confined alike.
        if !self.options.allow_outside_root && !self.within_scan_roots(&target) {
            let what = if base.is_some() {
                "installed module directory of"
            } else {
                "source"
            };
            return Err(format!(
                "{what} {source} is outside the scanned paths (allow it with --allow-outside-root)"
            ));
        }
        Ok((target, given))
    }

    /// A directory as the user's paths spell it.
    fn given_dir(&self, loading: &Loading, dir: &Path) -> PathBuf {
        loading
            .given
            .get(dir)
            .or_else(|| self.given.get(dir))
            .cloned()
            .unwrap_or_else(|| dir.to_path_buf())
    }

    fn within_scan_roots(&self, target: &Path) -> bool {
        if self.options.scan_roots.is_empty() {
            return true;
        }
        let absolute = |path: &Path| {
            std::path::absolute(path)
                .map(|path| normalize(&path))
                .unwrap_or_else(|_| normalize(path))
        };
        let target = absolute(target);
        self.options.scan_roots.iter().any(|scan_root| {
            let scan_root = absolute(scan_root);
            // A scan root may be a file: its directory is what the scan covers.
            let scan_dir = if scan_root.extension().is_some() && is_terraform_file(&scan_root) {
                scan_root
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or(scan_root)
            } else {
                scan_root
            };
            target.starts_with(&scan_dir)
        })
    }

    /// A directory's parsed files: those the walker gave, or read from disk (installed modules,
    /// directories outside the scan).
    fn files_of(&self, dir: &Path, problems: &mut Vec<Problem>) -> Vec<Arc<ParsedFile>> {
        if let Some(entry) = self.dirs.get(dir) {
            let (files, dir_problems) = entry.load();
            problems.extend(dir_problems);
            return files;
        }
        // Several roots may call the same directory outside the scan: read and register it once.
        let mut disk = self.disk.lock().unwrap_or_else(PoisonError::into_inner);
        let (files, dir_problems) = disk
            .entry(dir.to_path_buf())
            .or_insert_with(|| self.read_dir(dir));
        problems.extend(dir_problems.iter().cloned());
        files.clone()
    }

    /// The `.tf` and `.tf.json` files of a directory the walker did not give, read and registered
    /// at its normalised path (Terraform joins module paths lexically). Not as a caller spells it:
    /// roots calling it as `a/../shared` and `b/../shared` race to read it first, and the output
    /// must not depend on which one wins.
    fn read_dir(&self, dir: &Path) -> DirFiles {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return (files, problems);
        };
        let mut names: Vec<std::ffi::OsString> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.path().is_file())
            .map(|entry| entry.file_name())
            .filter(|name| {
                let name = Path::new(name);
                is_terraform_file(name) && !is_tfvars(&name.to_string_lossy())
            })
            .collect();
        names.sort();
        for name in names {
            let shown = display(&dir.join(&name));
            let text = match read_module_file(&dir.join(&name)) {
                Ok(text) => text,
                Err(message) => {
                    // Reported where it would have been read, never skipped without a word.
                    let file = self.sources.add(shown, "");
                    problems.push(Problem {
                        span: file.span(0, 0),
                        message,
                    });
                    continue;
                }
            };
            let source = self.sources.add(shown, text);
            match syntax::parse(&source) {
                Ok(parsed) => files.push(Arc::new(parsed)),
                Err(problem) => problems.push(problem),
            }
        }
        (files, problems)
    }

    /// Root variables with Terraform's precedence: default, terraform.tfvars,
    /// terraform.tfvars.json, *.auto.tfvars(.json) in lexical order, --var-file, --var.
    fn root_vars<'a>(
        &self,
        env: &'a Env,
        world: &'a World<'a>,
        module: &'a Module<'a>,
        root: &Path,
        root_files: &[Arc<ParsedFile>],
    ) -> BTreeMap<String, VarValue> {
        let bootstrap = Ctx::new(env, world, module, root.to_path_buf(), BTreeMap::new());
        let mut vars: BTreeMap<String, VarValue> = module
            .variables
            .iter()
            .map(|(name, block)| ((*name).to_owned(), variable_default(&bootstrap, block, "")))
            .collect();
        let file_name = |file: &ParsedFile| {
            Path::new(file.path())
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let rank = |name: &str| match name {
            "terraform.tfvars" => Some(0),
            "terraform.tfvars.json" => Some(1),
            name if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") => {
                Some(2)
            }
            _ => None,
        };
        let mut automatic: Vec<(usize, String, &Arc<ParsedFile>)> = root_files
            .iter()
            .filter_map(|file| {
                let name = file_name(file);
                rank(&name).map(|rank| (rank, name, file))
            })
            .collect();
        automatic.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let tfvars = automatic
            .into_iter()
            .map(|(_, name, file)| (name, file))
            .chain(
                self.inputs
                    .var_files
                    .iter()
                    .map(|file| (file.path().to_owned(), file)),
            );
        for (name, file) in tfvars {
            let Some(body) = file.body() else { continue };
            for attr in body.attrs() {
                if vars.contains_key(attr.name) {
                    let value = bootstrap.eval(attr.expr, &Frame::default());
                    vars.insert(attr.name.to_owned(), (value, format!(" in {name}")));
                }
            }
        }
        if let Some(cli) = &self.inputs.cli {
            let renamed = BTreeMap::new();
            for (name, range) in &self.inputs.cli_vars {
                let Some(block) = module.variables.get(name.as_str()) else {
                    continue;
                };
                let text = cli.text.get(range.clone()).unwrap_or_default();
                let span = cli.span(range.start, range.end);
                let is_string = block
                    .body
                    .attr("type")
                    .is_some_and(|attr| matches!(attr.expr, Expr::Hcl(hcl_edit::expr::Expression::Variable(ident), _) if ident.value().as_str() == "string"));
                let parsed = (!is_string)
                    .then(|| hcl_edit::parser::parse_expr(text).ok())
                    .flatten();
                let value = match &parsed {
                    Some(expr) => {
                        let src = Src {
                            file: cli.id,
                            shift: range.start,
                            fixed: None,
                            renamed: &renamed,
                        };
                        bootstrap.eval(Expr::Hcl(expr, src), &Frame::default())
                    }
                    None => V::str(text, span),
                };
                vars.insert(name.clone(), (value, " (--var)".to_owned()));
            }
        }
        vars.into_iter()
            .map(|(name, entry)| {
                let entry = match module.variables.get(name.as_str()) {
                    Some(block) => typed(&bootstrap, block, entry),
                    None => entry,
                };
                (name, entry)
            })
            .collect()
    }
}

/// `.terraform/modules/modules.json`: where `terraform init` installed each module key.
fn installed_modules(root: &Path) -> BTreeMap<String, PathBuf> {
    let path = root.join(".terraform").join("modules").join("modules.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        return BTreeMap::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return BTreeMap::new();
    };
    let Some(modules) = json.get("Modules").and_then(serde_json::Value::as_array) else {
        return BTreeMap::new();
    };
    modules
        .iter()
        .filter_map(|entry| {
            let key = entry.get("Key")?.as_str()?;
            let dir = entry.get("Dir")?.as_str()?;
            (!key.is_empty()).then(|| (key.to_owned(), PathBuf::from(dir)))
        })
        .collect()
}

/// A module file read from disk, with the same limits as the files the scan walks.
fn read_module_file(path: &Path) -> Result<String, String> {
    let size = std::fs::metadata(path)
        .map_err(|error| format!("cannot read module file: {error}"))?
        .len();
    if size > MAX_FILE_SIZE {
        return Err(format!(
            "module file is {size} bytes, over the {MAX_FILE_SIZE}-byte limit; it was not analysed"
        ));
    }
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read module file: {error}"))?;
    String::from_utf8(bytes).map_err(|error| {
        format!(
            "module file is not valid UTF-8 (invalid byte at offset {}); it was not analysed",
            error.utf8_error().valid_up_to()
        )
    })
}
