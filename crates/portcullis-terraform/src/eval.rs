//! A three-valued evaluator over the hcl-edit AST (and Terraform JSON): every result is known
//! with its span and traces, or unknown with the reason. Nothing is guessed.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::rc::Rc;

use hcl_edit::Span as _;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Template};
use portcullis_ir::{Problem, Span, Trace};

use crate::functions;
use crate::module::{Module, is_local_source};
use crate::syntax::{Block, Expr, Json, Src};
use crate::value::{Kind, V};

pub const MAX_DEPTH: usize = 96;
pub const MAX_STEPS: u64 = 4_000_000;
/// Largest collection an expression, a `count` or a `for_each` may produce.
pub const MAX_ITEMS: usize = 10_000;
pub const MAX_STRING: usize = 1 << 20;
pub const MAX_MODULE_DEPTH: usize = 12;
/// Bytes of values copied out of variables, locals and outputs per root module: bounds the
/// memory of `[for i in range(10000) : local.huge]`.
pub const MAX_BYTES: u64 = 256 << 20;
/// Module calls followed per root module (diamonds of modules multiply).
pub const MAX_MODULE_CALLS: usize = 10_000;

/// State shared by every module instance of one root module.
#[derive(Debug, Default)]
pub struct Env {
    /// Set by the caller when the result is no longer wanted: every step then fails, so that the
    /// evaluation ends soon.
    cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    steps: Cell<u64>,
    bytes: Cell<u64>,
    depth: Cell<usize>,
    problems: RefCell<Vec<Problem>>,
}

impl Env {
    /// An environment whose evaluation stops soon once `cancel` is set.
    pub fn cancellable(cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>) -> Self {
        Self {
            cancel,
            ..Self::default()
        }
    }

    /// Records a problem once.
    pub fn problem(&self, span: Span, message: String) {
        let mut problems = self.problems.borrow_mut();
        if !problems
            .iter()
            .any(|problem| problem.span == span && problem.message == message)
        {
            problems.push(Problem { span, message });
        }
    }

    pub fn take_problems(&self) -> Vec<Problem> {
        self.problems.take()
    }

    /// Counts `steps` evaluation steps; false once the budget is spent.
    pub fn charge(&self, steps: u64) -> bool {
        let total = self.steps.get().saturating_add(steps);
        self.steps.set(total);
        total <= MAX_STEPS
            && !self
                .cancel
                .as_ref()
                .is_some_and(|cancel| cancel.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// A limit reached: an unknown value, and a problem so that the user knows the analysis is partial.
    pub fn limit(&self, span: Span, what: &str) -> V {
        let message = format!("evaluation limit reached: {what}");
        self.problem(span, message.clone());
        V::unknown(message, span)
    }
}

/// Where a module call leads.
#[derive(Debug, Clone)]
pub enum Resolution {
    Dir(PathBuf),
    Unresolved(String),
}

/// Every module directory loaded for one root, and how each call resolves.
#[derive(Debug, Default)]
pub struct World<'a> {
    pub modules: BTreeMap<PathBuf, Module<'a>>,
    /// Keyed by the caller's directory and the call's module key (`web`, `web.rules`).
    pub resolutions: BTreeMap<(PathBuf, String), Resolution>,
}

/// Bindings of iteration variables: `count`, `each`, `for` variables, dynamic iterators.
#[derive(Clone, Debug, Default)]
pub struct Frame(BTreeMap<String, V>);

impl Frame {
    #[must_use]
    pub fn with(&self, name: &str, value: V) -> Self {
        let mut next = self.clone();
        next.0.insert(name.to_owned(), value);
        next
    }

    fn get(&self, name: &str) -> Option<&V> {
        self.0.get(name)
    }
}

/// An instance key of a resource or module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Index(usize),
    Name(String),
    /// `for_each` could not be evaluated; one instance is assumed.
    Unknown,
}

