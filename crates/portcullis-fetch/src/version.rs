//! Module versions and `version` constraints with the semantics of `hashicorp/go-version`, which
//! Terraform's module installer uses: numeric segments (at least three, padded with zeros), an
//! optional `-prerelease` and `+metadata` (ignored in comparisons), an optional leading `v`.
//!
//! Constraints are comma-separated `op version` terms, all of which must hold:
//! `=` (or no operator), `!=`, `>`, `>=`, `<`, `<=` and the pessimistic `~>`, which fixes every
//! segment written but the last: `~> 1.2` is `>= 1.2, < 2.0`, `~> 1.2.3` is `>= 1.2.3, < 1.3.0`,
//! and `~> 1` is `>= 1` (go-version's reading). A prerelease version (`1.0.0-beta`) is selected
//! only when a term names exactly that version, as Terraform does for modules.

use std::cmp::Ordering;
use std::fmt;

/// A module version, as the registry lists it.
#[derive(Clone, Debug)]
pub struct Version {
    segments: Vec<u64>,
    /// How many segments were written (`1.2` has two), for `~>`.
    written: usize,
    prerelease: String,
    original: String,
}

impl Version {
    /// Parses `1.2.3`, `v1.2`, `1.0.0-rc.1+build`. `None` for anything else.
    pub fn parse(text: &str) -> Option<Version> {
        let original = text.trim();
        let body = original.strip_prefix('v').unwrap_or(original);
        let body = body.split_once('+').map_or(body, |(core, _metadata)| core);
        let (core, prerelease) = match body.split_once('-') {
            Some((core, pre)) => (core, pre),
            None => (body, ""),
        };
        if core.is_empty()
            || (!prerelease.is_empty()
                && !prerelease.split('.').all(|part| {
                    !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                }))
            || body.ends_with('-')
        {
            return None;
        }
        let mut segments = Vec::new();
        for part in core.split('.') {
            if part.is_empty() || !part.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            segments.push(part.parse::<u64>().ok()?);
        }
        let written = segments.len();
        while segments.len() < 3 {
            segments.push(0);
        }
        Some(Version {
            segments,
            written,
            prerelease: prerelease.to_owned(),
            original: original.to_owned(),
        })
    }

    /// Whether the version carries a `-prerelease` part.
    pub fn is_prerelease(&self) -> bool {
        !self.prerelease.is_empty()
    }

    /// The version as it was written (the registry's spelling, used in download URLs).
    pub fn as_str(&self) -> &str {
        &self.original
    }

    fn segment(&self, index: usize) -> u64 {
        self.segments.get(index).copied().unwrap_or(0)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.original)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Version {}
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let length = self.segments.len().max(other.segments.len());
        for index in 0..length {
            match self.segment(index).cmp(&other.segment(index)) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        compare_prerelease(&self.prerelease, &other.prerelease)
    }
}

