"""Round 32 C (this session's development halves, real77): a registry's "unauthorized" for a tag it does not hold while
other tags pull, an e-mail address used as a SQL login (40532 naming a domain), a .NET frame without a file name read
as the Azure SDK's, a container app variable that stores "secretRef:" literally, the flexible server's size and tier
check, and a Redis cache whose memory is full."""

from __future__ import annotations

from shared.engines.clues import clue_in
from shared.session.state import AskClient, Conclude
from shared.tools.text_tools import _classify_frame
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.clue_checks import concludes, final_of

PULL = ('Failed to pull image "crdemo.azurecr.io/app/worker:2.1.0": rpc error: code = Unknown desc = Error response '
        'from daemon: Get https://crdemo.azurecr.io/v2/app/worker/manifests/2.1.0: unauthorized: authentication '
        'required\n')


def _report(text: str) -> tuple[str, str]:
    final = final_of(text)
    assert isinstance(final, Conclude), final
    return final.report.category, final.report.root_cause


def test_unauthorized_while_the_previous_release_still_pulls_names_the_tag() -> None:
    for said in ("The previous release still pulls fine on the same nodes.",
                 "az aks check-acr says the kubelet identity can pull from crdemo.azurecr.io."):
        category, cause = _report("New pods never start.\n" + PULL + said)
        assert category == "container.image_pull_failed"
        assert "never pushed" in cause, said


def test_unauthorized_alone_stays_a_registry_permission() -> None:
    category, cause = _report("New pods never start on the new cluster.\n" + PULL)
    assert category == "container.image_pull_failed"
    assert "AcrPull" in cause and "never pushed" not in cause


SQL_40532 = ('System.Data.SqlClient.SqlException (0x80131904): Cannot open server "{server}" requested by the login. '
             'The login failed.\nError Number:40532,State:1,Class:20\n')


def test_40532_naming_an_e_mail_domain_is_a_portal_account_used_as_sql_login() -> None:
    category, cause = _report('builder.UserID = "ana@outlook.com";\n' + SQL_40532.format(server="outlook.com"))
    assert category == "auth.credential_invalid"
    assert "admin login" in cause


def test_40532_with_a_server_suffix_stays_a_connection_string_mismatch() -> None:
    category, _ = _report("User ID=appuser@sqlold;\n" + SQL_40532.format(server="sqlold"))
    assert category == "config.invalid_connection_string"


def test_a_dotnet_frame_without_a_file_is_the_azure_sdk_s_when_its_namespace_is() -> None:
    sdk = _classify_frame({"file": "", "line": 0, "function": "Azure.Messaging.ServiceBus.ServiceBusClient..ctor"})
    assert sdk["azure_sdk"] and not sdk["user"]
    own = _classify_frame({"file": "", "line": 0, "function": "Orders.Program.Main"})
    assert not own["azure_sdk"] and own["user"]
    other = _classify_frame({"file": "", "line": 0, "function": "System.Text.Json.JsonSerializer.Deserialize"})
    assert not other["azure_sdk"]


SB_FORMAT = ("Unhandled exception. System.FormatException: The connection string used for an Service Bus client must "
             "specify the Service Bus namespace host and either a Shared Access Key (both the name and value) OR a "
             "Shared Access Signature to be valid. (Parameter 'connectionString')\n"
             "   at Azure.Messaging.ServiceBus.ServiceBusConnectionStringProperties.Validate(String a, String b)\n"
             "   at Azure.Messaging.ServiceBus.ServiceBusClient..ctor(String connectionString)\n"
             "   at Worker.Program.Main(String[] args) in /src/Program.cs:line 21\n")


def test_a_container_app_variable_holding_secretref_text_is_a_literal_connection_string() -> None:
    cli = 'az containerapp create --name ca-w --env-vars "Conn=secretRef:sb-conn"\n'
    shown = 'az containerapp show: [ { "name": "Conn", "value": "secretref:sb-conn" } ]\n'
    for setup in (cli, shown):
        category, cause = _report(setup + SB_FORMAT)
        assert category == "config.invalid_connection_string"
        assert "secretref" in cause.lower(), setup


def test_the_lowercase_cli_prefix_is_a_real_reference_and_no_clue() -> None:
    text = 'az containerapp create --name ca-w --env-vars "Conn=secretref:sb-conn"\n' + SB_FORMAT
    clue = clue_in([text])
    assert clue is None or clue["id"] != "containerapp-env-secretref-stored-literally"
    category, cause = _report(text)
    assert category == "config.invalid_connection_string" and "secretref" not in cause.lower()


def test_the_flexible_server_size_outside_the_default_tier_is_a_tier_mismatch() -> None:
    cli = ("Incorrect value for --sku-name. The SKU name does not match GeneralPurpose tier. Specify --tier if you did "
           "not. Or CLI will set GeneralPurpose as the default tier. Allowed values : {'Standard_D2s_v3'}")
    assert best_entry_id(cli) == "databases-flexible-sku-tier-mismatch"
    final = final_of("az postgres flexible-server create --sku-name Standard_B1ms\n" + cli)
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    assert any("--tier Burstable" in action for action in final.report.actions)


def test_another_flexible_server_argument_is_not_a_tier_mismatch() -> None:
    assert best_entry_id("Incorrect value for --tier. Allowed values : ['Burstable', 'GeneralPurpose', "
                         "'MemoryOptimized']") == "databases-flexible-cli-argument-not-allowed"


REDIS_TIMEOUT = ("StackExchange.Redis.RedisTimeoutException: Timeout performing GET (5000ms), qs: 41, serverEndpoint: "
                 "cache.redis.cache.windows.net:6380, IOCP: (Busy=0,Free=1000,Min=8,Max=1000), "
                 "WORKER: (Busy=3,Free=32764,Min=8,Max=32767)\n")


def test_redis_timeouts_with_the_cache_memory_full_and_evicting_are_memory() -> None:
    text = REDIS_TIMEOUT + "Used Memory Percentage: ~10 % at night -> 100 % by 06:00; Evicted Keys: 2M a day"
    assert concludes(text, "runtime.out_of_memory")


def test_redis_timeouts_with_memory_to_spare_are_no_memory_verdict() -> None:
    final = final_of(REDIS_TIMEOUT + "Used Memory Percentage peaks at 40 %; Evicted Keys: 0")
    assert isinstance(final, AskClient) or final.report.category != "runtime.out_of_memory"
    final = final_of(REDIS_TIMEOUT + "Used Memory Percentage: 100 % free after the flush, nothing evicted")
    assert isinstance(final, AskClient) or final.report.category != "runtime.out_of_memory"


def test_a_dotted_server_without_an_e_mail_login_in_sight_stays_a_40532_mismatch() -> None:
    text = 'mssql: Error 40532: Cannot open server "xxx.com" requested by the login. The login failed.'
    assert best_entry_id(text) == "sql-cannot-open-server-40532"
    assert best_entry_id(text + "\nI sign in with my e-mail address.") == "sql-cannot-open-server-email-login"
