//! The tag model of SPEC §5: what a cloud collector listed (ARNs, tags,
//! placement) turned into an estate that `analyze` can answer about.
//!
//! This is the pure half of `collect aws`: the SDK collector lists resources
//! and reads their placement, then calls [`build`]. Nothing here talks to
//! the network or reads a clock, so every rule of §5 is tested on plain
//! values.
//!
//! The convention, with the default tag keys:
//! - every listed resource is a node under `resources`, keyed by its ARN,
//!   with its tags and zones (and `region` when the collector knows it
//!   better than the ARN: S3 buckets);
//! - a resource tagged `service: S` in region R makes a service `svc:S@R`
//!   (`region: R`) that requires, per resource type T of S in R,
//!   `{any: [those resources]}`; resources of S in region `global` count in
//!   every region of S; and a service `svc:S` that requires
//!   `{any: [svc:S@R...]}`;
//! - `depends-on: D1+D2` on a resource of S in R makes `svc:S@R` require
//!   `svc:D@R` where D has resources in R, else `svc:D`;
//! - `business-function: F` makes a function F that requires `svc:S` for
//!   every S with a resource tagged F; a `criticality` tag on those
//!   resources sets F's criticality, the highest winning.
//!
//! Output is deterministic: the same resources in any order give the same
//! document, byte for byte once written with `Document::to_json_string`.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Code, Diagnostic};
// The loader's own ARN reading: the services built here group resources by
// the region and type the loader will derive, so both must read an ARN the
// same way (one rule, one place).
use crate::load::arn::parse_arn;
use crate::model::document::{CollectError, Entry, Member, Meta, Node, SourceMeta, Zones};
use crate::model::{Criticality, Document, NodeKind};

/// The default `--service-tag`: the logical service a resource belongs to.
pub const DEFAULT_SERVICE_TAG: &str = "service";
/// The default `--function-tag`: the business function a resource serves.
pub const DEFAULT_FUNCTION_TAG: &str = "business-function";
/// The default `--depends-tag`: services a resource's service calls.
pub const DEFAULT_DEPENDS_TAG: &str = "depends-on";
/// Separates the services of one depends tag: AWS tag values may not hold
/// commas, so `orders+catalog`.
pub const DEPENDS_SEPARATOR: char = '+';
/// The tag that sets a function's criticality (SPEC §5); not a flag.
pub const CRITICALITY_TAG: &str = "criticality";
/// Appended to each source's `collector`: the tagging API lists only
/// resources that are or were tagged, so the inventory is no census, and a
/// reader of the file must not take it for one.
pub const TAGGED_ONLY_NOTE: &str =
    "tagged resources only: the tagging API does not list resources that were never tagged";

/// One resource as a collector listed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedResource {
    /// Its ARN: the node's id, from which the loader derives `region`,
    /// `account`, `service` and `type`.
    pub arn: String,
    /// Its tags, as the API returned them.
    pub tags: BTreeMap<String, String>,
    /// Its placement, when the describe calls gave one; `None` when unknown
    /// (the resource then keeps its region and no zone can fail it).
    pub zones: Option<Zones>,
    /// Its region when the collector knows it and the ARN does not say it
    /// (an S3 bucket's ARN has no region; `GetBucketLocation` has one).
    pub region: Option<String>,
}

impl ListedResource {
    /// A resource with no tags, zones or explicit region, to build on.
    pub fn new(arn: impl Into<String>) -> Self {
        ListedResource {
            arn: arn.into(),
            tags: BTreeMap::new(),
            zones: None,
            region: None,
        }
    }

    /// Adds a tag, for chained construction.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    /// Sets the zones, for chained construction.
    pub fn zones(mut self, zones: Zones) -> Self {
        self.zones = Some(zones);
        self
    }

    /// Sets the explicit region, for chained construction.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
}

/// Everything one collection run gathered: the input of [`build`].
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// One source per account collected (collector name, account, regions,
    /// whether it finished, the error per region that did not).
    pub sources: Vec<SourceMeta>,
    /// Every resource listed, in any order; an ARN listed twice (an S3
    /// bucket seen from every region) is one node.
    pub resources: Vec<ListedResource>,
    /// When the collection ran (RFC 3339), from the caller's clock: the
    /// model has none, so tests give a fixed time.
    pub collected_at: String,
}

