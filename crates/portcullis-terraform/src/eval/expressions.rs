//! Expressions: literals, collections, operators, conditionals, `for` expressions and
//! function calls, in HCL and in Terraform JSON.

use std::collections::BTreeMap;

use hcl_edit::Span as _;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator,
};
use portcullis_ir::Span;

use super::context::Ctx;
use super::frame::Frame;
use super::iteration::iterate;
use crate::functions;
use crate::limits::{Limit, MAX_ITEMS};
use crate::syntax::{Expr, Json, Src};
use crate::value::{Kind, V};

impl<'a> Ctx<'a> {
    pub(super) fn eval_json(&self, json: &Json, src: Src<'_>, frame: &Frame) -> V {
        let span = src.span(Some(json.range()));
        match json {
            Json::Null(_) => V::new(Kind::Null, span),
            Json::Bool(flag, _) => V::new(Kind::Bool(*flag), span),
            Json::Num(number, _) => V::new(Kind::Num(*number), span),
            Json::Str(text, range) => {
                if !text.contains("${") && !text.contains("%{") {
                    return V::str(text.clone(), span);
                }
                let Some(template) = portcullis_terraform_core::hcl::parse_template(text) else {
                    return V::unknown(format!("`{text}` is not a valid template"), span);
                };
                // Offsets inside the string map back exactly only when nothing was escaped.
                let raw_len = range.end.saturating_sub(range.start);
                let inner = Src {
                    shift: range.start + 1,
                    fixed: (raw_len != text.len() + 2).then_some(span),
                    ..src
                };
                self.template(&template, inner, frame, span)
            }
            Json::Array(items, _) => {
                if items.len() > MAX_ITEMS {
                    return self.env.limit(span, Limit::ListItems);
                }
                let values = items
                    .iter()
                    .map(|item| self.eval(Expr::Json(item, src), frame))
                    .collect();
                V::new(Kind::List(values), span)
            }
            Json::Object(props, _) => {
                let map = props
                    .iter()
                    .map(|prop| {
                        (
                            prop.name.clone(),
                            self.eval(Expr::Json(&prop.value, src), frame),
                        )
                    })
                    .collect();
                V::new(Kind::Map(map), span)
            }
        }
    }

