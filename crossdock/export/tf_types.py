"""Pulumi AWS type tokens -> Terraform resource types.

pulumi-aws is bridged from the Terraform AWS provider, and every Pulumi token stands
for one Terraform resource type, but the SDK does not ship that mapping (no schema or
bridge metadata in the wheel, and its docstrings only name Terraform types in
passing). So crossdock keeps it here, in two parts:

- `EXPLICIT`: tokens whose Terraform name does not follow from the token
  (`aws:rds/instance:Instance` -> `aws_db_instance`, `aws:lb/loadBalancer:LoadBalancer`
  -> `aws_lb`, every EC2 type, the S3 `...V2` aliases), plus every type the blueprint
  and its test programs emit, so those never depend on the rule;
- a rule for the modules whose resources are all named `aws_<prefix>_<snake_case name>`
  (`aws:sqs/queue:Queue` -> `aws_sqs_queue`, `aws:cloudwatch/metricAlarm:MetricAlarm`
  -> `aws_cloudwatch_metric_alarm`): `REGULAR_MODULES` maps each such module to its
  Terraform prefix, and `RULE_EXCEPTIONS` lists the members that break it.

A token that is neither listed nor in a regular module has no mapping: the exporter
reports it as a warning instead of guessing a name checkov would silently ignore.
The entries and the module list were checked against the token -> Terraform renames
pulumi-aws publishes in its repository (`provider/cmd/pulumi-resource-aws/bridge-metadata.json`);
one difference is deliberate: in pulumi-aws 7 `aws:s3/bucket:Bucket` is the current
`aws_s3_bucket` (it was the legacy bucket in 6.x).
"""

from __future__ import annotations

import functools

from crossdock.export.sdk_types import snake_case

__all__ = ["EXPLICIT", "REGULAR_MODULES", "RULE_EXCEPTIONS", "SUB_MODULES", "terraform_type"]

