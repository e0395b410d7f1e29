#![no_main]
//! The HCL front-end and the Terraform evaluator on one or several files: the input is split at
//! NUL bytes, and each piece becomes the next file of a small module tree (a root with variables,
//! tfvars and JSON syntax, and a local module it may call as `./modules/m`).

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use portcullis_ir::SourceMap;

const NAMES: [&str; 6] = [
    "main.tf",
    "modules/m/main.tf",
    "terraform.tfvars",
    "variables.tf",
    "override.tf.json",
    "modules/m/variables.tf",
];

fuzz_target!(|data: &[u8]| {
    let Some(text) = portcullis_fuzz::text(data) else {
        return;
    };
    let sources = SourceMap::new();
    let files: Vec<_> = text
        .split('\0')
        .zip(NAMES)
        .map(|(piece, name)| sources.add(format!("{}/{name}", portcullis_fuzz::ROOT), piece))
        .collect();
    let options = portcullis_terraform::Options {
        scan_roots: vec![PathBuf::from(portcullis_fuzz::ROOT)],
        ..portcullis_terraform::Options::default()
    };
    let units = portcullis_terraform::analyze(&files, &sources, &options);
    portcullis_fuzz::check_and_render(&sources, &units);
});
