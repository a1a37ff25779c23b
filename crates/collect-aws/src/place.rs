//! Placement (SPEC §5): batched describe calls per region, never one call
//! per resource (S3 excepted: a bucket's region has no batch call).
//!
//! Zone names differ per account, so every zone is written as its id
//! (`use1-az1`), mapped from names through `DescribeAvailabilityZones` of
//! the same account and region. A resource whose placement cannot be read
//! gets [`Placement::Unknown`] with the reason, never a guess.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::{Region, SdkConfig};

use crate::count::Counter;
use crate::list::describe_error;
use crate::{Placement, Resource};

/// Services whose resources span every zone of their region: `"*"`.
const REGIONAL_SERVICES: &[&str] = &[
    "acm",
    "apigateway",
    "cloudfront",
    "cloudwatch",
    "dynamodb",
    "ecr",
    "events",
    "firehose",
    "iam",
    "kinesis",
    "kms",
    "logs",
    "route53",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "states",
];

/// EC2 resource types that belong to the region, not to a zone.
const REGIONAL_EC2_TYPES: &[&str] = &[
    "dhcp-options",
    "elastic-ip",
    "image",
    "internet-gateway",
    "key-pair",
    "launch-template",
    "network-acl",
    "route-table",
    "security-group",
    "snapshot",
    "vpc",
];

/// How many ids one describe call filters on.
const BATCH: usize = 100;

/// What a resource needs to be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Regional,
    Instance,
    Subnet,
    LoadBalancer,
    Database,
    Cache,
    Function,
    Unread,
}

/// The service and resource parts of an ARN (`ec2`, `instance/i-1`).
fn arn_parts(arn: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts[..] {
        [_, _, service, _, _, resource] => Some((service, resource)),
        _ => None,
    }
}

fn kind_of(arn: &str) -> Kind {
    let Some((service, resource)) = arn_parts(arn) else {
        return Kind::Unread;
    };
    let resource_type = resource.split([':', '/']).next().unwrap_or_default();
    match (service, resource_type) {
        ("ec2", "instance") => Kind::Instance,
        ("ec2", "subnet") => Kind::Subnet,
        ("ec2", t) if REGIONAL_EC2_TYPES.contains(&t) => Kind::Regional,
        ("elasticloadbalancing", "loadbalancer") => Kind::LoadBalancer,
        ("elasticloadbalancing", "targetgroup") => Kind::Regional,
        ("rds", "db") => Kind::Database,
        ("elasticache", "cluster" | "replicationgroup") => Kind::Cache,
        ("lambda", "function") => Kind::Function,
        (s, _) if REGIONAL_SERVICES.contains(&s) => Kind::Regional,
        _ => Kind::Unread,
    }
}

/// The last segment of an ARN's resource part (`i-1` of `instance/i-1`).
fn resource_id(arn: &str) -> &str {
    let resource = arn_parts(arn).map_or(arn, |(_, r)| r);
    resource.rsplit([':', '/']).next().unwrap_or(resource)
}