impl Key {
    pub fn suffix(&self) -> String {
        match self {
            Self::Index(index) => format!("[{index}]"),
            Self::Name(name) => format!("[{name:?}]"),
            Self::Unknown => "[*]".to_owned(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Instance {
    pub key: Option<Key>,
    pub frame: Frame,
    pub assumptions: Vec<Trace>,
}

#[derive(Clone, Copy, Debug)]
pub enum Expansion {
    Single,
    Count,
    ForEach,
}

/// A module instance: a module's declarations with values for its variables.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub env: &'a Env,
    pub world: &'a World<'a>,
    pub module: &'a Module<'a>,
    pub dir: PathBuf,
    /// Address prefix of everything in the instance: `""`, `module.web.`, `module.a[0].module.b.`.
    pub prefix: String,
    /// The module key of `.terraform/modules/modules.json` (`web.rules`), empty for the root.
    pub key: String,
    /// Directories of this instance and its callers, to stop module cycles.
    pub ancestors: Vec<PathBuf>,
    /// Variable values and the note a reference adds to their traces.
    pub vars: BTreeMap<String, VarValue>,
    /// The instance key of a module called with `count` or `for_each`.
    pub instance: Option<Key>,
    /// What the instance's existence depends on (an unknown count of a caller).
    pub assumptions: Vec<Trace>,
    locals: RefCell<BTreeMap<String, Rc<V>>>,
    active: RefCell<BTreeSet<String>>,
    children: RefCell<BTreeMap<String, Rc<Children<'a>>>>,
    /// `count`/`for_each` of each resource and module block, by block span: references to a
    /// resource expand it again and again.
    expansions: RefCell<BTreeMap<Span, Rc<Expanded>>>,
}

/// How a block expands and its instances.
pub type Expanded = (Expansion, Vec<Instance>);

#[derive(Debug)]
pub enum Children<'a> {
    Instances(Vec<Rc<Ctx<'a>>>),
    Unresolved { reason: String, span: Span },
}

/// A variable's value with the note that references to it add to their traces.
pub type VarValue = (V, String);

impl<'a> Ctx<'a> {
    pub fn new(
        env: &'a Env,
        world: &'a World<'a>,
        module: &'a Module<'a>,
        dir: PathBuf,
        vars: BTreeMap<String, VarValue>,
    ) -> Self {
        Self {
            env,
            world,
            module,
            ancestors: vec![dir.clone()],
            dir,
            prefix: String::new(),
            key: String::new(),
            vars,
            instance: None,
            assumptions: Vec::new(),
            locals: RefCell::default(),
            active: RefCell::default(),
            children: RefCell::default(),
            expansions: RefCell::default(),
        }
    }

    pub fn eval(&self, expr: Expr<'_>, frame: &Frame) -> V {
        let span = expr.span();
        if !self.env.charge(1) {
            return self
                .env
                .limit(span, &format!("more than {MAX_STEPS} evaluation steps"));
        }
        let depth = self.env.depth.get();
        if depth >= MAX_DEPTH {
            return self.env.limit(
                span,
                &format!("expressions nested more than {MAX_DEPTH} deep"),
            );
        }
        self.env.depth.set(depth + 1);
        let value = match expr {
            Expr::Hcl(expr, src) => self.eval_hcl(expr, src, frame),
            Expr::Json(json, src) => self.eval_json(json, src, frame),
        };
        self.env.depth.set(depth);
        value
    }

    fn eval_json(&self, json: &Json, src: Src<'_>, frame: &Frame) -> V {
        let span = src.span(Some(json.range()));
        match json {
            Json::Null(_) => V::new(Kind::Null, span),
            Json::Bool(flag, _) => V::new(Kind::Bool(*flag), span),
            Json::Num(number, _) => V::new(Kind::Num(*number), span),
            Json::Str(text, range) => {
                if !text.contains("${") && !text.contains("%{") {
                    return V::str(text.clone(), span);
                }
                let Ok(template) = hcl_edit::parser::parse_template(text) else {
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
                    return self
                        .env
                        .limit(span, &format!("a list of more than {MAX_ITEMS} items"));
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

    fn eval_hcl(&self, expr: &Expression, src: Src<'_>, frame: &Frame) -> V {
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
                    return self
                        .env
                        .limit(span, &format!("a list of more than {MAX_ITEMS} items"));
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

    fn object_key(&self, key: &ObjectKey, src: Src<'_>, frame: &Frame) -> Result<String, String> {
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

    fn template(&self, template: &Template, src: Src<'_>, frame: &Frame, span: Span) -> V {
        // A template that is one interpolation yields the value itself, not its string.
        if let Some(Element::Interpolation(interp)) = template.as_single_element() {
            return self.eval(Expr::Hcl(&interp.expr, src), frame);
        }
        match self.template_text(template, src, frame) {
            Ok(text) if text.len() > MAX_STRING => self
                .env
                .limit(span, &format!("a string longer than {MAX_STRING} bytes")),
            Ok(text) => V::str(text, span),
            Err(reason) => V::unknown(reason, span),
        }
    }

    fn template_text(
        &self,
        template: &Template,
        src: Src<'_>,
        frame: &Frame,
    ) -> Result<String, String> {
        self.render(template, src, frame, false, false)
    }

    /// Renders a template; `trim_first` and `trim_last` apply the strip markers (`~`) of the
    /// directive around it to its first and last literal.
    fn render(
        &self,
        template: &Template,
        src: Src<'_>,
        frame: &Frame,
        trim_first: bool,
        trim_last: bool,
    ) -> Result<String, String> {
        let mut out = String::new();
        let mut trim_next = trim_first;
        for element in template.iter() {
            if out.len() > MAX_STRING {
                break;
            }
            match element {
                Element::Literal(text) => {
                    let text = text.value();
                    out.push_str(if trim_next { text.trim_start() } else { text });
                    trim_next = false;
                }
                Element::Interpolation(interp) => {
                    trim_end_if(&mut out, interp.strip.strip_start());
                    out.push_str(&self.eval(Expr::Hcl(&interp.expr, src), frame).to_text()?);
                    trim_next = interp.strip.strip_end();
                }
                Element::Directive(boxed) => match &**boxed {
                    Directive::If(directive) => {
                        let head = &directive.if_expr;
                        trim_end_if(&mut out, head.strip.strip_start());
                        let before_endif = directive.endif_expr.strip.strip_start();
                        let test = self.eval(Expr::Hcl(&head.cond_expr, src), frame);
                        if test.to_bool()? {
                            let last = directive
                                .else_expr
                                .as_ref()
                                .map_or(before_endif, |otherwise| otherwise.strip.strip_start());
                            out.push_str(&self.render(
                                &head.template,
                                src,
                                frame,
                                head.strip.strip_end(),
                                last,
                            )?);
                        } else if let Some(otherwise) = &directive.else_expr {
                            let first = otherwise.strip.strip_end();
                            out.push_str(&self.render(
                                &otherwise.template,
                                src,
                                frame,
                                first,
                                before_endif,
                            )?);
                        }
                        trim_next = directive.endif_expr.strip.strip_end();
                    }
                    Directive::For(directive) => {
                        let head = &directive.for_expr;
                        trim_end_if(&mut out, head.strip.strip_start());
                        let collection = self.eval(Expr::Hcl(&head.collection_expr, src), frame);
                        let before_endfor = directive.endfor_expr.strip.strip_start();
                        for (key, value) in iterate(&collection)? {
                            let mut inner = frame.with(head.value_var.value().as_str(), value);
                            if let Some(key_var) = &head.key_var {
                                inner = inner.with(key_var.value().as_str(), key);
                            }
                            let first = head.strip.strip_end();
                            out.push_str(&self.render(
                                &head.template,
                                src,
                                &inner,
                                first,
                                before_endfor,
                            )?);
                            if out.len() > MAX_STRING {
                                break;
                            }
                        }
                        trim_next = directive.endfor_expr.strip.strip_end();
                    }
                },
            }
        }
        trim_end_if(&mut out, trim_last);
        Ok(out)
    }

    fn for_expr(&self, for_expr: &ForExpr, src: Src<'_>, frame: &Frame, span: Span) -> V {
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

    fn call(
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
                    Err(limit) => return self.env.limit(span, &limit),
                };
                // Values the function computed (`split(",", var.x)`) keep the traces of the
                // arguments they came from; elements it passed through keep their own.
                value.inherit(span, &origins);
                value
            }
        }
    }

    /// A traversal starting at a name: an iteration variable, `var`, `local`, `module`,
    /// `data`, `path`, `terraform`, or a resource type.
    fn reference(
        &self,
        root: &str,
        ops: &[&TraversalOperator],
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        if let Some(value) = frame.get(root) {
            // `each.value` reads better in a trace than the whole `each` object.
            let field = match (ops.first(), &value.kind) {
                (Some(TraversalOperator::GetAttr(attr)), Kind::Map(map)) => {
                    let attr = attr.value().as_str();
                    map.get(attr).map(|field| (field, format!("{root}.{attr}")))
                }
                _ => None,
            };
            let (value, path, rest) = match field {
                Some((field, path)) => (field, path, ops.get(1..).unwrap_or(&[])),
                None => (value, root.to_owned(), ops),
            };
            let value = self.through(value, span, |value| format!("{path} = {}", value.render()));
            return self.apply_ops(value, rest, src, frame, span);
        }
        let attr = match ops.first() {
            Some(TraversalOperator::GetAttr(name)) => Some(name.value().as_str()),
            _ => None,
        };
        let rest = ops.get(1..).unwrap_or(&[]);
        let value = match (root, attr) {
            ("var", Some(name)) => match self.vars.get(name) {
                Some((value, note)) => self.through(value, span, |value| {
                    format!("var.{name} = {}{note}", value.render())
                }),
                None => V::error(format!("var.{name} is not declared"), span),
            },
            ("local", Some(name)) => {
                let value = self.local(name, span);
                self.through(&value, span, |value| {
                    format!("local.{name} = {}", value.render())
                })
            }
            ("path", Some("module")) => V::str(self.module.dir.clone(), span),
            ("path", Some("root" | "cwd")) => V::str(".", span),
            ("terraform", Some("workspace")) => V::str("default", span),
            ("count" | "each", Some(field)) => V::error(
                format!("{root}.{field} is used outside count or for_each"),
                span,
            ),
            ("module", Some(name)) => return self.module_output(name, rest, src, frame, span),
            ("data", Some(kind)) => return self.data_reference(kind, rest, src, frame, span),
            (kind, Some(name)) if self.module.has_resource_type(kind) => {
                return self.resource_reference(kind, name, rest, src, frame, span);
            }
            // A resource type (they all contain `_`) that this module does not declare.
            (kind, Some(name)) if kind.contains('_') => {
                return V::error(
                    format!("{kind}.{name} is not declared in this module"),
                    span,
                );
            }
            _ => return V::error(format!("`{root}` is not a known reference"), span),
        };
        self.apply_ops(value, rest, src, frame, span)
    }

    /// A value seen through a reference at `span`, with a trace noting `note`; copies count
    /// against the memory budget.
    fn through(&self, value: &V, span: Span, note: impl FnOnce(&V) -> String) -> V {
        // Charged before the copy, so that the budget bounds the memory actually used.
        let bytes = self.env.bytes.get().saturating_add(value.weight());
        self.env.bytes.set(bytes);
        if bytes > MAX_BYTES {
            return self.env.limit(
                span,
                &format!("more than {} MiB of values copied", MAX_BYTES >> 20),
            );
        }
        let note = note(value);
        value.clone().through(span, &note)
    }

    pub fn local(&self, name: &str, span: Span) -> Rc<V> {
        if let Some(value) = self.locals.borrow().get(name) {
            return Rc::clone(value);
        }
        let Some(attr) = self.module.locals.get(name) else {
            return Rc::new(V::error(format!("local.{name} is not declared"), span));
        };
        let key = format!("local.{name}");
        if !self.active.borrow_mut().insert(key.clone()) {
            return Rc::new(V::unknown(format!("local.{name} refers to itself"), span));
        }
        let value = Rc::new(self.eval(attr.expr, &Frame::default()));
        self.active.borrow_mut().remove(&key);
        self.locals
            .borrow_mut()
            .insert(name.to_owned(), Rc::clone(&value));
        value
    }

    pub fn apply_ops(
        &self,
        mut value: V,
        ops: &[&TraversalOperator],
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        for (index, op) in ops.iter().enumerate() {
            if value.unknown_reason().is_some() {
                return V { span, ..value };
            }
            value = match op {
                TraversalOperator::GetAttr(name) => get_attr(value, name.value().as_str(), span),
                TraversalOperator::Index(expr) => {
                    let key = self.eval(Expr::Hcl(expr, src), frame);
                    index_value(value, &key, span)
                }
                TraversalOperator::LegacyIndex(number) => {
                    let key = V::new(Kind::Num(*number.value() as f64), span);
                    index_value(value, &key, span)
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let rest = ops.get(index + 1..).unwrap_or(&[]);
                    let items = match value.kind {
                        Kind::Null => Vec::new(),
                        Kind::List(items) => items,
                        _ => vec![value],
                    };
                    let mapped = items
                        .into_iter()
                        .map(|item| self.apply_ops(item, rest, src, frame, span))
                        .collect();
                    return V::new(Kind::List(mapped), span);
                }
            };
        }
        value
    }

    /// A data source is read at apply time, but an argument it is given is known
    /// (`data "aws_security_group" "bastion" { id = "sg-0123" }` makes `.id` known).
    fn data_reference(
        &self,
        kind: &str,
        ops: &[&TraversalOperator],
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        let name = match ops.first() {
            Some(TraversalOperator::GetAttr(name)) => name.value().as_str(),
            _ => "",
        };
        let unknown = || V::unknown(format!("data.{kind}.{name} is read at apply time"), span);
        let Some(block) = self.module.data_source(kind, name) else {
            return unknown();
        };
        let expanded = block.body.attr("count").is_some() || block.body.attr("for_each").is_some();
        let argument = match ops.get(1) {
            Some(TraversalOperator::GetAttr(attr)) if !expanded => {
                block.body.attr(attr.value().as_str())
            }
            _ => None,
        };
        let Some(argument) = argument else {
            return unknown();
        };
        let key = format!("data.{kind}.{name}.{}", argument.name);
        if !self.active.borrow_mut().insert(key.clone()) {
            return V::unknown(format!("{key} refers to itself"), span);
        }
        let value = self.eval(argument.expr, &Frame::default());
        self.active.borrow_mut().remove(&key);
        let value = self.through(&value, span, |value| format!("{key} = {}", value.render()));
        self.apply_ops(value, ops.get(2..).unwrap_or(&[]), src, frame, span)
    }

    /// `aws_security_group.web.id` is the group's address, the identity the IR uses; other
    /// attributes are known when the configuration writes them (`aws_vpc.main.cidr_block`).
    fn resource_reference(
        &self,
        kind: &str,
        name: &str,
        ops: &[&TraversalOperator],
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        let Some(block) = self.module.resource(kind, name) else {
            return V::error(
                format!("{kind}.{name} is not declared in this module"),
                span,
            );
        };
        let expanded = self.expand(block);
        let (expansion, instances) = (expanded.0, &expanded.1);
        let address = format!("{}{kind}.{name}", self.prefix);
        let attr_of = |instance: &Instance, ops: &[&TraversalOperator]| -> V {
            let address = format!(
                "{address}{}",
                instance.key.as_ref().map(Key::suffix).unwrap_or_default()
            );
            let (value, rest) = match ops.first() {
                Some(TraversalOperator::GetAttr(attr)) => (
                    self.resource_attr(block, instance, &address, attr.value().as_str(), span),
                    ops.get(1..).unwrap_or(&[]),
                ),
                _ => {
                    let mut map = BTreeMap::new();
                    map.insert("id".to_owned(), V::str(address.clone(), span));
                    (V::new(Kind::Map(map), span), ops)
                }
            };
            self.apply_ops(value, rest, src, frame, span)
        };
        match expansion {
            Expansion::Single => match instances.first() {
                Some(instance) => attr_of(instance, ops),
                None => V::error(format!("{address} has no instance"), span),
            },
            Expansion::Count | Expansion::ForEach => match ops.first() {
                Some(TraversalOperator::Index(expr)) => {
                    let key = self.eval(Expr::Hcl(expr, src), frame);
                    pick(
                        instances,
                        |instance| instance.key.as_ref(),
                        &key,
                        &address,
                        span,
                    )
                    .map_or_else(
                        |unknown| unknown,
                        |instance| attr_of(instance, ops.get(1..).unwrap_or(&[])),
                    )
                }
                Some(TraversalOperator::LegacyIndex(number)) => {
                    let key = V::new(Kind::Num(*number.value() as f64), span);
                    pick(
                        instances,
                        |instance| instance.key.as_ref(),
                        &key,
                        &address,
                        span,
                    )
                    .map_or_else(
                        |unknown| unknown,
                        |instance| attr_of(instance, ops.get(1..).unwrap_or(&[])),
                    )
                }
                Some(TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)) => {
                    let rest = ops.get(1..).unwrap_or(&[]);
                    let items = instances
                        .iter()
                        .map(|instance| attr_of(instance, rest))
                        .collect();
                    V::new(Kind::List(items), span)
                }
                _ => {
                    let items: Vec<(Option<Key>, V)> = instances
                        .iter()
                        .map(|instance| (instance.key.clone(), attr_of(instance, &[])))
                        .collect();
                    let value = match expansion {
                        Expansion::ForEach => V::new(
                            Kind::Map(
                                items
                                    .into_iter()
                                    .map(|(key, value)| match key {
                                        Some(Key::Name(name)) => (name, value),
                                        _ => ("*".to_owned(), value),
                                    })
                                    .collect(),
                            ),
                            span,
                        ),
                        _ => V::new(
                            Kind::List(items.into_iter().map(|(_, value)| value).collect()),
                            span,
                        ),
                    };
                    self.apply_ops(value, ops, src, frame, span)
                }
            },
        }
    }

    fn resource_attr(
        &self,
        block: &Block<'_>,
        instance: &Instance,
        address: &str,
        attr: &str,
        span: Span,
    ) -> V {
        if attr == "id" {
            return V::str(address, span);
        }
        // A listener names its load balancer by ARN: the ARN stands for the balancer as its id does.
        if attr == "arn" && matches!(block.label(0), "aws_lb" | "aws_alb") {
            return V::str(address, span);
        }
        if attr == "default_security_group_id" && block.label(0) == "aws_vpc" {
            return V::str(crate::extract::default_group_id(address), span);
        }
        let Some(found) = block.body.attr(attr) else {
            return V::unknown(format!("{address}.{attr} is known only after apply"), span);
        };
        let key = format!("{address}.{attr}");
        if !self.active.borrow_mut().insert(key.clone()) {
            return V::unknown(format!("{key} refers to itself"), span);
        }
        let value = self.eval(found.expr, &instance.frame);
        self.active.borrow_mut().remove(&key);
        self.through(&value, span, |value| format!("{key} = {}", value.render()))
    }

    /// The instances of a resource or module block: `count`, `for_each`, or one.
    pub fn expand(&self, block: &Block<'_>) -> Rc<Expanded> {
        if let Some(found) = self.expansions.borrow().get(&block.span) {
            return Rc::clone(found);
        }
        let expanded = Rc::new(self.expand_uncached(block));
        self.expansions
            .borrow_mut()
            .insert(block.span, Rc::clone(&expanded));
        expanded
    }

    fn expand_uncached(&self, block: &Block<'_>) -> Expanded {
        let base = Frame::default();
        if let Some(count) = block.body.attr("count") {
            let value = self.eval(count.expr, &base);
            let instances = match value.to_i64() {
                Ok(number) => {
                    let number = usize::try_from(number).unwrap_or(0);
                    if number > MAX_ITEMS {
                        self.env
                            .limit(count.expr.span(), &format!("count above {MAX_ITEMS}"));
                    }
                    (0..number.min(MAX_ITEMS))
                        .map(|index| Instance {
                            key: Some(Key::Index(index)),
                            frame: base.with("count", index_object(index, count.expr.span())),
                            assumptions: Vec::new(),
                        })
                        .collect()
                }
                Err(reason) => vec![Instance {
                    key: Some(Key::Index(0)),
                    frame: base.with("count", index_object(0, count.expr.span())),
                    assumptions: vec![Trace::new(
                        count.expr.span(),
                        format!("count is unknown ({reason}); at least one instance is assumed"),
                    )],
                }],
            };
            return (Expansion::Count, instances);
        }
        if let Some(for_each) = block.body.attr("for_each") {
            let value = self.eval(for_each.expr, &base);
            let span = for_each.expr.span();
            let instances = match for_each_items(&value) {
                Ok(items) => {
                    if items.len() > MAX_ITEMS {
                        self.env
                            .limit(span, &format!("for_each over more than {MAX_ITEMS} items"));
                    }
                    items
                        .into_iter()
                        .take(MAX_ITEMS)
                        .map(|(key, value)| Instance {
                            frame: base.with("each", each_object(&key, value, span)),
                            key: Some(Key::Name(key)),
                            assumptions: Vec::new(),
                        })
                        .collect()
                }
                Err(reason) => {
                    let unknown = V::unknown(format!("for_each is unknown ({reason})"), span);
                    let mut each = BTreeMap::new();
                    each.insert("key".to_owned(), unknown.clone());
                    each.insert("value".to_owned(), unknown);
                    vec![Instance {
                        key: Some(Key::Unknown),
                        frame: base.with("each", V::new(Kind::Map(each), span)),
                        assumptions: vec![Trace::new(
                            span,
                            format!("for_each is unknown ({reason}); one instance is assumed"),
                        )],
                    }]
                }
            };
            return (Expansion::ForEach, instances);
        }
        (
            Expansion::Single,
            vec![Instance {
                key: None,
                frame: base,
                assumptions: Vec::new(),
            }],
        )
    }

    fn module_output(
        &self,
        name: &str,
        ops: &[&TraversalOperator],
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        let Some(call) = self.module.call(name) else {
            return V::error(
                format!("module.{name} is not declared in this module"),
                span,
            );
        };
        let children = self.children(call);
        let instances = match &*children {
            Children::Instances(instances) => instances,
            Children::Unresolved { reason, .. } => {
                return V::unknown(format!("module.{name}: {reason}"), span);
            }
        };
        let call_expanded = self.module.call(name).is_some_and(|block| {
            block.body.attr("count").is_some() || block.body.attr("for_each").is_some()
        });
        let output_of = |child: &Ctx<'a>, ops: &[&TraversalOperator]| -> V {
            let Some(TraversalOperator::GetAttr(output)) = ops.first() else {
                return V::unknown(format!("module.{name} is used as a whole"), span);
            };
            let output = output.value().as_str();
            let Some(block) = child.module.outputs.get(output) else {
                return V::error(format!("module.{name} has no output {output}"), span);
            };
            let Some(attr) = block.body.attr("value") else {
                return V::unknown(
                    format!("output {output} of module.{name} has no value"),
                    span,
                );
            };
            let value = child.eval(attr.expr, &Frame::default());
            let value = self.through(&value, span, |value| {
                format!("module.{name}.{output} = {}", value.render())
            });
            self.apply_ops(value, ops.get(1..).unwrap_or(&[]), src, frame, span)
        };
        if !call_expanded {
            return match instances.first() {
                Some(child) => output_of(child, ops),
                None => V::error(format!("module.{name} has no instance"), span),
            };
        }
        match ops.first() {
            Some(TraversalOperator::Index(expr)) => {
                let key = self.eval(Expr::Hcl(expr, src), frame);
                let address = format!("{}module.{name}", self.prefix);
                pick(
                    instances,
                    |child| child.instance.as_ref(),
                    &key,
                    &address,
                    span,
                )
                .map_or_else(
                    |unknown| unknown,
                    |child| output_of(child, ops.get(1..).unwrap_or(&[])),
                )
            }
            Some(TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)) => {
                let rest = ops.get(1..).unwrap_or(&[]);
                V::new(
                    Kind::List(
                        instances
                            .iter()
                            .map(|child| output_of(child, rest))
                            .collect(),
                    ),
                    span,
                )
            }
            _ => V::unknown(format!("module.{name} has several instances"), span),
        }
    }

    /// The instances of a module call, evaluated once.
    pub fn children(&self, block: &Block<'a>) -> Rc<Children<'a>> {
        let name = block.label(0);
        if let Some(found) = self.children.borrow().get(name) {
            return Rc::clone(found);
        }
        let key = format!("module.{name}");
        if !self.active.borrow_mut().insert(key.clone()) {
            return Rc::new(Children::Unresolved {
                reason: "the module's inputs depend on its own outputs".to_owned(),
                span: block.labels_span,
            });
        }
        let children = Rc::new(self.instantiate(block));
        self.active.borrow_mut().remove(&key);
        self.children
            .borrow_mut()
            .insert(name.to_owned(), Rc::clone(&children));
        children
    }

    fn instantiate(&self, block: &Block<'a>) -> Children<'a> {
        let name = block.label(0);
        let span = block.labels_span;
        let unresolved = |reason: String| Children::Unresolved { reason, span };
        let module_key = if self.key.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.key)
        };
        let dir = match self
            .world
            .resolutions
            .get(&(self.dir.clone(), module_key.clone()))
        {
            Some(Resolution::Dir(dir)) => dir.clone(),
            Some(Resolution::Unresolved(reason)) => return unresolved(reason.clone()),
            None => return unresolved("the module source is not a literal string".to_owned()),
        };
        if self.ancestors.contains(&dir) {
            return unresolved(format!("module cycle through {}", dir.display()));
        }
        if self.ancestors.len() > MAX_MODULE_DEPTH {
            self.env.limit(
                span,
                &format!("modules nested more than {MAX_MODULE_DEPTH} deep"),
            );
            return unresolved(format!("modules nested more than {MAX_MODULE_DEPTH} deep"));
        }
        let Some(module) = self.world.modules.get(&dir) else {
            return unresolved(format!("{} holds no Terraform file", dir.display()));
        };
        let instances = self.expand(block).1.clone();
        // Instantiating costs steps, so that diamonds of modules cannot multiply without bound.
        if !self.env.charge(
            u64::try_from(instances.len())
                .unwrap_or(u64::MAX)
                .saturating_mul(1000),
        ) {
            self.env
                .limit(span, &format!("more than {MAX_STEPS} evaluation steps"));
            return unresolved("the evaluation budget is spent".to_owned());
        }
        let reserved = [
            "source",
            "version",
            "count",
            "for_each",
            "providers",
            "depends_on",
        ];
        let children = instances
            .into_iter()
            .map(|instance| {
                let suffix = instance.key.as_ref().map(Key::suffix).unwrap_or_default();
                let address = format!("{}module.{name}{suffix}", self.prefix);
                let mut args: BTreeMap<&str, V> = BTreeMap::new();
                for attr in block.body.attrs() {
                    if !reserved.contains(&attr.name) {
                        args.insert(attr.name, self.eval(attr.expr, &instance.frame));
                    }
                }
                let mut vars = BTreeMap::new();
                for (var_name, var_block) in &module.variables {
                    let entry = match args.remove(var_name) {
                        // `nullable = false`: a null argument means the default.
                        Some(value) if value.is_null() && !nullable(var_block) => {
                            variable_default(self, var_block, &address)
                        }
                        Some(value) => (value, format!(" (argument of {address})")),
                        None => variable_default(self, var_block, &address),
                    };
                    vars.insert((*var_name).to_owned(), typed(self, var_block, entry));
                }
                let mut child = Ctx::new(self.env, self.world, module, dir.clone(), vars);
                child.prefix = format!("{address}.");
                child.key.clone_from(&module_key);
                child.ancestors = self
                    .ancestors
                    .iter()
                    .cloned()
                    .chain([dir.clone()])
                    .collect();
                child.assumptions = self
                    .assumptions
                    .iter()
                    .cloned()
                    .chain(instance.assumptions)
                    .collect();
                child.instance = instance.key;
                Rc::new(child)
            })
            .collect();
        Children::Instances(children)
    }
}

/// The instance of a `count` or `for_each` expansion that `key` selects; an instance assumed
/// for an unknown `for_each` answers every key.
fn pick<'i, T>(
    items: &'i [T],
    key_of: impl Fn(&T) -> Option<&Key>,
    key: &V,
    address: &str,
    span: Span,
) -> Result<&'i T, V> {
    let wanted = match &key.kind {
        Kind::Num(_) => key
            .to_i64()
            .ok()
            .and_then(|index| usize::try_from(index).ok())
            .map(Key::Index),
        Kind::Str(text) => Some(Key::Name(text.clone())),
        Kind::Unknown(_) | Kind::Error(_) => return Err(V::new(key.kind.clone(), span)),
        _ => None,
    };
    let Some(wanted) = wanted else {
        return Err(V::error(
            format!("{address} cannot be indexed by a {}", key.type_name()),
            span,
        ));
    };
    items
        .iter()
        .find(|item| matches!(key_of(item), Some(found) if *found == wanted || *found == Key::Unknown))
        .ok_or_else(|| V::error(format!("{address}{} does not exist", wanted.suffix()), span))
}

/// Whether a variable accepts null (`nullable = false` turns a null into the default).
fn nullable(block: &Block<'_>) -> bool {
    !block.body.attr("nullable").is_some_and(|attr| {
        matches!(attr.expr, Expr::Hcl(Expression::Bool(flag), _) if !*flag.value())
            || matches!(attr.expr, Expr::Json(Json::Bool(false, _), _))
    })
}

/// A variable's value converted to its declared type.
pub fn typed(ctx: &Ctx<'_>, block: &Block<'_>, (value, note): VarValue) -> VarValue {
    match block.body.attr("type") {
        Some(ty) => (crate::types::conform(ctx, value, ty.expr), note),
        None => (value, note),
    }
}

/// A variable's default (constant: Terraform allows no references there, so any context
/// evaluates it), or an unknown naming the variable.
pub fn variable_default(ctx: &Ctx<'_>, block: &Block<'_>, owner: &str) -> VarValue {
    let name = block.label(0);
    let within = if owner.is_empty() {
        String::new()
    } else {
        format!(" in {owner}")
    };
    match block.body.attr("default") {
        // `default = null` makes the variable optional; its value is null.
        Some(attr) => (
            ctx.eval(attr.expr, &Frame::default()),
            format!(" (default{within})"),
        ),
        None => (
            V::unknown(
                format!("var.{name}{within} has no value"),
                block.labels_span,
            ),
            String::new(),
        ),
    }
}

fn index_object(index: usize, span: Span) -> V {
    let mut map = BTreeMap::new();
    #[allow(clippy::cast_precision_loss)]
    map.insert("index".to_owned(), V::new(Kind::Num(index as f64), span));
    V::new(Kind::Map(map), span)
}

fn each_object(key: &str, value: V, span: Span) -> V {
    let mut map = BTreeMap::new();
    map.insert("key".to_owned(), V::str(key, span));
    map.insert("value".to_owned(), value);
    V::new(Kind::Map(map), span)
}

/// The keys and values `for_each` iterates: a map's entries, or a set of strings (key = value).
pub fn for_each_items(value: &V) -> Result<Vec<(String, V)>, String> {
    match &value.kind {
        Kind::Map(map) => Ok(map
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()),
        Kind::List(items) => {
            let mut out: BTreeMap<String, V> = BTreeMap::new();
            for item in items {
                out.insert(item.to_text()?, item.clone());
            }
            Ok(out.into_iter().collect())
        }
        Kind::Null => Ok(Vec::new()),
        Kind::Unknown(reason) | Kind::Error(reason) => Err(reason.clone()),
        _ => Err(format!("for_each over a {}", value.type_name())),
    }
}

fn trim_end_if(text: &mut String, strip: bool) {
    if strip {
        let len = text.trim_end().len();
        text.truncate(len);
    }
}

/// The (key, value) pairs a `for` expression or a dynamic block iterates.
pub fn iterate(value: &V) -> Result<Vec<(V, V)>, String> {
    match &value.kind {
        Kind::List(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                #[allow(clippy::cast_precision_loss)]
                let key = V::new(Kind::Num(index as f64), item.span);
                (key, item.clone())
            })
            .collect()),
        Kind::Map(map) => Ok(map
            .iter()
            .map(|(key, item)| (V::str(key.clone(), item.span), item.clone()))
            .collect()),
        Kind::Null => Ok(Vec::new()),
        Kind::Unknown(reason) | Kind::Error(reason) => Err(reason.clone()),
        _ => Err(format!("cannot iterate over a {}", value.type_name())),
    }
}

