//! The `scan` subcommand's arguments.

use std::path::PathBuf;

use clap::ValueEnum;
use portcullis_checks::find_rule;
use portcullis_diagnostics::Severity;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
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
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args)]
pub struct ScanArgs {
    /// Files or directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format; repeat it to write several formats in one run (each with its --output).
    #[arg(long, value_enum)]
    pub format: Vec<Format>,
    /// Where the preceding --format goes, or FORMAT=FILE (for example -o sarif=results.sarif).
    #[arg(long, short = 'o', value_name = "FILE|FORMAT=FILE")]
    pub output: Vec<String>,
    /// Exit with 1 when a finding is at or above this severity [default: high].
    #[arg(long, value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Run only these rules (codes or names, comma-separated or repeated), on by default or not.
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = parse_rule)]
    pub select: Vec<String>,
    /// Also run these rules that are off by default (added to the configuration's).
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = parse_rule)]
    pub enable: Vec<String>,
    /// Do not run these rules (added to the configuration's).
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = parse_rule)]
    pub disable: Vec<String>,
    /// Paths not to scan, in .gitignore syntax (added to the configuration's `exclude`).
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Vec<String>,
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Color,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Configuration file (default: portcullis.toml or .portcullis.toml, found walking up from the first path).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// List suppressed findings in text output.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Report and fail only on findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in a baseline file.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Set a Terraform variable, as `terraform -var` does.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read Terraform variables from a .tfvars file, as `terraform -var-file` does.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// CloudFormation parameter values (AWS CLI or {"Parameters": {...}} format).
    #[arg(long = "cfn-parameters", value_name = "FILE")]
    pub cfn_parameters: Option<PathBuf>,
    /// Follow local module sources that leave the scanned directories.
    #[arg(long)]
    pub allow_outside_root: bool,
    /// Download remote Terraform modules that are not installed (registry, git over https,
    /// archives) into the module cache. Nothing downloaded is executed.
    #[arg(long, overrides_with = "no_download_modules")]
    pub download_modules: bool,
    /// Stay offline even when the configuration file turns downloading on.
    #[arg(long, overrides_with = "download_modules")]
    pub no_download_modules: bool,
    /// Where downloaded modules are cached [default: portcullis/modules in the user's cache
    /// directory]. Implies --download-modules.
    #[arg(long, value_name = "DIR")]
    pub module_cache: Option<PathBuf>,
    /// A `terraform show -json` plan to scan (plans are also found by content while walking).
    #[arg(long, value_name = "FILE")]
    pub plan: Vec<PathBuf>,
    /// Where the configuration that produced the plans lives (default: the scanned paths).
    #[arg(long, value_name = "DIR")]
    pub plan_source: Vec<PathBuf>,
    /// Apply the safe fixes of suggestions to the scanned files, then report what remains.
    #[arg(long)]
    pub fix: bool,
    /// With --fix, also apply unsafe fixes (they change who can connect, e.g. a tighter CIDR).
    #[arg(long, requires = "fix")]
    pub unsafe_fixes: bool,
    /// Files larger than this many bytes are reported instead of read [default: 10485760].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Print nothing on standard error but errors (no progress, no fix summary).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// The SARIF `automationDetails.id`, to tell several uploads for one commit apart.
    #[arg(long, default_value = "portcullis/")]
    pub sarif_category: String,
    /// Markdown: prefix links to scanned files with this URL, for example
    /// https://github.com/OWNER/REPO/blob/SHA/ in a pull-request comment (default: relative links).
    #[arg(long, value_name = "URL")]
    pub link_base: Option<String>,
    /// Markdown: keep the report under this many characters, leaving rows out with a note
    /// (GitHub refuses comments over 65536 characters and job summaries over 1 MiB).
    #[arg(long, value_name = "CHARS", value_parser = parse_max_chars)]
    pub markdown_max_chars: Option<usize>,
}

pub fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text)
        .ok_or_else(|| format!("`{text}` is not one of critical, high, medium, low, info"))
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
