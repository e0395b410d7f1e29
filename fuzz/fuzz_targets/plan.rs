#![no_main]
//! The Terraform plan JSON reader on one plan, without its configuration (the plan's directory
//! does not exist).

mod common;

use libfuzzer_sys::fuzz_target;
use portcullis_ir::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Some(text) = common::text(data) else {
        return;
    };
    // `is_plan` is what decides whether a JSON file reaches the reader; both must hold up.
    let _ = portcullis_plan::is_plan(text);
    let sources = SourceMap::new();
    let file = sources.add(format!("{}/plan.json", common::ROOT), text);
    let unit = portcullis_plan::analyze(&file, &sources, &portcullis_plan::Options::default());
    common::check_and_render(&sources, &[unit]);
});