EXPLICIT: dict[str, str] = {
    # -- ec2: mostly `aws_<name>` without the module, with `aws_ec2_...` exceptions ------------
    "aws:ec2/ami:Ami": "aws_ami",
    "aws:ec2/amiCopy:AmiCopy": "aws_ami_copy",
    "aws:ec2/amiFromInstance:AmiFromInstance": "aws_ami_from_instance",
    "aws:ec2/amiLaunchPermission:AmiLaunchPermission": "aws_ami_launch_permission",
    "aws:ec2/capacityReservation:CapacityReservation": "aws_ec2_capacity_reservation",
    "aws:ec2/carrierGateway:CarrierGateway": "aws_ec2_carrier_gateway",
    "aws:ec2/customerGateway:CustomerGateway": "aws_customer_gateway",
    "aws:ec2/dedicatedHost:DedicatedHost": "aws_ec2_host",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": "aws_default_network_acl",
    "aws:ec2/defaultRouteTable:DefaultRouteTable": "aws_default_route_table",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/defaultSubnet:DefaultSubnet": "aws_default_subnet",
    "aws:ec2/defaultVpc:DefaultVpc": "aws_default_vpc",
    "aws:ec2/defaultVpcDhcpOptions:DefaultVpcDhcpOptions": "aws_default_vpc_dhcp_options",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": "aws_egress_only_internet_gateway",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/eipAssociation:EipAssociation": "aws_eip_association",
    "aws:ec2/fleet:Fleet": "aws_ec2_fleet",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/instance:Instance": "aws_instance",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment": "aws_internet_gateway_attachment",
    "aws:ec2/keyPair:KeyPair": "aws_key_pair",
    "aws:ec2/launchConfiguration:LaunchConfiguration": "aws_launch_configuration",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation": "aws_main_route_table_association",
    "aws:ec2/managedPrefixList:ManagedPrefixList": "aws_ec2_managed_prefix_list",
    "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry": "aws_ec2_managed_prefix_list_entry",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/networkAcl:NetworkAcl": "aws_network_acl",
    "aws:ec2/networkAclAssociation:NetworkAclAssociation": "aws_network_acl_association",
    "aws:ec2/networkAclRule:NetworkAclRule": "aws_network_acl_rule",
    "aws:ec2/networkInterface:NetworkInterface": "aws_network_interface",
    "aws:ec2/networkInterfaceAttachment:NetworkInterfaceAttachment": "aws_network_interface_attachment",
    "aws:ec2/networkInterfaceSecurityGroupAttachment:NetworkInterfaceSecurityGroupAttachment": (
        "aws_network_interface_sg_attachment"
    ),
    "aws:ec2/placementGroup:PlacementGroup": "aws_placement_group",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/securityGroupAssociation:SecurityGroupAssociation": "aws_vpc_endpoint_security_group_association",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "aws_security_group_rule",
    "aws:ec2/serialConsoleAccess:SerialConsoleAccess": "aws_ec2_serial_console_access",
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": "aws_spot_instance_request",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/tag:Tag": "aws_ec2_tag",
    "aws:ec2/volumeAttachment:VolumeAttachment": "aws_volume_attachment",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/vpcDhcpOptions:VpcDhcpOptions": "aws_vpc_dhcp_options",
    "aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation": "aws_vpc_dhcp_options_association",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": "aws_vpc_endpoint_policy",
    "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation": (
        "aws_vpc_endpoint_route_table_association"
    ),
    "aws:ec2/vpcEndpointService:VpcEndpointService": "aws_vpc_endpoint_service",
    "aws:ec2/vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation": "aws_vpc_endpoint_subnet_association",
    "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation": "aws_vpc_ipv4_cidr_block_association",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "aws_vpc_peering_connection",
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": "aws_vpc_peering_connection_accepter",
    "aws:ec2/vpnConnection:VpnConnection": "aws_vpn_connection",
    "aws:ec2/vpnGateway:VpnGateway": "aws_vpn_gateway",
    "aws:ec2/vpnGatewayAttachment:VpnGatewayAttachment": "aws_vpn_gateway_attachment",
    # -- rds: `aws_rds_*` for clusters, `aws_db_*` for the rest ----------------------------
    "aws:rds/cluster:Cluster": "aws_rds_cluster",
    "aws:rds/clusterActivityStream:ClusterActivityStream": "aws_rds_cluster_activity_stream",
    "aws:rds/clusterEndpoint:ClusterEndpoint": "aws_rds_cluster_endpoint",
    "aws:rds/clusterInstance:ClusterInstance": "aws_rds_cluster_instance",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "aws_rds_cluster_parameter_group",
    "aws:rds/clusterRoleAssociation:ClusterRoleAssociation": "aws_rds_cluster_role_association",
    "aws:rds/clusterSnapshot:ClusterSnapshot": "aws_db_cluster_snapshot",
    "aws:rds/eventSubscription:EventSubscription": "aws_db_event_subscription",
    "aws:rds/exportTask:ExportTask": "aws_rds_export_task",
    "aws:rds/globalCluster:GlobalCluster": "aws_rds_global_cluster",
    "aws:resiliencehub/resiliencyPolicy:ResiliencyPolicy": "aws_resiliencehub_resiliency_policy",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (
        "aws_db_instance_automated_backups_replication"
    ),
    "aws:rds/optionGroup:OptionGroup": "aws_db_option_group",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/proxy:Proxy": "aws_db_proxy",
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": "aws_db_proxy_default_target_group",
    "aws:rds/proxyEndpoint:ProxyEndpoint": "aws_db_proxy_endpoint",
    "aws:rds/proxyTarget:ProxyTarget": "aws_db_proxy_target",
    "aws:rds/reservedInstance:ReservedInstance": "aws_rds_reserved_instance",
    "aws:rds/roleAssociation:RoleAssociation": "aws_db_instance_role_association",
    "aws:rds/snapshot:Snapshot": "aws_db_snapshot",
    "aws:rds/snapshotCopy:SnapshotCopy": "aws_db_snapshot_copy",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    # -- load balancers ------------------------------------------------------------------------
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:lb/listenerCertificate:ListenerCertificate": "aws_lb_listener_certificate",
    "aws:lb/listenerRule:ListenerRule": "aws_lb_listener_rule",
    "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": "aws_lb_target_group_attachment",
    "aws:alb/loadBalancer:LoadBalancer": "aws_alb",
    "aws:alb/listener:Listener": "aws_alb_listener",
    "aws:alb/listenerCertificate:ListenerCertificate": "aws_alb_listener_certificate",
    "aws:alb/listenerRule:ListenerRule": "aws_alb_listener_rule",
    "aws:alb/targetGroup:TargetGroup": "aws_alb_target_group",
    "aws:alb/targetGroupAttachment:TargetGroupAttachment": "aws_alb_target_group_attachment",
    "aws:elb/loadBalancer:LoadBalancer": "aws_elb",
    "aws:elb/attachment:Attachment": "aws_elb_attachment",
    # -- s3 (the ...V2 classes are deprecated aliases of the same Terraform types) -----------
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucketObject:BucketObject": "aws_s3_bucket_object",
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "aws_s3_bucket_replication_configuration",
    "aws:s3/analyticsConfiguration:AnalyticsConfiguration": "aws_s3_bucket_analytics_configuration",
    "aws:s3/inventory:Inventory": "aws_s3_bucket_inventory",
    "aws:s3/accessPoint:AccessPoint": "aws_s3_access_point",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": "aws_s3_account_public_access_block",
    "aws:s3/directoryBucket:DirectoryBucket": "aws_s3_directory_bucket",
    "aws:s3/objectCopy:ObjectCopy": "aws_s3_object_copy",
    # -- other modules' irregular names ----------------------------------------------------------
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:codepipeline/pipeline:Pipeline": "aws_codepipeline",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "aws_sqs_queue_redrive_allow_policy",
    "aws:sqs/redrivePolicy:RedrivePolicy": "aws_sqs_queue_redrive_policy",
    "aws:sns/dataProtectionPolicy:DataProtectionPolicy": "aws_sns_topic_data_protection_policy",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "aws_iam_openid_connect_provider",
    "aws:iam/sshKey:SshKey": "aws_iam_user_ssh_key",
    "aws:cfg/rule:Rule": "aws_config_config_rule",
    "aws:cfg/recorder:Recorder": "aws_config_configuration_recorder",
    "aws:cfg/recorderStatus:RecorderStatus": "aws_config_configuration_recorder_status",
    "aws:cfg/deliveryChannel:DeliveryChannel": "aws_config_delivery_channel",
    "aws:cfg/configurationAggregator:ConfigurationAggregator": "aws_config_configuration_aggregator",
    "aws:cfg/conformancePack:ConformancePack": "aws_config_conformance_pack",
    "aws:cfg/remediationConfiguration:RemediationConfiguration": "aws_config_remediation_configuration",
    "aws:cfg/aggregateAuthorization:AggregateAuthorization": "aws_config_aggregate_authorization",
    "aws:directconnect/linkAggregationGroup:LinkAggregationGroup": "aws_dx_lag",
    "aws:directconnect/hostedTransitVirtualInterfaceAcceptor:HostedTransitVirtualInterfaceAcceptor": (
        "aws_dx_hosted_transit_virtual_interface_accepter"
    ),
    "aws:apigateway/response:Response": "aws_api_gateway_gateway_response",
    "aws:appsync/graphQLApi:GraphQLApi": "aws_appsync_graphql_api",
    "aws:appsync/dataSource:DataSource": "aws_appsync_datasource",
    "aws:guardduty/iPSet:IPSet": "aws_guardduty_ipset",
    "aws:guardduty/threatIntelSet:ThreatIntelSet": "aws_guardduty_threatintelset",
    "aws:glue/mLTransform:MLTransform": "aws_glue_ml_transform",
    "aws:autoscaling/tag:Tag": "aws_autoscaling_group_tag",
    "aws:codedeploy/application:Application": "aws_codedeploy_app",
    "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment": "aws_cognito_identity_pool_roles_attachment",
    "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec": "aws_route53_hosted_zone_dnssec",
    "aws:route53/resolverDnsSecConfig:ResolverDnsSecConfig": "aws_route53_resolver_dnssec_config",
    "aws:sagemaker/humanTaskUI:HumanTaskUI": "aws_sagemaker_human_task_ui",
    "aws:waf/ipSet:IpSet": "aws_waf_ipset",
    "aws:wafregional/ipSet:IpSet": "aws_wafregional_ipset",
    "aws:fsx/openZfsFileSystem:OpenZfsFileSystem": "aws_fsx_openzfs_file_system",
    "aws:fsx/openZfsSnapshot:OpenZfsSnapshot": "aws_fsx_openzfs_snapshot",
    "aws:fsx/openZfsVolume:OpenZfsVolume": "aws_fsx_openzfs_volume",
    # -- types the blueprint and test programs emit (mapped explicitly, not by the rule) ------
    "aws:eks/cluster:Cluster": "aws_eks_cluster",
    "aws:eks/nodeGroup:NodeGroup": "aws_eks_node_group",
    "aws:synthetics/canary:Canary": "aws_synthetics_canary",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "aws_wafv2_web_acl_logging_configuration",
    "aws:backup/plan:Plan": "aws_backup_plan",
    "aws:backup/selection:Selection": "aws_backup_selection",
    "aws:backup/vault:Vault": "aws_backup_vault",
    "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:kms/replicaKey:ReplicaKey": "aws_kms_replica_key",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "aws_s3_bucket_object_lock_configuration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration": "aws_s3_bucket_website_configuration",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:sqs/queuePolicy:QueuePolicy": "aws_sqs_queue_policy",
}

