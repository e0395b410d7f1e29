//! The `portcullis` command line.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use portcullis_checks::{RULES, find_rule};
use portcullis_diagnostics::{RuleMeta, Severity};
use portcullis_engine::{ScanOptions, ScanResult};

mod fix;

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

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
    Github,
    Junit,
    /// A report for pull-request comments and job summaries, with a Mermaid exposure map.
    Markdown,
    /// The exposure map for Graphviz.
    Dot,
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
    /// Output format; repeat it to write several formats in one run (each with its --output).
    #[arg(long, value_enum)]
    format: Vec<Format>,
    /// Where the preceding --format goes, or FORMAT=FILE (for example -o sarif=results.sarif).
    #[arg(long, short = 'o', value_name = "FILE|FORMAT=FILE")]
    output: Vec<String>,
    /// Exit with 1 when a finding is at or above this severity [default: high].
    #[arg(long, value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Run only these rules (codes or names, comma-separated or repeated), on by default or not.
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = parse_rule)]
    select: Vec<String>,
    /// Also run these rules that are off by default (added to the configuration's).
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = parse_rule)]
    enable: Vec<String>,
    /// Do not run these rules (added to the configuration's).
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = parse_rule)]
    disable: Vec<String>,
    /// Paths not to scan, in .gitignore syntax (added to the configuration's `exclude`).
    #[arg(long, value_name = "PATTERN")]
    exclude: Vec<String>,
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
    /// Worker threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Configuration file (default: portcullis.toml or .portcullis.toml, found walking up from the first path).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// List suppressed findings in text output.
    #[arg(long)]
    show_suppressed: bool,
    /// Report and fail only on findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings in a baseline file.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
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
    /// A `terraform show -json` plan to scan (plans are also found by content while walking).
    #[arg(long, value_name = "FILE")]
    plan: Vec<PathBuf>,
    /// Where the configuration that produced the plans lives (default: the scanned paths).
    #[arg(long, value_name = "DIR")]
    plan_source: Vec<PathBuf>,
    /// Apply the safe fixes of suggestions to the scanned files, then report what remains.
    #[arg(long)]
    fix: bool,
    /// With --fix, also apply unsafe fixes (they change who can connect, e.g. a tighter CIDR).
    #[arg(long, requires = "fix")]
    unsafe_fixes: bool,
    /// Files larger than this many bytes are reported instead of read [default: 10485760].
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,
    /// Print nothing on standard error but errors (no progress, no fix summary).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// The SARIF `automationDetails.id`, to tell several uploads for one commit apart.
    #[arg(long, default_value = "portcullis/")]
    sarif_category: String,
    /// Markdown: prefix links to scanned files with this URL, for example
    /// https://github.com/OWNER/REPO/blob/SHA/ in a pull-request comment (default: relative links).
    #[arg(long, value_name = "URL")]
    link_base: Option<String>,
    /// Markdown: keep the report under this many characters, leaving rows out with a note
    /// (GitHub refuses comments over 65536 characters and job summaries over 1 MiB).
    #[arg(long, value_name = "CHARS", value_parser = parse_max_chars)]
    markdown_max_chars: Option<usize>,
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text)
        .ok_or_else(|| format!("`{text}` is not one of critical, high, medium, low, info"))
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
            run_scan(*args, scan_matches, &mut stdout)
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

fn parse_max_chars(text: &str) -> Result<usize, String> {
    let minimum = portcullis_report::MARKDOWN_MIN_MAX_CHARS;
    text.parse::<usize>()
        .ok()
        .filter(|chars| *chars >= minimum)
        .ok_or_else(|| format!("`{text}` is not a number of characters of at least {minimum}"))
}

