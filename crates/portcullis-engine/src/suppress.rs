//! Inline suppressions: `# portcullis:ignore[CODE] reason="..." until=YYYY-MM-DD` on the line above
//! a rule or resource, and the comments of other tools (tfsec, Trivy, Checkov, KICS) for the
//! equivalent rules, so that a migration keeps its reviewed exceptions.
//!
//! A comment on its own line applies to the next line of code and, when that line opens a block
//! (`{` in HCL, deeper indentation in YAML), to the whole block; a comment after code applies to
//! that line. Expired suppressions stop suppressing and are reported; unused portcullis
//! suppressions are reported.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use portcullis_checks::find_rule;
use portcullis_diagnostics::{Certainty, Diagnostic, SuppressedFinding, Suppression, fingerprint};
use portcullis_ir::{DeclaredSuppression, FileId, SourceFile, SourceMap, Span, SuppressedBy};

use crate::date::Date;

/// Every rule that reports public ingress through a security group.
const PUBLIC_INGRESS: &[&str] = &[
    "SG001", "SG002", "SG003", "SG004", "SG005", "SG006", "SG007", "SG008", "SG009", "SG010",
    "SG011", "RES001",
];

/// Other tools' rule ids and the portcullis rules they correspond to (docs/suppressions.md).
const EQUIVALENTS: &[(&str, &[&str])] = &[
    ("aws-ec2-no-public-ingress-sgr", PUBLIC_INGRESS),
    ("aws-vpc-no-public-ingress-sgr", PUBLIC_INGRESS),
    ("aws-0107", PUBLIC_INGRESS),
    ("avd-aws-0107", PUBLIC_INGRESS),
    ("aws-ec2-no-public-egress-sgr", &["SG013"]),
    ("aws-vpc-no-public-egress-sgr", &["SG013"]),
    ("aws-0104", &["SG013"]),
    ("avd-aws-0104", &["SG013"]),
    ("aws-ec2-no-public-ingress-acl", &["NACL001"]),
    ("aws-0105", &["NACL001"]),
    ("avd-aws-0105", &["NACL001"]),
    ("aws-ec2-no-excessive-port-access", &["NACL001"]),
    ("aws-0102", &["NACL001"]),
    ("avd-aws-0102", &["NACL001"]),
    ("aws-ec2-restrict-all-in-default-sg", &["SG014"]),
    ("aws-0173", &["SG014"]),
    ("avd-aws-0173", &["SG014"]),
    ("aws-ec2-add-description-to-security-group-rule", &["SG015"]),
    ("aws-0124", &["SG015"]),
    ("avd-aws-0124", &["SG015"]),
    ("ckv_aws_24", &["SG002", "RES001"]),
    ("ckv_aws_25", &["SG002", "RES001"]),
    ("ckv_aws_260", &["SG008"]),
    ("ckv_aws_277", &["SG001", "RES001"]),
    ("ckv_aws_382", &["SG013"]),
    ("ckv_aws_23", &["SG015"]),
    ("ckv_aws_229", &["NACL001"]),
    ("ckv_aws_230", &["NACL001"]),
    ("ckv_aws_231", &["NACL001"]),
    ("ckv_aws_232", &["NACL001"]),
    ("ckv_aws_352", &["NACL001"]),
    ("ckv2_aws_12", &["SG014"]),
];

/// One suppression comment and the lines it covers.
#[derive(Debug)]
struct Marker {
    /// `inline`, `tfsec`, `trivy`, `checkov` or `kics`.
    tool: SuppressedBy,
    /// Rule codes it silences; empty means every rule.
    rules: Vec<&'static str>,
    reason: String,
    span: Span,
    /// 1-based inclusive line range.
    lines: (u32, u32),
    used: bool,
    problem: Option<String>,
}

fn equivalent(id: &str) -> Vec<&'static str> {
    let lower = id.trim().to_ascii_lowercase();
    if lower == "*" {
        return Vec::new();
    }
    EQUIVALENTS
        .iter()
        .filter(|(other, _)| *other == lower)
        .flat_map(|(_, codes)| codes.iter().copied())
        .collect()
}

/// The value of `key="..."` or `key=word` in a comment.
fn attribute(text: &str, key: &str) -> Option<String> {
    let start = text.find(&format!("{key}="))? + key.len() + 1;
    let rest = &text[start..];
    if let Some(quoted) = rest.strip_prefix('"') {
        return quoted.find('"').map(|end| quoted[..end].to_owned());
    }
    Some(rest.split_whitespace().next().unwrap_or("").to_owned())
}

