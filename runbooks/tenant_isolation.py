"""isolate-tenant / release-tenant: contain one tenant without touching the others, and undo exactly that.

isolate-tenant, for any tenant:
- its per-tenant WAF rule (`tenant-<id>-rate` in the environment's web ACL) goes from a
  rate limit to blocking every request carrying its `x-tenant-id` (or, with
  `--param throttle=N`, to a lower limit of N requests per 5 minutes);
- its sessions on the shared tenancy role are revoked and refused while isolated: an
  inline deny on that role for principals tagged `tenant=<id>` (the tenant session tag),
  which also pauses what its flows' consumers do on its behalf; no other tenant's
  sessions match the condition.
For a silo tenant, additionally:
- every rule of its security groups (tagged `tenant=<id>` and `environment`) is revoked,
  cutting its network path;
- every grant on its KMS keys (tagged the same way) is revoked.

Each change is recorded in the run's audit record (before and after), and
release-tenant undoes exactly those changes from the latest isolate record of the tenant
in the responders' log group: the WAF rule as it was, the deny removed, the security
group rules and the key grants re-created.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from runbooks import contract
from runbooks.core import Param, Run, Runbook, RunbookInputError, Stopped, read_records

SCOPE = "REGIONAL"
BLOCK = {"Block": {"CustomResponse": {"ResponseCode": 403}}}
MIN_WAF_LIMIT = 10


def _tenant(run: Run) -> Any:
    tenant = run.params["tenant"]
    if tenant not in run.facts.tenants:
        known = ", ".join(sorted(run.facts.tenants)) or "none"
        raise RunbookInputError(f"--param tenant={tenant}: no such tenant in {run.facts.stack} (tenants: {known})")
    return run.facts.tenants[tenant]


def _web_acl(run: Run, tenant: str) -> tuple[dict, dict]:
    """The environment's web ACL holding the tenant's rule, and the response of GetWebACL."""
    waf = run.client("wafv2")
    rule_name = contract.tenant_rule_name(tenant)
    found = []
    for summary in waf.list_web_acls(Scope=SCOPE).get("WebACLs", []):
        if not summary["Name"].startswith(f"{run.environment}-"):
            continue
        acl = waf.get_web_acl(Name=summary["Name"], Scope=SCOPE, Id=summary["Id"])
        if any(rule["Name"] == rule_name for rule in acl["WebACL"]["Rules"]):
            found.append((summary, acl))
    summary, acl = run.one(
        f"web ACL with rule {rule_name}",
        found,
        lambda item: item[0]["Name"],
        f"expected the rule {rule_name} in a web ACL named {run.environment}-*",
    )
    return summary, acl


def _update_rules(run: Run, summary: dict, acl: dict, rules: list[dict]) -> None:
    web = acl["WebACL"]
    kwargs: dict[str, Any] = {
        "Name": summary["Name"],
        "Scope": SCOPE,
        "Id": summary["Id"],
        "DefaultAction": web["DefaultAction"],
        "Rules": rules,
        "VisibilityConfig": web["VisibilityConfig"],
        "LockToken": acl["LockToken"],
    }
    if web.get("Description"):
        kwargs["Description"] = web["Description"]
    run.client("wafv2").update_web_acl(**kwargs)


def _plain(value: Any) -> Any:
    """A WAF rule as JSON (bytes become {"base64": ...}) for the audit record."""
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _wire(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"base64"}:
            return base64.b64decode(value["base64"])
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def _contained_rule(rule: dict, throttle: int | None) -> dict:
    changed = copy.deepcopy(rule)
    rate = changed["Statement"].get("RateBasedStatement")
    if rate is None:
        raise RunbookInputError(f"rule {rule['Name']} is not a rate-based rule; it was changed outside crossdock")
    if throttle is not None:
        rate["Limit"] = throttle
        return changed
    scope_down = rate.get("ScopeDownStatement")
    if scope_down is None:
        raise RunbookInputError(f"rule {rule['Name']} has no tenant scope-down statement to block on")
    changed["Statement"] = scope_down
    changed["Action"] = BLOCK
    return changed


def _deny_document(tenant: str) -> str:
    """Everything denied to sessions tagged with the tenant: existing ones are revoked, new ones refused."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "IsolateTenant",
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {f"aws:PrincipalTag/{contract.TAG_TENANT}": tenant}},
                }
            ],
        },
        sort_keys=True,
    )


def _security_groups(run: Run, tenant: str) -> list[dict]:
    return run.client("ec2").describe_security_groups(
        Filters=[
            {"Name": f"tag:{contract.TAG_TENANT}", "Values": [tenant]},
            {"Name": f"tag:{contract.TAG_ENVIRONMENT}", "Values": [run.environment]},
        ]
    )["SecurityGroups"]


