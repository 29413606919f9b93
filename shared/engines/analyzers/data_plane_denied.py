"""auth.rbac_missing (data plane): the identity reached the service but holds no data role for the operation.

Storage's AuthorizationPermissionMismatch, Service Bus' missing 'Send'/'Listen' claims and Cosmos DB's
"does not have required RBAC permissions" all mean the caller authenticated but lacks a data-plane role;
management roles (Owner, Contributor) do not include data actions. The role per service is data
(knowledge/auth_data_plane_roles.yaml)."""

from __future__ import annotations

from shared.engines.analyzers.common import table_analyzer

TABLE = "auth_data_plane_roles"


analyze = table_analyzer(TABLE)
