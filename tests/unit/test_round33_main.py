"""Round 33 (the twenty-sixth session's own repairs after the full run): a management role is no data role when a
person reaches blobs with their own sign-in, and a report that names its Azure OpenAI deployment beside another model
name is the deployment-name case even when its base URL is the bare endpoint."""

from __future__ import annotations

from shared.engines.clues import clue_in
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine

OWNER_SIGNED_IN = """Restoring our backup from Blob storage on my laptop fails:
> restic -r azure:backups:/prod restore latest --target .
Fatal: unable to open repository: no such file or directory
I'm Owner on the storage account (inherited from the subscription) and signed in with az login. I didn't put the
account key on the laptop; on the server, which has the key, the same restore works."""

DEPLOYMENT_NAMED = """client = OpenAI(api_key=key, base_url="https://oai-docs.openai.azure.com/")
client.chat.completions.create(model="gpt-4o", messages=msgs)
Error code: 404 - {'error': {'code': '404', 'message': 'Resource not found'}}
The deployment in the resource is called "gpt4o-vision" (model gpt-4o)."""


def test_a_management_role_with_an_entra_sign_in_is_no_data_role() -> None:
    assert concludes(OWNER_SIGNED_IN, "auth.rbac_missing")
    report = run_engine({"error_description": OWNER_SIGNED_IN}).envelope()["report"]
    assert "Storage Blob Data" in report["root_cause"]


def test_the_key_in_use_or_no_management_role_keeps_the_clue_silent() -> None:
    with_key = OWNER_SIGNED_IN.replace("I didn't put the\naccount key on the laptop", "I use the account key")
    assert (clue_in([with_key]) or {}).get("id") != "storage-management-role-without-data-role-signed-in"
    reader = OWNER_SIGNED_IN.replace("I'm Owner on the storage account", "I can see the storage account")
    assert (clue_in([reader]) or {}).get("id") != "storage-management-role-without-data-role-signed-in"


def test_a_named_deployment_beside_another_model_name_is_not_the_base_url_case() -> None:
    assert (clue_in([DEPLOYMENT_NAMED]) or {}).get("id") != "openai-base-url-without-openai-path"
    bare = DEPLOYMENT_NAMED.rsplit("\n", 1)[0]  # no deployment named: the bare base URL is the reading
    assert (clue_in([bare]) or {}).get("id") == "openai-base-url-without-openai-path"


LARGE_BLOB_AS_STRING = """My HTTP-triggered C# function (Consumption plan) reads a blob's text and returns it
as a string in a JSON payload. Small blobs work. For a ~400 MB blob the caller gets:
{"statusCode": 500, "message": "An error has occurred. For more information, please check the logs"}"""


def test_a_large_object_read_whole_while_small_ones_work_is_memory() -> None:
    assert concludes(LARGE_BLOB_AS_STRING, "runtime.out_of_memory")
    small = LARGE_BLOB_AS_STRING.replace("~400 MB", "a 40 KB")  # no large object: no memory reading
    assert (clue_in([small]) or {}).get("id") != "function-reads-large-object-whole-into-memory"
