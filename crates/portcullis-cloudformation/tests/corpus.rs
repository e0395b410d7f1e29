//! Robustness over the real-world corpus, when it is present: no panic, and a summary of what
//! was analysed, skipped and reported as a problem.
//!
//! `cargo test -p portcullis-cloudformation --test corpus -- --nocapture` prints the summary.

use std::path::{Path, PathBuf};

use portcullis_cloudformation::{Options, analyze, is_candidate};
use portcullis_ir::SourceMap;

const CORPUS: &str = "/work/shared/corpus/realworld";

fn candidates(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            candidates(&path, out);
        } else if is_candidate(&path) {
            out.push(path);
        }
    }
}

#[test]
#[allow(clippy::print_stderr)] // the summary is the point of this test
fn realworld_corpus_scans_without_panics() {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        eprintln!("{CORPUS} is absent; skipped");
        return;
    }
    let mut paths = Vec::new();
    candidates(root, &mut paths);
    let map = SourceMap::new();
    let (mut templates, mut skipped, mut unreadable) = (0, 0, 0);
    let (mut rules, mut attachments) = (0, 0);
    let mut problems = Vec::new();
    let mut panics = Vec::new();
    // Skipped files that still mention CloudFormation types, to review detection by hand.
    let mut mentions = Vec::new();
    let mut duplicates = Vec::new();
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            unreadable += 1;
            continue;
        };
        let shown = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        let file = map.add(shown.clone(), text);
        let started = std::time::Instant::now();
        let result = std::panic::catch_unwind(|| analyze(&file, &Options::default()));
        let elapsed = started.elapsed();
        assert!(elapsed.as_secs() < 5, "{shown} took {elapsed:?}");
        match result {
            Err(_) => panics.push(shown),
            Ok(None) => {
                skipped += 1;
                if file.text.contains("AWS::") {
                    mentions.push(shown);
                }
            }
            Ok(Some(unit)) => {
                templates += 1;
                rules += unit.inventory.rules.len();
                attachments += unit.inventory.attachments.len();
                for note in &unit.inventory.unresolved {
                    if note.subject.contains("duplicate key") {
                        let line = file.location(note.span.start).line;
                        duplicates
                            .push(format!("{shown}:{line}: {}; {}", note.subject, note.reason));
                    }
                }
                for problem in &unit.problems {
                    let location = file.location(problem.span.start);
                    problems.push(format!(
                        "{shown}:{}:{}: {}",
                        location.line, location.column, problem.message
                    ));
                }
            }
        }
    }
    eprintln!(
        "corpus: {} candidate files, {templates} templates analysed ({rules} rules, {attachments} attachments), {skipped} non-templates skipped, {unreadable} unreadable, {} problems",
        paths.len(),
        problems.len()
    );
    eprintln!("skipped files mentioning AWS:: ({}):", mentions.len());
    for shown in &mentions {
        eprintln!("  {shown}");
    }
    for duplicate in &duplicates {
        eprintln!("  accepted duplicate key: {duplicate}");
    }
    for problem in &problems {
        eprintln!("  problem: {problem}");
    }
    assert!(panics.is_empty(), "panicked on {panics:?}");
}
