#![allow(clippy::unwrap_used, clippy::print_stderr)]
//! End-to-end tests of the fetcher against a registry and archive server on 127.0.0.1 started
//! here, and git repositories created here with gix. Nothing else is contacted.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use portcullis_fetch::{FetchError, FetchOptions, Fetcher, Request};

#[path = "../../../tests/support/git_repository.rs"]
mod git_repository;
#[path = "../../../tests/support/module_sources.rs"]
mod module_sources;
use git_repository::Repo;
use module_sources::{Reply, Server, ok, tar_gz, terraform_get};

// ---------------------------------------------------------------------------------------------
// Fixtures.

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "portcullis-fetch-{}-{name}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn options(cache: &Path, server: Option<&Server>) -> FetchOptions {
    let mut options = FetchOptions::new(cache);
    options.timeout = Duration::from_secs(20);
    if let Some(server) = server {
        options.plain_http_registries.push(server.host.clone());
    }
    options
}

fn tar_gz_with_symlink(link: &str, target: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    builder.append_link(&mut header, link, target).unwrap();
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        builder.append_data(&mut header, name, *data).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        writer
            .start_file(
                *name,
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated),
            )
            .unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

const MAIN_TF: &[u8] = b"resource \"aws_security_group\" \"this\" {}\n";

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_else(|error| panic!("{}: {error}", dir.join(file).display()))
}

