//! Loading a root module and, depth first, the modules it calls: where each call leads, within
//! the scanned paths, and the files of each directory, read and parsed once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use portcullis_ir::{Inventory, MAX_FILE_SIZE, Problem, SourceMap, Unit};
use portcullis_terraform_core::manifest::{installed_modules, is_local_source};

use crate::eval::{Ctx, Env, Resolution, World};
use crate::extract;
use crate::inputs::Inputs;
use crate::limits::{Limit, MAX_MODULE_CALLS, MAX_MODULE_DEPTH};
use crate::models::model_call;
use crate::module::{Layering, Module, layering};
use crate::options::{Downloads, Options, RemoteModule};
use crate::paths::{display, is_terraform_file, is_tfvars, normalize};
use crate::roots::{Dir, DirFiles};
use crate::syntax::{self, Block, ParsedFile};

/// The module directories of one root, loaded before evaluation borrows them.
struct Loading {
    /// `.terraform/modules/modules.json` of the root: module key → directory.
    installed: BTreeMap<String, PathBuf>,
    /// Module directories read from disk, as the user's paths spell them.
    given: BTreeMap<PathBuf, PathBuf>,
    root: PathBuf,
    loaded: BTreeMap<PathBuf, Vec<Arc<ParsedFile>>>,
    resolutions: BTreeMap<(PathBuf, String), Resolution>,
    /// The directories of the modules downloaded for this root.
    downloaded: BTreeSet<PathBuf>,
    problems: Vec<Problem>,
}

pub(crate) struct Shared<'s> {
    pub(crate) dirs: &'s BTreeMap<PathBuf, Dir>,
    /// The directories of the given files, normalised → as given.
    pub(crate) given: &'s BTreeMap<PathBuf, PathBuf>,
    pub(crate) sources: &'s SourceMap,
    pub(crate) options: &'s Options,
    pub(crate) inputs: &'s Inputs,
    /// Directories read from disk, with the problems of their files.
    pub(crate) disk: Mutex<BTreeMap<PathBuf, DirFiles>>,
}

