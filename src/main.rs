//! The `portcullis` command line.

mod args;
mod baseline;
mod fix;
mod outputs;
mod progress;
mod scan;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use portcullis_checks::{RULES, find_rule};

use args::ScanArgs;

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
    Scan(Box<ScanArgs>),
    /// List every rule with its code, name, category and default severity.
    Rules,
    /// Print the documentation of a rule, by code or name.
    Explain { rule: String },
    /// Serve the Language Server Protocol over standard input and output.
    Lsp,
    /// Write a commented default portcullis.toml in the current directory.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Command::Scan(args) => {
            let scan_matches = matches.subcommand_matches("scan");
            scan::run_scan(*args, scan_matches, &mut stdout)
        }
        Command::Rules => write_rules(&mut stdout).map(|()| ExitCode::SUCCESS),
        Command::Explain { rule } => explain(&rule, &mut stdout),
        Command::Init { force } => init(force, &mut stdout),
        Command::Lsp => {
            drop(stdout);
            Ok(ExitCode::from(
                u8::try_from(portcullis_lsp::run_stdio()).unwrap_or(1),
            ))
        }
    };
    result.unwrap_or_else(|message| {
        let _ = writeln!(std::io::stderr(), "portcullis: {message}");
        ExitCode::from(2)
    })
}

fn explain(rule: &str, out: &mut impl Write) -> Result<ExitCode, String> {
    let meta = find_rule(rule)
        .ok_or_else(|| format!("no rule is called `{rule}`; `portcullis rules` lists them"))?;
    writeln!(
        out,
        "# {} ({})\n\n{}",
        meta.name,
        meta.code,
        meta.documentation()
    )
    .map_err(|error| error.to_string())?;
    Ok(ExitCode::SUCCESS)
}

fn init(force: bool, out: &mut impl Write) -> Result<ExitCode, String> {
    let path = Path::new(portcullis_config::FILE_NAMES[0]);
    if path.exists() && !force {
        return Err(format!(
            "{} already exists; use --force to overwrite it",
            path.display()
        ));
    }
    std::fs::write(path, portcullis_config::default_file())
        .map_err(|error| format!("{}: {error}", path.display()))?;
    writeln!(out, "wrote {}", path.display()).map_err(|error| error.to_string())?;
    Ok(ExitCode::SUCCESS)
}

fn write_rules(out: &mut impl Write) -> Result<(), String> {
    let mut text = format!(
        "{:<8} {:<41} {:<21} {:<9} default\n",
        "code", "name", "category", "severity"
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
