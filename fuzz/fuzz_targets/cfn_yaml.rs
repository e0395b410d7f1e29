#![no_main]
//! The CloudFormation front-end on one YAML template.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| portcullis_fuzz::cloudformation(data, "yaml"));
