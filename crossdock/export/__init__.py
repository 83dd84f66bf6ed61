"""Exporters: the planned graph in formats other tools read.

Public API:
    to_terraform_plan(plan) -> TerraformPlanExport   (Terraform plan JSON for checkov's terraform_plan framework)
    to_kubernetes_manifests(plan) -> KubernetesExport (one manifest per Kubernetes resource)
    terraform_type(token) -> str | None              (Pulumi AWS token -> Terraform resource type)
"""

from crossdock.export.kubernetes import KubernetesExport, Manifest, to_kubernetes_manifests
from crossdock.export.tf_types import terraform_type
from crossdock.export.tfplan import TerraformPlanExport, to_terraform_plan

__all__ = [
    "KubernetesExport",
    "Manifest",
    "TerraformPlanExport",
    "terraform_type",
    "to_kubernetes_manifests",
    "to_terraform_plan",
]
