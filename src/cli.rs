//! Every command and flag, defined once; the doc comments are `--help`.

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::collect::traces::InputFormat as TraceFormat;
use crate::diag::{closest, did_you_mean};
use crate::model::domain::{DomainSyntaxError, DOMAIN_KINDS, DOMAIN_SYNTAX_HELP};
use crate::model::{DomainArg, DomainKind, NodeKind};
use crate::report::output::Target;

/// The estate format version the binary reads, as `--version` prints it.
/// A literal because clap's `version` wants one; a unit test holds it equal
/// to [`crate::model::document::VERSION`].
pub const ESTATE_FORMAT: &str = "1";

/// blastmap: which business functions break — or run degraded — when a
/// region, zone, account, cloud service or component disappears, and why.
#[derive(Debug, Parser)]
#[command(
    name = "blastmap",
    version = concat!(env!("CARGO_PKG_VERSION"), " (estate format 1)"),
    about,
    long_about = None,
    propagate_version = true,
    after_help = MAIN_AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Colour of reports and of diagnostics and logs on stderr: auto (a
    /// terminal and NO_COLOR unset), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// More logs on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Nothing on stderr but errors: no progress, warnings or logs. The
    /// report and the exit code are unchanged.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// The end of `blastmap --help`: where to start, and the exit codes.
const MAIN_AFTER_HELP: &str = "\
Examples:
  blastmap validate estate/
  blastmap domains estate/
  blastmap analyze estate/ --fail region:us-east-1
  blastmap check estate/ --policy blastmap-policy.toml

Exit codes: 0 success, 1 check found violations, 2 bad usage or invalid input,
3 incomplete estate (see --allow-incomplete).

Each command has its own examples: blastmap COMMAND --help.
Reference: docs/README.md in the blastmap repository.";

/// The exit codes of the commands that load an estate, for their `--help`.
macro_rules! exit_codes {
    () => {
        "Exit codes: 0 success, 2 bad usage or invalid input, 3 incomplete estate\n\
         (a collector wrote `complete: false`; see --allow-incomplete)."
    };
}

/// Where the reference is, for every command's `--help`.
macro_rules! reference {
    () => {
        "Reference: docs/README.md in the blastmap repository."
    };
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
    #[command(after_help = ANALYZE_AFTER_HELP)]
    Analyze(AnalyzeArgs),
    /// Every single-domain scenario of some kinds: the function × scenario
    /// matrix.
    #[command(after_help = SWEEP_AFTER_HELP)]
    Sweep(SweepArgs),
    /// For each function, every single node whose loss alone takes it down.
    #[command(after_help = SPOF_AFTER_HELP)]
    Spof(SpofArgs),
    /// The exact availability of every function from how often its parts
    /// fail (a rates file for regions, zones, accounts, cloud services),
    /// and the failures whose removal would buy the most.
    #[command(after_help = AVAILABILITY_AFTER_HELP)]
    Availability(AvailabilityArgs),
    /// Draw the estate (or some functions' dependencies) as a Graphviz
    /// diagram (DOT, SVG or PNG), coloured by a scenario's statuses with --fail.
    #[command(after_help = DIAGRAM_AFTER_HELP)]
    Diagram(DiagramArgs),
    /// The architecture-review pack: one self-contained HTML file with the
    /// estate summary, the sweep matrix, single points of failure, policy
    /// violations and a diagram per function.
    #[command(after_help = REPORT_AFTER_HELP)]
    Report(ReportArgs),
    /// CI gate: fail when a function a policy selects does not survive a
    /// domain of the kinds the policy names.
    #[command(after_help = CHECK_AFTER_HELP)]
    Check(CheckArgs),
    /// What a change does to the blast radius: nodes and edges added,
    /// removed and changed, and per function the scenarios, single points
    /// of failure and policy violations gained and lost (a PR comment).
    #[command(after_help = DIFF_AFTER_HELP)]
    Diff(DiffArgs),
    /// Load the estate and report every problem, or say it is valid (for
    /// pre-commit hooks and editors).
    #[command(after_help = VALIDATE_AFTER_HELP)]
    Validate(ValidateArgs),
    /// The failure domains the estate has (regions, zones, accounts, cloud
    /// services, providers, tags), each with its number of nodes.
    #[command(after_help = DOMAINS_AFTER_HELP)]
    Domains(DomainsArgs),
    /// The built-in `aws:` nodes (control planes that live in one region)
    /// that estates may reference, with the source of each fact.
    #[command(after_help = CATALOG_AFTER_HELP)]
    Catalog(CatalogArgs),
    /// Turn what other tools know (traces, catalogs) into estate documents
    /// that merge with the inventory and hand-written YAML.
    #[command(subcommand, after_help = COLLECT_AFTER_HELP)]
    Collect(CollectCommand),
    /// Print a completion script for a shell.
    #[command(after_help = COMPLETIONS_AFTER_HELP)]
    Completions(CompletionsArgs),
    /// Print the man page (roff), of blastmap or of one command.
    #[command(after_help = MAN_AFTER_HELP)]
    Man(ManArgs),
}

/// `blastmap collect` subcommands: each writes one estate document.
#[derive(Debug, clap::Subcommand)]
pub enum CollectCommand {
    /// Service-to-service calls seen in trace exports (Jaeger, OTLP/JSON,
    /// X-Ray), as services that require what they call.
    #[command(after_help = COLLECT_TRACES_AFTER_HELP)]
    Traces(CollectTracesArgs),
    /// Backstage `catalog-info.yaml` files → an estate document: components
    /// become services, resources resources, `dependsOn` and consumed APIs
    /// `requires` entries. Files that `Location` entities name (relative
    /// paths) are read too.
    #[command(after_help = COLLECT_BACKSTAGE_AFTER_HELP)]
    Backstage(CollectBackstageArgs),
    /// Every tagged resource of an AWS account (tagging API), with its
    /// placement, as an inventory; services and functions from the tags
    /// (SPEC §5). Only resources that are or were tagged are listed.
    #[cfg(feature = "aws")]
    #[command(after_help = COLLECT_AWS_AFTER_HELP)]
    Aws(CollectAwsArgs),
}

#[cfg(feature = "aws")]
const COLLECT_AWS_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap collect aws --regions us-east-1,eu-west-1 -o inventory.json
  blastmap collect aws --profile prod --regions all --tag env=prod -o inventory.json
  blastmap collect aws --regions us-east-1 --assume-role arn:aws:iam::111122223333:role/blastmap-read -o inventory.json
  blastmap analyze inventory.json functions.yaml --fail region:us-east-1

Credentials come from the default chain (environment, profiles, SSO, web
identity, credential_process); AWS_ENDPOINT_URL is honoured.

Exit codes: 0 written, 2 bad usage, no credentials, or the output cannot be
written, 3 written but incomplete (a region or account failed: see
meta.sources[].errors).

",
    reference!()
);

