//! A three-valued evaluator over the hcl-edit AST (and Terraform JSON): every result is known
//! with its span and traces, or unknown with the reason. Nothing is guessed.
//!
//! Each file answers one question and adds its methods to [`Ctx`], the module instance being
//! evaluated; files import one another only downwards (`context` → `env`, `frame`,
//! `instances`), never through this module.

mod context;
mod env;
mod expansion;
mod expressions;
mod frame;
mod instances;
mod iteration;
mod modules;
mod references;
mod templates;
mod traversal;
mod types;
mod variables;

pub use context::{Children, Ctx, Resolution, VarValue, World};
pub use env::Env;
pub use frame::Frame;
pub use instances::Key;
pub use iteration::iterate;
pub use references::default_group_id;
pub use variables::{typed, variable_default};
