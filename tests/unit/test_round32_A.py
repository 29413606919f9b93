"""Round 32, helper A (the development half real75): an Oryx platform switched off by DISABLE_<PLATFORM>_BUILD, a
Node.js web app deployed without build automation, a missing setting behind a misleading code error when the code
works locally, a Liquid map whose tag delimiters hold a space, a Standard logic app parameter whose value is not its
declared type, and a Static Web Apps API runtime past its end of support; each with a near miss that must stay
silent."""

from __future__ import annotations

from shared.engines.clues import clue_in
from shared.engines.computed_findings.app_service import swa_api_runtime_retired
from shared.engines.rules import _environment_not_code
from shared.engines.session_reads import WORKS_LOCALLY
from shared.models import Options, Report
from shared.session.state import AskClient, Conclude, Evidence, FileExcerpt, Material, SessionState
from shared.tools.azure_resources import setting_build_disabled
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.clue_checks import concludes, final_of
from tests.helpers.finding_checks import finding_id, finding_report, reads_state, state_with

# --- Oryx: a platform switched off by its DISABLE_<PLATFORM>_BUILD setting -----------------------------------------

ORYX = ("Command: oryx build /tmp/zipdeploy/extracted -o /home/site/wwwroot --platform nodejs --platform-version 18\n"
        "'nodejs' platform is not supported. Supported platforms are: nodejs, python, dotnet, php\nDeployment Failed.")


def test_only_a_platform_switch_that_is_on_is_flagged() -> None:
    assert setting_build_disabled({"DISABLE_NODEJS_BUILD": "true", "DISABLE_PYTHON_BUILD": "false",
                                   "DISABLE_COLLECTSTATIC": "true", "SCM_DO_BUILD_DURING_DEPLOYMENT": "true",
                                   "DISABLE_DOTNETCORE_BUILD": "1"}) == ["DISABLE_DOTNETCORE_BUILD",
                                                                         "DISABLE_NODEJS_BUILD"]


SWITCHED_OFF = ("list_app_setting_names", {"names": ["DISABLE_NODEJS_BUILD", "SCM_DO_BUILD_DURING_DEPLOYMENT"],
                                           "count": 2, "build_disabled": ["DISABLE_NODEJS_BUILD"]})


def test_an_oryx_build_refusing_a_switched_off_platform_names_the_setting() -> None:
    state = state_with(ORYX, [SWITCHED_OFF])
    assert finding_id(state) == "oryx-platform-build-switched-off"
    report = finding_report(state)
    assert report.category == "config.missing_app_setting" and "DISABLE_NODEJS_BUILD" in report.root_cause
    assert any("DISABLE_NODEJS_BUILD" in action for action in report.actions)


def test_a_switched_off_platform_is_no_verdict_for_another_symptom_or_a_switch_that_is_off() -> None:
    assert finding_id(state_with("The home page answers 500 since this morning.", [SWITCHED_OFF])) != \
        "oryx-platform-build-switched-off"
    off = ("list_app_setting_names", {"names": ["DISABLE_NODEJS_BUILD"], "count": 1, "build_disabled": []})
    assert finding_id(state_with(ORYX, [off])) != "oryx-platform-build-switched-off"


def test_the_oryx_message_is_known_and_the_question_names_the_platform() -> None:
    assert best_entry_id(ORYX) == "appservice-oryx-platform-switched-off"
    final = final_of(ORYX)
    assert isinstance(final, AskClient) and "(nodejs)" in final.request.question
    assert "{" not in final.request.question


def test_another_tool_s_operating_system_message_is_not_oryx() -> None:
    assert best_entry_id("The current platform is not supported. Supported platforms are: Windows and Linux.") != \
        "appservice-oryx-platform-switched-off"


# --- a Node.js web app deployed without build automation ------------------------------------------------------------

NODE_SITE = {"type": "Microsoft.Web/sites", "name": "app-shop", "kind": "app,linux", "state": "Running",
             "linuxFxVersion": "NODE|20-lts"}
EXPRESS = "Error: Cannot find module 'express'\nRequire stack:\n- /home/site/wwwroot/server.js"


def test_a_node_package_missing_without_build_automation_is_the_build_setting() -> None:
    state = reads_state(EXPRESS, [NODE_SITE], ["NODE_ENV", "WEBSITES_PORT"])
    assert finding_id(state) == "node-web-app-built-without-dependencies"
    report = finding_report(state)
    assert report.category == "runtime.dependency_missing" and "SCM_DO_BUILD_DURING_DEPLOYMENT" in report.root_cause


def test_a_missing_own_file_or_a_build_that_is_on_is_no_build_verdict() -> None:
    own_file = "Error: Cannot find module '/home/site/wwwroot/dist/server.js'"
    assert finding_id(reads_state(own_file, [NODE_SITE], ["NODE_ENV"])) != "node-web-app-built-without-dependencies"
    built = reads_state(EXPRESS, [NODE_SITE], ["NODE_ENV", "SCM_DO_BUILD_DURING_DEPLOYMENT"])
    assert finding_id(built) != "node-web-app-built-without-dependencies"
    python = reads_state(EXPRESS, [{**NODE_SITE, "linuxFxVersion": "PYTHON|3.12"}], ["NODE_ENV"])
    assert finding_id(python) != "node-web-app-built-without-dependencies"