/// What the tags are turned into (`--model`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Model {
    /// SPEC §5: services and functions from the tags (the default).
    #[default]
    Tags,
    /// Resources only, for people who write their services by hand.
    None,
}

/// The tag keys of the convention (`--service-tag`, `--function-tag`,
/// `--depends-tag`), so an organisation can keep its own names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagKeys {
    /// The key whose value names a resource's logical service.
    pub service: String,
    /// The key whose value names the business function a resource serves.
    pub function: String,
    /// The key whose value lists the services a resource's service needs,
    /// joined by [`DEPENDS_SEPARATOR`].
    pub depends: String,
}

impl Default for TagKeys {
    fn default() -> Self {
        TagKeys {
            service: DEFAULT_SERVICE_TAG.to_owned(),
            function: DEFAULT_FUNCTION_TAG.to_owned(),
            depends: DEFAULT_DEPENDS_TAG.to_owned(),
        }
    }
}

/// How [`build`] reads the tags.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// Whether services and functions are derived at all.
    pub model: Model,
    /// Which tags name services, functions and dependencies.
    pub keys: TagKeys,
}

/// The document and what was left out of it, and why.
#[derive(Debug, Clone)]
pub struct Built {
    /// A valid estate: every id it references is defined in it.
    pub document: Document,
    /// Warnings about tags that could not be used (an unknown depends-on
    /// service, an invalid criticality, a malformed ARN...), sorted by node,
    /// then code.
    pub warnings: Vec<Diagnostic>,
}

/// Turns a listing into an inventory document by the tag model of SPEC §5
/// (or resources only, with [`Model::None`]).
///
/// The result never references an id it does not define nor defines one the
/// loader would reject: a tag that would (a depends-on service with no
/// resource, a function named like a built-in node or an ARN) is dropped
/// with a warning, so the loader accepts the document (unless it holds no
/// node at all: an empty listing is an empty estate). Deterministic whatever the order of
/// `listing.resources`. O(r log r) in the number of resources.
pub fn build(listing: &Listing, options: &Options) -> Built {
    let mut warnings = Vec::new();
    let resources = distinct_resources(&listing.resources, &mut warnings);
    let mut document = Document {
        meta: Some(meta(listing)),
        ..Document::default()
    };
    let mut placed = Vec::with_capacity(resources.len());
    for resource in resources.values() {
        let Some(facts) = parse_arn(&resource.arn) else {
            warnings.push(
                Diagnostic::warning(
                    Code::MalformedArn,
                    format!("`{}` is not an ARN; the resource is left out", resource.arn),
                )
                .node(resource.arn.clone())
                .help("an ARN reads arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"),
            );
            continue;
        };
        placed.push(Placed {
            resource,
            region: resource
                .region
                .clone()
                .unwrap_or_else(|| facts.region.to_owned()),
            type_: facts.node_type(),
        });
        document.insert(
            NodeKind::Resource,
            resource.arn.clone(),
            resource_node(resource),
        );
    }
    if options.model == Model::Tags {
        add_services(&placed, &options.keys, &mut document, &mut warnings);
        add_functions(&placed, &options.keys, &mut document, &mut warnings);
    }
    warnings.sort_by(|a, b| (&a.node, a.code, &a.message).cmp(&(&b.node, b.code, &b.message)));
    Built { document, warnings }
}

/// A resource with the region and type it is grouped by.
struct Placed<'r> {
    resource: &'r ListedResource,
    /// The explicit region, else the ARN's (`global` when it has none).
    region: String,
    /// `<service>:<resource type>` as the loader derives it.
    type_: String,
}

impl Placed<'_> {
    /// The value of tag `key`, unless absent or empty.
    fn tag(&self, key: &str) -> Option<&str> {
        self.resource
            .tags
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }
}