/// `blastmap collect aws`.
#[cfg(feature = "aws")]
#[derive(Debug, clap::Args)]
pub struct CollectAwsArgs {
    /// A profile of the shared AWS config files, instead of the default chain.
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Regions to list, comma-separated, or `all` (the regions enabled for
    /// the account). Default: the profile's region.
    #[arg(long, value_name = "REGIONS", value_delimiter = ',')]
    pub regions: Vec<String>,

    /// Collect the account behind this role too (one source per account in
    /// meta.sources). Repeat for several accounts.
    #[arg(long, value_name = "ROLE_ARN")]
    pub assume_role: Vec<String>,

    /// How many (account, region) listings run at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,

    /// Attempts per call, the first included (standard retry mode:
    /// throttling and transient errors are retried).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_attempts: u32,

    /// Seconds one attempt may take before it is abandoned (and retried).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 20.0,
        env = "BLASTMAP_AWS_ATTEMPT_TIMEOUT"
    )]
    pub attempt_timeout: f64,

    /// Seconds one call may take, its retries included.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 120.0,
        env = "BLASTMAP_AWS_OPERATION_TIMEOUT"
    )]
    pub operation_timeout: f64,

    /// Only resources with this tag (`K=V`, or `K` for any value); sent to
    /// the API. Repeatable: all must match.
    #[arg(long, value_name = "K[=V]")]
    pub tag: Vec<String>,

    /// Only resources of this type (`ec2:instance`, `s3`, `rds:db`); sent to
    /// the API. Repeat, or separate with commas.
    #[arg(long = "type", value_name = "TYPE", value_delimiter = ',')]
    pub types: Vec<String>,

    /// Resources per `GetResources` page (1 to 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=100))]
    pub page_size: Option<i32>,

    /// `tags` (SPEC §5: services and functions from the tags) or `none`
    /// (resources only).
    #[arg(long, value_enum, value_name = "MODEL", default_value = "tags")]
    pub model: ModelArg,

    /// The tag naming a resource's logical service.
    #[arg(long, value_name = "KEY", default_value = "service")]
    pub service_tag: String,

    /// The tag naming the business function a resource serves.
    #[arg(long, value_name = "KEY", default_value = "business-function")]
    pub function_tag: String,

    /// The tag listing the services a resource's service needs (`a+b`).
    #[arg(long, value_name = "KEY", default_value = "depends-on")]
    pub depends_tag: String,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--model`: what `collect aws` derives from the tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Services and functions by the tag model (SPEC §5).
    Tags,
    /// Resources only.
    None,
}

const COLLECT_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap collect traces fixtures/traces/otlp-shop.jsonl -o traces.json
  blastmap analyze fixtures/traces/estate.yaml traces.json --fail zone:use1-az1
  blastmap collect backstage catalog-info.yaml --functions-from system -o catalog.json
  blastmap analyze catalog.json estate/ --fail region:us-east-1

Exit codes: 0 written, 2 bad usage, invalid input, or the output cannot be written.

",
    reference!()
);

const COLLECT_TRACES_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap collect traces fixtures/traces/otlp-shop.jsonl -o traces.json
  blastmap collect traces fixtures/traces/jaeger-dependencies.json --min-calls 10 --optional search
  blastmap collect traces spans.json --input-format otlp --rename orders.prod=orders

Formats (detected from the content): jaeger-dependencies, jaeger-traces, otlp,
xray-service-graph, xray-traces.

Exit codes: 0 written, 2 bad usage, a malformed or unknown trace file, or the
output cannot be written.

",
    reference!()
);

/// `blastmap collect traces`.
#[derive(Debug, clap::Args)]
pub struct CollectTracesArgs {
    /// Trace exports: JSON documents or JSON lines.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The files' format, instead of detecting it: jaeger-dependencies,
    /// jaeger-traces, otlp, xray-service-graph or xray-traces.
    #[arg(long, value_name = "FORMAT", value_parser = parse_trace_format)]
    pub input_format: Option<TraceFormat>,

    /// Drop calls seen fewer than N times (all sources together).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_calls: u64,

    /// A callee whose failure only degrades its callers: its calls become
    /// `optional` instead of `requires`. Repeat, or separate with commas.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub optional: Vec<String>,

    #[command(flatten)]
    pub names: RenameArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// How a collector's ids join the ids of other documents: `--rename` and
/// `--rename-file`, declared once for every collector.
#[derive(Debug, clap::Args)]
pub struct RenameArgs {
    /// Give the node whose id would be FROM the id TO (a traced service, a
    /// catalog entity), so it joins the id the inventory, a catalog or the
    /// YAML use. Repeatable.
    #[arg(long, value_name = "FROM=TO", value_parser = parse_rename)]
    pub rename: Vec<(String, String)>,

    /// A TOML file of renames: `from = "to"` pairs under `[rename]`. A
    /// `--rename` flag for the same FROM wins over the file's entry.
    #[arg(long, value_name = "FILE")]
    pub rename_file: Option<PathBuf>,
}

/// `--input-format`'s value parser: one of the collector's format names.
fn parse_trace_format(text: &str) -> Result<TraceFormat, String> {
    TraceFormat::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = TraceFormat::ALL.iter().map(|f| f.name()).collect();
        format!(
            "`{text}` is not a trace format: use one of {}",
            names.join(", ")
        )
    })
}

/// `--rename`'s value parser: FROM=TO, both non-empty.
fn parse_rename(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((from, to)) if !from.is_empty() && !to.is_empty() => {
            Ok((from.to_owned(), to.to_owned()))
        }
        _ => Err(format!(
            "`{text}` is not FROM=TO: write --rename trace-name=estate-id"
        )),
    }
}

const ANALYZE_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap analyze fixtures/shop --fail region:us-east-1
  blastmap analyze fixtures/shop --fail zone:use1-az1 -f markdown
  blastmap analyze fixtures/shop --fail node:search-db-use1,node:search-db-euw1 -f json -o out.json
  blastmap analyze fixtures/shop --fail region:us-east-1 --function checkout

",
    exit_codes!(),
    "\n\n",
    reference!()
);

const SWEEP_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap sweep fixtures/shop
  blastmap sweep fixtures/shop --domains region,zone -f markdown
  blastmap sweep fixtures/shop --function checkout -f csv -o sweep.csv

",
    exit_codes!(),
    "\n\n",
    reference!()
);

const REPORT_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap report fixtures/shop -o review.html
  blastmap report fixtures/shop --policy fixtures/policy.toml -o review.html
  blastmap report estate/ --domains region,zone --max-diagrams 20 -o review.html

The file fetches nothing (styles and script inline, no fonts or images) and reads
the same with JavaScript off and printed. Diagrams need Graphviz `dot`.

Exit codes: 0 written, 2 bad usage, invalid input or policy, no Graphviz `dot`,
or the output cannot be written, 3 incomplete estate.

",
    reference!()
);

const DIAGRAM_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap diagram fixtures/shop -o shop.dot
  blastmap diagram fixtures/shop --fail region:us-east-1 -o shop.svg
  blastmap diagram fixtures/shop --function checkout -o - | dot -Tpng > checkout.png

Exit codes: 0 written, 2 bad usage, invalid input, no Graphviz `dot` for .svg/.png,
or the output cannot be written, 3 incomplete estate.

",
    reference!()
);

const AVAILABILITY_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap availability fixtures/shop --rates fixtures/shop-rates.toml
  blastmap availability fixtures/shop --rates fixtures/shop-rates.toml --function checkout --top 10
  blastmap availability fixtures/shop --rates fixtures/shop-rates.toml -f json

The rates file (TOML) gives how often each domain is up:
  [default]            # every domain of a kind, unless listed
  region = 0.9999
  zone = 0.999
  [region]
  us-east-1 = 0.9995
  [cloud-service]
  \"dynamodb@us-east-1\" = 0.99995
A node's own `availability` field counts too. Failures are taken as independent;
an SLA is a floor, not a measured availability.

",
    exit_codes!(),
    "\n",
    reference!()
);

const SPOF_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap spof fixtures/shop --function checkout
  blastmap spof fixtures/shop --kinds resource,external
  blastmap spof fixtures/shop -f markdown > spof.md
  blastmap spof fixtures/shop -f json

",
    exit_codes!(),
    "\n\n",
    reference!()
);

const CHECK_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap check fixtures/shop --policy fixtures/policy.toml
  blastmap check estate/ --policy policy.toml --write-baseline baseline.json
  blastmap check estate/ --policy policy.toml --baseline baseline.json -f sarif -o blastmap.sarif
  blastmap check estate/ --policy policy.toml -f markdown > comment.md

Exit codes: 0 pass (also with --soft-fail or --write-baseline), 1 new violations,
2 bad usage or invalid estate, policy or baseline, 3 incomplete estate.

",
    reference!()
);

const DIFF_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap diff old/ new/
  blastmap diff --old base/estate --old base/inventory.json --new estate --new inventory.json
  blastmap diff base/ head/ --policy blastmap-policy.toml -f markdown -o comment.md
  blastmap diff sweep-main.json sweep-pr.json --fail-on worse

OLD and NEW are each estate files or directories, or one JSON report of the
same command (sweep, spof or check) written earlier.

Exit codes: 0 compared, 1 --fail-on matched the verdict, 2 bad usage or
invalid input, 3 incomplete estate.

",
    reference!()
);

const VALIDATE_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap validate fixtures/shop
  blastmap validate estate/*.yaml -f json

Exit codes: 0 valid (warnings are printed, and do not fail), 2 invalid.
An estate a collector marked incomplete is valid: validate warns about it.

",
    reference!()
);

const DOMAINS_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap domains fixtures/shop
  blastmap domains fixtures/shop -f json

Each line is written as --fail takes it: copy it into analyze.

",
    exit_codes!(),
    "\n\n",
    reference!()
);

const CATALOG_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap catalog
  blastmap catalog -f markdown -o docs/aws-nodes.md

Reference a built-in node by its id in `requires`, `optional` or a failover's
`via` (`via: [aws:route53-control-plane]`); the estate then holds it with its
placement. Defining a node with an `aws:` id is an error.

",
    exit_codes!(),
    "\n\n",
    reference!()
);

const COMPLETIONS_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap completions bash > ~/.local/share/bash-completion/completions/blastmap
  blastmap completions zsh > ~/.zfunc/_blastmap
  blastmap completions fish > ~/.config/fish/completions/blastmap.fish

Exit codes: 0 written, 2 bad usage or the output cannot be written.

",
    reference!()
);

const COLLECT_BACKSTAGE_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap collect backstage fixtures/backstage/catalog-info.yaml
  blastmap collect backstage catalog-info.yaml --functions-from domain -o catalog.json
  blastmap collect backstage catalog-info.yaml --rename orders-api=orders -o catalog.json

Exit codes: 0 written, 2 bad usage, an unreadable or malformed catalog file,
or the output cannot be written.

",
    reference!()
);

const MAN_AFTER_HELP: &str = concat!(
    "Examples:
  blastmap man > blastmap.1 && man ./blastmap.1
  blastmap man check | man -l -

Exit codes: 0 written, 2 bad usage or the output cannot be written.

",
    reference!()
);

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
    /// provider:P, tag:K=V or node:ID. Repeat, or separate with commas
    /// (`region:a,zone:b`), for a scenario of several; a comma starts a new
    /// domain only before KIND:, so `tag:team=a,b` is one domain.
    #[arg(long = "fail", required = true, value_name = "DOMAIN", value_parser = parse_domain_list)]
    pub fail: Vec<DomainList>,

    /// Only these functions in the report (repeatable); all by default.
    #[arg(long = "function", value_name = "ID")]
    pub functions: Vec<String>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub format: AnalyzeFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

impl AnalyzeArgs {
    /// Every `--fail` domain, in the order given (commas and repeats alike).
    pub fn failed_domains(&self) -> Vec<DomainArg> {
        self.fail.iter().flat_map(|l| l.0.iter().cloned()).collect()
    }
}

/// The domains of one `--fail` value (`region:a,zone:b` holds two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainList(pub Vec<DomainArg>);

/// `--fail`'s value parser: one domain, or several separated by commas.
/// A comma separates only when what follows it starts with a domain kind
/// and `:` (`,zone:`), so values that hold commas (`tag:team=a,b`, an IAM
/// ARN) need no escaping.
fn parse_domain_list(text: &str) -> Result<DomainList, String> {
    split_domains(text)
        .into_iter()
        .map(parse_domain)
        .collect::<Result<Vec<_>, _>>()
        .map(DomainList)
}

/// `text` cut before each `,KIND:` (KIND one of [`DOMAIN_KINDS`]).
fn split_domains(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices(',') {
        let rest = &text[i + 1..];
        let next_is_domain = DOMAIN_KINDS
            .iter()
            .any(|k| rest.strip_prefix(k).is_some_and(|r| r.starts_with(':')));
        if next_is_domain {
            parts.push(&text[start..i]);
            start = i + 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

/// One domain's syntax (SPEC §2). Whether the estate has the value is
/// checked after loading (`engine::scenario::check_domains_exist`).
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

    /// Every unordered pair of distinct domains of the kinds asked, one
    /// scenario each, instead of single domains (SPEC §6.3).
    #[arg(long)]
    pub pairs: bool,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = SweepFormat::Text)]
    pub format: SweepFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `blastmap diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// OLD then NEW: each an estate file or directory, or a JSON report of
    /// `sweep`, `spof` or `check`. For several sources a side, use --old
    /// and --new instead.
    #[arg(value_name = "OLD NEW", num_args = 0..=2, conflicts_with_all = ["old", "new"])]
    pub sides: Vec<PathBuf>,

    /// A source of the old side (repeatable).
    #[arg(long, value_name = "SOURCE", requires = "new")]
    pub old: Vec<PathBuf>,

    /// A source of the new side (repeatable).
    #[arg(long, value_name = "SOURCE", requires = "old")]
    pub new: Vec<PathBuf>,

    /// A `check` policy: also compare its violations (estates only).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Domain kinds whose scenarios are compared, as for `sweep`.
    #[arg(
        long,
        value_name = "KINDS",
        default_value = "region,zone,account,cloud-service",
        value_parser = parse_domain_kinds
    )]
    pub domains: std::vec::Vec<DomainKind>,

    /// Exit with 1 when the verdict matches: `worse` (something got worse:
    /// the verdict is worse or mixed), `any` (anything but unchanged).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = FailOn::Never)]
    pub fail_on: FailOn,

    /// Go on when a collector reported that it could not finish.
    #[arg(long)]
    pub allow_incomplete: bool,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// When `diff` exits with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Never,
    Worse,
    Any,
}

