//! The shared vocabulary of portcullis: where text came from ([`source`]), and what the
//! infrastructure declares ([`model`]), independent of Terraform or CloudFormation.

pub mod model;
pub mod source;
mod value;

pub use model::*;
pub use source::{
    FileId, Location, MAX_FILE_SIZE, SourceFile, SourceMap, Span, utf16_column_offset,
};
pub use value::{Trace, Value};