/// Sets the placement of every resource of one region.
pub(crate) async fn place_region(
    sdk: &SdkConfig,
    counter: &Counter,
    region: &str,
    resources: &mut [Resource],
) {
    let kinds: Vec<Kind> = resources.iter().map(|r| kind_of(&r.arn)).collect();
    let wants = |k: Kind| kinds.contains(&k);
    let zonal = kinds
        .iter()
        .any(|k| !matches!(k, Kind::Regional | Kind::Unread));
    let region_name = Region::new(region.to_owned());
    let ec2 = client!(aws_sdk_ec2, sdk, counter, region_name.clone());
    let zone_ids = if zonal {
        zone_ids(&ec2).await
    } else {
        Ok(BTreeMap::new())
    };
    // Zones by the id of the thing described: instance id, subnet id, ARN.
    let mut zones: BTreeMap<String, Result<Placement, String>> = BTreeMap::new();
    let ids_of = |kind: Kind| -> Vec<String> {
        resources
            .iter()
            .zip(&kinds)
            .filter(|(_, k)| **k == kind)
            .map(|(r, _)| resource_id(&r.arn).to_owned())
            .collect()
    };
    let arns_of = |kind: Kind| -> Vec<String> {
        resources
            .iter()
            .zip(&kinds)
            .filter(|(_, k)| **k == kind)
            .map(|(r, _)| r.arn.clone())
            .collect()
    };
    if let Ok(names) = &zone_ids {
        if wants(Kind::Instance) {
            instances(&ec2, names, &ids_of(Kind::Instance), &mut zones).await;
        }
        let mut subnet_ids = ids_of(Kind::Subnet);
        let mut functions = BTreeMap::new();
        if wants(Kind::Function) {
            let lambda = client!(aws_sdk_lambda, sdk, counter, region_name.clone());
            functions = function_subnets(&lambda, &arns_of(Kind::Function)).await;
            for subnets in functions.values().flatten() {
                subnet_ids.extend(subnets.iter().cloned());
            }
        }
        let subnets = if subnet_ids.is_empty() {
            Ok(BTreeMap::new())
        } else {
            subnet_zones(&ec2, names, &subnet_ids).await
        };
        for id in ids_of(Kind::Subnet) {
            let placement = zones_of_subnets(&subnets, std::slice::from_ref(&id));
            zones.insert(id, placement);
        }
        for (arn, function) in functions {
            let placement = match function {
                Ok(subnets) if subnets.is_empty() => Ok(Placement::Regional),
                Ok(ids) => zones_of_subnets(&subnets, &ids),
                Err(e) => Err(e),
            };
            zones.insert(arn, placement);
        }
        if wants(Kind::LoadBalancer) {
            let elb = client!(
                aws_sdk_elasticloadbalancingv2,
                sdk,
                counter,
                region_name.clone()
            );
            load_balancers(&elb, names, &arns_of(Kind::LoadBalancer), &mut zones).await;
        }
        if wants(Kind::Database) {
            let rds = client!(aws_sdk_rds, sdk, counter, region_name.clone());
            databases(&rds, names, &arns_of(Kind::Database), &mut zones).await;
        }
        if wants(Kind::Cache) {
            let cache = client!(aws_sdk_elasticache, sdk, counter, region_name.clone());
            caches(&cache, names, &arns_of(Kind::Cache), &mut zones).await;
        }
    }
    for (resource, kind) in resources.iter_mut().zip(kinds) {
        resource.placement = match kind {
            Kind::Regional => Placement::Regional,
            Kind::Unread => Placement::Unknown(format!(
                "the placement of {} resources is not read",
                arn_parts(&resource.arn).map_or("these", |(s, _)| s)
            )),
            _ => match &zone_ids {
                Err(e) => Placement::Unknown(format!(
                    "zone ids not read (ec2:DescribeAvailabilityZones): {e}"
                )),
                Ok(_) => {
                    let key = match kind {
                        Kind::Instance | Kind::Subnet => resource_id(&resource.arn).to_owned(),
                        _ => resource.arn.clone(),
                    };
                    match zones.remove(&key) {
                        Some(Ok(p)) => p,
                        Some(Err(e)) => Placement::Unknown(e),
                        None => Placement::Unknown(
                            "not found by its describe call (deleted since it was listed?)"
                                .to_owned(),
                        ),
                    }
                }
            },
        };
    }
}

/// Zone names → ids.
type ZoneIds = BTreeMap<String, String>;

/// `DescribeAvailabilityZones` of the account and region: name → id.
async fn zone_ids(ec2: &aws_sdk_ec2::Client) -> Result<ZoneIds, String> {
    let out = ec2
        .describe_availability_zones()
        .all_availability_zones(true)
        .send()
        .await
        .map_err(|e| describe_error(&e))?;
    Ok(out
        .availability_zones()
        .iter()
        .filter_map(|z| Some((z.zone_name()?.to_owned(), z.zone_id()?.to_owned())))
        .collect())
}

/// A zone name as its id, or why not.
fn zone_id(names: &ZoneIds, name: &str) -> Result<String, String> {
    names
        .get(name)
        .cloned()
        .ok_or_else(|| format!("zone {name} is not in the region's zone list"))
}