    pub(super) fn eval_hcl(&self, expr: &Expression, src: Src<'_>, frame: &Frame) -> V {
        let span = src.span(expr.span());
        let sub = |expr: &Expression| self.eval(Expr::Hcl(expr, src), frame);
        match expr {
            Expression::Null(_) => V::new(Kind::Null, span),
            Expression::Bool(flag) => V::new(Kind::Bool(*flag.value()), span),
            Expression::Number(number) => V::new(
                number.value().as_f64().map_or_else(
                    || Kind::Unknown("number out of range".to_owned()),
                    Kind::Num,
                ),
                span,
            ),
            Expression::String(text) => V::str(text.value().clone(), span),
            Expression::Array(items) => {
                if items.len() > MAX_ITEMS {
                    return self.env.limit(span, Limit::ListItems);
                }
                V::new(Kind::List(items.iter().map(sub).collect()), span)
            }
            Expression::Object(object) => {
                let mut map = BTreeMap::new();
                for (key, value) in object {
                    let key_text = match self.object_key(key, src, frame) {
                        Ok(text) => text,
                        Err(reason) => return V::unknown(reason, span),
                    };
                    // A key given twice: the later value wins, as in Terraform.
                    map.insert(key_text, sub(value.expr()));
                }
                V::new(Kind::Map(map), span)
            }
            Expression::StringTemplate(template) => self.template(template, src, frame, span),
            Expression::HeredocTemplate(heredoc) => {
                self.template(&heredoc.template, src, frame, span)
            }
            Expression::Parenthesis(inner) => sub(inner.inner()),
            Expression::Variable(ident) => {
                self.reference(ident.value().as_str(), &[], src, frame, span)
            }
            Expression::Conditional(cond) => {
                let test = sub(&cond.cond_expr);
                match test.to_bool() {
                    Ok(true) => sub(&cond.true_expr),
                    Ok(false) => sub(&cond.false_expr),
                    Err(reason) if test.depends_on_unknown() => {
                        V::unknown(format!("the condition is unknown: {reason}"), span)
                    }
                    Err(reason) => V::error(reason, span),
                }
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.value().as_str();
                if !call.name.namespace.is_empty() {
                    return V::unknown(format!("function {name} is not evaluated"), span);
                }
                let args: Vec<&Expression> = call.args.iter().collect();
                self.call(name, &args, call.args.expand_final(), src, frame, span)
            }
            Expression::Traversal(traversal) => {
                let ops: Vec<&TraversalOperator> =
                    traversal.operators.iter().map(|op| op.value()).collect();
                match &traversal.expr {
                    Expression::Variable(root) => {
                        self.reference(root.value().as_str(), &ops, src, frame, span)
                    }
                    other => {
                        let base = sub(other);
                        self.apply_ops(base, &ops, src, frame, span)
                    }
                }
            }
            Expression::UnaryOp(op) => {
                let value = sub(&op.expr);
                let kind = match op.operator.value() {
                    UnaryOperator::Neg => value.to_num().map(|number| Kind::Num(-number)),
                    UnaryOperator::Not => value.to_bool().map(|flag| Kind::Bool(!flag)),
                };
                kind.map_or_else(
                    |reason| V::failure(reason, value.depends_on_unknown(), span),
                    |kind| V::new(kind, span),
                )
            }
            Expression::BinaryOp(op) => {
                let operator = *op.operator.value();
                let lhs = sub(&op.lhs_expr);
                // `&&` and `||` short-circuit on a known left side.
                match (operator, lhs.to_bool()) {
                    (BinaryOperator::And, Ok(false)) => return V::new(Kind::Bool(false), span),
                    (BinaryOperator::Or, Ok(true)) => return V::new(Kind::Bool(true), span),
                    _ => {}
                }
                let rhs = sub(&op.rhs_expr);
                binary(operator, &lhs, &rhs).map_or_else(
                    |reason| {
                        let inputs_unknown = lhs.depends_on_unknown() || rhs.depends_on_unknown();
                        V::failure(reason, inputs_unknown, span)
                    },
                    |kind| V::new(kind, span),
                )
            }
            Expression::ForExpr(for_expr) => self.for_expr(for_expr, src, frame, span),
        }
    }

    pub(super) fn object_key(
        &self,
        key: &ObjectKey,
        src: Src<'_>,
        frame: &Frame,
    ) -> Result<String, String> {
        let start = match key {
            ObjectKey::Ident(ident) => ident.span(),
            ObjectKey::Expression(expr) => expr.span(),
        }
        .map(|range| range.start);
        if let Some(name) = start.and_then(|start| src.renamed.get(&start)) {
            return Ok(name.clone());
        }
        match key {
            ObjectKey::Ident(ident) => Ok(ident.value().as_str().to_owned()),
            // A bare name in parentheses-free key position is a literal key.
            ObjectKey::Expression(Expression::Variable(ident)) => {
                Ok(ident.value().as_str().to_owned())
            }
            ObjectKey::Expression(expr) => self.eval(Expr::Hcl(expr, src), frame).to_text(),
        }
    }

    pub(super) fn for_expr(
        &self,
        for_expr: &ForExpr,
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        let intro = &for_expr.intro;
        let collection = self.eval(Expr::Hcl(&intro.collection_expr, src), frame);
        let items = match iterate(&collection) {
            Ok(items) => items,
            Err(reason) => return V::failure(reason, collection.depends_on_unknown(), span),
        };
        let mut list = Vec::new();
        let mut map: BTreeMap<String, V> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<V>> = BTreeMap::new();
        for (key, value) in items {
            let mut inner = frame.with(intro.value_var.value().as_str(), value);
            if let Some(key_var) = &intro.key_var {
                inner = inner.with(key_var.value().as_str(), key);
            }
            if let Some(cond) = &for_expr.cond {
                let test = self.eval(Expr::Hcl(&cond.expr, src), &inner);
                match test.to_bool() {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(reason) if test.depends_on_unknown() => {
                        return V::unknown(format!("the for condition is unknown: {reason}"), span);
                    }
                    Err(reason) => return V::error(reason, span),
                }
            }
            let value = self.eval(Expr::Hcl(&for_expr.value_expr, src), &inner);
            match &for_expr.key_expr {
                None => list.push(value),
                Some(key_expr) => {
                    let key = self.eval(Expr::Hcl(key_expr, src), &inner);
                    let key = match key.to_text() {
                        Ok(text) => text,
                        Err(reason) => {
                            return V::failure(reason, key.depends_on_unknown(), span);
                        }
                    };
                    if for_expr.grouping {
                        groups.entry(key).or_default().push(value);
                    } else {
                        map.insert(key, value);
                    }
                }
            }
        }
        if for_expr.key_expr.is_none() {
            return V::new(Kind::List(list), span);
        }
        if for_expr.grouping {
            map = groups
                .into_iter()
                .map(|(key, values)| (key, V::new(Kind::List(values), span)))
                .collect();
        }
        V::new(Kind::Map(map), span)
    }