/// `diff` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Markdown,
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

/// `--kinds`' value parser: a comma-separated list of node kinds
/// (`resource,external`), without repeats; at least one.
fn parse_node_kinds(text: &str) -> Result<Vec<NodeKind>, String> {
    let names = NodeKind::ALL.map(NodeKind::as_str);
    let help = format!("use some of: {}", names.join(", "));
    let mut kinds = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some(kind) = NodeKind::ALL.into_iter().find(|k| k.as_str() == part) else {
            let hint = did_you_mean(&closest(part, names.iter().copied()))
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            return Err(format!(
                "`{part}` is not a kind of node{hint}\n  help: {help}"
            ));
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        return Err(format!("no kind of node given\n  help: {help}"));
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

/// `blastmap availability`.
#[derive(Debug, clap::Args)]
pub struct AvailabilityArgs {
    #[command(flatten)]
    pub estate: EstateArgs,

    /// The rates file (TOML): the availability of regions, zones, accounts
    /// and cloud services (`[default]` per kind, then per value).
    #[arg(long, value_name = "FILE")]
    pub rates: PathBuf,

    /// Only these functions (repeatable); all functions by default.
    #[arg(long = "function", value_name = "ID")]
    pub functions: Vec<String>,

    /// How many contributors (the failures whose removal would remove the
    /// most downtime) to list per function.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub top: usize,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = AvailabilityFormat::Text)]
    pub format: AvailabilityFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `availability --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AvailabilityFormat {
    Text,
    Json,
    Markdown,
}

/// `blastmap spof`.
#[derive(Debug, clap::Args)]
pub struct SpofArgs {
    #[command(flatten)]
    pub estate: EstateArgs,

    /// Only these functions (repeatable); all functions by default.
    #[arg(long = "function", value_name = "ID")]
    pub functions: Vec<String>,

    /// Only single points of failure of these kinds of node, comma-separated:
    /// function, service, resource, external (e.g. `resource,external`, the
    /// things to make redundant); every kind by default.
    // `std::vec::Vec`: one value the parser turns into a list (as `--domains`).
    #[arg(long, value_name = "KINDS", value_parser = parse_node_kinds)]
    pub kinds: Option<std::vec::Vec<NodeKind>>,

    /// 2 also lists each function's pairs: every two nodes (neither the
    /// function nor one of its single points of failure) whose joint loss
    /// takes it down (SPEC §6.3). With `--kinds`, both members of a pair
    /// are of those kinds.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub order: u8,

    /// Output format (`markdown`: a pull-request comment).
    #[arg(short, long, value_enum, default_value_t = SpofFormat::Text)]
    pub format: SpofFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `blastmap diagram`.
#[derive(Debug, clap::Args)]
pub struct DiagramArgs {
    #[command(flatten)]
    pub estate: EstateArgs,

    /// A failed domain, as for `analyze` (repeatable, or comma-separated):
    /// nodes are coloured by their status under the scenario.
    #[arg(long = "fail", value_name = "DOMAIN", value_parser = parse_domain_list)]
    pub fail: Vec<DomainList>,

    /// Draw only the dependency closure of these functions (repeatable);
    /// the whole estate by default.
    #[arg(long = "function", value_name = "ID")]
    pub functions: Vec<String>,

    /// Above this many nodes, resources are collapsed by service and type
    /// (with counts), so `dot` stays fast and the picture readable.
    #[arg(long, value_name = "N", default_value_t = crate::report::diagram::DEFAULT_MAX_NODES)]
    pub max_nodes: usize,

    /// Where to write the diagram; the extension picks the format: `.dot`
    /// (or `.gv`), `.svg` or `.png` (both run Graphviz `dot`). `-` writes DOT
    /// to stdout.
    #[arg(short, long, value_name = "FILE", required = true, value_parser = parse_diagram_output)]
    pub output: PathBuf,
}

/// `diagram -o`'s value parser: `-`, or a file whose extension names a
/// format blastmap can write, so a typo fails before the estate is loaded.
fn parse_diagram_output(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        _ if text == "-" => Ok(path),
        Some("dot" | "gv" | "svg" | "png") => Ok(path),
        _ => Err("the extension picks the format: write FILE.dot, FILE.svg or FILE.png, or - for DOT on stdout".to_owned()),
    }
}

/// `blastmap report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub estate: EstateArgs,

    /// A policy file (TOML), as for `check`: its violations get a section.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Domain kinds of the matrix's scenarios, as for `sweep`.
    #[arg(
        long,
        value_name = "KINDS",
        default_value = "region,zone,account,cloud-service",
        value_parser = parse_domain_kinds
    )]
    pub domains: std::vec::Vec<DomainKind>,

    /// Above this many nodes in a function's closure, its diagram collapses
    /// resources by service and type; a closure still larger once collapsed
    /// is not drawn (the report says so).
    #[arg(long, value_name = "N", default_value_t = crate::report::diagram::DEFAULT_MAX_NODES)]
    pub max_nodes: usize,

    /// Draw at most this many function diagrams (most critical functions
    /// first): each runs Graphviz `dot`. The report names the others.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_diagrams: usize,

    /// Where to write the HTML file.
    #[arg(short, long, value_name = "FILE", required = true)]
    pub output: PathBuf,
}

