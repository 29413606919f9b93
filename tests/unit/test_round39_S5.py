"""Round 39 S5 (earlier read cases answered in the wrong category): each mechanism with a near miss that stays silent.

- a public Azure host unresolved on a machine whose resolver works for other names names no resource (wrong name);
  a BizTalk (v1) hybrid connection string, an internal ASE's appserviceenvironment.net name, a regional Cognitive
  Services endpoint against a host built from the resource's name;
- a Key Vault reference shown cut with "..." is not an unclosed reference; "identity": null is an app without one;
- the container-SAS-URL upload clue yields to a 403 whose own code names another refusal;
- another provider's managed database or registry speaking an engine or protocol the catalog knows from Azure;
- a partitioned Premium Service Bus namespace keeps the 1 MB message limit;
- ACR's "operation is disallowed" for every repository (locks off) is the storage limit, a single tag is a lock;
- azd's subscription deployment without AZURE_LOCATION; a TCP ingress without exposedPort;
- deleting a VNet-integrated app refused by a lock on its network (asked, decided by the lock listing);
- kubectl Unauthorized on an Entra ID cluster from a machine with nothing but kubectl;
- the Static Web Apps token refusal right after the generated workflow file was renamed."""

from __future__ import annotations

from typing import Any

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _final(text: str, rules: list[dict[str, Any]] | None = None) -> tuple[str, dict[str, Any], int]:
    outcome = run_engine({"error_description": text}, rules)
    env = outcome.envelope()
    return env["status"], env.get("report") or {}, len(outcome.requests)


# ---- name resolution --------------------------------------------------------------------------------------------

KV_TYPO = ("Python script on my workstation:\nazure.core.exceptions.ServiceRequestError: Failed to resolve "
           "'kv-payroll-exprt.vault.azure.net' ([Errno 11001] getaddrinfo failed)\n{tail}")


def test_public_name_unresolved_where_other_names_resolve_is_a_wrong_name() -> None:
    status, report, _ = _final(KV_TYPO.format(tail="Everything else on this machine resolves, the portal too."))
    assert status == "done" and report["category"] == "config.wrong_resource_name"
    assert "exist" in report["root_cause"] and "kv-payroll-exprt.vault.azure.net" in report["root_cause"]


def test_public_name_unresolved_without_the_resolver_stated_working_stays_dns() -> None:
    _, report, _ = _final(KV_TYPO.format(tail="The script runs from our build agent."))
    assert report.get("category") != "config.wrong_resource_name"


def test_public_name_unresolved_with_a_private_endpoint_stays_private_dns() -> None:
    _, report, _ = _final(KV_TYPO.format(
        tail="Other sites resolve fine. The vault has a private endpoint in our hub VNet."))
    assert report.get("category") == "network.private_endpoint_dns"


def test_biztalk_hybrid_connection_string_is_the_wrong_product() -> None:
    status, report, _ = _final(
        "Listener fails.\nEndpoint=hc://acme-hc.hybrid.biztalk.windows.net/bridge;SharedAccessKeyName=l;"
        "SharedAccessKey=x\nSystem.Net.Sockets.SocketException (11001): No such host is known. "
        "(acme-hc.hybrid.biztalk.windows.net:443)")
    assert status == "done" and report["category"] == "config.invalid_connection_string"
    assert "Relay namespace" in report["root_cause"]


def test_relay_namespace_host_unresolved_is_not_biztalk() -> None:
    _, report, _ = _final(
        "Endpoint=sb://acme-relay.servicebus.windows.net/;SharedAccessKeyName=l;SharedAccessKey=x\n"
        "getaddrinfo ENOTFOUND acme-relay.servicebus.windows.net")
    assert "biztalk" not in report.get("root_cause", "").lower()


def test_internal_ase_name_unresolved_is_its_missing_zone() -> None:
    _, report, _ = _final("Self-hosted agent: Error: getaddrinfo ENOTFOUND "
                          "api.scm.ase-int-01.appserviceenvironment.net")
    assert report["category"] == "network.private_endpoint_dns" and "appserviceenvironment.net" in report["root_cause"]


def test_host_built_from_name_while_resource_shows_regional_endpoint() -> None:
    text = ("Error: getaddrinfo ENOTFOUND contoso-gpt-9.openai.azure.com\nWe build https://${NAME}.openai.azure.com.\n"
            "Keys and Endpoint blade:\n  Endpoint: https://westus.api.cognitive.microsoft.com/")
    _, report, _ = _final(text)
    assert report["category"] == "config.invalid_connection_string"
    assert "westus.api.cognitive.microsoft.com" in report["root_cause"]


