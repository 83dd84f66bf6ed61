"""The public edge of the transaction tier: ingress, web ACL, load-balancer alarms, synthetic checks.

Per environment, one WAFv2 web ACL (REGIONAL) shared by every public load balancer:
- `rate-limit-per-client-ip`: blocks a client address above `cluster.wafRateLimit`
  requests per 5 minutes. The number is per environment and sized for peak
  logistics traffic, where a whole warehouse's scanners, label printers and
  workstations arrive from one NAT address (docs/transaction-tier.md has the numbers);
- AWS managed rule groups: Amazon IP reputation, known bad inputs (incl. Log4j), and
  the common rule set with its 8 KB body-size rule only counted, because EDI/ASN
  payloads and batch label requests are routinely larger;
- full request logging to `aws-waf-logs-<env>-edge`, encrypted with the operations
  key, with the Authorization header redacted.

Per public service:
- an Ingress for the AWS Load Balancer Controller: its own internet-facing ALB (ingress
  group and load-balancer name `<env>-<service>`), HTTPS only (listen-ports 443, the
  ACM certificate from `cluster.certificateArn`, TLS 1.2+ policy, ssl-redirect),
  deletion protection in production, access logs to the access-log bucket, the web ACL;
- alarms on the load balancer's 5xx rate (target and ELB 5xx over requests) and its
  p95 target response time. The alarms' `LoadBalancer` dimension is `app/<name>/<id>`;
  the name is fixed by the annotation, the id exists only once the controller has
  created the ALB, so it is read with `aws.lb.get_load_balancer` after the Ingress is
  ready (pulumi-kubernetes waits for its load-balancer address). In a preview of a new
  environment the dimension is therefore unknown;
- a CloudWatch Synthetics canary that GETs `https://<hostname><healthPath>` every
  5 minutes from outside the VPC, as customers and warehouses do, with its script
  uploaded as an in-memory zip, artifacts (KMS-encrypted) under
  `canaries/<env>/<service>/` in the artifact bucket, an execution role scoped to that
  prefix and its own log group, and an alarm when it fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.alarm_routing import alarm_description, alarm_route, alarm_topic
from components.observability import QUEUE_AGE_SEVERITY
from components.tags import base_tags
from components.tenant_pool import tenant_rate_rules
from components.tier_namespace import common_labels, namespace_name
from crossdock.config.operations import Impact, IncidentSeverity, OperatingModel
from crossdock.config.schema import Criticality, Service, Severity, StackConfig

# The current CloudWatch Synthetics Python runtime (Python 3.12); 5.x and older are deprecated.
CANARY_RUNTIME = "syn-python-selenium-12.0"
CANARY_SCHEDULE = "rate(5 minutes)"
CANARY_NAME_LIMIT = 21
SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
WAF_ACL_ANNOTATION = "alb.ingress.kubernetes.io/wafv2-acl-arn"
ATTRIBUTES_ANNOTATION = "alb.ingress.kubernetes.io/load-balancer-attributes"
FIVE_XX_RATE_PERCENT = 5.0
# p95 target response time, seconds: a label or shipment call slower than a second stalls a packing station.
RESPONSE_TIME_SECONDS = {Criticality.REAL_TIME_FULFILLMENT: 1.0}
DEFAULT_RESPONSE_TIME_SECONDS = 2.0
# Errors, slowness or a failing check at the edge most often follow a release: stop deploys and roll back
# (`crossdock runbook run freeze-deploys`) before digging into the cause.
RUNBOOK_EDGE_ERRORS = "freeze-deploys"
RUNBOOK_EDGE_LATENCY = "freeze-deploys"
RUNBOOK_SYNTHETIC = "freeze-deploys"

CANARY_SCRIPT = '''"""crossdock synthetic check: GET the public health path over HTTPS; anything but 200 fails the run."""

import os
import urllib.request

URL = os.environ["CHECK_URL"]


def handler(event, context):
    request = urllib.request.Request(URL, headers={"User-Agent": "crossdock-synthetics"})
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise RuntimeError(f"{URL} answered HTTP {response.status}")
    return f"{URL} is healthy"
'''


def load_balancer_name(environment_name: str, service_name: str) -> str:
    """The ALB's name and ingress group: `<env>-<service>` (config rules keep it within 32 characters)."""
    return f"{environment_name}-{service_name}"