impl DiagramArgs {
    /// Every `--fail` domain, in the order given.
    pub fn failed_domains(&self) -> Vec<DomainArg> {
        self.fail.iter().flat_map(|l| l.0.iter().cloned()).collect()
    }
}

/// `spof` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SpofFormat {
    Text,
    Json,
    Markdown,
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

    /// What a --baseline file that does not exist means: `error` (exit 2,
    /// saying how to create it) or `ok` (an empty baseline, with a
    /// warning: for the first run of a pipeline that creates it).
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = BaselineMissing::Error)]
    pub baseline_missing: BaselineMissing,

    /// Record the current violations as accepted in FILE, and pass. The
    /// reasons and expiry dates of entries already in FILE (or in
    /// --baseline) are kept; an invalid FILE is an error, never overwritten.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Report violations but exit 0.
    #[arg(long)]
    pub soft_fail: bool,

    /// Output format (`markdown`: a pull-request comment).
    #[arg(short, long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// What `check --baseline FILE` does when FILE does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BaselineMissing {
    /// Stop with exit 2 and say how to create the file.
    Error,
    /// Check with an empty baseline, and warn.
    Ok,
}

/// `check` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Sarif,
    Junit,
    Github,
    Markdown,
}

/// `blastmap validate`: the estate files only (an incomplete estate is
/// valid input, so there is no `--allow-incomplete`).
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Estate files (YAML or JSON) or directories holding them.
    #[arg(required = true, value_name = "SOURCES")]
    pub sources: Vec<PathBuf>,

    /// Output format: `text` (problems on stderr, a summary on stdout) or
    /// `json` (`{"errors": [...]}`, warnings included, on stdout).
    #[arg(short, long, value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `validate` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Text,
    Json,
}

