//! One file per rule. Each declares its metadata with [`declare_rule!`], whose doc comment is the
//! rule's documentation (`portcullis explain`, `docs/rules/`, SARIF help), and a `check` function.

use portcullis_diagnostics::{Diagnostic, RuleMeta};

use crate::analysis::Context;

/// Declares a rule's metadata; the doc comment becomes `RuleMeta::doc`.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $NAME:ident = {
            code: $code:literal,
            name: $name:literal,
            category: $category:literal,
            severity: $severity:ident,
            enabled: $enabled:literal $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $NAME: portcullis_diagnostics::RuleMeta = portcullis_diagnostics::RuleMeta {
            code: $code,
            name: $name,
            category: $category,
            default_severity: portcullis_diagnostics::Severity::$severity,
            enabled_by_default: $enabled,
            doc: concat!($($doc, "\n"),*),
        };
    };
}

mod category_exposure;

pub struct Rule {
    pub meta: &'static RuleMeta,
    /// `None` for rules reported by the suppression pass rather than from the inventory.
    pub check: Option<fn(&Context<'_>, &mut Vec<Diagnostic>)>,
}

/// Declares the rule modules and lists them in [`RULES`], in code order.
macro_rules! registry {
    (checks: [$($module:ident),* $(,)?], suppressions: [$($meta:ident),* $(,)?] $(,)?) => {
        $(mod $module;)*
        $(mod $meta;)*

        /// Every rule, in code order.
        pub static RULES: &[Rule] = &[
            $(Rule { meta: &$module::RULE, check: Some($module::check) },)*
            $(Rule { meta: &$meta::RULE, check: None },)*
        ];
    };
}

registry! {
    checks: [
        all_traffic_open_to_internet,
        admin_port_open_to_internet,
        database_port_open_to_internet,
        file_sharing_port_open_to_internet,
        cache_or_broker_port_open_to_internet,
        control_plane_port_open_to_internet,
        monitoring_port_open_to_internet,
        plaintext_protocol_open_to_internet,
        udp_amplification_port_open_to_internet,
        sensitive_port_open_to_broad_cidr,
        wide_port_range_open_to_internet,
        icmp_open_to_internet,
        unrestricted_egress,
        default_security_group_allows_traffic,
        rule_without_description,
        non_canonical_cidr,
        unresolved_value_may_expose_port,
        module_not_resolved,
        uncatalogued_port_open_to_internet,
        nacl_allows_sensitive_port_from_internet,
        resource_exposed_to_internet,
    ],
    suppressions: [expired_suppression, unused_suppression, invalid_suppression],
}
