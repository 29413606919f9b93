"""The text tools the analyzers run: parsing only, never guessing."""

from __future__ import annotations

from shared.session.state import Material
from shared.tools.catalog import run_tool


def _material(error: str = "", answers: list[str] | None = None, files: list[dict] | None = None) -> Material:
    excerpts = [{"path": f["path"], "relevance": "config", "content": f["content"], "size_bytes": 1}
                for f in files or []]
    return Material.model_validate({"error_description": error, "answers": answers or [], "files": excerpts})


def test_error_codes_keep_their_order_and_skip_parenthesised_words() -> None:
    error = ('{"code":"DeploymentFailed","details":[{"code":"Conflict","message":"{\\"error\\":{\\"code\\":'
             '\\"StorageAccountAlreadyTaken\\"}}"}]} (Minimum) New Limit')
    evidence = run_tool("list_error_codes", {}, _material(error))
    assert [c["code"] for c in evidence.data["codes"]] == ["DeploymentFailed", "Conflict", "StorageAccountAlreadyTaken"]


def test_the_dns_servers_address_is_not_taken_for_the_hosts() -> None:
    answer = ("Server:\t\t168.63.129.16\nAddress:\t168.63.129.16#53\n\nNon-authoritative answer:\n"
              "st01.blob.core.windows.net\tcanonical name = st01.privatelink.blob.core.windows.net.\n"
              "Name:\tst01.privatelink.blob.core.windows.net\nAddress: 10.1.2.4\n")
    evidence = run_tool("get_dns_answer", {"host": "st01.blob.core.windows.net"}, _material(answers=[answer]))
    assert evidence.data["addresses"] == ["10.1.2.4"]
    assert evidence.data["private"] and evidence.data["privatelink"]


_TWO_LOOKUPS = ("From the VM in the VNet:\n$ nslookup st01.blob.core.windows.net\nNon-authoritative answer:\n"
                "st01.blob.core.windows.net canonical name = st01.privatelink.blob.core.windows.net.\n"
                "Name: st01.privatelink.blob.core.windows.net\nAddress: 10.42.3.4\n\nFrom home over the VPN:\n"
                "C:\\> nslookup st01.blob.core.windows.net\nServer:  fritz.box\nAddress:  192.168.178.1\n"
                "Non-authoritative answer:\nName:    blob.ams23prdstr05a.store.core.windows.net\n"
                "Address:  20.60.222.36\n\nI can ping 10.42.3.4 over the VPN.")


def test_of_two_lookups_that_disagree_the_public_one_is_the_answer_and_the_resolver_is_skipped() -> None:
    evidence = run_tool("get_dns_answer", {"host": "st01.blob.core.windows.net"}, _material(_TWO_LOOKUPS))
    assert evidence.data["addresses"] == ["20.60.222.36"]
    assert not evidence.data["private"] and evidence.data["elsewhere_private"]


def test_a_value_printed_under_a_query_command_is_read() -> None:
    answer = "$ az keyvault show --name kv1 --query properties.enableRbacAuthorization\nfalse\n"
    evidence = run_tool("read_answer_fields", {"fields": ["enableRbacAuthorization"]}, _material(answers=[answer]))
    assert evidence.data["values"] == {"enableRbacAuthorization": "false"}


def test_deployed_settings_are_read_from_the_json_list_and_local_values_stay_shapes() -> None:
    local = {"path": "local.settings.json",
             "content": '{"Values": {"Store": "UseDevelopmentStorage=true", "Api": "https://x.example"}}'}
    answer = '[{"name": "FUNCTIONS_WORKER_RUNTIME", "value": "python"}, {"name": "Api", "value": "https://y"}]'
    evidence = run_tool("list_app_settings", {}, _material(answers=[answer], files=[local]))
    assert evidence.data["deployed"] == ["FUNCTIONS_WORKER_RUNTIME", "Api"]
    assert evidence.data["local"]["Store"].startswith("UseDevelopmentStorage=true")
    assert "https://x.example" not in evidence.summary


def test_stack_frames_mark_the_apps_code_and_the_failing_line() -> None:
    error = ('Traceback (most recent call last):\n  File "/azure-functions-host/workers/python/3.11/LINUX/X64/'
             'azure_functions_worker/dispatcher.py", line 505, in _handle\n    x = 1\n'
             '  File "/home/site/wwwroot/function_app.py", line 7, in main\n    return totals[0]\nIndexError: list '
             'index out of range')
    evidence = run_tool("get_stack_frames", {}, _material(error))
    assert evidence.data["exception"] == "IndexError"
    assert evidence.data["origin_in_user_code"]
    assert evidence.data["failing_frame"]["code"] == "return totals[0]"


def test_an_identity_answer_lists_user_assigned_client_ids() -> None:
    answer = ('{"type": "SystemAssigned, UserAssigned", "principalId": "p", "userAssignedIdentities": '
              '{"/x/id-a": {"clientId": "c-1", "principalId": "p1"}}}')
    evidence = run_tool("get_identity_from_answers", {}, _material(answers=[answer]))
    assert evidence.data["system_assigned"] and evidence.data["user_assigned_client_ids"] == ["c-1"]


def test_a_traceback_line_that_reads_a_setting_is_not_taken_for_a_deployed_setting() -> None:
    answer = ("Traceback (most recent call last):\n  File \"app.py\", line 198, in create_app\n"
              "    AZURE_OPENAI_CHATGPT_MODEL = os.environ[\"AZURE_OPENAI_CHATGPT_MODEL\"]\n"
              "KeyError: 'AZURE_OPENAI_CHATGPT_MODEL'\n\nConfiguration > Application settings: AZURE_STORAGE_ACCOUNT, "
              "AZURE_OPENAI_CHATGPT_DEPLOYMENT, SCM_DO_BUILD_DURING_DEPLOYMENT\n")
    evidence = run_tool("list_app_settings", {}, _material(answers=[answer]))
    assert evidence.data["deployed"] == ["AZURE_STORAGE_ACCOUNT", "AZURE_OPENAI_CHATGPT_DEPLOYMENT",
                                         "SCM_DO_BUILD_DURING_DEPLOYMENT"]


def test_a_tsv_listing_keeps_colon_names() -> None:
    answer = "AzureWebJobsStorage\nConnectionStrings:Default\nFUNCTIONS_WORKER_RUNTIME\n"
    evidence = run_tool("list_app_settings", {}, _material(answers=[answer]))
    assert "ConnectionStrings:Default" in evidence.data["deployed"]


def test_logic_apps_go_and_powershell_setting_reads_are_found() -> None:
    from shared.session.state import FileExcerpt
    from shared.tools.text_tools import setting_references
    contents = {"connections.json": "\"id\": \"/subscriptions/@{appsetting('WORKFLOWS_SUB')}\"",
                "main.go": 'url := os.Getenv("QUEUE_URL")', "run.ps1": "$conn = $env:SQL_CONN"}
    files = [FileExcerpt(path=path, relevance="sent", content=text, size_bytes=len(text))
             for path, text in contents.items()]
    reads, _ = setting_references(files)
    assert {r["name"] for r in reads} == {"WORKFLOWS_SUB", "QUEUE_URL", "SQL_CONN"}
