//! `file:` URIs to paths and back. Only `file:` URIs name something the analysis can read.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;

/// The path of a `file:` URI (`file:///a/b%20c.tf`, `file://localhost/a.tf`).
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let path = &rest[rest.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode(path)?;
    // `file:///C:/x` is `C:/x` on Windows; on Unix the leading slash is the root.
    let decoded = if cfg!(windows) && decoded.get(2..3) == Some(":") {
        decoded[1..].to_owned()
    } else {
        decoded
    };
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path.
pub fn from_path(path: &Path) -> Option<Uri> {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file://");
    if !text.starts_with('/') {
        uri.push('/');
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&uri).ok()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = std::str::from_utf8(bytes.get(index + 1..index + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_with_spaces_and_unicode() {
        let path = Path::new("/work/my infra/é/main.tf");
        let uri = from_path(path).unwrap();
        assert_eq!(uri.as_str(), "file:///work/my%20infra/%C3%A9/main.tf");
        assert_eq!(to_path(&uri).unwrap(), path);
    }

    #[test]
    fn accepts_localhost_and_rejects_other_schemes() {
        let uri = Uri::from_str("file://localhost/a/b.tf").unwrap();
        assert_eq!(to_path(&uri).unwrap(), Path::new("/a/b.tf"));
        assert!(to_path(&Uri::from_str("untitled:Untitled-1").unwrap()).is_none());
        assert!(to_path(&Uri::from_str("file:///a/%FF.tf").unwrap()).is_none());
    }
}
