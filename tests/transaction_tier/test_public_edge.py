"""PublicEdge: web ACL, Ingress annotations, load-balancer alarms and the synthetic check of a public service."""

from __future__ import annotations

import json

import pulumi_kubernetes as k8s
import pytest

from components.public_edge import CANARY_SCRIPT, PublicEdge, PublicEdgeArgs, canary_name
from crossdock.config.schema import Severity
from crossdock.engine import run_callable
from tests.transaction_tier.helpers import DEV, PROD, spec

AUDIT_KEY = "arn:aws:kms:us-east-1:111122223333:key/audit"
TOPICS = {severity: f"arn:aws:sns:us-east-1:111122223333:{severity.value}" for severity in Severity}
PARENT = "crossdock:transaction:PublicEdge"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def record_edge(config):
    env = config.environment.name

    def build() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        PublicEdge(
            f"{env}-transaction-edge",
            PublicEdgeArgs(
                config=config,
                services=[spec("shipment-api", config)],
                provider=provider,
                access_log_bucket=f"{env}-audit",
                artifact_bucket=f"{env}-audit",
                artifact_bucket_arn=f"arn:aws:s3:::{env}-audit",
                artifact_key_arn=AUDIT_KEY,
                alert_topic_arns=TOPICS,
                log_key_arn="arn:aws:kms:us-east-1:111122223333:key/operations",
            ),
        )

    plan = run_callable(build, config={"aws:region": "us-east-1"})
    return {(r.type, r.name): r for r in plan.resources}


@pytest.fixture(scope="module")
def prod():
    return record_edge(PROD)


