//! The scan pipeline shared by the CLI and the language server: walk, read, parse and lower in
//! parallel, check in parallel, then sort.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use portcullis_diagnostics::ScanOutcome;
use portcullis_diagnostics::{Diagnostic, Severity, SuppressedFinding};
use portcullis_ir::{FileId, Problem, SourceFile, SourceMap, Span, SuppressedBy, Unit};
use rayon::prelude::*;

mod date;
mod suppress;

pub use date::Date;

pub use portcullis_ir::MAX_FILE_SIZE;

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
    /// stops at its next checkpoint and returns [`CANCELLED`].
    pub cancel: Option<Arc<AtomicBool>>,
}

/// The error of a scan stopped through [`ScanOptions::cancel`].
pub const CANCELLED: &str = "the scan was cancelled";

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
        }
    }
}

pub struct ScanResult {
    pub sources: SourceMap,
    pub files_scanned: usize,
    pub findings: Vec<Diagnostic>,
    pub suppressed: Vec<SuppressedFinding>,
    pub problems: Vec<Problem>,
    /// Directories or files the walk could not enter (permission denied, broken links).
    pub walk_errors: Vec<String>,
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Terraform,
    CloudFormation,
}

fn kind_of(path: &Path) -> Option<Kind> {
    if portcullis_terraform::is_terraform_file(path) {
        Some(Kind::Terraform)
    } else if portcullis_cloudformation::is_candidate(path) {
        Some(Kind::CloudFormation)
    } else {
        None
    }
}

/// Directories never scanned: module caches (read only for module resolution), dependencies,
/// and CDK asset bundles (the synthesized templates next to them are scanned).
fn is_skipped_dir(name: &str) -> bool {
    matches!(
        name,
        ".terraform" | ".terragrunt-cache" | "node_modules" | ".git"
    ) || name.starts_with("asset.")
}

/// `./main.tf` is shown as `main.tf`.
fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./")
        .map_or_else(|| text.clone().into_owned(), str::to_owned)
}

/// An error of the walk, with the path it concerns when there is one.
type WalkError = (Option<PathBuf>, String);

/// The path an error of the walk is about, through the layers `ignore` wraps it in.
fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

/// The exclude patterns (gitignore syntax) as the walk of `root` applies them.
fn exclusions(root: &Path, exclude: &[String]) -> Result<ignore::overrides::Override, String> {
    let mut overrides = ignore::overrides::OverrideBuilder::new(root);
    for pattern in exclude {
        overrides
            .add(&format!("!{pattern}"))
            .map_err(|error| format!("exclude pattern `{pattern}`: {error}"))?;
    }
    overrides
        .build()
        .map_err(|error| format!("exclude patterns: {error}"))
}

/// Whether a scan of `root` with these exclude patterns leaves `path` out: the file or one of its
/// directories below `root` matches a pattern. For callers that name files themselves (the
/// language server), so that they skip what the CLI's walk skips.
pub fn is_excluded(root: &Path, exclude: &[String], path: &Path) -> bool {
    let Ok(overrides) = exclusions(root, exclude) else {
        return false;
    };
    let Ok(relative) = path.strip_prefix(root) else {
        return false;
    };
    let mut current = root.to_path_buf();
    let mut components = relative.components().peekable();
    while let Some(component) = components.next() {
        current.push(component);
        let is_dir = components.peek().is_some();
        if overrides.matched(&current, is_dir).is_ignore() {
            return true;
        }
    }
    false
}

/// Every candidate file under the given paths, sorted, with the walk's errors.
fn discover(
    paths: &[PathBuf],
    exclude: &[String],
    threads: usize,
) -> Result<(Vec<PathBuf>, Vec<WalkError>), String> {
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    for root in paths {
        if root.is_file() {
            found
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(root.clone());
            continue;
        }
        if !root.exists() {
            errors
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((Some(root.clone()), "no such file or directory".to_owned()));
            continue;
        }
        let overrides = exclusions(root, exclude)?;
        let walker = ignore::WalkBuilder::new(root)
            .overrides(overrides)
            .hidden(false)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .follow_links(false)
            .threads(threads)
            .filter_entry(|entry| {
                let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
                !(is_dir
                    && entry.depth() > 0
                    && is_skipped_dir(&entry.file_name().to_string_lossy()))
            })
            .build_parallel();
        walker.run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        // Links are not walked into, but a linked file is read (or refused)
                        // by `read_text`, never skipped without a word.
                        let is_file = entry.file_type().is_some_and(|kind| kind.is_file())
                            || entry.path_is_symlink();
                        if is_file && kind_of(entry.path()).is_some() {
                            found
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .push(entry.into_path());
                        }
                    }
                    Err(error) => errors
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((error_path(&error), error.to_string())),
                }
                ignore::WalkState::Continue
            })
        });
    }
    let mut found = found.into_inner().unwrap_or_else(PoisonError::into_inner);
    found.sort();
    found.dedup();
    let mut errors = errors.into_inner().unwrap_or_else(PoisonError::into_inner);
    errors.sort();
    Ok((found, errors))
}

