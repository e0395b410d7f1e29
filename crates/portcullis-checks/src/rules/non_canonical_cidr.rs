use portcullis_diagnostics::{Applicability, Diagnostic, Edit, Suggestion, fingerprint};
use portcullis_ir::Peer;
use portcullis_net::Cidr;

use crate::analysis::{Context, certainty};

declare_rule! {
    /// ## What it does
    /// Reports CIDR blocks with host bits set, such as `10.0.0.1/8`, which AWS silently
    /// normalises to `10.0.0.0/8`.
    ///
    /// ## Why is this bad?
    /// The author probably meant a single host (`10.0.0.1/32`) and opened a whole network
    /// instead. Even when the network was meant, the written value misleads reviewers.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group" "app" {
    ///   ingress {
    ///     protocol    = "tcp"
    ///     from_port   = 5432
    ///     to_port     = 5432
    ///     cidr_blocks = ["10.0.0.1/8"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_security_group" "app" {
    ///   ingress {
    ///     protocol    = "tcp"
    ///     from_port   = 5432
    ///     to_port     = 5432
    ///     cidr_blocks = ["10.0.0.1/32"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Rewriting the value to its normalised network (`10.0.0.0/8`) keeps what AWS applies
    /// today, so that edit is safe; narrowing it to the host is a different decision and is only
    /// suggested.
    pub static RULE = {
        code: "SG016",
        name: "non-canonical-cidr",
        category: "hygiene",
        severity: Low,
        enabled: true,
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for statement in &context.statements {
        let rule = statement.rule;
        for peer in &rule.peers {
            let Peer::Cidr(value) = peer else { continue };
            let Some(cidr) = value.known_value().filter(|cidr| !cidr.canonical) else {
                continue;
            };
            let span = value.span();
            let written = context.sources.get(span.file).map(|file| file.slice(span).to_owned()).unwrap_or_default();
            let inner = written.trim_matches('"');
            let literal = Cidr::parse(inner).is_ok_and(|parsed| parsed.net == cidr.net);
            let edits = if literal {
                vec![Edit { span, replacement: written.replace(inner, &cidr.net.to_string()) }]
            } else {
                Vec::new()
            };
            out.push(Diagnostic {
                rule: &RULE,
                severity: RULE.default_severity,
                certainty: certainty(context, rule),
                message: format!("`{}` has host bits set; AWS applies it as {}", inner.trim(), cidr.net),
                span,
                resource: rule.resource.clone(),
                exposure: None,
                related: value
                    .via()
                    .iter()
                    .map(|trace| portcullis_diagnostics::Related { span: trace.span, message: trace.note.clone() })
                    .collect(),
                suggestions: vec![Suggestion {
                    message: format!("write the network AWS applies, {}, or a /32 if a single host was meant", cidr.net),
                    applicability: if literal { Applicability::Safe } else { Applicability::DisplayOnly },
                    edits,
                }],
                fingerprint: fingerprint(&[RULE.code, &rule.id, &cidr.net.to_string()]),
                roots: Vec::new(),
                shown_at: None,
            });
        }
    }
}