def canary_name(environment_name: str, service_name: str) -> str:
    """Synthetics allows 21 characters; longer names keep a prefix and a stable hash."""
    full = f"{environment_name}-{service_name}"
    if len(full) <= CANARY_NAME_LIMIT:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:6]
    return f"{full[: CANARY_NAME_LIMIT - 7].rstrip('-')}-{digest}"


def load_balancer_attributes(production: bool, bucket: str, prefix: str) -> str:
    return ",".join(
        [
            f"deletion_protection.enabled={'true' if production else 'false'}",
            "access_logs.s3.enabled=true",
            f"access_logs.s3.bucket={bucket}",
            f"access_logs.s3.prefix={prefix}",
            "routing.http.drop_invalid_header_fields.enabled=true",
        ]
    )


@dataclass
class PublicEdgeArgs:
    config: StackConfig
    services: Sequence[Service]
    provider: k8s.Provider
    # Bucket the load balancers write access logs to (the audit bucket).
    access_log_bucket: pulumi.Input[str]
    # Bucket, ARN and KMS key of the canaries' scripts and artifacts (the audit bucket and its key).
    artifact_bucket: pulumi.Input[str]
    artifact_bucket_arn: pulumi.Input[str]
    artifact_key_arn: pulumi.Input[str]
    alert_topic_arns: Mapping[Severity, pulumi.Input[str]]
    # The operations key: encrypts the WAF log group.
    log_key_arn: pulumi.Input[str]
    # Kubernetes objects the ingresses need first (namespaces, backend Services).
    depends_on: Sequence[pulumi.Resource] = field(default_factory=list)
    # SNS topic per (team, incident severity): alarms page the service's owner (components.alarm_routing).
    team_topic_arns: Mapping[tuple[str, IncidentSeverity], pulumi.Input[str]] = field(default_factory=dict)