/// The comment part of a line (`#` or `//`), and whether code precedes it.
fn comment_of(line: &str) -> Option<(usize, &str, bool)> {
    let hash = line.find('#');
    let slashes = line.find("//");
    let at = match (hash, slashes) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return None,
    };
    let before = line[..at].trim();
    Some((at, &line[at..], !before.is_empty()))
}

/// A marker as parsed from a comment, before its lines are known.
struct Parsed {
    tool: SuppressedBy,
    rules: Vec<&'static str>,
    reason: String,
    until: Option<Result<Date, String>>,
    problem: Option<String>,
    /// `kics-scan ignore-line`: the next line only, never a block.
    line_only: bool,
}

/// Parses the markers of one comment.
fn markers_in(comment: &str) -> Vec<Parsed> {
    let mut found = Vec::new();
    let lower = comment.to_ascii_lowercase();
    if let Some(start) = lower.find("portcullis:ignore") {
        let rest = &comment[start + "portcullis:ignore".len()..];
        let mut rules = Vec::new();
        let mut problem = None;
        if let Some(list) = rest
            .strip_prefix('[')
            .and_then(|inner| inner.split_once(']'))
            .map(|(list, _)| list)
        {
            for item in list
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
            {
                match find_rule(item) {
                    Some(meta) => rules.push(meta.code),
                    None => problem = Some(format!("no rule is called `{item}`")),
                }
            }
        }
        let reason = attribute(rest, "reason").unwrap_or_default();
        if reason.trim().is_empty() && problem.is_none() {
            problem = Some("a reason is required: add reason=\"...\"".to_owned());
        }
        let until = attribute(rest, "until").map(|text| Date::parse(&text).ok_or(text));
        found.push(Parsed {
            tool: SuppressedBy::Inline,
            rules,
            reason,
            until,
            problem,
            line_only: false,
        });
    }
    for (tool, marker) in [
        (SuppressedBy::Tfsec, "tfsec:ignore:"),
        (SuppressedBy::Trivy, "trivy:ignore:"),
    ] {
        let mut search = 0;
        while let Some(offset) = lower[search..].find(marker) {
            let start = search + offset + marker.len();
            let word: String = comment[start..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            search = start;
            // `id:exp:2025-01-01` and `id[attribute=value]`.
            let (id, expiry) = match word.split_once(":exp:") {
                Some((id, date)) => (
                    id.to_owned(),
                    Some(Date::parse(date).ok_or_else(|| date.to_owned())),
                ),
                None => (word.clone(), None),
            };
            let id = id.split('[').next().unwrap_or("").to_owned();
            let rules = equivalent(&id);
            if rules.is_empty() && id != "*" {
                continue;
            }
            found.push(Parsed {
                tool,
                rules,
                reason: format!("{}:ignore:{id}", tool.as_str()),
                until: expiry,
                problem: None,
                line_only: false,
            });
        }
    }
    if let Some(start) = lower.find("checkov:skip=") {
        let rest = &comment[start + "checkov:skip=".len()..];
        let (id, reason) = rest.split_once(':').unwrap_or((rest, ""));
        let rules = equivalent(id.trim());
        if !rules.is_empty() {
            found.push(Parsed {
                tool: SuppressedBy::Checkov,
                rules,
                reason: reason.trim().to_owned(),
                until: None,
                problem: None,
                line_only: false,
            });
        }
    }
    if lower.contains("kics-scan ignore-line") {
        found.push(Parsed {
            tool: SuppressedBy::Kics,
            rules: Vec::new(),
            reason: "kics-scan ignore-line".to_owned(),
            until: None,
            problem: None,
            line_only: true,
        });
    } else if lower.contains("kics-scan ignore-block") {
        found.push(Parsed {
            tool: SuppressedBy::Kics,
            rules: Vec::new(),
            reason: "kics-scan ignore-block".to_owned(),
            until: None,
            problem: None,
            line_only: false,
        });
    }
    found
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The last line of the block that starts at `lines[start]`: bracket matching for HCL and JSON,
/// deeper indentation for YAML (a list item's children are indented past its dash).
fn block_end(lines: &[&str], start: usize) -> usize {
    let first = lines[start];
    let opens = first.matches(['{', '[']).count();
    let closes = first.matches(['}', ']']).count();
    if opens > closes {
        let mut depth = opens - closes;
        for (index, line) in lines.iter().enumerate().skip(start + 1) {
            depth += line.matches(['{', '[']).count();
            depth = depth.saturating_sub(line.matches(['}', ']']).count());
            if depth == 0 {
                return index;
            }
        }
        return lines.len() - 1;
    }
    let indent = indentation(first);
    let mut end = start;
    for (index, line) in lines.iter().enumerate().skip(start + 1) {
        if line.trim().is_empty() {
            continue;
        }
        if indentation(line) <= indent {
            break;
        }
        end = index;
    }
    end
}

/// Records in `problem` an `until` that is not a date or has passed.
fn check_expiry(until: Option<Result<Date, String>>, today: Date, problem: &mut Option<String>) {
    match until {
        Some(Err(text)) => {
            problem.get_or_insert(format!("`{text}` is not a date (YYYY-MM-DD)"));
        }
        Some(Ok(date)) if date < today => {
            problem.get_or_insert(format!("expired on {date}"));
        }
        Some(Ok(_)) | None => {}
    }
}

/// cfn_nag's rule ids and the portcullis rules they correspond to.
const CFN_NAG: &[(&str, &[&str])] = &[
    ("W2", PUBLIC_INGRESS),
    ("W9", PUBLIC_INGRESS),
    ("W5", &["SG013"]),
    ("W40", &["SG013"]),
    ("W42", &["SG001", "RES001"]),
    ("W27", &["SG011"]),
];

/// A suppression from a resource's metadata, covering the resource.
fn declared_marker(
    sources: &SourceMap,
    declared: &DeclaredSuppression,
    today: Date,
) -> Option<Marker> {
    let mut problem = None;
    let rules: Vec<&'static str> = match declared.tool {
        SuppressedBy::Metadata => {
            if declared.reason.trim().is_empty() {
                problem = Some("a reason is required: add a `reason`".to_owned());
            }
            if declared.rule.is_empty() {
                Vec::new()
            } else {
                match find_rule(&declared.rule) {
                    Some(meta) => vec![meta.code],
                    None => {
                        problem = Some(format!("no rule is called `{}`", declared.rule));
                        Vec::new()
                    }
                }
            }
        }
        SuppressedBy::CfnNag => CFN_NAG
            .iter()
            .filter(|(id, _)| id.eq_ignore_ascii_case(declared.rule.trim()))
            .flat_map(|(_, codes)| codes.iter().copied())
            .collect(),
        _ => equivalent(&declared.rule),
    };
    // Another tool's id with no portcullis equivalent suppresses nothing here.
    if rules.is_empty() && declared.tool != SuppressedBy::Metadata {
        return None;
    }
    let until = declared
        .until
        .as_deref()
        .map(|text| Date::parse(text).ok_or_else(|| text.to_owned()));
    check_expiry(until, today, &mut problem);
    let line = |offset| sources.location(declared.scope.file, offset).line;
    Some(Marker {
        tool: declared.tool,
        rules,
        reason: declared.reason.clone(),
        span: declared.span,
        lines: (line(declared.scope.start), line(declared.scope.end)),
        used: false,
        problem,
    })
}

/// Words one of which every marker's comment holds, in lower case.
const MARKER_WORDS: [&str; 5] = [
    "portcullis:ignore",
    "tfsec:ignore:",
    "trivy:ignore:",
    "checkov:skip=",
    "kics-scan ignore-",
];

fn markers_of_file(source: &SourceFile, today: Date) -> Vec<Marker> {
    let text = source.text.as_str();
    // Most files hold no marker: a search of the whole text is cheaper than reading each comment.
    let lower = text.to_ascii_lowercase();
    if !MARKER_WORDS.iter().any(|word| lower.contains(word)) {
        return Vec::new();
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut offset = 0usize;
    let mut markers = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let line_start = offset;
        offset += line.len() + 1;
        let Some((at, comment, after_code)) = comment_of(line) else {
            continue;
        };
        for Parsed {
            tool,
            rules,
            reason,
            until,
            mut problem,
            line_only,
        } in markers_in(comment)
        {
            let target = if after_code {
                Some(index)
            } else {
                (index + 1..lines.len()).find(|next| {
                    let trimmed = lines[*next].trim();
                    !trimmed.is_empty() && !trimmed.starts_with('#') && !trimmed.starts_with("//")
                })
            };
            let Some(target) = target else { continue };
            let end = if line_only {
                target
            } else {
                block_end(&lines, target)
            };
            check_expiry(until, today, &mut problem);
            markers.push(Marker {
                tool,
                rules,
                reason,
                span: source.span(line_start + at, line_start + line.trim_end().len()),
                lines: (
                    u32::try_from(target + 1).unwrap_or(u32::MAX),
                    u32::try_from(end + 1).unwrap_or(u32::MAX),
                ),
                used: false,
                problem,
            });
        }
    }
    markers
}

/// Lines of a finding that a marker may cover: its primary location and the headers of the
/// statement and resource it names.
fn finding_lines(sources: &SourceMap, finding: &Diagnostic) -> Vec<u32> {
    std::iter::once(finding.span)
        .chain(
            finding
                .related
                .iter()
                .map(|related| related.span)
                .filter(|span| span.file == finding.span.file),
        )
        .map(|span| sources.location(span.file, span.start).line)
        .collect()
}

/// Splits findings into kept and suppressed, and reports problems with the suppressions
/// themselves (expired, without reason, unused) as findings of the SUP rules.
pub fn apply(
    sources: &SourceMap,
    findings: Vec<Diagnostic>,
    declared: &[DeclaredSuppression],
    today: Date,
) -> (Vec<Diagnostic>, Vec<SuppressedFinding>) {
    // The comments of files with findings are read, and those of files with portcullis markers
    // or declared suppressions even without findings, to report unused ones; all in parallel.
    let mut wanted: BTreeSet<FileId> = findings.iter().map(|finding| finding.span.file).collect();
    wanted.extend(declared.iter().map(|declaration| declaration.scope.file));
    let mut markers: BTreeMap<FileId, Vec<Marker>> = sources
        .files()
        .par_iter()
        .filter(|file| wanted.contains(&file.id) || file.text.contains("portcullis:ignore"))
        .map(|file| (file.id, markers_of_file(file, today)))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    for declaration in declared {
        if let Some(marker) = declared_marker(sources, declaration, today) {
            markers
                .entry(declaration.scope.file)
                .or_default()
                .push(marker);
        }
    }
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for finding in findings {
        let Some(file_markers) = markers
            .get_mut(&finding.span.file)
            .filter(|file_markers| !file_markers.is_empty())
        else {
            kept.push(finding);
            continue;
        };
        let lines = finding_lines(sources, &finding);
        let matching = file_markers.iter_mut().find(|marker| {
            marker.problem.is_none()
                && (marker.rules.is_empty() || marker.rules.contains(&finding.rule.code))
                && lines
                    .iter()
                    .any(|line| (marker.lines.0..=marker.lines.1).contains(line))
        });
        match matching {
            Some(marker) => {
                marker.used = true;
                suppressed.push(SuppressedFinding {
                    diagnostic: finding,
                    suppression: Suppression {
                        kind: marker.tool,
                        reason: marker.reason.clone(),
                        span: Some(marker.span),
                    },
                });
            }
            None => kept.push(finding),
        }
    }
    for marker in markers.into_values().flatten() {
        if let Some(problem) = &marker.problem {
            let rule = if problem.starts_with("expired") {
                "SUP001"
            } else {
                "SUP003"
            };
            kept.extend(meta_finding(
                rule,
                &marker,
                &format!("this suppression is ignored: {problem}"),
            ));
        } else if !marker.used && marker.tool.is_portcullis() {
            kept.extend(meta_finding(
                "SUP002",
                &marker,
                "this suppression matches no finding",
            ));
        }
    }
    (kept, suppressed)
}

fn meta_finding(code: &str, marker: &Marker, message: &str) -> Option<Diagnostic> {
    let rule = find_rule(code)?;
    Some(Diagnostic {
        rule,
        severity: rule.default_severity,
        certainty: Certainty::Definite,
        message: message.to_owned(),
        span: marker.span,
        resource: String::new(),
        exposure: None,
        related: Vec::new(),
        suggestions: Vec::new(),
        fingerprint: fingerprint(&[code, &marker.reason, &marker.rules.join(",")]),
        roots: Vec::new(),
    })
}
