"""Deployment markers: every `crossdock up` tells the environment when, what and who.

Two records, so responders can correlate incidents with deployments:
- an EventBridge event on the environment's event bus (default: the account's `default` bus),
  source `crossdock.deploy`, detail-type `crossdock deployment`, detail = stack, environment,
  revision, actor, change summary (counts by risk class, approval id), result;
- a CloudWatch metric data point `Crossdock/Deployments` `Deployments` = 1 with dimensions
  `Environment` and `Stack`, which a dashboard graphs next to the business KPIs.
"""

from __future__ import annotations

import json
from typing import Any

SOURCE = "crossdock.deploy"
DETAIL_TYPE = "crossdock deployment"
NAMESPACE = "Crossdock/Deployments"


def record_deployment(
    detail: dict[str, Any], *, region: str | None, event_bus: str = "default", endpoint_url: str | None = None
) -> list[str]:
    """Put the event and the metric; returns what was recorded (raises on failure)."""
    import boto3

    events = boto3.client("events", region_name=region, endpoint_url=endpoint_url)
    response = events.put_events(
        Entries=[
            {
                "Source": SOURCE,
                "DetailType": DETAIL_TYPE,
                "Detail": json.dumps(detail, sort_keys=True, default=str),
                "EventBusName": event_bus,
                "Resources": [],
            }
        ]
    )
    if response.get("FailedEntryCount"):
        entry = response["Entries"][0]
        raise RuntimeError(f"EventBridge refused the event: {entry.get('ErrorCode')}: {entry.get('ErrorMessage')}")
    cloudwatch = boto3.client("cloudwatch", region_name=region, endpoint_url=endpoint_url)
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "Deployments",
                "Dimensions": [
                    {"Name": "Environment", "Value": str(detail["environment"])},
                    {"Name": "Stack", "Value": str(detail["stack"])},
                ],
                "Value": 1.0,
                "Unit": "Count",
            }
        ],
    )
    return [f"event on bus {event_bus}", f"metric {NAMESPACE}/Deployments"]