impl Shared<'_> {
    pub(crate) fn unit(&self, root: &Path) -> Unit {
        let mut loading = Loading {
            installed: installed_modules(root),
            given: BTreeMap::new(),
            root: root.to_path_buf(),
            loaded: BTreeMap::new(),
            resolutions: BTreeMap::new(),
            downloaded: BTreeSet::new(),
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
            let vars = self
                .inputs
                .root_vars(&env, &world, module, root, root_files);
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
        if chain.len() > MAX_MODULE_DEPTH || chain.iter().any(|caller| caller == dir) {
            // The evaluator reports the cycle or the depth where the call is made.
            return;
        }
        chain.push(dir.to_path_buf());
        let files = loading.loaded.get(dir).cloned().unwrap_or_default();
        let calls: Vec<(Block<'_>, &str)> = files
            .iter()
            .filter(|file| !is_tfvars(file.path()))
            .filter_map(|file| file.body())
            .flat_map(|body| body.blocks())
            .filter(|block| block.ident == "module")
            .filter_map(|block| {
                let source = block.body.attr("source")?.expr.as_literal_str()?;
                Some((block, source))
            })
            .collect();
        let mut downloaded = self.download(dir, key, &calls, loading);
        for (block, source) in calls {
            if loading.resolutions.len() >= MAX_MODULE_CALLS {
                loading.problems.push(Problem {
                    span: block.labels_span,
                    message: Limit::ModuleCalls.message(),
                });
                chain.pop();
                return;
            }
            let call_key = call_key(key, block.label(0));
            let slot = (dir.to_path_buf(), call_key.clone());
            if loading.resolutions.contains_key(&slot) {
                continue;
            }
            let resolution = if self.is_remote(source, &call_key, loading) {
                match downloaded.remove(&call_key) {
                    Some(Ok(target)) => {
                        let target_key = normalize(&target);
                        loading.given.entry(target_key.clone()).or_insert(target);
                        loading.downloaded.insert(target_key.clone());
                        Resolution::Dir(target_key)
                    }
                    Some(Err(reason)) => {
                        modelled(source, &block).unwrap_or(Resolution::Unresolved(reason))
                    }
                    None => modelled(source, &block).unwrap_or_else(|| {
                        Resolution::Unresolved(not_installed(source, &call_key))
                    }),
                }
            } else {
                match self.resolve(dir, &call_key, source, loading) {
                    Ok((target, given)) => {
                        loading.given.entry(target.clone()).or_insert(given);
                        Resolution::Dir(target)
                    }
                    Err(reason) => Resolution::Unresolved(reason),
                }
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
        chain.pop();
    }

    /// A call that `terraform init` would download: neither a local path nor installed.
    fn is_remote(&self, source: &str, call_key: &str, loading: &Loading) -> bool {
        !is_local_source(source) && !loading.installed.contains_key(call_key)
    }

    /// Downloads the remote modules `calls` need, all at once, when the user allowed it: the
    /// directory or the reason by call key. A module that cannot be had is a problem at its
    /// `source`; the call then falls back to the model or stays unresolved.
    fn download(
        &self,
        dir: &Path,
        key: &str,
        calls: &[(Block<'_>, &str)],
        loading: &mut Loading,
    ) -> BTreeMap<String, Result<PathBuf, String>> {
        let Some(Downloads(downloader)) = &self.options.downloads else {
            return BTreeMap::new();
        };
        let wanted: Vec<(&Block<'_>, String, RemoteModule)> = calls
            .iter()
            .map(|(block, source)| (block, *source, call_key(key, block.label(0))))
            .filter(|(_, source, call_key)| {
                self.is_remote(source, call_key, loading)
                    && !loading
                        .resolutions
                        .contains_key(&(dir.to_path_buf(), call_key.clone()))
            })
            // Calls past the limit are reported, not downloaded.
            .take(MAX_MODULE_CALLS.saturating_sub(loading.resolutions.len()))
            .map(|(block, source, call_key)| {
                let version = literal_version(block).map(str::to_owned);
                let module = RemoteModule {
                    source: source.to_owned(),
                    version,
                };
                (block, call_key, module)
            })
            .collect();
        if wanted.is_empty() {
            return BTreeMap::new();
        }
        let modules: Vec<RemoteModule> = wanted.iter().map(|(.., module)| module.clone()).collect();
        let results = downloader.download(&modules);
        wanted
            .into_iter()
            .zip(results)
            .map(|((block, call_key, _), result)| {
                if let Err(reason) = &result {
                    let span = block
                        .body
                        .attr("source")
                        .map_or(block.labels_span, |attr| attr.span);
                    loading.problems.push(Problem {
                        span,
                        message: reason.clone(),
                    });
                }
                (call_key, result)
            })
            .collect()
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
            let installed = loading
                .installed
                .get(key)
                .ok_or_else(|| not_installed(source, key))?;
            (
                self.given_dir(loading, &loading.root).join(installed),
                Some(installed),
            )
        };
        let target = normalize(&given);
        // A downloaded module's own calls stay in the download storage; modules.json comes from
        // the scanned repository too: its directories are confined like local sources.
        let within_download = self.downloads_hold(loading, dir, &target);
        if !within_download && !self.options.allow_outside_root && !self.within_scan_roots(&target)
        {
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

    /// Whether `caller` is a downloaded module (or in one) and `target` lies in the download
    /// storage too.
    fn downloads_hold(&self, loading: &Loading, caller: &Path, target: &Path) -> bool {
        let Some(Downloads(downloader)) = &self.options.downloads else {
            return false;
        };
        loading
            .downloaded
            .iter()
            .any(|module| caller.starts_with(module))
            && downloader.holds(target)
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
}

/// `module.a.module.b`'s key in modules.json: `a.b`.
fn call_key(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// The call's `version`: Terraform requires a literal string, so any other expression admits
/// no version.
fn literal_version<'a>(block: &Block<'a>) -> Option<&'a str> {
    block.body.attr("version").map(|attr| {
        attr.expr
            .as_literal_str()
            .unwrap_or("(not a literal string)")
    })
}

/// The offline model of a remote module, when one stands for this source and version.
fn modelled(source: &str, block: &Block<'_>) -> Option<Resolution> {
    Some(match model_call(source, literal_version(block))? {
        Ok(model) => Resolution::Model(model),
        Err(reason) => Resolution::Unresolved(reason),
    })
}

/// Why a remote module that no model stands for is not analysed, and the way out.
fn not_installed(source: &str, key: &str) -> String {
    format!(
        "source {source} is not installed (no entry {key:?} in .terraform/modules/modules.json); scan with --download-modules or run terraform init"
    )
}

/// A module file read from disk, with the same limits as the files the scan walks.
pub(crate) fn read_module_file(path: &Path) -> Result<String, String> {
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