/// No prerelease sorts after any prerelease; identifiers compare numerically when both are
/// numbers, numbers before words, otherwise as text; a shorter list of equal prefix first.
fn compare_prerelease(left: &str, right: &str) -> Ordering {
    match (left.is_empty(), right.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    let mut left_parts = left.split('.');
    let mut right_parts = right.split('.');
    loop {
        match (left_parts.next(), right_parts.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(a), Some(b)) => {
                let order = match (a.parse::<u64>(), b.parse::<u64>()) {
                    (Ok(a), Ok(b)) => a.cmp(&b),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => a.cmp(b),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    Equal,
    NotEqual,
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    Pessimistic,
}

#[derive(Clone, Debug)]
struct Term {
    operator: Operator,
    version: Version,
}

impl Term {
    fn allows(&self, version: &Version) -> bool {
        let bound = &self.version;
        match self.operator {
            Operator::Equal => version == bound,
            Operator::NotEqual => version != bound,
            Operator::Greater => version > bound,
            Operator::GreaterEqual => version >= bound,
            Operator::Less => version < bound,
            Operator::LessEqual => version <= bound,
            Operator::Pessimistic => {
                if version.is_prerelease() != bound.is_prerelease() || version < bound {
                    return false;
                }
                let fixed = bound.written.saturating_sub(1);
                (0..fixed).all(|index| version.segment(index) == bound.segment(index))
            }
        }
    }
}

/// A parsed `version` argument: every term must hold.
#[derive(Clone, Debug)]
pub struct Constraint {
    terms: Vec<Term>,
    original: String,
}

impl Constraint {
    /// Parses `~> 5.0`, `>= 1.2, < 2.0.0`, `= 1.0.0-beta`. The error text says what is wrong.
    pub fn parse(text: &str) -> Result<Constraint, String> {
        let mut terms = Vec::new();
        for raw in text.split(',') {
            let term = raw.trim();
            if term.is_empty() {
                return Err(format!("empty term in version constraint {text:?}"));
            }
            let (operator, rest) = [
                ("~>", Operator::Pessimistic),
                (">=", Operator::GreaterEqual),
                ("<=", Operator::LessEqual),
                ("!=", Operator::NotEqual),
                ("=", Operator::Equal),
                (">", Operator::Greater),
                ("<", Operator::Less),
            ]
            .into_iter()
            .find_map(|(spelling, operator)| {
                term.strip_prefix(spelling).map(|rest| (operator, rest))
            })
            .unwrap_or((Operator::Equal, term));
            let version = Version::parse(rest.trim())
                .ok_or_else(|| format!("{term:?} is not a valid version constraint"))?;
            terms.push(Term { operator, version });
        }
        Ok(Constraint {
            terms,
            original: text.trim().to_owned(),
        })
    }

    /// Whether `version` satisfies every term (a prerelease only when a term names it exactly).
    pub fn allows(&self, version: &Version) -> bool {
        if version.is_prerelease() && !self.names_exactly(version) {
            return false;
        }
        self.terms.iter().all(|term| term.allows(version))
    }

    /// The one version an `= X` term pins, if there is one: it can be answered from the cache
    /// without asking the registry.
    pub fn exact(&self) -> Option<&Version> {
        self.terms
            .iter()
            .find(|term| term.operator == Operator::Equal)
            .map(|term| &term.version)
    }

    fn names_exactly(&self, version: &Version) -> bool {
        self.terms.iter().any(|term| {
            term.operator == Operator::Equal
                && term.version == *version
                && term.version.prerelease == version.prerelease
        })
    }

    /// The newest of `versions` that the constraint allows.
    pub fn newest<'a>(
        &self,
        versions: impl IntoIterator<Item = &'a Version>,
    ) -> Option<&'a Version> {
        versions
            .into_iter()
            .filter(|version| self.allows(version))
            .max()
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.original)
    }
}

/// The newest version that `constraint` allows (no constraint: the newest that is not a
/// prerelease).
pub fn newest_match<'a>(
    versions: &'a [Version],
    constraint: Option<&Constraint>,
) -> Option<&'a Version> {
    match constraint {
        Some(constraint) => constraint.newest(versions),
        None => versions
            .iter()
            .filter(|version| !version.is_prerelease())
            .max(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(constraint: &str, version: &str) -> bool {
        Constraint::parse(constraint)
            .unwrap_or_else(|error| panic!("{error}"))
            .allows(&Version::parse(version).unwrap_or_else(|| panic!("bad version {version}")))
    }

    #[test]
    fn versions_parse_and_order_like_go_version() {
        assert!(Version::parse("1.2.3").is_some());
        assert!(Version::parse("v1.2").is_some());
        assert!(Version::parse("1.0.0-rc.1+build.5").is_some());
        for bad in ["", "x", "1..2", "1.2.a", "1.0.0-", "~1"] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
        let order = [
            "0.9.0",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta",
            "1.0.0",
            "1.0.1",
            "1.10.0",
            "2",
        ];
        let parsed: Vec<Version> = order
            .iter()
            .filter_map(|text| Version::parse(text))
            .collect();
        assert!(
            parsed.windows(2).all(|pair| pair[0] < pair[1]),
            "{parsed:?}"
        );
        assert_eq!(Version::parse("1.2"), Version::parse("1.2.0"));
        assert_eq!(Version::parse("v1.2.0+meta"), Version::parse("1.2.0"));
    }

    #[test]
    fn equal_and_bare() {
        assert!(allows("= 1.2.3", "1.2.3"));
        assert!(allows("1.2.3", "1.2.3"));
        assert!(allows("=1.2", "1.2.0"));
        assert!(!allows("= 1.2.3", "1.2.4"));
    }

    #[test]
    fn not_equal() {
        assert!(allows("!= 1.2.3", "1.2.4"));
        assert!(!allows("!= 1.2.3", "1.2.3"));
    }

    #[test]
    fn greater_and_greater_equal() {
        assert!(allows("> 1.2.3", "1.2.4"));
        assert!(!allows("> 1.2.3", "1.2.3"));
        assert!(allows(">= 1.2.3", "1.2.3"));
        assert!(!allows(">= 1.2.3", "1.2.2"));
    }

    #[test]
    fn less_and_less_equal() {
        assert!(allows("< 2.0.0", "1.99.99"));
        assert!(!allows("< 2.0.0", "2.0.0"));
        assert!(allows("<= 2.0.0", "2.0.0"));
        assert!(!allows("<= 2.0.0", "2.0.1"));
    }

    #[test]
    fn pessimistic_two_segments_fixes_the_major() {
        assert!(allows("~> 1.2", "1.2.0"));
        assert!(allows("~> 1.2", "1.9.7"));
        assert!(!allows("~> 1.2", "1.1.9"));
        assert!(!allows("~> 1.2", "2.0.0"));
        assert!(allows("~> 5.0", "5.3.0"));
        assert!(!allows("~> 5.0", "6.0.0"));
    }

    #[test]
    fn pessimistic_three_segments_fixes_the_minor() {
        assert!(allows("~> 1.2.3", "1.2.3"));
        assert!(allows("~> 1.2.3", "1.2.10"));
        assert!(!allows("~> 1.2.3", "1.3.0"));
        assert!(!allows("~> 1.2.3", "1.2.2"));
    }

    #[test]
    fn pessimistic_one_segment_is_a_lower_bound() {
        assert!(allows("~> 1", "1.0.0"));
        assert!(allows("~> 1", "3.0.0"));
        assert!(!allows("~> 1", "0.9.0"));
    }

    #[test]
    fn comma_separated_terms_all_hold() {
        assert!(allows(">= 1.0, < 2.0, != 1.5.0", "1.4.0"));
        assert!(!allows(">= 1.0, < 2.0, != 1.5.0", "1.5.0"));
        assert!(!allows(">= 1.0, < 2.0", "2.0.0"));
    }

    #[test]
    fn prereleases_only_on_exact_match() {
        assert!(!allows(">= 1.0.0", "2.0.0-beta"));
        assert!(!allows("~> 2.0", "2.0.0-beta"));
        assert!(allows("= 2.0.0-beta", "2.0.0-beta"));
        assert!(allows("2.0.0-beta", "2.0.0-beta"));
        assert!(!allows("= 2.0.0-beta", "2.0.0-rc"));
    }

    #[test]
    fn bad_constraints_are_errors() {
        for bad in ["", "~>", ">= 1.0,", "about 1", "=> 1.0"] {
            assert!(Constraint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn newest_match_picks_the_highest_allowed() {
        let versions: Vec<Version> = ["4.17.0", "5.0.0", "5.1.2", "5.3.0", "6.0.0-rc1", "6.1.0"]
            .iter()
            .filter_map(|text| Version::parse(text))
            .collect();
        let pick = |constraint: &str| {
            let constraint = Constraint::parse(constraint).ok();
            newest_match(&versions, constraint.as_ref()).map(ToString::to_string)
        };
        assert_eq!(pick("~> 5.0").as_deref(), Some("5.3.0"));
        assert_eq!(pick("< 5.0").as_deref(), Some("4.17.0"));
        assert_eq!(pick("= 6.0.0-rc1").as_deref(), Some("6.0.0-rc1"));
        assert_eq!(pick("> 7.0").as_deref(), None);
        assert_eq!(
            newest_match(&versions, None)
                .map(ToString::to_string)
                .as_deref(),
            Some("6.1.0")
        );
    }
}
