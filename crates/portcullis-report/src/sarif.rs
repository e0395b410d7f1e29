//! `--format sarif`: SARIF 2.1.0 shaped for GitHub code scanning.

use serde::Serialize;
use serde_json::{Value, json};

use portcullis_diagnostics::{Diagnostic, RuleMeta, Severity, section};
use portcullis_ir::{SourceMap, Span};

use portcullis_diagnostics::ScanOutcome;

use crate::{LazySeq, module_code_note, write_pretty_json, written};

/// Rule metadata for the driver; the renderer lists every rule, not only those that fired, so that
/// code scanning can close alerts of rules that stop firing.
pub struct SarifOptions<'a> {
    pub rules: &'a [&'static RuleMeta],
    /// `runAutomationDetails.id`: the category that separates several uploads for one commit.
    pub category: &'a str,
    /// The directory relative paths are resolved against, as a `file://` URI ending in `/`.
    pub source_root: Option<String>,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub reads this score to rank security alerts: over 9 critical, 7-8.9 high, 4-6.9 medium,
/// 0.1-3.9 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// Percent-encodes a path into a URI reference; `file://` for absolute paths.
pub fn path_uri(path: &str) -> (String, bool) {
    let mut encoded = String::with_capacity(path.len());
    // Only Windows separates with backslashes; elsewhere one is part of a file name.
    let normalised = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_owned()
    };
    let trimmed = normalised.strip_prefix("./").unwrap_or(&normalised);
    for byte in trimmed.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    if trimmed.starts_with('/') {
        (format!("file://{encoded}"), true)
    } else {
        (encoded, false)
    }
}

fn physical_location(sources: &SourceMap, span: Span) -> Value {
    let start = sources.location(span.file, span.start);
    let end = sources.location(span.file, span.end);
    let (uri, absolute) = path_uri(&sources.path(span.file));
    let mut artifact = json!({ "uri": uri });
    if !absolute {
        artifact["uriBaseId"] = json!("%SRCROOT%");
    }
    // An empty span still needs a visible region: at least one column wide.
    let end_column = if (end.line, end.utf16_column) == (start.line, start.utf16_column) {
        start.utf16_column + 1
    } else {
        end.utf16_column
    };
    json!({
        "artifactLocation": artifact,
        "region": {
            "startLine": start.line,
            "startColumn": start.utf16_column,
            "endLine": end.line,
            "endColumn": end_column,
        }
    })
}

fn rule_descriptor(meta: &RuleMeta) -> Value {
    let documentation = meta.documentation();
    let what = section(&documentation, "What it does").replace('\n', " ");
    json!({
        "id": meta.code,
        "name": meta.name,
        "shortDescription": { "text": meta.summary() },
        "fullDescription": { "text": what },
        "help": { "text": documentation, "markdown": documentation },
        "helpUri": meta.help_uri(),
        "defaultConfiguration": { "level": level(meta.default_severity), "enabled": meta.enabled_by_default },
        "properties": {
            "tags": ["security", "aws", "security-group", meta.category],
            "precision": "very-high",
            "security-severity": security_severity(meta.default_severity),
        }
    })
}