fn get_attr(value: V, name: &str, span: Span) -> V {
    if let Some(failure) = value.failure_at(span) {
        return failure;
    }
    match value.kind {
        Kind::Map(mut map) => map
            .remove(name)
            .unwrap_or_else(|| V::error(format!("attribute {name} is not set"), span)),
        _ => V::error(
            format!("a {} has no attribute {name}", value.type_name()),
            span,
        ),
    }
}

fn index_value(value: V, key: &V, span: Span) -> V {
    if let Some(failure) = key.failure_at(span).or_else(|| value.failure_at(span)) {
        return failure;
    }
    match value.kind {
        Kind::List(items) => match key
            .to_i64()
            .ok()
            .and_then(|index| usize::try_from(index).ok())
        {
            Some(index) => {
                let len = items.len();
                items.into_iter().nth(index).unwrap_or_else(|| {
                    V::error(
                        format!("index {index} is out of range (length {len})"),
                        span,
                    )
                })
            }
            None => V::error("a list index must be a whole number", span),
        },
        Kind::Map(mut map) => match key.to_text() {
            Ok(text) => map
                .remove(&text)
                .unwrap_or_else(|| V::error(format!("key {text:?} is not in the map"), span)),
            Err(reason) => V::error(reason, span),
        },
        _ => V::error(format!("a {} cannot be indexed", value.type_name()), span),
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

/// Whether a module source names a directory of the scan (local), to decide root modules.
pub fn local_source<'b>(block: &Block<'b>) -> Option<&'b str> {
    block
        .body
        .attr("source")
        .and_then(|attr| attr.expr.as_literal_str())
        .filter(|source| is_local_source(source))
}
