//! What a check reports. Diagnostics hold byte spans; renderers turn them into lines and columns.

mod outcome;

use std::fmt;

pub use outcome::{ScanOutcome, finding_order, sort_problems};

use portcullis_ir::{Direction, Span, SuppressedBy};
use portcullis_net::{PortRange, Protocol};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Self; 5] = [
        Self::Critical,
        Self::High,
        Self::Medium,
        Self::Low,
        Self::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|severity| severity.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the finding holds in every evaluation of the configuration, or only under
/// assumptions (an unknown `count`, a condition, a value that could not be resolved).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Certainty {
    Definite,
    Possible,
}

impl Certainty {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Definite => "definite",
            Self::Possible => "possible",
        }
    }
}

/// How much a suggested edit can be trusted, after ruff's `Applicability`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Applicability {
    /// Shown, never applied: the edit is a sketch or there is no edit.
    DisplayOnly,
    /// Applied only with `--unsafe-fixes`: it changes who can connect.
    Unsafe,
    /// Keeps behaviour; may be applied automatically.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DisplayOnly => "display-only",
            Self::Unsafe => "unsafe",
            Self::Safe => "safe",
        }
    }
}

/// The metadata of a rule, including its documentation (the rule's doc comment).
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    pub default_severity: Severity,
    pub enabled_by_default: bool,
    /// Markdown with the headings What it does / Why is this bad? / Example / Use instead /
    /// Fix safety.
    pub doc: &'static str,
    /// Other scanners' rules that check the same thing, in groups: their ignore comments and
    /// metadata suppress this rule too, so that a migration keeps its reviewed exceptions.
    pub equivalents: &'static [&'static [Equivalent]],
}

/// A rule is identified by its code.
impl PartialEq for RuleMeta {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for RuleMeta {}

/// Another scanner's rule id, as its suppressions name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Equivalent {
    pub scanner: Scanner,
    pub id: &'static str,
}

/// The scanners whose rule ids portcullis maps to its own rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scanner {
    /// Trivy, whose ids include tfsec's long names (`aws-ec2-no-public-ingress-sgr`) and the AVD
    /// ids (`AVD-AWS-0107`, also written `aws-0107`).
    Trivy,
    Checkov,
    CfnNag,
}

impl Equivalent {
    pub const fn trivy(id: &'static str) -> Self {
        Self {
            scanner: Scanner::Trivy,
            id,
        }
    }

    pub const fn checkov(id: &'static str) -> Self {
        Self {
            scanner: Scanner::Checkov,
            id,
        }
    }

    pub const fn cfn_nag(id: &'static str) -> Self {
        Self {
            scanner: Scanner::CfnNag,
            id,
        }
    }
}

/// Where the rules' documentation is published (`docs/rules/` of the portcullis repository).
pub const RULE_DOCS_URL: &str =
    "https://github.com/portcullis-sec/portcullis/blob/main/docs/rules/";

impl RuleMeta {
    /// The rule's published documentation page, for links from SARIF, editors and reports.
    pub fn help_uri(&self) -> String {
        format!("{RULE_DOCS_URL}{}.md", self.code)
    }

    /// The documentation as Markdown, without the space `///` comments leave at line starts.
    pub fn documentation(&self) -> String {
        let lines: Vec<&str> = self
            .doc
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect();
        lines.join("\n").trim().to_owned()
    }

    /// The first sentence of "What it does", for tables and SARIF short descriptions.
    pub fn summary(&self) -> String {
        section(self.doc, "What it does")
            .lines()
            .map(str::trim)
            .take_while(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The text under a `## heading` of a rule doc, up to the next heading.
pub fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let marker = format!("## {heading}");
    let Some(start) = doc.find(&marker) else {
        return "";
    };
    let body = &doc[start + marker.len()..];
    let end = body.find("\n## ").unwrap_or(body.len());
    body[..end].trim()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// The traffic a finding is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exposure {
    pub direction: Direction,
    pub protocol: Protocol,
    /// `None` for protocol `all`, whose ports are meaningless.
    pub ports: Option<PortRange>,
    pub peer: String,
    /// The exposure path, for graphs: every public source, the security groups it crosses,
    /// and the resource it reaches when known.
    pub sources: Vec<String>,
    pub groups: Vec<String>,
    pub target: Option<String>,
    /// Labels of the sensitive services exposed (`ssh (22/tcp)`); empty when none is catalogued.
    pub services: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub certainty: Certainty,
    /// Lowercase, no trailing period; says what is exposed to whom.
    pub message: String,
    pub span: Span,
    /// The resource address or logical id the finding is about.
    pub resource: String,
    pub exposure: Option<Exposure>,
    pub related: Vec<Related>,
    pub suggestions: Vec<Suggestion>,
    /// Stable across unrelated edits: built from the rule, resource, statement and value, never
    /// from lines.
    pub fingerprint: String,
    /// For a finding in module code: the Terraform root modules whose evaluation leads to it,
    /// sorted. Empty for findings in a root module's own files and in templates.
    pub roots: Vec<String>,
    /// For a finding in module code outside the scanned files (installed under `.terraform/`,
    /// downloaded, or followed with `--allow-outside-root`): the argument in the scanned files
    /// that leads to it. The
    /// formats bound to the repository's files (SARIF, GitHub annotations, JUnit, Markdown)
    /// place it there.
    pub shown_at: Option<Span>,
}

/// Why a finding is not counted: an inline `portcullis:ignore` comment, another tool's ignore
/// comment, a template's metadata, or the baseline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub kind: SuppressedBy,
    pub reason: String,
    /// The comment or metadata entry that suppresses, when there is one.
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct SuppressedFinding {
    pub diagnostic: Diagnostic,
    pub suppression: Suppression,
}

/// A 64-bit FNV-1a hash of the parts, as 16 hex digits. Stable across runs and platforms.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_depends_on_every_part_and_their_boundaries() {
        let base = fingerprint(&["SG002", "aws_security_group.web", "0.0.0.0/0"]);
        assert_eq!(base.len(), 16);
        assert_eq!(
            base,
            fingerprint(&["SG002", "aws_security_group.web", "0.0.0.0/0"])
        );
        assert_ne!(
            base,
            fingerprint(&["SG002", "aws_security_group.web", "::/0"])
        );
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }

    #[test]
    fn doc_sections() {
        let doc =
            "## What it does\nChecks a thing.\nOn two lines.\n\n## Why is this bad?\nBecause.\n";
        assert_eq!(section(doc, "Why is this bad?"), "Because.");
        let meta = RuleMeta {
            code: "X1",
            name: "x",
            category: "c",
            default_severity: Severity::Low,
            enabled_by_default: true,
            doc,
            equivalents: &[],
        };
        assert_eq!(meta.summary(), "Checks a thing. On two lines.");
    }

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!(Severity::parse("HIGH"), Some(Severity::High));
        assert_eq!(Severity::parse("urgent"), None);
    }
}
