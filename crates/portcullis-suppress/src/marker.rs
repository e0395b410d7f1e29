//! What a suppression says: the markers written in a comment (`portcullis:ignore[...]`,
//! `tfsec:ignore:`, `trivy:ignore:`, `checkov:skip=`, `kics-scan ignore-...`) or declared in a
//! template's metadata, and what is wrong with them.

use std::fmt;

use portcullis_checks::{EXPIRED_SUPPRESSION, INVALID_SUPPRESSION, RULES, find_rule};
use portcullis_diagnostics::{RuleMeta, Scanner};
use portcullis_ir::{DeclaredSuppression, SuppressedBy};

use crate::date::Date;

/// Why a suppression is ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// `until=` has passed.
    Expired(Date),
    /// `until=` is not a date.
    NotADate(String),
    /// A portcullis comment without `reason=`.
    NoReason,
    /// A portcullis comment whose reason is still the editor's placeholder.
    PlaceholderReason,
    /// A metadata entry without `reason`.
    NoMetadataReason,
    /// A rule list names something that is not a rule.
    UnknownRule(String),
}

impl Problem {
    /// The rule that reports it.
    pub fn rule(&self) -> &'static RuleMeta {
        match self {
            Self::Expired(_) => &EXPIRED_SUPPRESSION,
            _ => &INVALID_SUPPRESSION,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Expired(date) => write!(f, "expired on {date}"),
            Self::NotADate(text) => write!(f, "`{text}` is not a date (YYYY-MM-DD)"),
            Self::NoReason => f.write_str("a reason is required: add reason=\"...\""),
            Self::PlaceholderReason => {
                f.write_str("the reason is still the placeholder: write why this is acceptable")
            }
            Self::NoMetadataReason => f.write_str("a reason is required: add a `reason`"),
            Self::UnknownRule(name) => write!(f, "no rule is called `{name}`"),
        }
    }
}

/// A marker as read, before the code it covers is known.
pub struct Parsed {
    pub tool: SuppressedBy,
    /// The rules it silences; empty means every rule.
    pub rules: Vec<&'static RuleMeta>,
    pub reason: String,
    pub until: Option<Result<Date, String>>,
    pub problem: Option<Problem>,
    /// `kics-scan ignore-line`: the annotated line only, never a block.
    pub line_only: bool,
}

/// The reason the editor's suppress quick fix writes, for the user to replace: a suppression that
/// keeps it is invalid.
pub const PLACEHOLDER_REASON: &str = "explain why this exposure is acceptable";

/// Words one of which every marker's comment holds, in lower case.
pub const MARKER_WORDS: [&str; 5] = [
    "portcullis:ignore",
    "tfsec:ignore:",
    "trivy:ignore:",
    "checkov:skip=",
    "kics-scan ignore-",
];

/// The rules that declare another scanner's id as their equivalent, in registry order. Trivy's
/// and Checkov's ids are told apart by their shape, so a comment of either tool may name both.
fn equivalent(id: &str, scanners: &[Scanner]) -> Vec<&'static RuleMeta> {
    let id = id.trim();
    if id == "*" {
        return Vec::new();
    }
    RULES
        .iter()
        .map(|rule| rule.meta)
        .filter(|meta| {
            meta.equivalents
                .iter()
                .flat_map(|group| group.iter())
                .any(|equivalent| {
                    scanners.contains(&equivalent.scanner) && equivalent.id.eq_ignore_ascii_case(id)
                })
        })
        .collect()
}

const COMMENT_SCANNERS: &[Scanner] = &[Scanner::Trivy, Scanner::Checkov];

/// The value of `key="..."` or `key=word` in a comment.
fn attribute(text: &str, key: &str) -> Option<String> {
    let start = text.find(&format!("{key}="))? + key.len() + 1;
    let rest = &text[start..];
    if let Some(quoted) = rest.strip_prefix('"') {
        return quoted.find('"').map(|end| quoted[..end].to_owned());
    }
    Some(rest.split_whitespace().next().unwrap_or("").to_owned())
}

/// Parses the markers of one comment.
pub fn markers_in(comment: &str) -> Vec<Parsed> {
    let mut found = Vec::new();
    let lower = comment.to_ascii_lowercase();
    if let Some(start) = lower.find("portcullis:ignore") {
        found.push(portcullis_marker(
            &comment[start + "portcullis:ignore".len()..],
        ));
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
            let rules = equivalent(&id, COMMENT_SCANNERS);
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
        let rules = equivalent(id, COMMENT_SCANNERS);
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
        found.push(kics("kics-scan ignore-line", true));
    } else if lower.contains("kics-scan ignore-block") {
        found.push(kics("kics-scan ignore-block", false));
    }
    found
}

