"""rotate-credentials: rotate a service's or a tenant's secrets, revoke its sessions, deactivate named keys.

For `--param service=NAME` (a service of the stack) or `--param tenant=ID`:
1. every Secrets Manager secret tagged `service=NAME` (or `tenant=ID`) and `environment`
   is rotated with its rotation function; the rotation must finish (the new version
   carries AWSCURRENT, no AWSPENDING is left: a rotation whose testSecret step failed
   stops the run there) and every DR replica must report InSync;
2. every session issued before now is revoked: AWS's documented inline deny on
   `aws:TokenIssueTime` (policy `crossdock-revoke-sessions`) on the service's role
   `<env>-<service>`, or, for a tenant, on the shared tenancy role, limited to sessions
   tagged with that tenant;
3. `--param users=a,b` deactivates the active access keys of those IAM users (they must
   belong to the environment: `<env>-*`).
"""

from __future__ import annotations

import json

from runbooks import contract
from runbooks.core import Param, Run, Runbook, RunbookInputError, error_code

REVOKE_POLICY = contract.revoke_policy_name("sessions")


def _revoke_document(issued_before: str, tenant: str | None) -> str:
    condition: dict = {"DateLessThan": {"aws:TokenIssueTime": issued_before}}
    if tenant is not None:
        condition["StringEquals"] = {f"aws:PrincipalTag/{contract.TAG_TENANT}": tenant}
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "RevokeOlderSessions", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": condition}
            ],
        },
        sort_keys=True,
    )


def _scope(run: Run) -> tuple[str, str, str, str | None]:
    """(tag key, value, role name, tenant) of the run."""
    service, tenant = run.params.get("service"), run.params.get("tenant")
    if bool(service) == bool(tenant):
        raise RunbookInputError("rotate-credentials needs exactly one of --param service=NAME or --param tenant=ID")
    if service:
        if service not in run.facts.services:
            known = ", ".join(run.facts.services) or "none"
            raise RunbookInputError(
                f"--param service={service}: no such service in {run.facts.stack} (services: {known})"
            )
        return contract.TAG_SERVICE, service, contract.service_role_name(run.environment, service), None
    assert tenant is not None  # exactly one of service / tenant was given (checked above)
    if tenant not in run.facts.tenants:
        known = ", ".join(sorted(run.facts.tenants)) or "none"
        raise RunbookInputError(f"--param tenant={tenant}: no such tenant in {run.facts.stack} (tenants: {known})")
    return contract.TAG_TENANT, tenant, contract.tenancy_role_name(run.environment), tenant


def _current_version(description: dict) -> str | None:
    return next((v for v, stages in description.get("VersionIdsToStages", {}).items() if "AWSCURRENT" in stages), None)


def run(run: Run) -> dict:
    key, value, role, tenant = _scope(run)
    users = [u for u in (run.params.get("users") or "").split(",") if u.strip()]
    for user in users:
        if not user.startswith(f"{run.environment}-"):
            raise RunbookInputError(f"--param users={user}: not an IAM user of {run.environment} ({run.environment}-*)")
    iam = run.client("iam")
    try:
        iam.get_role(RoleName=role)
    except Exception as error:
        if error_code(error) == "NoSuchEntity":
            raise RunbookInputError(f"no IAM role {role} in {run.facts.stack}") from None
        raise
    secrets = sorted(s["arn"] for s in run.tagged("secretsmanager:secret", {key: value}))
    sm = run.client("secretsmanager")
    keys = {user: iam.list_access_keys(UserName=user)["AccessKeyMetadata"] for user in users}
    issued_before = run.now_iso()
    run.step(
        "resolve targets",
        "checked",
        f"{len(secrets)} secret(s) tagged {key}={value}; role {role}; {len(users)} user(s)",
    )
    if not run.execute:
        for arn in secrets:
            run.step("rotate secret", "would", f"rotate {arn.rsplit(':', 1)[-1]} and wait for its replicas")
        scope = f" tagged {contract.TAG_TENANT}={tenant}" if tenant else ""
        run.step("revoke sessions", "would", f"deny sessions{scope} issued before {issued_before} on {role}")
        for user, found in keys.items():
            active = [k["AccessKeyId"] for k in found if k["Status"] == "Active"]
            run.step("deactivate keys", "would", f"{user}: deactivate {len(active)} active key(s)")
        return {"secrets": secrets, "role": role, "users": users}
    rotated = []
    for arn in secrets:
        before = sm.describe_secret(SecretId=arn)
        version = sm.rotate_secret(SecretId=arn)["VersionId"]
        after = sm.describe_secret(SecretId=arn)
        stages = after.get("VersionIdsToStages", {})
        pending = [v for v, s in stages.items() if "AWSPENDING" in s and "AWSCURRENT" not in s]
        run.check(
            "rotation finished",
            _current_version(after) == version and not pending,
            f"{after['Name']}: version {version} is {'/'.join(stages.get(version, ['missing']))}"
            + (
                "; its rotation did not finish (testSecret failed or still running)"
                if pending or _current_version(after) != version
                else ""
            ),
        )
        replicas = [r for r in after.get("ReplicationStatus", []) if r.get("Status") != "InSync"]
        run.check(
            "replicas caught up",
            not replicas,
            f"{after['Name']}: replicas "
            + (", ".join(f"{r['Region']} {r.get('Status')}" for r in replicas) or "InSync"),
        )
        run.step("rotate secret", "done", f"{after['Name']} rotated", before=_current_version(before), after=version)
        rotated.append(after["Name"])
    iam.put_role_policy(RoleName=role, PolicyName=REVOKE_POLICY, PolicyDocument=_revoke_document(issued_before, tenant))
    run.step("revoke sessions", "done", f"{role}: sessions issued before {issued_before} denied", after=REVOKE_POLICY)
    deactivated = []
    for user, found in keys.items():
        for access_key in found:
            if access_key["Status"] == "Active":
                iam.update_access_key(UserName=user, AccessKeyId=access_key["AccessKeyId"], Status="Inactive")
                deactivated.append(access_key["AccessKeyId"])
        run.step("deactivate keys", "done", f"{user}: {len(deactivated)} key(s) deactivated")
    return {"rotated": rotated, "role": role, "sessions_revoked_before": issued_before, "deactivated_keys": deactivated}


RUNBOOK = Runbook(
    name=contract.ROTATE_CREDENTIALS,
    summary="Rotate a service's or tenant's secrets, revoke its role sessions, deactivate named access keys.",
    parameters=(
        Param("service", "a service of the stack (crossdock:services[].name)"),
        Param("tenant", "a tenant id (crossdock:tenants[].id)"),
        Param("users", "comma-separated IAM users (<env>-*) whose active access keys are deactivated"),
    ),
    preconditions=("exactly one of service or tenant; its role exists; named users belong to the environment",),
    steps=(
        "rotate every secret tagged service=NAME (or tenant=ID); the new version must become AWSCURRENT",
        "confirm each secret's DR replicas are InSync",
        "revoke sessions issued before now: inline deny on aws:TokenIssueTime (tenant: only its tagged sessions)",
        "deactivate the named users' active access keys",
    ),
    stop_conditions=("a rotation does not finish (its testSecret step failed)", "a replica is not InSync"),
    run=run,
)
