//! Helpers shared by the integration tests: loading a plan into a fresh `SourceMap`, and
//! describing spans as `path:line:column` and source text.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use portcullis_ir::{SourceFile, SourceMap, Span, Unit};

pub fn workspace() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap().parent().unwrap().to_path_buf()
}

pub fn fixture(case: &str) -> PathBuf {
    workspace().join("fixtures/plan").join(case)
}

pub struct Loaded {
    pub sources: SourceMap,
    pub file: Arc<SourceFile>,
    pub unit: Unit,
}

pub fn analyze_text(path: &str, text: &str, options: &portcullis_plan::Options) -> Loaded {
    let sources = SourceMap::new();
    let file = sources.add(path, text);
    let unit = portcullis_plan::analyze(&file, &sources, options);
    Loaded {
        sources,
        file,
        unit,
    }
}

pub fn analyze_path(path: &Path, options: &portcullis_plan::Options) -> Loaded {
    let text = std::fs::read_to_string(path).unwrap();
    analyze_text(&path.to_string_lossy(), &text, options)
}

impl Loaded {
    pub fn text(&self, span: Span) -> String {
        let file = self.sources.get(span.file).unwrap();
        file.slice(span).to_owned()
    }

    /// `file:line` with the path relative to `base`.
    pub fn position(&self, span: Span, base: &Path) -> String {
        let path = self.sources.path(span.file);
        let prefix = format!("{}/", base.display());
        let line = self.sources.location(span.file, span.start).line;
        format!("{}:{line}", path.strip_prefix(&prefix).unwrap_or(&path))
    }

    /// `CODE file:LINE` for every finding of the default rules, sorted.
    pub fn findings(&self, base: &Path) -> Vec<String> {
        let settings = portcullis_checks::Settings::default();
        let mut lines: Vec<String> =
            portcullis_checks::check(&self.unit.inventory, &self.sources, &settings)
                .iter()
                .map(|finding| {
                    format!(
                        "{} {}",
                        finding.rule.code,
                        self.position(finding.span, base)
                    )
                })
                .collect();
        lines.sort();
        lines
    }
}

/// A directory under the system's temporary directory, removed when dropped (also when the
/// test fails), for configurations that must not live in the repository.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("portcullis-plan-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
