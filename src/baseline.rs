//! `--baseline` and `--write-baseline`: the fingerprints of accepted findings.

use std::collections::BTreeSet;
use std::path::Path;

use portcullis_engine::ScanResult;

pub fn read(path: &Path) -> Result<BTreeSet<String>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| format!("{}: not a portcullis baseline: {error}", path.display()))?;
    let entries = value["findings"].as_array().ok_or_else(|| {
        format!(
            "{}: not a portcullis baseline: no `findings` list",
            path.display()
        )
    })?;
    Ok(entries
        .iter()
        .filter_map(|entry| entry["fingerprint"].as_str().map(str::to_owned))
        .collect())
}

pub fn write(path: &Path, result: &ScanResult) -> Result<(), String> {
    let findings: Vec<serde_json::Value> = result
        .findings
        .iter()
        .chain(
            result
                .suppressed
                .iter()
                .filter(|s| s.suppression.kind == portcullis_ir::SuppressedBy::Baseline)
                .map(|s| &s.diagnostic),
        )
        .map(|finding| {
            serde_json::json!({
                "fingerprint": finding.fingerprint,
                "rule_id": finding.rule.code,
                "file": result.sources.path(finding.span.file),
                "resource": finding.resource,
                "message": finding.message,
            })
        })
        .collect();
    let document = serde_json::json!({ "version": 1, "tool": "portcullis", "findings": findings });
    let text = serde_json::to_string_pretty(&document).map_err(|error| error.to_string())? + "\n";
    std::fs::write(path, text).map_err(|error| format!("{}: {error}", path.display()))
}
