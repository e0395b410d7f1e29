//! Evaluation of intrinsic functions against parameters, mappings and conditions.
//!
//! Values are three-valued: known (with the span of the expression and `via` traces naming the
//! parameter or mapping that supplied it), unknown with a reason, or `AWS::NoValue`. Conditions
//! that cannot be decided before deployment are assumed one way or the other by a [`World`]; the
//! caller enumerates worlds and records the assumptions on the items it builds.

mod conditions;
mod intrinsics;
mod parameters;
mod template;
mod value;

pub use template::{Template, World};
pub use value::Ev;