def test_openai_host_unresolved_without_a_regional_endpoint_shown_stays_dns() -> None:
    _, report, _ = _final("Error: getaddrinfo ENOTFOUND contoso-gpt-9.openai.azure.com")
    assert report["category"] == "network.dns_resolution"


# ---- Key Vault references -----------------------------------------------------------------------------------------

def test_reference_cut_with_an_ellipsis_is_not_unclosed() -> None:
    assert best_entry_id("the value is literally '@Microsoft.KeyVault(SecretUri=https://kv-a...' not the secret") \
        != "appservice-keyvault-reference-unclosed-syntax"
    assert best_entry_id("DB = @Microsoft.KeyVault(SecretUri=https://kv-a.vault.azure.net/secrets/db/ \n") \
        == "appservice-keyvault-reference-unclosed-syntax"


def test_identity_null_answer_decides_an_app_without_identity() -> None:
    text = ("App setting Pwd = @Microsoft.KeyVault(SecretUri=https://kv-b.vault.azure.net/secrets/pwd/)\n"
            "Login failed for user 'app'. The app reads it literally as "
            "\"@Microsoft.KeyVault(SecretUri=https://kv-b...\"")
    answer = '{ "identity": null, "keyVaultReferenceIdentity": "SystemAssigned" }'
    rules = [{"when_asked_contains": "", "answer": answer}]
    _, report, _ = _final(text, rules)
    assert report["category"] == "auth.managed_identity_missing"
    near = [{"when_asked_contains": "", "answer": '{ "identity": { "type": "SystemAssigned" } }'}]
    _, other, _ = _final(text, near)
    assert other.get("category") != "auth.managed_identity_missing"


# ---- SAS container URL upload ------------------------------------------------------------------------------------

SAS_PUT = ("curl -X PUT -T report.csv 'https://stfin01.blob.core.windows.net/monthly?sv=2022-11-02&sp=rw&sig=XX'\n"
           "403 {extra}")


def test_container_sas_upload_yields_to_shared_key_disallowed() -> None:
    _, report, _ = _final(SAS_PUT.format(extra="Key based authentication is not permitted on this storage account.\n"
                                               "x-ms-error-code: KeyBasedAuthenticationNotPermitted"))
    assert report["category"] == "auth.credential_invalid"


def test_container_sas_upload_without_another_code_keeps_the_url_reading() -> None:
    _, report, _ = _final(SAS_PUT.format(extra="Server failed to authenticate the request."))
    assert report["category"] == "config.invalid_connection_string"


# ---- other providers speaking the same engine or protocol ---------------------------------------------------------

def test_digitalocean_managed_postgres_connection_slots_out_of_scope() -> None:
    status, report, _ = _final(
        "Node app on DigitalOcean App Platform, DB_HOST=db-pg-fra1-1-do-user-1-0.b.db.ondigitalocean.com:\n"
        "error: remaining connection slots are reserved for non-replication superuser connections")
    assert status == "fail" and "DigitalOcean" in report["root_cause"]


def test_azure_postgres_connection_slots_stay_in_scope() -> None:
    status, report, _ = _final(
        "App Service app, DB_HOST=pg-shop.postgres.database.azure.com (we left DigitalOcean last year):\n"
        "error: remaining connection slots are reserved for non-replication superuser connections")
    assert report["category"] != "out_of_scope"


def test_alibaba_registry_push_denied_out_of_scope() -> None:
    status, report, _ = _final("docker push registry-intl.ap-southeast-1.aliyuncs.com/acme/api:1\n"
                               "denied: requested access to the resource is denied")
    assert status == "fail" and "Alibaba" in report["root_cause"]
    _, azure, _ = _final("docker push cracme01.azurecr.io/acme/api:1\n"
                         "denied: requested access to the resource is denied")
    assert azure["category"] != "out_of_scope"


# ---- catalog entries ----------------------------------------------------------------------------------------------

SB_SIZE = ("Azure.Messaging.ServiceBus.ServiceBusException: The message (id:1, size:3145728 bytes) is larger than is "
           "currently allowed (1048576 bytes).\n{extra}")


