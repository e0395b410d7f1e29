//! One resource instance being extracted: its attributes, its statements, its inline blocks.

use portcullis_ir::{Direction, Span, Trace, Value};

use super::fields::{Fields, block_instances};
use super::statement::Statement;
use crate::eval::{Ctx, Frame};
use crate::syntax::Block;
use crate::value::{Kind, V};

/// One resource instance being extracted.
pub(super) struct Resource<'c, 'a> {
    pub(super) ctx: &'c Ctx<'a>,
    pub(super) block: &'c Block<'c>,
    pub(super) frame: Frame,
    pub(super) address: String,
    pub(super) assumptions: Vec<Trace>,
}

impl<'c, 'a> Resource<'c, 'a> {
    pub(super) fn fields(&self) -> Fields<'c, 'a> {
        Fields::Body {
            ctx: self.ctx,
            body: self.block.body,
            frame: self.frame.clone(),
        }
    }

    /// The resource as one statement (`aws_security_group_rule`, `aws_network_acl_rule`).
    pub(super) fn statement(&self) -> Statement<'c> {
        Statement {
            env: self.ctx.env,
            subject: self.address.clone(),
            span: self.block.span,
        }
    }

    /// One of its inline `ingress`/`egress` statements.
    pub(super) fn inline_statement(&self, direction: Direction, span: Span) -> Statement<'c> {
        Statement {
            env: self.ctx.env,
            subject: format!("{} {}", self.address, direction.as_str()),
            span,
        }
    }

    pub(super) fn own_id(&self) -> Value<String> {
        Value::known(self.address.clone(), self.block.labels_span)
    }

    /// Inline `ingress`/`egress` of a group or a NACL: blocks (static and dynamic), or the
    /// attribute form `ingress = [{...}]`. Each item: fields, span, assumptions.
    pub(super) fn inline(&self, direction: Direction) -> Vec<(Fields<'c, 'a>, Span, Vec<Trace>)> {
        self.inline_blocks(direction.as_str())
    }

    /// Nested blocks named `name` (static and dynamic), or the attribute form `name = [{...}]`.
    pub(super) fn inline_blocks(&self, name: &str) -> Vec<(Fields<'c, 'a>, Span, Vec<Trace>)> {
        let blocks = block_instances(self.ctx, self.block.body, &self.frame, name);
        if !blocks.is_empty() {
            return blocks
                .into_iter()
                .map(|instance| {
                    let fields = Fields::Body {
                        ctx: self.ctx,
                        body: instance.body,
                        frame: instance.frame,
                    };
                    (fields, instance.span, instance.assumptions)
                })
                .collect();
        }
        let Some(value) = self.fields().get(name) else {
            return Vec::new();
        };
        match value.kind {
            Kind::List(items) => items
                .into_iter()
                .filter_map(|item| match item.kind {
                    Kind::Map(map) => Some((Fields::Map(map), item.span, Vec::new())),
                    Kind::Unknown(reason) | Kind::Error(reason) => {
                        Some((unknown_statement(&reason, item.span), item.span, Vec::new()))
                    }
                    _ => None,
                })
                .collect(),
            Kind::Unknown(reason) | Kind::Error(reason) => vec![(
                unknown_statement(&reason, value.span),
                value.span,
                Vec::new(),
            )],
            _ => Vec::new(),
        }
    }

    pub(super) fn assumptions(&self, extra: Vec<Trace>) -> Vec<Trace> {
        let mut all = self.assumptions.clone();
        all.extend(extra);
        all
    }
}

/// A statement whose contents are unknown: the attributes that rules and NACL entries require
/// and one peer are unknown, so that a check can say what it depends on.
pub(super) fn unknown_statement<'c, 'a>(reason: &str, span: Span) -> Fields<'c, 'a> {
    let unknown = V::unknown(reason.to_owned(), span);
    let map = [
        "protocol",
        "from_port",
        "to_port",
        "rule_no",
        "action",
        "cidr_blocks",
    ]
    .into_iter()
    .map(|name| (name.to_owned(), unknown.clone()))
    .collect();
    Fields::Map(map)
}
