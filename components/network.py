"""The VPC: public, private and data subnets in every zone, private paths to AWS APIs, flow logs.

Data subnets have no route to the internet at all; private subnets reach it through
a NAT gateway in their own zone in production, so losing a zone never strands the
others' egress (carrier APIs, EDI partners). Queue, key, secret and log traffic stays
on VPC endpoints, which keeps integrations flowing even when NAT is the incident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.flow_logs import vpc_flow_logs
from crossdock.config.schema import Environment, Tier
from crossdock.config.subnets import SUBNET_TIERS, plan_subnets

# sts: service-account roles (IRSA) exchange their token at the regional STS endpoint, and
# transaction-tier pods may only reach the VPC CIDR on 443 (their NetworkPolicies).
INTERFACE_ENDPOINT_SERVICES = ("sqs", "kms", "secretsmanager", "logs", "sts")


@dataclass
class NetworkArgs:
    environment: Environment
    flow_log_key_arn: pulumi.Input[str]
    log_retention_days: int
    tags: Mapping[str, str] = field(default_factory=dict)


class Network(pulumi.ComponentResource):
    """VPC over N zones with per-zone subnets, NAT, endpoints and encrypted flow logs."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:network:Network", name, None, opts)
        env = args.environment
        self._tags = dict(args.tags)
        child = pulumi.ResourceOptions(parent=self)
        layout = plan_subnets(env.vpc_cidr, env.az_count)
        zones = aws.get_availability_zones_output(state="available", opts=pulumi.InvokeOutputOptions(parent=self))

        self.vpc = aws.ec2.Vpc(
            name,
            cidr_block=str(env.vpc_cidr),
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=self._named(name),
            opts=child,
        )
        # Adopt the VPC's default security group and strip its rules so nothing lands in it by accident.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=self.vpc.id, tags=self._named(f"{name}-default"), opts=child
        )
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags=self._named(f"{name}-igw"), opts=child)

        self.availability_zones = [zones.names.apply(lambda names, i=i: names[i]) for i in range(env.az_count)]
        subnets: dict[str, list[aws.ec2.Subnet]] = {tier: [] for tier in SUBNET_TIERS}
        for tier in SUBNET_TIERS:
            for index, cidr in enumerate(layout[tier]):
                subnet_name = f"{name}-{tier}-{index}"
                subnets[tier].append(
                    aws.ec2.Subnet(
                        subnet_name,
                        vpc_id=self.vpc.id,
                        cidr_block=str(cidr),
                        availability_zone=self.availability_zones[index],
                        map_public_ip_on_launch=False,
                        tags={**self._named(subnet_name), "subnet-tier": tier},
                        opts=child,
                    )
                )

        public_routes = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=self.vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}],
            tags=self._named(f"{name}-public-rt"),
            opts=child,
        )
        for index, subnet in enumerate(subnets["public"]):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-rta-{index}", subnet_id=subnet.id, route_table_id=public_routes.id, opts=child
            )

        nat_count = env.az_count if env.tier is Tier.PRODUCTION else 1
        self.nat_gateways = []
        for index in range(nat_count):
            eip = aws.ec2.Eip(
                f"{name}-nat-eip-{index}", domain="vpc", tags=self._named(f"{name}-nat-eip-{index}"), opts=child
            )
            self.nat_gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{index}",
                    allocation_id=eip.id,
                    subnet_id=subnets["public"][index].id,
                    tags=self._named(f"{name}-nat-{index}"),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
            )

        private_route_tables = []
        for index, subnet in enumerate(subnets["private"]):
            nat = self.nat_gateways[index % nat_count]
            table = aws.ec2.RouteTable(
                f"{name}-private-rt-{index}",
                vpc_id=self.vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}],
                tags=self._named(f"{name}-private-rt-{index}"),
                opts=child,
            )
            private_route_tables.append(table)
            aws.ec2.RouteTableAssociation(
                f"{name}-private-rta-{index}", subnet_id=subnet.id, route_table_id=table.id, opts=child
            )
        data_routes = aws.ec2.RouteTable(
            f"{name}-data-rt", vpc_id=self.vpc.id, tags=self._named(f"{name}-data-rt"), opts=child
        )
        for index, subnet in enumerate(subnets["data"]):
            aws.ec2.RouteTableAssociation(
                f"{name}-data-rta-{index}", subnet_id=subnet.id, route_table_id=data_routes.id, opts=child
            )

        aws.ec2.VpcEndpoint(
            f"{name}-s3-endpoint",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{env.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[table.id for table in private_route_tables] + [data_routes.id],
            tags=self._named(f"{name}-s3-endpoint"),
            opts=child,
        )
        endpoint_sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints-sg",
            vpc_id=self.vpc.id,
            description="HTTPS from inside the VPC to AWS API interface endpoints",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": 443,
                    "to_port": 443,
                    "cidr_blocks": [str(env.vpc_cidr)],
                    "description": "HTTPS from the VPC",
                }
            ],
            tags=self._named(f"{name}-endpoints-sg"),
            opts=child,
        )
        for service in INTERFACE_ENDPOINT_SERVICES:
            aws.ec2.VpcEndpoint(
                f"{name}-{service}-endpoint",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{env.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[subnet.id for subnet in subnets["private"]],
                security_group_ids=[endpoint_sg.id],
                tags=self._named(f"{name}-{service}-endpoint"),
                opts=child,
            )

        self.flow_log_group = vpc_flow_logs(
            name,
            vpc_id=self.vpc.id,
            log_group_name=f"/crossdock/{env.name}/vpc-flow-logs",
            kms_key_arn=args.flow_log_key_arn,
            retention_days=args.log_retention_days,
            tags=self._tags,
            parent=self,
        )

        self.vpc_id = self.vpc.id
        self.public_subnet_ids = [subnet.id for subnet in subnets["public"]]
        self.private_subnet_ids = [subnet.id for subnet in subnets["private"]]
        self.data_subnet_ids = [subnet.id for subnet in subnets["data"]]
        self.private_cidr_blocks = [str(cidr) for cidr in layout["private"]]
        self.nat_gateway_ids = [nat.id for nat in self.nat_gateways]
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "availability_zones": self.availability_zones,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "data_subnet_ids": self.data_subnet_ids,
                "nat_gateway_ids": self.nat_gateway_ids,
                "flow_log_group_name": self.flow_log_group.name,
            }
        )

    def _named(self, name: str) -> dict[str, str]:
        return {**self._tags, "Name": name}