/// A registry at `server` for `ns/sg/aws` listing `versions`; every version's download points
/// at `./sg.tar.gz` next to its download URL, which serves `archive`.
fn registry_routes(versions: &[&str], archive: &[u8]) -> Vec<(String, Reply)> {
    let list = versions
        .iter()
        .map(|version| format!("{{\"version\":\"{version}\"}}"))
        .collect::<Vec<_>>()
        .join(",");
    let mut routes = vec![
        (
            "/.well-known/terraform.json".to_owned(),
            ok(r#"{"modules.v1":"/v1/modules/","providers.v1":"/v1/providers/"}"#),
        ),
        (
            "/v1/modules/ns/sg/aws/versions".to_owned(),
            ok(format!(r#"{{"modules":[{{"versions":[{list}]}}]}}"#)),
        ),
    ];
    for version in versions {
        routes.push((
            format!("/v1/modules/ns/sg/aws/{version}/download"),
            terraform_get("./sg.tar.gz"),
        ));
        routes.push((
            format!("/v1/modules/ns/sg/aws/{version}/sg.tar.gz"),
            ok(archive.to_vec()),
        ));
    }
    routes
}

fn start_registry(versions: &[&str], archive: &[u8]) -> Server {
    let routes = registry_routes(versions, archive);
    Server::start(
        routes
            .iter()
            .map(|(path, reply)| (path.as_str(), reply.clone()))
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// Registry.

#[test]
fn registry_constraint_is_resolved_to_the_newest_match_and_downloaded() {
    let archive = tar_gz(&[("main.tf", MAIN_TF), ("modules/ssh/main.tf", b"# ssh\n")]);
    let server = start_registry(
        &["4.17.0", "5.0.0", "5.3.0", "5.10.1-rc1", "6.0.0"],
        &archive,
    );
    let cache = temp_dir("registry");
    let fetcher = Fetcher::new(options(&cache, Some(&server)));
    let source = format!("{}/ns/sg/aws", server.host);

    let fetched = fetcher.fetch(&source, Some("~> 5.0")).unwrap();
    assert_eq!(fetched.version.as_deref(), Some("5.3.0"));
    assert!(!fetched.from_cache);
    assert_eq!(read(&fetched.dir, "main.tf").as_bytes(), MAIN_TF);
    assert!(fetched.dir.starts_with(&cache), "{}", fetched.dir.display());
    assert_eq!(
        server.requests(),
        [
            "/.well-known/terraform.json",
            "/v1/modules/ns/sg/aws/versions",
            "/v1/modules/ns/sg/aws/5.3.0/download",
            "/v1/modules/ns/sg/aws/5.3.0/sg.tar.gz",
        ]
    );

    // The //subdir of the same package: no request (the versions list is cached).
    let before = server.count();
    let ssh = fetcher
        .fetch(&format!("{source}//modules/ssh"), Some("~> 5.0"))
        .unwrap();
    assert_eq!(read(&ssh.dir, "main.tf"), "# ssh\n");
    assert!(ssh.from_cache);
    assert_eq!(server.count(), before);

    // Other operators pick other versions; no constraint means the newest release.
    assert_eq!(
        fetcher
            .fetch(&source, Some(">= 4.0, < 5.0"))
            .unwrap()
            .version
            .as_deref(),
        Some("4.17.0")
    );
    assert_eq!(
        fetcher.fetch(&source, None).unwrap().version.as_deref(),
        Some("6.0.0")
    );
    assert_eq!(
        fetcher
            .fetch(&source, Some("= 5.10.1-rc1"))
            .unwrap()
            .version
            .as_deref(),
        Some("5.10.1-rc1")
    );
}

#[test]
fn a_second_run_makes_no_request() {
    let archive = tar_gz(&[("main.tf", MAIN_TF)]);
    let server = start_registry(&["1.0.0", "1.2.0"], &archive);
    let cache = temp_dir("reuse");
    let source = format!("{}/ns/sg/aws", server.host);
    let first = Fetcher::new(options(&cache, Some(&server)))
        .fetch(&source, Some("~> 1.0"))
        .unwrap();
    let requests = server.count();
    assert_eq!(requests, 4);

    // A new fetcher (a new run) on the same cache.
    let second = Fetcher::new(options(&cache, Some(&server)))
        .fetch(&source, Some("~> 1.0"))
        .unwrap();
    assert_eq!(server.count(), requests, "{:?}", server.requests());
    assert!(second.from_cache);
    assert_eq!(second.dir, first.dir);
    assert_eq!(second.version.as_deref(), Some("1.2.0"));

    // An exact version is answered from the cache even when the versions list is stale.
    let mut stale = options(&cache, Some(&server));
    stale.versions_ttl = Duration::ZERO;
    let exact = Fetcher::new(stale.clone())
        .fetch(&source, Some("1.2.0"))
        .unwrap();
    assert!(exact.from_cache);
    assert_eq!(server.count(), requests);

    // A stale list is fetched again (one request), the module is still cached.
    let again = Fetcher::new(stale).fetch(&source, Some("~> 1.0")).unwrap();
    assert!(again.from_cache);
    assert_eq!(server.count(), requests + 2, "{:?}", server.requests()); // discovery + versions
}

#[test]
fn an_unreachable_registry_falls_back_to_the_newest_cached_match() {
    let archive = tar_gz(&[("main.tf", MAIN_TF)]);
    let cache = temp_dir("fallback");
    let server = start_registry(&["2.0.0", "2.1.0", "3.0.0"], &archive);
    let source = format!("{}/ns/sg/aws", server.host);
    let fetcher = Fetcher::new(options(&cache, Some(&server)));
    fetcher.fetch(&source, Some("2.0.0")).unwrap();
    fetcher.fetch(&source, Some("2.1.0")).unwrap();

    // The registry goes down and the versions list is stale.
    server.down.store(true, Ordering::Relaxed);
    let mut stale = options(&cache, Some(&server));
    stale.versions_ttl = Duration::ZERO;
    let fetched = Fetcher::new(stale.clone())
        .fetch(&source, Some("~> 2.0"))
        .unwrap();
    assert_eq!(fetched.version.as_deref(), Some("2.1.0"));
    assert!(fetched.from_cache);
    // Nothing cached matches: the registry's failure is the error.
    let error = Fetcher::new(stale)
        .fetch(&source, Some("~> 3.0"))
        .unwrap_err();
    assert!(
        matches!(error, FetchError::HttpStatus { status: 503, .. }),
        "{error}"
    );
}

#[test]
fn tokens_are_sent_as_bearer_to_their_host() {
    let archive = tar_gz(&[("main.tf", MAIN_TF)]);
    let server = start_registry(&["1.0.0"], &archive);
    let cache = temp_dir("token");
    let mut options = options(&cache, Some(&server));
    options
        .tokens
        .insert("127.0.0.1".to_owned(), "s3cret".to_owned());
    Fetcher::new(options)
        .fetch(&format!("{}/ns/sg/aws", server.host), None)
        .unwrap();
    let log = server.log.lock().unwrap().clone();
    assert!(!log.is_empty());
    for (path, authorization) in log {
        assert_eq!(authorization.as_deref(), Some("Bearer s3cret"), "{path}");
    }
}

#[test]
fn x_terraform_get_may_name_an_absolute_archive_with_its_own_subdir() {
    let archive = zip(&[
        ("repo-1.0/main.tf", MAIN_TF),
        ("repo-1.0/modules/db/main.tf", b"# db\n"),
    ]);
    let server = Server::start(vec![
        (
            "/.well-known/terraform.json",
            ok(r#"{"modules.v1":"/v1/modules/"}"#),
        ),
        (
            "/v1/modules/ns/sg/aws/versions",
            ok(r#"{"modules":[{"versions":[{"version":"1.0.0"}]}]}"#),
        ),
        (
            "/v1/modules/ns/sg/aws/1.0.0/download",
            terraform_get("/files/repo.zip//*"),
        ),
        ("/files/repo.zip", ok(archive)),
    ]);
    let cache = temp_dir("xtg");
    let fetcher = Fetcher::new(options(&cache, Some(&server)));
    let fetched = fetcher
        .fetch(
            &format!("{}/ns/sg/aws//modules/db", server.host),
            Some("1.0.0"),
        )
        .unwrap();
    assert_eq!(read(&fetched.dir, "main.tf"), "# db\n");
    let root = Fetcher::new(options(&cache, Some(&server)))
        .fetch(&format!("{}/ns/sg/aws", server.host), Some("1.0.0"))
        .unwrap();
    assert!(root.from_cache);
    assert_eq!(read(&root.dir, "main.tf").as_bytes(), MAIN_TF);
}

#[test]
fn registry_failures_are_clear() {
    let archive = tar_gz(&[("main.tf", MAIN_TF)]);
    let server = start_registry(&["1.0.0", "1.1.0"], &archive);
    let cache = temp_dir("failures");
    let fetcher = Fetcher::new(options(&cache, Some(&server)));

    let source = format!("{}/ns/sg/aws", server.host);
    let error = fetcher.fetch(&source, Some("~> 2.0")).unwrap_err();
    assert!(
        matches!(error, FetchError::NoMatchingVersion { .. }),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot fetch module {source:?}: no published version matches \"~> 2.0\" (newest: 1.1.0, 1.0.0)"
        )
    );

    let missing = format!("{}/ns/missing/aws", server.host);
    let error = fetcher.fetch(&missing, None).unwrap_err();
    assert!(
        matches!(error, FetchError::HttpStatus { status: 404, .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&missing)
            && message.contains("/v1/modules/ns/missing/aws/versions")
            && message.contains("404"),
        "{message}"
    );

    let error = fetcher.fetch(&source, Some("about 2")).unwrap_err();
    assert!(matches!(error, FetchError::Invalid { .. }), "{error}");

    // A registry may not point the fetcher at this machine's files.
    let local = Server::start(vec![
        (
            "/.well-known/terraform.json",
            ok(r#"{"modules.v1":"/v1/modules/"}"#),
        ),
        (
            "/v1/modules/ns/sg/aws/versions",
            ok(r#"{"modules":[{"versions":[{"version":"1.0.0"}]}]}"#),
        ),
        (
            "/v1/modules/ns/sg/aws/1.0.0/download",
            terraform_get("git::file:///etc"),
        ),
    ]);
    let error = Fetcher::new(options(&cache, Some(&local)))
        .fetch(&format!("{}/ns/sg/aws", local.host), None)
        .unwrap_err();
    assert!(
        error.to_string().contains("names a file on this machine"),
        "{error}"
    );

    let no_registry = Server::start(vec![(
        "/.well-known/terraform.json",
        ok(r#"{"providers.v1":"/p/"}"#),
    )]);
    let error = Fetcher::new(options(&cache, Some(&no_registry)))
        .fetch(&format!("{}/ns/sg/aws", no_registry.host), None)
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("does not offer a module registry"),
        "{error}"
    );
}

// ---------------------------------------------------------------------------------------------
// Archives.

#[test]
fn tar_gz_and_zip_archives_are_unpacked() {
    let server = Server::start(vec![
        (
            "/m.tar.gz",
            ok(tar_gz(&[("main.tf", MAIN_TF), ("sub/x.tf", b"# x\n")])),
        ),
        (
            "/m.zip",
            ok(zip(&[("main.tf", MAIN_TF), ("sub/x.tf", b"# x\n")])),
        ),
        ("/download", ok(zip(&[("main.tf", b"# query\n")]))),
        ("/module?terraform-get=1", terraform_get("/m.tar.gz")),
    ]);
    let cache = temp_dir("archives");
    let fetcher = Fetcher::new(options(&cache, None));
    for source in [server.url("/m.tar.gz"), server.url("/m.zip")] {
        let fetched = fetcher.fetch(&source, None).unwrap();
        assert_eq!(
            read(&fetched.dir, "main.tf").as_bytes(),
            MAIN_TF,
            "{source}"
        );
        let sub = fetcher.fetch(&format!("{source}//sub"), None).unwrap();
        assert_eq!(read(&sub.dir, "x.tf"), "# x\n");
        assert!(sub.from_cache);
    }
    let query = fetcher
        .fetch(&server.url("/download?archive=zip"), None)
        .unwrap();
    assert_eq!(read(&query.dir, "main.tf"), "# query\n");
    let redirected = fetcher.fetch(&server.url("/module"), None).unwrap();
    assert_eq!(read(&redirected.dir, "main.tf").as_bytes(), MAIN_TF);

    let error = fetcher
        .fetch(&server.url("/m.zip"), Some("1.0"))
        .unwrap_err();
    assert!(matches!(error, FetchError::Invalid { .. }), "{error}");
    let error = fetcher
        .fetch(&format!("{}//nope", server.url("/m.zip")), None)
        .unwrap_err();
    assert!(matches!(error, FetchError::NoSuchSubdir { .. }), "{error}");
}

/// Nothing in the cache but `modules/`, `registry/` and an empty `tmp/`, and nothing outside.
fn assert_nothing_escaped(cache: &Path, outside: &Path) {
    assert!(!outside.join("evil.tf").exists());
    let tmp = cache.join("tmp");
    if tmp.exists() {
        assert_eq!(
            std::fs::read_dir(&tmp).unwrap().count(),
            0,
            "scratch directories left"
        );
    }
}

#[test]
fn zip_slip_and_absolute_paths_are_rejected() {
    let server = Server::start(vec![
        (
            "/slip.zip",
            ok(zip(&[("main.tf", MAIN_TF), ("../evil.tf", b"x")])),
        ),
        (
            "/slip.tar.gz",
            ok(tar_gz(&[("main.tf", MAIN_TF), ("a/../../evil.tf", b"x")])),
        ),
        ("/abs.tar.gz", ok(tar_gz(&[("/tmp/evil.tf", b"x")]))),
        ("/abs.zip", ok(zip(&[("/evil.tf", b"x")]))),
    ]);
    let outside = temp_dir("slip");
    let cache = outside.join("cache");
    let fetcher = Fetcher::new(options(&cache, None));
    for path in ["/slip.zip", "/slip.tar.gz", "/abs.tar.gz", "/abs.zip"] {
        let error = fetcher.fetch(&server.url(path), None).unwrap_err();
        assert!(
            matches!(error, FetchError::UnsafeArchive { .. }),
            "{path}: {error}"
        );
        assert!(error.to_string().contains("evil.tf"), "{error}");
        assert_nothing_escaped(&cache, &outside);
        assert!(
            !cache.join("modules").exists()
                || std::fs::read_dir(cache.join("modules")).unwrap().count() == 0
        );
    }
}

#[test]
fn symbolic_links_in_archives_are_skipped() {
    let server = Server::start(vec![(
        "/link.tar.gz",
        ok(tar_gz_with_symlink(
            "passwd.tf",
            "/etc/passwd",
            &[("main.tf", MAIN_TF)],
        )),
    )]);
    let cache = temp_dir("symlink");
    let fetched = Fetcher::new(options(&cache, None))
        .fetch(&server.url("/link.tar.gz"), None)
        .unwrap();
    assert_eq!(read(&fetched.dir, "main.tf").as_bytes(), MAIN_TF);
    assert!(std::fs::symlink_metadata(fetched.dir.join("passwd.tf")).is_err());
}

#[test]
fn the_size_cap_applies_to_downloaded_and_unpacked_bytes() {
    // Compresses to a few hundred bytes, unpacks to 64 KiB.
    let bomb = tar_gz(&[("main.tf", &[b' '; 64 * 1024])]);
    assert!(bomb.len() < 4096);
    // Does not compress: over the cap when downloaded.
    let big: Vec<u8> = (0..20_000u32)
        .flat_map(|n| n.wrapping_mul(2_654_435_761).to_le_bytes())
        .collect();
    let server = Server::start(vec![("/bomb.tar.gz", ok(bomb)), ("/big.zip", ok(big))]);
    let cache = temp_dir("cap");
    let mut options = options(&cache, None);
    options.max_module_bytes = 8 * 1024;
    let fetcher = Fetcher::new(options);
    let error = fetcher
        .fetch(&server.url("/bomb.tar.gz"), None)
        .unwrap_err();
    assert!(
        matches!(&error, FetchError::TooLarge { what, .. } if what == "unpacked bytes"),
        "{error}"
    );
    let error = fetcher.fetch(&server.url("/big.zip"), None).unwrap_err();
    assert!(
        matches!(&error, FetchError::TooLarge { what, .. } if what == "downloaded bytes"),
        "{error}"
    );
    assert!(error.to_string().contains("8192"), "{error}");
    assert_nothing_escaped(&cache, &cache);
}

#[test]
fn connection_refused_and_http_errors_name_the_source() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let cache = temp_dir("refused");
    let fetcher = Fetcher::new(options(&cache, None));
    let source = format!("http://{address}/m.zip");
    let error = fetcher.fetch(&source, None).unwrap_err();
    assert!(matches!(error, FetchError::Connect { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "cannot fetch module {source:?}: cannot connect to"
        )),
        "{message}"
    );
    assert!(message.contains("refused"), "{message}");

    let server = Server::start(Vec::new());
    let error = fetcher
        .fetch(&server.url("/gone.tar.gz"), None)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot fetch module {:?}: {} answered HTTP 404",
            server.url("/gone.tar.gz"),
            server.url("/gone.tar.gz")
        )
    );
}

#[test]
fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    // Accept and hold the connections without answering.
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(30));
        drop(held);
    });
    let cache = temp_dir("timeout");
    let mut options = options(&cache, None);
    options.timeout = Duration::from_millis(500);
    let source = format!("http://{address}/slow.tar.gz");
    let started = std::time::Instant::now();
    let error = Fetcher::new(options).fetch(&source, None).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(matches!(error, FetchError::Timeout { .. }), "{error:?}");
    assert!(
        error.to_string().contains("did not answer in time"),
        "{error}"
    );
}

#[test]
fn unsupported_sources_say_why() {
    let fetcher = Fetcher::new(options(&temp_dir("unsupported"), None));
    for (source, expected) in [
        ("git::ssh://git@example.com/org/repo.git", "SSH"),
        ("git@github.com:org/repo.git", "SSH"),
        ("s3::https://s3-eu-west-1.amazonaws.com/bucket/m.zip", "s3"),
        ("hg::https://example.com/repo", "hg"),
        ("https://example.com/m.tar.xz", ".tar.gz"),
    ] {
        let error = fetcher.fetch(source, None).unwrap_err();
        assert!(
            matches!(error, FetchError::Unsupported { .. }),
            "{source}: {error}"
        );
        assert!(error.to_string().contains(expected), "{error}");
    }
    assert!(matches!(
        fetcher.fetch("./local", None),
        Err(FetchError::NotRemote { .. })
    ));
}

#[test]
fn fetch_all_runs_in_parallel_and_keeps_the_order() {
    let server = Server::start(vec![
        ("/a.tar.gz", ok(tar_gz(&[("main.tf", b"# a\n")]))),
        ("/b.zip", ok(zip(&[("main.tf", b"# b\n")]))),
    ]);
    let cache = temp_dir("all");
    let fetcher = Fetcher::new(options(&cache, None));
    let requests = [
        Request::new(server.url("/a.tar.gz"), None),
        Request::new(server.url("/missing.zip"), None),
        Request::new(server.url("/b.zip"), None),
        Request::new(server.url("/a.tar.gz"), None),
    ];
    let results = fetcher.fetch_all(&requests);
    assert_eq!(results.len(), 4);
    assert_eq!(read(&results[0].as_ref().unwrap().dir, "main.tf"), "# a\n");
    assert!(matches!(
        results[1],
        Err(FetchError::HttpStatus { status: 404, .. })
    ));
    assert_eq!(read(&results[2].as_ref().unwrap().dir, "main.tf"), "# b\n");
    assert_eq!(
        results[3].as_ref().unwrap().dir,
        results[0].as_ref().unwrap().dir
    );
    // The duplicate was fetched once.
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|path| *path == "/a.tar.gz")
            .count(),
        1
    );
}

