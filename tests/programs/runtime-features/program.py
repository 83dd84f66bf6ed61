"""Exercises SDK features: transforms, pulumi.run, logging, .get() reads, stack references."""

import sys

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
mode = config.get("mode")
if mode == "missing":
    config.require("notSet")
elif mode == "logerror":
    pulumi.log.error("quota exceeded for this account")
elif mode == "exit":
    sys.exit(3)
elif mode == "usererror":

    class StackConfigError(ValueError):
        user_error = True  # like crossdock's config schema errors: the message is complete

    raise StackConfigError("Pulumi.usererror.yaml: runtime-features:mode: unsupported value")


def tag_queues(args: pulumi.ResourceTransformArgs):
    if args.type_ == "aws:sqs/queue:Queue":
        return pulumi.ResourceTransformResult(
            {**args.props, "tags": {**(args.props.get("tags") or {}), "managed-by": "transform"}}, args.opts
        )
    return None


pulumi.runtime.register_resource_transform(tag_queues)

queue = aws.sqs.Queue("jobs", tags={"tier": "batch"})
existing = aws.ec2.Vpc.get("shared-vpc", "vpc-0123456789abcdef0")
network = pulumi.StackReference("acme/network/prod")
pulumi.log.warn("jobs queue has no DLQ", resource=queue)


async def main():
    return {"queue_tags": queue.tags_all, "shared_vpc_id": existing.id}


pulumi.run(main)
