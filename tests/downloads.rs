#![allow(clippy::unwrap_used)]
//! Remote Terraform modules through the whole pipeline (issue 16): downloaded from a registry,
//! an archive server and a git repository, all on this machine, only when asked, into a cache
//! outside the scanned repository, and analysed like installed modules.

mod common;
#[path = "support/git_repository.rs"]
mod git_repository;
#[path = "support/module_sources.rs"]
mod module_sources;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{SSH_OPEN, portcullis, project};
use git_repository::Repo;
use module_sources::{Reply, Server, ok, tar_gz, terraform_get};
use portcullis_engine::{DownloadCounts, FetchOptions, ScanError, ScanOptions, ScanResult};

/// A module opening `port` to the world through its `cidrs` variable.
fn open_port_module(port: u16) -> String {
    format!(
        r#"variable "cidrs" {{
  type = list(string)
}}

resource "aws_security_group" "this" {{
  ingress {{
    protocol    = "tcp"
    from_port   = {port}
    to_port     = {port}
    cidr_blocks = var.cidrs
  }}
}}
"#
    )
}

fn archive_of(port: u16) -> Vec<u8> {
    tar_gz(&[("main.tf", open_port_module(port).as_bytes())])
}

/// A registry for `ns/sg/aws` whose versions open different ports, so that the finding says
/// which version was chosen; and a plain archive at `/web.tar.gz`.
fn start_server() -> Server {
    let versions = [("1.0.0", 23), ("1.2.0", 22), ("2.0.0", 3389)];
    let list = versions
        .iter()
        .map(|(version, _)| format!("{{\"version\":\"{version}\"}}"))
        .collect::<Vec<_>>()
        .join(",");
    let mut routes: Vec<(String, Reply)> = vec![
        (
            "/.well-known/terraform.json".to_owned(),
            ok(r#"{"modules.v1":"/v1/modules/"}"#),
        ),
        (
            "/v1/modules/ns/sg/aws/versions".to_owned(),
            ok(format!(r#"{{"modules":[{{"versions":[{list}]}}]}}"#)),
        ),
        ("/web.tar.gz".to_owned(), ok(archive_of(3306))),
    ];
    for (version, port) in versions {
        routes.push((
            format!("/v1/modules/ns/sg/aws/{version}/download"),
            terraform_get("./sg.tar.gz"),
        ));
        routes.push((
            format!("/v1/modules/ns/sg/aws/{version}/sg.tar.gz"),
            ok(archive_of(port)),
        ));
    }
    Server::start(
        routes
            .iter()
            .map(|(path, reply)| (path.as_str(), reply.clone()))
            .collect(),
    )
}

/// A git repository whose tag `v1` holds a module opening RDP.
fn git_module(dir: &Path) -> Repo {
    use gix::objs::tree::EntryKind::Blob;
    let repo = Repo::new(dir.join("repo"));
    let module = open_port_module(3389);
    let tree = repo.tree(vec![("main.tf", Blob, repo.blob(module.as_bytes()))]);
    let commit = repo.commit("refs/heads/main", tree, Vec::new());
    repo.repo
        .reference(
            "refs/tags/v1",
            commit,
            gix::refs::transaction::PreviousValue::Any,
            "tag",
        )
        .unwrap();
    repo
}

fn call(name: &str, source: &str, version: Option<&str>) -> String {
    let version = version
        .map(|version| format!("  version = \"{version}\"\n"))
        .unwrap_or_default();
    format!(
        "module \"{name}\" {{\n  source = \"{source}\"\n{version}  cidrs  = [\"0.0.0.0/0\"]\n}}\n\n"
    )
}

fn downloading(repo: &Path, cache: &Path, server: &Server) -> ScanOptions {
    let mut options = ScanOptions::new(vec![repo.to_path_buf()]);
    let mut fetch = FetchOptions::new(cache);
    fetch.timeout = Duration::from_secs(20);
    fetch.plain_http_registries.push(server.host.clone());
    options.downloads = Some(fetch);
    options
}

/// `(resource, message)` of every finding, sorted.
fn findings(result: &ScanResult) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = result
        .findings
        .iter()
        .map(|finding| (finding.resource.clone(), finding.message.clone()))
        .collect();
    found.sort();
    found
}

fn problems(result: &ScanResult) -> Vec<String> {
    result
        .problems
        .iter()
        .map(|problem| problem.message.clone())
        .collect()
}

/// A cache directory outside every scanned project.
fn cache_dir(name: &str) -> PathBuf {
    let dir = project(&format!("cache-{name}"), &[] as &[(&str, &str)]);
    dir.join("modules-cache")
}

#[test]
fn registry_archive_and_git_modules_are_downloaded_then_reused_from_the_cache() {
    let server = start_server();
    let git_dir = project("git-source", &[] as &[(&str, &str)]);
    let git = git_module(&git_dir);
    let main = [
        call(
            "registry",
            &format!("{}/ns/sg/aws", server.host),
            Some("~> 1.0"),
        ),
        call("archive", &server.url("/web.tar.gz"), None),
        call("git", &git.url("?ref=v1"), None),
    ]
    .concat();
    let repo = project("downloads", &[("main.tf", main.as_str())]);
    let cache = cache_dir("downloads");

    let cold = portcullis_engine::run(downloading(&repo, &cache, &server)).unwrap();
    assert_eq!(problems(&cold), Vec::<String>::new());
    let expected = vec![
        (
            "module.archive.aws_security_group.this".to_owned(),
            "mysql (3306/tcp) is open to the internet from 0.0.0.0/0".to_owned(),
        ),
        (
            "module.git.aws_security_group.this".to_owned(),
            "rdp (3389/tcp) is open to the internet from 0.0.0.0/0".to_owned(),
        ),
        (
            // `~> 1.0` admits 1.2.0 (SSH), not 2.0.0 (RDP) nor the older 1.0.0 (Telnet).
            "module.registry.aws_security_group.this".to_owned(),
            "ssh (22/tcp) is open to the internet from 0.0.0.0/0".to_owned(),
        ),
    ];
    assert_eq!(findings(&cold), expected);
    assert_eq!(
        cold.downloads,
        Some(DownloadCounts {
            downloaded: 3,
            from_cache: 0,
            failed: 0
        })
    );
    assert!(
        server
            .requests()
            .contains(&"/v1/modules/ns/sg/aws/1.2.0/download".to_owned()),
        "{:?}",
        server.requests()
    );
    // The findings are in the cached module code, and name the argument in the repository.
    let finding = &cold.findings[0];
    let file = cold.sources.path(finding.span.file);
    assert!(
        Path::new(&file).starts_with(&cache),
        "{file} is in the cache"
    );
    assert!(finding.related.iter().any(|related| {
        cold.sources.path(related.span.file) == repo.join("main.tf").display().to_string()
    }));
    assert_eq!(finding.roots, [repo.display().to_string()]);
    // Formats that can only place it in the repository place it at that argument.
    let shown_at = finding.shown_at.unwrap();
    assert_eq!(
        cold.sources.path(shown_at.file),
        repo.join("main.tf").display().to_string()
    );
    let annotations = portcullis_report::render_github(&cold.outcome());
    let in_repository = format!(
        "::error file={}/main.tf,",
        repo.display().to_string().replace(':', "%3A")
    );
    assert_eq!(annotations.lines().count(), 3, "{annotations}");
    for line in annotations.lines() {
        assert!(line.starts_with(&in_repository), "{line}");
        assert!(
            line.contains("in module code outside the scanned files"),
            "{line}"
        );
    }
    let rules: Vec<&'static portcullis_diagnostics::RuleMeta> = portcullis_checks::RULES
        .iter()
        .map(|rule| rule.meta)
        .collect();
    let sarif = portcullis_report::render_sarif(
        &cold.outcome(),
        &portcullis_report::SarifOptions {
            rules: &rules,
            category: "portcullis/",
            source_root: None,
        },
    );
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        let shown = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert!(shown.as_str().unwrap().ends_with("/main.tf"), "{result}");
        let code = &result["relatedLocations"][0];
        assert!(
            code["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("/package/main.tf"),
            "{result}"
        );
        assert!(
            code["message"]["text"]
                .as_str()
                .unwrap()
                .ends_with("in module code outside the scanned files"),
            "{result}"
        );
    }
    // JUnit and Markdown (CI reports, pull-request comments) name only the repository's file.
    let cache_text = cache.display().to_string();
    let junit = portcullis_report::render_junit(&cold.outcome());
    for line in junit.lines().filter(|line| line.contains("<testsuite ")) {
        assert!(!line.contains(&cache_text), "{line}");
        assert!(line.contains("/main.tf\""), "{line}");
    }
    let markdown = portcullis_report::render_markdown(
        &cold.outcome(),
        &portcullis_report::MarkdownOptions {
            link_base: None,
            max_chars: None,
        },
    );
    let rows: Vec<&str> = markdown
        .lines()
        .filter(|line| line.contains("open to the internet"))
        .collect();
    assert_eq!(rows.len(), 3, "{markdown}");
    for row in rows {
        assert!(row.contains("/main.tf#L"), "{row}");
        assert!(
            row.contains("in module code outside the scanned files"),
            "{row}"
        );
    }
    // The registry module's finding sits at its `cidrs` argument, line 4.
    assert!(
        annotations.contains(&format!("{in_repository}line=4,col=13,")),
        "{annotations}"
    );

    // The second run asks nothing: the versions list and the three modules are cached, even
    // with the git repository gone.
    let asked = server.count();
    std::fs::remove_dir_all(&git.path).unwrap();
    let warm = portcullis_engine::run(downloading(&repo, &cache, &server)).unwrap();
    assert_eq!(server.count(), asked, "{:?}", server.requests());
    assert_eq!(findings(&warm), expected);
    assert_eq!(
        warm.downloads,
        Some(DownloadCounts {
            downloaded: 0,
            from_cache: 3,
            failed: 0
        })
    );
    // Nothing was written into the scanned repository.
    let written: Vec<_> = std::fs::read_dir(&repo).unwrap().collect();
    assert_eq!(written.len(), 1, "{written:?}");
}

#[test]
fn a_module_that_cannot_be_fetched_is_a_problem_and_the_scan_goes_on() {
    let server = start_server();
    let main = [
        call("missing", &server.url("/missing.tar.gz"), None),
        call(
            "unmatched",
            &format!("{}/ns/sg/aws", server.host),
            Some(">= 3.0"),
        ),
    ]
    .concat();
    let repo = project(
        "fetch-failure",
        &[("main.tf", main.as_str()), ("ssh.tf", SSH_OPEN)],
    );
    let result =
        portcullis_engine::run(downloading(&repo, &cache_dir("failure"), &server)).unwrap();

    let messages = problems(&result);
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("answered HTTP 404"), "{messages:?}");
    assert!(
        messages[1].contains("no published version matches \">= 3.0\""),
        "{messages:?}"
    );
    // Each problem is at the call's `source` argument.
    for problem in &result.problems {
        let file = result.sources.get(problem.span.file).unwrap();
        let at = file.slice(problem.span);
        assert!(at.starts_with("source = "), "{at}");
    }
    assert_eq!(result.exit_code(portcullis_diagnostics::Severity::High), 2);
    let found = findings(&result);
    assert!(
        found.contains(&(
            "aws_security_group.web".to_owned(),
            "ssh (22/tcp) is open to the internet from 0.0.0.0/0".to_owned()
        )),
        "the rest of the scan went on: {found:?}"
    );
    // The calls stay visible as not analysed.
    let not_analysed: Vec<&str> = result
        .findings
        .iter()
        .filter(|finding| finding.rule.code == "SG018")
        .map(|finding| finding.resource.as_str())
        .collect();
    assert_eq!(not_analysed, ["module.missing", "module.unmatched"]);
    assert_eq!(
        result.downloads,
        Some(DownloadCounts {
            downloaded: 0,
            from_cache: 0,
            failed: 2
        })
    );
}

#[test]
fn without_downloads_the_scan_stays_offline() {
    let server = start_server();
    let main = [
        call(
            "registry",
            &format!("{}/ns/sg/aws", server.host),
            Some("~> 1.0"),
        ),
        call("archive", &server.url("/web.tar.gz"), None),
    ]
    .concat();
    let repo = project("offline", &[("main.tf", main.as_str())]);
    let result = portcullis_engine::run(ScanOptions::new(vec![repo.clone()])).unwrap();
    assert_eq!(server.count(), 0, "{:?}", server.requests());
    assert_eq!(result.downloads, None);
    let reasons: Vec<&str> = result
        .findings
        .iter()
        .map(|finding| finding.message.as_str())
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons
            .iter()
            .all(|reason| reason.contains("scan with --download-modules or run terraform init")),
        "{reasons:?}"
    );
}

