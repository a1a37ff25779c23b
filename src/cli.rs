//! Every command and flag, defined once; the doc comments are `--help`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::{closest, did_you_mean};
use crate::model::domain::{DomainSyntaxError, DOMAIN_KINDS, DOMAIN_SYNTAX_HELP};
use crate::model::{DomainArg, DomainKind};
use crate::report::output::Target;

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
    #[arg(long = "fail", required = true, value_name = "DOMAIN", value_parser = parse_domain)]
    pub fail: Vec<DomainArg>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub format: AnalyzeFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--fail`'s value parser: the syntax of a domain (SPEC §2). Whether the
/// estate has the value is checked after loading
/// (`engine::scenario::check_domains_exist`).
fn parse_domain(text: &str) -> Result<DomainArg, String> {
    text.parse::<DomainArg>().map_err(|e| {
        let hint = match &e {
            DomainSyntaxError::UnknownKind(kind) => {
                did_you_mean(&closest(kind, DOMAIN_KINDS)).unwrap_or_default()
            }
            _ => String::new(),
        };
        let why = format!("{e} {hint}");
        format!(
            "`{text}` is not a failure domain: {}\n  help: {DOMAIN_SYNTAX_HELP}",
            why.trim()
        )
    })
}

/// `analyze` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    Text,
    Json,
    Markdown,
}

/// Where to write a report: `-o` for every command, declared once.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Write to FILE instead of stdout (`-` for stdout). Files are replaced
    /// atomically.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl OutputArgs {
    /// Where the report goes: stdout without `-o` or with `-o -`.
    pub fn target(&self) -> Target {
        Target::from_arg(self.output.as_deref())
    }
}

/// `blastmap sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub estate: EstateArgs,

    /// Domain kinds to sweep, comma-separated, in the order wanted:
    /// region, zone, account, cloud-service (one per service and region),
    /// node (one per node).
    // `std::vec::Vec`, not `Vec`: one value that the parser turns into a
    // list, rather than a repeatable flag.
    #[arg(
        long,
        value_name = "KINDS",
        default_value = "region,zone,account,cloud-service",
        value_parser = parse_domain_kinds
    )]
    pub domains: std::vec::Vec<DomainKind>,

    /// Only these functions as rows (repeatable).
    #[arg(long = "function", value_name = "ID")]
    pub functions: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = SweepFormat::Text)]
    pub format: SweepFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--domains`' value parser: a comma-separated list of kinds (`region,zone`),
/// in the order given, without repeats; at least one.
fn parse_domain_kinds(text: &str) -> Result<Vec<DomainKind>, String> {
    let names: Vec<&str> = DomainKind::ALL.iter().map(|k| k.as_str()).collect();
    let help = format!("use some of: {}", names.join(", "));
    let mut kinds = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let kind = part.parse::<DomainKind>().map_err(|e| {
            let hint = did_you_mean(&closest(part, names.iter().copied()))
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            format!("{e}{hint}\n  help: {help}")
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        return Err(format!("no domain kind given\n  help: {help}"));
    }
    Ok(kinds)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Domain;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("blastmap").chain(args.iter().copied()))
    }

    #[test]
    fn fail_parses_domains_into_model_types() {
        let cli = parse(&["analyze", "e", "--fail", "region:r", "--fail", "tag:k=v"]).unwrap();
        let Command::Analyze(a) = cli.command else {
            panic!("analyze parses as analyze")
        };
        assert_eq!(
            a.fail,
            [
                DomainArg::Domain(Domain::Region("r".into())),
                DomainArg::Domain(Domain::Tag {
                    key: "k".into(),
                    value: "v".into()
                })
            ]
        );
    }

    #[test]
    fn fail_rejects_a_mistyped_kind_with_a_suggestion_as_a_usage_error() {
        let err = parse(&["analyze", "e", "--fail", "regon:us-east-1"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let text = err.to_string();
        assert!(text.contains("unknown domain kind `regon`"), "{text}");
        assert!(text.contains("did you mean `region`?"), "{text}");
    }

    #[test]
    fn fail_keeps_a_tag_without_value_for_the_check_that_lists_the_estate_tags() {
        let cli = parse(&["analyze", "e", "--fail", "tag:service"]).unwrap();
        let Command::Analyze(a) = cli.command else {
            panic!("analyze parses as analyze")
        };
        assert_eq!(a.fail, [DomainArg::TagWithoutValue("tag:service".into())]);
    }

    #[test]
    fn domains_keeps_the_order_given_and_drops_repeats() {
        let cli = parse(&["sweep", "e", "--domains", "node, zone,node,,region"]).unwrap();
        let Command::Sweep(s) = cli.command else {
            panic!("sweep parses as sweep")
        };
        assert_eq!(
            s.domains,
            [DomainKind::Node, DomainKind::Zone, DomainKind::Region]
        );
    }

    #[test]
    fn domains_defaults_to_the_four_placement_kinds() {
        let Command::Sweep(s) = parse(&["sweep", "e"]).unwrap().command else {
            panic!("sweep parses as sweep")
        };
        assert_eq!(s.domains, DomainKind::DEFAULT);
    }

    #[test]
    fn domains_rejects_unknown_and_empty_lists() {
        let err = parse(&["sweep", "e", "--domains", "zone,regoin"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let text = err.to_string();
        assert!(text.contains("`regoin` is not a domain kind"), "{text}");
        assert!(text.contains("did you mean `region`?"), "{text}");
        let err = parse(&["sweep", "e", "--domains", ","]).unwrap_err();
        assert!(err.to_string().contains("no domain kind given"), "{err}");
    }

    #[test]
    fn output_dash_and_no_output_both_mean_stdout() {
        let target = |args: &[&str]| match parse(args).unwrap().command {
            Command::Spof(s) => s.output.target(),
            _ => panic!("spof parses as spof"),
        };
        assert_eq!(target(&["spof", "e"]), Target::Stdout);
        assert_eq!(target(&["spof", "e", "-o", "-"]), Target::Stdout);
        assert_eq!(
            target(&["spof", "e", "--output", "r.json"]),
            Target::File(PathBuf::from("r.json"))
        );
    }

    #[test]
    fn every_command_accepts_output_once_declared() {
        for cmd in [
            &["analyze", "e", "--fail", "region:r", "-o", "x"][..],
            &["sweep", "e", "-o", "x"],
            &["spof", "e", "-o", "x"],
            &["check", "e", "--policy", "p", "-o", "x"],
        ] {
            assert!(parse(cmd).is_ok(), "{cmd:?}");
        }
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
