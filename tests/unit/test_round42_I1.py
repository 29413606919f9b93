"""Session 35, brief I1: cases where the engine had the answer in reach but ended asking or failing.

- A known conclusive code with Azure access gets the playbook's step budget: the engine reads Azure before it
  concludes even on a known code, and two steps a round ran out of rounds with the answer one read away.
- A .NET connection string that is null in Azure, while the report pastes the app's connection-string listing without
  the name the code reads (but with others), is decided as the string defined under another name."""

from __future__ import annotations

from shared.engines.analyzers.stated_connection_read import _listed_connection_strings
from shared.engines.budget import KNOWN_CODE_STEPS, PLAYBOOK_STEPS, planned_options
from shared.models import Options
from shared.session.state import Material
from tests.helpers.engine_loop import run_engine

KNOWN = Material(error_description="Status: 403 (Forbidden) ErrorCode: Forbidden (ForbiddenByRbac) reading secret "
                                   "'api-token' from vault kv-shop-weu.")


def test_a_known_code_with_azure_access_gets_the_playbook_budget():
    assert planned_options(Options(), KNOWN, azure_access=True).max_depth == PLAYBOOK_STEPS


def test_a_known_code_offline_keeps_its_short_budget_and_an_explicit_depth_wins():
    assert planned_options(Options(), KNOWN, azure_access=False).max_depth == KNOWN_CODE_STEPS
    assert planned_options(Options.model_validate({"max_depth": 3}), KNOWN, azure_access=True).max_depth == 3


_NULL = """Our inventory API on App Service (Windows) fails at start since Friday's release:

Unhandled exception. System.ArgumentNullException: Value cannot be null. (Parameter 'connectionString')
   at Microsoft.EntityFrameworkCore.SqlServerDbContextOptionsExtensions.UseSqlServer(
   at Fabrikam.Inventory.Api.Startup.ConfigureServices(IServiceCollection services) in Startup.cs:line 33

Startup.cs line 33:
  services.AddDbContext<StockContext>(o => o.UseSqlServer(Configuration.GetConnectionString("StockDb")));

PS> az webapp config connection-string list -g rg-inventory -n api-inventory-weu
[
  {
    "name": "%s",
    "slotSetting": false,
    "type": "SQLAzure",
    "value": "<hidden>"
  }
]
"""


def test_listed_connection_strings_read_json_and_table_outputs():
    table = ("$ az webapp config connection-string list -g g -n a -o table\n"
             "Name       SlotSetting    Type\n"
             "---------  -------------  -------\n"
             "MainSql    False          SQLAzure\nCacheConn  False          Custom\n")
    assert _listed_connection_strings(table) == ["MainSql", "CacheConn"]
    assert _listed_connection_strings(_NULL % "InventorySql") == ["InventorySql"]
    assert _listed_connection_strings("we listed the connection strings and saw Main and Cache") == []


def test_a_connection_string_listed_under_another_name_decides():
    report = run_engine({"error_description": _NULL % "InventorySql"}).envelope().get("report") or {}
    assert report.get("category") == "config.missing_app_setting"
    assert "InventorySql" in report["root_cause"] and "StockDb" in report["root_cause"]
    assert report.get("confidence") != "high"


def test_the_listing_that_holds_the_read_name_stays_silent():
    report = run_engine({"error_description": _NULL % "StockDb"}).envelope().get("report") or {}
    assert "under other names" not in str(report.get("root_cause", ""))


def test_a_long_report_keeps_its_root_cause_whole_while_the_supporting_texts_are_cut():
    from shared.models import EvidenceItem, Report
    from shared.orchestration import envelope
    from tests.unit.test_envelope import state
    cause = "The refused call went to the dev endpoint. " * 20 + "Missing zone: privatelink.dev.example.net."
    long_report = Report(category="c", root_cause=cause, actions=["act " * 150] * 6, checked=["read " * 80] * 12,
                         evidence=[EvidenceItem(source="t", summary="seen " * 80) for _ in range(8)])
    status = envelope.custom_status(envelope.done(state(), "m", long_report), turn=1)
    assert status["envelope"]["report"]["root_cause"] == cause  # under 1,500 characters: kept whole
    assert status["envelope"]["report"]["checked"][0].endswith("…")
    huge = Report(category="c", root_cause="é" * 20_000, checked=["c" * 1_000] * 40)
    cut = envelope.custom_status(envelope.done(state(), "m", huge), turn=1)["envelope"]["report"]["root_cause"]
    assert len(cut) <= 1_500


def test_the_slot_the_report_names_is_read_for_its_identity_and_a_bare_slot_word_is_not():
    from shared.engines.analyzers.managed_identity import _named_slot
    from shared.models import StartRequest
    from shared.session.material import material_from_start
    from shared.session.state import SessionState
    app = {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/sites/web-tickets", "name": "web-tickets"}
    group = [app, {"name": "web-tickets/preprod", "type": "Microsoft.Web/sites/slots", "id": "x"}]

    def session(text: str) -> SessionState:
        material = material_from_start(StartRequest.model_validate({"error_description": text}))
        return SessionState(trace_id="0" * 32, options=Options(), ttl_seconds=60, material=material)

    slot = _named_slot(session("The preprod slot never starts: DefaultAzureCredential failed."), app, group)
    assert slot is not None and slot["id"].endswith("/sites/web-tickets/slots/preprod")
    assert _named_slot(session("Production never starts; we plan a slot later."), app, group) is None