#[test]
fn the_module_cache_may_not_lie_inside_a_scanned_path() {
    let server = start_server();
    let repo = project("cache-inside", &[("main.tf", SSH_OPEN)]);
    let error = portcullis_engine::run(downloading(&repo, &repo.join(".cache"), &server))
        .err()
        .unwrap();
    let ScanError::CannotRun(message) = error else {
        panic!("{error:?}")
    };
    assert!(message.contains("is inside the scanned path"), "{message}");
    assert!(!repo.join(".cache").exists());
}

#[test]
fn calls_inside_a_downloaded_module_stay_inside_the_module_cache() {
    let inner = open_port_module(22);
    let outer = r#"variable "cidrs" {
  type = list(string)
}

module "inner" {
  source = "./inner"
  cidrs  = var.cidrs
}

module "escape" {
  source = "../../../../../../../../../../../../tmp"
  cidrs  = var.cidrs
}
"#;
    let archive = tar_gz(&[
        ("main.tf", outer.as_bytes()),
        ("inner/main.tf", inner.as_bytes()),
    ]);
    let escaping = tar_gz(&[("../escaped.tf", inner.as_bytes())]);
    let server = Server::start(vec![
        ("/nested.tar.gz", ok(archive)),
        ("/escaping.tar.gz", ok(escaping)),
    ]);
    let main = [
        call("nested", &server.url("/nested.tar.gz"), None),
        call("escaping", &server.url("/escaping.tar.gz"), None),
        call("subdir", &server.url("/nested.tar.gz//inner"), None),
    ]
    .concat();
    let repo = project("nested", &[("main.tf", main.as_str())]);
    let cache = cache_dir("nested");
    let result = portcullis_engine::run(downloading(&repo, &cache, &server)).unwrap();

    let found = findings(&result);
    assert!(
        found.contains(&(
            "module.nested.module.inner.aws_security_group.this".to_owned(),
            "ssh (22/tcp) is open to the internet from 0.0.0.0/0".to_owned()
        )),
        "{found:?}"
    );
    let escape = result
        .findings
        .iter()
        .find(|finding| finding.resource == "module.nested.module.escape")
        .unwrap();
    assert!(
        escape.message.contains("outside the scanned paths"),
        "{}",
        escape.message
    );
    let messages = problems(&result);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("is unsafe"), "{messages:?}");
    assert!(!cache.parent().unwrap().join("escaped.tf").exists());
    // A package's sub-directory waits for the package's one download.
    assert!(
        found.contains(&(
            "module.subdir.aws_security_group.this".to_owned(),
            "ssh (22/tcp) is open to the internet from 0.0.0.0/0".to_owned()
        )),
        "{found:?}"
    );
    let nested_requests = server
        .requests()
        .iter()
        .filter(|path| path.as_str() == "/nested.tar.gz")
        .count();
    assert_eq!(nested_requests, 1, "{:?}", server.requests());
}