def test_partitioned_premium_namespace_keeps_one_megabyte() -> None:
    assert best_entry_id(SB_SIZE.format(extra="New Premium namespace with partitioning (2 partitions).")) \
        == "messaging-sb-premium-partitioned-no-large-messages"
    assert best_entry_id(SB_SIZE.format(extra="Standard namespace.")) \
        != "messaging-sb-premium-partitioned-no-large-messages"


ACR = "docker push crx01.azurecr.io/{repo}\ndenied: The operation is disallowed on this registry, repository or image."


def test_acr_disallowed_for_every_repository_asks_then_reads_storage() -> None:
    rules = [{"when_asked_contains": "", "answer": 'changeableAttributes { "writeEnabled": true }\naz acr show-usage\n'
                                                    "Size  43980465111040  43980465000000  Bytes"}]
    status, report, asked = _final(ACR.format(repo="any/thing:1") + "\nEvery repository fails, even a new repository.",
                                   rules)
    assert asked == 1 and report["category"] == "quota.exceeded" and "storage" in report["root_cause"]


def test_acr_disallowed_on_one_tag_stays_a_lock() -> None:
    _, report, asked = _final(ACR.format(repo="shop/api:1.0.0") + "\nOverwriting the release tag.")
    assert asked == 0 and report["category"] == "deployment.resource_locked"


def test_azd_subscription_deployment_without_location() -> None:
    text = ("azd provision\nInvalidDeployment: The 'location' property must be specified for 'dev-1781'. Please see "
            "https://aka.ms/arm-deployment-subscription for usage details.")
    assert best_entry_id(text) == "tooling-azd-subscription-deployment-without-azure-location"
    plain = ("az deployment group create -f main.json\nInvalidDeployment: The 'location' property must be specified "
             "for 'main'. Please see https://aka.ms/deploy-to-subscription")
    assert best_entry_id(plain) != "tooling-azd-subscription-deployment-without-azure-location"


def test_tcp_ingress_needs_exposed_port() -> None:
    assert best_entry_id("(ContainerAppTcpIngressPortRequired) The Ingress's TargetPort or ExposedPort must be "
                         "specified for TCP apps.") == "containers-aca-tcp-ingress-exposed-port-required"


# ---- deleting a VNet-integrated app -------------------------------------------------------------------------------

DELETE = ("az functionapp delete -g rg-x -n func-x\n(InternalServerError) An error has occurred.\n"
          "Failed to delete app 'func-x'. It has VNet integration into vnet-shared.")


def test_vnet_integrated_app_delete_asks_for_locks_and_decides_on_one() -> None:
    lock = [{"when_asked_contains": "lock", "answer": "az lock list -g rg-net\nvnet-lock  CanNotDelete  shared vnet"}]
    _, report, asked = _final(DELETE, lock)
    assert asked == 1 and report["category"] == "deployment.resource_locked"


def test_vnet_integrated_app_delete_without_a_lock_is_not_decided_as_one() -> None:
    none = [{"when_asked_contains": "lock", "answer": "az lock list -g rg-net returns nothing: there are no locks."}]
    _, report, _ = _final(DELETE, none)
    assert report.get("category") != "deployment.resource_locked" or report.get("confidence") == "low"


# ---- kubelogin, Static Web Apps workflow ---------------------------------------------------------------------------

KUBE = ("AKS cluster with Microsoft Entra ID integration. az aks get-credentials, then kubectl get pods:\n"
        "error: You must be logged in to the server (Unauthorized)\n{extra}")


def test_entra_cluster_without_kubelogin_is_a_missing_dependency() -> None:
    assert best_entry_id(KUBE.format(extra="Fresh box, only kubectl installed.")) \
        == "containers-aks-entra-cluster-unauthorized-kubelogin-absent"
    assert best_entry_id(KUBE.format(extra="The cluster was re-created yesterday.")) \
        == "containers-aks-kubectl-unauthorized"


SWA = ("The content server has rejected the request with: BadRequest\nReason: No matching Static Web App was found or "
       "the api key was invalid.\n{extra}")


def test_swa_refusal_after_generated_workflow_renamed() -> None:
    assert best_entry_id(SWA.format(extra="We renamed azure-static-web-apps-calm-sea-0a1b2c3d4.yml to deploy.yml.")) \
        == "appservice-swa-deploy-rejected-workflow-file-renamed"
    assert best_entry_id(SWA.format(extra="We reset the deployment token yesterday.")) \
        == "appservice-swa-deployment-token-invalid"