/// The resources by ARN, one per ARN. Copies that differ (the same bucket
/// listed with other tags mid-collection) keep the smallest by content, so
/// the choice does not depend on the order they were listed in, and warn
/// once per ARN.
fn distinct_resources<'r>(
    listed: &'r [ListedResource],
    warnings: &mut Vec<Diagnostic>,
) -> BTreeMap<&'r str, &'r ListedResource> {
    let mut by_arn: BTreeMap<&str, &ListedResource> = BTreeMap::new();
    let mut differing = BTreeSet::new();
    for resource in listed {
        match by_arn.get(resource.arn.as_str()) {
            None => {
                by_arn.insert(&resource.arn, resource);
            }
            Some(kept) if *kept == resource => {}
            Some(kept) => {
                differing.insert(resource.arn.as_str());
                if sort_key(resource) < sort_key(kept) {
                    by_arn.insert(&resource.arn, resource);
                }
            }
        }
    }
    warnings.extend(differing.into_iter().map(|arn| {
        Diagnostic::warning(
            Code::DuplicateKey,
            format!(
                "`{arn}` was listed more than once with different tags or placement; \
                 one listing is kept"
            ),
        )
        .node(arn.to_owned())
        .help("collect again once the resource's tags have settled")
    }));
    by_arn
}

/// A total order on listings of one ARN, for [`distinct_resources`].
fn sort_key(r: &ListedResource) -> (String, &BTreeMap<String, String>, &Option<String>) {
    (format!("{:?}", r.zones), &r.tags, &r.region)
}

/// The resource's node: tags, zones (sorted, each once), explicit region.
fn resource_node(resource: &ListedResource) -> Node {
    let zones = match &resource.zones {
        Some(Zones::List(list)) => {
            let sorted: BTreeSet<&String> = list.iter().collect();
            (!sorted.is_empty()).then(|| Zones::List(sorted.into_iter().cloned().collect()))
        }
        other => other.clone(),
    };
    Node {
        tags: resource.tags.clone(),
        zones,
        region: resource.region.clone(),
        ..Node::default()
    }
}

/// The `meta` block: the sources, sorted, each saying that the tagging API
/// lists tagged resources only.
fn meta(listing: &Listing) -> Meta {
    let mut sources: Vec<SourceMeta> = listing.sources.iter().map(noted_source).collect();
    sources.sort_by(|a, b| (&a.collector, &a.account).cmp(&(&b.collector, &b.account)));
    Meta {
        collected_at: Some(listing.collected_at.clone()),
        sources,
        edges: Vec::new(),
    }
}

/// `source` with [`TAGGED_ONLY_NOTE`] in its collector name, its regions
/// and errors sorted.
fn noted_source(source: &SourceMeta) -> SourceMeta {
    let mut noted = source.clone();
    if !noted.collector.contains(TAGGED_ONLY_NOTE) {
        noted.collector = format!("{} ({TAGGED_ONLY_NOTE})", noted.collector);
    }
    noted.regions.sort();
    noted.regions.dedup();
    noted.errors.sort_by(|a: &CollectError, b: &CollectError| {
        (&a.region, &a.account, &a.error).cmp(&(&b.region, &b.account, &b.error))
    });
    noted
}

/// One logical service's resources: per region, per type, the ARNs.
#[derive(Default)]
struct ServiceResources<'r> {
    by_region: BTreeMap<&'r str, BTreeMap<&'r str, BTreeSet<&'r str>>>,
    /// (region of the resource, service it depends on, the resource).
    depends: Vec<(&'r str, &'r str, &'r str)>,
}

/// The region a global resource is listed under.
const GLOBAL: &str = "global";

impl<'r> ServiceResources<'r> {
    /// The regions `svc:S@R` is made for: those holding a resource of S, or
    /// `global` alone when all of S is global.
    fn regions(&self) -> Vec<&'r str> {
        let regional: Vec<&str> = self
            .by_region
            .keys()
            .copied()
            .filter(|r| *r != GLOBAL)
            .collect();
        if regional.is_empty() {
            vec![GLOBAL]
        } else {
            regional
        }
    }

    /// Per type, the resources `svc:S@region` has: those of the region and
    /// the global ones.
    fn types_in(&self, region: &str) -> BTreeMap<&'r str, BTreeSet<&'r str>> {
        let mut types: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for r in [region, GLOBAL] {
            for (type_, arns) in self.by_region.get(r).into_iter().flatten() {
                types.entry(type_).or_default().extend(arns);
            }
            if region == GLOBAL {
                break;
            }
        }
        types
    }
}