/// Zone names (empty ones skipped) as a sorted, de-duplicated list of ids.
fn zones_of<'a>(
    names: &ZoneIds,
    zone_names: impl IntoIterator<Item = &'a str>,
) -> Result<Placement, String> {
    let ids = zone_names
        .into_iter()
        .filter(|n| !n.is_empty())
        .map(|n| zone_id(names, n))
        .collect::<Result<BTreeSet<String>, String>>()?;
    if ids.is_empty() {
        return Err("the describe call gave no zone".to_owned());
    }
    Ok(Placement::Zones(ids.into_iter().collect()))
}

/// An EC2 filter on `name` with these values.
fn ec2_filter(name: &str, values: &[String]) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder()
        .name(name)
        .set_values(Some(values.to_vec()))
        .build()
}

/// Marks `keys` not placed yet as unread, for `why`.
fn unread(zones: &mut BTreeMap<String, Result<Placement, String>>, keys: &[String], why: String) {
    for key in keys {
        zones.entry(key.clone()).or_insert_with(|| Err(why.clone()));
    }
}

/// `DescribeInstances` filtered on the instance ids, a batch at a time
/// (a filter, unlike `InstanceIds`, does not fail on one missing id).
async fn instances(
    ec2: &aws_sdk_ec2::Client,
    names: &ZoneIds,
    ids: &[String],
    zones: &mut BTreeMap<String, Result<Placement, String>>,
) {
    for batch in ids.chunks(BATCH) {
        let mut pages = ec2
            .describe_instances()
            .filters(ec2_filter("instance-id", batch))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                Err(e) => {
                    unread(
                        zones,
                        batch,
                        format!("ec2:DescribeInstances: {}", describe_error(&e)),
                    );
                    break;
                }
            };
            for instance in page.reservations().iter().flat_map(|r| r.instances()) {
                let Some(id) = instance.instance_id() else {
                    continue;
                };
                let zone = instance
                    .placement()
                    .and_then(|p| p.availability_zone())
                    .unwrap_or_default();
                zones.insert(id.to_owned(), zones_of(names, [zone]));
            }
        }
    }
}

/// `DescribeSubnets` filtered on the subnet ids: subnet id → zone id.
async fn subnet_zones(
    ec2: &aws_sdk_ec2::Client,
    names: &ZoneIds,
    ids: &[String],
) -> Result<BTreeMap<String, String>, String> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut found = BTreeMap::new();
    for batch in ids.chunks(BATCH) {
        let mut pages = ec2
            .describe_subnets()
            .filters(ec2_filter("subnet-id", batch))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| format!("ec2:DescribeSubnets: {}", describe_error(&e)))?;
            for subnet in page.subnets() {
                if let (Some(id), Some(zone)) = (subnet.subnet_id(), subnet.availability_zone()) {
                    found.insert(id.to_owned(), zone_id(names, zone)?);
                }
            }
        }
    }
    Ok(found)
}

/// The zones of some subnets, or why not.
fn zones_of_subnets(
    subnets: &Result<BTreeMap<String, String>, String>,
    ids: &[String],
) -> Result<Placement, String> {
    let subnets = subnets.as_ref().map_err(Clone::clone)?;
    let zones = ids
        .iter()
        .map(|id| {
            subnets
                .get(id)
                .cloned()
                .ok_or_else(|| format!("subnet {id} not found by ec2:DescribeSubnets"))
        })
        .collect::<Result<BTreeSet<String>, String>>()?;
    Ok(Placement::Zones(zones.into_iter().collect()))
}

/// `ListFunctions` (every page): function ARN → its VPC subnets (empty:
/// outside any VPC), for the listed functions.
async fn function_subnets(
    lambda: &aws_sdk_lambda::Client,
    arns: &[String],
) -> BTreeMap<String, Result<Vec<String>, String>> {
    let wanted: BTreeSet<&str> = arns.iter().map(String::as_str).collect();
    let mut found = BTreeMap::new();
    let mut pages = lambda.list_functions().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                let why = format!("lambda:ListFunctions: {}", describe_error(&e));
                for arn in arns {
                    found.entry(arn.clone()).or_insert_with(|| Err(why.clone()));
                }
                return found;
            }
        };
        for function in page.functions() {
            let Some(arn) = function.function_arn() else {
                continue;
            };
            if !wanted.contains(arn) {
                continue;
            }
            let subnets = function
                .vpc_config()
                .map(|v| v.subnet_ids().to_vec())
                .unwrap_or_default();
            found.insert(arn.to_owned(), Ok(subnets));
        }
    }
    found
}

