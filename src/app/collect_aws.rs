//! `collect aws`: the records of the `blastmap-collect-aws` crate turned into
//! an inventory document by the tag model (SPEC §5).
//!
//! The crate cannot build the document itself (it would depend on this
//! package, which depends on it), so it returns plain records and this file
//! maps them onto `collect::tag_model`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use blastmap_collect_aws as aws;

use super::*;
use crate::cli::{CollectAwsArgs, ModelArg};
use crate::collect::tag_model::{self, ListedResource, Listing, Model, Options, TagKeys};
use crate::model::document::{CollectError, SourceMeta, Zones};

/// The collector's name in `meta.sources`.
const COLLECTOR: &str = "aws-tagging";

/// `collect aws`: list, place, build, write; exit 3 when a region or account
/// did not finish (the file is written all the same).
pub(super) fn collect_aws(args: &CollectAwsArgs, color: ColorChoice) -> Result<i32, Failure> {
    let config = config_of(args)?;
    let started = Instant::now();
    let progress = Arc::new(Progress::new("collecting from AWS: resources", 0));
    let on_event: aws::OnEvent = {
        let progress = progress.clone();
        Arc::new(move |event: &aws::Event| match event {
            aws::Event::Page { resources, .. } => progress.inc(*resources),
            aws::Event::RegionDone(stats) => {
                tracing::info!(
                    account = stats.account.as_deref().unwrap_or("?"),
                    region = %stats.region,
                    pages = stats.pages,
                    resources = stats.resources,
                    restarts = stats.restarts,
                    "region listed"
                );
            }
        })
    };
    let collected = aws::collect(&config, on_event);
    progress.finish();
    let collected = collected.map_err(|e| {
        Failure::invalid(vec![Diagnostic::error(
            Code::IncompleteEstate,
            format!("cannot collect from AWS: {e}"),
        )
        .help(
            "check the credentials (AWS_PROFILE, --profile, aws sso login) and --regions",
        )])
    })?;
    let elapsed = started.elapsed();
    let options = Options {
        model: match args.model {
            ModelArg::Tags => Model::Tags,
            ModelArg::None => Model::None,
        },
        keys: TagKeys {
            service: args.service_tag.clone(),
            function: args.function_tag.clone(),
            depends: args.depends_tag.clone(),
        },
    };
    let (listing, mut warnings) = listing_of(&collected, now_rfc3339());
    let built = tag_model::build(&listing, &options);
    warnings.extend(built.warnings);
    if !quiet() && !warnings.is_empty() {
        use std::io::Write;
        let text = render_diagnostics(&warnings, color);
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
    write(
        &args.output.target(),
        built.document.to_json_string().as_bytes(),
        &[],
    )?;
    say(&summary(&collected, elapsed));
    let complete = collected.sources.iter().all(aws::Source::complete);
    Ok(if complete { exit::OK } else { exit::INCOMPLETE })
}

/// The crate's configuration from the flags; `--tag` and timeouts checked.
fn config_of(args: &CollectAwsArgs) -> Result<aws::Config, Failure> {
    let bad = |message: String, help: &str| {
        Failure::invalid(vec![
            Diagnostic::error(Code::InvalidValue, message).help(help.to_owned())
        ])
    };
    let seconds = |value: f64, flag: &str| {
        if value.is_finite() && value > 0.0 && value < 86_400.0 {
            Ok(Duration::from_secs_f64(value))
        } else {
            Err(bad(
                format!("{flag} {value} is not a number of seconds"),
                "give a positive number of seconds, below a day",
            ))
        }
    };
    let regions = if args.regions.iter().any(|r| r == "all") {
        aws::Regions::All
    } else {
        aws::Regions::List(args.regions.clone())
    };
    let mut tag_filters = Vec::new();
    for tag in &args.tag {
        match tag.split_once('=') {
            Some(("", _)) => {
                return Err(bad(
                    format!("--tag `{tag}` has no key"),
                    "write --tag KEY=VALUE or --tag KEY",
                ))
            }
            Some((k, v)) => tag_filters.push((k.to_owned(), Some(v.to_owned()))),
            None => tag_filters.push((tag.clone(), None)),
        }
    }
    Ok(aws::Config {
        profile: args.profile.clone(),
        regions,
        assume_roles: args.assume_role.clone(),
        concurrency: args.concurrency.max(1),
        max_attempts: args.max_attempts.max(1),
        attempt_timeout: seconds(args.attempt_timeout, "--attempt-timeout")?,
        operation_timeout: seconds(args.operation_timeout, "--operation-timeout")?,
        tag_filters,
        types: args.types.clone(),
        page_size: args.page_size,
        max_restarts: 3,
    })
}

/// The crate's records as the tag model's input, and a `placement-unknown`
/// warning per resource whose zones could not be read.
fn listing_of(collected: &aws::Collected, collected_at: String) -> (Listing, Vec<Diagnostic>) {
    let mut warnings = Vec::new();
    let resources = collected
        .resources
        .iter()
        .map(|r| {
            let zones = match &r.placement {
                aws::Placement::Zones(list) => Some(Zones::List(list.clone())),
                aws::Placement::Regional => Some(Zones::Every),
                aws::Placement::Unknown(why) => {
                    warnings.push(
                        Diagnostic::warning(
                            Code::PlacementUnknown,
                            format!("the zones of `{}` are unknown: {why}", r.arn),
                        )
                        .node(r.arn.clone())
                        .help("it keeps its region; no zone failure reaches it"),
                    );
                    None
                }
            };
            ListedResource {
                arn: r.arn.clone(),
                tags: r.tags.clone(),
                zones,
                region: r.region.clone(),
            }
        })
        .collect();
    let sources = collected
        .sources
        .iter()
        .map(|s| SourceMeta {
            collector: COLLECTOR.to_owned(),
            account: s.account.clone(),
            regions: s.regions.clone(),
            complete: s.complete(),
            errors: s
                .errors
                .iter()
                .map(|e| CollectError {
                    region: e.region.clone(),
                    account: s.account.clone(),
                    error: e.error.clone(),
                })
                .collect(),
        })
        .collect();
    let listing = Listing {
        sources,
        resources,
        collected_at,
    };
    (listing, warnings)
}

/// The summary line: resources per region, time, pages, requests, the
/// incomplete regions, and that only tagged resources are listed.
fn summary(collected: &aws::Collected, elapsed: Duration) -> String {
    let per_region: Vec<String> = collected
        .stats
        .iter()
        .map(|s| format!("{} {}", s.region, s.resources))
        .collect();
    let pages: u64 = collected.stats.iter().map(|s| s.pages).sum();
    let failed: Vec<String> = collected
        .sources
        .iter()
        .flat_map(|s| {
            s.errors.iter().map(move |e| match &s.account {
                Some(a) => format!("{}/{}", a, e.region),
                None => e.region.clone(),
            })
        })
        .collect();
    let mut line = format!(
        "blastmap: collected {} resources ({}) in {:.1} s, {} pages, {} requests; tagged resources only",
        collected.resources.len(),
        per_region.join(", "),
        elapsed.as_secs_f64(),
        pages,
        collected.requests,
    );
    if !failed.is_empty() {
        line.push_str(&format!("; INCOMPLETE: {}", failed.join(", ")));
    }
    line
}

/// Now, in RFC 3339 (UTC, seconds), from the system clock;
/// `BLASTMAP_COLLECTED_AT` overrides it so tests and fixtures are
/// reproducible byte for byte.
fn now_rfc3339() -> String {
    if let Ok(fixed) = std::env::var("BLASTMAP_COLLECTED_AT") {
        return fixed;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_the_epoch_become_calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_513), (2026, 3, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn a_resource_whose_placement_cannot_be_read_keeps_its_region_with_a_warning() {
        let collected = aws::Collected {
            sources: vec![aws::Source {
                account: Some("111122223333".into()),
                role: None,
                regions: vec!["us-east-1".into()],
                errors: vec![aws::RegionError {
                    region: "eu-west-1".into(),
                    error: "AccessDeniedException: no".into(),
                }],
            }],
            resources: vec![aws::Resource {
                arn: "arn:aws:es:us-east-1:111122223333:domain/products".into(),
                tags: [("service".to_owned(), "search".to_owned())].into(),
                region: None,
                placement: aws::Placement::Unknown("not read".into()),
            }],
            stats: Vec::new(),
            requests: 3,
        };
        let (listing, warnings) = listing_of(&collected, "2026-11-30T00:00:00Z".into());
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].code, Code::PlacementUnknown);
        assert_eq!(listing.resources[0].zones, None);
        assert!(!listing.sources[0].complete);
        assert_eq!(listing.sources[0].errors[0].region, "eu-west-1");
    }
}
