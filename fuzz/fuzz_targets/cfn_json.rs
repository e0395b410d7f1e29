#![no_main]
//! The CloudFormation front-end on one JSON template.

mod common;

use libfuzzer_sys::fuzz_target;
use portcullis_ir::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Some(text) = common::text(data) else {
        return;
    };
    let sources = SourceMap::new();
    let file = sources.add(format!("{}/template.json", common::ROOT), text);
    let options = portcullis_cloudformation::Options::default();
    let units: Vec<_> = portcullis_cloudformation::analyze(&file, &options)
        .into_iter()
        .collect();
    common::check_and_render(&sources, &units);
});