/// Reads a file as text, or says why it cannot be.
///
/// A symbolic link is followed only when it resolves to a regular file inside a scanned path (or
/// was named on the command line): a repository must not make the scanner read, and quote in
/// excerpts, files elsewhere on the machine, nor block on a FIFO or a device.
fn read_text(path: &Path, roots: &[PathBuf], max_size: u64) -> Result<String, String> {
    let cannot_read = |error: std::io::Error| format!("cannot read file: {error}");
    let link = std::fs::symlink_metadata(path).map_err(cannot_read)?;
    if link.file_type().is_symlink() && !roots.iter().any(|root| root == path) {
        let target = std::fs::canonicalize(path)
            .map_err(|error| format!("cannot read file: broken symbolic link ({error})"))?;
        let inside = roots
            .iter()
            .filter_map(|root| std::fs::canonicalize(root).ok())
            .any(|root| target.starts_with(root));
        if !inside {
            return Err(
                "symbolic link to a file outside the scanned paths; it was not followed".to_owned(),
            );
        }
    }
    let metadata = std::fs::metadata(path).map_err(cannot_read)?;
    if !metadata.is_file() {
        return Err("not a regular file; it was not analysed".to_owned());
    }
    let too_big = |size: u64| {
        format!("file is {size} bytes, over the {max_size}-byte limit; it was not analysed")
    };
    if metadata.len() > max_size {
        return Err(too_big(metadata.len()));
    }
    // The file may grow between the check and the read: never read more than the limit.
    // Sized to the file, so that the text is kept without spare capacity and never copied.
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    std::fs::File::open(path)
        .and_then(|file| file.take(max_size + 1).read_to_end(&mut bytes))
        .map_err(cannot_read)?;
    if bytes.len() as u64 > max_size {
        return Err(too_big(bytes.len() as u64));
    }
    decode(bytes)
}

/// UTF-8, or UTF-16 with a byte-order mark (what some Windows editors write). The mark is kept, as
/// U+FEFF, so that front-ends skip it as they skip a UTF-8 one and columns stay right.
fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let unit: Option<fn([u8; 2]) -> u16> = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(u16::from_le_bytes),
        Some([0xFE, 0xFF]) => Some(u16::from_be_bytes),
        _ => None,
    };
    if let Some(unit) = unit {
        if !bytes.len().is_multiple_of(2) {
            return Err("file starts with a UTF-16 byte-order mark but has an odd number of bytes; it was not analysed".to_owned());
        }
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| unit([pair[0], pair[1]]))
            .collect();
        return String::from_utf16(&units).map_err(|_| {
            "file is not valid UTF-16 (an unpaired surrogate); it was not analysed".to_owned()
        });
    }
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let bytes = error.as_bytes();
        // The prefix is valid UTF-8, so the position can be given as a line and column.
        let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
        format!(
            "file is not valid UTF-8 (byte 0x{:02x} at line {line}, column {column}, offset {offset}); it was not analysed",
            bytes[offset]
        )
    })
}

/// At most this many findings are reported for one file; the rest are counted in one problem,
/// so that a generated or hostile file cannot flood the output.
pub const MAX_FINDINGS_PER_FILE: usize = 1000;

/// Keeps the first [`MAX_FINDINGS_PER_FILE`] findings of each file (in output order) and
/// reports how many were left out, at the first of them.
fn cap_findings(findings: Vec<Diagnostic>, problems: &mut Vec<Problem>) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<FileId, (usize, Option<Span>)> = BTreeMap::new();
    let kept = findings
        .into_iter()
        .filter(|finding| {
            let (count, first_left_out) = seen.entry(finding.span.file).or_default();
            *count += 1;
            if *count > MAX_FINDINGS_PER_FILE {
                first_left_out.get_or_insert(finding.span);
            }
            *count <= MAX_FINDINGS_PER_FILE
        })
        .collect();
    for (count, first_left_out) in seen.into_values() {
        if let Some(span) = first_left_out {
            problems.push(Problem {
                span,
                message: format!(
                    "{} more findings in this file were not reported: at most {MAX_FINDINGS_PER_FILE} are reported per file",
                    count - MAX_FINDINGS_PER_FILE
                ),
            });
        }
    }
    kept
}

