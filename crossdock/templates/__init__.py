"""Stack templates: `crossdock new region` and `crossdock new tenant` write new, valid stack files.

Templates are YAML files with `${placeholder}`s in `stacks/templates/`; this package
fills them in from an existing stack (its tier, data classes, databases, queues and
KPIs), picks what must be unique (VPC CIDRs, tenant ids) by scanning every stack file
in the stacks directory, validates the result by planning it offline, and never
overwrites an existing stack.
"""