/// `svc:S`: the service across its regions.
pub fn service_id(service: &str) -> String {
    format!("svc:{service}")
}

/// `svc:S@R`: the service's deployment in one region.
pub fn regional_service_id(service: &str, region: &str) -> String {
    format!("svc:{service}@{region}")
}

/// The services of §5: `svc:S@R` per region, `svc:S` over them, and the
/// depends-on requirements between them.
fn add_services(
    placed: &[Placed],
    keys: &TagKeys,
    document: &mut Document,
    warnings: &mut Vec<Diagnostic>,
) {
    let services = group_by_service(placed, keys);
    warnings.extend(unknown_depends_warnings(&services));
    for (service, resources) in &services {
        let regions = resources.regions();
        for region in &regions {
            let mut node = Node {
                region: Some((*region).to_owned()),
                ..Node::default()
            };
            for arns in resources.types_in(region).values() {
                node.requires.push(Entry::Any {
                    any: arns.iter().map(|a| Member::Id((*a).to_owned())).collect(),
                    allow_empty: false,
                });
            }
            node.requires
                .extend(depends_entries(service, region, &services));
            document.insert(
                NodeKind::Service,
                regional_service_id(service, region),
                node,
            );
        }
        let across = Node::default().requires(Entry::Any {
            any: regions
                .iter()
                .map(|r| Member::Id(regional_service_id(service, r)))
                .collect(),
            allow_empty: false,
        });
        document.insert(NodeKind::Service, service_id(service), across);
    }
}

/// Resources by the value of their service tag; untagged ones are in none.
fn group_by_service<'r>(
    placed: &'r [Placed],
    keys: &TagKeys,
) -> BTreeMap<&'r str, ServiceResources<'r>> {
    let mut services: BTreeMap<&str, ServiceResources> = BTreeMap::new();
    for p in placed {
        let Some(service) = p.tag(&keys.service) else {
            continue;
        };
        let entry = services.entry(service).or_default();
        entry
            .by_region
            .entry(&p.region)
            .or_default()
            .entry(&p.type_)
            .or_default()
            .insert(&p.resource.arn);
        for depends in p.tag(&keys.depends).into_iter().flat_map(split_depends) {
            entry.depends.push((&p.region, depends, &p.resource.arn));
        }
    }
    services
}

/// The services named by one depends tag value, trimmed, empty ones left out.
fn split_depends(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(DEPENDS_SEPARATOR)
        .map(str::trim)
        .filter(|d| !d.is_empty())
}

/// The depends-on requirements of `svc:service@region`, sorted, each once:
/// from its resources in the region and its global ones. A service naming
/// itself is no requirement (its own deployment already is); one naming a
/// service without resources is left out ([`unknown_depends_warnings`]
/// says so), since the id would be undefined.
fn depends_entries(
    service: &str,
    region: &str,
    services: &BTreeMap<&str, ServiceResources>,
) -> Vec<Entry> {
    let mut targets = BTreeSet::new();
    for &(from_region, depends, _) in &services[service].depends {
        if (from_region != region && from_region != GLOBAL) || depends == service {
            continue;
        }
        let Some(target) = services.get(depends) else {
            continue;
        };
        targets.insert(if target.regions().contains(&region) {
            regional_service_id(depends, region)
        } else {
            service_id(depends)
        });
    }
    targets.into_iter().map(Entry::Id).collect()
}

/// One warning per resource and depends-on value that names a service no
/// listed resource has.
fn unknown_depends_warnings(services: &BTreeMap<&str, ServiceResources>) -> Vec<Diagnostic> {
    let unknown: BTreeSet<(&str, &str)> = services
        .values()
        .flat_map(|s| &s.depends)
        .filter(|(_, depends, _)| !services.contains_key(depends))
        .map(|&(_, depends, arn)| (arn, depends))
        .collect();
    unknown
        .into_iter()
        .map(|(arn, depends)| unknown_depends(arn, depends))
        .collect()
}

