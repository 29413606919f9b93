"""Round 31 (twenty-fourth session, main): the platform the failing app runs on (a Heroku dyno, a GKE cluster, a
Vercel deployment) is read before the catalog, so a generic runtime error on that platform ends as out of scope;
an Azure service's own error from an app hosted there stays Azure's."""

from __future__ import annotations

from shared.session.state import Conclude, GiveUp
from tests.helpers.engine_loop import run_engine

HEROKU_CRASH = ("2026-11-30T10:01:02 app[web.1]: Failed to find attribute 'server' in 'app'.\n"
                "2026-11-30T10:01:03 heroku[router]: at=error code=H10 desc=\"App crashed\" method=GET path=\"/\" "
                "host=dash-sales.herokuapp.com\nWe also keep the exports in Azure Blob Storage.")
AOAI_FROM_HEROKU = ("Our Flask app on Heroku (dash-sales.herokuapp.com) calls Azure OpenAI and gets\n"
                    "openai.AuthenticationError: Error code: 401 - {'error': {'code': '401', 'message': 'Access denied "
                    "due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an "
                    "active subscription and use a correct regional API endpoint for your resource.'}}")


def test_a_start_up_error_on_a_heroku_dyno_is_herokus() -> None:
    outcome = run_engine({"error_description": HEROKU_CRASH})
    assert isinstance(outcome.final, GiveUp), outcome.final
    assert outcome.final.report.category == "out_of_scope" and "Heroku" in outcome.final.report.root_cause


def test_an_azure_services_refusal_of_an_app_on_heroku_stays_azures() -> None:
    outcome = run_engine({"error_description": AOAI_FROM_HEROKU})
    assert isinstance(outcome.final, Conclude), outcome.final
    assert outcome.final.report.category == "auth.credential_invalid"


def test_the_gke_auth_plugin_is_google_clouds_even_beside_aks() -> None:
    text = ("kubectl get pods\nerror: gke-gcloud-auth-plugin, which is needed for continued use of kubectl, was not "
            "found or is not executable.\n(our other clusters run on AKS)")
    outcome = run_engine({"error_description": text})
    assert isinstance(outcome.final, GiveUp) and "Google Cloud" in outcome.final.report.root_cause



ESCAPED_ARM = ("Status: Failed. Code: AuthorizationFailed. Message: The client "
               "\\u0027ci-deployer@contoso.example\\u0027 with object id \\u00274f0c1b2e-7d3a-5b8e-9c61-2a7e5d4b3c10"
               "\\u0027 does not have authorization to perform action \\u0027Microsoft.Storage/storageAccounts/"
               "listKeys/action\\u0027 over scope \\u0027/subscriptions/5d2b7a9e-3c41-5f6d-8e0a-1b9c7d4e2f36/"
               "resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata\\u0027 or the scope is "
               "invalid.")


def test_an_arm_message_with_escaped_apostrophes_reads_like_the_printed_one() -> None:
    outcome = run_engine({"error_description": ESCAPED_ARM})
    assert isinstance(outcome.final, Conclude), outcome.final
    assert outcome.final.report.category == "auth.rbac_missing"
    assert "listKeys" in outcome.final.report.root_cause and "\\u0027" not in outcome.final.report.root_cause


def test_a_windows_path_keeps_its_backslashes() -> None:
    from shared.session.readable import readable_paste
    assert readable_paste(r"C:\users\u00ff\new\func.exe failed") == r"C:\users\u00ff\new\func.exe failed"
    assert readable_paste(r"scope \u0027/subscriptions/x\u0027") == "scope '/subscriptions/x'"


TERRAFORM_BOX = ("╷\n│ Error: creating Storage Account (Subscription: \"5d2b7a9e-3c41-5f6d-8e0a-1b9c7d4e2f36\"\n"
                 "│ Resource Group Name: \"rg-data\"\n│ Storage Account Name: \"stdata\"): performing Create:\n"
                 "│ unexpected status 409 (409 Conflict) with error: StorageAccountAlreadyTaken: The\n"
                 "│ storage account named stdata is already taken.\n│\n│   with azurerm_storage_account.data,\n"
                 "│   on main.tf line 12, in resource \"azurerm_storage_account\" \"data\":\n"
                 "│   12: resource \"azurerm_storage_account\" \"data\" {\n│\n╵")


def test_terraforms_box_gutter_is_layout_not_text() -> None:
    from shared.session.readable import readable_paste
    plain = readable_paste(TERRAFORM_BOX)
    assert "│" not in plain and "╷" not in plain and "named stdata is already taken" in " ".join(plain.split())
    assert readable_paste("| col | value |\n│ kept in a table row │") == "| col | value |\nkept in a table row │"


def test_a_terraform_diagnostic_in_its_box_is_read_like_the_bare_message() -> None:
    boxed = run_engine({"error_description": TERRAFORM_BOX})
    bare = run_engine({"error_description": TERRAFORM_BOX.replace("│ ", "").replace("│", "").strip("╷╵\n")})
    assert isinstance(boxed.final, Conclude) and isinstance(bare.final, Conclude), boxed.final
    assert boxed.final.report.category == bare.final.report.category == "deployment.name_conflict"


