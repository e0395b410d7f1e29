//! `--format json`: the stable contract documented in docs/json-output.md.

use serde::Serialize;

use portcullis_diagnostics::Severity;

use portcullis_diagnostics::ScanOutcome;

use crate::{LazySeq, Region, write_pretty_json, written};

#[derive(Serialize)]
#[serde(bound(serialize = "LazySeq<F>: Serialize, LazySeq<E>: Serialize"))]
struct Output<F, E> {
    version: u32,
    tool: Tool,
    summary: Summary,
    findings: LazySeq<F>,
    errors: LazySeq<E>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files_scanned: usize,
    findings: usize,
    errors: usize,
    by_severity: BySeverity,
}

#[derive(Serialize)]
struct BySeverity {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
}

#[derive(Serialize)]
struct Location {
    file: String,
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

impl From<Region> for Location {
    fn from(region: Region) -> Self {
        Self {
            file: region.path,
            start_line: region.start_line,
            start_column: region.start_column,
            end_line: region.end_line,
            end_column: region.end_column,
        }
    }
}

#[derive(Serialize)]
struct Finding<'a> {
    rule_id: &'static str,
    rule: &'static str,
    severity: &'static str,
    certainty: &'static str,
    message: &'a str,
    #[serde(flatten)]
    location: Location,
    resource: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    exposure: Option<Exposure<'a>>,
    related: Vec<Related<'a>>,
    suggestions: Vec<Suggestion<'a>>,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    roots: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    shown_at: Option<Location>,
}

#[derive(Serialize)]
struct Exposure<'a> {
    direction: &'static str,
    protocol: String,
    from_port: Option<u16>,
    to_port: Option<u16>,
    peer: &'a str,
    services: &'a [String],
    groups: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
}

#[derive(Serialize)]
struct Related<'a> {
    #[serde(flatten)]
    location: Location,
    message: &'a str,
}

#[derive(Serialize)]
struct Suggestion<'a> {
    message: &'a str,
    applicability: &'static str,
    edits: Vec<Edit<'a>>,
}

#[derive(Serialize)]
struct Edit<'a> {
    #[serde(flatten)]
    location: Location,
    replacement: &'a str,
}

#[derive(Serialize)]
struct Error<'a> {
    file: String,
    line: u32,
    column: u32,
    message: &'a str,
}

/// The JSON document, pretty-printed, with a trailing newline.
pub fn render(outcome: &ScanOutcome<'_>) -> String {
    written(|out| write(outcome, out))
}

/// [`render`], written as it is made.
pub fn write(outcome: &ScanOutcome<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let sources = outcome.sources;
    let findings = outcome.findings.iter().map(|finding| Finding {
        rule_id: finding.rule.code,
        rule: finding.rule.name,
        severity: finding.severity.as_str(),
        certainty: finding.certainty.as_str(),
        message: &finding.message,
        location: Region::of(sources, finding.span).into(),
        resource: &finding.resource,
        exposure: finding.exposure.as_ref().map(|exposure| Exposure {
            direction: exposure.direction.as_str(),
            protocol: exposure.protocol.name(),
            from_port: exposure.ports.map(|ports| ports.from),
            to_port: exposure.ports.map(|ports| ports.to),
            peer: &exposure.peer,
            services: &exposure.services,
            groups: &exposure.groups,
            target: exposure.target.as_deref(),
        }),
        related: finding
            .related
            .iter()
            .map(|related| Related {
                location: Region::of(sources, related.span).into(),
                message: &related.message,
            })
            .collect(),
        suggestions: finding
            .suggestions
            .iter()
            .map(|suggestion| Suggestion {
                message: &suggestion.message,
                applicability: suggestion.applicability.as_str(),
                edits: suggestion
                    .edits
                    .iter()
                    .map(|edit| Edit {
                        location: Region::of(sources, edit.span).into(),
                        replacement: &edit.replacement,
                    })
                    .collect(),
            })
            .collect(),
        fingerprint: &finding.fingerprint,
        roots: &finding.roots,
        shown_at: finding
            .shown_at
            .map(|span| Region::of(sources, span).into()),
    });
    let errors = outcome.problems.iter().map(|problem| {
        let region = Region::of(sources, problem.span);
        Error {
            file: region.path,
            line: region.start_line,
            column: region.start_column,
            message: &problem.message,
        }
    });
    let output = Output {
        version: 1,
        tool: Tool {
            name: "portcullis",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary {
            files_scanned: outcome.files_scanned,
            findings: outcome.findings.len(),
            errors: outcome.problems.len(),
            by_severity: BySeverity {
                critical: outcome.count(Severity::Critical),
                high: outcome.count(Severity::High),
                medium: outcome.count(Severity::Medium),
                low: outcome.count(Severity::Low),
                info: outcome.count(Severity::Info),
            },
        },
        findings: LazySeq::new(findings),
        errors: LazySeq::new(errors),
    };
    write_pretty_json(&output, out)
}