/// A rule's code, from its code or name.
fn parse_rule(text: &str) -> Result<String, String> {
    find_rule(text.trim())
        .map(|meta| meta.code.to_owned())
        .ok_or_else(|| format!("no rule is called `{text}`; `portcullis rules` lists them"))
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

/// Where each format goes: `None` is standard output.
fn destinations(
    args: &ScanArgs,
    matches: Option<&ArgMatches>,
) -> Result<Vec<(Format, Option<PathBuf>)>, String> {
    let indices = |name: &str| -> Vec<usize> {
        matches
            .and_then(|m| m.indices_of(name))
            .map(Iterator::collect)
            .unwrap_or_default()
    };
    let mut formats: Vec<(usize, Format, Option<PathBuf>)> = indices("format")
        .into_iter()
        .zip(args.format.iter().copied())
        .map(|(index, format)| (index, format, None))
        .collect();
    for (index, output) in indices("output").into_iter().zip(&args.output) {
        if let Some((name, file)) = output.split_once('=') {
            let format = Format::from_str(name, true)
                .map_err(|_| format!("--output {output}: `{name}` is not a format"))?;
            formats.push((index, format, Some(PathBuf::from(file))));
            continue;
        }
        // A plain file belongs to the nearest --format before it that has no file yet, or else
        // to the first one after it (`-o report.json --format json`).
        let free = |(_, (_, _, file)): &(usize, &(usize, Format, Option<PathBuf>))| file.is_none();
        let before = formats
            .iter()
            .enumerate()
            .filter(free)
            .filter(|(_, (at, _, _))| *at < index)
            .max_by_key(|(_, (at, _, _))| *at);
        let after = formats
            .iter()
            .enumerate()
            .filter(free)
            .filter(|(_, (at, _, _))| *at > index)
            .min_by_key(|(_, (at, _, _))| *at);
        let target = before.or(after).map(|(position, _)| position);
        match target {
            Some(position) => formats[position].2 = Some(PathBuf::from(output)),
            None if args.format.is_empty() && formats.is_empty() => {
                formats.push((index, Format::Text, Some(PathBuf::from(output))));
            }
            None => {
                return Err(format!(
                    "--output {output} follows no --format; write FORMAT={output}"
                ));
            }
        }
    }
    if formats.is_empty() {
        formats.push((0, Format::Text, None));
    }
    let to_stdout = formats.iter().filter(|(_, _, file)| file.is_none()).count();
    if to_stdout > 1 {
        return Err(
            "only one format can go to standard output; give the others an --output".to_owned(),
        );
    }
    formats.sort_by_key(|(index, _, _)| *index);
    Ok(formats
        .into_iter()
        .map(|(_, format, file)| (format, file))
        .collect())
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

fn read_baseline(path: &Path) -> Result<BTreeSet<String>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| format!("{}: not a portcullis baseline: {error}", path.display()))?;
    let entries = value["findings"].as_array().ok_or_else(|| {
        format!(
            "{}: not a portcullis baseline: no `findings` list",
            path.display()
        )
    })?;
    Ok(entries
        .iter()
        .filter_map(|entry| entry["fingerprint"].as_str().map(str::to_owned))
        .collect())
}

fn write_baseline(path: &Path, result: &ScanResult) -> Result<(), String> {
    let findings: Vec<serde_json::Value> = result
        .findings
        .iter()
        .chain(
            result
                .suppressed
                .iter()
                .filter(|s| s.suppression.kind == portcullis_ir::SuppressedBy::Baseline)
                .map(|s| &s.diagnostic),
        )
        .map(|finding| {
            serde_json::json!({
                "fingerprint": finding.fingerprint,
                "rule_id": finding.rule.code,
                "file": result.sources.path(finding.span.file),
                "resource": finding.resource,
                "message": finding.message,
            })
        })
        .collect();
    let document = serde_json::json!({ "version": 1, "tool": "portcullis", "findings": findings });
    let text = serde_json::to_string_pretty(&document).map_err(|error| error.to_string())? + "\n";
    std::fs::write(path, text).map_err(|error| format!("{}: {error}", path.display()))
}

