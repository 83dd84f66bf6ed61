"""Static site with a DNS record in an existing zone (third-party style: look-ups by name)."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
domain = config.require("domain")
parent = domain.split(".", 1)[1]

zone = aws.route53.get_zone(name=parent)
certificate = aws.acm.get_certificate(domain=f"*.{parent}", statuses=["ISSUED"])
vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
first_subnet = aws.ec2.get_subnet(id=subnets.ids[0])

bucket = aws.s3.Bucket("site", bucket=domain)
cdn = aws.cloudfront.Distribution(
    "cdn",
    enabled=True,
    aliases=[domain],
    origins=[{"domain_name": bucket.bucket_regional_domain_name, "origin_id": "s3"}],
    default_cache_behavior={
        "target_origin_id": "s3",
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": ["GET", "HEAD"],
        "cached_methods": ["GET", "HEAD"],
        "forwarded_values": {"query_string": False, "cookies": {"forward": "none"}},
    },
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={"acm_certificate_arn": certificate.arn, "ssl_support_method": "sni-only"},
)
record = aws.route53.Record(
    "www",
    zone_id=zone.zone_id,
    name=domain,
    type="A",
    aliases=[{"name": cdn.domain_name, "zone_id": cdn.hosted_zone_id, "evaluate_target_health": False}],
)

legacy = config.get("legacyApi")
if legacy:
    api = aws.apigateway.get_rest_api(name=legacy)
    aws.apigateway.Resource("legacy-orders", rest_api=api.id, parent_id=api.root_resource_id, path_part="orders")

pulumi.export("zone_id", zone.zone_id)
pulumi.export("name_servers", zone.name_servers)
pulumi.export("subnet_zone", first_subnet.availability_zone)
pulumi.export("url", pulumi.Output.concat("https://", record.fqdn))
