"""The crossdock Pulumi program: load and validate the stack config, build, export.

Runs unchanged under `pulumi up` (the real CLI) and under `crossdock plan|check`
(the offline engine). A config error stops the program with one line naming the
stack file and the key; nothing is registered. A stack whose config declares
`crossdock:tenant` is a silo tenant stack (`<env>-tenant-<id>`, docs/tenancy.md): it
builds a TenantSilo wired to its environment stack through a StackReference.
"""

from pathlib import Path

import pulumi

from components.environment import Environment, EnvironmentArgs
from components.tenant_silo import TenantSilo, TenantSiloArgs, environment_reference
from crossdock.config import from_pulumi_config, stack_file_label
from crossdock.config.overlaps import overlap_warnings
from crossdock.config.tenant_stack import stacks_dir, tenant_stack_from_pulumi_config

source = stack_file_label(Path(__file__).resolve().parent, pulumi.get_stack())
# Not resolved: a copy of the project with symlinked program files keeps its own stacks directory.
tenant = tenant_stack_from_pulumi_config(source, Path(__file__).absolute().parent, pulumi.get_stack())
if tenant is not None:
    root = TenantSilo(tenant.name, TenantSiloArgs(config=tenant, environment=environment_reference(tenant)))
else:
    config = from_pulumi_config(source)
    for warning in overlap_warnings(config, stacks_dir(Path(__file__).absolute().parent), pulumi.get_stack()):
        pulumi.log.warn(warning)
    root = Environment(config.environment.name, EnvironmentArgs(config=config))

for key, value in root.outputs.items():
    pulumi.export(key, value)