/// `DescribeLoadBalancers` by ARN, 20 at a time (the call's limit).
async fn load_balancers(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    names: &ZoneIds,
    arns: &[String],
    zones: &mut BTreeMap<String, Result<Placement, String>>,
) {
    for batch in arns.chunks(20) {
        match elb
            .describe_load_balancers()
            .set_load_balancer_arns(Some(batch.to_vec()))
            .send()
            .await
        {
            Ok(out) => {
                for lb in out.load_balancers() {
                    let Some(arn) = lb.load_balancer_arn() else {
                        continue;
                    };
                    let placement = zones_of(
                        names,
                        lb.availability_zones()
                            .iter()
                            .map(|z| z.zone_name().unwrap_or_default()),
                    );
                    zones.insert(arn.to_owned(), placement);
                }
            }
            Err(e) => {
                let why = format!(
                    "elasticloadbalancing:DescribeLoadBalancers: {}",
                    describe_error(&e)
                );
                for arn in batch {
                    zones.insert(arn.clone(), Err(why.clone()));
                }
            }
        }
    }
}

/// `DescribeDBInstances` (every page): its zone, or both when Multi-AZ, or
/// `"*"` when Multi-AZ and the secondary is not reported (SPEC §5).
async fn databases(
    rds: &aws_sdk_rds::Client,
    names: &ZoneIds,
    arns: &[String],
    zones: &mut BTreeMap<String, Result<Placement, String>>,
) {
    let mut pages = rds.describe_db_instances().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                unread(
                    zones,
                    arns,
                    format!("rds:DescribeDBInstances: {}", describe_error(&e)),
                );
                return;
            }
        };
        for db in page.db_instances() {
            let Some(arn) = db.db_instance_arn() else {
                continue;
            };
            let primary = db.availability_zone().unwrap_or_default();
            let placement = match (
                db.multi_az().unwrap_or(false),
                db.secondary_availability_zone(),
            ) {
                (true, Some(secondary)) => zones_of(names, [primary, secondary]),
                (true, None) => Ok(Placement::Regional),
                (false, _) => zones_of(names, [primary]),
            };
            zones.insert(arn.to_owned(), placement);
        }
    }
}

/// `DescribeCacheClusters` (every page, with nodes): a cluster's node
/// zones; a replication group's, the zones of its member clusters.
async fn caches(
    cache: &aws_sdk_elasticache::Client,
    names: &ZoneIds,
    arns: &[String],
    zones: &mut BTreeMap<String, Result<Placement, String>>,
) {
    let mut by_group: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut pages = cache
        .describe_cache_clusters()
        .show_cache_node_info(true)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                unread(
                    zones,
                    arns,
                    format!("elasticache:DescribeCacheClusters: {}", describe_error(&e)),
                );
                return;
            }
        };
        for cluster in page.cache_clusters() {
            let mut cluster_zones: Vec<String> = cluster
                .cache_nodes()
                .iter()
                .filter_map(|n| n.customer_availability_zone().map(str::to_owned))
                .collect();
            if cluster_zones.is_empty() {
                cluster_zones.extend(cluster.preferred_availability_zone().map(str::to_owned));
            }
            if let Some(arn) = cluster.arn() {
                zones.insert(
                    arn.to_owned(),
                    zones_of(names, cluster_zones.iter().map(String::as_str)),
                );
                if let Some(group) = cluster.replication_group_id() {
                    let group_arn = replication_group_arn(arn, group);
                    by_group.entry(group_arn).or_default().extend(cluster_zones);
                }
            }
        }
    }
    for (arn, group_zones) in by_group {
        zones.insert(arn, zones_of(names, group_zones.iter().map(String::as_str)));
    }
}