REGULAR_MODULES: dict[str, str] = {
    # module -> Terraform prefix; every resource is aws_<prefix>_<snake_case resource name>.
    **{
        m: m
        for m in [
            "accessanalyzer",
            "acm",
            "acmpca",
            "amplify",
            "apigatewayv2",
            "appautoscaling",
            "appconfig",
            "appflow",
            "applicationinsights",
            "appmesh",
            "apprunner",
            "appstream",
            "appsync",
            "athena",
            "auditmanager",
            "autoscaling",
            "autoscalingplans",
            "backup",
            "batch",
            "budgets",
            "cloudformation",
            "cloudfront",
            "cloudsearch",
            "cloudwatch",
            "codeartifact",
            "codebuild",
            "codecommit",
            "codedeploy",
            "codestarconnections",
            "codestarnotifications",
            "cognito",
            "comprehend",
            "connect",
            "dataexchange",
            "datapipeline",
            "dax",
            "detective",
            "devicefarm",
            "dlm",
            "dms",
            "docdb",
            "dynamodb",
            "ebs",
            "ecr",
            "ecrpublic",
            "ecs",
            "efs",
            "eks",
            "elasticache",
            "elasticsearch",
            "emr",
            "emrcontainers",
            "emrserverless",
            "evidently",
            "fis",
            "fms",
            "fsx",
            "gamelift",
            "glacier",
            "globalaccelerator",
            "glue",
            "grafana",
            "guardduty",
            "iam",
            "identitystore",
            "imagebuilder",
            "inspector",
            "inspector2",
            "iot",
            "ivs",
            "ivschat",
            "kendra",
            "keyspaces",
            "kinesis",
            "kinesisanalyticsv2",
            "kms",
            "lakeformation",
            "lambda",
            "lex",
            "lightsail",
            "macie2",
            "medialive",
            "memorydb",
            "mq",
            "msk",
            "mskconnect",
            "mwaa",
            "neptune",
            "networkfirewall",
            "networkmanager",
            "oam",
            "opensearch",
            "organizations",
            "pinpoint",
            "qldb",
            "quicksight",
            "ram",
            "rbin",
            "redshift",
            "redshiftdata",
            "redshiftserverless",
            "resourcegroups",
            "rolesanywhere",
            "route53",
            "route53domains",
            "route53recoveryreadiness",
            "rum",
            "s3control",
            "s3outposts",
            "sagemaker",
            "scheduler",
            "schemas",
            "secretsmanager",
            "securityhub",
            "servicecatalog",
            "servicequotas",
            "ses",
            "sesv2",
            "sfn",
            "shield",
            "signer",
            "sns",
            "sqs",
            "ssm",
            "ssmincidents",
            "ssoadmin",
            "swf",
            "synthetics",
            "timestreamwrite",
            "transcribe",
            "transfer",
            "vpc",
            "waf",
            "wafregional",
            "wafv2",
            "workspaces",
            "xray",
        ]
    },
    "amp": "prometheus",
    "apigateway": "api_gateway",
    "costexplorer": "ce",
    "directconnect": "dx",
    "elasticbeanstalk": "elastic_beanstalk",
    "servicediscovery": "service_discovery",
    "resourceexplorer": "resourceexplorer2",
    "route53recoverycontrol": "route53recoverycontrolconfig",
}

