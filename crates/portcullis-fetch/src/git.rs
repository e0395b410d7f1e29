//! Git sources through gix, without any process: `https://` repositories are fetched (depth 1
//! for a named ref) over an HTTP transport that runs on the crate's own ureq agent; `file://`
//! repositories are read in place. Either way the commit's tree is written out by this module,
//! blob by blob: no checkout, so no filters, smudge or hooks run, symbolic links and submodules
//! are skipped, and `.git` entries never land on disk.

use std::io::{self, BufRead, Read, Write};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use gix::protocol::transport::client::blocking_io::http::{
    self as git_http, GetResponse, PostBodyDataKind, PostResponse,
};

use crate::archive::{ArchiveError, Budget};

/// Why a git source was not fetched.
#[derive(Debug)]
pub(crate) enum GitError {
    /// The ref names no tag, branch or commit.
    NoSuchRef(String),
    TooLarge {
        limit: u64,
        what: &'static str,
    },
    Unsafe {
        entry: String,
        reason: &'static str,
    },
    Other(String),
}

impl From<ArchiveError> for GitError {
    fn from(error: ArchiveError) -> Self {
        match error {
            ArchiveError::Unsafe { entry, reason } => GitError::Unsafe { entry, reason },
            ArchiveError::TooLarge { limit, what } => GitError::TooLarge { limit, what },
            ArchiveError::Format(message) => GitError::Other(message),
            ArchiveError::Io(error) => GitError::Other(error.to_string()),
        }
    }
}

fn other(context: &str, error: impl std::fmt::Display) -> GitError {
    GitError::Other(format!("{context}: {error}"))
}

/// Options for opening repositories: no global or system configuration (nothing from the
/// user's git setup, such as credential helpers or filters, applies).
fn open_options() -> gix::open::Options {
    gix::open::Options::isolated()
}

/// Writes the tree of `reference` (or HEAD) of the local repository at `path` into `dest`.
pub(crate) fn export_local(
    path: &Path,
    reference: Option<&str>,
    dest: &Path,
    byte_limit: u64,
) -> Result<(), GitError> {
    let repo = gix::open_opts(path, open_options())
        .map_err(|error| other("cannot open the repository", error))?;
    let commit = resolve(&repo, reference)?;
    export_tree(&repo, commit, dest, byte_limit)
}

/// Fetches `url` into a bare repository at `scratch` (inside the cache's temporary area) and
/// writes the tree of `reference` (or the remote HEAD) into `dest`.
pub(crate) fn fetch_remote(
    url: &str,
    reference: Option<&str>,
    agent: &ureq::Agent,
    scratch: &Path,
    dest: &Path,
    byte_limit: u64,
) -> Result<(), GitError> {
    let repo = gix::ThreadSafeRepository::init_opts(
        scratch,
        gix::create::Kind::Bare,
        gix::create::Options::default(),
        open_options(),
    )
    .map_err(|error| other("cannot create a scratch repository", error))?
    .to_thread_local();
    let full_id = reference.filter(|name| is_full_object_id(name));
    let refspecs: Vec<String> = match reference {
        // A commit id: fetch branches and tags in full and look the commit up among them.
        Some(_) if full_id.is_some() => vec![
            "+refs/heads/*:refs/remotes/origin/*".to_owned(),
            "+refs/tags/*:refs/tags/*".to_owned(),
        ],
        Some(name) => vec![
            format!("+refs/tags/{name}:refs/tags/{name}"),
            format!("+refs/heads/{name}:refs/remotes/origin/{name}"),
        ],
        None => vec!["+HEAD:refs/remotes/origin/HEAD".to_owned()],
    };
    let remote = repo
        .remote_at(url)
        .map_err(|error| other("invalid git URL", error))?
        .with_refspecs(
            refspecs.iter().map(String::as_str),
            gix::remote::Direction::Fetch,
        )
        .map_err(|error| other("invalid ref", error))?;
    let git_url = gix::url::parse(gix::bstr::BStr::new(url))
        .map_err(|error| other("invalid git URL", error))?;
    let received = Arc::new(AtomicU64::new(0));
    let http = UreqHttp {
        agent: agent.clone(),
        received: Arc::clone(&received),
        limit: byte_limit,
    };
    let transport =
        git_http::connect_http(http, git_url, gix::protocol::transport::Protocol::V2, false);
    let connection = remote
        .to_connection_with_transport(transport)
        // Never ask a credential helper (that would start a process) or a user.
        .with_credentials(|_| Ok(None));
    let interrupt = AtomicBool::new(false);
    let mut prepare = connection
        .prepare_fetch(gix::progress::Discard, Default::default())
        .map_err(|error| fetch_error(url, &received, byte_limit, error))?;
    if full_id.is_none()
        && let Some(depth) = NonZeroU32::new(1)
    {
        prepare = prepare.with_shallow(gix::remote::fetch::Shallow::DepthAtRemote(depth));
    }
    prepare
        .receive(gix::progress::Discard, &interrupt)
        .map_err(|error| fetch_error(url, &received, byte_limit, error))?;
    let commit = resolve(&repo, reference)?;
    export_tree(&repo, commit, dest, byte_limit)
}

