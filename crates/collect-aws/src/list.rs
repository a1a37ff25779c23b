//! One (account, region): every page of `GetResources`, then the placement
//! of what it listed.
//!
//! Pagination tokens are single use (moto's are; AWS's expire): a page that
//! fails after the SDK's retries cannot be asked again with its token, so
//! the listing starts again from the first page, de-duplicating by ARN, at
//! most `max_restarts` times. A failure on the first page ends the region.

use std::collections::BTreeMap;

use aws_config::{Region, SdkConfig};
use aws_sdk_resourcegroupstagging::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_resourcegroupstagging::types::TagFilter;

use crate::count::Counter;
use crate::{place, Config, Event, OnEvent, Placement, RegionStats, Resource};

/// What one listing task needs.
pub(crate) struct Job {
    pub(crate) sdk: SdkConfig,
    pub(crate) account: Option<String>,
    pub(crate) account_ix: usize,
    pub(crate) region: String,
    pub(crate) config: Config,
    pub(crate) counter: Counter,
    pub(crate) on_event: OnEvent,
}

/// What one listing task found.
pub(crate) struct Listed {
    pub(crate) account_ix: usize,
    pub(crate) region: String,
    pub(crate) resources: Vec<Resource>,
    pub(crate) error: Option<String>,
    pub(crate) stats: RegionStats,
}

/// A short, credential-free description of an SDK error: its code and
/// message when the service sent one, else the whole error chain (a
/// timeout, a refused connection).
pub(crate) fn describe_error<E, R>(
    error: &aws_sdk_resourcegroupstagging::error::SdkError<E, R>,
) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => DisplayErrorContext(error).to_string(),
    }
}

/// Lists the region, then reads the placement of what it listed (skipped
/// when the listing failed: the resources read keep their region, with a
/// warning each).
pub(crate) async fn list_region(job: Job) -> Listed {
    let client = client!(
        aws_sdk_resourcegroupstagging,
        &job.sdk,
        job.counter,
        Region::new(job.region.clone())
    );
    let mut found: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut pages = 0u64;
    let mut restarts = 0u32;
    let mut error = None;
    'listing: loop {
        let mut token: Option<String> = None;
        let mut page_in_run = 0u64;
        loop {
            let mut request = client.get_resources().set_pagination_token(token.clone());
            if let Some(size) = job.config.page_size {
                request = request.resources_per_page(size);
            }
            for (key, value) in &job.config.tag_filters {
                let mut filter = TagFilter::builder().key(key);
                if let Some(value) = value {
                    filter = filter.values(value);
                }
                request = request.tag_filters(filter.build());
            }
            for t in &job.config.types {
                request = request.resource_type_filters(t);
            }
            match request.send().await {
                Ok(page) => {
                    pages += 1;
                    page_in_run += 1;
                    let mappings = page.resource_tag_mapping_list();
                    for mapping in mappings {
                        let Some(arn) = mapping.resource_arn() else {
                            continue;
                        };
                        let tags = mapping
                            .tags()
                            .iter()
                            .map(|t| (t.key().to_owned(), t.value().to_owned()))
                            .collect();
                        found.insert(arn.to_owned(), tags);
                    }
                    tracing::debug!(
                        region = %job.region,
                        page = page_in_run,
                        resources = mappings.len(),
                        "GetResources page"
                    );
                    (job.on_event)(&Event::Page {
                        region: job.region.clone(),
                        resources: mappings.len() as u64,
                    });
                    match page.pagination_token() {
                        Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                        _ => break 'listing,
                    }
                }
                Err(e) => {
                    let described = describe_error(&e);
                    if page_in_run > 0 && restarts < job.config.max_restarts {
                        restarts += 1;
                        tracing::warn!(
                            region = %job.region,
                            error = %described,
                            restart = restarts,
                            "a page failed: listing the region again from its first page"
                        );
                        continue 'listing;
                    }
                    tracing::warn!(region = %job.region, error = %described, "the region's listing failed");
                    error = Some(format!("tag:GetResources: {described}"));
                    break 'listing;
                }
            }
        }
    }
    let mut resources: Vec<Resource> = found
        .into_iter()
        .map(|(arn, tags)| Resource {
            arn,
            tags,
            region: None,
            placement: Placement::Unknown(String::new()),
        })
        .collect();
    if error.is_none() {
        place::place_region(&job.sdk, &job.counter, &job.region, &mut resources).await;
    } else {
        for resource in &mut resources {
            resource.placement = Placement::Unknown(
                "placement not read: the region's listing did not finish".to_owned(),
            );
        }
    }
    let stats = RegionStats {
        account: job.account.clone(),
        region: job.region.clone(),
        pages,
        resources: resources.len() as u64,
        restarts,
    };
    (job.on_event)(&Event::RegionDone(stats.clone()));
    Listed {
        account_ix: job.account_ix,
        region: job.region,
        resources,
        error,
        stats,
    }
}