pub fn run(options: ScanOptions) -> Result<ScanResult, String> {
    let started = Instant::now();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = options.threads {
        builder = builder.num_threads(threads.max(1));
    }
    let pool = builder
        .build()
        .map_err(|error| format!("cannot start worker threads: {error}"))?;
    pool.install(|| scan_in_pool(&options, started))
}

fn scan_in_pool(options: &ScanOptions, started: Instant) -> Result<ScanResult, String> {
    // A path given that exists only as an unsaved buffer is not walked: the overlay provides it.
    let on_disk: Vec<PathBuf> = options
        .paths
        .iter()
        .filter(|path| !options.overlays.contains_key(*path))
        .cloned()
        .collect();
    let (paths, walk_errors) = discover(&on_disk, &options.exclude, rayon::current_num_threads())?;
    if paths.is_empty() && !walk_errors.is_empty() && options.overlays.is_empty() {
        let messages: Vec<String> = walk_errors
            .iter()
            .map(|(path, message)| match path {
                Some(path) if !message.contains(&*path.to_string_lossy()) => {
                    format!("{}: {message}", path.display())
                }
                _ => message.clone(),
            })
            .collect();
        return Err(messages.join("; "));
    }
    // Unsaved editor buffers replace the disk, and count even before their first save.
    let mut paths = paths;
    paths.extend(
        options
            .overlays
            .keys()
            .filter(|path| {
                kind_of(path).is_some() && options.paths.iter().any(|root| path.starts_with(root))
            })
            .cloned(),
    );
    paths.sort();
    paths.dedup();
    // Files are read and indexed (their line index) in parallel, and registered in path order.
    let read: Vec<(PathBuf, Result<SourceFile, String>)> = paths
        .into_par_iter()
        .map(|path| {
            let text = match options.overlays.get(&path) {
                Some(text) => Ok(text.clone()),
                None => read_text(&path, &options.paths, options.max_file_size),
            };
            if let Some(counter) = &options.progress {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            let file = text.map(|text| SourceFile::new(FileId(0), display_path(&path), text));
            (path, file)
        })
        .collect();

    let sources = SourceMap::new();
    let mut problems = Vec::new();
    // A directory or file the walk could not enter is reported like a file that could not be
    // read, so that JSON, SARIF and the other formats show it too.
    let mut walk_messages = Vec::new();
    for (path, message) in walk_errors {
        match path {
            Some(path) => {
                let file = sources.add(display_path(&path), "");
                problems.push(Problem {
                    span: file.span(0, 0),
                    message,
                });
            }
            None => walk_messages.push(message),
        }
    }
    let mut terraform_files = Vec::new();
    let mut templates = Vec::new();
    let mut plans = Vec::new();
    for (path, file) in read {
        match file {
            Ok(file) => {
                let file = sources.insert(file);
                match kind_of(&path) {
                    Some(Kind::Terraform) => terraform_files.push(file),
                    // A plan is JSON too: its content decides.
                    Some(Kind::CloudFormation) if portcullis_plan::is_plan(&file.text) => {
                        plans.push(file);
                    }
                    Some(Kind::CloudFormation) => templates.push(file),
                    None => {}
                }
            }
            Err(message) => {
                let file = sources.add(display_path(&path), "");
                problems.push(Problem {
                    span: file.span(0, 0),
                    message,
                });
            }
        }
    }
    let cancelled = || {
        options
            .cancel
            .as_ref()
            .is_some_and(|cancel| cancel.load(Ordering::Relaxed))
    };
    if cancelled() {
        return Err(CANCELLED.to_owned());
    }
    // Plans first: where a plan maps back to a root module's files, the plan's view replaces
    // the Terraform front-end's, which must be known before each Terraform unit is checked.
    let plan_units: Vec<Unit> = plans
        .par_iter()
        .map(|file| portcullis_plan::analyze(file, &sources, &options.plan))
        .collect();
    let planned: BTreeSet<FileId> = plan_units
        .iter()
        .flat_map(|unit| resource_files(&unit.inventory))
        .collect();
    // Each unit is checked as soon as it is made, on the thread that made it, and dropped: only
    // its findings stay, so memory does not grow with the repository's inventories.
    let check = |unit: Unit, is_terraform_root: bool| {
        if cancelled() {
            return Checked::default();
        }
        check_unit(unit, is_terraform_root, &sources, options)
    };
    let terraform_options = portcullis_terraform::Options {
        cancel: options
            .cancel
            .clone()
            .or_else(|| options.terraform.cancel.clone()),
        ..options.terraform.clone()
    };
    let (terraform_checked, template_checked) = rayon::join(
        || {
            portcullis_terraform::analyze_each(
                &terraform_files,
                &sources,
                &terraform_options,
                |mut unit| {
                    if !planned.is_empty()
                        && resource_files(&unit.inventory)
                            .iter()
                            .any(|file| planned.contains(file))
                    {
                        // The module's parse problems stay.
                        unit.inventory = portcullis_ir::Inventory::default();
                    }
                    check(unit, true)
                },
            )
        },
        || {
            templates
                .par_iter()
                .filter_map(|file| {
                    portcullis_cloudformation::analyze(file, &options.cloudformation)
                        .map(|unit| check(unit, false))
                })
                .collect::<Vec<Checked>>()
        },
    );
    if cancelled() {
        return Err(CANCELLED.to_owned());
    }
    let files_scanned =
        terraform_files.len() + template_checked.len() + plan_units.len() + problems.len();
    let plan_checked: Vec<Checked> = plan_units
        .into_par_iter()
        .map(|unit| check(unit, false))
        .collect();
    let mut findings = Vec::new();
    let mut declared = Vec::new();
    // A problem of a module that several roots call, or of a --var-file, is reported once.
    let mut seen: BTreeSet<(Span, String)> = problems
        .iter()
        .map(|problem| (problem.span, problem.message.clone()))
        .collect();
    for checked in terraform_checked
        .into_iter()
        .chain(template_checked)
        .chain(plan_checked)
    {
        findings.extend(checked.findings);
        declared.extend(checked.declared);
        problems.extend(
            checked
                .problems
                .into_iter()
                .filter(|problem| seen.insert((problem.span, problem.message.clone()))),
        );
    }
    let findings = merge_across_roots(findings);
    let (findings, mut suppressed) = suppress::apply(&sources, findings, &declared, Date::today());
    let mut findings = settle(findings, &options.settings);
    let (accepted, mut findings): (Vec<Diagnostic>, Vec<Diagnostic>) =
        std::mem::take(&mut findings)
            .into_iter()
            .partition(|finding| options.baseline.contains(&finding.fingerprint));
    suppressed.extend(accepted.into_iter().map(|diagnostic| SuppressedFinding {
        diagnostic,
        suppression: portcullis_diagnostics::Suppression {
            kind: SuppressedBy::Baseline,
            reason: "accepted in the baseline".to_owned(),
            span: None,
        },
    }));
    findings
        .par_sort_by_cached_key(|finding| portcullis_diagnostics::finding_order(&sources, finding));
    let findings = cap_findings(findings, &mut problems);
    suppressed.par_sort_by_cached_key(|entry| {
        portcullis_diagnostics::finding_order(&sources, &entry.diagnostic)
    });
    portcullis_diagnostics::sort_problems(&sources, &mut problems);
    Ok(ScanResult {
        sources,
        files_scanned,
        findings,
        suppressed,
        problems,
        walk_errors: walk_messages,
        elapsed: started.elapsed(),
    })
}

/// What is kept of a unit once it is checked.
#[derive(Default)]
struct Checked {
    findings: Vec<Diagnostic>,
    declared: Vec<portcullis_ir::DeclaredSuppression>,
    problems: Vec<Problem>,
}

fn check_unit(
    unit: Unit,
    is_terraform_root: bool,
    sources: &SourceMap,
    options: &ScanOptions,
) -> Checked {
    let mut findings = portcullis_checks::check(&unit.inventory, sources, &options.settings);
    // Addresses are unique within a root module only: two roots with their own files may
    // report the same address, and must not share a fingerprint. The unit is named relative to
    // its scanned path, so that where the checkout lives does not matter.
    let unit_key = relative_to_roots(&unit.name, &options.paths);
    let root_dir = Path::new(&unit.name);
    for finding in &mut findings {
        let in_module_code =
            is_terraform_root && dir_of(&sources.path(finding.span.file)) != root_dir;
        if in_module_code {
            // The same module code evaluated from several roots is one finding, which
            // `merge_across_roots` reports once with every root: it is identified without them.
            finding.roots = vec![unit.name.clone()];
        } else {
            finding.fingerprint =
                portcullis_diagnostics::fingerprint(&[unit_key, &finding.fingerprint]);
        }
    }
    Checked {
        findings,
        declared: unit.inventory.declared_suppressions,
        problems: unit.problems,
    }
}

/// The directory of a displayed path, `.` for a bare file name, as roots are named.
fn dir_of(path: &str) -> &Path {
    Path::new(path)
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."))
}

/// One finding for module code that several roots lead to, listing the roots.
fn merge_across_roots(findings: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut merged: Vec<Diagnostic> = Vec::with_capacity(findings.len());
    let mut by_identity: BTreeMap<(Span, &'static str, String, String), usize> = BTreeMap::new();
    for finding in findings {
        if finding.roots.is_empty() {
            merged.push(finding);
            continue;
        }
        let identity = (
            finding.span,
            finding.rule.code,
            finding.message.clone(),
            finding.fingerprint.clone(),
        );
        match by_identity.get(&identity) {
            Some(&index) => {
                let kept = &mut merged[index];
                kept.roots.extend(finding.roots);
                kept.roots.sort();
                kept.roots.dedup();
                kept.certainty = kept.certainty.min(finding.certainty);
                kept.severity = kept.severity.max(finding.severity);
            }
            None => {
                by_identity.insert(identity, merged.len());
                merged.push(finding);
            }
        }
    }
    merged
}

/// Applies the configuration to findings made outside the rules' checks (the suppression pass):
/// disabled rules are dropped and severity overrides applied.
fn settle(findings: Vec<Diagnostic>, settings: &portcullis_checks::Settings) -> Vec<Diagnostic> {
    findings
        .into_iter()
        .filter(|finding| settings.is_enabled(finding.rule))
        .map(|mut finding| {
            if let Some(severity) = settings
                .severity_of(finding.rule)
                .filter(|_| finding.rule.code.starts_with("SUP"))
            {
                finding.severity = severity;
            }
            finding
        })
        .collect()
}

/// The files an inventory's resources are written in.
fn resource_files(inventory: &portcullis_ir::Inventory) -> BTreeSet<portcullis_ir::FileId> {
    let spans = inventory
        .security_groups
        .iter()
        .map(|group| group.span)
        .chain(inventory.rules.iter().map(|rule| rule.span))
        .chain(
            inventory
                .attachments
                .iter()
                .map(|attachment| attachment.span),
        )
        .chain(inventory.nacls.iter().map(|acl| acl.span));
    spans.map(|span| span.file).collect()
}

/// A path shown as the scan shows it, without the scanned path it lies under.
fn relative_to_roots<'a>(shown: &'a str, roots: &[PathBuf]) -> &'a str {
    roots
        .iter()
        .map(|root| display_path(root))
        .filter_map(|root| shown.strip_prefix(root.trim_end_matches('/')))
        .map(|rest| rest.trim_start_matches('/'))
        .min_by_key(|rest| rest.len())
        .unwrap_or(shown)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
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
        assert_eq!(run(options).err().as_deref(), Some(CANCELLED));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn is_excluded_agrees_with_the_walk() {
        let root = std::env::temp_dir().join(format!("portcullis-excluded-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let files = [
            "main.tf",
            "prod.tfvars",
            "db/main.tf",
            "db/nested/main.tf",
            "app/legacy/main.tf",
            "app/main.tf",
            "stack.yaml",
            "stacks/stack.yaml",
        ];
        for file in files {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let exclude: Vec<String> = ["db/", "**/legacy/**", "*.tfvars", "/stack.yaml"]
            .map(str::to_owned)
            .to_vec();
        let (walked, errors) = discover(std::slice::from_ref(&root), &exclude, 1).unwrap();
        assert!(errors.is_empty());
        let kept: Vec<PathBuf> = files
            .iter()
            .map(|file| root.join(file))
            .filter(|path| !is_excluded(&root, &exclude, path))
            .collect();
        let mut kept = kept;
        kept.sort();
        assert_eq!(kept, walked);
        assert_eq!(
            kept,
            [
                root.join("app/main.tf"),
                root.join("main.tf"),
                root.join("stacks/stack.yaml")
            ]
        );
        // Outside the root, or without patterns, nothing is excluded.
        assert!(!is_excluded(
            &root,
            &exclude,
            Path::new("/elsewhere/db/main.tf")
        ));
        assert!(!is_excluded(&root, &[], &root.join("db/main.tf")));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
