"""Round 42, helper S6 (the thirty-fifth session's fix list, fixed by class): an error the writer says the service
used to answer (or was expected instead of the one shown) is not the cause; a VNet redeployment whose failed PUT is
the VNet itself (or whose template declares subnets as child resources) removes an in-use subnet, a template error;
a Durable orchestration waiting for an activity name the app never defines; a deployed app whose values live only in
its local .env file; a login-failure clue needs the login to fail in the text it reads; a request path cut at an
unencoded '#'. Each with a near miss that must stay silent."""

from __future__ import annotations

from shared.catalog.index import catalog_index, former
from shared.engines.fragment_cut import cut_value
from shared.engines.undefined_activity import undefined_activity
from shared.session.state import Conclude
from tests.helpers.engine_loop import run_engine


def _final(text: str, **environment: object):
    start: dict = {"error_description": text}
    if environment:
        start["context"] = {"environment_info": environment}
    return run_engine(start).final


def _best(text: str) -> str:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else ""


# --- an earlier or expected error the writer recounts

def test_a_former_error_in_the_same_clause_is_history() -> None:
    text = "Until last week a read of a missing blob returned BlobNotFound and we retried; it ends with"
    assert former(text, text.index("BlobNotFound"))


def test_a_turn_to_now_ends_the_former_cue() -> None:
    text = "Until yesterday it worked, but now every read returns BlobNotFound"
    assert not former(text, text.index("BlobNotFound"))


def test_the_error_shown_now_wins_over_the_one_it_used_to_be() -> None:
    text = ("We used to get MessagingEntityNotFound for topics not created yet. Now: InvalidAudience: The "
            "authorization header contains a token with a wrong audience.")
    assert _best(text) == "integration-messaging-sas-invalid-audience"


def test_an_entity_not_found_said_now_still_counts() -> None:
    text = "Sending to topic 'billing' fails with MessagingEntityNotFound since this morning."
    assert _best(text) == "messaging-sb-entity-not-found"


# --- a VNet redeployment that removes an in-use subnet

IN_USE = ('"code": "InUseSubnetCannotBeDeleted", "message": "Subnet snet-db is in use by /subscriptions/<s>/'
          'resourceGroups/rg-x/providers/Microsoft.Network/networkInterfaces/nic-db1/ipConfigurations/ip1 and cannot '
          'be deleted. In order to delete the subnet, delete all the resources within the subnet."')


def test_the_failed_vnet_put_makes_the_in_use_subnet_a_template_error() -> None:
    text = IN_USE + ' "targetResource": {"resourceName": "vnet-x", "resourceType": "Microsoft.Network/virtualNetworks"}'
    assert _best(text) == "compute-vnet-redeploy-removes-in-use-subnet"


def test_a_subnet_deleted_directly_stays_the_in_use_reading() -> None:
    text = "az network vnet subnet delete -g rg-x --vnet-name vnet-x -n snet-db\n" + IN_USE
    assert _best(text) == "compute-in-use-subnet-cannot-be-deleted"


# --- an activity name the app does not define

def test_an_activity_no_function_defines_is_found() -> None:
    code = ('yield context.df.callActivity("LoadRows", 1);\nyield context.df.callActivity("WriteRow", r);\n'
            "Functions: Orchestrator, LoadRows, WriteRows, HttpStart")
    assert undefined_activity([code]) == ("WriteRow", "LoadRows")


def test_every_activity_defined_says_nothing() -> None:
    code = ('yield context.df.callActivity("LoadRows", 1);\nyield context.df.callActivity("WriteRows", r);\n'
            "Functions: Orchestrator, LoadRows, WriteRows, HttpStart")
    assert undefined_activity([code]) is None


def test_a_material_that_lists_no_function_says_nothing() -> None:
    code = 'yield context.df.callActivity("LoadRows", 1);\nyield context.df.callActivity("WriteRow", r);'
    assert undefined_activity([code]) is None


# --- values only in the local .env of a deployed app

NOT_FOUND = ("Log stream: openai.NotFoundError: The API deployment for this resource does not exist. If you created "
             "the deployment within the last 5 minutes, please wait a moment and try again.")


def test_values_only_in_the_local_env_make_missing_settings() -> None:
    final = _final("I put AOAI_DEPLOYMENT=chat4 in my .env file and deployed with az webapp up -n app-q.\n"
                   + NOT_FOUND)
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert ".env" in final.report.root_cause


def test_settings_also_set_on_the_app_keep_the_name_reading() -> None:
    final = _final("I put AOAI_DEPLOYMENT=chat4 in my .env file and deployed with az webapp up -n app-q. The app "
                   "settings are set to the same values.\n" + NOT_FOUND)
    assert not (isinstance(final, Conclude) and final.report.category == "config.missing_app_setting")


# --- a login clue needs the login to fail

def test_an_answer_quoting_the_subject_after_a_successful_login_is_not_the_login_clue() -> None:
    from shared.engines.clues import clues_in
    report = ("GitHub workflow with azure/login (OIDC). Login succeeds, then Azure/webapps-deploy says "
              "Error: Resource app-q doesn't exist.")
    answer = "The federated credential is repo:o/r:environment:prod and the workflow job uses environment prod."
    assert "github-actions-oidc-login-fails-for-other-trigger" not in [c["id"] for c in clues_in([report, answer])]


def test_a_failed_login_with_an_environment_subject_keeps_the_clue() -> None:
    from shared.engines.clues import clues_in
    report = ("GitHub workflow azure/login fails only for the job with environment: prod: Error: AADSTS70021: No "
              "matching federated identity record found for presented assertion.")
    assert "github-actions-oidc-login-fails-for-other-trigger" in [c["id"] for c in clues_in([report])]


# --- a path cut at an unencoded '#'

def test_a_not_found_naming_the_part_before_hash_is_found() -> None:
    text = ("key = 'report#2026-q1.pdf'\nGET https://x.blob.core.windows.net/docs/report\n"
            "404 The specified blob does not exist.")
    assert cut_value(text) == ("report#2026-q1.pdf", "report")


def test_a_hash_value_whose_full_name_was_sent_says_nothing() -> None:
    text = "key = 'report#2026-q1.pdf'\nGET https://x.blob.core.windows.net/docs/report%232026-q1.pdf\n404 not found"
    assert cut_value(text) is None
