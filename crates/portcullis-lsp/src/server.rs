//! The main loop: one thread owns the state and talks to the client; one worker thread
//! analyses. Edits are debounced per unit, queued analyses that a newer edit made stale are
//! skipped, and a result is published only if no edit touched its unit since it was queued.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, after, select, unbounded};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, FileSystemWatcher, GlobPattern, Hover,
    HoverContents, HoverParams, HoverProviderCapability, InitializeParams, InitializeResult,
    LogMessageParams, MarkupContent, MarkupKind, MessageType, PositionEncodingKind,
    PublishDiagnosticsParams, Registration, RegistrationParams, SaveOptions, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};
use serde_json::Value;

use crate::analysis::Target;
use crate::config::{self, Configs};
use crate::documents::{Document, Documents, Replacement, apply_change};
use crate::publish::per_file;
use crate::scheduler::{Done, Scheduler, Snapshot};
use crate::{actions, convert, hover, uri};

/// Long enough to skip the analyses of a burst of keystrokes, short enough to feel live.
const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(150);

/// How often files are checked for changes the client may not report.
const POLL_INTERVAL: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShuttingDown,
}

type Reply = Result<Value, (ErrorCode, String)>;

struct Server {
    sender: Sender<Message>,
    scheduler: Scheduler,
    phase: Phase,
    workspace: Option<PathBuf>,
    configs: Configs,
    next_poll: Instant,
    debounce: Duration,
    watch_files: bool,
    documents: Documents,
    /// Each file's findings from its last analysis without a problem, kept while it does not parse.
    last_good: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>>,
}

/// Serves one connection until `exit`; 0 after shutdown and exit, 1 otherwise.
pub fn run(connection: Connection) -> i32 {
    let (results, done) = unbounded();
    let Some(scheduler) = Scheduler::start(results) else {
        return 1;
    };
    let mut server = Server {
        sender: connection.sender.clone(),
        scheduler,
        phase: Phase::Uninitialized,
        workspace: None,
        configs: Configs::default(),
        next_poll: Instant::now() + POLL_INTERVAL,
        debounce: DEFAULT_DEBOUNCE,
        watch_files: false,
        documents: Documents::new(),
        last_good: BTreeMap::new(),
    };
    loop {
        if server.next_poll <= Instant::now() {
            server.poll();
            server.next_poll = Instant::now() + POLL_INTERVAL;
        }
        server.start_due();
        let next = server
            .scheduler
            .next_due()
            .map_or(server.next_poll, |due| due.min(server.next_poll));
        let tick = after(next.saturating_duration_since(Instant::now()));
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
        if let Some(value) = params
            .initialization_options
            .as_ref()
            .and_then(|options| options.get("debounceMs"))
        {
            match value.as_u64() {
                Some(ms) => self.debounce = Duration::from_millis(ms),
                None => self.log(
                    MessageType::WARNING,
                    format!(
                        "debounceMs {value} is not a whole number of milliseconds; using {} ms",
                        self.debounce.as_millis()
                    ),
                ),
            }
        }
        self.watch_files = params
            .capabilities
            .workspace
            .and_then(|workspace| workspace.did_change_watched_files)
            .and_then(|watch| watch.dynamic_registration)
            .unwrap_or(false);
        if let Some(workspace) = self.workspace.clone() {
            let found = self.configs.for_dir(&workspace);
            self.report_config(
                found.file.as_deref(),
                found.warning.as_deref(),
                &found.config,
            );
        }
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

    /// Tells the user which configuration file the analyses follow, or why it cannot be used.
    fn report_config(
        &self,
        file: Option<&Path>,
        warning: Option<&str>,
        config: &portcullis_config::Resolved,
    ) {
        if let Some(warning) = warning {
            self.notify(
                "window/showMessage",
                lsp_types::ShowMessageParams {
                    typ: MessageType::WARNING,
                    message: format!("portcullis: {warning}; using the default rules"),
                },
            );
        } else if let Some(file) = file {
            let disabled = &config.settings.disable;
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
    }

    /// Queues the analyses whose time has come, each with its directory's configuration.
    fn start_due(&mut self) {
        let mut read = Vec::new();
        let configs = &mut self.configs;
        self.scheduler
            .start_due(&self.documents, self.workspace.as_deref(), &mut |dir| {
                let found = configs.for_dir(dir);
                if found.fresh {
                    read.push((found.file.clone(), found.warning, Arc::clone(&found.config)));
                }
                (found.file, found.config)
            });
        for (file, warning, config) in read {
            self.report_config(file.as_deref(), warning.as_deref(), &config);
        }
    }

    /// Notices what changed on disk without a word from the client (not every client watches
    /// files): configuration files, a configuration file created or removed nearer a unit, and
    /// the files a unit's last analysis read that are not open.
    fn poll(&mut self) {
        let mut changed: BTreeSet<Target> = self.scheduler.changed_on_disk(&self.documents);
        for (file, warning) in self.configs.refresh() {
            let config = self.configs.for_dir(file.parent().unwrap_or(&file)).config;
            self.report_config(Some(&file), warning.as_deref(), &config);
            changed.extend(self.scheduler.following(&file));
        }
        for target in changed {
            self.scheduler.touch(target, Duration::ZERO);
        }
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
            // Findings kept while the file does not parse move with the text, or go when an
            // edit touches them.
            if let Some(kept) = self.last_good.get_mut(&path) {
                let edit = Replacement::of(&text, &change);
                kept.retain_mut(|diagnostic| {
                    if let Some(related) = &mut diagnostic.related_information {
                        related.retain_mut(|info| {
                            info.location.uri != document.uri
                                || edit.shift(info.location.range).is_some_and(|range| {
                                    info.location.range = range;
                                    true
                                })
                        });
                    }
                    edit.shift(diagnostic.range).is_some_and(|range| {
                        diagnostic.range = range;
                        true
                    })
                });
            }
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
                self.poll();
            } else if let Some(target) =
                Target::of(&path).filter(|t| self.scheduler.units.contains_key(t))
            {
                self.scheduler.touch(target, Duration::ZERO);
            }
        }
    }

    fn touch_file(&mut self, uri: &Uri, delay: Duration) {
        if let Some(target) = uri::to_path(uri).as_deref().and_then(Target::of) {
            self.scheduler.touch(target, delay);
        }
    }

    /// Publishes a finished analysis unless an edit made it stale.
    fn finish(&mut self, done: Done) {
        let Some(unit) = self.scheduler.units.get(&done.target) else {
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
        let by_file = per_file(&analysis, &diagnostics);
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
        let inputs = analysis
            .sources
            .files()
            .iter()
            .map(|file| PathBuf::from(&file.path))
            .filter(|path| !self.documents.contains_key(path))
            .map(|path| {
                let stamp = config::stamp(&path);
                (path, stamp)
            })
            .collect();
        if let Some(unit) = self.scheduler.units.get_mut(&done.target) {
            unit.inputs = inputs;
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
        self.scheduler
            .units
            .get(&Target::of(path)?)?
            .current
            .as_ref()
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
            parts.extend(hover::cidr_in_text(&document.text, position));
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
