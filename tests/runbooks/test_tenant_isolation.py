"""isolate-tenant / release-tenant: one tenant contained, every other tenant untouched, and undone exactly."""

from __future__ import annotations

import pytest

from runbooks.core import RunbookInputError
from tests.runbooks.conftest import AUDIT_GROUP


def rules(prod) -> dict:
    waf = prod.client("wafv2")
    (summary,) = waf.list_web_acls(Scope="REGIONAL")["WebACLs"]
    acl = waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["WebACL"]
    return {rule["Name"]: rule for rule in acl["Rules"]}


def test_isolating_a_pool_tenant_touches_no_other_tenant_and_release_restores_everything(prod, runbook):
    before = prod.state(skip_log_groups=(AUDIT_GROUP,))
    original = rules(prod)
    dry = runbook("isolate-tenant", tenant="globex")
    assert dry.status == "dry-run" and prod.state(skip_log_groups=(AUDIT_GROUP,)) == before
    done = runbook("isolate-tenant", tenant="globex", execute=True, reason="credential stuffing from globex keys")
    assert done.status == "done"
    now = rules(prod)
    assert now["tenant-globex-rate"]["Action"] == {"Block": {"CustomResponse": {"ResponseCode": 403}}}
    assert (
        now["tenant-globex-rate"]["Statement"]
        == original["tenant-globex-rate"]["Statement"]["RateBasedStatement"]["ScopeDownStatement"]
    )
    assert {k: v for k, v in now.items() if k != "tenant-globex-rate"} == {
        k: v for k, v in original.items() if k != "tenant-globex-rate"
    }
    after = prod.state(skip_log_groups=(AUDIT_GROUP,))
    roles_before, roles_after = before["iam"]["roles"], after["iam"]["roles"]
    changed = sorted(name for name in roles_after if roles_after[name] != roles_before.get(name))
    assert changed == ["prod-tenancy-access"]
    added = set(roles_after["prod-tenancy-access"]) - set(roles_before["prod-tenancy-access"])
    assert added == {"crossdock-isolate-globex"}
    assert roles_after["prod-tenancy-access"]["crossdock-isolate-globex"]["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:PrincipalTag/tenant": "globex"}
    }
    assert after["us-east-1"]["sqs"] == before["us-east-1"]["sqs"]  # no queue, of any tenant, changed
    released = runbook("release-tenant", tenant="globex", execute=True, reason="keys rotated")
    assert (released.status, released.observed, released.result.get("isolation_run")) == ("done", None, done.run_id)
    assert prod.state(skip_log_groups=(AUDIT_GROUP,)) == before
    again = runbook("release-tenant", tenant="globex", execute=True, reason="twice")
    assert (again.status, again.stopped_by) == ("stopped", "tenant isolated")


def test_throttle_lowers_only_the_limit(prod, runbook):
    runbook("isolate-tenant", tenant="globex", throttle="300", execute=True, reason="noisy")
    now = rules(prod)["tenant-globex-rate"]
    assert now["Statement"]["RateBasedStatement"]["Limit"] == 300
    assert rules(prod)["tenant-acme-rate"]["Statement"]["RateBasedStatement"]["Limit"] == 6000


def test_silo_tenant_also_loses_its_network_path_and_key_grants(prod, runbook):
    ec2, kms = prod.client("ec2"), prod.client("kms")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    tags = [{"Key": "environment", "Value": "prod"}, {"Key": "tenant", "Value": "acme"}]
    group = ec2.create_security_group(
        GroupName="prod-tenant-acme-data",
        Description="acme data",
        VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": tags}],
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.40.1.0/24"}]}
        ],
    )
    key = kms.create_key(Tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in tags])["KeyMetadata"]["Arn"]
    kms.create_grant(
        KeyId=key, GranteePrincipal="arn:aws:iam::123456789012:role/prod-tenant-acme-app", Operations=["Decrypt"]
    )
    before = prod.state(skip_log_groups=(AUDIT_GROUP,))
    done = runbook("isolate-tenant", tenant="acme", execute=True, reason="acme compromised")
    assert [s.name for s in done.steps if s.decision == "done"] == [
        "shape traffic",
        "contain sessions",
        "cut network path",
        "revoke key grants",
    ]
    described = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]
    assert described["IpPermissions"] == [] and described["IpPermissionsEgress"] == []
    assert kms.list_grants(KeyId=key)["Grants"] == []
    runbook("release-tenant", tenant="acme", execute=True, reason="contained")
    after = prod.state(skip_log_groups=(AUDIT_GROUP,))
    assert after["us-east-1"]["security_groups"] == before["us-east-1"]["security_groups"]
    (grant,) = kms.list_grants(KeyId=key)["Grants"]
    assert (grant["GranteePrincipal"], grant["Operations"]) == (
        "arn:aws:iam::123456789012:role/prod-tenant-acme-app",
        ["Decrypt"],
    )


def test_unknown_tenant_and_release_without_isolation_are_bad_input(runbook):
    with pytest.raises(
        RunbookInputError, match=r"^--param tenant=initech: no such tenant in prod \(tenants: acme, globex\)$"
    ):
        runbook("isolate-tenant", tenant="initech")
    with pytest.raises(RunbookInputError, match=r"^no isolate-tenant record for globex in /crossdock/prod/responders$"):
        runbook("release-tenant", tenant="globex")
