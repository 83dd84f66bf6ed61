"""The crossdock Pulumi program: load and validate the stack config, build, export.

Runs unchanged under `pulumi up` (the real CLI) and under `crossdock plan|check`
(the offline engine). A config error stops the program with one line naming the
stack file and the key; nothing is registered.
"""

from pathlib import Path

import pulumi

from components.environment import Environment, EnvironmentArgs
from crossdock.config import from_pulumi_config, stack_file_label

config = from_pulumi_config(stack_file_label(Path(__file__).resolve().parent, pulumi.get_stack()))
environment = Environment(config.environment.name, EnvironmentArgs(config=config))

for key, value in environment.outputs.items():
    pulumi.export(key, value)
