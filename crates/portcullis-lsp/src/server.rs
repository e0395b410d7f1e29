//! The main loop: one thread owns the state and talks to the client; one worker thread
//! analyses. Edits are debounced per unit, queued analyses that a newer edit made stale are
//! skipped, and a result is published only if no edit touched its unit since it was queued.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, after, never, select, unbounded};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, FileSystemWatcher, GlobPattern, Hover,
    HoverContents, HoverParams, HoverProviderCapability, InitializeParams, InitializeResult,
    LogMessageParams, MarkupContent, MarkupKind, MessageType, Position, PositionEncodingKind,
    PublishDiagnosticsParams, Registration, RegistrationParams, SaveOptions, ServerCapabilities,
    ServerInfo, TextDocumentContentChangeEvent, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use portcullis_diagnostics::Diagnostic;
use serde_json::Value;

use crate::analysis::{Analysis, Overlays, Target};
use crate::config::{self, Config};
use crate::{actions, convert, hover, uri};

/// Long enough to skip the analyses of a burst of keystrokes, short enough to feel live.
const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(150);

struct Document {
    uri: Uri,
    version: i32,
    text: Arc<str>,
}

/// An analysis with the buffer versions it read and its findings as LSP diagnostics.
struct Snapshot {
    analysis: Analysis,
    versions: BTreeMap<PathBuf, i32>,
    diagnostics: Vec<lsp_types::Diagnostic>,
}

