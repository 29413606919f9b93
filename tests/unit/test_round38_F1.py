"""Round 38 F1 (the thirty-first session's development cases real93-95, docs65-67): how the engine reads and decides.

- another vendor's own words on the failing call (Gmail SMTP, the Cloudflare API, Google Maps web services' JSON);
- a bare 403's generic question yields to a same-family clue naming the case (AI Search refused to a management role);
- a Static Web App's networking.allowedIpRanges against users from another network;
- a private endpoint with the failing client stated outside the network (home, no VPN);
- AuthorizationFailed while the principal's role assignments lie only on other scopes;
- a network refusal by a resource's virtual network rules names the calling app's subnet when the rules lack it.
Each with a near miss that must stay silent."""

from __future__ import annotations

from shared.engines.caller_subnet import with_caller_subnet
from shared.engines.role_grants import with_held_roles
from shared.models import Report, StartRequest
from shared.session.material import material_from_start
from shared.session.state import Conclude, Evidence, SessionState
from tests.helpers.engine_loop import run_engine

# ---- vendors' own words -----------------------------------------------------------------------------------------

GMAIL = ("Function on Azure App Service fails to send:\nsmtplib.SMTPAuthenticationError: (534, b'5.7.9 "
         "Application-specific password required. Learn more at\\n5.7.9  https://support.google.com/mail/"
         "?p=InvalidSecondFactor x1y2z3.4 - gsmtp')\nIs port 587 blocked in Azure?")
CLOUDFLARE = ('Azure DevOps release, after the App Service deploy:\ncurl -X POST "https://api.cloudflare.com/client/v4/'
              'zones/abc/purge_cache"\n{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}')
MAPS = ('Our API on Azure App Service geocodes addresses and now gets:\n{\n "error_message" : "API keys with referer '
        'restrictions cannot be used with this API.",\n "results" : [],\n "status" : "REQUEST_DENIED"\n}')


def _final(text: str, **kw: object) -> tuple[str, dict]:
    outcome = run_engine({"error_description": text, **kw})
    env = outcome.envelope()
    return env["status"], env.get("report") or {}


def test_gmail_smtp_refusal_is_googles_not_azures() -> None:
    status, report = _final(GMAIL)
    assert status == "fail" and report["category"] == "out_of_scope"
    assert "app password" in report["root_cause"].lower()


def test_cloudflare_api_token_error_is_cloudflares() -> None:
    status, report = _final(CLOUDFLARE)
    assert status == "fail" and report["category"] == "out_of_scope"
    assert "Cloudflare" in report["root_cause"]


def test_google_maps_request_denied_body_is_googles() -> None:
    status, report = _final(MAPS)
    assert status == "fail" and report["category"] == "out_of_scope"
    assert "referrer" in report["root_cause"].lower()


def test_a_status_field_alone_is_no_google_maps_answer() -> None:
    # near miss: a JSON "status": "REQUEST_DENIED" without Google's error_message beside it names no vendor
    status, report = _final('Our Azure Function returns {"status": "REQUEST_DENIED", "code": 17} from its own '
                            'validation step and the caller gets 400 Bad Request')
    assert not (status == "fail" and "Google" in str(report.get("root_cause")))


# ---- AI Search refused to a management role ---------------------------------------------------------------------

SEARCH_403 = ("SearchClient(new Uri(\"https://srch-x.search.windows.net\"), \"idx\", new DefaultAzureCredential())\n"
              "Azure.RequestFailedException: Service request failed.\nStatus: 403 (Forbidden)\n"
              "With the admin key it works.")


def test_search_403_with_owner_decides_the_index_data_role() -> None:
    status, report = _final(SEARCH_403 + " I'm Owner on the subscription.")
    assert status == "done" and report["category"] == "auth.rbac_missing"
    assert "Search Index Data Reader" in report["root_cause"]


def test_search_403_asks_for_the_roles_before_the_generic_body_question() -> None:
    outcome = run_engine({"error_description": SEARCH_403})
    assert outcome.requests and "roles" in outcome.requests[0].request.question
    assert "does not say why" not in outcome.requests[0].request.question


