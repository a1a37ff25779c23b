//! blastmap's AWS collector: every tagged resource of one or more accounts in
//! the regions asked for, through the tagging API (`GetResources`), with its
//! placement read by batched describe calls (SPEC §5).
//!
//! The crate returns plain records ([`Collected`]) and never depends on
//! `blastmap` itself: the root package depends on this crate (feature
//! `aws`), and its `app::collect_aws` turns the records into a document with
//! the tag model. That split keeps the package graph acyclic and lets the
//! engine build and test without compiling the SDK.
//!
//! Faults are contained per account and region: a region whose listing fails
//! (access denied, retries exhausted, the server gone mid-pagination) keeps
//! the resources already read and is reported in its [`Source`]'s errors;
//! the others finish. Credentials are never logged nor returned.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

/// A client of one SDK crate on `sdk`, counting its requests, optionally
/// in another region: `client!(aws_sdk_ec2, sdk, counter[, region])`.
macro_rules! client {
    ($krate:ident, $sdk:expr, $counter:expr) => {
        $krate::Client::from_conf(
            $krate::config::Builder::from($sdk)
                .interceptor($counter.clone())
                .build(),
        )
    };
    ($krate:ident, $sdk:expr, $counter:expr, $region:expr) => {
        $krate::Client::from_conf(
            $krate::config::Builder::from($sdk)
                .region($region)
                .interceptor($counter.clone())
                .build(),
        )
    };
}

mod count;
mod list;
mod place;

use count::Counter;

/// Which regions to collect (`--regions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regions {
    /// These regions, in this order.
    List(Vec<String>),
    /// Every region enabled for the account (`DescribeRegions`).
    All,
}

/// Everything a collection run is told: where, as whom, how hard to try.
#[derive(Debug, Clone)]
pub struct Config {
    /// A named profile of the shared config files (`--profile`); `None`
    /// uses the default chain.
    pub profile: Option<String>,
    /// The regions to list.
    pub regions: Regions,
    /// Roles to assume, one source (account) each; empty: the caller's own
    /// account only.
    pub assume_roles: Vec<String>,
    /// How many (account, region) listings run at once.
    pub concurrency: usize,
    /// Attempts per call, the first included (standard retry mode).
    pub max_attempts: u32,
    /// How long one attempt may take before it is abandoned and retried: a
    /// hung connection must not stall the run.
    pub attempt_timeout: Duration,
    /// How long one call may take, its retries included.
    pub operation_timeout: Duration,
    /// `--tag K=V` (or `K`, any value): sent to the API as tag filters.
    pub tag_filters: Vec<(String, Option<String>)>,
    /// `--type` (`ec2:instance`, `s3`): sent as resource type filters.
    pub types: Vec<String>,
    /// `ResourcesPerPage` (1–100); `None` lets the service choose.
    pub page_size: Option<i32>,
    /// How many times a region's listing starts again from its first page
    /// after a failed page (pagination tokens are single use).
    pub max_restarts: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            profile: None,
            regions: Regions::List(Vec::new()),
            assume_roles: Vec::new(),
            concurrency: 8,
            max_attempts: 5,
            attempt_timeout: Duration::from_secs(20),
            operation_timeout: Duration::from_secs(120),
            tag_filters: Vec::new(),
            types: Vec::new(),
            page_size: None,
            max_restarts: 3,
        }
    }
}

/// Where a resource runs, as far as the describe calls could tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// These zone ids (`use1-az1`), sorted.
    Zones(Vec<String>),
    /// Every zone of its region (a regional service, a Multi-AZ database
    /// whose secondary is not reported).
    Regional,
    /// Not read: why, for a warning. The resource keeps its region and no
    /// zone is guessed.
    Unknown(String),
}

/// One listed resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Its ARN, as the tagging API returned it.
    pub arn: String,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
    /// Its region when the ARN does not hold it (S3 buckets, from
    /// `GetBucketLocation`).
    pub region: Option<String>,
    /// Its placement.
    pub placement: Placement,
}

/// What stopped the listing of one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionError {
    /// The region.
    pub region: String,
    /// The error, as the SDK described it (never a credential).
    pub error: String,
}

