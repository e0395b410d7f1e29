//! The `portcullis` command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use portcullis_checks::{RULES, find_rule};
use portcullis_diagnostics::Severity;
use portcullis_engine::{self as scan, ScanOptions};

#[derive(Parser)]
#[command(
    name = "portcullis",
    version,
    about = "Finds AWS security-group exposure in Terraform and CloudFormation before it ships"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan files and directories for exposed security groups.
    Scan(ScanArgs),
    /// List every rule with its code, name, category and default severity.
    Rules,
    /// Print the documentation of a rule, by code or name.
    Explain { rule: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args)]
struct ScanArgs {
    /// Files or directories to scan.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, default_value = "high", value_parser = parse_severity)]
    fail_on: Severity,
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
    /// Worker threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Set a Terraform variable, as `terraform -var` does.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Read Terraform variables from a .tfvars file, as `terraform -var-file` does.
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// CloudFormation parameter values (AWS CLI or {"Parameters": {...}} format).
    #[arg(long = "cfn-parameters", value_name = "FILE")]
    cfn_parameters: Option<PathBuf>,
    /// Follow local module sources that leave the scanned directories.
    #[arg(long)]
    allow_outside_root: bool,
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text)
        .ok_or_else(|| format!("`{text}` is not one of critical, high, medium, low, info"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Command::Scan(args) => run_scan(args, &mut stdout),
        Command::Rules => write_rules(&mut stdout).map(|()| ExitCode::SUCCESS),
        Command::Explain { rule } => match find_rule(&rule) {
            Some(meta) => writeln!(
                stdout,
                "# {} ({})\n\n{}",
                meta.name,
                meta.code,
                meta.documentation()
            )
            .map(|()| ExitCode::SUCCESS)
            .map_err(|error| error.to_string()),
            None => Err(format!(
                "no rule is called `{rule}`; `portcullis rules` lists them"
            )),
        },
    };
    result.unwrap_or_else(|message| {
        let _ = writeln!(std::io::stderr(), "portcullis: {message}");
        ExitCode::from(2)
    })
}

fn write_rules(out: &mut impl Write) -> Result<(), String> {
    let mut text = String::from(
        "code     name                                      category              severity  default\n",
    );
    for rule in RULES {
        let meta = rule.meta;
        text.push_str(&format!(
            "{:<8} {:<41} {:<21} {:<9} {}\n",
            meta.code,
            meta.name,
            meta.category,
            meta.default_severity,
            if meta.enabled_by_default { "on" } else { "off" }
        ));
    }
    out.write_all(text.as_bytes())
        .map_err(|error| error.to_string())
}

fn run_scan(args: ScanArgs, stdout: &mut impl Write) -> Result<ExitCode, String> {
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
    let options = ScanOptions {
        paths: args.paths.clone(),
        threads: args.threads,
        terraform: portcullis_terraform::Options {
            vars,
            var_files: args.var_files,
            allow_outside_root: args.allow_outside_root,
            scan_roots: args.paths,
        },
        cloudformation: portcullis_cloudformation::Options {
            parameters: cfn_parameters,
        },
        settings: portcullis_checks::Settings::default(),
        overlays: std::collections::BTreeMap::new(),
    };
    let result = scan::run(options)?;
    for error in &result.walk_errors {
        let _ = writeln!(std::io::stderr(), "portcullis: {error}");
    }
    let outcome = result.outcome();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let rendered = match args.format {
        Format::Text => {
            portcullis_report::render_text(&outcome, portcullis_report::TextOptions { color })
        }
        Format::Json => portcullis_report::render_json(&outcome),
    };
    match &args.output {
        Some(path) => std::fs::write(path, rendered)
            .map_err(|error| format!("{}: {error}", path.display()))?,
        None => stdout
            .write_all(rendered.as_bytes())
            .map_err(|error| error.to_string())?,
    }
    Ok(ExitCode::from(result.exit_code(args.fail_on)))
}
