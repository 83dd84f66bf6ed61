"""The AppStack component: network, queues and a replica bucket in a second region."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class AppArgs:
    cidr_block: str
    subnet_count: int
    max_receive_count: int
    visibility_timeout: int
    replica_provider: aws.Provider
    tags: dict


class AppStack(pulumi.ComponentResource):
    def __init__(self, name: str, args: AppArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("example:app:AppStack", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        zones = aws.get_availability_zones(state="available")
        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr_block,
            enable_dns_hostnames=True,
            tags={**args.tags, "Name": f"{name}-vpc"},
            opts=child,
        )
        self.subnets = []
        for index in range(args.subnet_count):
            self.subnets.append(
                aws.ec2.Subnet(
                    f"{name}-subnet-{index}",
                    vpc_id=self.vpc.id,
                    cidr_block=f"10.{20 + index}.{index}.0/24",
                    availability_zone=zones.names[index],
                    tags=args.tags,
                    opts=child,
                )
            )

        self.dlq = aws.sqs.Queue(
            f"{name}-dlq",
            message_retention_seconds=1209600,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        self.queue = aws.sqs.Queue(
            f"{name}-queue",
            visibility_timeout_seconds=args.visibility_timeout,
            redrive_policy=pulumi.Output.json_dumps(
                {"deadLetterTargetArn": self.dlq.arn, "maxReceiveCount": args.max_receive_count}
            ),
            tags=args.tags,
            opts=child,
        )

        self.replica = aws.s3.Bucket(
            f"{name}-replica",
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, provider=args.replica_provider),
        )

        self.register_outputs(
            {
                "vpc_id": self.vpc.id,
                "queue_url": self.queue.url,
                "dlq_arn": self.dlq.arn,
                "replica_bucket": self.replica.bucket,
            }
        )
