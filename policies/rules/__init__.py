"""Every crossdock rule, in report order: resilience, then security, then tenant isolation."""

from policies.rule import Rule
from policies.rules import (
    encryption,
    exposure,
    least_privilege,
    resilience_data,
    resilience_messaging,
    resilience_network,
    resilience_observability,
    tenant,
)
from policies.rules import resilience_objectives  # declared RPO/RTO vs the graph (docs/resilience-model.md)
from policies.rules import kubernetes, service_identity  # the transaction tier (EKS workloads, IRSA roles)
from policies.rules import tenant_isolation  # silo tenants (docs/tenancy.md)
from policies.rules import incident_response  # runbook roles, replay path, break-glass (docs/runbooks.md)
from policies.rules import operating_model  # owners, business processes, runbooks (docs/operating-model.md)
from policies.rules import encryption_at_rest  # data stores third-party programs bring

RULES: list[Rule] = [
    *resilience_data.RULES,
    *resilience_messaging.RULES,
    *resilience_observability.RULES,
    *resilience_network.RULES,
    *resilience_objectives.RULES,
    *least_privilege.RULES,
    *exposure.RULES,
    *encryption.RULES,
    *encryption_at_rest.RULES,
    *kubernetes.RULES,
    *service_identity.RULES,
    *tenant.RULES,
    *tenant_isolation.RULES,
    *incident_response.RULES,
    *operating_model.RULES,
]

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
assert len(RULES_BY_ID) == len(RULES), "rule ids must be unique"