class PublicEdge(pulumi.ComponentResource):
    """Web ACL (+ logging) per environment; Ingress, alarms and canary per public service."""

    def __init__(self, name: str, args: PublicEdgeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:transaction:PublicEdge", name, None, opts)
        config = args.config
        env = config.environment
        self._args = args
        self._env = env
        self._tags = base_tags(env, extra={"component": "public-edge"})
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self._account_id = identity.account_id
        self._partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition

        self.web_acl = aws.wafv2.WebAcl(
            f"{name}-waf",
            name=f"{env.name}-edge",
            description=f"crossdock {env.name} public edge: per-IP rate limit and AWS managed protections",
            scope="REGIONAL",
            default_action={"allow": {}},
            # Registered tenants' per-tenant rate rules follow the edge's own (components/tenant_pool.py).
            rules=[*_waf_rules(env.name, config.cluster.waf_rate_limit), *tenant_rate_rules(config)],
            visibility_config=_visibility(f"{env.name}-edge"),
            tags={**self._tags, "Name": f"{env.name}-edge"},
            opts=child,
        )
        self.waf_log_group = aws.cloudwatch.LogGroup(
            f"{name}-waf-logs",
            name=f"aws-waf-logs-{env.name}-edge",
            retention_in_days=env.log_retention_days,
            kms_key_id=args.log_key_arn,
            tags={**self._tags, "Name": f"aws-waf-logs-{env.name}-edge"},
            opts=child,
        )
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-waf-logging",
            resource_arn=self.web_acl.arn,
            log_destination_configs=[self.waf_log_group.arn],
            redacted_fields=[{"single_header": {"name": "authorization"}}],
            opts=child,
        )

        self.ingresses: dict[str, k8s.networking.v1.Ingress] = {}
        self.canaries: dict[str, aws.synthetics.Canary] = {}
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        for service in args.services:
            if not service.public:
                raise ValueError(f"service {service.name!r} is internal; only public services get an edge")
            self._service_edge(service)

        self.web_acl_arn = self.web_acl.arn
        self.register_outputs(
            {
                "web_acl_arn": self.web_acl_arn,
                "load_balancer_names": {s.name: load_balancer_name(env.name, s.name) for s in args.services},
                "canary_names": {service: canary.name for service, canary in self.canaries.items()},
                "alarm_names": list(self.alarms),
            }
        )

    # -- per service ---------------------------------------------------------------------

    def _service_edge(self, service: Service) -> None:
        args, env = self._args, self._env
        prefix = f"{env.name}-{service.name}"
        lb_name = load_balancer_name(env.name, service.name)
        labels = {**common_labels(env, service.criticality), "app.kubernetes.io/name": service.name}
        annotations = {
            "alb.ingress.kubernetes.io/scheme": "internet-facing",
            "alb.ingress.kubernetes.io/target-type": "ip",
            "alb.ingress.kubernetes.io/group.name": lb_name,
            "alb.ingress.kubernetes.io/load-balancer-name": lb_name,
            "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS": 443}]',
            "alb.ingress.kubernetes.io/certificate-arn": self._args.config.cluster.certificate_arn,
            "alb.ingress.kubernetes.io/ssl-policy": SSL_POLICY,
            "alb.ingress.kubernetes.io/ssl-redirect": "443",
            ATTRIBUTES_ANNOTATION: pulumi.Output.from_input(args.access_log_bucket).apply(
                lambda bucket: load_balancer_attributes(self._args.config.is_production, bucket, f"alb/{lb_name}")
            ),
            WAF_ACL_ANNOTATION: self.web_acl.arn,
            "alb.ingress.kubernetes.io/healthcheck-path": service.health_path,
            "alb.ingress.kubernetes.io/success-codes": "200",
            "alb.ingress.kubernetes.io/tags": (
                f"environment={env.name},service={service.name},criticality={service.criticality.value}"
            ),
        }
        ingress = k8s.networking.v1.Ingress(
            f"{prefix}-ingress",
            metadata={
                "name": service.name,
                "namespace": namespace_name(service.criticality),
                "labels": labels,
                "annotations": annotations,
            },
            spec={
                "ingressClassName": "alb",
                "tls": [{"hosts": [service.hostname]}],
                "rules": [
                    {
                        "host": service.hostname,
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": service.name, "port": {"number": 80}}},
                                }
                            ]
                        },
                    }
                ],
            },
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=list(args.depends_on)),
        )
        self.ingresses[service.name] = ingress

        # Known once the controller has created the ALB, i.e. after the Ingress is ready.
        load_balancer = aws.lb.get_load_balancer_output(
            name=lb_name, opts=pulumi.InvokeOutputOptions(parent=self, depends_on=[ingress])
        )
        self._load_balancer_alarms(service, prefix, lb_name, load_balancer.arn_suffix)
        self._canary(service, prefix)

    def _alarm(
        self,
        alarm_name: str,
        service: Service,
        *,
        severity: Severity,
        runbook: str,
        description: str,
        extra_tags: Mapping[str, str],
        impact: Impact = Impact.STOPPED,
        **metric,
    ) -> aws.cloudwatch.MetricAlarm:
        model = OperatingModel(self._args.config)
        route = alarm_route(model, model.ownership("service", service.name), impact)
        topic = alarm_topic(route, severity, self._args.team_topic_arns, self._args.alert_topic_arns)
        alarm = aws.cloudwatch.MetricAlarm(
            alarm_name,
            name=alarm_name,
            alarm_description=alarm_description(description, severity, runbook, route),
            alarm_actions=[topic],
            ok_actions=[topic],
            tags={
                **self._tags,
                "service": service.name,
                "criticality": service.criticality.value,
                "severity": severity.value,
                "runbook": runbook,
                **route.tags,
                **extra_tags,
            },
            opts=pulumi.ResourceOptions(parent=self),
            **metric,
        )
        self.alarms[alarm_name] = alarm
        return alarm

    def _load_balancer_alarms(self, service: Service, prefix: str, lb_name: str, dimension: pulumi.Input[str]) -> None:
        severity = QUEUE_AGE_SEVERITY[service.criticality]
        dimensions = {"LoadBalancer": dimension}

        def metric(query_id: str, metric_name: str, stat: str) -> dict:
            return {
                "id": query_id,
                "return_data": False,
                "metric": {
                    "namespace": "AWS/ApplicationELB",
                    "metric_name": metric_name,
                    "dimensions": dimensions,
                    "period": 60,
                    "stat": stat,
                },
            }

        self._alarm(
            f"{prefix}-5xx-rate",
            service,
            severity=severity,
            runbook=RUNBOOK_EDGE_ERRORS,
            description=(
                f"More than {FIVE_XX_RATE_PERCENT:g}% of requests to {service.name} ({service.hostname}) fail with "
                "5xx at the load balancer or the pods: customers, portals and scanners see errors."
            ),
            extra_tags={"load-balancer": lb_name},
            metric_queries=[
                metric("target5xx", "HTTPCode_Target_5XX_Count", "Sum"),
                metric("elb5xx", "HTTPCode_ELB_5XX_Count", "Sum"),
                metric("requests", "RequestCount", "Sum"),
                {
                    "id": "rate",
                    "expression": "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests",
                    "label": "5xx rate (%)",
                    "return_data": True,
                },
            ],
            evaluation_periods=5,
            datapoints_to_alarm=3,
            threshold=FIVE_XX_RATE_PERCENT,
            comparison_operator="GreaterThanThreshold",
            # The canary sends a request every 5 minutes, so no requests at all means the
            # load balancer is gone or unreachable, not a quiet night.
            treat_missing_data="breaching",
        )
        seconds = RESPONSE_TIME_SECONDS.get(service.criticality, DEFAULT_RESPONSE_TIME_SECONDS)
        self._alarm(
            f"{prefix}-target-response-time",
            service,
            severity=severity,
            runbook=RUNBOOK_EDGE_LATENCY,
            impact=Impact.DEGRADED,
            description=(
                f"The p95 response time of {service.name} is above {seconds:g} s: shipment creation and label "
                "requests stall at packing stations."
            ),
            extra_tags={"load-balancer": lb_name},
            namespace="AWS/ApplicationELB",
            metric_name="TargetResponseTime",
            dimensions=dimensions,
            extended_statistic="p95",
            period=60,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            threshold=seconds,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
        )

    def _canary(self, service: Service, prefix: str) -> None:
        args, env = self._args, self._env
        name = canary_name(env.name, service.name)
        key_prefix = f"canaries/{env.name}/{service.name}"
        child = pulumi.ResourceOptions(parent=self)
        tags = {**self._tags, "service": service.name, "criticality": service.criticality.value}
        region = env.region

        role = aws.iam.Role(
            f"{prefix}-canary-role",
            name=f"{prefix}-canary",
            description=f"crossdock: synthetic check of {service.name}",
            assume_role_policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": self._account_id}},
                        }
                    ],
                }
            ),
            # Not `service`: that tag marks a service's own identity for CD-SVC-001/002.
            tags={**self._tags, "synthetic-check-of": service.name, "Name": f"{prefix}-canary"},
            opts=child,
        )
        log_group = pulumi.Output.format(
            "arn:{0}:logs:{1}:{2}:log-group:/aws/lambda/cwsyn-{3}-*", self._partition, region, self._account_id, name
        )
        aws.iam.RolePolicy(
            f"{prefix}-canary-access",
            name=f"{prefix}-canary-access",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "WriteArtifacts",
                            "Effect": "Allow",
                            "Action": ["s3:PutObject", "s3:GetObject"],
                            "Resource": pulumi.Output.concat(args.artifact_bucket_arn, f"/{key_prefix}/*"),
                        },
                        {
                            "Sid": "LocateArtifactBucket",
                            "Effect": "Allow",
                            "Action": "s3:GetBucketLocation",
                            "Resource": args.artifact_bucket_arn,
                        },
                        {
                            "Sid": "ListBucketsForSynthetics",
                            "Effect": "Allow",
                            "Action": "s3:ListAllMyBuckets",
                            "Resource": "*",
                        },
                        {
                            "Sid": "EncryptArtifacts",
                            "Effect": "Allow",
                            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                            "Resource": args.artifact_key_arn,
                        },
                        {
                            "Sid": "WriteCanaryLogs",
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": [log_group, pulumi.Output.concat(log_group, ":*")],
                        },
                        {
                            "Sid": "PublishCanaryMetrics",
                            "Effect": "Allow",
                            "Action": "cloudwatch:PutMetricData",
                            "Resource": "*",
                            "Condition": {"StringEquals": {"cloudwatch:namespace": "CloudWatchSynthetics"}},
                        },
                    ],
                }
            ),
            opts=child,
        )
        script = aws.s3.BucketObjectv2(
            f"{prefix}-canary-script",
            bucket=args.artifact_bucket,
            key=f"{key_prefix}/canary.zip",
            source=pulumi.AssetArchive({"python/canary.py": pulumi.StringAsset(CANARY_SCRIPT)}),
            server_side_encryption="aws:kms",
            kms_key_id=args.artifact_key_arn,
            tags=tags,
            opts=child,
        )
        retention = min(env.log_retention_days, 455)
        url = f"https://{service.hostname}{service.health_path}"
        canary = aws.synthetics.Canary(
            f"{prefix}-canary",
            name=name,
            artifact_s3_location=pulumi.Output.concat("s3://", args.artifact_bucket, f"/{key_prefix}/runs/"),
            artifact_config={"s3_encryption": {"encryption_mode": "SSE_KMS", "kms_key_arn": args.artifact_key_arn}},
            execution_role_arn=role.arn,
            handler="canary.handler",
            runtime_version=CANARY_RUNTIME,
            s3_bucket=args.artifact_bucket,
            s3_key=script.key,
            s3_version=script.version_id,
            schedule={"expression": CANARY_SCHEDULE},
            run_config={"timeout_in_seconds": 60, "environment_variables": {"CHECK_URL": url}},
            start_canary=True,
            delete_lambda=True,
            success_retention_period=retention,
            failure_retention_period=retention,
            tags={**tags, "check-url": url},
            opts=child,
        )
        self.canaries[service.name] = canary
        self._alarm(
            f"{prefix}-synthetic-check",
            service,
            severity=QUEUE_AGE_SEVERITY[service.criticality],
            runbook=RUNBOOK_SYNTHETIC,
            description=(
                f"The synthetic check of {url} failed twice in a row (or stopped running): what customers and "
                "warehouses reach from outside is down even if the pods look healthy."
            ),
            extra_tags={"canary": name},
            namespace="CloudWatchSynthetics",
            metric_name="SuccessPercent",
            dimensions={"CanaryName": canary.name},
            statistic="Average",
            period=300,
            evaluation_periods=2,
            datapoints_to_alarm=2,
            threshold=100.0,
            comparison_operator="LessThanThreshold",
            treat_missing_data="breaching",
        )