# --- works locally, fails in Azure: the setting the code reads, not the code ---------------------------------------

ACTIVITY = FileExcerpt(path="exportMonth/index.js", relevance="code", size_bytes=120,
                       content="const container = service.getContainerClient(process.env.EXPORT_CONTAINER);")


def _durable_state(said: str) -> SessionState:
    state = SessionState(trace_id="d" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=said, files=[ACTIVITY]))
    state.add_evidence(Evidence(tool="list_app_setting_names", status="success", summary="2 app settings",
                                data={"names": ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME"], "count": 2}))
    return state


def _concluded(category: str) -> Conclude:
    return Conclude(message="m", report=Report(category=category, confidence="medium", root_cause="r", actions=[],
                                               evidence=[], checked=[]))


def test_a_code_reading_of_the_error_yields_to_a_missing_setting_when_the_code_works_locally() -> None:
    said = "Non-Deterministic workflow detected ... It works with func start but every run in Azure fails."
    assert WORKS_LOCALLY.search(said)
    assert _environment_not_code(_durable_state(said), _concluded("runtime.code_defect"),
                                 _concluded("config.missing_app_setting"))


def test_without_a_local_run_that_works_the_code_reading_stands() -> None:
    said = "Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity."
    assert not _environment_not_code(_durable_state(said), _concluded("runtime.code_defect"),
                                     _concluded("config.missing_app_setting"))
    works = "It works locally but fails in Azure."
    assert not _environment_not_code(_durable_state(works), _concluded("auth.rbac_missing"),
                                     _concluded("config.missing_app_setting"))


# --- Liquid maps -------------------------------------------------------------------------------------------------

SPACED = ("Transform_JSON_to_JSON fails, the Liquid map says the output is not valid. The map:\n"
          "{ %- assign deviceList = content.devices | Split: ', ' -% }\n{ \"name\": \"{{content.firstName}}\" }")


def test_a_liquid_tag_with_a_space_inside_its_delimiters_is_the_map() -> None:
    final = final_of(SPACED)
    assert isinstance(final, Conclude) and final.report.category == "runtime.code_defect"
    assert "{%" in final.report.root_cause and final.report.confidence == "medium"


def test_a_well_formed_liquid_map_is_no_delimiter_verdict() -> None:
    fine = SPACED.replace("{ %-", "{%-").replace("-% }", "-%}")
    found = clue_in([fine])
    assert found is None or found["id"] != "logicapps-liquid-tag-delimiter-spaced"


def test_the_liquid_errors_of_logic_apps_are_known_and_jekyll_s_are_not() -> None:
    assert best_entry_id("Code: IncorrectLiquidTransformOutputType. An error occurred while converting the "
                         "transformed value to JSON. The transformed value is not a valid JSON."
                         ) == "apps-logicapps-liquid-output-not-json"
    assert best_entry_id("Logic app Transform XML to JSON: Liquid syntax error: Variable '{{ name }' was not "
                         "properly terminated with regexp") == "apps-logicapps-liquid-template-syntax"
    assert best_entry_id("jekyll build: Liquid syntax error (line 99): Variable '{{a1}' was not properly "
                         "terminated with regexp") != "apps-logicapps-liquid-template-syntax"


# --- a Standard logic app parameter whose value is not its declared type ------------------------------------------

PARAMETERS = ("Standard logic app, zip deploy: every workflow lost its callback URL, Run trigger says The workflow "
              "'wf-a' could not be found. parameters.json:\n"
              '{ "waitSeconds": { "type": "int", "value": "1200" }, "Name": { "type": "string", "value": "x" } }')


def test_an_int_parameter_given_a_quoted_value_is_the_parameters_file() -> None:
    assert concludes(PARAMETERS, "deployment.template_invalid")
    final = final_of(PARAMETERS)
    assert isinstance(final, Conclude) and "waitSeconds" in final.report.root_cause
    assert any("waitSeconds" in action for action in final.report.actions)


def test_values_of_their_declared_type_are_no_parameter_verdict() -> None:
    fine = PARAMETERS.replace('"value": "1200"', '"value": 1200')
    found = clue_in([fine])
    assert found is None or found["id"] != "logicapps-standard-parameter-value-not-declared-type"


# --- a Static Web Apps API runtime past its end of support ---------------------------------------------------------

SWA = ("AzureStaticWebApp@0 fails: Cannot deploy to the function app because Function language info isn't provided.\n"
       'staticwebapp.config.json has "platform": { "apiRuntime": "dotnet-isolated:7.0" }.')


def test_a_retired_api_runtime_is_named_with_its_end_of_support() -> None:
    facts = swa_api_runtime_retired(state_with(SWA, []))
    assert facts is not None and facts["runtime_name"].startswith(".NET 7.0") and facts["ended"] == "2025-04-30"
    final = final_of(SWA)
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    assert ".NET 7" in final.report.root_cause and "node:20" in " ".join(final.report.actions)


def test_a_supported_runtime_or_another_symptom_is_no_end_of_support_verdict() -> None:
    assert swa_api_runtime_retired(state_with(SWA.replace("dotnet-isolated:7.0", "node:20"), [])) is None
    final = final_of("The API answers 404 on /api/items. \"apiRuntime\": \"dotnet-isolated:7.0\"")
    assert not (isinstance(final, Conclude) and "support in Static Web Apps ended" in final.report.root_cause)