/// `blastmap domains`.
#[derive(Debug, clap::Args)]
pub struct DomainsArgs {
    #[command(flatten)]
    pub estate: EstateArgs,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = DomainsFormat::Text)]
    pub format: DomainsFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `blastmap catalog`.
#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = CatalogFormat::Text)]
    pub format: CatalogFormat,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `catalog` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    Text,
    Json,
    Markdown,
}

/// `domains` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DomainsFormat {
    Text,
    Json,
}

/// `blastmap collect backstage`.
#[derive(Debug, clap::Args)]
pub struct CollectBackstageArgs {
    /// Catalog files (multi-document YAML).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Make a business function of each System (or Domain), requiring its
    /// components and resources.
    #[arg(long, value_enum, value_name = "KIND")]
    pub functions_from: Option<FunctionsFromArg>,

    #[command(flatten)]
    pub names: RenameArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--functions-from`: which catalog entities become business functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FunctionsFromArg {
    System,
    Domain,
}

/// `blastmap completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `blastmap man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// A command, for its own page (`blastmap-check.1`); blastmap's page,
    /// which lists every command, by default.
    #[arg(value_name = "COMMAND", value_parser = clap::builder::PossibleValuesParser::new(COMMAND_NAMES))]
    pub command: Option<String>,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// The commands' names, for `blastmap man COMMAND` (a unit test holds the
/// list equal to the commands clap knows).
pub const COMMAND_NAMES: [&str; 14] = [
    "analyze",
    "sweep",
    "spof",
    "availability",
    "diagram",
    "report",
    "check",
    "diff",
    "validate",
    "domains",
    "catalog",
    "collect",
    "completions",
    "man",
];

/// The completion script for `shell`, generated from the same definitions
/// as `--help`, so it never misses a flag.
pub fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "blastmap", &mut out);
    out
}

/// The man page (roff) of blastmap, or of one of its commands, generated
/// from the same definitions as `--help`. `None` for a name that is not a
/// command (the argument's parser already refuses those).
pub fn man_page(command: Option<&str>) -> Option<Vec<u8>> {
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => cli.find_subcommand(name)?.clone(),
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .expect("rendering into memory cannot fail");
    Some(out)
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
            a.failed_domains(),
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
        assert_eq!(
            a.failed_domains(),
            [DomainArg::TagWithoutValue("tag:service".into())]
        );
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
    fn fail_accepts_a_comma_separated_list() {
        let cli = parse(&[
            "analyze",
            "e",
            "--fail",
            "region:r,zone:z",
            "--fail",
            "node:n",
        ])
        .unwrap();
        let Command::Analyze(a) = cli.command else {
            panic!("analyze parses as analyze")
        };
        assert_eq!(
            a.failed_domains(),
            [
                DomainArg::Domain(Domain::Region("r".into())),
                DomainArg::Domain(Domain::Zone("z".into())),
                DomainArg::Domain(Domain::Node("n".into())),
            ]
        );
    }

    #[test]
    fn fail_splits_only_before_a_domain_kind_so_values_keep_their_commas() {
        let cli = parse(&[
            "analyze",
            "e",
            "--fail",
            "tag:team=a,b,node:arn:aws:iam::1:role/x,y",
        ])
        .unwrap();
        let Command::Analyze(a) = cli.command else {
            panic!("analyze parses as analyze")
        };
        assert_eq!(
            a.failed_domains(),
            [
                DomainArg::Domain(Domain::Tag {
                    key: "team".into(),
                    value: "a,b".into()
                }),
                DomainArg::Domain(Domain::Node("arn:aws:iam::1:role/x,y".into())),
            ]
        );
    }

    #[test]
    fn fail_reports_the_bad_part_of_a_comma_separated_list() {
        let err = parse(&["analyze", "e", "--fail", "region:r,zone:"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains("`zone:` is not a failure domain"),
            "{err}"
        );
    }

    #[test]
    fn fail_does_not_split_before_a_mistyped_kind() {
        // `regon:` is no kind, so the comma is part of the region's value:
        // the check after loading then says no node has region `r,regon:x`.
        let cli = parse(&["analyze", "e", "--fail", "region:r,regon:x"]).unwrap();
        let Command::Analyze(a) = cli.command else {
            panic!("analyze parses as analyze")
        };
        assert_eq!(
            a.failed_domains(),
            [DomainArg::Domain(Domain::Region("r,regon:x".into()))]
        );
    }

    #[test]
    fn short_f_is_format_on_every_command_that_has_one() {
        for cmd in [
            &["analyze", "e", "--fail", "region:r", "-f", "json"][..],
            &["sweep", "e", "-f", "csv"],
            &["spof", "e", "-f", "markdown"],
            &["check", "e", "--policy", "p", "-f", "markdown"],
            &["validate", "e", "-f", "json"],
            &["domains", "e", "-f", "json"],
        ] {
            assert!(parse(cmd).is_ok(), "{cmd:?}");
        }
    }

    #[test]
    fn analyze_takes_function_like_sweep_and_spof() {
        let cli = parse(&[
            "analyze",
            "e",
            "--fail",
            "region:r",
            "--function",
            "a",
            "--function",
            "b",
        ])
        .unwrap();
        let Command::Analyze(a) = cli.command else {
            panic!("analyze parses as analyze")
        };
        assert_eq!(a.functions, ["a", "b"]);
    }

    #[test]
    fn quiet_is_global_and_excludes_verbose() {
        let cli = parse(&["spof", "e", "-q"]).unwrap();
        assert!(cli.quiet);
        let err = parse(&["-q", "-v", "spof", "e"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn version_names_the_estate_format_the_loader_reads() {
        assert_eq!(
            ESTATE_FORMAT,
            crate::model::document::VERSION.to_string(),
            "the literal in `#[command(version = ...)]` must follow the format"
        );
        let version = Cli::command().render_version();
        assert_eq!(
            version.trim(),
            format!(
                "blastmap {} (estate format {ESTATE_FORMAT})",
                env!("CARGO_PKG_VERSION")
            )
        );
    }

    #[test]
    fn every_help_ends_with_examples_exit_codes_and_the_docs() {
        let mut cli = Cli::command();
        cli.build();
        let mut pages = vec![("blastmap".to_owned(), cli.clone())];
        pages.extend(
            cli.get_subcommands()
                .filter(|c| c.get_name() != "help")
                .map(|c| (c.get_name().to_owned(), c.clone())),
        );
        for (name, mut command) in pages {
            let help = command.render_long_help().to_string();
            let tail = help.rsplit_once("Examples:").map(|x| x.1);
            let Some(tail) = tail else {
                panic!("`{name} --help` has no examples:\n{help}")
            };
            assert!(tail.contains("Exit codes: 0"), "{name}: {tail}");
            assert!(
                help.trim_end()
                    .ends_with("docs/README.md in the blastmap repository."),
                "{name}: {help}"
            );
        }
    }

    #[test]
    fn command_names_are_the_commands_clap_knows() {
        let known: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .collect();
        assert_eq!(known, COMMAND_NAMES);
    }

    #[test]
    fn completions_name_every_command_in_every_shell() {
        use clap::ValueEnum;
        for shell in clap_complete::Shell::value_variants() {
            let script = String::from_utf8(completion_script(*shell)).unwrap();
            for name in COMMAND_NAMES {
                assert!(script.contains(name), "{shell}: no `{name}`");
            }
            assert!(
                script.contains("allow-incomplete"),
                "{shell}: flags missing"
            );
        }
    }

    #[test]
    fn man_page_lists_every_command_and_each_has_its_own_page() {
        let page = String::from_utf8(man_page(None).unwrap()).unwrap();
        assert!(page.contains("\n.TH blastmap 1 "), "{page}");
        for name in COMMAND_NAMES {
            assert!(
                page.contains(&format!("\n.TP\nblastmap\\-{name}(1)\n")),
                "`{name}` is not in the SUBCOMMANDS section:\n{page}"
            );
            let own = String::from_utf8(man_page(Some(name)).unwrap()).unwrap();
            assert!(
                own.contains(&format!("\n.TH blastmap-{name} 1 ")),
                "{name}: {own}"
            );
            assert!(own.contains("\n.SH OPTIONS\n"), "{name}: {own}");
        }
        assert!(man_page(Some("nope")).is_none());
    }

    #[test]
    fn rename_takes_from_equals_to_and_rejects_a_missing_side() {
        let cli = parse(&["collect", "backstage", "c.yaml", "--rename", "a=b=c"]).unwrap();
        let Command::Collect(CollectCommand::Backstage(b)) = cli.command else {
            panic!("collect backstage parses as collect backstage")
        };
        assert_eq!(b.names.rename, [("a".to_owned(), "b=c".to_owned())]);
        for bad in ["a", "=b", "a="] {
            let err = parse(&["collect", "backstage", "c", "--rename", bad]).unwrap_err();
            assert!(err.to_string().contains("is not FROM=TO"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