def test_exact_children(prod):
    parent = prod[(PARENT, "prod-transaction-edge")]
    assert {key for key, r in prod.items() if r.parent == parent.urn} == {
        ("aws:wafv2/webAcl:WebAcl", "prod-transaction-edge-waf"),
        ("aws:cloudwatch/logGroup:LogGroup", "prod-transaction-edge-waf-logs"),
        ("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "prod-transaction-edge-waf-logging"),
        ("kubernetes:networking.k8s.io/v1:Ingress", "prod-shipment-api-ingress"),
        (ALARM, "prod-shipment-api-5xx-rate"),
        (ALARM, "prod-shipment-api-target-response-time"),
        (ALARM, "prod-shipment-api-synthetic-check"),
        ("aws:iam/role:Role", "prod-shipment-api-canary-role"),
        ("aws:iam/rolePolicy:RolePolicy", "prod-shipment-api-canary-access"),
        ("aws:s3/bucketObjectv2:BucketObjectv2", "prod-shipment-api-canary-script"),
        ("aws:synthetics/canary:Canary", "prod-shipment-api-canary"),
    }


def test_web_acl_rate_limit_comes_from_config_and_big_payloads_are_only_counted(prod):
    acl = prod[("aws:wafv2/webAcl:WebAcl", "prod-transaction-edge-waf")].inputs
    assert (acl["name"], acl["scope"], acl["defaultAction"]) == ("prod-edge", "REGIONAL", {"allow": {}})
    rules = {rule["name"]: rule for rule in acl["rules"]}
    # The edge's own rules first; registered pool tenants' rate rules follow (components/tenant_pool.py).
    assert [rule["name"] for rule in acl["rules"][:4]] == [
        "aws-ip-reputation",
        "rate-limit-per-client-ip",
        "aws-known-bad-inputs",
        "aws-common",
    ]
    assert all(rule["name"].startswith("tenant-") and rule["priority"] >= 100 for rule in acl["rules"][4:])
    assert rules["rate-limit-per-client-ip"]["statement"] == {
        "rateBasedStatement": {"limit": 50000, "aggregateKeyType": "IP", "evaluationWindowSec": 300}
    }
    assert rules["rate-limit-per-client-ip"]["action"] == {"block": {}}
    assert rules["aws-common"]["statement"]["managedRuleGroupStatement"]["ruleActionOverrides"] == [
        {"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}
    ]
    dev = record_edge(DEV)
    dev_rules = dev[("aws:wafv2/webAcl:WebAcl", "dev-transaction-edge-waf")].inputs["rules"]
    assert dev_rules[1]["statement"]["rateBasedStatement"]["limit"] == 2000
    logging = prod[
        ("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "prod-transaction-edge-waf-logging")
    ]
    group = prod[("aws:cloudwatch/logGroup:LogGroup", "prod-transaction-edge-waf-logs")]
    assert group.inputs["name"] == "aws-waf-logs-prod-edge"
    assert logging.inputs["logDestinationConfigs"] == [group.outputs["arn"]]
    assert logging.inputs["redactedFields"] == [{"singleHeader": {"name": "authorization"}}]


def test_ingress_is_https_only_protected_logged_and_behind_the_web_acl(prod):
    ingress = prod[("kubernetes:networking.k8s.io/v1:Ingress", "prod-shipment-api-ingress")].inputs
    acl = prod[("aws:wafv2/webAcl:WebAcl", "prod-transaction-edge-waf")]
    assert ingress["metadata"]["namespace"] == "real-time-fulfillment" and ingress["metadata"]["name"] == "shipment-api"
    assert ingress["metadata"]["annotations"] == {
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/group.name": "prod-shipment-api",
        "alb.ingress.kubernetes.io/load-balancer-name": "prod-shipment-api",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS": 443}]',
        "alb.ingress.kubernetes.io/certificate-arn": PROD.cluster.certificate_arn,
        "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/load-balancer-attributes": (
            "deletion_protection.enabled=true,access_logs.s3.enabled=true,access_logs.s3.bucket=prod-audit,"
            "access_logs.s3.prefix=alb/prod-shipment-api,routing.http.drop_invalid_header_fields.enabled=true"
        ),
        "alb.ingress.kubernetes.io/wafv2-acl-arn": acl.outputs["arn"],
        "alb.ingress.kubernetes.io/healthcheck-path": "/healthz",
        "alb.ingress.kubernetes.io/success-codes": "200",
        "alb.ingress.kubernetes.io/tags": "environment=prod,service=shipment-api,criticality=real-time-fulfillment",
    }
    assert ingress["spec"] == {
        "ingressClassName": "alb",
        "tls": [{"hosts": ["shipments.crossdock.example.com"]}],
        "rules": [
            {
                "host": "shipments.crossdock.example.com",
                "http": {
                    "paths": [
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "shipment-api", "port": {"number": 80}}},
                        }
                    ]
                },
            }
        ],
    }
    dev = record_edge(DEV)
    attributes = dev[("kubernetes:networking.k8s.io/v1:Ingress", "dev-shipment-api-ingress")].inputs["metadata"][
        "annotations"
    ]
    assert attributes["alb.ingress.kubernetes.io/load-balancer-attributes"].startswith(
        "deletion_protection.enabled=false,"
    )


def test_load_balancer_alarms_use_the_dimension_of_the_controller_made_alb(prod):
    rate = prod[(ALARM, "prod-shipment-api-5xx-rate")].inputs
    dimension = rate["metricQueries"][0]["metric"]["dimensions"]["LoadBalancer"]
    # Offline the lookup answers like AWS: app/<load-balancer-name>/<id>.
    assert dimension.startswith("app/prod-shipment-api/") and len(dimension.rsplit("/", 1)[1]) == 16
    assert [q["id"] for q in rate["metricQueries"]] == ["target5xx", "elb5xx", "requests", "rate"]
    assert [q.get("metric", {}).get("metricName") for q in rate["metricQueries"]] == [
        "HTTPCode_Target_5XX_Count",
        "HTTPCode_ELB_5XX_Count",
        "RequestCount",
        None,
    ]
    assert rate["metricQueries"][3] == {
        "id": "rate",
        "expression": "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests",
        "label": "5xx rate (%)",
        "returnData": True,
    }
    assert (rate["threshold"], rate["comparisonOperator"], rate["treatMissingData"]) == (
        5,
        "GreaterThanThreshold",
        "breaching",
    )
    assert rate["alarmActions"] == rate["okActions"] == [TOPICS[Severity.CRITICAL]]
    assert rate["tags"]["runbook"] == "freeze-deploys" and rate["tags"]["load-balancer"] == "prod-shipment-api"
    # shipment-api serves four processes; 5xx errors stop them, and real-time fulfilment stopped is SEV1.
    assert rate["alarmDescription"].endswith(
        "Business impact: customer-visibility, inventory-reservation, order-release, shipment-creation stopped. "
        "Severity: SEV1 (critical alert). Team: fulfillment. Runbook: freeze-deploys."
    )
    assert (rate["tags"]["team"], rate["tags"]["incident-severity"]) == ("fulfillment", "sev1")
    latency = prod[(ALARM, "prod-shipment-api-target-response-time")].inputs
    assert latency["namespace"] == "AWS/ApplicationELB" and latency["metricName"] == "TargetResponseTime"
    assert latency["dimensions"] == {"LoadBalancer": dimension}
    assert (latency["extendedStatistic"], latency["threshold"]) == ("p95", 1)