def _permissions(rules: list[dict]) -> list[dict]:
    """Security group rules as Authorize/Revoke accept them."""
    keep = ("IpProtocol", "FromPort", "ToPort", "IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs")
    return [{k: v for k, v in rule.items() if k in keep and v not in ([], None)} for rule in rules]


def _tenant_keys(run: Run, tenant: str) -> list[str]:
    return [k["arn"] for k in run.tagged("kms", {contract.TAG_TENANT: tenant})]


GRANT_FIELDS = ("GranteePrincipal", "RetiringPrincipal", "Operations", "Constraints", "Name")


def isolate(run: Run) -> dict:
    tenant = _tenant(run)
    throttle = None
    if run.params.get("throttle"):
        raw = run.params["throttle"]
        if not raw.isdigit() or int(raw) < MIN_WAF_LIMIT:
            raise RunbookInputError(
                f"--param throttle={raw}: a whole number of requests per 5 minutes, >= {MIN_WAF_LIMIT}"
            )
        throttle = int(raw)
    summary, acl = _web_acl(run, tenant.id)
    rules = acl["WebACL"]["Rules"]
    name = contract.tenant_rule_name(tenant.id)
    original = next(rule for rule in rules if rule["Name"] == name)
    contained = _contained_rule(original, throttle)
    role = contract.tenancy_role_name(run.environment)
    iam = run.client("iam")
    try:
        iam.get_role(RoleName=role)
    except Exception as error:
        if "NoSuchEntity" in str(error):
            raise RunbookInputError(f"no tenancy role {role} in {run.facts.stack}") from None
        raise
    policy = contract.isolation_policy_name(tenant.id)
    groups = _security_groups(run, tenant.id) if tenant.isolation == "silo" else []
    keys = _tenant_keys(run, tenant.id) if tenant.isolation == "silo" else []
    kms = run.client("kms")
    grants = {key: kms.list_grants(KeyId=key).get("Grants", []) for key in keys}
    undo: dict[str, Any] = {
        "web_acl": summary["Name"],
        "rule": _plain(original),
        "role": role,
        "policy": policy,
        "security_groups": {
            g["GroupId"]: {
                "ingress": _permissions(g.get("IpPermissions", [])),
                "egress": _permissions(g.get("IpPermissionsEgress", [])),
            }
            for g in groups
        },
        "grants": {key: [{f: g[f] for f in GRANT_FIELDS if g.get(f)} for g in found] for key, found in grants.items()},
    }
    what = f"rate limit {throttle}/5 min" if throttle else "block every request"
    plan = [
        ("shape traffic", f"{summary['Name']} rule {name}: {what}", _plain(original), _plain(contained)),
        (
            "contain sessions",
            f"{role}: deny all to principals tagged {contract.TAG_TENANT}={tenant.id} ({policy})",
            None,
            policy,
        ),
    ]
    if tenant.isolation == "silo":
        plan.append(
            (
                "cut network path",
                f"revoke every rule of {len(groups)} security group(s) tagged tenant={tenant.id}",
                undo["security_groups"],
                {},
            )
        )
        count = sum(len(g) for g in grants.values())
        plan.append(
            (
                "revoke key grants",
                f"revoke {count} grant(s) on {len(keys)} key(s) tagged tenant={tenant.id}",
                undo["grants"],
                {},
            )
        )
    if not run.execute:
        for step, detail, before, after in plan:
            run.step(step, "would", detail, before=before, after=after)
        return {"tenant": tenant.id, "isolation": tenant.isolation, "would": [p[1] for p in plan]}
    _update_rules(run, summary, acl, [contained if rule["Name"] == name else rule for rule in rules])
    run.step(plan[0][0], "done", plan[0][1], before=plan[0][2], after=plan[0][3])
    iam.put_role_policy(RoleName=role, PolicyName=policy, PolicyDocument=_deny_document(tenant.id))
    run.step("contain sessions", "done", plan[1][1], after=policy)
    ec2 = run.client("ec2")
    for group, rules_of in undo["security_groups"].items():
        if rules_of["ingress"]:
            ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=rules_of["ingress"])
        if rules_of["egress"]:
            ec2.revoke_security_group_egress(GroupId=group, IpPermissions=rules_of["egress"])
    for key, found in grants.items():
        for grant in found:
            kms.revoke_grant(KeyId=key, GrantId=grant["GrantId"])
    if tenant.isolation == "silo":
        run.step("cut network path", "done", plan[2][1], before=plan[2][2], after={})
        run.step("revoke key grants", "done", plan[3][1], before=plan[3][2], after={})
    return {"tenant": tenant.id, "isolation": tenant.isolation, "undo": undo}