fn unknown_depends(arn: &str, depends: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::UnknownReference,
        format!(
            "`{arn}` depends on service `{depends}`, but no listed resource carries that \
             service tag; the dependency is left out"
        ),
    )
    .node(arn.to_owned())
    .help(format!(
        "tag a resource of `{depends}` with the service tag, collect the region it is in, \
         or fix the spelling of the depends tag"
    ))
}

/// The functions of §5: each requires the services of its tagged resources,
/// with the highest `criticality` tag among them.
fn add_functions(
    placed: &[Placed],
    keys: &TagKeys,
    document: &mut Document,
    warnings: &mut Vec<Diagnostic>,
) {
    let mut functions: BTreeMap<&str, (BTreeSet<&str>, Option<Criticality>)> = BTreeMap::new();
    for p in placed {
        let Some(function) = p.tag(&keys.function) else {
            continue;
        };
        let (services, criticality) = functions.entry(function).or_default();
        if let Some(service) = p.tag(&keys.service) {
            services.insert(service);
        }
        if let Some(level) = p.tag(CRITICALITY_TAG) {
            match Criticality::parse(level) {
                // `Criticality` orders the most critical first.
                Some(c) => *criticality = Some(criticality.map_or(c, |old| old.min(c))),
                None => warnings.push(bad_criticality(&p.resource.arn, level)),
            }
        }
    }
    for (function, (services, criticality)) in functions {
        if let Some(problem) = unusable_function(function, &services, document) {
            warnings.push(problem);
            continue;
        }
        let mut node = Node {
            criticality,
            ..Node::default()
        };
        node.requires = services.iter().map(|s| Entry::Id(service_id(s))).collect();
        document.insert(NodeKind::Function, function, node);
    }
}

fn bad_criticality(arn: &str, level: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::BadCriticality,
        format!("`{arn}` has the criticality tag `{level}`, which is not a level; it is ignored"),
    )
    .node(arn.to_owned())
    .help("write critical, high, medium or low")
}

