//! Suppressions declared in a resource's `Metadata` (portcullis, cfn_nag, Checkov).

use portcullis_ir::{DeclaredSuppression, Span, SuppressedBy};

use super::builder::Builder;
use crate::tree::{Kind, Node};

impl Builder<'_, '_> {
    /// Suppressions written in a resource's `Metadata` by portcullis, cfn_nag and Checkov users.
    pub(super) fn declared_suppressions(&mut self, metadata: Option<&Node>, scope: Span) {
        let Some(metadata) = metadata else { return };
        // (tool, metadata key, list key, rule key, reason key)
        let layouts = [
            (
                SuppressedBy::Metadata,
                "portcullis",
                "ignore",
                "rule",
                "reason",
            ),
            (
                SuppressedBy::CfnNag,
                "cfn_nag",
                "rules_to_suppress",
                "id",
                "reason",
            ),
            (SuppressedBy::Checkov, "checkov", "skip", "id", "comment"),
        ];
        for (tool, section, list, rule_key, reason_key) in layouts {
            let Some(Kind::Seq(items)) = metadata
                .get(section)
                .and_then(|node| node.get(list))
                .map(|node| &node.kind)
            else {
                continue;
            };
            for item in items {
                let text = |key: &str| item.get(key).and_then(Node::as_str).map(str::to_owned);
                self.inventory
                    .declared_suppressions
                    .push(DeclaredSuppression {
                        tool,
                        rule: text(rule_key).unwrap_or_default(),
                        reason: text(reason_key).unwrap_or_default(),
                        until: text("until"),
                        span: item.span,
                        scope,
                    });
            }
        }
    }
}