SUB_MODULES: dict[str, dict[str, str]] = {
    # Newer services grouped into an older module keep their own Terraform prefix.
    "lex": {"v2models": "lexv2models"},
    "pinpoint": {"smsvoicev2": "pinpointsmsvoicev2"},
}

RULE_EXCEPTIONS: frozenset[str] = frozenset(
    {
        # Members of regular modules whose Terraform name differs from the rule's; they are
        # mapped in EXPLICIT when known, and never by the rule.
        "aws:appconfig/eventIntegration:EventIntegration",
        "aws:cloudformation/cloudFormationType:CloudFormationType",
        "aws:codeartifact/domainPermissions:DomainPermissions",
        "aws:datasync/efsLocation:EfsLocation",
        "aws:datasync/nfsLocation:NfsLocation",
        "aws:datasync/s3Location:S3Location",
        "aws:directoryservice/logService:LogService",
        "aws:licensemanager/licenseGrant:LicenseGrant",
        "aws:location/routeCalculation:RouteCalculation",
        "aws:mediaconvert/queue:Queue",
        "aws:storagegateway/cachesIscsiVolume:CachesIscsiVolume",
        "aws:ses/mailFrom:MailFrom",
        "aws:ses/confgurationSet:ConfgurationSet",
    }
)


@functools.cache
def terraform_type(token: str) -> str | None:
    """The Terraform resource type for a Pulumi AWS token, or None when there is no mapping."""
    if token in EXPLICIT:
        return EXPLICIT[token]
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != "aws" or "/" not in parts[1] or token in RULE_EXCEPTIONS:
        return None
    module, resource = parts[1].split("/", 1)
    if module == "s3":
        name = resource[:-2] if resource.endswith("V2") else resource
        if name.startswith("bucket"):  # bucketCorsConfigurationV2 -> aws_s3_bucket_cors_configuration
            return f"aws_s3_{snake_case(name)}"
        return None
    prefix = REGULAR_MODULES.get(module)
    if prefix is None or resource.endswith("V2"):  # a ...V2 class is a second API generation: unverified
        return None
    for sub, sub_prefix in SUB_MODULES.get(module, {}).items():
        if resource.startswith(sub) and len(resource) > len(sub):
            rest = resource[len(sub)]
            return f"aws_{sub_prefix}_{snake_case(rest.lower() + resource[len(sub) + 1 :])}"
    return f"aws_{prefix}_{snake_case(resource)}"
