"""Seeds a moto server with a two-region estate for tests/collect_aws.rs, and
prints what `blastmap collect aws` must find: every ARN with its tags, its
zone ids (or "*") and, for S3 buckets, its region.

Usage: seed_aws.py ENDPOINT shop            the test estate (every resource type
                                            the collector places)
       seed_aws.py ENDPOINT bulk N [PREFIX]  N tagged SQS queues over two
                                            regions (benchmarks, pagination)

Run by the venv's python (boto3) with dummy credentials in the environment.
"""

import io
import json
import sys
import zipfile

import boto3

REGIONS = ["us-east-1", "eu-west-1"]


def client(service, region, endpoint):
    return boto3.client(service, region_name=region, endpoint_url=endpoint)


def zone_ids(ec2):
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    return {z["ZoneName"]: z["ZoneId"] for z in zones}


def tag_list(tags, key="Key", value="Value"):
    return [{key: k, value: v} for k, v in tags.items()]


def lambda_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def create_db(rds, name, tags, **placement):
    return rds.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.m5.large",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=20,
        Tags=tag_list(tags),
        **placement,
    )["DBInstance"]


def seed_shop(endpoint):
    expected = {}

    def expect(arn, tags, zones, region=None):
        entry = {"tags": tags, "zones": zones}
        if region:
            entry["region"] = region
        expected[arn] = entry

    iam = client("iam", "us-east-1", endpoint)
    role = iam.create_role(
        RoleName="notifications-lambda",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    for region in REGIONS:
        ec2 = client("ec2", region, endpoint)
        names = zone_ids(ec2)
        zone_a, zone_b = f"{region}a", f"{region}b"
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = []
        for i, zone in enumerate([zone_a, zone_b]):
            tags = {"service": "web", "Name": f"web-{zone}"}
            subnet = ec2.create_subnet(
                VpcId=vpc,
                CidrBlock=f"10.0.{i}.0/24",
                AvailabilityZone=zone,
                TagSpecifications=[{"ResourceType": "subnet", "Tags": tag_list(tags)}],
            )["Subnet"]
            subnets.append(subnet["SubnetId"])
            arn = f"arn:aws:ec2:{region}:{subnet['OwnerId']}:subnet/{subnet['SubnetId']}"
            expect(arn, tags, [names[zone]])
        account = boto3.client(
            "sts", region_name=region, endpoint_url=endpoint
        ).get_caller_identity()["Account"]
        for i, zone in enumerate([zone_a, zone_b]):
            tags = {
                "service": "web",
                "business-function": "checkout",
                "criticality": "critical",
                "depends-on": "orders+sessions",
            }
            instance = ec2.run_instances(
                ImageId="ami-12c6146b",
                MinCount=1,
                MaxCount=1,
                SubnetId=subnets[i],
                TagSpecifications=[{"ResourceType": "instance", "Tags": tag_list(tags)}],
            )["Instances"][0]
            expect(
                f"arn:aws:ec2:{region}:{account}:instance/{instance['InstanceId']}",
                tags,
                [names[zone]],
            )
        elb = client("elbv2", region, endpoint)
        tags = {"service": "web", "business-function": "checkout"}
        lb = elb.create_load_balancer(
            Name="web", Subnets=subnets, Tags=tag_list(tags)
        )["LoadBalancers"][0]
        expect(lb["LoadBalancerArn"], tags, sorted({names[zone_a], names[zone_b]}))

        rds = client("rds", region, endpoint)
        if region == "us-east-1":
            tags = {"service": "orders", "business-function": "order-tracking"}
            db = create_db(rds, "orders", tags, MultiAZ=True)
            # Multi-AZ, secondary not reported: "*" (SPEC §5).
            expect(db["DBInstanceArn"], tags, "*")
        tags = {"service": "payments", "business-function": "checkout"}
        db = create_db(rds, "payments", tags, AvailabilityZone=zone_a)
        expect(db["DBInstanceArn"], tags, [names[zone_a]])

        cache = client("elasticache", region, endpoint)
        tags = {"service": "sessions", "business-function": "login"}
        cluster = cache.create_cache_cluster(
            CacheClusterId="sessions-cache",
            Engine="redis",
            CacheNodeType="cache.t3.micro",
            NumCacheNodes=1,
            PreferredAvailabilityZone=zone_b,
            Tags=tag_list(tags),
        )["CacheCluster"]
        expect(cluster["ARN"], tags, [names[zone_b]])

        lam = client("lambda", region, endpoint)
        tags = {"service": "notifications", "business-function": "marketing-emails"}
        vpc_config = {"SubnetIds": [subnets[0]], "SecurityGroupIds": []}
        function = lam.create_function(
            FunctionName="notification-sender",
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": lambda_zip()},
            Tags=tags,
            **({"VpcConfig": vpc_config} if region == "us-east-1" else {}),
        )
        zones = [names[zone_a]] if region == "us-east-1" else "*"
        expect(function["FunctionArn"], tags, zones)

        sqs = client("sqs", region, endpoint)
        tags = {"service": "orders", "business-function": "order-tracking"}
        if region == "us-east-1":
            sqs.create_queue(QueueName="order-events", tags=tags)
            expect(f"arn:aws:sqs:{region}:{account}:order-events", tags, "*")

        dynamodb = client("dynamodb", region, endpoint)
        tags = {"service": "sessions", "business-function": "login"}
        table = dynamodb.create_table(
            TableName="sessions",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            Tags=tag_list(tags),
        )["TableDescription"]
        expect(table["TableArn"], tags, "*")

        s3 = client("s3", region, endpoint)
        bucket = "shop-assets" if region == "us-east-1" else "shop-assets-euw1"
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
            )
        tags = {"service": "catalog", "business-function": "checkout"}
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_list(tags)})
        expect(f"arn:aws:s3:::{bucket}", tags, "*", region)
    return expected


def seed_bulk(endpoint, count, prefix):
    for i in range(count):
        region = REGIONS[i % 2]
        sqs = client("sqs", region, endpoint)
        sqs.create_queue(
            QueueName=f"{prefix}{i:05d}",
            tags={"service": f"svc{i % 50}", "business-function": f"fn{i % 7}"},
        )
    return {"count": count}


def main():
    endpoint, mode = sys.argv[1], sys.argv[2]
    if mode == "shop":
        result = {"resources": seed_shop(endpoint)}
    elif mode == "bulk":
        prefix = sys.argv[4] if len(sys.argv) > 4 else "q"
        result = seed_bulk(endpoint, int(sys.argv[3]), prefix)
    else:
        sys.exit(f"unknown mode {mode}: shop or bulk")
    json.dump(result, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
