"""Every crossdock rule, in report order: resilience, then security, then tenant isolation."""

from policies.rule import Rule
from policies.rules import (  # the transaction tier (EKS workloads, IRSA roles)
    encryption,
    encryption_at_rest,  # data stores third-party programs bring
    exposure,
    incident_response,  # runbook roles, replay path, break-glass (docs/runbooks.md)
    kubernetes,
    least_privilege,
    operating_model,  # owners, business processes, runbooks (docs/operating-model.md)
    resilience_data,
    resilience_messaging,
    resilience_network,
    resilience_objectives,  # declared RPO/RTO vs the graph (docs/resilience-model.md)
    resilience_observability,
    service_identity,
    tenant,
    tenant_isolation,  # silo tenants (docs/tenancy.md)
)

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
