"""Round 27 (V): a code the error prints in its code position outranks a code mentioned in the prose around it, and
another cloud's client-library exception path counts as that platform's own error words on Azure-hosted code."""

from __future__ import annotations

from shared.engines.analyzers.code_shape import printed_codes
from tests.helpers.engine_loop import run_engine

SOFT_DELETED = """Nightly rebuild fails:
  + az apim create -n apim-x -g rg-x -l westeurope --sku-name Developer
  ERROR: (ServiceAlreadyExistsInSoftDeletedState) Api service apim-x was soft-deleted.
  Code: ServiceAlreadyExistsInSoftDeletedState
  Message: Api service apim-x was soft-deleted.
`az apim show -n apim-x -g rg-x` says ResourceNotFound and the resource group is brand new."""

GCS = """The worker runs on Azure Container Apps and reads its key file from Key Vault:
google.api_core.exceptions.Forbidden: 403 POST https://storage.googleapis.com/upload/storage/v1/b/b1/o: {
  "error": {"code": 403, "message": "w@p.iam.gserviceaccount.com does not have storage.objects.create access"}}"""


def test_printed_codes_reads_code_positions_only() -> None:
    assert printed_codes("Code: ServiceAlreadyExistsInSoftDeletedState\nsays ResourceNotFound") == {
        "ServiceAlreadyExistsInSoftDeletedState"}
    assert printed_codes("the show command says ResourceNotFound") == set()


def test_printed_code_outranks_code_mentioned_in_prose() -> None:
    envelope = run_engine({"error_description": SOFT_DELETED}).envelope()
    assert envelope["report"]["category"] == "deployment.name_conflict"
    assert any("purge" in action.lower() for action in envelope["report"]["actions"])


def test_printed_resource_not_found_still_decides() -> None:
    # near miss: ResourceNotFound is the printed code itself, nothing else is printed: the family stands
    text = ("ERROR: (ResourceNotFound) The Resource 'Microsoft.ApiManagement/service/apim-x' under resource group"
            " 'rg-x' was not found.\nCode: ResourceNotFound")
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["report"]["category"] == "config.wrong_resource_name"


def test_google_exception_on_azure_hosted_worker_is_out_of_scope() -> None:
    envelope = run_engine({"error_description": GCS}).envelope()
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"


def test_google_address_alone_on_azure_is_not_out_of_scope() -> None:
    # near miss: only the other platform's address, no exception of its own: Azure may be behind it
    text = "Our App Service app on Azure times out calling https://storage.googleapis.com/b1 through our proxy."
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope.get("report") is None or envelope["report"].get("category") != "out_of_scope"

