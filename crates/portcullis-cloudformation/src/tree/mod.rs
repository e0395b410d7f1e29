//! One document tree for CloudFormation JSON and YAML, with byte spans on every node.
//!
//! YAML short tags become the long forms (`!Ref X` is `{"Ref": "X"}`, `!Sub s` is
//! `{"Fn::Sub": s}`), so the evaluator sees a single language. Scalars keep their text: CloudFormation
//! reads `22`, `"22"` and `'22'` alike, and the consumer coerces.

mod json;
mod node;
mod repair;
mod yaml;

pub use json::parse_json;
pub use node::{Document, Entry, Kind, Node, SyntaxError};
pub use yaml::parse_yaml;

#[cfg(test)]
mod tests;
