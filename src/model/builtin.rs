//! The built-in `aws:` nodes (SPEC §6.2): AWS control planes and data planes
//! that live in one region (or in a quorum of regions), so that a failover
//! whose switch needs one of them can be modelled without each user
//! describing AWS's own architecture.
//!
//! Pure data: the loader adds the nodes a document references
//! (`load::builtin`), `blastmap catalog` prints the table with each fact's
//! source. The sources are the AWS documents gathered for the project (AWS
//! Fault Isolation Boundaries whitepaper and the services' guides); one
//! table, so a correction is one edit.

/// The prefix of every built-in id; no node defined in a document may use it.
pub const PREFIX: &str = "aws:";

/// The provider every built-in node has.
pub const PROVIDER: &str = "aws";

/// One built-in node: its identity, placement, requirements and sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinNode {
    /// The id, starting with [`PREFIX`].
    pub id: &'static str,
    /// The AWS service (the node's `service` field).
    pub service: &'static str,
    /// The node's `region`; `None` for the ARC cluster, which lives in five.
    pub region: Option<&'static str>,
    /// `Some((k, members))`: the node requires `{quorum: k, of: members}`,
    /// each member a built-in node.
    pub quorum: Option<(u32, &'static [&'static str])>,
    /// What needs it: the actions that stop when it is down.
    pub needed_by: &'static str,
    /// Where the placement and the requirement come from.
    pub source: &'static str,
}

/// The five regions of the Route 53 ARC cluster, in the SPEC's order.
pub const ARC_REGIONS: [&str; 5] = [
    "aws:route53-arc@us-west-2",
    "aws:route53-arc@us-east-1",
    "aws:route53-arc@eu-west-1",
    "aws:route53-arc@ap-southeast-2",
    "aws:route53-arc@ap-northeast-1",
];

const ARC_SOURCE: &str = "Route 53 ARC Developer Guide: the cluster's five regional endpoints (us-west-2, us-east-1, eu-west-1, ap-southeast-2, ap-northeast-1); AWS \"ensures that at least three out of the five\" are accessible and state changes reach \"a quorum across five\" regions (majority of 3, a model inferred from that wording)";

const fn arc_endpoint(id: &'static str, region: &'static str) -> BuiltinNode {
    BuiltinNode {
        id,
        service: "route53-recovery-cluster",
        region: Some(region),
        quorum: None,
        needed_by: "one of the five regional endpoints of the Route 53 ARC cluster",
        source: ARC_SOURCE,
    }
}