    pub(super) fn call(
        &self,
        name: &str,
        args: &[&Expression],
        expand_final: bool,
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        match name {
            // `try` and `can` look at whether their arguments fail: an error fails in every
            // evaluation, but a failure that depends on an unknown input may go away.
            "try" => {
                for arg in args {
                    let value = self.eval(Expr::Hcl(arg, src), frame);
                    if value.deep_error().is_none() || value.depends_on_unknown() {
                        return value;
                    }
                }
                V::error("no argument of try could be evaluated", span)
            }
            "can" => {
                let [arg] = args else {
                    return V::error("can takes one argument", span);
                };
                let value = self.eval(Expr::Hcl(arg, src), frame);
                if value.depends_on_unknown() {
                    let reason = value.deep_unknown().unwrap_or_default().to_owned();
                    V::unknown(reason, span)
                } else {
                    V::new(Kind::Bool(value.deep_error().is_none()), span)
                }
            }
            _ => {
                let mut values: Vec<V> = args
                    .iter()
                    .map(|arg| self.eval(Expr::Hcl(arg, src), frame))
                    .collect();
                if let Some(last) = values.pop_if(|_| expand_final) {
                    if let Some(failure) = last.failure_at(span) {
                        return failure;
                    }
                    match last.kind {
                        Kind::List(items) => values.extend(items),
                        _ => return V::error("the expanded argument is not a list", span),
                    }
                }
                let mut origins = Vec::new();
                for value in &values {
                    value.collect_via(&mut origins);
                }
                let mut value = match functions::call(name, values, span) {
                    Ok(value) => value,
                    Err(limit) => return self.env.limit(span, limit),
                };
                // Values the function computed (`split(",", var.x)`) keep the traces of the
                // arguments they came from; elements it passed through keep their own.
                value.inherit(span, &origins);
                value
            }
        }
    }
}

fn binary(operator: BinaryOperator, lhs: &V, rhs: &V) -> Result<Kind, String> {
    use BinaryOperator as B;
    if let Some(reason) = lhs.unknown_reason().or(rhs.unknown_reason()) {
        return Err(reason.to_owned());
    }
    Ok(match operator {
        B::Eq => Kind::Bool(lhs.same(rhs)),
        B::NotEq => Kind::Bool(!lhs.same(rhs)),
        B::And => Kind::Bool(lhs.to_bool()? && rhs.to_bool()?),
        B::Or => Kind::Bool(lhs.to_bool()? || rhs.to_bool()?),
        B::Less => Kind::Bool(lhs.to_num()? < rhs.to_num()?),
        B::LessEq => Kind::Bool(lhs.to_num()? <= rhs.to_num()?),
        B::Greater => Kind::Bool(lhs.to_num()? > rhs.to_num()?),
        B::GreaterEq => Kind::Bool(lhs.to_num()? >= rhs.to_num()?),
        B::Plus => Kind::Num(lhs.to_num()? + rhs.to_num()?),
        B::Minus => Kind::Num(lhs.to_num()? - rhs.to_num()?),
        B::Mul => Kind::Num(lhs.to_num()? * rhs.to_num()?),
        B::Div => {
            let divisor = rhs.to_num()?;
            if divisor == 0.0 {
                return Err("division by zero".to_owned());
            }
            Kind::Num(lhs.to_num()? / divisor)
        }
        B::Mod => {
            let divisor = rhs.to_num()?;
            if divisor == 0.0 {
                return Err("modulo by zero".to_owned());
            }
            Kind::Num(lhs.to_num()? % divisor)
        }
    })
}