#[test]
fn concurrent_runs_share_one_cache_entry() {
    let server = Server::start(vec![("/m.tar.gz", ok(tar_gz(&[("main.tf", MAIN_TF)])))]);
    let cache = temp_dir("race");
    let url = server.url("/m.tar.gz");
    let dirs: Vec<PathBuf> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    Fetcher::new(options(&cache, None))
                        .fetch(&url, None)
                        .unwrap()
                        .dir
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    });
    assert!(dirs.windows(2).all(|pair| pair[0] == pair[1]), "{dirs:?}");
    assert_eq!(read(&dirs[0], "main.tf").as_bytes(), MAIN_TF);
    assert_eq!(std::fs::read_dir(cache.join("modules")).unwrap().count(), 1);
    assert_eq!(std::fs::read_dir(cache.join("tmp")).unwrap().count(), 0);
}

// ---------------------------------------------------------------------------------------------
// Git (local repositories through file:// URLs, written with gix).

#[test]
fn git_refs_tags_branches_and_subdirs() {
    use gix::objs::tree::EntryKind::{Blob, Link, Tree};
    let repo = Repo::new(temp_dir("git").join("repo"));
    let v1 = repo.blob(b"# v1\n");
    let sub = repo.tree(vec![("main.tf", Blob, repo.blob(b"# sub\n"))]);
    let first_tree = repo.tree(vec![
        ("main.tf", Blob, v1),
        ("modules", Tree, sub),
        ("link.tf", Link, repo.blob(b"/etc/passwd")),
    ]);
    let first = repo.commit("refs/heads/main", first_tree, Vec::new());
    repo.repo
        .reference(
            "refs/tags/v1.0.0",
            first,
            gix::refs::transaction::PreviousValue::Any,
            "tag",
        )
        .unwrap();
    let second_tree = repo.tree(vec![("main.tf", Blob, repo.blob(b"# v2\n"))]);
    repo.commit("refs/heads/dev", second_tree, vec![first]);

    let cache = temp_dir("git-cache");
    let fetcher = Fetcher::new(options(&cache, None));
    let tagged = fetcher.fetch(&repo.url("?ref=v1.0.0"), None).unwrap();
    assert_eq!(read(&tagged.dir, "main.tf"), "# v1\n");
    assert!(
        std::fs::symlink_metadata(tagged.dir.join("link.tf")).is_err(),
        "links are skipped"
    );
    assert!(!tagged.dir.join(".git").exists());
    let branch = fetcher.fetch(&repo.url("?ref=dev"), None).unwrap();
    assert_eq!(read(&branch.dir, "main.tf"), "# v2\n");
    let commit = fetcher
        .fetch(&repo.url(&format!("?ref={first}")), None)
        .unwrap();
    assert_eq!(read(&commit.dir, "main.tf"), "# v1\n");
    let head = fetcher.fetch(&repo.url(""), None).unwrap();
    assert_eq!(read(&head.dir, "main.tf"), "# v1\n", "HEAD is main");
    let subdir = fetcher
        .fetch(
            &format!("git::file://{}//modules?ref=v1.0.0", repo.path.display()),
            None,
        )
        .unwrap();
    assert_eq!(read(&subdir.dir, "main.tf"), "# sub\n");
    assert!(subdir.from_cache, "the same ref is one cache entry");

    let error = fetcher.fetch(&repo.url("?ref=v9"), None).unwrap_err();
    assert!(matches!(error, FetchError::Git { .. }), "{error}");
    assert!(
        error
            .to_string()
            .contains("no tag, branch or commit named \"v9\""),
        "{error}"
    );

    // The cached copy is used once the repository is gone.
    std::fs::remove_dir_all(&repo.path).unwrap();
    let again = fetcher.fetch(&repo.url("?ref=dev"), None).unwrap();
    assert!(again.from_cache);
    assert_eq!(read(&again.dir, "main.tf"), "# v2\n");
}