fn run_scan(
    args: ScanArgs,
    matches: Option<&ArgMatches>,
    stdout: &mut impl Write,
) -> Result<ExitCode, String> {
    let outputs = destinations(&args, matches)?;
    let config = load_config(&args)?;
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
        Some(path) => read_baseline(path)?,
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
    let mut options = ScanOptions::configured(paths, &config);
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
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(Severity::High);

    let progress =
        (!args.quiet && std::io::stderr().is_terminal()).then(|| Progress::start(&mut options));
    let scanned = portcullis_engine::run(options.clone());
    drop(progress);
    let mut result = scanned.map_err(|error| error.to_string())?;
    if args.fix {
        let applied = fix::apply(&result.sources, &result.findings, args.unsafe_fixes)?;
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
        if applied.files > 0 {
            result = portcullis_engine::run(options).map_err(|error| error.to_string())?;
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
        write_baseline(path, &result)?;
    }
    let outcome = result.outcome();
    let rules: Vec<&'static RuleMeta> = RULES.iter().map(|rule| rule.meta).collect();
    let source_root = std::env::current_dir().ok().map(|dir| {
        let (uri, _) = portcullis_report::path_uri(&format!("{}/", dir.display()));
        uri
    });
    for (format, file) in outputs {
        let color = match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                file.is_none()
                    && std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none()
            }
        };
        let (mut to_file, mut to_stdout);
        let out: &mut dyn Write = match &file {
            Some(path) => {
                let created = std::fs::File::create(path)
                    .map_err(|error| format!("{}: {error}", path.display()))?;
                to_file = std::io::BufWriter::new(created);
                &mut to_file
            }
            None => {
                to_stdout = std::io::BufWriter::new(&mut *stdout);
                &mut to_stdout
            }
        };
        let written = match format {
            // The two formats that grow largest are written as they are made.
            Format::Json => portcullis_report::write_json(&outcome, out),
            Format::Sarif => portcullis_report::write_sarif(
                &outcome,
                &portcullis_report::SarifOptions {
                    rules: &rules,
                    category: &args.sarif_category,
                    source_root: source_root.clone(),
                },
                out,
            ),
            Format::Text => out.write_all(
                portcullis_report::render_text(
                    &outcome,
                    portcullis_report::TextOptions {
                        color,
                        show_suppressed: args.show_suppressed,
                    },
                )
                .as_bytes(),
            ),
            Format::Github => out.write_all(portcullis_report::render_github(&outcome).as_bytes()),
            Format::Junit => out.write_all(portcullis_report::render_junit(&outcome).as_bytes()),
            Format::Markdown => {
                let options = portcullis_report::MarkdownOptions {
                    link_base: args.link_base.as_deref(),
                    max_chars: args.markdown_max_chars,
                };
                out.write_all(portcullis_report::render_markdown(&outcome, &options).as_bytes())
            }
            Format::Dot => out.write_all(portcullis_report::render_dot(&outcome).as_bytes()),
        };
        written
            .and_then(|()| out.flush())
            .map_err(|error| match &file {
                Some(path) => format!("{}: {error}", path.display()),
                None => error.to_string(),
            })?;
    }
    let code = ExitCode::from(result.exit_code(fail_on));
    // The process ends here: freeing every file and finding one by one only delays the exit.
    std::mem::forget(result);
    Ok(code)
}

/// A one-line count of files read on a terminal's standard error, shown only when the scan takes
/// more than a second, and erased when it ends.
struct Progress {
    done: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(options: &mut ScanOptions) -> Self {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let counter = Arc::new(AtomicUsize::new(0));
        options.progress = Some(Arc::clone(&counter));
        let done = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&done);
        let thread = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let mut shown = false;
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                if started.elapsed() >= std::time::Duration::from_secs(1) {
                    let _ = write!(
                        std::io::stderr(),
                        "\rportcullis: {} files read",
                        counter.load(Ordering::Relaxed)
                    );
                    shown = true;
                }
            }
            if shown {
                let _ = write!(std::io::stderr(), "\r\x1b[2K");
            }
        });
        Self {
            done,
            thread: Some(thread),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