#[test]
fn the_cli_downloads_when_asked_by_flag_or_configuration_and_never_otherwise() {
    let server = start_server();
    let main = call("archive", &server.url("/web.tar.gz"), None);
    let cache = cache_dir("cli");
    let config = format!(
        "[terraform]\ndownload-modules = true\nmodule-cache = \"{}\"\n",
        cache.display()
    );
    let plain = project("cli-plain", &[("main.tf", main.as_str())]);
    let configured = project(
        "cli-configured",
        &[
            ("main.tf", main.as_str()),
            ("portcullis.toml", config.as_str()),
        ],
    );

    let offline = portcullis(&["scan", "."], &plain);
    assert_eq!(offline.status.code(), Some(0));
    assert_eq!(server.count(), 0);

    let cache_arg = cache.display().to_string();
    let flagged = portcullis(
        &[
            "scan",
            ".",
            "--download-modules",
            "--module-cache",
            &cache_arg,
        ],
        &plain,
    );
    let stdout = String::from_utf8_lossy(&flagged.stdout);
    let stderr = String::from_utf8_lossy(&flagged.stderr);
    assert_eq!(flagged.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("high[SG003]: mysql (3306/tcp)"), "{stdout}");
    assert!(
        stderr.contains("remote modules: 1 downloaded, 0 from the cache, 0 not available"),
        "{stderr}"
    );
    assert_eq!(server.count(), 1);

    let from_config = portcullis(&["scan", "."], &configured);
    let stderr = String::from_utf8_lossy(&from_config.stderr);
    assert_eq!(from_config.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("0 downloaded, 1 from the cache"),
        "{stderr}"
    );

    let overridden = portcullis(&["scan", ".", "--no-download-modules"], &configured);
    assert_eq!(overridden.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&overridden.stdout).contains("scan with --download-modules"));
    assert_eq!(server.count(), 1, "{:?}", server.requests());
}