impl Snapshot {
    /// The findings located in one file, with their LSP diagnostics.
    fn findings_in<'a>(
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
struct UnitState {
    /// Bumped by every change to the unit's inputs; a result of an older generation is stale.
    generation: u64,
    due: Option<Instant>,
    /// The flag of its last queued analysis: set when the unit changes, so that an analysis
    /// whose result would be stale stops early.
    cancel: Option<Arc<AtomicBool>>,
    current: Option<Snapshot>,
    published: BTreeSet<PathBuf>,
}

struct Job {
    target: Target,
    generation: u64,
    cancel: Arc<AtomicBool>,
    overlays: Overlays,
    versions: BTreeMap<PathBuf, i32>,
    config: Arc<portcullis_config::Resolved>,
    workspace: Option<PathBuf>,
}

struct Done {
    target: Target,
    generation: u64,
    versions: BTreeMap<PathBuf, i32>,
    /// `None` when the analysis panicked.
    analysis: Option<Analysis>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShuttingDown,
}

type Reply = Result<Value, (ErrorCode, String)>;

struct Server {
    sender: Sender<Message>,
    jobs: Sender<Job>,
    phase: Phase,
    workspace: Option<PathBuf>,
    config: Config,
    debounce: Duration,
    watch_files: bool,
    documents: BTreeMap<PathBuf, Document>,
    units: BTreeMap<Target, UnitState>,
    /// Each file's findings from its last analysis without a problem, kept while it does not parse.
    last_good: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>>,
}

/// Serves one connection until `exit`; 0 after shutdown and exit, 1 otherwise.
pub fn run(connection: Connection) -> i32 {
    let (jobs, job_queue) = unbounded();
    let (results, done) = unbounded();
    if std::thread::Builder::new()
        .name("portcullis-analysis".to_owned())
        .spawn(move || work(&job_queue, &results))
        .is_err()
    {
        return 1;
    }
    let mut server = Server {
        sender: connection.sender.clone(),
        jobs,
        phase: Phase::Uninitialized,
        workspace: None,
        config: Config::default(),
        debounce: DEFAULT_DEBOUNCE,
        watch_files: false,
        documents: BTreeMap::new(),
        units: BTreeMap::new(),
        last_good: BTreeMap::new(),
    };
    loop {
        server.start_due();
        let tick = server.next_due().map_or_else(never, |due| {
            after(due.saturating_duration_since(Instant::now()))
        });
        select! {
            recv(connection.receiver) -> message => match message {
                Ok(message) => {
                    if let Some(code) = server.handle(message) {
                        return code;
                    }
                }
                // The client closed the stream without `exit`.
                Err(_) => return 1,
            },
            recv(done) -> result => {
                if let Ok(result) = result {
                    server.finish(result);
                }
            },
            recv(tick) -> _ => {},
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

fn params<P: serde::de::DeserializeOwned>(params: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(params)
        .map_err(|error| (ErrorCode::InvalidParams, format!("invalid params: {error}")))
}

fn to_value(value: impl serde::Serialize) -> Reply {
    serde_json::to_value(value).map_err(|error| (ErrorCode::InternalError, error.to_string()))
}

impl Server {
    fn send(&self, message: impl Into<Message>) {
        // A closed writer means the client is gone; the main loop ends on its own then.
        let _ = self.sender.send(message.into());
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.send(Notification::new(method.to_owned(), params));
    }

    fn log(&self, typ: MessageType, message: String) {
        self.notify("window/logMessage", LogMessageParams { typ, message });
    }

    /// Handles one message; `Some(exit code)` when the session is over.
    fn handle(&mut self, message: Message) -> Option<i32> {
        match message {
            Message::Request(request) => {
                let id = request.id.clone();
                let reply = self.request(request);
                self.send(match reply {
                    Ok(result) => Response::new_ok(id, result),
                    Err((code, message)) => Response::new_err(id, code as i32, message),
                });
                None
            }
            Message::Notification(notification) if notification.method == "exit" => {
                Some(i32::from(self.phase != Phase::ShuttingDown))
            }
            Message::Notification(notification) => {
                if self.phase == Phase::Running {
                    let method = notification.method.clone();
                    if let Err((_, message)) = self.notification(notification) {
                        self.log(MessageType::WARNING, format!("{method}: {message}"));
                    }
                }
                None
            }
            Message::Response(_) => None,
        }
    }

    fn request(&mut self, request: Request) -> Reply {
        match (self.phase, request.method.as_str()) {
            (Phase::Uninitialized, "initialize") => self.initialize(params(request.params)?),
            (Phase::Uninitialized, _) => Err((
                ErrorCode::ServerNotInitialized,
                "the server is not initialized".to_owned(),
            )),
            (Phase::ShuttingDown, _) => Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down".to_owned(),
            )),
            (Phase::Running, "initialize") => Err((
                ErrorCode::InvalidRequest,
                "the server is already initialized".to_owned(),
            )),
            (Phase::Running, "shutdown") => {
                self.phase = Phase::ShuttingDown;
                Ok(Value::Null)
            }
            (Phase::Running, "textDocument/hover") => to_value(self.hover(params(request.params)?)),
            (Phase::Running, "textDocument/codeAction") => {
                to_value(self.code_actions(params(request.params)?))
            }
            (Phase::Running, method) => Err((
                ErrorCode::MethodNotFound,
                format!("unknown method {method}"),
            )),
        }
    }

    fn notification(&mut self, notification: Notification) -> Result<(), (ErrorCode, String)> {
        match notification.method.as_str() {
            "initialized" => self.register_watchers(),
            "textDocument/didOpen" => self.did_open(params(notification.params)?),
            "textDocument/didChange" => self.did_change(params(notification.params)?),
            "textDocument/didSave" => {
                let params: DidSaveTextDocumentParams = params(notification.params)?;
                self.touch_file(&params.text_document.uri, Duration::ZERO);
            }
            "textDocument/didClose" => {
                let params: DidCloseTextDocumentParams = params(notification.params)?;
                if let Some(path) = uri::to_path(&params.text_document.uri) {
                    self.documents.remove(&path);
                }
                self.touch_file(&params.text_document.uri, Duration::ZERO);
            }
            "workspace/didChangeWatchedFiles" => {
                self.did_change_watched_files(params(notification.params)?);
            }
            // `$/cancelRequest` and the rest: requests are answered at once, nothing to cancel.
            _ => {}
        }
        Ok(())
    }

    fn initialize(&mut self, params: InitializeParams) -> Reply {
        #[allow(deprecated)] // `rootUri` is what clients without workspace folders send.
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .map(|folder| &folder.uri)
            .or(params.root_uri.as_ref());
        self.workspace = root.and_then(uri::to_path);
        if let Some(ms) = params
            .initialization_options
            .as_ref()
            .and_then(|options| options.get("debounceMs"))
            .and_then(Value::as_u64)
        {
            self.debounce = Duration::from_millis(ms);
        }
        self.watch_files = params
            .capabilities
            .workspace
            .and_then(|workspace| workspace.did_change_watched_files)
            .and_then(|watch| watch.dynamic_registration)
            .unwrap_or(false);
        self.load_config();
        self.phase = Phase::Running;
        to_value(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(PositionEncodingKind::UTF16),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..CodeActionOptions::default()
                    },
                )),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "portcullis".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
        })
    }

    /// Reloads the configuration; true when it changed.
    fn load_config(&mut self) -> bool {
        let (config, warning) = Config::load(self.workspace.as_deref());
        if let Some(warning) = warning {
            self.notify(
                "window/showMessage",
                lsp_types::ShowMessageParams {
                    typ: MessageType::WARNING,
                    message: format!("portcullis: {warning}; using the default rules"),
                },
            );
        } else if let Some(file) = config.file() {
            // Tells the user, in the client's log, which file the analyses follow.
            let disabled = &config.resolved.settings.disable;
            self.log(
                MessageType::INFO,
                format!(
                    "{} read; rules disabled: {}",
                    file.display(),
                    if disabled.is_empty() {
                        "none".to_owned()
                    } else {
                        disabled.join(", ")
                    }
                ),
            );
        }
        let changed = config != self.config;
        self.config = config;
        changed
    }

    /// Asks the client to report changes to the configuration and to files on disk.
    fn register_watchers(&self) {
        if !self.watch_files {
            return;
        }
        let watchers = [
            "**/portcullis.toml",
            "**/.portcullis.toml",
            "**/*.{tf,tfvars}",
            "**/*.{tf.json,tfvars.json}",
            "**/*.{yaml,yml,json,template}",
        ]
        .into_iter()
        .map(|pattern| FileSystemWatcher {
            glob_pattern: GlobPattern::String(pattern.to_owned()),
            kind: None,
        })
        .collect();
        let registration = Registration {
            id: "portcullis-watched-files".to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        self.send(Request::new(
            RequestId::from("portcullis/register-watchers".to_owned()),
            "client/registerCapability".to_owned(),
            RegistrationParams {
                registrations: vec![registration],
            },
        ));
    }

    fn did_open(&mut self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let Some(path) = uri::to_path(&document.uri) else {
            return;
        };
        if Target::of(&path).is_none() {
            return;
        }
        self.documents.insert(
            path,
            Document {
                uri: document.uri.clone(),
                version: document.version,
                text: Arc::from(document.text),
            },
        );
        self.touch_file(&document.uri, Duration::ZERO);
    }

    fn did_change(&mut self, params: DidChangeTextDocumentParams) {
        let Some(path) = uri::to_path(&params.text_document.uri) else {
            return;
        };
        let Some(document) = self.documents.get_mut(&path) else {
            return;
        };
        let mut text = document.text.to_string();
        for change in params.content_changes {
            apply_change(&mut text, change);
        }
        document.text = Arc::from(text);
        document.version = params.text_document.version;
        self.touch_file(&params.text_document.uri, self.debounce);
    }

    fn did_change_watched_files(&mut self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            let Some(path) = uri::to_path(&change.uri) else {
                continue;
            };
            if config::is_config_file(&path) {
                if self.load_config() {
                    let all: Vec<Target> = self.units.keys().cloned().collect();
                    for target in all {
                        self.touch(target, Duration::ZERO);
                    }
                }
            } else if let Some(target) = Target::of(&path).filter(|t| self.units.contains_key(t)) {
                self.touch(target, Duration::ZERO);
            }
        }
    }

    fn touch_file(&mut self, uri: &Uri, delay: Duration) {
        if let Some(target) = uri::to_path(uri).as_deref().and_then(Target::of) {
            self.touch(target, delay);
        }
    }

    /// Marks a unit's inputs as changed and (re)starts its debounce timer.
    fn touch(&mut self, target: Target, delay: Duration) {
        let unit = self.units.entry(target).or_default();
        unit.generation += 1;
        if let Some(cancel) = unit.cancel.take() {
            cancel.store(true, Ordering::Relaxed);
        }
        unit.due = Some(Instant::now() + delay);
    }

    fn next_due(&self) -> Option<Instant> {
        self.units.values().filter_map(|unit| unit.due).min()
    }

    /// Queues the analyses whose debounce time has come.
    fn start_due(&mut self) {
        let now = Instant::now();
        let overlays: Overlays = self
            .documents
            .iter()
            .map(|(path, document)| (path.clone(), Arc::clone(&document.text)))
            .collect();
        let versions: BTreeMap<PathBuf, i32> = self
            .documents
            .iter()
            .map(|(path, document)| (path.clone(), document.version))
            .collect();
        for (target, unit) in &mut self.units {
            if unit.due.is_some_and(|due| due <= now) {
                unit.due = None;
                let cancel = Arc::new(AtomicBool::new(false));
                unit.cancel = Some(Arc::clone(&cancel));
                let _ = self.jobs.send(Job {
                    target: target.clone(),
                    generation: unit.generation,
                    cancel,
                    overlays: overlays.clone(),
                    versions: versions.clone(),
                    config: Arc::clone(&self.config.resolved),
                    workspace: self.workspace.clone(),
                });
            }
        }
    }

    /// Publishes a finished analysis unless an edit made it stale.
    fn finish(&mut self, done: Done) {
        let Some(unit) = self.units.get(&done.target) else {
            return;
        };
        if unit.generation != done.generation {
            return;
        }
        let Some(analysis) = done.analysis else {
            self.log(
                MessageType::ERROR,
                format!("internal error while analysing {:?}", done.target),
            );
            return;
        };
        let sources = &analysis.sources;
        let diagnostics: Vec<lsp_types::Diagnostic> = analysis
            .findings
            .iter()
            .map(|finding| convert::finding(sources, finding))
            .collect();
        let mut by_file: BTreeMap<
            PathBuf,
            (Vec<lsp_types::Diagnostic>, Vec<lsp_types::Diagnostic>),
        > = analysis
            .files
            .iter()
            .map(|path| (path.clone(), Default::default()))
            .collect();
        for (finding, diagnostic) in analysis.findings.iter().zip(&diagnostics) {
            if let Some(entry) = by_file.get_mut(Path::new(&sources.path(finding.span.file))) {
                entry.0.push(diagnostic.clone());
            }
        }
        for problem in &analysis.problems {
            if let Some(entry) = by_file.get_mut(Path::new(&sources.path(problem.span.file))) {
                entry.1.push(convert::problem(sources, problem));
            }
        }
        let gone: Vec<PathBuf> = unit
            .published
            .iter()
            .filter(|path| !by_file.contains_key(*path))
            .cloned()
            .collect();
        for path in gone {
            self.last_good.remove(&path);
            self.publish(&path, Vec::new(), None);
        }
        for (path, (findings, problems)) in &by_file {
            let published = if problems.is_empty() {
                self.last_good.insert(path.clone(), findings.clone());
                findings.clone()
            } else {
                let mut kept = self.last_good.get(path).cloned().unwrap_or_default();
                kept.extend(problems.iter().cloned());
                kept
            };
            self.publish(path, published, done.versions.get(path).copied());
        }
        if let Some(unit) = self.units.get_mut(&done.target) {
            unit.published = by_file.into_keys().collect();
            unit.current = Some(Snapshot {
                analysis,
                versions: done.versions,
                diagnostics,
            });
        }
    }

    fn publish(&self, path: &Path, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let uri = match self.documents.get(path) {
            Some(document) => Some(document.uri.clone()),
            None => uri::from_path(path),
        };
        if let Some(uri) = uri {
            self.notify(
                "textDocument/publishDiagnostics",
                PublishDiagnosticsParams {
                    uri,
                    diagnostics,
                    version,
                },
            );
        }
    }

    fn snapshot(&self, path: &Path) -> Option<&Snapshot> {
        self.units.get(&Target::of(path)?)?.current.as_ref()
    }

    fn hover(&self, params: HoverParams) -> Option<Hover> {
        let position = params.text_document_position_params.position;
        let path = uri::to_path(&params.text_document_position_params.text_document.uri)?;
        let mut parts: Vec<String> = Vec::new();
        if let Some(snapshot) = self.snapshot(&path) {
            parts.extend(
                snapshot
                    .findings_in(&path)
                    .filter(|(_, diagnostic)| {
                        diagnostic.range.start <= position && position <= diagnostic.range.end
                    })
                    .map(|(finding, _)| hover::finding(finding)),
            );
        }
        if let Some(document) = self.documents.get(&path) {
            parts.extend(cidr_hover(&document.text, position));
        }
        (!parts.is_empty()).then(|| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: parts.join("\n\n---\n\n"),
            }),
            range: None,
        })
    }

    fn code_actions(&self, params: CodeActionParams) -> Vec<CodeActionOrCommand> {
        let wants_quick_fixes = params.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|kind| CodeActionKind::QUICKFIX.as_str().starts_with(kind.as_str()))
        });
        let Some(path) = uri::to_path(&params.text_document.uri) else {
            return Vec::new();
        };
        let Some(snapshot) = self.snapshot(&path).filter(|_| wants_quick_fixes) else {
            return Vec::new();
        };
        snapshot
            .findings_in(&path)
            .filter(|(_, diagnostic)| actions::overlaps(&diagnostic.range, &params.range))
            .flat_map(|(finding, diagnostic)| {
                actions::for_finding(
                    &snapshot.analysis.sources,
                    finding,
                    diagnostic,
                    &snapshot.versions,
                )
            })
            .map(CodeActionOrCommand::CodeAction)
            .collect()
    }
}