/// One account's run: which regions, and which of them failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The account id (`GetCallerIdentity`); `None` when even that failed.
    pub account: Option<String>,
    /// The role assumed for it, if any.
    pub role: Option<String>,
    /// The regions listed, sorted.
    pub regions: Vec<String>,
    /// One per region that did not finish, sorted by region.
    pub errors: Vec<RegionError>,
}

impl Source {
    /// Whether every region finished.
    pub fn complete(&self) -> bool {
        self.errors.is_empty()
    }
}

/// How one (account, region) listing went, for the summary and benchmarks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionStats {
    /// The account.
    pub account: Option<String>,
    /// The region.
    pub region: String,
    /// `GetResources` pages read (every restart included).
    pub pages: u64,
    /// Distinct resources listed.
    pub resources: u64,
    /// Times the listing started again from its first page.
    pub restarts: u32,
}

/// The result of a run: every resource read, per-account sources, counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collected {
    /// One per account.
    pub sources: Vec<Source>,
    /// Every distinct resource, sorted by ARN (an S3 bucket listed from
    /// every region is one).
    pub resources: Vec<Resource>,
    /// One per (account, region), sorted.
    pub stats: Vec<RegionStats>,
    /// HTTP attempts sent, retries included.
    pub requests: u64,
}

/// Something that happened, for a progress display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A page of `GetResources` was read.
    Page {
        /// The region.
        region: String,
        /// Resources on the page.
        resources: u64,
    },
    /// A region's listing ended (finished or failed).
    RegionDone(RegionStats),
}

/// Receives [`Event`]s from any task.
pub type OnEvent = Arc<dyn Fn(&Event) + Send + Sync>;

/// A run that could not start at all (no credentials, no region list, a
/// runtime that would not build); faults in one region are not errors,
/// they are recorded in [`Source::errors`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Collects every account and region of `config`, blocking the calling
/// thread on a runtime of its own (the rest of blastmap is synchronous).
pub fn collect(config: &Config, on_event: OnEvent) -> Result<Collected, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(collect_async(config, on_event))
}

/// The shared SDK configuration: the default credential chain (or the
/// profile), standard retries, the timeouts; `AWS_ENDPOINT_URL` is honoured
/// by aws-config itself.
async fn base_config(config: &Config) -> SdkConfig {
    let retry = RetryConfig::standard().with_max_attempts(config.max_attempts.max(1));
    let timeouts = TimeoutConfig::builder()
        .operation_attempt_timeout(config.attempt_timeout)
        .operation_timeout(config.operation_timeout)
        .connect_timeout(config.attempt_timeout)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry)
        .timeout_config(timeouts);
    if let Some(profile) = &config.profile {
        loader = loader.profile_name(profile);
    }
    let loaded = loader.load().await;
    if loaded.region().is_none() {
        // STS and DescribeRegions need some region; the listings set theirs.
        return loaded
            .into_builder()
            .region(Region::new("us-east-1"))
            .build();
    }
    loaded
}

/// One account to collect: its SDK configuration and the role behind it.
struct Account {
    sdk: SdkConfig,
    role: Option<String>,
    id: Option<String>,
}