def test_an_oauth_error_in_a_redirect_url_is_read_decoded() -> None:
    url = ("https://localhost:5001/signin-oidc#error=invalid_client&error_description=AADSTS7000215%3a+Invalid+"
           "client+secret+provided.+Ensure+the+secret+being+sent+in+the+request+is+the+client+secret+value%2c+not+"
           "the+client+secret+ID.%0d%0aTrace+ID%3a+0b7c1e2d&state=12345")
    from shared.session.readable import readable_paste
    assert "AADSTS7000215: Invalid client secret provided." in readable_paste(url)
    assert readable_paste("https://x.example/search?q=a%3Ab+c") == "https://x.example/search?q=a%3Ab+c"
    outcome = run_engine({"error_description": "After sign-in the browser lands on\n" + url})
    assert isinstance(outcome.final, Conclude), outcome.final
    assert outcome.final.report.category == "auth.credential_invalid"
    assert "secret" in outcome.final.report.root_cause.lower()


SOCKET = ('psycopg2.OperationalError: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
          "No such file or directory\n\tIs the server running locally and accepting connections on that socket?")


def test_a_postgres_unix_socket_is_a_server_on_the_same_machine() -> None:
    outcome = run_engine({"error_description": "python manage.py migrate on my laptop before deploying:\n" + SOCKET})
    assert isinstance(outcome.final, GiveUp) and outcome.final.report.category == "out_of_scope", outcome.final
    assert "Unix socket" in outcome.final.report.root_cause


def test_the_same_socket_error_in_app_services_log_stream_is_not_called_local() -> None:
    text = ("App Service log stream, /home/site/wwwroot/manage.py runs at startup:\n" + SOCKET)
    outcome = run_engine({"error_description": text})
    assert not (isinstance(outcome.final, GiveUp) and "Unix socket" in outcome.final.report.root_cause)


def _top_entry(text: str) -> str:
    from shared.catalog.index import catalog_index
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else ""


def test_a_whisper_file_over_25_mb_is_the_audio_size_limit() -> None:
    text = ("openai.BadRequestError: Error code: 400 - {'error': {'code': 'InvalidPayload', 'message': 'Maximum "
            "content size limit (26214400) exceeded (58213966 bytes read)'}}")
    assert _top_entry(text) == "openai-audio-file-size-limit"
    assert _top_entry("The request body exceeded the maximum content size of the gateway.") != \
        "openai-audio-file-size-limit"


def test_a_failed_apim_policy_expression_names_the_header_it_read() -> None:
    text = ('{"message": "Expression evaluation failed.", "expression": "context.Request.Headers.GetValueOrDefault('
            '\\"X-Tenant\\").Split(\'-\')[1]", "details": "Object reference not set to an instance of an object."}')
    outcome = run_engine({"error_description": "APIM answers 500 for some calls; the trace shows\n" + text})
    assert isinstance(outcome.final, Conclude) and outcome.final.report.category == "runtime.code_defect"
    assert "X-Tenant" in outcome.final.report.root_cause


MOUNT_13 = ("Security rotated both keys on our storage account stmedia on Friday. New pods sit in ContainerCreating:\n"
            "MountVolume.SetUp failed for volume \"media\" : mount failed: exit status 32\nMounting arguments: -t cifs "
            "//stmedia.file.core.windows.net/media /var/lib/kubelet/pods/x\n"
            "Output: mount error(13): Permission denied\n")


def test_a_clue_of_a_family_the_client_rules_out_does_not_count() -> None:
    outcome = run_engine({"error_description": MOUNT_13 + "Storage firewall is open to all networks."})
    assert isinstance(outcome.final, Conclude), outcome.final
    assert outcome.final.report.category == "auth.credential_invalid"
    assert "regenerated" in outcome.final.report.root_cause


def test_the_firewall_clue_stays_when_the_client_says_selected_networks() -> None:
    text = MOUNT_13.replace("Security rotated both keys", "We changed nothing") + \
        "The storage firewall allows selected networks only."
    outcome = run_engine({"error_description": text})
    assert isinstance(outcome.final, Conclude) and outcome.final.report.category == "network.storage_firewall"


def test_a_test_switch_to_all_networks_is_not_the_accounts_setting() -> None:
    text = MOUNT_13.replace("Security rotated both keys", "We changed nothing") + \
        "The storage firewall allows selected networks; if I switch it to \"Enabled from all networks\" the mount " \
        "works."
    outcome = run_engine({"error_description": text})
    assert isinstance(outcome.final, Conclude) and outcome.final.report.category == "network.storage_firewall"


def test_a_rule_that_lists_its_sources_covers_only_them() -> None:
    from shared.engines.nsg_rules import address_prefixes
    listed = {"sourceAddressPrefixes": ["10.9.0.0/24", "10.9.1.0/24"], "destinationAddressPrefix": "*"}
    assert address_prefixes(listed, "source") == ["10.9.0.0/24", "10.9.1.0/24"]  # not "*" beside them
    assert address_prefixes(listed, "destination") == ["*"]
    assert address_prefixes({}, "source") == []
