//! Every command and flag, defined once; the doc comments are `--help`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// blastmap: which business functions break — or run degraded — when a
/// region, zone, account, cloud service or component disappears, and why.
#[derive(Debug, Parser)]
#[command(name = "blastmap", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Colour: auto (a terminal and NO_COLOR unset), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// More logs on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// One scenario: the status of every function, with causes and path.
    Analyze(AnalyzeArgs),
    /// Every single-domain scenario of some kinds: the function × scenario
    /// matrix.
    Sweep(SweepArgs),
    /// For each function, every single node whose loss alone takes it down.
    Spof(SpofArgs),
    /// CI gate: fail when a function a policy selects does not survive a
    /// domain of the kinds the policy names.
    Check(CheckArgs),
}

/// Estate files and what to do with an incomplete estate.
#[derive(Debug, clap::Args)]
pub struct EstateArgs {
    /// Estate files (YAML or JSON) or directories holding them.
    #[arg(required = true, value_name = "SOURCES")]
    pub sources: Vec<PathBuf>,

    /// Go on when a collector reported that it could not finish
    /// (`complete: false`); otherwise such an estate exits with code 3.
    #[arg(long)]
    pub allow_incomplete: bool,
}

/// `blastmap analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub estate: EstateArgs,

    /// A failed domain: region:R, zone:Z, account:A, cloud-service:S[@R],
    /// provider:P, tag:K=V or node:ID. Repeat for a scenario of several.
    #[arg(long = "fail", required = true, value_name = "DOMAIN")]
    pub fail: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub format: AnalyzeFormat,

    /// Write to FILE instead of stdout (`-` for stdout). Files are replaced
    /// atomically.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `analyze` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    Text,
    Json,
    Markdown,
}

/// Where to write a report.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Write to FILE instead of stdout (`-` for stdout). Files are replaced
    /// atomically.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `blastmap sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub estate: EstateArgs,

    /// Domain kinds to sweep, comma-separated, in the order wanted:
    /// region, zone, account, cloud-service (one per service and region),
    /// node (one per node).
    #[arg(
        long,
        value_name = "KINDS",
        default_value = "region,zone,account,cloud-service"
    )]
    pub domains: String,

    /// Only these functions as rows (repeatable).
    #[arg(long = "function", value_name = "ID")]
    pub functions: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = SweepFormat::Text)]
    pub format: SweepFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `sweep` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SweepFormat {
    Text,
    Json,
    Markdown,
    Csv,
}

/// `blastmap spof`.
#[derive(Debug, clap::Args)]
pub struct SpofArgs {
    #[command(flatten)]
    pub estate: EstateArgs,

    /// Only these functions (repeatable); all functions by default.
    #[arg(long = "function", value_name = "ID")]
    pub functions: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = SpofFormat::Text)]
    pub format: SpofFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `spof` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SpofFormat {
    Text,
    Json,
}

/// `blastmap check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub estate: EstateArgs,

    /// The policy file (TOML): rules of functions and the domain kinds they
    /// must survive.
    #[arg(long, value_name = "FILE", required = true)]
    pub policy: PathBuf,

    /// Accepted violations (written by --write-baseline): only new ones fail.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current violations as accepted in FILE (keeping the
    /// reasons and expiry dates of entries already in --baseline), and pass.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Report violations but exit 0.
    #[arg(long)]
    pub soft_fail: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `check` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Sarif,
    Junit,
    Github,
}
