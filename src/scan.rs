//! `portcullis scan`: from arguments and configuration to a scan, fixes and reports.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::ArgMatches;
use portcullis_diagnostics::Severity;
use portcullis_engine::ScanOptions;

use crate::args::ScanArgs;
use crate::progress::Progress;
use crate::{baseline, fix, outputs};

/// `portcullis scan`: scans, applies fixes when asked, and writes every format asked for.
pub fn run_scan(
    args: ScanArgs,
    matches: Option<&ArgMatches>,
    stdout: &mut impl Write,
) -> Result<ExitCode, String> {
    let outputs = outputs::destinations(&args, matches)?;
    let config = load_config(&args)?;
    let mut options = scan_options(&args, matches, &config)?;
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(Severity::High);

    let progress =
        (!args.quiet && std::io::stderr().is_terminal()).then(|| Progress::start(&mut options));
    let scanned = portcullis_engine::run(options.clone());
    drop(progress);
    let mut result = scanned.map_err(|error| error.to_string())?;
    if args.fix {
        let applied = fix::apply(
            &result.sources,
            &result.findings,
            args.unsafe_fixes,
            &options.paths,
        )?;
        let _ = (!args.quiet).then(|| {
            writeln!(
                std::io::stderr(),
                "portcullis: fixed {} finding{} in {} file{}",
                applied.findings,
                if applied.findings == 1 { "" } else { "s" },
                applied.files,
                if applied.files == 1 { "" } else { "s" },
            )
        });
        for path in &applied.skipped {
            let _ = writeln!(
                std::io::stderr(),
                "portcullis: {path} changed during the scan; not fixed"
            );
        }
        for path in &applied.outside {
            let _ = writeln!(
                std::io::stderr(),
                "portcullis: {path} is module code outside the scanned files; not fixed"
            );
        }
        if applied.files > 0 {
            result = portcullis_engine::run(options).map_err(|error| error.to_string())?;
        }
    }
    if let Some(counts) = result.downloads.filter(|_| !args.quiet) {
        let fetched = counts.downloaded + counts.from_cache + counts.failed;
        if fetched > 0 {
            let _ = writeln!(
                std::io::stderr(),
                "portcullis: remote modules: {} downloaded, {} from the cache, {} not available",
                counts.downloaded,
                counts.from_cache,
                counts.failed
            );
        }
    }
    for error in &result.walk_errors {
        let _ = writeln!(
            std::io::stderr(),
            "portcullis: {}",
            portcullis_report::neutralise(error)
        );
    }
    if let Some(path) = &args.write_baseline {
        baseline::write(path, &result)?;
    }
    outputs::write(&result, &outputs, &args, stdout)?;
    let code = ExitCode::from(result.exit_code(fail_on));
    // The process ends here: freeing every file and finding one by one only delays the exit.
    std::mem::forget(result);
    Ok(code)
}

/// The scan the arguments ask for, on top of the configuration file's settings.
fn scan_options(
    args: &ScanArgs,
    matches: Option<&ArgMatches>,
    config: &portcullis_config::Resolved,
) -> Result<ScanOptions, String> {
    let mut vars = Vec::new();
    for pair in &args.vars {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("--var `{pair}` is not NAME=VALUE"))?;
        vars.push((name.trim().to_owned(), value.to_owned()));
    }
    let cfn_parameters = match &args.cfn_parameters {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|error| format!("{}: {error}", path.display()))?;
            portcullis_cloudformation::parse_parameters_file(&text)
                .map_err(|error| format!("{}: {error}", path.display()))?
        }
        None => Vec::new(),
    };
    let baseline = match &args.baseline {
        Some(path) => baseline::read(path)?,
        None => BTreeSet::new(),
    };
    let mut paths = args.paths.clone();
    // `--plan FILE` alone scans the plan, not the whole working directory.
    let default_paths = matches.and_then(|m| m.value_source("paths"))
        == Some(clap::parser::ValueSource::DefaultValue);
    if !args.plan.is_empty() && default_paths {
        paths.clear();
    }
    paths.extend(args.plan.iter().cloned());
    let mut options = ScanOptions::configured(paths, config);
    options.plan = portcullis_plan::Options {
        source_dirs: if args.plan_source.is_empty() {
            args.paths.clone()
        } else {
            args.plan_source.clone()
        },
    };
    options.threads = args.threads;
    options.terraform.vars = vars;
    options
        .terraform
        .var_files
        .extend(args.var_files.iter().cloned());
    options.terraform.allow_outside_root |= args.allow_outside_root;
    if args.no_download_modules {
        options.downloads = None;
    } else if args.download_modules || args.module_cache.is_some() {
        let cache_dir = args
            .module_cache
            .clone()
            .or_else(|| config.module_cache.clone());
        options.download_modules(cache_dir);
    }
    options.terraform.scan_roots.clone_from(&args.paths);
    options.cloudformation = portcullis_cloudformation::Options {
        parameters: cfn_parameters,
    };
    if !args.select.is_empty() {
        options.settings.select.clone_from(&args.select);
    }
    options.settings.enable.extend(args.enable.iter().cloned());
    options
        .settings
        .disable
        .extend(args.disable.iter().cloned());
    options.exclude.extend(args.exclude.iter().cloned());
    if let Some(limit) = args.max_file_size {
        options.max_file_size = limit;
    }
    options.baseline = baseline;
    Ok(options)
}

fn load_config(args: &ScanArgs) -> Result<portcullis_config::Resolved, String> {
    if args.no_config {
        return Ok(portcullis_config::Resolved::default());
    }
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => args
            .paths
            .first()
            .and_then(|path| portcullis_config::discover(path)),
    };
    match path {
        Some(path) => portcullis_config::load(&path).map_err(|error| error.to_string()),
        None => Ok(portcullis_config::Resolved::default()),
    }
}
