//! A module instance being evaluated: the declarations of its module, the values of its
//! variables, and the memo tables of its locals, expansions and module calls.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::rc::Rc;

use portcullis_ir::{Span, Trace};

use super::env::Env;
use super::frame::Frame;
use super::instances::{Expanded, Key};
use crate::models::{ModelCall, ModelInstance};
use crate::module::Module;
use crate::syntax::Expr;
use crate::value::V;

/// Where a module call leads.
#[derive(Debug, Clone)]
pub enum Resolution {
    Dir(PathBuf),
    /// Not installed, and a model stands for the module.
    Model(ModelCall),
    Unresolved(String),
}

/// Every module directory loaded for one root, and how each call resolves.
#[derive(Debug, Default)]
pub struct World<'a> {
    pub modules: BTreeMap<PathBuf, Module<'a>>,
    /// Keyed by the caller's directory and the call's module key (`web`, `web.rules`).
    pub resolutions: BTreeMap<(PathBuf, String), Resolution>,
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
    /// Locals evaluated so far.
    pub(super) locals: RefCell<BTreeMap<String, Rc<V>>>,
    /// What is being evaluated (`local.x`, `module.web`, an attribute), to stop self-references.
    pub(super) active: RefCell<BTreeSet<String>>,
    /// The instances of each module call, by call name.
    pub(super) children: RefCell<BTreeMap<String, Rc<Children<'a>>>>,
    /// `count`/`for_each` of each resource and module block, by block span: references to a
    /// resource expand it again and again.
    pub(super) expansions: RefCell<BTreeMap<Span, Rc<Expanded>>>,
}

/// The instances of a module call, or why it cannot be followed.
#[derive(Debug)]
pub enum Children<'a> {
    Instances(Vec<Rc<Ctx<'a>>>),
    /// A module that is not installed, read through its model.
    Model(Vec<Rc<ModelInstance>>),
    Unresolved {
        reason: String,
        span: Span,
    },
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
        if let Err(stop) = self.env.charge(1) {
            return self.env.stopped(span, stop);
        }
        let depth = match self.env.enter() {
            Ok(depth) => depth,
            Err(limit) => return self.env.limit(span, limit),
        };
        let value = match expr {
            Expr::Hcl(expr, src) => self.eval_hcl(expr, src, frame),
            Expr::Json(json, src) => self.eval_json(json, src, frame),
        };
        self.env.leave(depth);
        value
    }
}
