//! The shared vocabulary of portcullis: where text came from ([`source`]), and what the
//! infrastructure declares ([`model`]), independent of Terraform or CloudFormation.

pub mod model;
pub mod source;
mod value;

pub use model::*;
pub use source::{FileId, Location, SourceFile, SourceMap, Span, strict_json};
pub use value::{Trace, Value};
