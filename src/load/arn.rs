//! ARNs: the placement and type they imply (SPEC §1.1).

/// What an ARN says about a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnFacts<'a> {
    pub service: &'a str,
    /// `global` when the ARN's region is empty.
    pub region: &'a str,
    /// `None` when the ARN's account is empty.
    pub account: Option<&'a str>,
    /// `<service>:<resource type>`, or `<service>` alone.
    pub type_suffix: Option<&'a str>,
}

/// Splits `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`. Returns `None`
/// when the shape is wrong or partition, service or resource is empty.
pub fn parse_arn(arn: &str) -> Option<ArnFacts<'_>> {
    // The five colons found in one pass over the bytes (this runs on every
    // node with an ARN, a million in a large estate).
    let mut colons = [0usize; 5];
    let mut found = 0;
    for (i, &b) in arn.as_bytes().iter().enumerate() {
        if b == b':' {
            colons[found] = i;
            found += 1;
            if found == colons.len() {
                break;
            }
        }
    }
    if found < colons.len() {
        return None;
    }
    let [c1, c2, c3, c4, c5] = colons;
    facts_of([
        &arn[..c1],
        &arn[c1 + 1..c2],
        &arn[c2 + 1..c3],
        &arn[c3 + 1..c4],
        &arn[c4 + 1..c5],
        &arn[c5 + 1..],
    ])
}

/// What the six parts of an ARN say, if they are well formed.
fn facts_of(parts: [&str; 6]) -> Option<ArnFacts<'_>> {
    let [scheme, partition, service, region, account, resource] = parts;
    if scheme != "arn" || partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    let type_suffix = resource
        .find(['/', ':'])
        .map(|end| &resource[..end])
        .filter(|t| !t.is_empty());
    Some(ArnFacts {
        service,
        region: if region.is_empty() { "global" } else { region },
        account: (!account.is_empty()).then_some(account),
        type_suffix,
    })
}

impl ArnFacts<'_> {
    /// The node type the ARN implies: `ec2:instance`, `rds:db`, or `s3`.
    pub fn node_type(&self) -> String {
        let mut out = String::new();
        self.write_node_type(&mut out);
        out
    }

    /// Appends [`ArnFacts::node_type`] to `out`, allocating nothing when
    /// it has room.
    pub fn write_node_type(&self, out: &mut String) {
        out.push_str(self.service);
        if let Some(t) = self.type_suffix {
            out.push(':');
            out.push_str(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `parse_arn` as it was written with `splitn`: the reference for the
    /// byte loop.
    fn parse_arn_by_splitting(arn: &str) -> Option<ArnFacts<'_>> {
        let mut parts = arn.splitn(6, ':');
        let parts = [(); 6].map(|()| parts.next());
        facts_of(parts.map(|p| p.unwrap_or_default())).filter(|_| parts.iter().all(Option::is_some))
    }

    #[test]
    fn the_byte_loop_splits_as_splitn_does() {
        let arns = [
            "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc",
            "arn:aws:s3:::bucket",
            "arn:aws:sqs:eu-west-1:1:q:with:colons",
            "arn:aws:rds:eu-west-1:1:db:orders",
            "arn:aws-cn:route53:::hostedzone/Z1",
            "arn:aws:lambda:é:1:function:ø",
            "arn::s3:::x",
            "arn:aws::r:a:x",
            "arn:aws:s3:::",
            "arn:aws:s3::",
            "arn:aws:s3",
            "arn",
            "",
            "nra:aws:s3:::b",
            ":::::",
            "arn:aws:s3:::/lead",
        ];
        for arn in arns {
            assert_eq!(parse_arn(arn), parse_arn_by_splitting(arn), "{arn}");
        }
    }

    #[test]
    fn arn_derives_service_region_account_and_type() {
        let f = parse_arn("arn:aws:ec2:us-east-1:111122223333:instance/i-0abc").unwrap();
        assert_eq!(f.service, "ec2");
        assert_eq!(f.region, "us-east-1");
        assert_eq!(f.account, Some("111122223333"));
        assert_eq!(f.node_type(), "ec2:instance");
        let db = parse_arn("arn:aws:rds:us-east-1:1:db:payments").unwrap();
        assert_eq!(db.node_type(), "rds:db");
    }

    #[test]
    fn arn_without_region_is_global_and_without_account_has_none() {
        let f = parse_arn("arn:aws:s3:::shop-assets").unwrap();
        assert_eq!(f.region, "global");
        assert_eq!(f.account, None);
        assert_eq!(f.node_type(), "s3");
        let q = parse_arn("arn:aws:sqs:eu-west-1:1:orders").unwrap();
        assert_eq!(q.node_type(), "sqs");
    }

    #[test]
    fn malformed_arn_is_rejected() {
        assert!(parse_arn("arn:aws:rds").is_none());
        assert!(parse_arn("arn::rds:r:a:db:x").is_none());
        assert!(parse_arn("arn:aws::r:a:x").is_none());
        assert!(parse_arn("arn:aws:s3:::").is_none());
        assert!(parse_arn("urn:aws:s3:::b").is_none());
    }
}
