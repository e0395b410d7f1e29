//! Unpacking `.tar.gz` and `.zip` archives into a fresh directory, refusing anything that could
//! write outside it: absolute paths, `..` and drive prefixes reject the archive; symbolic links,
//! hard links, devices and FIFOs are skipped. Unpacked bytes and entries are capped.

use std::fs;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// The most entries (files and directories) one module archive may hold.
pub(crate) const MAX_ENTRIES: u64 = 100_000;

/// Why an archive was not unpacked.
#[derive(Debug)]
pub(crate) enum ArchiveError {
    /// An entry whose path leaves the directory.
    Unsafe {
        entry: String,
        reason: &'static str,
    },
    /// More than the cap of unpacked bytes or entries.
    TooLarge {
        limit: u64,
        what: &'static str,
    },
    /// Not a readable archive of the expected kind.
    Format(String),
    Io(io::Error),
}

impl From<io::Error> for ArchiveError {
    fn from(error: io::Error) -> Self {
        ArchiveError::Io(error)
    }
}

/// The relative path an entry names, or why it is refused.
fn safe_relative(name: &str) -> Result<Option<PathBuf>, ArchiveError> {
    let unsafe_entry = |reason| ArchiveError::Unsafe {
        entry: name.to_owned(),
        reason,
    };
    if name.starts_with('/') || name.starts_with('\\') {
        return Err(unsafe_entry("absolute path"));
    }
    if name.as_bytes().get(1) == Some(&b':') {
        return Err(unsafe_entry("drive-letter path"));
    }
    if name.contains('\0') {
        return Err(unsafe_entry("NUL byte in the name"));
    }
    let mut relative = PathBuf::new();
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err(unsafe_entry("`..` leaves the module directory")),
            part => {
                // One plain component per part, nothing a platform could read as a prefix.
                let mut components = Path::new(part).components();
                match (components.next(), components.next()) {
                    (Some(Component::Normal(_)), None) => relative.push(part),
                    _ => return Err(unsafe_entry("unusual path component")),
                }
            }
        }
    }
    Ok((!relative.as_os_str().is_empty()).then_some(relative))
}

/// Counts unpacked bytes and entries against the caps.
pub(crate) struct Budget {
    bytes_left: u64,
    entries_left: u64,
    byte_limit: u64,
}

impl Budget {
    pub(crate) fn new(byte_limit: u64) -> Budget {
        Budget {
            bytes_left: byte_limit,
            entries_left: MAX_ENTRIES,
            byte_limit,
        }
    }

    fn entry(&mut self) -> Result<(), ArchiveError> {
        if self.entries_left == 0 {
            return Err(ArchiveError::TooLarge {
                limit: MAX_ENTRIES,
                what: "entries",
            });
        }
        self.entries_left -= 1;
        Ok(())
    }

    /// Copies `reader` into a new file at `path`, charging the bytes.
    pub(crate) fn write_file(
        &mut self,
        path: &Path,
        reader: &mut dyn Read,
    ) -> Result<(), ArchiveError> {
        self.entry()?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut file = fs::File::create(path)?;
        let written = io::copy(
            &mut reader.take(self.bytes_left.saturating_add(1)),
            &mut file,
        )?;
        if written > self.bytes_left {
            return Err(ArchiveError::TooLarge {
                limit: self.byte_limit,
                what: "unpacked bytes",
            });
        }
        self.bytes_left -= written;
        Ok(())
    }

    pub(crate) fn make_dir(&mut self, path: &Path) -> Result<(), ArchiveError> {
        self.entry()?;
        fs::create_dir_all(path)?;
        Ok(())
    }
}

/// Unpacks a gzip-compressed tar stream into `dest`, an empty directory.
pub(crate) fn unpack_tar_gz(
    reader: impl Read,
    dest: &Path,
    byte_limit: u64,
) -> Result<(), ArchiveError> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(reader));
    let mut budget = Budget::new(byte_limit);
    let entries = archive
        .entries()
        .map_err(|error| ArchiveError::Format(format!("not a tar.gz archive: {error}")))?;
    for entry in entries {
        let mut entry = entry
            .map_err(|error| ArchiveError::Format(format!("broken tar.gz archive: {error}")))?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        let Some(relative) = safe_relative(&name)? else {
            continue;
        };
        match kind {
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                budget.write_file(&dest.join(relative), &mut entry)?;
            }
            tar::EntryType::Directory => budget.make_dir(&dest.join(relative))?,
            // Symbolic and hard links, devices, FIFOs, and pax/GNU metadata headers (which the
            // tar crate applies to the following entry itself) are not module files.
            _ => {}
        }
    }
    Ok(())
}

/// Unpacks the zip file at `archive` into `dest`, an empty directory.
pub(crate) fn unpack_zip(archive: &Path, dest: &Path, byte_limit: u64) -> Result<(), ArchiveError> {
    let file = fs::File::open(archive)?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|error| ArchiveError::Format(format!("not a zip archive: {error}")))?;
    if zip.len() as u64 > MAX_ENTRIES {
        return Err(ArchiveError::TooLarge {
            limit: MAX_ENTRIES,
            what: "entries",
        });
    }
    let mut budget = Budget::new(byte_limit);
    for index in 0..zip.len() {
        let mut entry = zip
            .by_index(index)
            .map_err(|error| ArchiveError::Format(format!("broken zip archive: {error}")))?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let Some(relative) = safe_relative(&name)? else {
            continue;
        };
        if entry.is_symlink() {
            continue;
        }
        if entry.is_dir() {
            budget.make_dir(&dest.join(relative))?;
        } else if entry.is_file() {
            budget.write_file(&dest.join(relative), &mut entry)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_paths() {
        assert_eq!(
            safe_relative("a/b.tf").ok().flatten(),
            Some(PathBuf::from("a/b.tf"))
        );
        assert_eq!(
            safe_relative("./a//b.tf").ok().flatten(),
            Some(PathBuf::from("a/b.tf"))
        );
        assert!(safe_relative("./").is_ok_and(|path| path.is_none()));
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "\\x",
            "C:\\x",
            "c:/x",
            "a/..\\..\\x",
        ] {
            assert!(
                matches!(safe_relative(bad), Err(ArchiveError::Unsafe { .. })),
                "{bad}"
            );
        }
    }
}