/// `portcullis:ignore[CODE, ...] reason="..." until=YYYY-MM-DD`, from after the marker word.
fn portcullis_marker(rest: &str) -> Parsed {
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
                Some(meta) => rules.push(meta),
                None => problem = Some(Problem::UnknownRule(item.to_owned())),
            }
        }
    }
    let reason = attribute(rest, "reason").unwrap_or_default();
    if reason.trim().is_empty() && problem.is_none() {
        problem = Some(Problem::NoReason);
    }
    if reason.trim() == PLACEHOLDER_REASON && problem.is_none() {
        problem = Some(Problem::PlaceholderReason);
    }
    let until = attribute(rest, "until").map(|text| Date::parse(&text).ok_or(text));
    Parsed {
        tool: SuppressedBy::Inline,
        rules,
        reason,
        until,
        problem,
        line_only: false,
    }
}

fn kics(reason: &str, line_only: bool) -> Parsed {
    Parsed {
        tool: SuppressedBy::Kics,
        rules: Vec::new(),
        reason: reason.to_owned(),
        until: None,
        problem: None,
        line_only,
    }
}

/// Records in `problem` an `until` that is not a date or has passed.
pub fn check_expiry(
    until: Option<Result<Date, String>>,
    today: Date,
    problem: &mut Option<Problem>,
) {
    match until {
        Some(Err(text)) => {
            problem.get_or_insert(Problem::NotADate(text));
        }
        Some(Ok(date)) if date < today => {
            problem.get_or_insert(Problem::Expired(date));
        }
        Some(Ok(_)) | None => {}
    }
}

/// A suppression from a resource's metadata, as a marker; `None` for another tool's id that
/// has no portcullis equivalent (it suppresses nothing here).
pub fn declared(declared: &DeclaredSuppression, today: Date) -> Option<Parsed> {
    let mut problem = None;
    let rules: Vec<&'static RuleMeta> = match declared.tool {
        SuppressedBy::Metadata => {
            if declared.reason.trim().is_empty() {
                problem = Some(Problem::NoMetadataReason);
            }
            if declared.rule.is_empty() {
                Vec::new()
            } else {
                match find_rule(&declared.rule) {
                    Some(meta) => vec![meta],
                    None => {
                        problem = Some(Problem::UnknownRule(declared.rule.clone()));
                        Vec::new()
                    }
                }
            }
        }
        SuppressedBy::CfnNag => equivalent(&declared.rule, &[Scanner::CfnNag]),
        _ => equivalent(&declared.rule, COMMENT_SCANNERS),
    };
    if rules.is_empty() && declared.tool != SuppressedBy::Metadata {
        return None;
    }
    let until = declared
        .until
        .as_deref()
        .map(|text| Date::parse(text).ok_or_else(|| text.to_owned()));
    check_expiry(until, today, &mut problem);
    Some(Parsed {
        tool: declared.tool,
        rules,
        reason: declared.reason.clone(),
        until: None,
        problem,
        line_only: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(rules: &[&'static RuleMeta]) -> Vec<&'static str> {
        rules.iter().map(|rule| rule.code).collect()
    }

    #[test]
    fn other_scanners_ids_map_to_the_rules_that_declare_them() {
        assert_eq!(
            codes(&equivalent("CKV_AWS_24", COMMENT_SCANNERS)),
            ["SG002", "RES001"]
        );
        assert_eq!(
            codes(&equivalent("AVD-AWS-0107", COMMENT_SCANNERS)),
            [
                "SG001", "SG002", "SG003", "SG004", "SG005", "SG006", "SG007", "SG008", "SG009",
                "SG010", "SG011", "RES001"
            ]
        );
        assert_eq!(
            codes(&equivalent("w42", &[Scanner::CfnNag])),
            ["SG001", "RES001"]
        );
        // cfn_nag's ids are not read from comments, nor Trivy's from cfn_nag metadata.
        assert!(equivalent("W42", COMMENT_SCANNERS).is_empty());
        assert!(equivalent("aws-0107", &[Scanner::CfnNag]).is_empty());
    }

    #[test]
    fn a_marker_names_its_problem() {
        let parsed = markers_in("# portcullis:ignore[SG002, nope]");
        assert_eq!(
            parsed[0].problem,
            Some(Problem::UnknownRule("nope".to_owned()))
        );
        let parsed = markers_in("# portcullis:ignore[SG002]");
        assert_eq!(parsed[0].problem, Some(Problem::NoReason));
        let parsed = markers_in(&format!(
            "# portcullis:ignore[SG002] reason=\"{PLACEHOLDER_REASON}\""
        ));
        assert_eq!(parsed[0].problem, Some(Problem::PlaceholderReason));
        assert_eq!(codes(&parsed[0].rules), ["SG002"]);
    }
}