/// The error and its causes, `outer: inner: innermost`, without repeated parts.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(error) = current {
        let text = error.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        current = error.source();
    }
    parts.join(": ")
}

fn fetch_error(url: &str, received: &AtomicU64, limit: u64, error: gix::Error) -> GitError {
    if received.load(Ordering::Relaxed) > limit {
        return GitError::TooLarge {
            limit,
            what: "downloaded bytes",
        };
    }
    GitError::Other(format!("fetching {url}: {}", chain(&error)))
}

fn is_full_object_id(name: &str) -> bool {
    (name.len() == 40 || name.len() == 64) && name.chars().all(|c| c.is_ascii_hexdigit())
}

/// The commit a ref names: a tag, a branch (local or fetched), or a commit id; HEAD for none.
fn resolve(repo: &gix::Repository, reference: Option<&str>) -> Result<gix::ObjectId, GitError> {
    let candidates: Vec<String> = match reference {
        None => vec!["refs/remotes/origin/HEAD".to_owned(), "HEAD".to_owned()],
        Some(name) => vec![
            format!("refs/tags/{name}"),
            format!("refs/heads/{name}"),
            format!("refs/remotes/origin/{name}"),
        ],
    };
    for candidate in &candidates {
        if let Ok(Some(mut found)) = repo.try_find_reference(candidate.as_str())
            && let Ok(id) = found.peel_to_id()
        {
            return commit_of(repo, id.detach(), reference);
        }
    }
    if let Some(name) = reference
        && is_full_object_id(name)
        && let Ok(id) = gix::ObjectId::from_hex(name.as_bytes())
    {
        return commit_of(repo, id, reference);
    }
    Err(GitError::NoSuchRef(reference.unwrap_or("HEAD").to_owned()))
}

fn commit_of(
    repo: &gix::Repository,
    id: gix::ObjectId,
    reference: Option<&str>,
) -> Result<gix::ObjectId, GitError> {
    let object = repo
        .find_object(id)
        .map_err(|error| other("reading the commit", error))?;
    let commit = object
        .peel_to_commit()
        .map_err(|_| GitError::NoSuchRef(reference.unwrap_or("HEAD").to_owned()))?;
    Ok(commit.id)
}

/// Writes every regular file of the commit's tree under `dest`.
fn export_tree(
    repo: &gix::Repository,
    commit: gix::ObjectId,
    dest: &Path,
    byte_limit: u64,
) -> Result<(), GitError> {
    let commit = repo
        .find_commit(commit)
        .map_err(|error| other("reading the commit", error))?;
    let tree = commit
        .tree_id()
        .map_err(|error| other("reading the commit", error))?;
    let mut budget = Budget::new(byte_limit);
    std::fs::create_dir_all(dest).map_err(|error| other("creating the module directory", error))?;
    write_tree(repo, tree.detach(), dest, &mut budget, 0)
}

