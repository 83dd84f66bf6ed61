"""Load a silo tenant stack (`crossdock:tenant`), or one clear error line naming the file and key.

A tenant stack file declares only `crossdock:tenant` (and `aws:region`); the rest is
inherited from its environment stack's file in the same stacks directory, which is
loaded and validated with the ordinary loader. Errors name the tenant stack file
and the dotted key, like every other stack error:

    stacks/Pulumi.prod-tenant-acme.yaml: crossdock:tenant.id: tenant 'acme' is not registered ...
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crossdock.config.loader import (
    NAMESPACE,
    SECRET_MESSAGE,
    StackConfigError,
    _decode,
    find_secret,
    load_stack_file,
    project_stack_config_dir,
    read_stack_namespace,
    validate_model,
)
from crossdock.config.rules import check_stack
from crossdock.config.schema import Isolation, StackConfig
from crossdock.config.subnets import DR_MAX_ZONES, plan_subnets
from crossdock.config.tenancy import (
    TenantStackConfig,
    TenantStackSpec,
    check_namespace,
    derive_silo_config,
    environment_networks,
    needs_dr_vpc,
    tenant_stack_name,
)

TENANT_KEY = "tenant"


def is_tenant_namespace(namespace: Mapping[str, Any]) -> bool:
    """A stack whose `crossdock` namespace has `tenant` is a silo tenant stack."""
    return TENANT_KEY in namespace


def stacks_dir(project_dir: Path) -> Path:
    """The project's stack config directory (`stackConfigDir` of Pulumi.yaml, else the project)."""
    config_dir = project_stack_config_dir(project_dir)
    return (project_dir / config_dir) if config_dir else project_dir


def parse_tenant_stack(
    namespace: Mapping[str, Any],
    source: str,
    *,
    stacks: Path,
    aws_region: str | None = None,
    stack: str | None = None,
) -> TenantStackConfig:
    """Validate a tenant stack's `crossdock:*` values against its environment stack file in `stacks`."""
    extra = [key for key in namespace if key != TENANT_KEY]
    if extra:
        raise StackConfigError(
            f"{source}: {NAMESPACE}:{extra[0]}: a silo tenant stack declares only {NAMESPACE}:{TENANT_KEY}; "
            "environment settings (tier, region, data classes, DR, KPIs) are inherited from the environment stack"
        )
    raw = namespace[TENANT_KEY]
    secret = find_secret(raw, TENANT_KEY)
    if secret is not None:
        raise StackConfigError(f"{source}: {NAMESPACE}:{secret}: {SECRET_MESSAGE}")
    spec = validate_model(TenantStackSpec, raw, source, loc=(TENANT_KEY,))

    environment_file = stacks / f"Pulumi.{spec.environment_stack}.yaml"
    if not environment_file.is_file():
        raise StackConfigError(
            f"{source}: {NAMESPACE}:{TENANT_KEY}.environmentStack: no stack file {_label(environment_file, source)} "
            f"for environment stack {spec.environment_stack!r}"
        )
    environment = load_stack_file(environment_file)
    env_label = _label(environment_file, source)
    name = tenant_stack_name(spec.environment_stack, spec.id)

    def fail(key: str, message: str) -> StackConfigError:
        return StackConfigError(f"{source}: {key}: {message}")

    tenant = next((t for t in environment.tenants if t.id == spec.id), None)
    if tenant is None:
        raise fail(
            f"{NAMESPACE}:{TENANT_KEY}.id",
            f"tenant {spec.id!r} is not registered in {env_label} {NAMESPACE}:tenants; register it there first "
            f"(crossdock new tenant {spec.id} --env {spec.environment_stack} --isolation silo)",
        )
    if tenant.isolation is not Isolation.SILO:
        raise fail(
            f"{NAMESPACE}:{TENANT_KEY}.id",
            f"tenant {spec.id!r} is registered in {env_label} as isolation: {tenant.isolation.value}; only silo "
            "tenants have a stack of their own",
        )
    if stack is not None and stack != name:
        raise fail(
            f"{NAMESPACE}:{TENANT_KEY}.id",
            f"the stack of silo tenant {spec.id!r} of {spec.environment_stack!r} must be named {name!r}, not {stack!r}",
        )
    if aws_region is not None and aws_region != environment.environment.region:
        raise fail(
            "aws:region",
            f"is {aws_region} but environment stack {spec.environment_stack!r} runs in "
            f"{environment.environment.region}; a silo tenant lives in its environment's region",
        )

    problems = list(check_namespace(spec.namespace))
    problems += _dr_vpc_problems(spec, environment)
    silo = derive_silo_config(environment, tenant, spec, name)
    for key, message in check_stack(silo):
        if key.startswith("databases"):
            problems.append((f"{TENANT_KEY}.{key}", message))
        else:  # derived names (queues of the tenant's flows) are fixed by the tenant id
            problems.append((f"{TENANT_KEY}.id", f"{message} (in the silo built for {name!r})"))
    if problems:
        key, message = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise fail(f"{NAMESPACE}:{key}", f"{message}{more}")
    return TenantStackConfig(
        stack=name,
        spec=spec,
        environment_stack=spec.environment_stack,
        environment=environment,
        tenant=tenant,
        silo=silo,
    )


