"""Round 27 (R): another platform's own error words decide against generic Azure-looking words on the same line
(AWS SQS's "The specified queue does not exist."), and Google Cloud Storage / Cloudflare wrangler wordings that
reports about migrations or neighbouring Azure services still paste."""

from __future__ import annotations

from typing import Any

from shared.engines.catalog_hits import decisive
from shared.models import StartRequest
from shared.session.material import material_from_start
from shared.session.state import SessionState


def _state(text: str, technologies: list[str] | None = None) -> SessionState:
    start: dict[str, Any] = {"error_description": text}
    if technologies:
        start["context"] = {"environment_info": {"technologies": technologies}}
    request = StartRequest.model_validate(start)
    return SessionState(trace_id="0" * 32, options=request.options, ttl_seconds=3600, azure_access=False,
                        material=material_from_start(request))


SQS = ("Our worker fails at startup:\n\nbotocore.errorfactory.QueueDoesNotExist: An error occurred "
       "(AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation: The specified queue does "
       "not exist.\n\nWe also have a Service Bus version of this worker on Azure, which is fine.")


def test_an_aws_sqs_error_line_is_aws_even_when_the_report_names_azure() -> None:
    found = decisive(_state(SQS))
    assert found is not None and found.entry.id == "other-clouds-aws-sqs-queue-does-not-exist"
    assert "region" in found.entry.meaning


def test_the_azure_storage_queue_message_alone_stays_azure() -> None:
    text = ("Azure.RequestFailedException: The specified queue does not exist.\nStatus: 404\nErrorCode: QueueNotFound"
            "\n(our function app on Azure writes to the storage account)")
    found = decisive(_state(text))
    assert found is not None and found.entry.category != "out_of_scope"


def test_the_azure_queue_line_beside_an_unrelated_aws_line_stays_azure() -> None:
    text = ("Azure.RequestFailedException: The specified queue does not exist. ErrorCode: QueueNotFound\n"
            "later, in another job: An error occurred (AccessDenied) when calling the GetObject operation")
    found = decisive(_state(text + "\nThe function app runs in Azure."))
    assert found is not None and found.entry.category != "out_of_scope"


def test_google_cloud_storage_permission_wording_is_google_in_a_migration_report() -> None:
    text = ("google.api_core.exceptions.Forbidden: 403 GET https://storage.googleapis.com/download/storage/v1/b/m/o/x: "
            "run@proj.iam.gserviceaccount.com does not have storage.objects.get access to the Google Cloud Storage "
            "object. Permission 'storage.objects.get' denied on resource (or it may not exist).\n"
            "We are migrating from Azure App Service + Blob Storage.")
    found = decisive(_state(text))
    assert found is not None and found.entry.category == "out_of_scope"


def test_wrangler_commands_are_cloudflare_even_with_azure_front_door_named() -> None:
    text = ("$ wrangler init --from-dash edge\n$ npm start\n> wrangler dev\n[ERROR] The entry-point file at "
            "\"src/index.ts\" was not found.\nThe worker sits in front of our Azure Front Door origin.")
    found = decisive(_state(text, ["cloudflare-workers"]))
    assert found is not None and found.entry.category == "out_of_scope"


CLI_TOKENS = "* provider.azurerm: No valid (unexpired) Azure CLI Auth Tokens found. Please run `az login`."


def test_terraform_cli_tokens_after_a_service_principal_login_want_the_arm_variables() -> None:
    text = f"az login --service-principal -u $ID -p $SECRET --tenant $T\nterraform plan\n{CLI_TOKENS}"
    found = decisive(_state(text))
    assert found is not None and found.entry.id == "tooling-tf-cli-tokens-not-found-service-principal-login"
    assert found.entry.category == "config.missing_app_setting"


def test_terraform_cli_tokens_on_a_developer_login_is_not_the_service_principal_reading() -> None:
    found = decisive(_state(f"On my laptop, after az login as myself, terraform plan says:\n{CLI_TOKENS}"))
    assert found is None or found.entry.id != "tooling-tf-cli-tokens-not-found-service-principal-login"