def test_search_403_when_the_data_role_is_held_does_not_claim_it_missing() -> None:
    # near miss: the identity already holds Search Index Data Reader: no "management role only" conclusion
    status, report = _final(SEARCH_403 + " The identity is Contributor and also has Search Index Data Reader.")
    assert not (status == "done" and "holds only management roles" in report.get("root_cause", ""))


def test_a_plain_403_keeps_its_generic_question() -> None:
    # near miss: a 403 of no named service keeps the body question
    outcome = run_engine({"error_description": "The call returned 403 (Forbidden) since this morning."})
    assert outcome.requests and "does not say why" in outcome.requests[0].request.question


# ---- Static Web Apps allowedIpRanges ----------------------------------------------------------------------------

SWA = ('Static Web App shows 403 Forbidden to people working from home since the new VPN; office is fine.\n'
       '{ "networking": { "allowedIpRanges": ["203.0.113.0/24"] } }')


def test_swa_allowed_ip_ranges_with_users_from_another_network_decides() -> None:
    status, report = _final(SWA)
    assert status == "done" and report["category"] == "network.nsg_blocked"
    assert "allowedIpRanges" in report["root_cause"]


def test_swa_config_without_allowed_ip_ranges_is_not_read_as_ip_block() -> None:
    status, report = _final(SWA.replace('"networking": { "allowedIpRanges": ["203.0.113.0/24"] }',
                                        '"routes": [{ "route": "/*", "allowedRoles": ["staff"] }]'))
    assert "allowedIpRanges" not in str(report.get("root_cause"))


# ---- private endpoint, client outside the network ---------------------------------------------------------------

PE = ("az keyvault secret show --vault-name kv-1 --name s1\nConnection to kv-1.vault.azure.net timed out. "
      "(connect timeout=30)\nThe vault sits behind a private endpoint; apps in the vnet read it. ")


def test_private_endpoint_with_client_at_home_without_vpn_decides_the_network_path() -> None:
    status, report = _final(PE + "I'm at home, not connected to the VPN.")
    assert status == "done" and report["category"] == "network.nsg_blocked"
    assert "public" in report["root_cause"]


def test_private_endpoint_from_inside_the_vpn_still_asks_for_name_resolution() -> None:
    # near miss: on the VPN the client may reach the private address: the name resolution question stands
    outcome = run_engine({"error_description": PE + "I'm connected to the VPN from the office."})
    assert outcome.requests and "nslookup" in " ".join(outcome.requests[0].request.suggested_commands)


# ---- role assignments only on other scopes ----------------------------------------------------------------------

SCOPE = "/subscriptions/s1/resourceGroups/rg-prod/providers/Microsoft.Web/serverfarms/asp1"
PRINCIPAL = "8e0a2c4e-6a8c-4e0a-9c2e-4a6c8e0a2c57"
REFUSED = (f"AuthorizationFailed: The client '{PRINCIPAL}' with object id '{PRINCIPAL}' does not have authorization "
           f"to perform action "
           f"'Microsoft.Web/serverfarms/write' over scope '{SCOPE}' or the scope is invalid.")


def _state(text: str, reads: list[Evidence]) -> SessionState:
    request = StartRequest.model_validate({"error_description": text})
    state = SessionState(trace_id="0" * 32, options=request.options, ttl_seconds=3600, azure_access=True,
                         material=material_from_start(request))
    for read in reads:
        state.add_evidence(read)
    return state


def _rbac(category: str = "auth.rbac_missing", cause: str = "The identity has no role there.") -> Conclude:
    return Conclude(message="m", report=Report(category=category, root_cause=cause, confidence="medium"))


def _assignments(*pairs: tuple[str | None, str]) -> Evidence:
    return Evidence(tool="list_role_assignments", status="success", summary="s",
                    arguments={"scope": SCOPE, "principal_id": PRINCIPAL},
                    data={"assignments": [{"role": r, "scope": s} for r, s in pairs]})


def test_a_grant_on_a_sibling_group_is_named() -> None:
    state = _state(REFUSED, [_assignments(("Contributor", "/subscriptions/s1/resourceGroups/rg-test"))])
    decision = with_held_roles(state, _rbac())
    assert "rg-test" in decision.report.root_cause and "do not contain" in decision.report.root_cause