/// Every built-in node, sorted by id (SPEC §6.2's table, the five regional
/// ARC endpoints included).
pub const BUILTINS: &[BuiltinNode] = &[
    BuiltinNode {
        id: "aws:account-management-control-plane",
        service: "account",
        region: Some("us-east-1"),
        quorum: None,
        needed_by: "changing account settings, regions",
        source: "AWS Fault Isolation Boundaries whitepaper, Appendix A; AWS Account Management reference",
    },
    BuiltinNode {
        id: "aws:cloudfront-control-plane",
        service: "cloudfront",
        region: Some("us-east-1"),
        quorum: None,
        needed_by: "changing distributions; ACM certificates for CloudFront and Lambda@Edge functions also live in us-east-1",
        source: "AWS Fault Isolation Boundaries whitepaper, Appendix B; AWS General Reference (CloudFront endpoints); CloudFront Developer Guide (ACM certificates in us-east-1, restrictions on Lambda@Edge); ACM User Guide",
    },
    BuiltinNode {
        id: "aws:cloudfront-edge",
        service: "cloudfront",
        region: Some("global"),
        quorum: None,
        needed_by: "serving through CloudFront (data plane)",
        source: "AWS Fault Isolation Boundaries whitepaper, Appendix B (edge network services: data plane at the edge)",
    },
    BuiltinNode {
        id: "aws:globalaccelerator-control-plane",
        service: "globalaccelerator",
        region: Some("us-west-2"),
        quorum: None,
        needed_by: "changing accelerators",
        source: "AWS Fault Isolation Boundaries whitepaper, Appendix B; Global Accelerator Developer Guide; AWS General Reference",
    },
    BuiltinNode {
        id: "aws:iam-control-plane",
        service: "iam",
        region: Some("us-east-1"),
        quorum: None,
        needed_by: "creating or changing IAM roles, users, policies",
        source: "AWS Fault Isolation Boundaries whitepaper, Global services; IAM User Guide, Resilience in IAM",
    },
    BuiltinNode {
        id: "aws:organizations-control-plane",
        service: "organizations",
        region: Some("us-east-1"),
        quorum: None,
        needed_by: "changing SCPs, moving accounts",
        source: "AWS Fault Isolation Boundaries whitepaper, Global services and Appendix A; AWS Organizations API Reference and User Guide",
    },
    BuiltinNode {
        id: "aws:route53-arc-cluster",
        service: "route53-recovery-cluster",
        region: None,
        quorum: Some((3, &ARC_REGIONS)),
        needed_by: "changing ARC routing controls (data plane)",
        source: ARC_SOURCE,
    },
    BuiltinNode {
        id: "aws:route53-arc-control-plane",
        service: "route53-recovery-control-config",
        region: Some("us-west-2"),
        quorum: None,
        needed_by: "creating ARC clusters and controls",
        source: "AWS Fault Isolation Boundaries whitepaper, Global services; Route 53 ARC Developer Guide (data and control planes: the control plane is \"not highly available\")",
    },
    arc_endpoint("aws:route53-arc@ap-northeast-1", "ap-northeast-1"),
    arc_endpoint("aws:route53-arc@ap-southeast-2", "ap-southeast-2"),
    arc_endpoint("aws:route53-arc@eu-west-1", "eu-west-1"),
    arc_endpoint("aws:route53-arc@us-east-1", "us-east-1"),
    arc_endpoint("aws:route53-arc@us-west-2", "us-west-2"),
    BuiltinNode {
        id: "aws:route53-control-plane",
        service: "route53",
        region: Some("us-east-1"),
        quorum: None,
        needed_by: "changing DNS records or health checks, and any action of another service that creates records",
        source: "AWS Fault Isolation Boundaries whitepaper, Appendix B and Global services (control-plane actions that create Route 53 records); AWS General Reference (Route 53 endpoints)",
    },
    BuiltinNode {
        id: "aws:route53-dns",
        service: "route53",
        region: Some("global"),
        quorum: None,
        needed_by: "answering DNS queries (data plane)",
        source: "AWS Fault Isolation Boundaries whitepaper, Appendix B (200+ points of presence plus every region)",
    },
    BuiltinNode {
        id: "aws:s3-bucket-configuration",
        service: "s3",
        region: Some("us-east-1"),
        quorum: None,
        needed_by: "creating or deleting buckets, changing bucket policies",
        source: "AWS Fault Isolation Boundaries whitepaper, Global services and Appendix A (S3 bucket configuration, CreateBucket, DeleteBucket)",
    },
    BuiltinNode {
        id: "aws:shield-advanced-control-plane",
        service: "shield",
        region: Some("us-east-1"),
        quorum: None,
        needed_by: "changing Shield Advanced protections",
        source: "AWS Fault Isolation Boundaries whitepaper, Appendix B; AWS General Reference (every region's endpoint is shield.us-east-1.amazonaws.com)",
    },
    BuiltinNode {
        id: "aws:sts-global-endpoint",
        service: "sts",
        region: Some("us-east-1"),
        quorum: None,
        needed_by: "`sts.amazonaws.com` called from opt-in regions, on premises, or outside a VPC's Amazon DNS",
        source: "IAM User Guide, AWS STS Regions and endpoints; AWS Security Blog (since April 2025 served locally in default-enabled regions through Amazon DNS in a VPC; still us-east-1 otherwise)",
    },
];

/// Node types that imply a requirement on a built-in node (SPEC §6.2): a
/// distribution is served by the CloudFront edge, a hosted zone answered by
/// Route 53 DNS.
pub const IMPLIED: &[(&str, &str)] = &[
    ("cloudfront:distribution", "aws:cloudfront-edge"),
    ("route53:hostedzone", "aws:route53-dns"),
];

