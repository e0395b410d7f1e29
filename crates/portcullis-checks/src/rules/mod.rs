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

mod admin_port_open_to_internet;
mod all_traffic_open_to_internet;
mod cache_or_broker_port_open_to_internet;
mod category_exposure;
mod control_plane_port_open_to_internet;
mod database_port_open_to_internet;
mod file_sharing_port_open_to_internet;
mod monitoring_port_open_to_internet;
mod plaintext_protocol_open_to_internet;
mod udp_amplification_port_open_to_internet;
mod unrestricted_egress;

pub struct Rule {
    pub meta: &'static RuleMeta,
    pub check: fn(&Context<'_>, &mut Vec<Diagnostic>),
}

/// Every rule, in code order.
pub static RULES: &[Rule] = &[
    Rule {
        meta: &all_traffic_open_to_internet::RULE,
        check: all_traffic_open_to_internet::check,
    },
    Rule {
        meta: &admin_port_open_to_internet::RULE,
        check: admin_port_open_to_internet::check,
    },
    Rule {
        meta: &database_port_open_to_internet::RULE,
        check: database_port_open_to_internet::check,
    },
    Rule {
        meta: &file_sharing_port_open_to_internet::RULE,
        check: file_sharing_port_open_to_internet::check,
    },
    Rule {
        meta: &cache_or_broker_port_open_to_internet::RULE,
        check: cache_or_broker_port_open_to_internet::check,
    },
    Rule {
        meta: &control_plane_port_open_to_internet::RULE,
        check: control_plane_port_open_to_internet::check,
    },
    Rule {
        meta: &monitoring_port_open_to_internet::RULE,
        check: monitoring_port_open_to_internet::check,
    },
    Rule {
        meta: &plaintext_protocol_open_to_internet::RULE,
        check: plaintext_protocol_open_to_internet::check,
    },
    Rule {
        meta: &udp_amplification_port_open_to_internet::RULE,
        check: udp_amplification_port_open_to_internet::check,
    },
    Rule {
        meta: &unrestricted_egress::RULE,
        check: unrestricted_egress::check,
    },
];
