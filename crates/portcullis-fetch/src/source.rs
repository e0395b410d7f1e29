//! Module `source` strings as Terraform reads them (`addrs.ParseModuleSource` and the go-getter
//! detectors it falls back to), reduced to the kinds this crate downloads.

/// The default registry, used for `NAMESPACE/NAME/PROVIDER`.
pub const DEFAULT_REGISTRY: &str = "registry.terraform.io";

/// A remote module source, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// `[HOST/]NAMESPACE/NAME/PROVIDER[//SUBDIR]`.
    Registry {
        /// Lower-cased host, with a port when one was written.
        host: String,
        namespace: String,
        name: String,
        provider: String,
        subdir: Option<String>,
    },
    /// `git::https://...` (and `github.com/ORG/REPO`), `git::file://...` for local mirrors.
    Git {
        /// The repository URL without `git::`, query or subdirectory.
        url: String,
        /// `?ref=`: a tag, a branch or a commit id; `None` is the remote's HEAD.
        reference: Option<String>,
        subdir: Option<String>,
    },
    /// An `http(s)://` archive (`.zip`, `.tar.gz`, `.tgz`, or `?archive=zip|tar.gz|tgz`).
    Archive {
        /// The URL to download, without `archive=` and the subdirectory.
        url: String,
        kind: ArchiveKind,
        subdir: Option<String>,
    },
    /// A plain `http(s)://` URL that is not an archive: Terraform asks it for an
    /// `X-Terraform-Get` header naming the real source.
    Redirect { url: String, subdir: Option<String> },
}

/// The archive formats read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveKind {
    TarGz,
    Zip,
}

impl Source {
    /// The `//subdir` part, if any.
    pub fn subdir(&self) -> Option<&str> {
        match self {
            Source::Registry { subdir, .. }
            | Source::Git { subdir, .. }
            | Source::Archive { subdir, .. }
            | Source::Redirect { subdir, .. } => subdir.as_deref(),
        }
    }

    /// The same source without its subdirectory: what is downloaded and cached.
    pub fn package(&self) -> Source {
        let mut package = self.clone();
        match &mut package {
            Source::Registry { subdir, .. }
            | Source::Git { subdir, .. }
            | Source::Archive { subdir, .. }
            | Source::Redirect { subdir, .. } => *subdir = None,
        }
        package
    }
}

/// Why a source is not downloaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotRemote {
    /// `./x`, `../x`, or an absolute path: read from disk by the front-end.
    Local,
    /// A remote kind this crate does not fetch; the text says which.
    Unsupported(String),
    /// Not a source Terraform would accept.
    Invalid(String),
}

/// Whether `source` names a module that has to be downloaded (registry, git, archive, any
/// remote kind, supported or not) rather than a local directory.
pub fn is_remote_source(source: &str) -> bool {
    !matches!(
        parse(source),
        Err(NotRemote::Local) | Err(NotRemote::Invalid(_))
    )
}