def release(run: Run) -> dict:
    tenant = _tenant(run)
    records = [r for r in read_records(run, contract.ISOLATE_TENANT) if r.get("params", {}).get("tenant") == tenant.id]
    done = [r for r in records if r.get("status") == "done" and r.get("mode") == "execute"]
    released = [
        r
        for r in read_records(run, contract.RELEASE_TENANT)
        if r.get("params", {}).get("tenant") == tenant.id and r.get("status") == "done" and r.get("mode") == "execute"
    ]
    if not done:
        raise RunbookInputError(
            f"no isolate-tenant record for {tenant.id} in {contract.audit_log_group_name(run.environment)}"
        )
    last = done[-1]
    if released and released[-1]["started"] >= last["started"]:
        raise Stopped(
            "tenant isolated",
            f"{tenant.id}'s latest isolation ({last['run_id']}) was already released by {released[-1]['run_id']}",
        )
    undo = last["result"]["undo"]
    run.step(
        "find the isolation", "checked", f"isolate-tenant {last['run_id']} by {last['caller']} at {last['started']}"
    )
    summary, acl = _web_acl(run, tenant.id)
    name = contract.tenant_rule_name(tenant.id)
    rules = acl["WebACL"]["Rules"]
    current = next(rule for rule in rules if rule["Name"] == name)
    original = _wire(undo["rule"])
    if not run.execute:
        run.step(
            "restore traffic rule",
            "would",
            f"{summary['Name']} rule {name} back to its rate limit",
            before=_plain(current),
            after=undo["rule"],
        )
        run.step("restore sessions", "would", f"delete {undo['policy']} from {undo['role']}")
        if undo["security_groups"]:
            run.step(
                "restore network path", "would", f"re-authorize the rules of {len(undo['security_groups'])} group(s)"
            )
        if undo["grants"]:
            run.step(
                "restore key grants", "would", f"re-create {sum(len(g) for g in undo['grants'].values())} grant(s)"
            )
        return {"tenant": tenant.id, "isolation_run": last["run_id"]}
    _update_rules(run, summary, acl, [original if rule["Name"] == name else rule for rule in rules])
    run.step(
        "restore traffic rule",
        "done",
        f"{summary['Name']} rule {name} restored",
        before=_plain(current),
        after=undo["rule"],
    )
    iam = run.client("iam")
    try:
        iam.delete_role_policy(RoleName=undo["role"], PolicyName=undo["policy"])
    except Exception as error:
        if "NoSuchEntity" not in str(error):
            raise
    run.step("restore sessions", "done", f"deleted {undo['policy']} from {undo['role']}")
    ec2 = run.client("ec2")
    for group, rules_of in undo["security_groups"].items():
        if rules_of["ingress"]:
            ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=rules_of["ingress"])
        if rules_of["egress"]:
            ec2.authorize_security_group_egress(GroupId=group, IpPermissions=rules_of["egress"])
    if undo["security_groups"]:
        run.step("restore network path", "done", f"re-authorized the rules of {len(undo['security_groups'])} group(s)")
    kms = run.client("kms")
    for key, grants in undo["grants"].items():
        for grant in grants:
            kms.create_grant(KeyId=key, **grant)
    if undo["grants"]:
        run.step("restore key grants", "done", f"re-created {sum(len(g) for g in undo['grants'].values())} grant(s)")
    return {"tenant": tenant.id, "isolation_run": last["run_id"], "released": True}


ISOLATE = Runbook(
    name=contract.ISOLATE_TENANT,
    summary="Contain one tenant (WAF block or throttle, sessions denied; silo: network and key grants cut).",
    parameters=(
        Param("tenant", "the tenant id (crossdock:tenants[].id)", required=True),
        Param("throttle", "lower the tenant's WAF limit to N requests per 5 minutes instead of blocking"),
    ),
    preconditions=(
        "the tenant is registered in the stack",
        "the environment's web ACL holds the tenant's rate rule, and the tenancy role exists",
    ),
    steps=(
        "WAF: the tenant's rate rule blocks its requests (or a lower limit with --param throttle)",
        "IAM: deny everything to sessions tagged tenant=<id> on the tenancy role (revokes and pauses them)",
        "silo: revoke every rule of the tenant's security groups",
        "silo: revoke every grant on the tenant's KMS keys",
    ),
    stop_conditions=("a missing or ambiguous web ACL, rule or role refuses before any change",),
    run=isolate,
)
RELEASE = Runbook(
    name=contract.RELEASE_TENANT,
    summary="Undo exactly what the tenant's latest isolate-tenant did, from its audit record.",
    parameters=(Param("tenant", "the tenant id (crossdock:tenants[].id)", required=True),),
    preconditions=(
        "an executed isolate-tenant record for the tenant in the responders' log group",
        "that isolation was not released already",
    ),
    steps=(
        "restore the WAF rule as it was",
        "delete the tenant's deny from the tenancy role",
        "silo: re-authorize the security group rules and re-create the key grants",
    ),
    stop_conditions=("the latest isolation was already released",),
    run=release,
)