def _dr_vpc_problems(spec: TenantStackSpec, environment: StackConfig) -> list[tuple[str, str]]:
    """The tenant's DR VPC: present when a Global Database secondary needs it, large enough, not overlapping."""
    key = f"{TENANT_KEY}.drVpcCidr"
    cidr = spec.dr_vpc_cidr
    if cidr is None:
        if environment.dr is not None and needs_dr_vpc(environment, spec.databases):
            return [
                (
                    key,
                    f"environment {environment.environment.name!r} replicates these data classes continuously to "
                    f"{environment.dr.region} (Aurora Global Database), so the tenant needs its own DR VPC there: "
                    "set drVpcCidr to a free block (crossdock new tenant picks one)",
                )
            ]
        return []
    try:
        plan_subnets(cidr, DR_MAX_ZONES)
    except ValueError as error:
        return [(key, str(error))]
    for label, network in environment_networks(environment):
        if cidr.overlaps(network):
            return [(key, f"{cidr} overlaps the environment's {label} ({network})")]
    return []


def load_tenant_stack_file(path: Path) -> TenantStackConfig:
    """Read a `Pulumi.<env>-tenant-<id>.yaml` file directly (templates, CLI, tests)."""
    namespace, config = read_stack_namespace(path)
    stack = path.name[len("Pulumi.") : -len(".yaml")] if path.name.startswith("Pulumi.") else None
    return parse_tenant_stack(
        namespace, str(path), stacks=path.parent, aws_region=config.get("aws:region"), stack=stack
    )


def tenant_stack_from_pulumi_config(source: str, project_dir: Path, stack: str) -> TenantStackConfig | None:
    """The tenant stack config when the running stack declares `crossdock:tenant`, else None."""
    from pulumi.runtime import config as runtime_config

    values: dict[str, Any] = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    prefix = f"{NAMESPACE}:"
    namespace = {key[len(prefix) :]: _decode(value) for key, value in values.items() if key.startswith(prefix)}
    if not is_tenant_namespace(namespace):
        return None
    return parse_tenant_stack(
        namespace, source, stacks=stacks_dir(project_dir), aws_region=values.get("aws:region"), stack=stack
    )


def _label(path: Path, source: str) -> str:
    """The environment file named the way the tenant file is (relative when the source is)."""
    source_path = Path(source)
    if not source_path.is_absolute():
        return str(source_path.parent / path.name)
    return str(path)


__all__ = [
    "is_tenant_namespace",
    "load_tenant_stack_file",
    "parse_tenant_stack",
    "stacks_dir",
    "tenant_stack_from_pulumi_config",
]