/// Why function `id` cannot be written, if it cannot: it would require
/// nothing (none of its resources has a service tag), its id is reserved
/// for built-in nodes, or it is already the id of a service or resource.
fn unusable_function(
    id: &str,
    services: &BTreeSet<&str>,
    document: &Document,
) -> Option<Diagnostic> {
    let (code, why) = if services.is_empty() {
        (
            Code::EmptyMembers,
            "none of its resources has a service tag, so it would require nothing",
        )
    } else if id.starts_with("aws:") {
        (Code::ReservedId, "ids starting with `aws:` are reserved")
    } else if id.starts_with("arn:") {
        (
            Code::MalformedArn,
            "an id starting with `arn:` is read as an ARN, and a function has none",
        )
    } else if document.services.contains_key(id) || document.resources.contains_key(id) {
        (
            Code::SameIdTwoSections,
            "the id is already a service or a resource",
        )
    } else {
        return None;
    };
    Some(
        Diagnostic::warning(code, format!("function `{id}` is left out: {why}"))
            .node(id.to_owned())
            .help("tag the function's resources with their service, or rename the function tag"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const USE1: &str = "arn:aws:ec2:us-east-1:111122223333:instance/i-1";
    const USE1_B: &str = "arn:aws:ec2:us-east-1:111122223333:instance/i-2";
    const EUW1: &str = "arn:aws:ec2:eu-west-1:111122223333:instance/i-3";
    const CDN: &str = "arn:aws:cloudfront::111122223333:distribution/E1";

    fn listing(resources: Vec<ListedResource>) -> Listing {
        Listing {
            sources: vec![SourceMeta::complete("aws-tagging")],
            resources,
            collected_at: "2026-11-24T10:00:00Z".into(),
        }
    }

    fn tagged(arn: &str, service: &str) -> ListedResource {
        ListedResource::new(arn).tag(DEFAULT_SERVICE_TAG, service)
    }

    fn build_default(resources: Vec<ListedResource>) -> Built {
        build(&listing(resources), &Options::default())
    }

    fn ids(entries: &[Entry]) -> Vec<String> {
        entries
            .iter()
            .map(|e| serde_json::to_string(e).expect("entries serialise"))
            .collect()
    }

    #[test]
    fn a_service_gets_one_deployment_per_region_and_one_node_over_them() {
        let built = build_default(vec![tagged(USE1, "web"), tagged(EUW1, "web")]);
        let services: Vec<&String> = built.document.services.keys().collect();
        assert_eq!(
            services,
            ["svc:web", "svc:web@eu-west-1", "svc:web@us-east-1"]
        );
        let web = &built.document.services["svc:web"];
        assert_eq!(
            ids(&web.requires),
            [r#"{"any":["svc:web@eu-west-1","svc:web@us-east-1"]}"#]
        );
        let use1 = &built.document.services["svc:web@us-east-1"];
        assert_eq!(use1.region.as_deref(), Some("us-east-1"));
        assert_eq!(ids(&use1.requires), [format!(r#"{{"any":["{USE1}"]}}"#)]);
    }

    #[test]
    fn resources_of_one_type_in_a_region_are_one_any_entry() {
        let rds = "arn:aws:rds:us-east-1:111122223333:db:orders";
        let built = build_default(vec![
            tagged(USE1_B, "web"),
            tagged(rds, "web"),
            tagged(USE1, "web"),
        ]);
        let use1 = &built.document.services["svc:web@us-east-1"];
        assert_eq!(
            ids(&use1.requires),
            [
                format!(r#"{{"any":["{USE1}","{USE1_B}"]}}"#),
                format!(r#"{{"any":["{rds}"]}}"#),
            ]
        );
    }

    #[test]
    fn global_resources_count_in_every_region_of_their_service() {
        let built = build_default(vec![
            tagged(USE1, "web"),
            tagged(EUW1, "web"),
            tagged(CDN, "web"),
        ]);
        for region in ["us-east-1", "eu-west-1"] {
            let node = &built.document.services[&regional_service_id("web", region)];
            assert!(
                ids(&node.requires).contains(&format!(r#"{{"any":["{CDN}"]}}"#)),
                "{region}: {:?}",
                node.requires
            );
        }
        assert!(!built.document.services.contains_key("svc:web@global"));
    }

    #[test]
    fn a_service_with_only_global_resources_is_deployed_in_region_global() {
        let built = build_default(vec![tagged(CDN, "edge")]);
        let node = &built.document.services["svc:edge@global"];
        assert_eq!(node.region.as_deref(), Some("global"));
        assert_eq!(
            ids(&built.document.services["svc:edge"].requires),
            [r#"{"any":["svc:edge@global"]}"#]
        );
    }

    #[test]
    fn an_explicit_region_places_a_bucket_in_its_region_not_global() {
        let bucket = "arn:aws:s3:::images";
        let built = build_default(vec![tagged(bucket, "img").region("eu-west-1")]);
        assert!(built.document.services.contains_key("svc:img@eu-west-1"));
        assert_eq!(
            built.document.resources[bucket].region.as_deref(),
            Some("eu-west-1")
        );
    }

    #[test]
    fn depends_on_names_the_regional_deployment_when_it_exists_else_the_service() {
        let db_use1 = "arn:aws:rds:us-east-1:111122223333:db:a";
        let built = build_default(vec![
            tagged(USE1, "web").tag(DEFAULT_DEPENDS_TAG, "orders + search"),
            tagged(EUW1, "web").tag(DEFAULT_DEPENDS_TAG, "orders"),
            tagged(db_use1, "orders"),
            tagged(CDN, "search"),
        ]);
        let use1 = &built.document.services["svc:web@us-east-1"];
        assert_eq!(
            ids(&use1.requires)[1..],
            [r#""svc:orders@us-east-1""#, r#""svc:search""#]
        );
        let euw1 = &built.document.services["svc:web@eu-west-1"];
        assert_eq!(ids(&euw1.requires)[1..], [r#""svc:orders""#]);
        assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    }

    #[test]
    fn depends_on_a_service_without_resources_is_dropped_with_a_warning() {
        let built = build_default(vec![tagged(USE1, "web").tag(DEFAULT_DEPENDS_TAG, "ghost")]);
        let use1 = &built.document.services["svc:web@us-east-1"];
        assert_eq!(use1.requires.len(), 1, "{:?}", use1.requires);
        assert_eq!(built.warnings.len(), 1, "{:?}", built.warnings);
        assert_eq!(built.warnings[0].code, Code::UnknownReference);
        assert_eq!(built.warnings[0].node.as_deref(), Some(USE1));
        assert!(built.warnings[0].message.contains("ghost"));
    }

    #[test]
    fn a_global_resource_depending_on_nothing_known_warns_once() {
        let built = build_default(vec![
            tagged(USE1, "web"),
            tagged(EUW1, "web"),
            tagged(CDN, "web").tag(DEFAULT_DEPENDS_TAG, "ghost"),
        ]);
        assert_eq!(built.warnings.len(), 1, "{:?}", built.warnings);
    }

    #[test]
    fn a_service_depending_on_itself_adds_no_requirement() {
        let built = build_default(vec![tagged(USE1, "web").tag(DEFAULT_DEPENDS_TAG, "web")]);
        assert_eq!(
            built.document.services["svc:web@us-east-1"].requires.len(),
            1
        );
        assert!(built.warnings.is_empty());
    }

    #[test]
    fn a_function_requires_every_service_with_a_resource_tagged_for_it() {
        let built = build_default(vec![
            tagged(USE1, "web").tag(DEFAULT_FUNCTION_TAG, "checkout"),
            tagged(EUW1, "cart").tag(DEFAULT_FUNCTION_TAG, "checkout"),
            tagged(USE1_B, "search").tag(DEFAULT_FUNCTION_TAG, "browse"),
        ]);
        let checkout = &built.document.functions["checkout"];
        assert_eq!(ids(&checkout.requires), [r#""svc:cart""#, r#""svc:web""#]);
        assert_eq!(checkout.criticality, None);
        assert_eq!(
            ids(&built.document.functions["browse"].requires),
            [r#""svc:search""#]
        );
    }

    #[test]
    fn the_highest_criticality_tag_wins_and_an_invalid_one_warns() {
        let built = build_default(vec![
            tagged(USE1, "web")
                .tag(DEFAULT_FUNCTION_TAG, "checkout")
                .tag(CRITICALITY_TAG, "low"),
            tagged(USE1_B, "web")
                .tag(DEFAULT_FUNCTION_TAG, "checkout")
                .tag(CRITICALITY_TAG, "high"),
            tagged(EUW1, "web")
                .tag(DEFAULT_FUNCTION_TAG, "checkout")
                .tag(CRITICALITY_TAG, "urgent"),
        ]);
        assert_eq!(
            built.document.functions["checkout"].criticality,
            Some(Criticality::High)
        );
        assert_eq!(built.warnings.len(), 1, "{:?}", built.warnings);
        assert_eq!(built.warnings[0].code, Code::BadCriticality);
        assert_eq!(built.warnings[0].node.as_deref(), Some(EUW1));
    }

    #[test]
    fn a_function_whose_resources_have_no_service_is_left_out_with_a_warning() {
        let built = build_default(vec![
            ListedResource::new(USE1).tag(DEFAULT_FUNCTION_TAG, "reports")
        ]);
        assert!(built.document.functions.is_empty());
        assert_eq!(built.warnings[0].code, Code::EmptyMembers);
    }

    #[test]
    fn a_function_with_a_reserved_or_taken_id_is_left_out_with_a_warning() {
        let built = build_default(vec![
            tagged(USE1, "web").tag(DEFAULT_FUNCTION_TAG, "aws:iam"),
            tagged(EUW1, "web").tag(DEFAULT_FUNCTION_TAG, "svc:web"),
            tagged(USE1_B, "web").tag(DEFAULT_FUNCTION_TAG, "arn:shop"),
        ]);
        assert!(built.document.functions.is_empty());
        let codes: Vec<Code> = built.warnings.iter().map(|w| w.code).collect();
        assert_eq!(
            codes,
            [
                Code::MalformedArn,
                Code::ReservedId,
                Code::SameIdTwoSections
            ]
        );
    }

    #[test]
    fn a_resource_without_a_service_tag_stays_a_resource_in_no_service() {
        let built = build_default(vec![
            ListedResource::new(USE1).tag("team", "ops"),
            tagged(EUW1, "web"),
        ]);
        assert!(built.document.resources.contains_key(USE1));
        assert!(!built.document.services.contains_key("svc:web@us-east-1"));
        assert_eq!(built.document.services.len(), 2);
    }

    #[test]
    fn custom_tag_keys_are_read_instead_of_the_defaults() {
        let options = Options {
            model: Model::Tags,
            keys: TagKeys {
                service: "app".into(),
                function: "bf".into(),
                depends: "calls".into(),
            },
        };
        let resources = vec![
            ListedResource::new(USE1)
                .tag("app", "web")
                .tag("bf", "shop")
                .tag("calls", "db")
                .tag(DEFAULT_SERVICE_TAG, "ignored"),
            ListedResource::new(USE1_B).tag("app", "db"),
        ];
        let built = build(&listing(resources), &options);
        assert!(built.document.services.contains_key("svc:web"));
        assert!(!built.document.services.contains_key("svc:ignored"));
        assert_eq!(
            ids(&built.document.functions["shop"].requires),
            [r#""svc:web""#]
        );
        assert!(ids(&built.document.services["svc:web@us-east-1"].requires)
            .contains(&r#""svc:db@us-east-1""#.to_owned()));
    }

    #[test]
    fn model_none_writes_resources_only() {
        let built = build(
            &listing(vec![tagged(USE1, "web").tag(DEFAULT_FUNCTION_TAG, "shop")]),
            &Options {
                model: Model::None,
                ..Options::default()
            },
        );
        assert_eq!(built.document.resources.len(), 1);
        assert!(built.document.services.is_empty());
        assert!(built.document.functions.is_empty());
    }

    #[test]
    fn an_arn_listed_twice_is_one_node_whichever_copy_comes_first() {
        let a = tagged(USE1, "web");
        let b = tagged(USE1, "api");
        let one = build_default(vec![a.clone(), b.clone(), a.clone()]);
        let other = build_default(vec![b, a]);
        assert_eq!(one.document.resources.len(), 1);
        assert_eq!(
            one.document.to_json_string(),
            other.document.to_json_string()
        );
        assert_eq!(one.warnings.len(), 1, "{:?}", one.warnings);
        assert_eq!(one.warnings[0].code, Code::DuplicateKey);
    }

    #[test]
    fn a_malformed_arn_is_left_out_with_a_warning() {
        let built = build_default(vec![tagged("arn:aws:ec2", "web")]);
        assert!(built.document.resources.is_empty());
        assert!(built.document.services.is_empty());
        assert_eq!(built.warnings[0].code, Code::MalformedArn);
    }

    #[test]
    fn zone_lists_are_sorted_and_each_zone_written_once() {
        let built = build_default(vec![ListedResource::new(USE1).zones(Zones::List(vec![
            "use1-az2".into(),
            "use1-az1".into(),
            "use1-az2".into(),
        ]))]);
        assert_eq!(
            built.document.resources[USE1].zones,
            Some(Zones::List(vec!["use1-az1".into(), "use1-az2".into()]))
        );
    }

    #[test]
    fn every_source_says_the_listing_holds_tagged_resources_only() {
        let mut input = listing(vec![]);
        input.sources[0].regions = vec!["us-east-1".into(), "eu-west-1".into()];
        let meta = build(&input, &Options::default())
            .document
            .meta
            .expect("the tag model always writes meta");
        assert!(meta.sources[0].collector.starts_with("aws-tagging ("));
        assert!(meta.sources[0].collector.contains(TAGGED_ONLY_NOTE));
        assert_eq!(meta.sources[0].regions, ["eu-west-1", "us-east-1"]);
        assert_eq!(meta.collected_at.as_deref(), Some("2026-11-24T10:00:00Z"));
    }
}
