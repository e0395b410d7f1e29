//! A plan names module sources; the configuration they point to is read only inside the source
//! directories, so that a hostile plan cannot make the scan read and quote files elsewhere.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use portcullis_ir::SourceMap;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn module_sources_outside_the_source_directories_are_not_read() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/plan/nested_modules");
    let scratch = std::env::temp_dir().join(format!(
        "portcullis-plan-confinement-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&scratch);
    let root = scratch.join("root");
    copy_dir(&fixture, &root);
    // The module now lives outside the root, and both the configuration and the plan say so.
    std::fs::rename(root.join("modules"), scratch.join("outside")).unwrap();
    for name in ["main.tf", "plan.json"] {
        let text = std::fs::read_to_string(root.join(name)).unwrap();
        std::fs::write(
            root.join(name),
            text.replace("./modules/sg", "../outside/sg"),
        )
        .unwrap();
    }
    let sources = SourceMap::new();
    let plan_path: PathBuf = root.join("plan.json");
    let plan = sources.add(
        plan_path.to_string_lossy(),
        std::fs::read_to_string(&plan_path).unwrap(),
    );
    let options = portcullis_plan::Options {
        source_dirs: vec![root.clone()],
    };
    let unit = portcullis_plan::analyze(&plan, &sources, &options);
    assert!(unit.problems.is_empty(), "{:?}", unit.problems);
    assert!(!unit.inventory.rules.is_empty());
    let read: Vec<String> = sources
        .files()
        .iter()
        .map(|file| file.path.clone())
        .collect();
    assert!(
        read.iter().all(|path| !path.contains("outside")),
        "read outside the root: {read:?}"
    );
    std::fs::remove_dir_all(&scratch).unwrap();
}
