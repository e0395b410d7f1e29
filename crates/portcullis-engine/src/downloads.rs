//! Remote Terraform modules downloaded into the module cache, when the user allowed it
//! (`--download-modules`, `download-modules = true`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use portcullis_fetch::{FetchOptions, Fetcher};
use portcullis_terraform::{ModuleDownloader, RemoteModule};

use crate::{ScanError, ScanOptions};

/// How many modules one scan took from the network and from the cache, and how many it could
/// not have.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DownloadCounts {
    pub downloaded: usize,
    pub from_cache: usize,
    pub failed: usize,
}

/// One module's answer, set by the first caller that asks for it.
type Answer = Arc<OnceLock<Result<PathBuf, String>>>;

/// A package: its source without `//subdir` (as parsed), and the version asked.
type PackageKey = (String, Option<String>);

/// The front-end's downloader: each module fetched once per scan, however many roots call it.
pub(crate) struct ModuleCache {
    fetcher: Fetcher,
    cache_dir: PathBuf,
    parallel: usize,
    fetched: Mutex<BTreeMap<RemoteModule, Answer>>,
    /// One lock per package (a source without its `//subdir`, and the version asked): the
    /// sub-modules of one package wait for its first download, then find it in the cache.
    packages: Mutex<BTreeMap<PackageKey, Arc<Mutex<()>>>>,
    downloaded: AtomicUsize,
    from_cache: AtomicUsize,
    failed: AtomicUsize,
    /// Counts modules as they are fetched, for a progress display.
    progress: Option<Arc<AtomicUsize>>,
}

impl ModuleCache {
    pub(crate) fn new(options: FetchOptions, progress: Option<Arc<AtomicUsize>>) -> ModuleCache {
        ModuleCache {
            cache_dir: absolute(&options.cache_dir),
            parallel: options.parallel_downloads.max(1),
            fetcher: Fetcher::new(options),
            fetched: Mutex::new(BTreeMap::new()),
            packages: Mutex::new(BTreeMap::new()),
            downloaded: AtomicUsize::new(0),
            from_cache: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            progress,
        }
    }

    pub(crate) fn counts(&self) -> DownloadCounts {
        DownloadCounts {
            downloaded: self.downloaded.load(Ordering::Relaxed),
            from_cache: self.from_cache.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }

    /// The module's directory: fetched by the first caller; later and concurrent callers (other
    /// roots) wait for that answer instead of fetching again.
    fn fetch_once(&self, module: &RemoteModule) -> Result<PathBuf, String> {
        let cell = Arc::clone(
            self.fetched
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(module.clone())
                .or_default(),
        );
        cell.get_or_init(|| {
            let package = self.package_lock(module);
            let _downloading = package
                .as_ref()
                .map(|lock| lock.lock().unwrap_or_else(PoisonError::into_inner));
            let result = self
                .fetcher
                .fetch(&module.source, module.version.as_deref());
            let counter = match &result {
                Ok(fetched) if fetched.from_cache => &self.from_cache,
                Ok(_) => &self.downloaded,
                Err(_) => &self.failed,
            };
            counter.fetch_add(1, Ordering::Relaxed);
            if let Some(progress) = &self.progress {
                progress.fetch_add(1, Ordering::Relaxed);
            }
            result
                .map(|fetched| fetched.dir)
                .map_err(|error| error.to_string())
        })
        .clone()
    }

    /// The lock of the module's package, for sources that parse.
    fn package_lock(&self, module: &RemoteModule) -> Option<Arc<Mutex<()>>> {
        let package = portcullis_fetch::source::parse(&module.source)
            .ok()?
            .package();
        let key = (format!("{package:?}"), module.version.clone());
        Some(Arc::clone(
            self.packages
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key)
                .or_default(),
        ))
    }
}

impl ModuleDownloader for ModuleCache {
    fn download(&self, modules: &[RemoteModule]) -> Vec<Result<PathBuf, String>> {
        let mut results = Vec::with_capacity(modules.len());
        for batch in modules.chunks(self.parallel) {
            std::thread::scope(|scope| {
                let handles: Vec<_> = batch
                    .iter()
                    .map(|module| scope.spawn(|| self.fetch_once(module)))
                    .collect();
                results.extend(handles.into_iter().map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|_| Err("the download stopped unexpectedly".to_owned()))
                }));
            });
        }
        results
    }

    fn holds(&self, dir: &Path) -> bool {
        absolute(dir).starts_with(&self.cache_dir)
    }
}

/// `path` absolute and without `.` or `..`, as Terraform joins module paths.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    portcullis_terraform::normalize(
        &std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    )
}

/// The downloader a scan uses, when downloading is on: refused when there is no cache directory
/// or when it lies inside a scanned path, since portcullis never writes into the repository it
/// scans.
pub(crate) fn module_cache(options: &ScanOptions) -> Result<Option<Arc<ModuleCache>>, ScanError> {
    let Some(fetch) = &options.downloads else {
        return Ok(None);
    };
    if fetch.cache_dir.as_os_str().is_empty() {
        return Err(ScanError::CannotRun(
            "no directory for the module cache (no home or cache directory is set): give one with --module-cache".to_owned(),
        ));
    }
    let cache_dir = absolute(&fetch.cache_dir);
    if let Some(scanned) = options
        .paths
        .iter()
        .find(|path| cache_dir.starts_with(absolute(path)))
    {
        return Err(ScanError::CannotRun(format!(
            "the module cache {} is inside the scanned path {}: portcullis never writes into what it scans; choose another --module-cache",
            fetch.cache_dir.display(),
            scanned.display()
        )));
    }
    Ok(Some(Arc::new(ModuleCache::new(
        fetch.clone(),
        options.modules_progress.clone(),
    ))))
}