/// `arn:aws:elasticache:R:A:cluster:c` and group `g` →
/// `arn:aws:elasticache:R:A:replicationgroup:g`.
fn replication_group_arn(cluster_arn: &str, group: &str) -> String {
    let prefix = cluster_arn.rsplitn(3, ':').nth(2).unwrap_or(cluster_arn);
    format!("{prefix}:replicationgroup:{group}")
}

/// `GetBucketLocation` for each bucket ARN: its region (an empty location
/// is us-east-1, `EU` eu-west-1), or why not.
pub(crate) async fn bucket_regions(
    sdk: &SdkConfig,
    counter: &Counter,
    arns: &[String],
) -> Vec<(String, Result<String, String>)> {
    let mut builder = aws_sdk_s3::config::Builder::from(sdk).interceptor(counter.clone());
    if sdk.endpoint_url().is_some() {
        // A local endpoint (an IP address) cannot take virtual-hosted names.
        builder = builder.force_path_style(true);
    }
    let s3 = aws_sdk_s3::Client::from_conf(builder.build());
    let mut located = Vec::with_capacity(arns.len());
    for arn in arns {
        let bucket = arn.trim_start_matches("arn:aws:s3:::");
        let region = match s3.get_bucket_location().bucket(bucket).send().await {
            Ok(out) => Ok(match out.location_constraint().map(|c| c.as_str()) {
                None | Some("") => "us-east-1".to_owned(),
                Some("EU") => "eu-west-1".to_owned(),
                Some(other) => other.to_owned(),
            }),
            Err(e) => Err(format!("s3:GetBucketLocation: {}", describe_error(&e))),
        };
        located.push((arn.clone(), region));
    }
    located
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_kinds_follow_the_arn_service_and_type() {
        assert_eq!(
            kind_of("arn:aws:ec2:us-east-1:1:instance/i-1"),
            Kind::Instance
        );
        assert_eq!(
            kind_of("arn:aws:ec2:us-east-1:1:subnet/subnet-1"),
            Kind::Subnet
        );
        assert_eq!(kind_of("arn:aws:ec2:us-east-1:1:vpc/vpc-1"), Kind::Regional);
        assert_eq!(
            kind_of("arn:aws:ec2:us-east-1:1:volume/vol-1"),
            Kind::Unread
        );
        assert_eq!(kind_of("arn:aws:rds:us-east-1:1:db:orders"), Kind::Database);
        assert_eq!(
            kind_of("arn:aws:elasticache:us-east-1:1:replicationgroup:c"),
            Kind::Cache
        );
        assert_eq!(kind_of("arn:aws:sqs:us-east-1:1:q"), Kind::Regional);
        assert_eq!(kind_of("arn:aws:s3:::bucket"), Kind::Regional);
        assert_eq!(kind_of("arn:aws:es:us-east-1:1:domain/d"), Kind::Unread);
        assert_eq!(kind_of("not-an-arn"), Kind::Unread);
    }

    #[test]
    fn resource_ids_are_the_last_segment_of_the_resource_part() {
        assert_eq!(
            resource_id("arn:aws:ec2:us-east-1:1:instance/i-0abc"),
            "i-0abc"
        );
        assert_eq!(
            resource_id("arn:aws:ec2:us-east-1:1:subnet/subnet-9"),
            "subnet-9"
        );
    }

    #[test]
    fn a_replication_group_arn_is_built_from_a_member_cluster_arn() {
        assert_eq!(
            replication_group_arn("arn:aws:elasticache:us-east-1:1:cluster:cart-001", "cart"),
            "arn:aws:elasticache:us-east-1:1:replicationgroup:cart"
        );
    }

    #[test]
    fn zone_names_become_sorted_ids_and_an_unknown_name_is_an_error() {
        let names: ZoneIds = [("us-east-1b", "use1-az2"), ("us-east-1a", "use1-az6")]
            .into_iter()
            .map(|(n, i)| (n.to_owned(), i.to_owned()))
            .collect();
        assert_eq!(
            zones_of(&names, ["us-east-1a", "us-east-1b", "us-east-1a"]),
            Ok(Placement::Zones(vec!["use1-az2".into(), "use1-az6".into()]))
        );
        assert!(zones_of(&names, ["us-east-1z"]).is_err());
        assert!(zones_of(&names, [""]).is_err());
    }
}