fn result(
    sources: &SourceMap,
    rules: &[&'static RuleMeta],
    finding: &Diagnostic,
    suppression: Option<Value>,
) -> Value {
    let rule_index = rules.iter().position(|meta| meta.code == finding.rule.code);
    let mut result = json!({
        "ruleId": finding.rule.code,
        "level": level(finding.severity),
        "message": { "text": finding.message },
        "locations": [{ "physicalLocation": physical_location(sources, finding.shown_at.unwrap_or(finding.span)) }],
        "partialFingerprints": { "primaryLocationLineHash": finding.fingerprint },
        "properties": {
            "severity": finding.severity.as_str(),
            "certainty": finding.certainty.as_str(),
            "resource": finding.resource,
            "security-severity": security_severity(finding.severity),
        }
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if !finding.roots.is_empty() {
        result["properties"]["roots"] = json!(finding.roots);
    }
    // Shown at the argument that leads to module code outside the repository, the module
    // code comes first among the related locations.
    let module_code = finding
        .shown_at
        .map(|_| (finding.span, module_code_note(finding)));
    let related: Vec<(Span, String)> = module_code
        .into_iter()
        .chain(
            finding
                .related
                .iter()
                .map(|related| (related.span, related.message.clone())),
        )
        .collect();
    if !related.is_empty() {
        result["relatedLocations"] = related
            .iter()
            .enumerate()
            .map(|(id, (span, message))| {
                json!({
                    "id": id,
                    "physicalLocation": physical_location(sources, *span),
                    "message": { "text": message },
                })
            })
            .collect();
    }
    let fixes: Vec<Value> = finding
        .suggestions
        .iter()
        .filter(|suggestion| !suggestion.edits.is_empty())
        .map(|suggestion| {
            let changes: Vec<Value> = suggestion
                .edits
                .iter()
                .map(|edit| {
                    let location = physical_location(sources, edit.span);
                    json!({
                        "artifactLocation": location["artifactLocation"],
                        "replacements": [{
                            "deletedRegion": location["region"],
                            "insertedContent": { "text": edit.replacement },
                        }]
                    })
                })
                .collect();
            json!({
                "description": { "text": format!("{} ({})", suggestion.message, suggestion.applicability.as_str()) },
                "artifactChanges": changes,
            })
        })
        .collect();
    if !fixes.is_empty() {
        result["fixes"] = json!(fixes);
    }
    if let Some(suppression) = suppression {
        result["suppressions"] = json!([suppression]);
    }
    result
}

/// The SARIF log, pretty-printed, with a trailing newline.
pub fn render(outcome: &ScanOutcome<'_>, options: &SarifOptions<'_>) -> String {
    written(|out| write(outcome, options, out))
}

/// The SARIF log and its one run. Fields are in alphabetical order, as in a `serde_json` map.
#[derive(Serialize)]
#[serde(bound(serialize = "Run<R>: Serialize"))]
struct Log<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<R>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase", bound(serialize = "LazySeq<R>: Serialize"))]
struct Run<R> {
    automation_details: Value,
    column_kind: &'static str,
    invocations: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<Value>,
    results: LazySeq<R>,
    tool: Value,
}

/// [`render`], written as it is made: results are built one at a time.
pub fn write(
    outcome: &ScanOutcome<'_>,
    options: &SarifOptions<'_>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let sources = outcome.sources;
    let findings = outcome
        .findings
        .iter()
        .map(|finding| result(sources, options.rules, finding, None));
    let suppressed = outcome.suppressed.iter().map(|suppressed| {
        let kind = if suppressed.suppression.span.is_some() { "inSource" } else { "external" };
        let suppression = json!({
            "kind": kind,
            "status": "accepted",
            "justification": format!("{}: {}", suppressed.suppression.kind.as_str(), suppressed.suppression.reason),
        });
        result(sources, options.rules, &suppressed.diagnostic, Some(suppression))
    });
    let notifications: Vec<Value> = outcome
        .problems
        .iter()
        .map(|problem| {
            json!({
                "level": "error",
                "message": { "text": problem.message },
                "locations": [{ "physicalLocation": physical_location(sources, problem.span) }],
            })
        })
        .collect();
    let run = Run {
        automation_details: json!({ "id": options.category }),
        column_kind: "utf16CodeUnits",
        invocations: json!([{
            "executionSuccessful": outcome.problems.is_empty(),
            "toolExecutionNotifications": notifications,
        }]),
        original_uri_base_ids: options
            .source_root
            .as_ref()
            .map(|root| json!({ "%SRCROOT%": { "uri": root } })),
        results: LazySeq::new(findings.chain(suppressed)),
        tool: json!({
            "driver": {
                "name": "portcullis",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/portcullis-sec/portcullis",
                "rules": options.rules.iter().map(|meta| rule_descriptor(meta)).collect::<Vec<_>>(),
            }
        }),
    };
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [run],
        version: "2.1.0",
    };
    write_pretty_json(&log, out)
}