/// What the CIDR literal at an LSP position covers, if there is one.
fn cidr_hover(text: &str, position: Position) -> Option<String> {
    let offset = offset_at(text, position);
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |index| index + 1);
    let line_end = text
        .get(offset..)?
        .find('\n')
        .map_or(text.len(), |index| offset + index);
    let (cidr, written) = hover::cidr_at(text.get(line_start..line_end)?, offset - line_start)?;
    Some(hover::cidr(&cidr, written))
}

/// Applies one change of `didChange`: a whole new text, or a range replaced (UTF-16 positions).
fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    let Some(range) = change.range else {
        *text = change.text;
        return;
    };
    let start = offset_at(text, range.start);
    let end = offset_at(text, range.end).max(start);
    text.replace_range(start..end, &change.text);
}

/// The byte offset of an LSP position (UTF-16 column), always on a character boundary: a column
/// past the end of its line is the line's end, a line past the last is the end of the text.
fn offset_at(text: &str, position: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(index) => line_start += index + 1,
            None => return text.len(),
        }
    }
    let rest = &text[line_start..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut units = 0;
    for (index, c) in line.char_indices() {
        if units >= position.character as usize {
            return line_start + index;
        }
        units += c.len_utf16();
    }
    line_start + line.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Range;

    #[test]
    fn a_change_cancels_the_analysis_already_queued_or_running() {
        let (sender, _messages) = unbounded();
        let (jobs, queue) = unbounded();
        let mut server = Server {
            sender,
            jobs,
            phase: Phase::Running,
            workspace: None,
            config: Config::default(),
            debounce: Duration::ZERO,
            watch_files: false,
            documents: BTreeMap::new(),
            units: BTreeMap::new(),
            last_good: BTreeMap::new(),
        };
        let target = Target::Module(PathBuf::from("/nonexistent/portcullis-cancel"));
        server.touch(target.clone(), Duration::ZERO);
        server.start_due();
        let first: Job = queue.try_recv().expect("a queued analysis");
        assert!(!first.cancel.load(Ordering::Relaxed));
        // An edit makes the first analysis stale: it is told to stop; the next one is not.
        server.touch(target, Duration::ZERO);
        assert!(first.cancel.load(Ordering::Relaxed));
        server.start_due();
        let second: Job = queue.try_recv().expect("the analysis of the edit");
        assert!(!second.cancel.load(Ordering::Relaxed));
        assert!(second.generation > first.generation);
    }

    #[test]
    fn incremental_changes_use_utf16_positions() {
        let mut text = "a = \"é😀\"\nb = 1\n".to_owned();
        let change = |range: Option<Range>, new: &str| TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: new.to_owned(),
        };
        // After `é😀` (1 + 2 UTF-16 units) on line 0.
        let at = Position::new(0, 8);
        apply_change(&mut text, change(Some(Range::new(at, at)), "!"));
        assert_eq!(text, "a = \"é😀!\"\nb = 1\n");
        let line_one = Range::new(Position::new(1, 4), Position::new(1, 5));
        apply_change(&mut text, change(Some(line_one), "22"));
        assert_eq!(text, "a = \"é😀!\"\nb = 22\n");
        apply_change(&mut text, change(None, "x"));
        assert_eq!(text, "x");
    }

    #[test]
    fn positions_past_a_line_end_stay_on_that_line() {
        let text = "ab\r\néé😀\n";
        assert_eq!(offset_at(text, Position::new(0, 1)), 1);
        assert_eq!(offset_at(text, Position::new(0, 9)), 2);
        assert_eq!(offset_at(text, Position::new(1, 1)), 6);
        assert_eq!(offset_at(text, Position::new(1, 4)), 12);
        assert_eq!(offset_at(text, Position::new(1, 3)), 12);
        assert_eq!(offset_at(text, Position::new(2, 0)), text.len());
        assert_eq!(offset_at(text, Position::new(u32::MAX, 5)), text.len());
        let mut edited = text.to_owned();
        let past_end = Position::new(0, 5);
        apply_change(
            &mut edited,
            TextDocumentContentChangeEvent {
                range: Some(Range::new(past_end, past_end)),
                range_length: None,
                text: "c".to_owned(),
            },
        );
        assert_eq!(edited, "abc\r\néé😀\n");
    }

    #[test]
    fn cidr_hover_reads_the_line_under_the_cursor() {
        let text: Arc<str> = Arc::from("x = 1\ncidr = \"192.168.0.0/16\"\n");
        let hover = cidr_hover(&text, Position::new(1, 12)).unwrap_or_default();
        assert!(hover.contains("`192.168.0.0/16`"), "{hover}");
        assert!(cidr_hover(&text, Position::new(0, 1)).is_none());
        assert!(cidr_hover(&text, Position::new(9, 0)).is_none());
    }
}
