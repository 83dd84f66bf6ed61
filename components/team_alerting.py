"""One encrypted SNS topic per team and incident severity: alarms page the team that owns what broke.

The stack's `teams` declare, per severity (SEV1-SEV4), a primary and a backup paging
address; the severity levels say whether the backup is paged too. Each team gets the
topic `<env>-team-<team>-<sev>` with those subscriptions, KMS-encrypted with the
operations key and publishable only by this account's CloudWatch alarms over TLS
(the same policy as the environment's severity topics). Escalation contacts and
vendors are people to call after a delay, not subscriptions: `crossdock impact` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.key_policies import alert_topic_policy
from components.tags import base_tags
from crossdock.config.operations import IncidentSeverity, Responder
from crossdock.config.schema import StackConfig


@dataclass
class TeamAlertingArgs:
    config: StackConfig
    # KMS key of the topics (the operations key: its policy admits CloudWatch and SNS).
    key_arn: pulumi.Input[str]


def team_topic_name(environment: str, team: str, severity: IncidentSeverity) -> str:
    return f"{environment}-team-{team}-{severity.value}"


class TeamAlerting(pulumi.ComponentResource):
    """Per team and severity: the topic, its policy and the on-call subscriptions."""

    def __init__(self, name: str, args: TeamAlertingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:operations:TeamAlerting", name, None, opts)
        config = args.config
        env = config.environment
        child = pulumi.ResourceOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id

        self.topics: dict[tuple[str, IncidentSeverity], aws.sns.Topic] = {}
        for team in config.teams:
            for severity in IncidentSeverity:
                topic_name = team_topic_name(env.name, team.name, severity)
                topic = aws.sns.Topic(
                    topic_name,
                    name=topic_name,
                    kms_master_key_id=args.key_arn,
                    tags={
                        **base_tags(env, extra={"team": team.name, "incident-severity": severity.value}),
                        "Name": topic_name,
                    },
                    opts=child,
                )
                aws.sns.TopicPolicy(
                    f"{topic_name}-policy", arn=topic.arn, policy=alert_topic_policy(topic.arn, account_id), opts=child
                )
                on_call = team.paging.on_call(severity)
                pages_backup = (
                    config.severity is None or Responder.BACKUP in config.severity.levels.level(severity).page
                )
                recipients = [("primary", on_call.primary)]
                if on_call.backup is not None and pages_backup:
                    recipients.append(("backup", on_call.backup))
                for role, subscription in recipients:
                    aws.sns.TopicSubscription(
                        f"{topic_name}-{role}",
                        topic=topic.arn,
                        protocol=subscription.protocol,
                        endpoint=subscription.endpoint,
                        opts=child,
                    )
                self.topics[(team.name, severity)] = topic

        self.topic_arns: dict[tuple[str, IncidentSeverity], pulumi.Output[str]] = {
            key: topic.arn for key, topic in self.topics.items()
        }
        self.register_outputs(
            {"topic_arns": {f"{team}/{severity.value}": arn for (team, severity), arn in self.topic_arns.items()}}
        )
