//! One file per rule. Each declares its metadata with [`declare_rule!`], whose doc comment is the
//! rule's documentation (`portcullis explain`, `docs/rules/`, SARIF help), and a `check` function.

use portcullis_diagnostics::{Diagnostic, Equivalent, RuleMeta};

use crate::analysis::Context;

/// Declares a rule's metadata; the doc comment becomes `RuleMeta::doc`, and `equivalents` lists
/// the groups of other scanners' rule ids whose suppressions cover this rule.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $NAME:ident = {
            code: $code:literal,
            name: $name:literal,
            category: $category:literal,
            severity: $severity:ident,
            enabled: $enabled:literal
            $(, equivalents: [$($group:expr),* $(,)?])? $(,)?
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
            equivalents: &[$($($group),*)?],
        };
    };
}

/// Trivy's and cfn_nag's rules against any public ingress through a security group: every rule
/// that reports one is their equivalent.
const PUBLIC_INGRESS: &[Equivalent] = &[
    Equivalent::trivy("aws-ec2-no-public-ingress-sgr"),
    Equivalent::trivy("aws-vpc-no-public-ingress-sgr"),
    Equivalent::trivy("aws-0107"),
    Equivalent::trivy("avd-aws-0107"),
    Equivalent::cfn_nag("W2"),
    Equivalent::cfn_nag("W9"),
];

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

/// The rules the suppression pass reports, for the pass to name them.
pub use expired_suppression::RULE as EXPIRED_SUPPRESSION;
pub use invalid_suppression::RULE as INVALID_SUPPRESSION;
pub use unused_suppression::RULE as UNUSED_SUPPRESSION;
