//! Every case of `fixtures/plan/`: the findings of its `plan.json` are those of
//! `expected.txt` (`CODE relative/file:LINE`), at the lines of the `.tf` source when present.

#![allow(clippy::unwrap_used)]

mod common;

use common::{analyze_path, workspace};

#[test]
fn plan_fixtures_yield_their_expected_findings() {
    let root = workspace().join("fixtures/plan");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(
        !cases.is_empty(),
        "fixtures/plan holds {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in cases {
        let loaded = analyze_path(
            &case.join("plan.json"),
            &portcullis_plan::Options::default(),
        );
        if !loaded.unit.problems.is_empty() {
            failures.push(format!("{}: {:?}", case.display(), loaded.unit.problems));
        }
        let text = std::fs::read_to_string(case.join("expected.txt")).unwrap();
        let mut want: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        want.sort();
        let got = loaded.findings(&case);
        if got != want {
            failures.push(format!(
                "{}:\n  expected {want:?}\n  actual   {got:?}",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
