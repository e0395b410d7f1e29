//! What the two Terraform front-ends share: `portcullis-terraform`, which evaluates `.tf`
//! configuration, and `portcullis-plan`, which reads `terraform show -json` plans and maps them
//! back to that configuration. Neither depends on the other; both depend on this crate for
//!
//! - [`schema`]: what the AWS provider's resource types say about security groups (which
//!   attributes hold groups, subnets and peers, how reachability is written) and the coercions
//!   of attribute text into protocols and CIDRs;
//! - [`manifest`]: where modules live (`.terraform/modules/modules.json`, local sources);
//! - [`hcl`]: one HCL reader that survives a parser panic and the duplicate object keys
//!   Terraform accepts.

pub mod hcl;
pub mod manifest;
pub mod schema;

pub use hcl::guarded;