#[test]
fn fixes_never_edit_downloaded_module_code() {
    // A CIDR with host bits, written in the module: its safe fix would edit the cached file.
    let module = r#"resource "aws_security_group" "this" {
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["10.1.2.3/8"]
  }
}
"#;
    let server = Server::start(vec![(
        "/host-bits.tar.gz",
        ok(tar_gz(&[("main.tf", module.as_bytes())])),
    )]);
    let main = format!(
        "module \"sg\" {{\n  source = \"{}\"\n}}\n",
        server.url("/host-bits.tar.gz")
    );
    let repo = project("fix-downloaded", &[("main.tf", main.as_str())]);
    let cache = cache_dir("fix");
    let cache_arg = cache.display().to_string();
    let fixed = portcullis(
        &[
            "scan",
            ".",
            "--module-cache",
            &cache_arg,
            "--fix",
            "--select",
            "SG016",
        ],
        &repo,
    );
    let stdout = String::from_utf8_lossy(&fixed.stdout);
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    assert!(stdout.contains("SG016"), "{stdout}{stderr}");
    assert!(
        stderr.contains("is module code outside the scanned files; not fixed"),
        "{stderr}"
    );
    let cached: Vec<PathBuf> = walk(&cache)
        .into_iter()
        .filter(|path| path.ends_with("main.tf"))
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    assert_eq!(std::fs::read_to_string(&cached[0]).unwrap(), module);
    assert_eq!(std::fs::read_to_string(repo.join("main.tf")).unwrap(), main);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
