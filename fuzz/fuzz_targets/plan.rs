#![no_main]
//! The Terraform plan JSON reader on one plan, without its configuration (the plan's directory
//! does not exist).

use libfuzzer_sys::fuzz_target;
use portcullis_ir::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Some(text) = portcullis_fuzz::text(data) else {
        return;
    };
    // `is_plan` is what decides whether a JSON file reaches the reader; both must hold up.
    let _ = portcullis_plan::is_plan(text);
    let sources = SourceMap::new();
    let file = sources.add(format!("{}/plan.json", portcullis_fuzz::ROOT), text);
    let unit = portcullis_plan::analyze(&file, &sources, &portcullis_plan::Options::default());
    portcullis_fuzz::check_and_render(&sources, &[unit]);
});