#[test]
fn git_trees_are_capped() {
    use gix::objs::tree::EntryKind::Blob;
    let repo = Repo::new(temp_dir("git").join("repo"));
    let tree = repo.tree(vec![("main.tf", Blob, repo.blob(&[b' '; 20_000]))]);
    repo.commit("refs/heads/main", tree, Vec::new());
    let cache = temp_dir("git-cap");
    let mut options = options(&cache, None);
    options.max_module_bytes = 10_000;
    let error = Fetcher::new(options)
        .fetch(&repo.url(""), None)
        .unwrap_err();
    assert!(matches!(error, FetchError::TooLarge { .. }), "{error}");
}

#[test]
fn https_git_failures_are_reported() {
    // A server that is not a git server: the smart-HTTP handshake fails with a clear error.
    let server = Server::start(Vec::new());
    let cache = temp_dir("git-http");
    let source = format!("git::{}?ref=v1", server.url("/org/repo.git"));
    let error = Fetcher::new(options(&cache, None))
        .fetch(&source, None)
        .unwrap_err();
    assert!(matches!(error, FetchError::Git { .. }), "{error}");
    assert!(
        server
            .requests()
            .iter()
            .any(|path| path.starts_with("/org/repo.git/info/refs")),
        "{:?}",
        server.requests()
    );
    let message = error.to_string();
    assert!(
        message.contains(&source) && message.contains("404"),
        "{message}"
    );
}
