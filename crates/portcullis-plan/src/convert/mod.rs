//! Planned resource instances to the IR. Values come from the plan; spans come from the `.tf`
//! source when it is present (with the plan location as a `via` trace), else from the plan.
//!
//! Files import one another downwards only (`builders` → `nacls` → `fields` → `plan` →
//! `modules` → `gather`), never through this module.

mod builders;
mod fields;
mod gather;
mod modules;
mod nacls;
mod plan;
mod values;

pub use fields::{SENSITIVE, UNKNOWN_AFTER_APPLY};
pub use gather::gather;
pub use modules::{SourceRoot, declares_root, is_dir};
pub use plan::Plan;