/// Parses a module source.
pub fn parse(source: &str) -> Result<Source, NotRemote> {
    let source = source.trim();
    if source.starts_with("./")
        || source.starts_with("../")
        || source == "."
        || source == ".."
        || source.starts_with('/')
        || source.starts_with(".\\")
        || source.starts_with("..\\")
    {
        return Err(NotRemote::Local);
    }
    if source.is_empty() {
        return Err(NotRemote::Invalid("the source is empty".to_owned()));
    }
    let (forced, rest) = split_forced_getter(source);
    if let Some(getter) = forced {
        return match getter {
            "git" => parse_git(rest),
            "http" | "https" if rest.starts_with("http://") || rest.starts_with("https://") => {
                parse_http(rest)
            }
            other => Err(NotRemote::Unsupported(format!(
                "the {other}:: source kind is not supported"
            ))),
        };
    }
    if rest.starts_with("git@") {
        return Err(NotRemote::Unsupported(
            "git over SSH is not supported; use a git::https:// URL".to_owned(),
        ));
    }
    if let Some((scheme, _)) = rest.split_once("://") {
        return match scheme.to_ascii_lowercase().as_str() {
            "http" | "https" => parse_http(rest),
            "ssh" => Err(NotRemote::Unsupported(
                "git over SSH is not supported; use a git::https:// URL".to_owned(),
            )),
            "s3" | "gcs" => Err(NotRemote::Unsupported(format!(
                "{scheme}:// sources are not supported"
            ))),
            _ => Err(NotRemote::Unsupported(format!(
                "the {scheme}:// scheme is not supported"
            ))),
        };
    }
    let (path, subdir) = split_subdir(rest);
    let lower = path.to_ascii_lowercase();
    if lower.starts_with("github.com/") {
        return parse_github(path, query_of(rest), subdir);
    }
    if lower.starts_with("bitbucket.org/") {
        return Err(NotRemote::Unsupported(
            "bitbucket.org shorthand is not supported; use a git::https:// URL".to_owned(),
        ));
    }
    if lower.contains(".s3") && lower.contains("amazonaws.com")
        || lower.starts_with("storage.googleapis.com/")
    {
        return Err(NotRemote::Unsupported(
            "S3 and GCS bucket sources are not supported".to_owned(),
        ));
    }
    if rest.contains('?') {
        return Err(NotRemote::Invalid(format!(
            "{source:?} is not a module source"
        )));
    }
    parse_registry(path, subdir).ok_or_else(|| {
        NotRemote::Invalid(format!(
            "{source:?} is neither a local path, a registry address nor a URL"
        ))
    })
}

/// `git::https://...` → (`Some("git")`, `https://...`); `s3::...`; none for `https://`.
fn split_forced_getter(source: &str) -> (Option<&str>, &str) {
    if let Some((getter, rest)) = source.split_once("::")
        && !getter.is_empty()
        && getter.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return (Some(getter), rest);
    }
    (None, source)
}

/// Splits the go-getter `//subdir` off: the first `//` after the scheme's `://`, before any
/// query. Returns the address without the subdirectory and without the query (read it with
/// [`query_of`]).
fn split_subdir(address: &str) -> (&str, Option<String>) {
    let before_query = address
        .split_once('?')
        .map_or(address, |(before, _)| before);
    let skip = before_query.find("://").map_or(0, |at| at + 3);
    match before_query[skip..].find("//") {
        Some(at) => {
            let at = skip + at;
            let subdir = before_query[at + 2..].trim_matches('/');
            (
                &before_query[..at],
                (!subdir.is_empty()).then(|| subdir.to_owned()),
            )
        }
        None => (before_query, None),
    }
}

/// The query string of `address` (after `?`), wherever the subdirectory was.
fn query_of(address: &str) -> &str {
    address.split_once('?').map_or("", |(_, query)| query)
}

fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => (percent_decode(key), percent_decode(value)),
            None => (percent_decode(pair), String::new()),
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && index + 2 < bytes.len()
            && let Some(byte) = std::str::from_utf8(&bytes[index + 1..index + 3])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            index += 3;
        } else {
            out.push(if bytes[index] == b'+' {
                b' '
            } else {
                bytes[index]
            });
            index += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_git(rest: &str) -> Result<Source, NotRemote> {
    let query = query_of(rest);
    let (url, subdir) = split_subdir(rest);
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("ssh://")
        || url.starts_with("git@")
        || (!url.contains("://") && url.contains('@'))
    {
        return Err(NotRemote::Unsupported(
            "git over SSH is not supported; use a git::https:// URL".to_owned(),
        ));
    }
    if !(lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("file://"))
    {
        return Err(NotRemote::Unsupported(format!(
            "git source {url:?}: only https:// (and file://) git URLs are supported"
        )));
    }
    let mut reference = None;
    for (key, value) in query_params(query) {
        match key.as_str() {
            "ref" if !value.is_empty() => reference = Some(value),
            "ref" => {}
            "depth" => {}
            "sshkey" => {
                return Err(NotRemote::Unsupported(
                    "git over SSH (sshkey=) is not supported".to_owned(),
                ));
            }
            other => {
                return Err(NotRemote::Unsupported(format!(
                    "the git source argument {other:?} is not supported"
                )));
            }
        }
    }
    Ok(Source::Git {
        url: url.to_owned(),
        reference,
        subdir,
    })
}

fn parse_github(path: &str, query: &str, subdir: Option<String>) -> Result<Source, NotRemote> {
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() < 3 || parts[1].is_empty() || parts[2].is_empty() {
        return Err(NotRemote::Invalid(format!(
            "{path:?}: GitHub sources are github.com/ORGANISATION/REPOSITORY"
        )));
    }
    // go-getter: `github.com/org/repo/sub/dir` is the repository `org/repo` and the rest a
    // subdirectory.
    let repository = parts[2].trim_end_matches(".git");
    let extra = parts[3..].join("/");
    let subdir = match (extra.is_empty(), subdir) {
        (true, subdir) => subdir,
        (false, None) => Some(extra),
        (false, Some(inner)) => Some(format!("{extra}/{inner}")),
    };
    let url = format!("https://github.com/{}/{repository}.git", parts[1]);
    let url = if query.is_empty() {
        url
    } else {
        format!("{url}?{query}")
    };
    match parse_git(&url)? {
        Source::Git { url, reference, .. } => Ok(Source::Git {
            url,
            reference,
            subdir,
        }),
        other => Ok(other),
    }
}

fn parse_http(rest: &str) -> Result<Source, NotRemote> {
    let query = query_of(rest);
    let (url, subdir) = split_subdir(rest);
    let mut kind = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        match pair.split_once('=') {
            Some(("archive", value)) => {
                kind = Some(match value {
                    "zip" => ArchiveKind::Zip,
                    "tar.gz" | "tgz" => ArchiveKind::TarGz,
                    "false" => {
                        return Err(NotRemote::Unsupported(
                            "archive=false (a single file) is not a module".to_owned(),
                        ));
                    }
                    other => {
                        return Err(NotRemote::Unsupported(format!(
                            "the archive format {other:?} is not supported (zip, tar.gz, tgz are)"
                        )));
                    }
                });
            }
            _ => kept.push(pair),
        }
    }
    let path = url.to_ascii_lowercase();
    let kind = kind.or(if path.ends_with(".zip") {
        Some(ArchiveKind::Zip)
    } else if path.ends_with(".tar.gz") || path.ends_with(".tgz") {
        Some(ArchiveKind::TarGz)
    } else {
        None
    });
    if path.ends_with(".tar.bz2")
        || path.ends_with(".tbz2")
        || path.ends_with(".tar.xz")
        || path.ends_with(".txz")
        || path.ends_with(".tar")
    {
        return Err(NotRemote::Unsupported(format!(
            "{url:?}: only .zip, .tar.gz and .tgz archives are supported"
        )));
    }
    let full = if kept.is_empty() {
        url.to_owned()
    } else {
        format!("{url}?{}", kept.join("&"))
    };
    Ok(match kind {
        Some(kind) => Source::Archive {
            url: full,
            kind,
            subdir,
        },
        None => Source::Redirect { url: full, subdir },
    })
}

fn is_registry_label(label: &str, max: usize) -> bool {
    let bytes = label.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= max
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
}