/// The built-in node with this id. O(log n).
pub fn find(id: &str) -> Option<&'static BuiltinNode> {
    BUILTINS
        .binary_search_by(|b| b.id.cmp(id))
        .ok()
        .map(|i| &BUILTINS[i])
}

/// Whether an id is in the built-in namespace (`aws:`), known or not:
/// selectors never match such a node and documents may not define one.
pub fn is_builtin_id(id: &str) -> bool {
    id.starts_with(PREFIX)
}

/// Whether a text may name a built-in node or imply one (SPEC §6.2): an
/// `aws:` id, or an ARN of a service that a type of [`IMPLIED`] belongs
/// to. Cheap enough for every distinct text of a load: a text for which it
/// is false does neither, so the loader never reads it again to find out.
pub fn may_concern_builtins(text: &str) -> bool {
    if is_builtin_id(text) {
        return true;
    }
    // Byte loops, not `split_once`: this runs on every new string of a
    // load, a million ARNs in a large one.
    let Some(rest) = text.strip_prefix("arn:") else {
        return false;
    };
    let Some(partition_end) = rest.bytes().position(|b| b == b':') else {
        return false;
    };
    let rest = &rest.as_bytes()[partition_end + 1..];
    let service = &rest[..rest.iter().position(|&b| b == b':').unwrap_or(rest.len())];
    IMPLIED.iter().any(|(t, _)| {
        t.as_bytes().starts_with(service) && t.as_bytes().get(service.len()) == Some(&b':')
    })
}

/// The built-in node a node of `node_type` implicitly requires, if any.
pub fn implied_by_type(node_type: &str) -> Option<&'static str> {
    IMPLIED
        .iter()
        .find(|(t, _)| *t == node_type)
        .map(|(_, id)| *id)
}

/// [`implied_by_type`] for the type `service:suffix` an ARN derives,
/// without building the text: the loader asks it of every ARN it reads.
pub fn implied_by_arn_type(service: &str, suffix: Option<&str>) -> Option<&'static str> {
    let suffix = suffix?;
    IMPLIED
        .iter()
        .find(|(t, _)| t.split_once(':') == Some((service, suffix)))
        .map(|(_, id)| *id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_that_may_concern_builtins_are_aws_ids_and_implying_arns() {
        let yes = [
            "aws:route53-dns",
            "aws:no-such-node",
            "arn:aws:cloudfront::123456789012:distribution/E1",
            "arn:aws-cn:route53:::hostedzone/Z1",
            "arn:aws:route53",
        ];
        let no = [
            "",
            "aws",
            "AWS:route53-dns",
            "arn:aws:rds:eu-west-1:123:db:orders",
            "arn:aws:cloudfrontx::1:distribution/E1",
            "arn:",
            "arn:aws",
            "svc-1",
        ];
        for text in yes {
            assert!(may_concern_builtins(text), "{text}");
        }
        for text in no {
            assert!(!may_concern_builtins(text), "{text}");
        }
    }

    #[test]
    fn the_table_is_sorted_by_id_so_lookups_can_bisect() {
        assert!(BUILTINS.windows(2).all(|w| w[0].id < w[1].id));
    }

    #[test]
    fn every_quorum_member_and_implied_node_is_in_the_table() {
        for b in BUILTINS {
            for m in b.quorum.iter().flat_map(|(_, of)| of.iter()) {
                assert!(find(m).is_some(), "{} requires unknown {m}", b.id);
            }
        }
        for (_, id) in IMPLIED {
            assert!(find(id).is_some(), "{id}");
        }
    }

    #[test]
    fn every_built_in_has_the_prefix_a_service_and_a_source() {
        for b in BUILTINS {
            assert!(is_builtin_id(b.id), "{}", b.id);
            assert!(!b.service.is_empty() && !b.source.is_empty(), "{}", b.id);
        }
        assert_eq!(
            find("aws:route53-control-plane").and_then(|b| b.region),
            Some("us-east-1")
        );
        assert!(find("aws:nope").is_none());
    }
}
