"""Round 36 brief R (robustness variants of the round's collect-then-fix cases): each widened mechanism shown firing
on a variant of tests/scenarios/rob29R and staying silent on a near miss that lacks its deciding fact.

- the browser's CORS block of a Storage call in Firefox's and Chrome's other wordings;
- AADSTS90102 with the base-URL setting shown as a JSON name/value pair (az containerapp show ... env);
- SqlClient's ActiveDirectoryManagedIdentity (no spaces) with the identity's principal id in User Id;
- a Cosmos DB point read with PartitionKey.NONE (Java) on a container "partitioned on /x";
- a Django project whose manage.py is listed under a folder of an indented listing, outranking the build's
  "Not running pip install";
- no startup command and an ASGI/WSGI object under another name (api = FastAPI()) in another module."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, run_engine

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "rob29R"
CASES = {s["id"]: s for s in load_scenarios(FOLDER)}


def _text(prefix: str) -> str:
    case = copy.deepcopy(next(s for i, s in CASES.items() if i.startswith(prefix)))
    return str(case["request"]["error_description"])


def _report(text: str) -> dict[str, Any]:
    return run_engine({"error_description": text}).envelope().get("report") or {}


# --- Storage CORS in the browsers' other wordings ------------------------------------------------------------------

CORS = "rob29r-blob-react-put-sas-firefox-cors"


def test_firefox_cors_block_of_a_blob_call_is_the_missing_cors_rule() -> None:
    assert best_entry_id(_text(CORS)) == "storage-browser-preflight-blocked-no-cors-rule"
    report = _report(_text(CORS))
    assert report["category"] == "config.missing_app_setting" and "CORS" in report["root_cause"]


def test_chrome_blocked_by_cors_policy_on_a_blob_url_is_the_missing_cors_rule() -> None:
    text = ("Access to fetch at 'https://stmedia01.blob.core.windows.net/uploads/a.png?sv=2022-11-02&sig=x' "
            "from origin 'https://app.example.org' has been blocked by CORS policy.")
    assert best_entry_id(text) == "storage-browser-preflight-blocked-no-cors-rule"


def test_a_cors_block_of_a_non_storage_api_is_not_the_storage_entry() -> None:
    text = _text(CORS).replace("streportsexp01.blob.core.windows.net", "api.reports.example-corp.net")
    assert text != _text(CORS)
    assert best_entry_id(text) != "storage-browser-preflight-blocked-no-cors-rule"


# --- AADSTS90102 with the setting as a JSON name/value pair ----------------------------------------------------------

APPURL = "rob29r-freescout-app-url-without-https"


def test_base_url_setting_in_a_json_env_listing_without_scheme_decides() -> None:
    report = _report(_text(APPURL))
    assert report["category"] == "config.invalid_connection_string" and "APP_URL" in report["root_cause"]


def test_the_same_listing_with_https_is_not_the_missing_scheme() -> None:
    text = _text(APPURL).replace('"value": "support.northwind-example.org"', '"value": "https://support.northwind-example.org"')
    assert text != _text(APPURL)
    assert "APP_URL" not in (_report(text).get("root_cause") or "")


# --- SqlClient managed identity with the principal id in User Id -----------------------------------------------------

SQLMI = "rob29r-sqlclient-function-mi-connection-string"


def test_activedirectorymanagedidentity_with_the_principal_id_decides() -> None:
    report = _report(_text(SQLMI))
    assert report["category"] == "config.invalid_connection_string"
    assert "e3b1c9a7-4d2f-4a8e-b6c0-9f1d3e5a7c2b" in report["root_cause"]


def test_user_id_holding_the_client_id_is_not_called_the_principal_id() -> None:
    text = _text(SQLMI).replace("User Id=e3b1c9a7-4d2f-4a8e-b6c0-9f1d3e5a7c2b",
                                "User Id=58c2e0a4-7f1b-4d39-a6e8-2b4c6d8f0a13")
    assert text != _text(SQLMI)
    assert "principal (object) ID" not in (_report(text).get("root_cause") or "")


# --- Cosmos DB point read with PartitionKey.NONE ---------------------------------------------------------------------

PKNONE = "rob29r-cosmos-java-readitem-partitionkey-none"


def test_java_readitem_with_partitionkey_none_on_a_partitioned_container_is_the_code() -> None:
    report = _report(_text(PKNONE))
    assert report["category"] == "runtime.code_defect" and "PartitionKey.None" in report["root_cause"]


def test_a_read_with_the_items_partition_key_value_is_not_the_none_key() -> None:
    text = _text(PKNONE).replace("PartitionKey.NONE", 'new PartitionKey("emea")')
    assert text != _text(PKNONE)
    assert "PartitionKey.None" not in (_report(text).get("root_cause") or "")


# --- Django project listed in a subfolder ---------------------------------------------------------------------------

DJANGO = "rob29r-app-service-flask-app-in-src-subfolder"


def test_manage_py_indented_under_a_folder_is_the_subfolder_project() -> None:
    report = _report(_text(DJANGO))
    assert report["category"] == "config.wrong_resource_name" and "manage.py" in report["root_cause"]


def test_manage_py_at_the_root_of_the_listing_is_not_the_subfolder_project() -> None:
    text = _text(DJANGO).replace("  src/\n    manage.py\n", "  manage.py\n  src/\n")
    assert text != _text(DJANGO)
    assert "  manage.py\n  src/\n" in text
    assert (_report(text).get("category")) != "config.wrong_resource_name"


# --- no startup command, application object under another name -------------------------------------------------------

STARTUP = "rob29r-app-service-fastapi-server-py"


def test_asgi_object_named_api_in_server_py_gets_its_startup_command() -> None:
    report = _report(_text(STARTUP))
    assert report["category"] == "config.missing_app_setting"
    assert any("server:api" in a for a in report["actions"])


def test_a_plain_assignment_that_is_no_app_object_stays_silent() -> None:
    text = _text(STARTUP).replace("`api = FastAPI()`", "`api = 3`")
    assert text != _text(STARTUP)
    assert "server:api" not in " ".join(_report(text).get("actions") or [])