def test_a_sibling_role_that_cannot_write_is_not_named() -> None:
    # near miss: Reader on the other group would not grant the write either: nothing is said about it
    state = _state(REFUSED, [_assignments(("Reader", "/subscriptions/s1/resourceGroups/rg-test"))])
    decision = with_held_roles(state, _rbac())
    assert "rg-test" not in decision.report.root_cause


# ---- the caller's subnet against the virtual network rules ------------------------------------------------------

SUBNETS = "/subscriptions/s1/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/v1/subnets/"


def _network_reads(app_subnet: str) -> list[Evidence]:
    app = {"name": "func-a", "type": "Microsoft.Web/sites", "virtualNetworkSubnetId": SUBNETS + app_subnet}
    account = {"name": "oai-a", "type": "Microsoft.CognitiveServices/accounts",
               "networkAcls": {"defaultAction": "Deny", "virtualNetworkRules": [SUBNETS + "snet-old"]}}
    return [Evidence(tool="get_resource", status="success", summary="s", data=d) for d in (app, account)]


def test_the_apps_subnet_missing_from_the_rules_is_named() -> None:
    state = _state("403 Access denied due to Virtual Network/Firewall rules.", _network_reads("snet-new"))
    decision = with_caller_subnet(state, _rbac("network.nsg_blocked", "The account 'oai-a' denies by default."))
    assert "snet-new" in decision.report.root_cause and "snet-old" in decision.report.root_cause


def test_the_apps_subnet_listed_in_the_rules_adds_nothing() -> None:
    state = _state("403 Access denied due to Virtual Network/Firewall rules.", _network_reads("snet-old"))
    cause = "The account 'oai-a' denies by default."
    decision = with_caller_subnet(state, _rbac("network.nsg_blocked", cause))
    assert decision.report.root_cause == cause


# ---- GitHub Actions' file commands ------------------------------------------------------------------------------

def test_a_multiline_value_refused_by_the_runner_is_github_actions_own() -> None:
    status, report = _final("Step before azure/webapps-deploy:\nError: Unable to process file command 'output' "
                            "successfully.\nError: Invalid format '### Fixed'")
    assert status == "fail" and report["category"] == "out_of_scope"
    assert "delimiter" in report["root_cause"]


def test_the_words_invalid_format_alone_name_no_runner() -> None:
    # near miss: an Azure error that says "Invalid format" is not the runner's file command
    status, report = _final("az webapp config set failed: (BadRequest) Invalid format of linuxFxVersion 'PYTHON|3.x'")
    assert "GitHub Actions" not in str(report.get("root_cause"))


NPM = ("- uses: actions/setup-node@v4\n  with:\n    node-version: 20\n- run: npm publish\n  env:\n"
       "    NODE_AUTH_TOKEN: ${{ secrets.NPM }}\nnpm ERR! code E401\nnpm ERR! 401 Unauthorized - PUT "
       "https://registry.npmjs.org/@x%2fy - You must be logged in to publish packages.")


def test_setup_node_without_registry_url_names_it() -> None:
    status, report = _final(NPM)
    assert status == "fail" and "registry-url" in report["root_cause"]


def test_setup_node_with_registry_url_does_not_blame_it() -> None:
    # near miss: registry-url is set, so the .npmrc passes the token: the meaning stays out
    status, report = _final(NPM.replace("node-version: 20", "node-version: 20\n    registry-url: "
                                                            "https://registry.npmjs.org"))
    assert "only when its registry-url input is set" not in str(report.get("root_cause"))


def test_a_storage_account_behind_a_private_endpoint_stays_with_the_storage_firewall() -> None:
    # near miss: a storage account's refusal from outside the network is its firewall's family, not this clue's
    outcome = run_engine({"error_description": "Storage account with a private endpoint: listing blobs in "
                                               "st1.blob.core.windows.net fails with 'This request is not authorized "
                                               "to perform this operation.' I'm at home, not connected to the VPN."})
    report = outcome.envelope().get("report") or {}
    assert report.get("category") != "network.nsg_blocked"