fn write_tree(
    repo: &gix::Repository,
    tree: gix::ObjectId,
    dir: &Path,
    budget: &mut Budget,
    depth: usize,
) -> Result<(), GitError> {
    if depth > 64 {
        return Err(GitError::Unsafe {
            entry: dir.display().to_string(),
            reason: "directories nested more than 64 deep",
        });
    }
    let tree = repo
        .find_tree(tree)
        .map_err(|error| other("reading a tree", error))?;
    let entries: Vec<(String, gix::objs::tree::EntryMode, gix::ObjectId)> = tree
        .iter()
        .map(|entry| {
            entry
                .map(|entry| {
                    (
                        entry.filename().to_string(),
                        entry.mode(),
                        entry.oid().to_owned(),
                    )
                })
                .map_err(|error| other("reading a tree", error))
        })
        .collect::<Result<_, _>>()?;
    for (name, mode, id) in entries {
        if !is_plain_name(&name) {
            return Err(GitError::Unsafe {
                entry: name,
                reason: "a path component that is not a plain file name",
            });
        }
        if name.eq_ignore_ascii_case(".git") {
            continue;
        }
        let path: PathBuf = dir.join(&name);
        if mode.is_tree() {
            budget.make_dir(&path)?;
            write_tree(repo, id, &path, budget, depth + 1)?;
        } else if mode.is_blob() {
            // Regular and executable files alike; the executable bit is not kept.
            let blob = repo
                .find_blob(id)
                .map_err(|error| other("reading a file", error))?;
            budget.write_file(&path, &mut blob.data.as_slice())?;
        }
        // Symbolic links and submodules (commits) are skipped.
    }
    Ok(())
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !(name.len() >= 2 && name.as_bytes()[1] == b':')
}

// ---------------------------------------------------------------------------------------------
// The git smart-HTTP transport on ureq.

/// gix's `Http` trait implemented on a ureq agent: the agent's timeouts, TLS (rustls) and proxy
/// settings apply to git as to registry requests, and the bytes received are capped.
struct UreqHttp {
    agent: ureq::Agent,
    received: Arc<AtomicU64>,
    limit: u64,
}

/// One request: sent when its response is first read (for a POST, after the body was written).
struct Exchange {
    agent: ureq::Agent,
    url: String,
    headers: Vec<(String, String)>,
    post: Option<Vec<u8>>,
    response: Option<io::Result<(Vec<u8>, ureq::BodyReader<'static>)>>,
    received: Arc<AtomicU64>,
    limit: u64,
}

impl Exchange {
    fn send(&mut self) -> io::Result<()> {
        if self.response.is_some() {
            return Ok(());
        }
        let result = (|| {
            let response = match self.post.take() {
                Some(body) => {
                    let mut request = self.agent.post(&self.url);
                    for (name, value) in &self.headers {
                        request = request.header(name, value);
                    }
                    request.send(&body[..])
                }
                None => {
                    let mut request = self.agent.get(&self.url);
                    for (name, value) in &self.headers {
                        request = request.header(name, value);
                    }
                    request.call()
                }
            }
            .map_err(io::Error::other)?;
            let status = response.status().as_u16();
            if status == 401 || status == 403 {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!(
                        "HTTP status {status} (authentication is not supported for git sources)"
                    ),
                ));
            }
            if !(200..300).contains(&status) {
                return Err(io::Error::other(format!(
                    "HTTP status {status} from {}",
                    self.url
                )));
            }
            let mut header_text = Vec::new();
            for (name, value) in response.headers() {
                header_text.extend_from_slice(name.as_str().as_bytes());
                header_text.extend_from_slice(b": ");
                header_text.extend_from_slice(value.as_bytes());
                header_text.extend_from_slice(b"\r\n");
            }
            let reader = response
                .into_body()
                .into_with_config()
                .limit(self.limit.saturating_add(1))
                .reader();
            Ok((header_text, reader))
        })();
        self.response = Some(result);
        Ok(())
    }
}

type Shared = Arc<Mutex<Exchange>>;

fn lock(shared: &Shared) -> io::Result<std::sync::MutexGuard<'_, Exchange>> {
    shared
        .lock()
        .map_err(|_| io::Error::other("a git HTTP exchange panicked"))
}

/// The response headers, one `Name: value` line each.
struct LazyHeaders {
    shared: Shared,
    text: Option<io::Cursor<Vec<u8>>>,
}

impl LazyHeaders {
    fn cursor(&mut self) -> io::Result<&mut io::Cursor<Vec<u8>>> {
        if self.text.is_none() {
            let mut exchange = lock(&self.shared)?;
            exchange.send()?;
            let text = match exchange.response.as_mut() {
                Some(Ok((headers, _))) => std::mem::take(headers),
                Some(Err(error)) => return Err(io::Error::new(error.kind(), error.to_string())),
                None => Vec::new(),
            };
            self.text = Some(io::Cursor::new(text));
        }
        self.text
            .as_mut()
            .ok_or_else(|| io::Error::other("no headers"))
    }
}

impl Read for LazyHeaders {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.cursor()?.read(buf)
    }
}

