//! The end-to-end fixtures of `fixtures/cloudformation` parse cleanly: templates give a unit
//! without unresolved parts and with exactly the problems their expected file lists, other files
//! are skipped. (The harness compares findings and where problems are.)

use std::path::Path;

use portcullis_cloudformation::{Options, analyze, is_candidate};
use portcullis_ir::SourceMap;

#[test]
fn fixtures_are_clean_templates_or_skipped() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cloudformation");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| is_candidate(path))
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "{paths:?}");
    for path in paths {
        let map = SourceMap::new();
        let text = std::fs::read_to_string(&path).expect("readable fixture");
        let file = map.add(path.display().to_string(), text);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let expected = dir.join(format!(
            "{}.expected.txt",
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        assert!(expected.is_file(), "{name} has no {}", expected.display());
        match analyze(&file, &Options::default()) {
            None => assert!(name.contains("not_a_template"), "{name} was skipped"),
            Some(unit) => {
                assert!(!name.contains("not_a_template"), "{name} was analysed");
                let expected_problems = std::fs::read_to_string(&expected)
                    .expect("readable expected file")
                    .lines()
                    .filter(|line| line.trim_start().starts_with("PROBLEM"))
                    .count();
                assert_eq!(
                    unit.problems.len(),
                    expected_problems,
                    "{name}: {:?}",
                    unit.problems
                );
                assert!(
                    unit.inventory.unresolved.is_empty(),
                    "{name}: {:?}",
                    unit.inventory.unresolved
                );
                let inventory = &unit.inventory;
                assert!(
                    !(inventory.security_groups.is_empty() && inventory.nacl_entries.is_empty()),
                    "{name} declares nothing"
                );
            }
        }
    }
}
