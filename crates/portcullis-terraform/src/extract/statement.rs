//! A rule or NACL entry checked as the AWS provider validates it.

use portcullis_ir::{Span, Value};
use portcullis_net::Cidr;

use super::fields::Fields;
use super::values::{cidr, elements};
use crate::eval::Env;
use crate::value::{Kind, V};

/// A rule or NACL entry as the AWS provider validates it. What the provider would reject (an
/// attribute it requires that is missing or null, a value of the wrong type) becomes an unknown
/// naming the attribute and a problem saying how it is analysed; a value that is only unknown
/// (an unset variable, a computed attribute) is neither.
pub(super) struct Statement<'e> {
    pub(super) env: &'e Env,
    /// The statement in messages: `aws_security_group.web ingress`, `aws_security_group_rule.ssh`.
    pub(super) subject: String,
    /// The block or object, where a missing attribute is reported.
    pub(super) span: Span,
}

impl Statement<'_> {
    pub(super) fn report(&self, span: Span, reason: &str, analysed_as: &str) {
        self.env.problem(
            span,
            format!("{}: {reason}; analysed as {analysed_as}", self.subject),
        );
    }

    /// A required attribute's value, or why it is missing (reported).
    pub(super) fn required(
        &self,
        fields: &Fields<'_, '_>,
        name: &str,
        analysed_as: &str,
    ) -> Result<V, String> {
        self.required_because(fields, name, "", analysed_as)
    }

    /// As [`Self::required`], with the condition that makes it required (` with ip_protocol tcp`).
    pub(super) fn required_because(
        &self,
        fields: &Fields<'_, '_>,
        name: &str,
        condition: &str,
        analysed_as: &str,
    ) -> Result<V, String> {
        fields.get(name).ok_or_else(|| {
            let reason = format!("`{name}` is missing (the AWS provider requires it{condition})");
            self.report(self.span, &reason, analysed_as);
            reason
        })
    }

    /// A required attribute converted, or an unknown at the statement when it is missing.
    pub(super) fn required_value<T>(
        &self,
        fields: &Fields<'_, '_>,
        name: &str,
        analysed_as: &str,
        convert: impl FnOnce(&V) -> Result<T, String>,
    ) -> Value<T> {
        match self.required(fields, name, analysed_as) {
            Ok(value) => value.convert(convert),
            Err(reason) => Value::unknown(reason, self.span),
        }
    }

    /// A port (or ICMP type or code, or rule number); a value of the wrong type is reported.
    pub(super) fn number(&self, name: &str, value: &V, analysed_as: &str) -> Value<i64> {
        match value.to_i64() {
            Ok(number) => value.convert(|_| Ok(number)),
            Err(reason) if value.depends_on_unknown() || value.unknown_reason().is_some() => {
                value.convert(|_| Err(reason))
            }
            Err(reason) => {
                let reason = format!("`{name}` is not a whole number: {reason}");
                self.report(value.span, &reason, analysed_as);
                value.convert(|_| Err(reason))
            }
        }
    }

    /// A shape error: `Some(reason)` when an attribute taking one CIDR is given a list or an
    /// object, or one taking a list is given a single value.
    pub(super) fn cidr_shape(&self, name: &str, value: &V, list: bool) -> Option<Value<Cidr>> {
        let given = match value.kind {
            Kind::List(_) if !list => "a list",
            Kind::Map(_) => "an object",
            Kind::Str(_) if list => "a string",
            Kind::Num(_) if list => "a number",
            Kind::Bool(_) if list => "a bool",
            _ => return None,
        };
        let wanted = if list {
            "a list of CIDR strings"
        } else {
            "one CIDR string"
        };
        let reason = format!("`{name}` takes {wanted}, not {given}");
        self.report(value.span, &reason, "an unknown CIDR");
        Some(value.convert(|_| Err(reason)))
    }

    pub(super) fn one_cidr(&self, name: &str, value: V) -> Value<Cidr> {
        self.cidr_shape(name, &value, false)
            .unwrap_or_else(|| value.convert(cidr))
    }

    pub(super) fn cidr_list(&self, name: &str, value: V) -> Vec<Value<Cidr>> {
        if let Some(unknown) = self.cidr_shape(name, &value, true) {
            return vec![unknown];
        }
        elements(value)
            .into_iter()
            .filter_map(|item| item.to_value(cidr))
            .collect()
    }
}