def test_canary_checks_the_public_health_path_with_an_inline_script(prod):
    canary = prod[("aws:synthetics/canary:Canary", "prod-shipment-api-canary")].inputs
    script = prod[("aws:s3/bucketObjectv2:BucketObjectv2", "prod-shipment-api-canary-script")].inputs
    role = prod[("aws:iam/role:Role", "prod-shipment-api-canary-role")]
    assert canary["name"] == "prod-shipment-api"
    assert canary["runtimeVersion"] == "syn-python-selenium-12.0" and canary["handler"] == "canary.handler"
    assert canary["runConfig"]["environmentVariables"] == {
        "CHECK_URL": "https://shipments.crossdock.example.com/healthz"
    }
    assert canary["schedule"] == {"expression": "rate(5 minutes)"}
    assert (canary["s3Bucket"], canary["s3Key"]) == ("prod-audit", "canaries/prod/shipment-api/canary.zip")
    assert canary["artifactS3Location"] == "s3://prod-audit/canaries/prod/shipment-api/runs/"
    assert canary["artifactConfig"] == {"s3Encryption": {"encryptionMode": "SSE_KMS", "kmsKeyArn": AUDIT_KEY}}
    assert canary["executionRoleArn"] == role.outputs["arn"]
    assert script["source"]["archive"]["assets"]["python/canary.py"]["asset"]["text"] == CANARY_SCRIPT
    compile(CANARY_SCRIPT, "canary.py", "exec")
    alarm = prod[(ALARM, "prod-shipment-api-synthetic-check")].inputs
    assert alarm["dimensions"] == {"CanaryName": "prod-shipment-api"}
    assert (alarm["metricName"], alarm["threshold"], alarm["treatMissingData"]) == ("SuccessPercent", 100, "breaching")


def test_canary_role_is_scoped_to_its_prefix_and_log_group(prod):
    policy = json.loads(prod[("aws:iam/rolePolicy:RolePolicy", "prod-shipment-api-canary-access")].inputs["policy"])
    by_sid = {statement["Sid"]: statement for statement in policy["Statement"]}
    assert by_sid["WriteArtifacts"]["Resource"] == "arn:aws:s3:::prod-audit/canaries/prod/shipment-api/*"
    assert by_sid["EncryptArtifacts"]["Resource"] == AUDIT_KEY
    assert by_sid["WriteCanaryLogs"]["Resource"] == [
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/cwsyn-prod-shipment-api-*",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/cwsyn-prod-shipment-api-*:*",
    ]
    assert by_sid["PublishCanaryMetrics"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "CloudWatchSynthetics"}
    }
    # Only read and metric actions stay on "*".
    assert {s["Sid"] for s in policy["Statement"] if s["Resource"] == "*"} == {
        "ListBucketsForSynthetics",
        "PublishCanaryMetrics",
    }


def test_canary_names_fit_synthetics_21_character_limit():
    assert canary_name("prod", "shipment-api") == "prod-shipment-api"
    long = canary_name("staging-eu-central", "customer-portal-api")
    assert len(long) == 21 and long.startswith("staging-eu-cen")
    assert long != canary_name("staging-eu-central", "customer-portal-web")