impl BufRead for LazyHeaders {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.cursor()?.fill_buf()
    }
    fn consume(&mut self, amount: usize) {
        if let Some(text) = self.text.as_mut() {
            text.consume(amount);
        }
    }
}

/// The response body, buffered, with the bytes counted against the module cap.
struct LazyBody {
    shared: Shared,
    buffer: Vec<u8>,
    start: usize,
    end: usize,
}

impl Read for LazyBody {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let count = available.len().min(buf.len());
        buf[..count].copy_from_slice(&available[..count]);
        self.consume(count);
        Ok(count)
    }
}

impl BufRead for LazyBody {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.start == self.end {
            let mut exchange = lock(&self.shared)?;
            exchange.send()?;
            let limit = exchange.limit;
            let received = Arc::clone(&exchange.received);
            let count = match exchange.response.as_mut() {
                Some(Ok((_, reader))) => reader.read(&mut self.buffer)?,
                Some(Err(error)) => return Err(io::Error::new(error.kind(), error.to_string())),
                None => 0,
            };
            if received.fetch_add(count as u64, Ordering::Relaxed) + count as u64 > limit {
                return Err(io::Error::other(format!(
                    "the repository is larger than {limit} bytes"
                )));
            }
            self.start = 0;
            self.end = count;
        }
        Ok(&self.buffer[self.start..self.end])
    }
    fn consume(&mut self, amount: usize) {
        self.start = (self.start + amount).min(self.end);
    }
}

/// The body of a POST, collected until the response is read.
struct PostBody {
    shared: Shared,
}

impl Write for PostBody {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut exchange = lock(&self.shared)?;
        if exchange.response.is_some() {
            return Err(io::Error::other("the request was already sent"));
        }
        let limit = exchange.limit;
        let post = exchange.post.get_or_insert_with(Vec::new);
        if post.len() as u64 + buf.len() as u64 > limit {
            return Err(io::Error::other("the git request body is too large"));
        }
        post.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl UreqHttp {
    fn exchange(
        &self,
        url: &str,
        headers: impl IntoIterator<Item = impl AsRef<str>>,
        post: bool,
    ) -> Shared {
        let headers = headers
            .into_iter()
            .filter_map(|line| {
                let (name, value) = line.as_ref().split_once(':')?;
                Some((name.trim().to_owned(), value.trim().to_owned()))
            })
            .collect();
        Arc::new(Mutex::new(Exchange {
            agent: self.agent.clone(),
            url: url.to_owned(),
            headers,
            post: post.then(Vec::new),
            response: None,
            received: Arc::clone(&self.received),
            limit: self.limit,
        }))
    }
}

fn body(shared: &Shared) -> LazyBody {
    LazyBody {
        shared: Arc::clone(shared),
        buffer: vec![0; 64 * 1024],
        start: 0,
        end: 0,
    }
}

impl git_http::Http for UreqHttp {
    type Headers = LazyHeaders;
    type ResponseBody = LazyBody;
    type PostBody = PostBody;

    fn get(
        &mut self,
        url: &str,
        _base_url: &str,
        headers: impl IntoIterator<Item = impl AsRef<str>>,
    ) -> gix::Result<GetResponse<Self::Headers, Self::ResponseBody>> {
        let shared = self.exchange(url, headers, false);
        lock(&shared)
            .and_then(|mut exchange| exchange.send())
            .map_err(gix::Error::from_error)?;
        if let Ok(exchange) = lock(&shared)
            && let Some(Err(error)) = exchange.response.as_ref()
        {
            return Err(gix::Error::from_error(io::Error::new(
                error.kind(),
                error.to_string(),
            )));
        }
        Ok(GetResponse {
            headers: LazyHeaders {
                shared: Arc::clone(&shared),
                text: None,
            },
            body: body(&shared),
        })
    }

    fn post(
        &mut self,
        url: &str,
        _base_url: &str,
        headers: impl IntoIterator<Item = impl AsRef<str>>,
        _body: PostBodyDataKind,
    ) -> gix::Result<PostResponse<Self::Headers, Self::ResponseBody, Self::PostBody>> {
        let shared = self.exchange(url, headers, true);
        Ok(PostResponse {
            post_body: PostBody {
                shared: Arc::clone(&shared),
            },
            headers: LazyHeaders {
                shared: Arc::clone(&shared),
                text: None,
            },
            body: body(&shared),
        })
    }

    fn configure(&mut self, _config: &dyn std::any::Any) -> gix::Result {
        Ok(())
    }
}
