//! The checker: runs every enabled rule over an inventory and returns sorted diagnostics.

#[macro_use]
mod rules;
mod analysis;
pub mod catalogue;
mod nacl;
mod remedies;

use std::collections::BTreeMap;

use portcullis_diagnostics::{Diagnostic, RuleMeta, Severity};
use portcullis_ir::{Inventory, SourceMap};

pub use analysis::Context;
pub use rules::{EXPIRED_SUPPRESSION, INVALID_SUPPRESSION, RULES, Rule, UNUSED_SUPPRESSION};

/// Which rules run and how severe they are.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// When not empty, only these rules run (codes or names), whether on by default or not.
    pub select: Vec<String>,
    /// Rule codes or names switched on (overrides `enabled_by_default`).
    pub enable: Vec<String>,
    /// Rule codes or names switched off.
    pub disable: Vec<String>,
    /// Severity overrides by rule code or name.
    pub severity: BTreeMap<String, Severity>,
    pub catalogue: catalogue::Catalogue,
    /// CIDRs trusted for administration, offered as remedies before anything the code names.
    pub trusted_cidrs: Vec<portcullis_net::Cidr>,
}

impl Settings {
    fn names(rule: &RuleMeta, list: &[String]) -> bool {
        list.iter()
            .any(|item| item.eq_ignore_ascii_case(rule.code) || item == rule.name)
    }

    pub fn is_enabled(&self, rule: &RuleMeta) -> bool {
        if Self::names(rule, &self.disable) {
            return false;
        }
        if !self.select.is_empty() {
            return Self::names(rule, &self.select);
        }
        rule.enabled_by_default || Self::names(rule, &self.enable)
    }

    pub fn severity_of(&self, rule: &RuleMeta) -> Option<Severity> {
        self.severity
            .get(rule.code)
            .or_else(|| self.severity.get(rule.name))
            .copied()
    }
}

/// Finds a rule by code (`SG002`) or name (`admin-port-open-to-internet`).
pub fn find_rule(query: &str) -> Option<&'static RuleMeta> {
    RULES
        .iter()
        .map(|rule| rule.meta)
        .find(|meta| meta.code.eq_ignore_ascii_case(query) || meta.name == query)
}

/// Runs the enabled rules over one inventory.
pub fn check(inventory: &Inventory, sources: &SourceMap, settings: &Settings) -> Vec<Diagnostic> {
    let context = Context::new(inventory, sources, settings);
    let mut diagnostics = Vec::new();
    for rule in RULES.iter().filter(|rule| settings.is_enabled(rule.meta)) {
        let Some(check) = rule.check else { continue };
        let start = diagnostics.len();
        check(&context, &mut diagnostics);
        if let Some(severity) = settings.severity_of(rule.meta) {
            for diagnostic in &mut diagnostics[start..] {
                diagnostic.severity = severity;
            }
        }
    }
    diagnostics
}