def _visibility(metric_name: str) -> dict:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric_name, "sampled_requests_enabled": True}


def _managed(name: str, priority: int, group: str, env_name: str, counted: Sequence[str] = ()) -> dict:
    statement: dict = {"vendor_name": "AWS", "name": group}
    if counted:
        statement["rule_action_overrides"] = [{"name": rule, "action_to_use": {"count": {}}} for rule in counted]
    return {
        "name": name,
        "priority": priority,
        "override_action": {"none": {}},
        "statement": {"managed_rule_group_statement": statement},
        "visibility_config": _visibility(f"{env_name}-{name}"),
    }


def _waf_rules(env_name: str, rate_limit: int) -> list[dict]:
    return [
        _managed("aws-ip-reputation", 0, "AWSManagedRulesAmazonIpReputationList", env_name),
        {
            "name": "rate-limit-per-client-ip",
            "priority": 1,
            "action": {"block": {}},
            "statement": {
                "rate_based_statement": {"limit": rate_limit, "aggregate_key_type": "IP", "evaluation_window_sec": 300}
            },
            "visibility_config": _visibility(f"{env_name}-rate-limit-per-client-ip"),
        },
        _managed("aws-known-bad-inputs", 2, "AWSManagedRulesKnownBadInputsRuleSet", env_name),
        # EDI and ASN payloads exceed the common rule set's 8 KB body limit: count, never block.
        _managed("aws-common", 3, "AWSManagedRulesCommonRuleSet", env_name, counted=("SizeRestrictions_BODY",)),
    ]