async fn collect_async(config: &Config, on_event: OnEvent) -> Result<Collected, Error> {
    let counter = Counter::new();
    let base = base_config(config).await;
    let mut accounts = Vec::new();
    if config.assume_roles.is_empty() {
        accounts.push(Account {
            sdk: base.clone(),
            role: None,
            id: None,
        });
    }
    for role in &config.assume_roles {
        let provider = aws_config::sts::AssumeRoleProvider::builder(role.clone())
            .session_name("blastmap-collect")
            .configure(&base)
            .build()
            .await;
        let sdk = base
            .to_builder()
            .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
                provider,
            ))
            .build();
        accounts.push(Account {
            sdk,
            role: Some(role.clone()),
            id: None,
        });
    }
    let mut setup_errors: Vec<Option<String>> = Vec::new();
    for account in &mut accounts {
        let sts = client!(aws_sdk_sts, &account.sdk, counter);
        match sts.get_caller_identity().send().await {
            Ok(out) => {
                account.id = out.account().map(str::to_owned);
                setup_errors.push(None);
            }
            Err(e) => setup_errors.push(Some(list::describe_error(&e))),
        }
    }
    if accounts.len() == 1 {
        if let Some(Some(error)) = setup_errors.first() {
            return Err(Error(format!(
                "cannot identify the account (sts:GetCallerIdentity): {error}"
            )));
        }
    }
    let regions = match &config.regions {
        Regions::List(list) if list.is_empty() => match base.region() {
            Some(r) => vec![r.to_string()],
            None => return Err(Error("no region: pass --regions".to_owned())),
        },
        Regions::List(list) => list.clone(),
        Regions::All => enabled_regions(&base, &counter).await?,
    };
    let mut regions = regions;
    regions.sort();
    regions.dedup();

    let semaphore = Arc::new(tokio::sync::Semaphore::new(config.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (ix, account) in accounts.iter().enumerate() {
        if setup_errors[ix].is_some() {
            continue;
        }
        for region in &regions {
            let job = list::Job {
                sdk: account.sdk.clone(),
                account: account.id.clone(),
                account_ix: ix,
                region: region.clone(),
                config: config.clone(),
                counter: counter.clone(),
                on_event: on_event.clone(),
            };
            let semaphore = semaphore.clone();
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await;
                list::list_region(job).await
            });
        }
    }
    let mut listed = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(region) => listed.push(region),
            Err(e) => return Err(Error(format!("a listing task failed: {e}"))),
        }
    }
    listed.sort_by(|a, b| (a.account_ix, &a.region).cmp(&(b.account_ix, &b.region)));

    let mut sources: Vec<Source> = accounts
        .iter()
        .enumerate()
        .map(|(ix, a)| Source {
            account: a.id.clone(),
            role: a.role.clone(),
            regions: regions.clone(),
            errors: match &setup_errors[ix] {
                Some(e) => regions
                    .iter()
                    .map(|r| RegionError {
                        region: r.clone(),
                        error: format!("cannot assume the role or identify the account: {e}"),
                    })
                    .collect(),
                None => Vec::new(),
            },
        })
        .collect();
    let mut resources: BTreeMap<String, Resource> = BTreeMap::new();
    let mut stats = Vec::new();
    let mut buckets: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for region in listed {
        if let Some(error) = region.error {
            sources[region.account_ix].errors.push(RegionError {
                region: region.region.clone(),
                error,
            });
        }
        stats.push(region.stats);
        for resource in region.resources {
            if resource.arn.starts_with("arn:aws:s3:::") && !resources.contains_key(&resource.arn) {
                buckets
                    .entry(region.account_ix)
                    .or_default()
                    .push(resource.arn.clone());
            }
            resources.entry(resource.arn.clone()).or_insert(resource);
        }
    }
    for (ix, arns) in buckets {
        let located = place::bucket_regions(&accounts[ix].sdk, &counter, &arns).await;
        for (arn, region) in located {
            if let Some(resource) = resources.get_mut(&arn) {
                match region {
                    Ok(region) => {
                        resource.region = Some(region);
                        resource.placement = Placement::Regional;
                    }
                    Err(why) => resource.placement = Placement::Unknown(why),
                }
            }
        }
    }
    for source in &mut sources {
        source.errors.sort_by(|a, b| a.region.cmp(&b.region));
    }
    Ok(Collected {
        sources,
        resources: resources.into_values().collect(),
        stats,
        requests: counter.get(),
    })
}

/// `--regions all`: the regions enabled for the caller's account.
async fn enabled_regions(base: &SdkConfig, counter: &Counter) -> Result<Vec<String>, Error> {
    let ec2 = client!(aws_sdk_ec2, base, counter);
    let out = ec2.describe_regions().send().await.map_err(|e| {
        Error(format!(
            "cannot list the regions (ec2:DescribeRegions): {}",
            list::describe_error(&e)
        ))
    })?;
    Ok(out
        .regions()
        .iter()
        .filter_map(|r| r.region_name().map(str::to_owned))
        .collect())
}