fn is_hostname(host: &str) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    if port.is_some_and(|port| port.parse::<u16>().is_err()) {
        return false;
    }
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn parse_registry(path: &str, subdir: Option<String>) -> Option<Source> {
    let parts: Vec<&str> = path.split('/').collect();
    let (host, rest) = match parts.len() {
        3 => (DEFAULT_REGISTRY.to_owned(), &parts[..]),
        4 if is_hostname(parts[0]) => (parts[0].to_ascii_lowercase(), &parts[1..]),
        _ => return None,
    };
    let [namespace, name, provider] = rest else {
        return None;
    };
    if !is_registry_label(namespace, 64)
        || !is_registry_label(name, 64)
        || provider.is_empty()
        || provider.len() > 64
        || !provider
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return None;
    }
    Some(Source::Registry {
        host,
        namespace: (*namespace).to_owned(),
        name: (*name).to_owned(),
        provider: (*provider).to_owned(),
        subdir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(host: &str, subdir: Option<&str>) -> Source {
        Source::Registry {
            host: host.to_owned(),
            namespace: "terraform-aws-modules".to_owned(),
            name: "security-group".to_owned(),
            provider: "aws".to_owned(),
            subdir: subdir.map(str::to_owned),
        }
    }

    #[test]
    fn registry_addresses() {
        assert_eq!(
            parse("terraform-aws-modules/security-group/aws"),
            Ok(registry(DEFAULT_REGISTRY, None))
        );
        assert_eq!(
            parse("terraform-aws-modules/security-group/aws//modules/ssh"),
            Ok(registry(DEFAULT_REGISTRY, Some("modules/ssh")))
        );
        assert_eq!(
            parse("App.Terraform.io/terraform-aws-modules/security-group/aws"),
            Ok(registry("app.terraform.io", None))
        );
        assert_eq!(
            parse("127.0.0.1:8080/terraform-aws-modules/security-group/aws"),
            Ok(registry("127.0.0.1:8080", None))
        );
    }

    #[test]
    fn local_paths_are_not_remote() {
        for local in ["./sg", "../modules/sg", "/abs/path", "."] {
            assert_eq!(parse(local), Err(NotRemote::Local), "{local}");
            assert!(!is_remote_source(local));
        }
        assert!(is_remote_source("terraform-aws-modules/security-group/aws"));
        assert!(is_remote_source("git::ssh://git@example.com/x.git"));
        assert!(!is_remote_source("not a source"));
    }

    #[test]
    fn git_sources() {
        assert_eq!(
            parse("git::https://example.com/org/repo.git//modules/sg?ref=v1.2.0"),
            Ok(Source::Git {
                url: "https://example.com/org/repo.git".to_owned(),
                reference: Some("v1.2.0".to_owned()),
                subdir: Some("modules/sg".to_owned()),
            })
        );
        assert_eq!(
            parse("git::https://example.com/org/repo.git?ref=main"),
            Ok(Source::Git {
                url: "https://example.com/org/repo.git".to_owned(),
                reference: Some("main".to_owned()),
                subdir: None,
            })
        );
        assert_eq!(
            parse("github.com/hashicorp/example//sub?ref=v1"),
            Ok(Source::Git {
                url: "https://github.com/hashicorp/example.git".to_owned(),
                reference: Some("v1".to_owned()),
                subdir: Some("sub".to_owned()),
            })
        );
        for ssh in [
            "git::ssh://git@example.com/org/repo.git",
            "git@github.com:org/repo.git",
            "git::git@github.com:org/repo.git",
            "ssh://git@example.com/repo.git",
        ] {
            assert!(
                matches!(parse(ssh), Err(NotRemote::Unsupported(_))),
                "{ssh}"
            );
        }
    }

    #[test]
    fn archives_and_other_urls() {
        assert_eq!(
            parse("https://example.com/m/sg.tar.gz//inner"),
            Ok(Source::Archive {
                url: "https://example.com/m/sg.tar.gz".to_owned(),
                kind: ArchiveKind::TarGz,
                subdir: Some("inner".to_owned()),
            })
        );
        assert_eq!(
            parse("https://example.com/download?archive=zip&token=1"),
            Ok(Source::Archive {
                url: "https://example.com/download?token=1".to_owned(),
                kind: ArchiveKind::Zip,
                subdir: None,
            })
        );
        assert!(matches!(
            parse("https://example.com/m.tgz"),
            Ok(Source::Archive {
                kind: ArchiveKind::TarGz,
                ..
            })
        ));
        assert!(matches!(
            parse("https://example.com/module"),
            Ok(Source::Redirect { .. })
        ));
        for unsupported in [
            "s3::https://s3.amazonaws.com/b/m.zip",
            "hg::https://example.com/r",
            "gcs::https://x/y",
            "bucket.s3.amazonaws.com/m.zip",
            "bitbucket.org/a/b",
        ] {
            assert!(
                matches!(parse(unsupported), Err(NotRemote::Unsupported(_))),
                "{unsupported}"
            );
        }
    }
}
