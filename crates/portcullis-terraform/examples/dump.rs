//! Prints what the front-end extracts from the Terraform files under the given paths:
//! `cargo run -p portcullis-terraform --example dump -- PATH... [--summary]`.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use portcullis_ir::SourceMap;
use portcullis_terraform::{Options, analyze, is_terraform_file};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with('.'));
        if path.is_dir() && !hidden {
            walk(&path, out);
        } else if is_terraform_file(&path) {
            out.push(path);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let summary = args.iter().any(|arg| arg == "--summary");
    let roots: Vec<PathBuf> = args
        .iter()
        .filter(|arg| !arg.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    let mut paths = Vec::new();
    for root in &roots {
        walk(root, &mut paths);
    }
    let sources = SourceMap::new();
    let files: Vec<Arc<_>> = paths
        .iter()
        .filter_map(|path| {
            Some(sources.add(path.to_string_lossy(), std::fs::read_to_string(path).ok()?))
        })
        .collect();
    let options = Options {
        scan_roots: roots,
        ..Options::default()
    };
    let started = std::time::Instant::now();
    let units = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        analyze(&files, &sources, &options)
    }));
    let Ok(units) = units else {
        println!("PANIC");
        std::process::exit(101);
    };
    let elapsed = started.elapsed();
    let problems: usize = units.iter().map(|unit| unit.problems.len()).sum();
    let rules: usize = units.iter().map(|unit| unit.inventory.rules.len()).sum();
    let groups: usize = units
        .iter()
        .map(|unit| unit.inventory.security_groups.len())
        .sum();
    let unresolved: usize = units
        .iter()
        .map(|unit| unit.inventory.unresolved.len())
        .sum();
    println!(
        "{} files, {} units, {groups} groups, {rules} rules, {unresolved} unresolved, {problems} problems, 0 panics, {elapsed:?}",
        files.len(),
        units.len()
    );
    for unit in &units {
        for problem in &unit.problems {
            let location = sources.location(problem.span.file, problem.span.start);
            println!(
                "problem {}:{}: {}",
                sources.path(problem.span.file),
                location.line,
                problem.message
            );
        }
    }
    if summary {
        return;
    }
    for unit in &units {
        println!("== {}", unit.name);
        for rule in &unit.inventory.rules {
            let location = sources.location(rule.span.file, rule.span.start);
            println!(
                "  {} [{}:{}] group={:?} {:?} {:?} from={:?} to={:?}",
                rule.id,
                sources.path(rule.span.file),
                location.line,
                rule.group.known_value().map_or_else(
                    || rule.group.unknown_reason().unwrap_or("").to_owned(),
                    Clone::clone
                ),
                rule.direction,
                rule.protocol.known_value().map_or_else(
                    || format!("?{}", rule.protocol.unknown_reason().unwrap_or("")),
                    ToString::to_string
                ),
                rule.from_port.as_ref().map(|value| value
                    .known_value()
                    .copied()
                    .ok_or(value.unknown_reason().unwrap_or("").to_owned())),
                rule.to_port.as_ref().map(|value| value
                    .known_value()
                    .copied()
                    .ok_or(value.unknown_reason().unwrap_or("").to_owned())),
            );
            for peer in &rule.peers {
                let span = peer.span();
                let location = sources.location(span.file, span.start);
                println!(
                    "      peer {peer:?} @{}:{}",
                    sources.path(span.file),
                    location.line
                );
            }
            if !rule.assumptions.is_empty() {
                println!(
                    "      assumes {:?}",
                    rule.assumptions
                        .iter()
                        .map(|trace| &trace.note)
                        .collect::<Vec<_>>()
                );
            }
        }
        for item in &unit.inventory.unresolved {
            println!("  unresolved {}: {}", item.subject, item.reason);
        }
        for attachment in &unit.inventory.attachments {
            println!(
                "  attachment {} {:?} groups={:?}",
                attachment.id,
                attachment.reachability.known_value(),
                attachment
                    .groups
                    .iter()
                    .map(|g| g.known_value().cloned())
                    .collect::<Vec<_>>()
            );
        }
    }
}
