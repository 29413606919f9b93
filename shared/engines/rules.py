"""The rules engine: classify the error, then let that family's analyzer decide.

Deterministic and offline. Two kinds of knowledge, both data: the error catalog (knowledge/catalog/*.yaml, one
index, shared/catalog/) names what thousands of Azure errors mean, and the signatures (knowledge/signatures/*.yaml)
route the families that have a bespoke analyzer, which computes something (IP coverage, RBAC scopes, settings the
code reads) or investigates with evidence. A family's analyzer decides when its signature names a cause; an exact
catalog code that names a different cause wins over a signature found by a looser pattern; what the signatures do
not settle goes to the catalog entry, and a symptom with no code to the resource's Azure playbook."""

from __future__ import annotations

import re
from typing import Any

from shared.catalog.index import EntryHit, names_a_context, negated, normalize
from shared.engines.access_evidence import claimed_role_missing, delivery_identity_refused, with_role_assignments
from shared.engines.analyzers.catalog_entry import conclude, conclude_from_lead, decide_from_entry, nearest_lead
from shared.engines.analyzers.code_shape import code_by_shape, printed_codes
from shared.engines.analyzers.common import SYMPTOM_PREFIX, fill, regex, specific_hit, table, table_entry
from shared.engines.analyzers.deployment_rule import conclude_rule, deployment_rule, read_rule
from shared.engines.analyzers.dns_resolution import with_malformed_host
from shared.engines.analyzers.functions_host import worker_runtime_mismatch
from shared.engines.analyzers.ledger import latest
from shared.engines.analyzers.login_name import login_name_mistyped, login_suffix_other_server
from shared.engines.analyzers.package_sas import expired_package_sas
from shared.engines.analyzers.regional_endpoint import regional_endpoint_mismatch
from shared.engines.analyzers.registry import analyzer_for
from shared.engines.analyzers.request_duration import front_end_cut
from shared.engines.analyzers.role_holder import role_held_by_another, system_identity_called
from shared.engines.analyzers.token_clock import assertion_clock_off, clock_off, lifetime_off, storage_date_off
from shared.engines.analyzers.unknown import QUESTION as UNKNOWN_QUESTION
from shared.engines.analyzers.unknown import analyze as ask_for_the_error
from shared.engines.async_blocking import with_blocking_async
from shared.engines.base import Decision
from shared.engines.binding_names import with_unlisted_binding
from shared.engines.caller_subnet import with_caller_subnet
from shared.engines.catalog_hits import catalog_hits, contradicted, decisive, facts_of
from shared.engines.clues import clue_decided, decide_from_clue, matching_clue
from shared.engines.container_sizes import with_container_sizes
from shared.engines.dotenv_shadow import with_dotenv_shadow
from shared.engines.fragment_cut import with_fragment_cut
from shared.engines.graph_permissions import with_graph_permission
from shared.engines.listed_in_azure import with_listed_in_azure
from shared.engines.listed_names import with_listed_names
from shared.engines.listed_paths import with_listed_paths
from shared.engines.local_env_only import with_local_env_only
from shared.engines.misspelled_reference import with_misspelled_reference
from shared.engines.named_settings import with_named_settings
from shared.engines.named_sources import with_url_name_source
from shared.engines.near_names import with_near_names
from shared.engines.nearest_finding import nearest_finding
from shared.engines.outside_host import outside_host
from shared.engines.outside_party import failing_terraform_provider, named_failing_party, other_cloud_allow_list
from shared.engines.pasted_config import with_pasted_config
from shared.engines.playbooks import (
    FINDINGS,
    conclude_finding,
    finding,
    finding_of_category,
    finding_overruling,
    identity_group_elsewhere,
    investigate,
    missing_code_settings,
    next_read,
    report_finding,
)
from shared.engines.pushed_elsewhere import with_pushed_elsewhere
from shared.engines.recent_change import with_recent_change
from shared.engines.registry_identity import with_registry_identity
from shared.engines.report_statements import with_report_statements
from shared.engines.role_grants import with_granting_roles, with_held_roles
from shared.engines.service_tags import with_service_tag
from shared.engines.session_reads import WORKS_LOCALLY, read_setting_names, said_by_client
from shared.engines.shared_limit import with_shared_limit
from shared.engines.signatures import Hit, classify, mentions_azure, signatures, word_start
from shared.engines.stated_app_config import with_stated_app_config
from shared.engines.stated_config import with_stated_config
from shared.engines.stated_expiry import expired_before_failures
from shared.engines.stated_routes import with_stated_routes
from shared.engines.timeout_elapsed import with_timeout_elapsed
from shared.engines.tool_advice import with_tool_advice
from shared.engines.undefined_activity import with_undefined_activity
from shared.engines.unordered_parent import with_unordered_parent
from shared.engines.wrong_target import with_wrong_target
from shared.models import EvidenceItem
from shared.session.report import partial_report
from shared.session.state import AskClient, Conclude, GiveUp, Material, RunTool, SessionState, same_arguments
from shared.tools.catalog import catalog

_ERROR_LINE = re.compile(r"(?i)\b(?:error|exception|fail(?:ed|ure)?|denied|refused|forbidden|unauthori[sz]ed|"
                         r"timed? ?out|not found|invalid|exceed(?:ed|s)?|killed|status(?:code)?[ =:]+[45]\d\d)\b")
_CODE_LIKE = re.compile(r"(?:[A-Z][a-z0-9]+){2,}|AADSTS\d+|AZFD\d+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


class RulesEngine:
    name = "rules"

    def decide(self, state: SessionState) -> Decision:
        decision = _azure_before_asking(state, _azure_before_concluding(state, route(state)))
        decision = _delivery_identity_checked(state, decision)
        decision = outside_host(state, decision)  # a fault of a machine outside Azure that the report names
        decision = _nothing_deployed_yet(state, decision)
        decision = with_wrong_target(state, decision)  # a refused publish that named the wrong app
        decision = _evidence_earns_high(state, _azure_or_modest(state, decision))
        decision = with_recent_change(state, _not_ruled_out(state, decision))  # after the confidence is set
        decision = with_stated_app_config(state, decision)  # a pasted configuration's deciding value, read like a read
        decision = with_stated_routes(state, decision)  # pasted routing configuration against the refused path
        decision = with_granting_roles(state, with_held_roles(state, with_role_assignments(state, decision)))
        decision = with_caller_subnet(state, decision)  # the app's subnet missing from the rules that refused it
        decision = _named_by_code_shape(state, decision)
        decision = _rule_of_the_message(state, decision)  # a generic deployment code whose message states its rule
        decision = with_malformed_host(state, decision)  # a host no Azure resource could have: its setting
        decision = _citing_the_resource_read(state, _quoting_the_error(state, decision))
        decision = with_url_name_source(state, with_named_settings(state, decision))
        decision = with_listed_names(state, decision)  # the sought name missing from what the report lists
        decision = with_unordered_parent(state, decision)  # a parent the same configuration creates, unordered
        decision = with_listed_in_azure(state, decision)  # and from what the session listed in Azure
        decision = with_listed_paths(state, decision)  # the listed folder nearest to a path not found
        decision = with_pushed_elsewhere(state, decision)  # the missing image the log pushed to another registry
        decision = with_misspelled_reference(state, decision)  # a missing reference misspelling a created name
        decision = with_undefined_activity(state, decision)  # an orchestration waiting for an undefined activity
        decision = with_near_names(state, decision)  # one name spelled two ways, a letter or two apart
        decision = with_graph_permission(state, decision)  # the permission a Graph call needs that the lists lack
        decision = with_dotenv_shadow(state, decision)  # a .env variable the shell's own value shadows
        decision = with_local_env_only(state, decision)  # a deployed app whose values are only in the local .env
        decision = with_fragment_cut(state, decision)  # a request path cut at a value's unencoded '#'
        decision = with_shared_limit(state, decision)  # the resource parallel callers share, when throttled
        decision = with_stated_config(state, decision)  # configuration the report pastes, read like Azure's
        decision = with_registry_identity(state, decision)  # the registry entry a refused pull could not use
        decision = with_timeout_elapsed(state, decision)  # the operation timeout a tool's elapsed counter shows
        decision = with_container_sizes(state, decision)  # the containers a refused container-app total counts
        decision = with_service_tag(state, decision)  # the service tag an NSG's blocked traffic needs
        decision = with_blocking_async(state, decision)  # a coroutine holding the event loop with a blocking call
        decision = with_unlisted_binding(state, decision)  # a binding's entity missing from the client's listing
        decision = with_report_statements(state, decision)  # the client's own sentences the cause rests on
        decision = with_pasted_config(state, decision)  # and the pasted configuration lines it rests on
        return _never_repeat(state, with_tool_advice(state, decision))


def _delivery_identity_checked(state: SessionState, decision: Decision) -> Decision:
    """Refused deliveries of an Event Grid subscription that delivers with its topic's identity: once Azure has been
    read (no read pending), the identity's roles on the destination decide before a question or a general reading
    of the dead-lettered events; a network or identity conclusion, or one with high confidence, stands."""
    if isinstance(decision, RunTool):
        return decision
    if isinstance(decision, Conclude) and (decision.report.confidence == "high" or str(
            decision.report.category or "").startswith(("network.", "auth.managed_identity_missing", "out_of_scope"))):
        return decision
    return delivery_identity_refused(state) or decision


def _named_by_code_shape(state: SessionState, decision: Decision) -> Decision:
    """A question that only a wrapper's envelope prompted (Terraform's Code="..." wrapper, DeploymentFailed) while
    the inner code, unknown to the catalog, names its family by its ending: that family, not the question."""
    if not isinstance(decision, AskClient) or state.requests_asked:
        return decision
    entry = decisive(state)
    if entry is None or not entry.entry.wrapper:
        return decision
    return code_by_shape(state) or decision


def _rule_of_the_message(state: SessionState, decision: Decision) -> Decision:
    """A question before anything was asked, or a low-confidence guess from the text alone, while the report's
    deployment error (a generic code in a provisioning shape) states the rule it broke in a specific phrase: the
    family of that rule's kind, with the rule quoted (analyzers/deployment_rule.py). A conclusion that rests on what a
    tool read, or one at medium or above, stands."""
    if isinstance(decision, AskClient):
        return decision if state.requests_asked else deployment_rule(state, loose=False) or decision
    if not (isinstance(decision, Conclude) and decision.report.confidence == "low" and not _rests_on_reads(decision)):
        return _neighbour_over_stated_rule(state, decision)
    if _catalog_names(state, str(decision.report.category or "")):
        return decision  # the catalog's entry for this very message decided the family, however low
    return deployment_rule(state, loose=False) or decision


def _catalog_names(state: SessionState, category: str) -> bool:
    """Whether a conclusive catalog entry of this category (not an envelope) matched the error's own words."""
    return any(h.entry.conclusive and not h.entry.wrapper and h.entry.category == category and "error" in h.origins
               for h in catalog_hits(state))


def _neighbour_over_stated_rule(state: SessionState, decision: Decision) -> Decision:
    """A deployment or quota conclusion from the text alone in a neighbouring family (a lock read from the word
    "locked", a parent read from "not found") while the report's deployment error states a rule of another kind in a
    specific phrase: the rule's family. In the same family without a catalog entry's answer (the generic "the
    provider rejected it" reading), the rule quoted is its deciding detail. A catalog entry of the concluded family
    that matched the error, a read the conclusion rests on, or another family's answer stands."""
    if not isinstance(decision, Conclude) or decision.report.confidence == "high" or _rests_on_reads(decision):
        return decision
    category = str(decision.report.category or "")
    if not category.startswith(("deployment.", "quota.")):
        return decision
    reading = read_rule(state)
    if reading is None or reading.loose:
        return decision
    if reading.category == category:  # the right family: the rule is its deciding detail, unless an entry gave one
        said = _catalog_names(state, category) or reading.rule[:60] in decision.report.root_cause
        return decision if said else conclude_rule(state, reading)
    if category != _PARENT_NOT_FOUND and _catalog_names(state, category):
        return decision  # the catalog's own entry for this message (a code or its specific words) names the family
    return conclude_rule(state, reading)


# A nested resource whose parent is "not found" in a deployment that also reports the parent's own rule failure
# (an access policy with an invalid objectId fails the vault, then its secrets find no vault): the rule is the cause,
# the missing parent its consequence, whatever code the child printed.
_PARENT_NOT_FOUND = "deployment.parent_not_found"


def _answered_with(state: SessionState, entry: EntryHit) -> bool:
    """The client answered the question with an error the catalog knows (the host's startup error behind "host
    is not running"): that error, not the bare symptom the report began with, is what to decide on. An answer that
    only repeats the report's own error ("the portal shows ImagePullBackOff") adds nothing."""
    return bool(state.requests_asked) and "answer" in entry.origins and "error" not in entry.origins


def _not_ruled_out(state: SessionState, decision: Decision) -> Decision:
    """A re-opened session never concludes the cause the client said was not it (contract v1.1): whichever path
    arrived there (a signature, a nearest-entries lead), it asks for what the error says now instead."""
    if isinstance(decision, Conclude) and decision.report.category in state.ruled_out:
        return ask_for_the_error(state, None)
    return decision


# Evidence sources that confirm a cause beyond the error text itself: a tool's reading (Azure, or a file the client
# sent read by a material tool) or the client's own answer.
_TEXT_ONLY_SOURCES = frozenset({"error", "catalog", "knowledge", "material", "model"})
# Tools that only re-read the error text itself (its codes, its stack trace): what they return is the error's own
# words, parsed, so it confirms nothing the text did not already say.
_REREADING_TOOLS = frozenset({"list_error_codes", "get_stack_frames"})


def _evidence_earns_high(state: SessionState, decision: Decision) -> Decision:
    """High confidence needs evidence beyond the error's own words: an Azure read the conclusion cites, a file or
    answer the client sent that a tool read, or the client's answer. The text alone, however exact its code, gives
    at most medium: the same code can be named for another cause (a taxonomy mapping, a misleading message). An
    Azure read the conclusion does not rest on (the playbook read the resource and found nothing to say) confirms
    nothing either."""
    if not isinstance(decision, Conclude) or decision.report.confidence != "high":
        return decision
    cited = {e.source for e in decision.report.evidence}
    confirmed = bool(cited - _TEXT_ONLY_SOURCES - _REREADING_TOOLS) or bool(state.material.answers) or any(
        e.status == "success" and e.tool not in ("client", *_REREADING_TOOLS) and e.tool in catalog()
        and not catalog()[e.tool].needs_azure for e in state.ledger)
    if not confirmed:
        decision.report.confidence = "medium"
    return decision


_QUOTED_LINES = 4  # the lines that carry the error's facts (its code, the names and numbers it printed) are often 3-4


def _quoting_the_error(state: SessionState, decision: Decision) -> Decision:
    """A conclusion quotes the lines of the error text it rests on (the lines where the catalog found its code),
    so the report shows the client's own words next to the cause: names, sizes, actions the error printed."""
    if not isinstance(decision, Conclude | GiveUp) or decision.report.category is None:
        return decision
    category = decision.report.category
    said = [m.found for h in catalog_hits(state) if h.entry.category == category
            for m in h.matches if m.origin == "error"]
    said += [q for h in classify(state.material) if h.signature.category == category for q in h.quotes]
    lines = _lines_with(state.material.error_description, said)
    if len(lines) < _QUOTED_LINES:  # the error's own lines that say what failed: its code, status or message
        lines += [line for line in _error_lines(state.material.error_description, _QUOTED_LINES)
                  if line not in lines]
    known = " ".join(e.summary for e in decision.report.evidence)
    for line in lines[:_QUOTED_LINES]:
        if line[:80] not in known and not any(line in e.summary for e in decision.report.evidence):
            decision.report.evidence.append(EvidenceItem(source="error", summary=line))
    answer = state.material.answers[-1] if state.material.answers else ""
    if answer and " ".join(answer.split())[:80] not in known:  # what the client answered, which the cause rests on
        decision.report.evidence.append(EvidenceItem(source="client", summary=" ".join(answer.split())[:600]))
    return decision


def _citing_the_resource_read(state: SessionState, decision: Decision) -> Decision:
    """A conclusion about a resource the session read shows what Azure said of it (its configuration as read), next
    to the cause: the values the client would otherwise look up. Only resources the report or the cause names; the
    confidence is already set and does not change."""
    if not isinstance(decision, Conclude) or not state.azure_access:
        return decision
    named = " ".join([decision.report.root_cause, state.material.spoken_text()]).lower()
    cited = " ".join(e.summary for e in decision.report.evidence)
    reads = [e for e in state.ledger if e.tool == "get_resource" and e.status == "success"
             and str(e.data.get("name") or "").lower() in named and e.data.get("name")]
    for read in list({r.summary: r for r in reversed(reads)}.values())[:2]:
        if read.summary[:80] not in cited:
            decision.report.evidence.append(EvidenceItem(source="get_resource", summary=read.summary[:400]))
    return decision


def _error_lines(text: str, limit: int = 2) -> list[str]:
    """Lines of the error text that carry an error signal (a code, a status, "failed", "denied"...), at most 500
    characters each."""
    lines = [" ".join(line.split())[:500] for line in text.splitlines()]
    return [line for line in lines if _ERROR_LINE.search(line)][:limit]


_SHORT_LINE = 60
_JOINED_LINES = 6


def _lines_with(text: str, found: list[str]) -> list[str]:
    """The lines of the text that hold one of these matched strings, each cut to the match with up to 120 characters
    before and 360 after it: an error message names what failed after its code (the property, the setting, the
    resource), rarely before."""
    lines: list[str] = []
    raw = text.splitlines()
    for at_line, line in enumerate(raw):
        flat = " ".join(line.split())
        if len(flat) < _SHORT_LINE and flat.startswith('"'):  # pretty-printed JSON ("code": "X",): read on
            flat = " ".join(" ".join(raw[at_line:at_line + _JOINED_LINES]).split())
        for piece in found:
            at = flat.lower().find(piece.lower())
            if at >= 0:
                excerpt = flat[word_start(flat, max(0, at - 120), at):at + len(piece) + 360]
                if not any(excerpt in line or line in excerpt for line in lines):
                    lines.append(excerpt)
                break
    return lines


def _azure_or_modest(state: SessionState, decision: Decision) -> Decision:
    """A generic reading (an OOMKilled, an IndexError) of material that names nothing of Azure and was not seen in
    Azure is at most medium: the same words come from every platform, and this service knows Azure's."""
    if not isinstance(decision, Conclude) or decision.report.confidence != "high":
        return decision
    seen_in_azure = any(e.status == "success" and e.tool != "client" and catalog()[e.tool].needs_azure
                        for e in state.ledger if e.tool in catalog())
    if seen_in_azure or mentions_azure(state.material):
        return decision
    decision.report.confidence = "medium"
    decision.report.root_cause += (" Nothing in the error or the files names an Azure service, so this reading is "
                                   "not confirmed for Azure.")
    return decision


# The client says in so many words that the system is not in Azure (a server room, nothing deployed to Azure):
# hybrid words alone ("on-premises DNS", a VPN to Azure) do not count.
_OUTSIDE_AZURE = re.compile(r"(?i)\bnothing (?:of (?:this|it) )?(?:runs|is running|is hosted|is deployed) (?:in|on) "
                            r"azure|\b(?:is|are|runs?|it's) not (?:running |hosted |deployed )?(?:in|on) azure\b|"
                            r"\bin our own (?:server room|data ?cent(?:er|re))|"
                            # the client's own machine in its own (office, company) data center or server room
                            # ("our SQL Server 2016 in the office datacenter": a named server product counts too)
                            r"\bour (?:own )?(?:box|server|machine|hardware|(?:SQL|database|file|mail|web) server"
                            r"(?: \d{4})?)\b[^.\n]{0,40}?\b(?:in|at) (?:the |our )?"
                            r"(?:office|company|on-?prem(?:ises)?) (?:data ?cent(?:er|re)|server room)\b|"
                            r"\bruns? on our own (?:IIS |physical |bare[- ]metal )?(?:servers?|hardware)\b|"
                            # "not Azure at all"; our own data center or server stated as no cloud
                            r"\b(?:is |it's |this is )?not azure at all\b|"
                            r"\bour (?:own )?(?:data ?cent(?:er|re)|servers?|server room)\b[^.\n]{0,40}?\bno cloud\b|"
                            r"\b(?:we|i) (?:don't|do not|didn't|did not) use azure (?:for (?:this|it)|at all)\b|"
                            r"\bnot using azure (?:for (?:this|it)|at all)\b|"
                            r"\bnothing (?:deployed |running |hosted )?(?:to |in |on )?azure (?:is )?involved\b|"
                            r"\bno azure resources? (?:is |are )?involved\b|"
                            # "yet": still developing locally, not a deployment that left nothing behind
                            r"\bnothing (?:is )?(?:deployed|running|hosted) (?:to|in|on) azure yet\b|"
                            # a move to Azure still to come, then "nothing is deployed yet" (a deployment that failed
                            # says what failed, not that it is to come)
                            r"\b(?:later|next (?:year|month|quarter)|will|going to|meant to|planned to)\b[^.\n]{0,60}"
                            r"\bazure\b[^.\n]{0,40}\bnothing (?:is |has been )?(?:deployed|running|hosted) yet\b|"
                            # all of it on the client's own machine, nothing deployed: local development only
                            r"\b(?:all|only|just|still) (?:running )?(?:on|in) (?:my|our) (?:laptop|local machine|"
                            r"dev(?:elopment)? (?:machine|box)|pc|computer|local docker)\b[^.\n]{0,40}?"
                            r"\bnothing (?:is |has been )?deployed\b|"
                            # a move to Azure still to come, the system today on the client's own premises or
                            # machine ("for now it's on-prem", "right now this is only Docker Desktop on my laptop")
                            r"\b(?:for now|right now|at the moment|currently|so far),? (?:it's|it is|this is|it runs|"
                            r"everything is|all of it is|we run it|we're|we are) (?:only |still |just |running )*"
                            r"(?:on-?prem(?:ises)?\b|(?:on |in )?(?:docker desktop|"
                            r"our own (?:servers?|data ?cent(?:er|re))|"
                            r"(?:my|our) (?:laptop|workstation|local machine|dev(?:elopment)? (?:machine|box))\b))")
# The caller's own clock was wrong and setting it right fixed it: the signatures and tokens it made were rejected as
# not yet or no longer valid, whatever Azure holds.
_LOCAL_CLOCK = re.compile(r"(?i)\bclock (?:on|of) (?:this|my|the|our) (?:laptop|computer|machine|pc|workstation)\b"
                            r"[^.\n]{0,60}\b(?:is|was|were) "
                            r"(?:off|wrong|behind|ahead|incorrect|not (?:right|correct|synced))|"
                            r"\b(?:corrected|fixed|changed|synced|adjusted) the (?:system )?(?:time|clock) (?:on|of) "
                            r"(?:my|the|this|our) (?:laptop|computer|machine|pc|workstation)\b")


# A connection cut mid-transfer (reset, aborted, timed out at the socket) from a client whose own network the report
# calls unstable, or which works from another machine or network: the client's network, not Azure.
_CUT_CONNECTION = re.compile(r"\b(?:ECONNRESET|ECONNABORTED|ETIMEDOUT|EPIPE|ENETUNREACH|ENETDOWN)\b|socket hang up|"
                             r"(?i:connection (?:was )?(?:reset|aborted) by peer)")
_UNSTABLE_LOCAL_NETWORK = re.compile(
    r"(?i)\b(?:wi-?fi|wireless|hotspot|tethering|guest network|campus network|hotel network|home network|mobile data)\b"
    r"[^.\n]{0,80}\b(?:drops?|dropping|disconnect\w*|unstable|flaky|unreliable|intermittent|cuts? out|bandwidth cap)|"
    r"\b(?:from|on) (?:a colleague'?s|another|my other|a different) (?:wired )?(?:pc|machine|computer|laptop|network|"
    r"connection)\b[^.\n]{0,80}\b(?:works?|worked|completed?|succeed\w*|fine|went through)\b")


# The client says the same failure happens from their own machine as from Azure.
# "fails the same from my laptop" (not "the same tag works on my machine": working there is the opposite clue)
_SAME_FROM_OUTSIDE = re.compile(r"(?i)\b(?:same|also|too)\b(?:(?!\b(?:works?|worked|working|succeeds?|succeeded|fine|"
                                r"ok)\b)[^.\n]){0,60}\b(?:from|on) my (?:own )?(?:laptop|machine|pc|"
                                r"computer|workstation)\b(?![^.\n]{0,80}\b(?:works?|worked|succeeds?|succeeded|fine|"
                                r"came back with|returned 200|got (?:a )?200)\b)"
                                r"|\bfrom my (?:laptop|machine|pc|computer) (?:too|as well)\b")
_URL_HOST = re.compile(r"(?i)\bhttps?://([a-z0-9.-]+\.[a-z]{2,})")
_AZURE_HOST = re.compile(r"(?i)(?:\.|^)(?:windows\.net|azure\.com|azure\.net|azurewebsites\.net|azurecr\.io|azmk8s\.io|"
                         r"azurestaticapps\.net|azure-api\.net|azurefd\.net|microsoft\.com|microsoftonline\.com|"
                         r"visualstudio\.com|azure-devices\.net|trafficmanager\.net|cloudapp\.net|azconfig\.io|"
                         r"azureedge\.net|azurecontainerapps\.io|azuresynapse\.net|azuredatabricks\.net|"
                         r"azurehdinsight\.net|azure-mobile\.net|dev\.azure\.com)$")
# links an error prints for reading (aka.ms, Learn): no host the failing call goes to, Azure's or another's
_HELP_LINK_HOST = re.compile(r"(?i)^(?:aka\.ms|learn\.microsoft\.com|docs\.microsoft\.com|go\.microsoft\.com)$")


# environment_info keys that name an Azure service resource the code calls (an account, a vault, a namespace)
_CALLED_RESOURCE_KEY = re.compile(r"(?i)^(?:storage_account|key_?vault|\w+_namespace|cosmos\w*|\w*registry|"
                                  r"\w+_account)$")
_BARE_AZURE_HOST = re.compile(r"(?i)\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:core\.windows\.net|vault\.azure\.net|"
                              r"servicebus\.windows\.net|documents\.azure\.com|database\.windows\.net|"
                              r"openai\.azure\.com|azurecr\.io)\b")


# the "for now it runs on our premises / my laptop" form: local code that may still call an Azure resource
_FOR_NOW = re.compile(r"(?i)(?:for now|right now|at the moment|currently|so far)\b")


def _calls_azure_from_own_servers(state: SessionState, said: str) -> bool:
    """The client says where its own code runs (its servers, its data center) while that code calls an Azure
    resource the report names (a storage account, a vault, a namespace): the refused call is Azure's, in scope."""
    if "own" not in said.lower() and not _FOR_NOW.match(said):
        return False
    named = any(_CALLED_RESOURCE_KEY.match(str(k)) and str(v or "").strip()
                for k, v in state.material.environment.items())
    return named or any(_BARE_AZURE_HOST.search(t) for t in state.material.spoken())


# "haven't deployed anything yet" (not "since Monday": a deployment that stopped): local development, stated
_NOT_DEPLOYED_YET = re.compile(r"(?i)\b(?:haven't|have not|hasn't|has not) (?:been )?deployed anything "
                               r"(?:to azure )?yet\b")


def _nothing_deployed_yet(state: SessionState, decision: Decision) -> Decision:
    """A report that says nothing is deployed yet ends out of scope, in the words of the reading that already says
    so (a fault of the developer's own machine) or else as local development."""
    local = next((m for t in state.material.spoken() for m in [_NOT_DEPLOYED_YET.search(t)] if m), None)
    if local is None or (isinstance(decision, GiveUp | Conclude) and decision.report is not None
                         and decision.report.category == "out_of_scope"):
        return decision
    return _stated_outside_azure(state, local.group(0))


def route(state: SessionState) -> Decision:
    stated = next((m for t in state.material.spoken()
                   for m in [_OUTSIDE_AZURE.search(t)] if m), None)
    if stated is not None and not _calls_azure_from_own_servers(state, stated.group(0)):
        return _stated_outside_azure(state, stated.group(0))
    clock = next((m for t in state.material.spoken()
                  for m in [_LOCAL_CLOCK.search(t)] if m), None)
    if clock is not None:
        return _local_clock(state, f"the client says: '{clock.group(0)}'")
    said = state.material.spoken_text()
    skew = clock_off(said) or storage_date_off(said) or lifetime_off(said) or assertion_clock_off(said)
    if skew is not None:
        return _local_clock(state, skew)
    unstable = _UNSTABLE_LOCAL_NETWORK.search(said)
    if unstable is not None and _CUT_CONNECTION.search(said):
        return _local_network(state, unstable.group(0))
    wsl = _wsl_network_only(said)
    if wsl is not None:
        return _wsl_network(state, wsl)
    on_premises = _on_premises_only(state)
    if on_premises is not None:
        return _stated_outside_azure(state, on_premises)
    elsewhere = _third_party_fails_from_outside_too(state) or _hosted_elsewhere(state)
    if elsewhere is not None:
        return elsewhere
    # a computed fact the report or an answer shows decides
    mismatch = worker_runtime_mismatch(state, None) or regional_endpoint_mismatch(state) or expired_package_sas(state) \
        or role_held_by_another(state) or system_identity_called(state) \
        or front_end_cut(state) or login_name_mistyped(state) or login_suffix_other_server(state) \
        or report_finding(state)
    if mismatch is not None:
        return mismatch
    vendor = _vendor_call(state) or _outside_party(state)  # the failing call's answer is another vendor's
    if vendor is not None:
        return vendor
    hit = classification(state)
    entry = decisive(state)
    if entry is not None and entry.entry.category == "out_of_scope" and hit is not None \
            and hit.signature.category == "out_of_scope":
        return _out_of_scope(state, entry)  # the catalog names which platform it is
    named = hit if hit is not None and _specific(hit) else specific_hit(state)
    named = _agreeing_with_catalog(state, named, entry)
    if named is not None and contradicted(state, named.signature.category):
        named = None  # the material rules this family out (knowledge/contradictions.yaml)
    if named is not None and (_catalog_overrides(named, entry) or _printed_code_over_mention(state, named, entry)
                              or _quoted_inside_foreign_error(state, named, entry)):
        named = None  # the catalog's exact code names the cause, not the signature's looser reading
    if named is not None:
        decision = analyzer_for(named.signature.analyzer)(state, named)
        case = _stated_case(state, decision) or _sharper_question(state, decision, named)
        if case is not None:
            return case
        if entry is not None and _answered_with(state, entry) and not isinstance(decision, Conclude):
            return decide_from_entry(state, entry)  # the answer named the error the family's analyzer lacked
        if isinstance(decision, AskClient) and not decision.past_the_entry and entry is not None \
                and _entry_says_more(state, named, entry):
            return decide_from_entry(state, entry)
        if entry is not None and not entry.entry.conclusive and isinstance(decision, AskClient) \
                and _unsettled(decision):  # the entry's own check is a sharper question than the generic one
            return decide_from_entry(state, entry)
        if entry is None or not entry.entry.conclusive or not _unsettled(decision, entry.entry.category) \
                or (isinstance(decision, AskClient) and decision.past_the_entry):
            ambiguous = entry is not None and not entry.entry.conclusive  # the error has several usual causes
            return _refined_by_clue(state, decision, ambiguous) or _with_catalog_detail(state, decision, entry)
    if entry is not None and entry.entry.category == "out_of_scope":
        return _out_of_scope(state, entry)
    if entry is not None and not entry.entry.conclusive and not state.azure_access:
        clue = matching_clue(state)  # the report's own context decides better than a symptom code's generic check
        # a context clue ("nothing changed") outranks an error the catalog recognised only when it is decided; an
        # error the client's answer pasted (what the clue's own question asked for) counts as much as the report's
        if clue is not None and not (clue.get("context") and entry.origins & {"error", "answer"}
                                     and not clue_decided(state, clue)):
            return decide_from_clue(state, clue)
    if entry is not None and (entry.entry.conclusive or hit is None or _specific(hit) or _answered_with(state, entry)):
        refining = _refining_clue(state, entry.entry.category)
        if refining is not None:
            return decide_from_clue(state, refining)  # the report shows which case of that error it is
        if entry.origins <= {"evidence"} and state.azure_access:  # the error text named nothing: Azure did
            return _finish_playbook_first(state, entry)
        decision = decide_from_entry(state, entry)
        if not entry.entry.conclusive:  # an error of several usual causes: the one the report states needs no question
            answered = _stated_case(state, decision)
            if answered is not None:
                return answered
        return _guess_outranked(state, decision)
    if hit is not None and contradicted(state, hit.signature.category):
        hit = None  # a ruled-out family must not come back through the symptom path
    return _investigate_symptom(state, hit)


_SPECIFIC_PHRASE = 30  # characters: a matched message this long names one error, not a family


def _stated_case(state: SessionState, decision: Decision) -> Decision | None:
    """The family analyzer's generic question is not needed when the report already states a clue's deciding fact
    (an indexer behind a shared private link configured without the private environment): that clue answers. So it
    does when the analyzer gave up for want of a fact the answer did not give it, while the answer stated the clue's."""
    gave_up = isinstance(decision, GiveUp) and decision.reason == "exhausted"
    if not (isinstance(decision, AskClient) and not decision.past_the_entry) and not gave_up:
        return None
    clue = _decided_clue(state)
    return decide_from_clue(state, clue) if clue is not None else None


def _sharper_question(state: SessionState, decision: Decision, hit: Hit) -> Decision | None:
    """The family's analyzer would ask the generic question, while a clue of the same family names the report's case
    (a 504 whose app logged 200: a hop in front of it timed out): the clue's own question asks for what decides."""
    if not (isinstance(decision, AskClient) and (_unsettled(decision) or _bare_symptom_question(decision, hit))):
        return None
    clue = matching_clue(state)
    if clue is None or not _clue_of_family(clue, hit.signature.category):
        return None
    return decide_from_clue(state, clue)


def _decided_clue(state: SessionState) -> dict | None:
    """The report's clue when the report states its deciding fact; a context clue (the setting, not the failure)
    never counts here."""
    clue = matching_clue(state)
    return clue if clue is not None and not clue.get("context") and clue_decided(state, clue) else None


def _refining_clue(state: SessionState, category: str | None) -> dict | None:
    """A clue of the same category whose deciding fact the report states: it names which case of that error this
    is (the index document's letter case, a virtual environment in the package), so its answer is the finer one.
    A clue whose `outranks` lists the error's category names the cause behind that symptom (a function timeout that
    is the PowerShell worker deadlocking on a call to its own app) and refines it the same way."""
    clue = _decided_clue(state)
    if clue is None or category is None:
        return None
    return clue if clue["category"] == category or category in clue.get("outranks", ()) else None


def _refined_by_clue(state: SessionState, decision: Decision, ambiguous: bool = False) -> Decision | None:
    """A family analyzer's conclusion from the text alone (not one that rests on what a tool read), replaced by the
    decided clue of the same category when there is one, or of any category when the conclusion is only a guess
    (low confidence, or an error the catalog knows to have several usual causes: `ambiguous`). A family that could
    only ask yields to any clue whose deciding fact the report states (a 401 whose request sends a GUID as the key)."""
    if isinstance(decision, AskClient):
        decided = _decided_clue(state)
        return decide_from_clue(state, decided) if decided is not None else None
    if not isinstance(decision, Conclude) or _rests_on_reads(decision):
        return None
    clue = _refining_clue(state, decision.report.category)
    if clue is not None:
        return decide_from_clue(state, clue)
    guessed = _guess_outranked(state, decision, ambiguous)
    return guessed if guessed is not decision else None


def _guess_outranked(state: SessionState, decision: Decision, ambiguous: bool = False) -> Decision:
    """A low-confidence conclusion from the text alone is a guess among the error's usual causes (so is one whose
    error the catalog holds inconclusive); a clue whose deciding fact the report states (a contained user connecting
    without its database) names the case at medium confidence, whatever its category."""
    if not isinstance(decision, Conclude) or _rests_on_reads(decision) \
            or not (decision.report.confidence == "low" or ambiguous):
        return decision
    clue = _decided_clue(state)
    return decide_from_clue(state, clue) if clue is not None else decision


def _agreeing_with_catalog(state: SessionState, named: Hit | None, entry: EntryHit | None) -> Hit | None:
    """Of two families the error's words both name (a bare Key Vault 403 and the vault firewall's own message), the
    one whose category the catalog's conclusive entry has, when the catalog read the other family's words as
    inconclusive: the message that says why outranks the one that only says that it failed, whichever signature
    comes first in the file."""
    if named is None or entry is None or not entry.entry.conclusive or entry.entry.wrapper \
            or named.signature.category == entry.entry.category:
        return named
    if not any(h.entry.category == named.signature.category and not h.entry.conclusive for h in catalog_hits(state)):
        return named  # the catalog did not weigh the named family's words (a situation, a placeholder): it stands
    spoken = Material(error_description=state.material.error_description, answers=state.material.answers)
    return next((h for h in classify(spoken) if _specific(h) and h.signature.category == entry.entry.category),
                named)


def _with_catalog_detail(state: SessionState, decision: Decision, entry: EntryHit | None) -> Decision:
    """A family's analyzer names the cause in its family's words; when the catalog matched a long message of the
    same category (one specific error of that family), its meaning and fix are added: the family's answer stays,
    and the specific error's own explanation is not lost."""
    if not isinstance(decision, Conclude) or entry is None or entry.entry.wrapper or not entry.entry.conclusive:
        return decision
    if decision.report.category != entry.entry.category or not any(
            m.kind != "code" and len(m.found) >= _SPECIFIC_PHRASE for m in entry.matches):
        return decision
    detail = conclude(state, entry, decision.report.confidence).report
    meaning = fill(entry.entry.meaning, facts_of(state, entry)).strip()
    if meaning.lower()[:60] in decision.report.root_cause.lower():
        return decision
    decision.report.root_cause = f"{decision.report.root_cause.rstrip()} Specifically: {meaning}"
    decision.report.actions += [a for a in detail.actions if a not in decision.report.actions]
    decision.report.evidence += [e for e in detail.evidence if e.source == "catalog"]
    return decision


def classification(state: SessionState) -> Hit | None:
    """The signature that decides the error's family, or None (the hybrid engine shows it to the model)."""
    hits = classify(state.material)
    # Another platform's signals count only when nothing points at Azure, and then they decide: a manifest error
    # from ghcr.io or a timeout in a Lambda is that platform's, whatever Azure error it resembles.
    foreign = [h for h in hits if h.signature.category == "out_of_scope"]
    if foreign and not mentions_azure(state.material):
        return foreign[0]
    in_scope = [h for h in hits if h.signature.category != "out_of_scope"]
    return in_scope[0] if in_scope else None


def _specific(hit: Hit) -> bool:
    return not hit.signature.id.startswith(SYMPTOM_PREFIX) and hit.signature.analyzer != "unknown"


# Families a signature names from the situation, not from the error's words (another platform's tooling; others
# elsewhere hit by the same failure at once): an error code in the report is then the symptom, not the cause.
_SITUATIONAL = frozenset({"out_of_scope", "platform.service_incident"})


def _names_another_cause(hit: Hit, entry: EntryHit | None) -> bool:
    """A conclusive catalog entry, no envelope, of another category than the signature's family (a situational
    family, out of scope or an incident, is never overridden): what may take the decision from the signature."""
    return entry is not None and entry.entry.conclusive and not entry.entry.wrapper \
        and entry.entry.category != hit.signature.category and hit.signature.category not in _SITUATIONAL


def _catalog_overrides(hit: Hit, entry: EntryHit | None) -> bool:
    """An exact catalog code naming another cause beats a signature that matched only a looser text."""
    if entry is None or not _names_another_cause(hit, entry):
        return False
    if not entry.exact:
        return _same_words_in_context(hit, entry) or _code_line_against_message(hit, entry) \
            or _cause_in_context(hit, entry) \
            or (hit.signature.category in entry.entry.explains and _whole_message_in_error(hit, entry))
    if _entra_answered_inside_chain(hit, entry) or hit.signature.category in entry.entry.explains:
        return True  # the entry's error brings the signature's about (`explains`): it is the cause to decide on
    if any(_CODE_LIKE.search(quote) for quote in hit.quotes):
        # both name the same code: the entry whose context holds (its `requires` names the report's situation)
        # says which case of that code it is
        return names_a_context(entry.entry) and any(code in quote for quote in hit.quotes for code in entry.entry.codes)
    return True


def _whole_message_in_error(hit: Hit, entry: EntryHit) -> bool:
    """The entry matched a whole message of the error (30+ characters, longer than what the signature saw): with
    `explains` naming the signature's family, that message is the cause of the symptom the signature read."""
    said = [len(m.found) for m in entry.matches if m.origin == "error"]
    return bool(said) and max(said) >= _SPECIFIC_PHRASE and all(max(said) > len(quote) for quote in hit.quotes)


def _printed_code_over_mention(state: SessionState, hit: Hit, entry: EntryHit | None) -> bool:
    """The error prints the entry's code where it prints its code (`Code: X`), while the signature's code appears only
    in the prose around it (a diagnostic command the reporter ran "says ResourceNotFound"): the printed code is the
    failure, the mentioned one a side remark."""
    if entry is None or not entry.exact or not _names_another_cause(hit, entry):
        return False
    said = state.material.spoken_text()
    printed = printed_codes(said)
    quoted = {code.group(0) for quote in hit.quotes for code in _CODE_LIKE.finditer(quote)}
    if not quoted or not printed & set(entry.entry.codes) or quoted & printed:
        return False
    # a code inside the printed code's own message is its inner cause (ParentResourceNotFound in a validation failure)
    return not any(code in line for line in said.splitlines() if any(c in line for c in entry.entry.codes)
                   for code in quoted)


_ENTRA_CODE = re.compile(r"AADSTS\d{5,6}")


def _entra_answered_inside_chain(hit: Hit, entry: EntryHit) -> bool:
    """A credential chain's failure (DefaultAzureCredential "failed to retrieve a token", read as a missing identity)
    that quotes Entra ID's own answer to one of its credentials (AADSTS500011 ...): a credential reached Entra and was
    refused for that reason, so the coded answer names the cause and the chain's summary only wraps it."""
    return hit.signature.category == "auth.managed_identity_missing" and any(
        m.kind == "code" and m.origin == "error" and _ENTRA_CODE.fullmatch(m.found) for m in entry.matches)


def _code_line_against_message(hit: Hit, entry: EntryHit) -> bool:
    """The signature saw only a line of code (a setting read such as os.environ["KEY"], no error words), while the
    error text holds the catalog entry's own message, long enough to name one error, in the context the entry
    requires: the message says what failed, the code line only where a value came from."""
    if not names_a_context(entry.entry) or not hit.quotes or any(_ERROR_LINE.search(q) for q in hit.quotes):
        return False
    return any(m.origin == "error" and len(m.found) >= _SPECIFIC_PHRASE for m in entry.matches)


def _quoted_inside_foreign_error(state: SessionState, hit: Hit, entry: EntryHit | None) -> bool:
    """Every word the signature read (a generic `toomanyrequests`) is on a line of the report that also carries
    another platform's own error message (Docker Hub's "You have reached your pull rate limit"): the family's generic
    reading is that platform's error, so the out-of-scope entry decides."""
    if entry is None or entry.entry.category != "out_of_scope" or not entry.entry.conclusive or not hit.quotes:
        return False
    # every other platform's entry the report's own words matched counts, not only the best one: a Gemini error
    # prints Google's tag on the line with the 429 and an OpenAI-style quota message on the next
    foreign = [entry] + [h for h in catalog_hits(state) if h is not entry and h.entry.category == "out_of_scope"
                         and h.entry.conclusive and h.origins & {"error", "answer"}]
    own = [m.found.lower() for h in foreign for m in h.matches
           if m.origin in ("error", "answer") and (m.kind == "code" or " " in m.found.strip())]
    lines = [line.lower() for line in state.material.spoken_text().splitlines() if line.strip()]
    foreign_lines = [line for line in lines if any(words in line for words in own)]
    return bool(foreign_lines) and all(any(quote.lower() in line for line in foreign_lines) for quote in hit.quotes)


def _cause_in_context(hit: Hit, entry: EntryHit) -> bool:
    """The error's own message, long enough to name one error and in the context the entry requires, is the cause
    that brings the signature's family about (`explains`: a pull-through cache rule mapping every image onto Docker
    Hub's library/ namespace makes the pull a denied one): the family's generic reading of the outcome gives way."""
    if hit.signature.category not in entry.entry.explains or not names_a_context(entry.entry):
        return False
    return any(m.origin == "error" and len(m.found) >= _SPECIFIC_PHRASE for m in entry.matches)


def _same_words_in_context(hit: Hit, entry: EntryHit) -> bool:
    """The signature's own message, which the catalog also holds for a case whose context the report shows (its
    `requires` holds: "No job functions found" beside a v2 Python function whose request parameter is not `req`):
    that entry says which case of the message it is, so the family's generic reading gives way. Without a context
    of its own, or when the signature saw other words, the family stands."""
    if not names_a_context(entry.entry) or not hit.quotes:
        return False
    found = [m.found.lower() for m in entry.matches]
    return all(any(words in normalize(quote).lower() for words in found) for quote in hit.quotes)


def _entry_says_more(state: SessionState, hit: Hit, entry: EntryHit) -> bool:
    """Without Azure to read, a conclusive catalog entry of the signature's own family that matched a whole message
    (not just the code the signature saw) explains more than the question the family's analyzer would ask: the
    bare `QuotaExceeded` of "Exceeded the maximum number of allowed receivers per partition"."""
    if state.azure_access or not entry.entry.conclusive or entry.entry.wrapper:
        return False
    said = [len(m.found) for m in entry.matches if m.origin == "error"]
    if entry.entry.category != hit.signature.category or not said:
        return False
    if entry.exact:
        return True  # the error's own code names the cause: a question cannot change the family, only add detail
    return max(said) >= _SPECIFIC_PHRASE and all(max(said) > len(quote) for quote in hit.quotes)


def _bare_symptom_question(decision: Decision, hit: Hit) -> bool:
    """A bare status's first question ("a 403 by itself does not say why"): as generic as the family's, so a clue of
    its family that names the report's case (the service and the roles involved) asks the sharper one."""
    return isinstance(decision, AskClient) and not decision.past_the_entry and hit.signature.analyzer == "symptom"


def _clue_of_family(clue: dict, category: str) -> bool:
    """A clue that names a failure of this category (a context clue describes the setting, never the failure)."""
    return not clue.get("context") and clue["category"] == category


def _clue_settles_symptom(state: SessionState, decision: Decision, clue: dict) -> bool:
    """The family's analyzer (a bare 401 or 403, a timeout, a network path) would only ask, while the report states
    the deciding fact of a clue (the WAF rule that matched, port 25, a test to a host outside Azure): the clue
    decides."""
    return isinstance(decision, AskClient) and not clue.get("context") and clue_decided(state, clue)


def _unsettled(decision: Decision, category: str | None = None) -> bool:
    """The family's analyzer could not settle it: it would ask the generic question, or it gave up for want of a
    fact while still holding to the family (`category`, the catalog's reading, is the family its partial report
    names). A give-up that ruled the family out (its report names no category) is a finding, not a gap."""
    if isinstance(decision, AskClient):
        return decision.request.question.startswith(UNKNOWN_QUESTION)  # with or without the command to run
    if not isinstance(decision, GiveUp) or decision.reason != "exhausted":
        return False
    return category is None or decision.report.category == category


def _azure_before_asking(state: SessionState, decision: Decision) -> Decision:
    """A question for the client waits until Azure has been read: with access, the resource's playbook runs first,
    and a finding it shows (a change, a setting, a state) answers instead; when it shows none, the question stands."""
    if not isinstance(decision, AskClient) or not state.azure_access:
        return decision
    step = investigate(state)
    if step is not None:
        return step
    found = _from_findings(state)
    if isinstance(found, Conclude):
        return found
    return claimed_role_missing(state) or decision  # the role the report says was given, checked where it counts


def _azure_before_concluding(state: SessionState, decision: Decision) -> Decision:
    """With Azure access, a conclusion from the text waits until the resource's playbook has been read. For a symptom
    with several causes (`investigate_first`) a finding of the playbook (the storage account deleted, a setting
    missing) names which cause it is; for any other, a finding of the same category replaces the text's general
    reading with what Azure shows (the identity re-created, the deployment's capacity lowered), while a finding of
    another category does not overrule the error's own words unless they gave only a low-confidence guess."""
    if not isinstance(decision, Conclude) or not state.azure_access:
        return decision
    if not decision.investigate_first and _rests_on_reads(decision):
        # the analyzer already checked its conclusion in Azure; only a finding that names this reading among those
        # it explains (`overrules`: the vault's firewall refusing a trusted service whose role the analyzer read)
        # still answers
        overruled = finding_overruling(state, decision.report.category or "")
        return conclude_finding(state, *overruled) if overruled is not None else decision
    answer = _playbook_answer(state)
    if _change_refused_by_code(state, decision, answer):
        return decision  # the running app's trouble is why the change was made, not why it was refused
    if answer is not None and (decision.investigate_first or not isinstance(answer, Conclude)
                               or answer.report.category == decision.report.category
                               or decision.report.confidence == "low"  # a guess from the text yields to Azure
                               or _confirms_the_report(state, decision.report.category)
                               or _environment_not_code(state, decision, answer)
                               or _missing_parameter_is_missing_setting(state, decision, answer)):
        return answer
    overruling = finding_overruling(state, decision.report.category or "") if isinstance(answer, Conclude) else None
    if overruling is not None:  # a later finding explains this reading's symptoms although another fired first
        return conclude_finding(state, *overruling)
    if isinstance(answer, Conclude) and decision.report.category:  # a finding of another category fired first:
        same = finding_of_category(state, decision.report.category)  # Azure's facts for the error's own category
        if same is not None:
            return conclude_finding(state, *same)
    known = " ".join(e.summary for e in decision.report.evidence)
    logged = [m.context[:300] for h in catalog_hits(state) if "evidence" in h.origins for m in h.matches
              if m.origin == "evidence" and m.context[:300] not in known]
    # what Azure showed of the symptom (a logged host error naming the account it cannot reach) is the report's too
    decision.report.evidence += [EvidenceItem(source="azure", summary=line) for line in dict.fromkeys(logged[:2])]
    return decision


def _change_refused_by_code(state: SessionState, decision: Decision, answer: Decision | None) -> bool:
    """A change (an update, a deployment) refused with an exact code the error text prints, concluded in a deployment
    category, against a finding about how the running app behaves (its memory, its crashes): the report tells that
    trouble as the reason for the change, and the refusal's own code says why the change failed."""
    if not (isinstance(decision, Conclude) and isinstance(answer, Conclude)
            and (decision.report.category or "").startswith("deployment.")
            and (answer.report.category or "").startswith("runtime.")):
        return False
    entry = decisive(state)
    return entry is not None and entry.exact and entry.entry.conclusive and "error" in entry.origins \
        and entry.entry.category == decision.report.category


def _confirms_the_report(state: SessionState, category: str | None) -> bool:
    """The finding that answers checks a fact the report itself names (`overrules_text`: the setting the error says
    is unresolved, read in Azure as absent), which says more than a general reading of the error's words; or it
    explains the reading's symptoms (`overrules`: a platform incident behind busy and timed-out calls)."""
    found = finding(state)
    return found is not None and (bool(found[0].get("overrules_text")) or category in found[0].get("overrules", []))


def _environment_not_code(state: SessionState, decision: Decision, answer: Decision) -> bool:
    """The error's words read as a bug in the code, but the client says the same code works locally and Azure shows
    the app lacks a setting that code reads: what differs between the two places is the environment, so the missing
    setting answers (a misleading error such as Durable's "Non-Deterministic workflow" for a failed activity)."""
    return (isinstance(decision, Conclude) and decision.report.category == "runtime.code_defect"
            and isinstance(answer, Conclude) and answer.report.category == "config.missing_app_setting"
            and bool(missing_code_settings(state)) and bool(WORKS_LOCALLY.search(said_by_client(state))))


# a parameter or value the error says the request lacks ("must contain the following parameter: 'client_id'")
_MISSING_PARAMETER = re.compile(r"(?i)(?:must contain|is missing|missing|requires?|required)[^'\"\n]{0,40}"
                                r"(?:parameter|field|value|property|setting)s?\b[^'\"\n]{0,12}['\"](?P<name>[\w.-]{4,60})['\"]")


def _listed_app(state: SessionState) -> dict[str, str]:
    """The app whose setting names were read, by its name (function_app), and as static_app when it is a static web
    app (whose settings another command sets)."""
    listed = latest(state, "list_app_setting_names")
    site = str(listed.arguments.get("site_id") or "") if listed is not None else ""
    if not site:
        return {}
    name = site.rstrip("/").rsplit("/", 1)[-1]
    return {"function_app": name, **({"static_app": name} if "/staticsites/" in site.lower() else {})}


def _same_suffix(setting: str, names: list[str]) -> str:
    """An app setting that ends in the same last two words as the missing one but has another prefix (AZURE_CLIENT_ID
    where the configuration names AAD_CLIENT_ID): the value is there under a name nothing reads."""
    words = [w for w in re.split(r"[_:]+", setting.upper()) if w]
    if len(words) < 3:
        return ""
    tail = words[-2:]
    return next((n for n in names if n.upper() != setting.upper()
                 and [w for w in re.split(r"[_:]+", n.upper()) if w][-2:] == tail), "")


def _missing_parameter_is_missing_setting(state: SessionState, decision: Decision, answer: Decision) -> bool:
    """The error says the request lacks a parameter (AADSTS900144: the body lacks 'client_id'), which the text reads
    as the code's fault, while Azure shows that the app lacks the very setting its configuration names to supply it
    (staticwebapp.config.json's clientIdSettingName 'AAD_CLIENT_ID'): the missing setting is why the value is empty."""
    if not (isinstance(decision, Conclude) and isinstance(answer, Conclude)
            and answer.report.category == "config.missing_app_setting"):
        return False
    wanted = {m.group("name").replace("_", "").replace("-", "").lower()
              for m in _MISSING_PARAMETER.finditer(state.material.spoken_text())}
    return any(w in m.replace("_", "").replace(":", "").lower() for w in wanted for m in missing_code_settings(state))


def _rests_on_reads(decision: Conclude) -> bool:
    """Whether the conclusion cites what a tool read (Azure, a file), not only the error's words and the knowledge."""
    return bool({e.source for e in decision.report.evidence} - _TEXT_ONLY_SOURCES - _REREADING_TOOLS)


def _finish_playbook_first(state: SessionState, entry: EntryHit) -> Decision:
    """An error found only in the resource's logs: the rest of its playbook still runs, and a finding (a setting,
    a state, a recent change of a resource, named) says why the logged error happens; without one, the logged
    error is the answer."""
    answer = _playbook_answer(state)  # what Azure shows of the resource says why the logged error happens
    return answer if answer is not None else decide_from_entry(state, entry)


def _playbook_answer(state: SessionState) -> Decision | None:
    """The playbook's next read, else the conclusion a finding of its evidence gives; an exact error code the logs
    printed answers instead of a medium finding of another category (a timer schedule AZFD0015 logged by the host
    says more than an inferred identity gap); None when it read everything and nothing concludes."""
    step = next_read(state)
    if step is not None:
        return step
    found = _from_findings(state)
    logged = _logged_code(state)
    if logged is not None and not (isinstance(found, Conclude) and (found.report.confidence == "high" or
                                                                     found.report.category == logged.entry.category)):
        # the platform's own error outranks a finding inferred from settings, unless the error is a message without
        # a code and the finding names its reading among those it explains (`overrules`: apps sharing a task hub
        # make "function doesn't exist"); an exact code the logs printed still answers
        overruling = finding_overruling(state, logged.entry.category) if not logged.exact else None
        return conclude_finding(state, *overruling) if overruling is not None else decide_from_entry(state, logged)
    return found if isinstance(found, Conclude) else None


def _logged_code(state: SessionState) -> EntryHit | None:
    """An exact error code that only Azure's logs printed (not the report), or one error's message matched in two of
    its parts (a host's AZFD0004 line carries no code): the platform's own words for the failure."""
    return next((h for h in catalog_hits(state) if h.origins == {"evidence"} and _names_one_error(h)
                 and h.entry.conclusive and not h.entry.wrapper and h.entry.category != "out_of_scope"), None)


def _names_one_error(hit: EntryHit) -> bool:
    """An exact code, or two distinct phrases of the entry: one error's own message rather than a sentence several
    errors share (a port mismatch's single phrase still yields to a finding of what Azure shows)."""
    return hit.exact or len({m.found.lower() for m in hit.matches if m.kind != "code"}) >= 2


def _from_findings(state: SessionState) -> Decision | None:
    """What the evidence findings decide once the playbook has run (a delegated finding asks its analyzer)."""
    missing = missing_code_settings(state)
    if missing:
        setting = missing[0].replace(":", "__")  # a .NET configuration key as an app setting names it
        names = read_setting_names(state) or []
        other = identity_group_elsewhere(setting, names)
        similar = _same_suffix(setting, names)
        return conclude_finding(state, table_entry(FINDINGS, "code-setting-not-in-app"),
                                {"setting": setting, **other, **({"similar": similar} if similar else {}),
                                 **_listed_app(state)})
    found = finding(state)
    if found is not None and found[0].get("delegate"):
        signature = next(s for s in signatures() if s.id == found[0]["delegate"])
        return analyzer_for(signature.analyzer)(state, Hit(signature, quotes=[found[0]["root_cause"].strip()]))
    return conclude_finding(state, *found) if found is not None else None


def _investigate_symptom(state: SessionState, hit: Hit | None) -> Decision:
    """No code decides: read the resource's playbook in Azure, then judge the evidence; else ask or give up."""
    step = next_read(state)
    if step is not None:
        return step
    decided = _from_findings(state)
    if decided is not None:
        return decided
    expired = expired_before_failures(state)  # the report's own dates show a credential ran out before the failures
    if expired is not None:
        return expired
    clue = matching_clue(state)
    if hit is not None:
        decision = analyzer_for(hit.signature.analyzer)(state, hit)
        if clue is None or not (_unsettled(decision) or _clue_settles_symptom(state, decision, clue)
                                or (_bare_symptom_question(decision, hit)
                                    and _clue_of_family(clue, hit.signature.category))):
            return decision
    if clue is not None:
        return decide_from_clue(state, clue)
    by_shape = code_by_shape(state)  # the error's own code, by its ending, says more than words near other errors
    if by_shape is not None:
        return by_shape
    # the nearest entry of that category whose service the report names speaks for it (another service's words
    # near the report's are no lead for it)
    lead = nearest_lead(state)
    if lead is not None:
        return conclude_from_lead(state, lead)
    return nearest_finding(state) or _foreign_provider(state) or ask_for_the_error(state, None)


def _third_party_fails_from_outside_too(state: SessionState) -> Decision | None:
    """The failing call goes to a service outside Azure (every URL in the report is another provider's) and the
    client says it fails the same way from their own machine: Azure is not on the failing path."""
    text = state.material.error_description
    same = _SAME_FROM_OUTSIDE.search(text)
    hosts = _hosts_in([text])
    if same is None or not hosts or any(_AZURE_HOST.search(h) for h in hosts):
        return None
    found = partial_report(state, root_cause=(
        f"The failing call goes to {', '.join(sorted(hosts))}, a service outside Azure, and it fails the same way "
        f"from outside Azure (the client says: '{same.group(0)}'): the limit or error comes from that service or its "
        "gateway, not from Azure."))
    found.category, found.confidence = "out_of_scope", "medium"
    found.actions = ["Check that service's documented limits (request timeouts of its gateway, quotas) or ask its "
                     "operators; make long requests asynchronous or smaller on the client side."]
    return GiveUp(reason="out_of_scope", report=found,
                  message="The failure is in a service outside Azure; this service debugs Azure errors only.")


def _hosted_elsewhere(state: SessionState) -> Decision | None:
    """The error itself shows that the failing app runs on another platform (a Heroku router line, a GKE auth
    plugin, a kind cluster), or that the server it calls is another provider's managed MySQL, PostgreSQL or Redis:
    that platform's words outrank a generic runtime error the catalog knows from App Service, unless the error
    carries an Azure error code or message the catalog knows. A message the database engine prints on every host
    (the catalog service the provider's `same_engine` names) is no such Azure message."""
    found = _foreign_words(state, hosting_only=True)
    if found is None:
        return None  # most reports name no other platform: no second look
    provider, said = found
    entry = decisive(state)
    if entry is not None and entry.entry.category != "out_of_scope" and entry.entry.conclusive and any(
            m.origin == "error" and (m.kind == "code" or len(m.found) >= _SPECIFIC_PHRASE) for m in entry.matches) \
            and not regex(provider.get("same_engine") or r"(?!)").search(entry.entry.service):
        return None  # an Azure service's own error (an API key the Azure resource refused) is still Azure's
    outside = _from_provider(state, provider, said)
    if entry is not None and regex(provider.get("same_engine") or r"(?!)").search(entry.entry.service) \
            and any(m.origin == "error" for m in entry.matches) and isinstance(outside, GiveUp) and outside.report:
        # the engine's own message says what it refused on every host (a superuser-only operation): keep it
        meaning = " ".join(fill(entry.entry.meaning, facts_of(state, entry)).split())
        outside.report.root_cause += (" The message itself is the one the same engine or protocol prints on every"
                                      " host: " + meaning)
    return outside


def _vendor_call(state: SessionState) -> Decision | None:
    """The failing call's own answer is another vendor's (its API host in the request line or "for url", its SDK in
    the frames, its error body's shape: a provider's `failing` forms in knowledge/foreign_providers.yaml), nothing
    of Azure is on its path and no Azure error the catalog knows is in the error text: out of scope, naming the
    vendor, before any symptom question. A catalog entry that knows the vendor's error itself answers with its
    meaning; an Azure code or long catalog message keeps the report Azure's. With Azure access the resource's
    playbook runs first, and a finding of it answers instead."""
    found = _vendor_words(state)
    if found is None or _LITERAL_REFERENCE.search(state.material.error_description):
        return None  # (the vendor refused the literal text of a Key Vault reference the app never resolved: Azure's)
    entry = decisive(state)
    if entry is not None and entry.entry.category == "out_of_scope":
        return _out_of_scope(state, entry)
    if _azure_error_known(state):
        return None
    if state.azure_access:  # what Azure shows first (a Key Vault reference that sent its literal text as the key)
        answer = _playbook_answer(state)
        if answer is not None:
            return answer
    return _from_provider(state, *found)


def _outside_party(state: SessionState) -> Decision | None:
    """What the report shows of the failing party outside Azure (shared/engines/outside_party.py): the part of the job
    it names as failing while the Azure part works, another cloud's database allow-list that lacks the app's
    outbound address, or a Terraform run whose failed resources are all one outside provider's; only with no Azure
    error known and no Azure host on the path. With Azure access the resource's
    playbook runs first."""
    if _azure_error_known(state) or any(_AZURE_HOST.search(h) for h in _hosts_in(state.material.spoken())):
        return None
    found = other_cloud_allow_list(state) or named_failing_party(state) or failing_terraform_provider(state)
    if found is None:
        return None
    if state.azure_access:
        answer = _playbook_answer(state)
        if answer is not None:
            return answer
    return found


def _azure_error_known(state: SessionState) -> bool:
    """An Azure error the catalog knows in the error text or an answer: an exact code (HTTP reason words such as
    "Forbidden" are no such code), or a message long enough to name one error, of an entry that decides by itself
    (not an envelope such as Oryx's "failed to build", not a symptom whose words a report repeats in passing, such
    as the `@Microsoft.KeyVault(SecretUri=` of a setting it describes)."""
    return any(h.entry.category != "out_of_scope" and any(
        m.origin in ("error", "answer") and (
            (m.kind == "code" and h.exact and not _HTTP_WORD.match(m.found))
            or (m.kind != "code" and len(m.found) >= _SPECIFIC_PHRASE and h.entry.conclusive and not h.entry.wrapper))
        for m in h.matches) for h in catalog_hits(state))


def _vendor_words(state: SessionState) -> tuple[dict[str, Any], str] | None:
    """The first provider whose `failing` forms the client's texts show (not negated, not ruled out, not a vendor the
    client only plans to use), with those words, when no Azure host is named and the call got an answer."""
    spoken = state.material.spoken()
    azure_named = any(_AZURE_HOST.search(h) for h in _hosts_in(spoken))
    unreached = any(_UNREACHED.search(t) for t in spoken)
    said = " ".join([*spoken, *state.material.technologies()])
    for provider in table(_FOREIGN_PROVIDERS):
        if not provider.get("failing") or (provider.get("requires") and not regex(provider["requires"]).search(said)):
            continue
        if azure_named and not (provider.get("in_page") and _affirmed_mention(spoken, provider["in_page"])):
            continue  # an Azure host on the path, unless the vendor's own widget says it in the page Azure serves
        if unreached and not regex(provider.get("answered") or r"(?!)").search(said):
            continue  # a call that may never have got an answer, unless the vendor's own error body shows it did
        if provider.get("unless") and regex(provider["unless"]).search(said):
            continue  # words that put the failing step on Azure after all (App Service's own build of the app)
        shown = _affirmed_mention(spoken, provider["failing"])
        if shown is not None:
            return provider, shown
    return None


def _affirmed_mention(texts: list[str], pattern: str) -> str | None:
    """The first words of the texts the provider pattern matches that the client neither denies, rules out ("we no
    longer use S3") nor only plans to use."""
    return next((m.group(0) for t in texts for m in regex(pattern).finditer(t)
                 if not negated(t, m.start(), m.end())
                 and not _NOT_USED.search(t[max(0, m.start() - 40):m.start()])
                 and not _PLANNED_USE.search(t[max(0, m.start() - 160):m.start()])), None)


def _vendor_meanings(state: SessionState, provider: dict[str, Any]) -> str:
    """What the vendor's own error means (its `meanings` whose `when` the client's texts show)."""
    said = state.material.spoken_text()
    return " ".join(m["meaning"] for m in provider.get("meanings") or [] if regex(m["when"]).search(said))


def _foreign_provider(state: SessionState, hosting_only: bool = False) -> Decision | None:
    """No Azure error in the report is known, no Azure host is named, and the error shows another provider's own
    words (an S3 response, Cloudflare's headers, a Supabase pooler host): the failing call went to that provider,
    so the report ends as out of scope instead of asking for more output (knowledge/foreign_providers.yaml)."""
    found = _foreign_words(state, hosting_only)
    return _from_provider(state, *found) if found is not None else None


def _foreign_words(state: SessionState, hosting_only: bool = False) -> tuple[dict[str, Any], str] | None:
    """The first provider of knowledge/foreign_providers.yaml whose words the report shows, with those words, when
    no Azure host is named and the call got an answer. `hosting_only` reads only the platforms an app runs on and
    the managed servers that run an Azure service's engine (`same_engine`), in the error text itself."""
    spoken = [*state.material.spoken(), " ".join(state.material.technologies())]
    if any(_AZURE_HOST.search(h) for h in _hosts_in(spoken)) or any(_UNREACHED.search(t) for t in spoken):
        return None  # an Azure endpoint on the path, or a call that never got an answer: Azure's side may cut it
    if hosting_only:
        spoken = [state.material.error_description]
    for provider in table(_FOREIGN_PROVIDERS):
        if hosting_only and not (provider.get("hosting") or provider.get("same_engine")):
            continue
        if provider.get("unless") and any(regex(provider["unless"]).search(_PLANNED_MOVE.sub(" ", t)) for t in spoken):
            continue  # an Azure server of that engine is named after all (not one the client only plans to move to)
        pattern = str(provider.get("pattern") or provider["failing"])
        if provider.get("requires") and not regex(provider["requires"]).search(" ".join(spoken)):
            continue
        said = _affirmed_mention(spoken, pattern)
        if said is not None:
            return provider, said
    return None


def _from_provider(state: SessionState, provider: dict[str, Any], said: str) -> Decision:
    outside = _client_side(
        state, f"The error comes from {provider['provider']}, not from Azure: the report shows "
               f"'{' '.join(said.split())}' and no Azure error or Azure endpoint on the failing path. The Azure "
               "services the report mentions around it are not what refused or failed the call."
               + (f" {meaning}" if (meaning := _vendor_meanings(state, provider)) else ""),
        f"Troubleshoot it with {provider['provider']}'s own documentation and tools; nothing in Azure needs to "
        "change for this error.",
        "The error comes from a service outside Azure; this service debugs Azure errors only.")
    source = f"{provider['provider']}: {provider['source']}"
    outside.report.evidence = [EvidenceItem(source="knowledge", summary=source[:300])]
    return outside


def _hosts_in(texts: list[str]) -> set[str]:
    """The host names of the URLs in the texts (lower case), Microsoft's help links aside."""
    return {h.lower() for t in texts for h in _URL_HOST.findall(t) if not _HELP_LINK_HOST.match(h)}


_FOREIGN_PROVIDERS = "foreign_providers"
# the call got no answer at all (a timeout, a refused or reset connection, a name that does not resolve): the
# provider's address alone does not place the failure there, the path from Azure (a proxy, NAT, NSG) may cut it
# (reCAPTCHA's "timeout-or-duplicate" is an answer it gave about a token, no call that timed out)
_UNREACHED = re.compile(r"(?i)\btim(?:es|ed|ing) ?out\b|\btimeout\b(?!-or-duplicate)|\bETIMEDOUT\b|"
                        r"\bECONNREFUSED\b|\bECONNRESET\b|"
                        r"\bconnection (?:was )?(?:refused|reset)\b|\bcould not connect\b|\bunreachable\b|"
                        r"\bENOTFOUND\b|\bgetaddrinfo\b|name (?:or service not known|resolution)")
# "we might move it to Azure Database for PostgreSQL next year", "we're planning to migrate to Azure in Q3": an Azure
# service the client only plans to move to is not on today's failing path
_PLANNED_MOVE = re.compile(r"(?i)\b(?:might|may|will|plan\w* to|going to|want to|intend to|consider\w*|"
                           r"thinking (?:of|about))"
                           r"\s+(?:\w+\s+){0,3}?(?:move|moving|migrate|migrating|switch|switching)\b[^.;\n]{0,100}")
# "we do not use DynamoDB any more", "no longer on S3": the provider is named to be ruled out
_NOT_USED = re.compile(r"(?i)\b(?:not|no longer|never|n't)\s+(?:\w+\s+){0,2}$")
# "we plan to add Mailgun (api.eu.mailgun.net) next sprint": a vendor the client only plans to use, in the same sentence
_PLANNED_USE = re.compile(r"\b(?:plan(?:s|ning)? to|going to|want to|intend to|will (?:add|use|switch)|"
                          r"might (?:add|use)|consider\w*|thinking (?:of|about))\b(?:\s+(?!azure\b)[\w-]+){0,4}"
                          r"[\s(\"'`]*$", re.IGNORECASE)
# a credential whose value is the literal text of a Key Vault reference ("Invalid API Key provided: @Microso***")
_LITERAL_REFERENCE = re.compile(r"(?i)\b(?:provided|key|token|secret|password)\b\W{0,3}[:=]\s*['\"]?@Microso")
# HTTP reason words a vendor's answer shares with Azure's error codes
_HTTP_WORD = re.compile(r"(?i)^(?:Forbidden|Unauthorized|NotFound|Not Found|BadRequest|Bad Request|Conflict|"
                        r"TooManyRequests|InternalServerError|ServiceUnavailable|GatewayTimeout|BadGateway|"
                        r"AuthenticationFailed|AccessDenied|InvalidAuthenticationInfo)$")
_ON_PREMISES = re.compile(r"(?i)^(?:on[- ]?prem(?:ises?)?|self[- ]hosted server|own data ?cent(?:er|re))$")
# the report's system is an IIS on the client's own desktop or laptop (not IIS Express beside an App Service test):
# counted only when nothing in the report names Azure, as "works on my local IIS, fails on App Service" is Azure's
_OWN_MACHINE_IIS = re.compile(r"(?i)\b(?:my|our) local IIS\b|\bIIS(?: \d+(?:\.\d+)?)? on my (?:own )?(?:laptop|pc|"
                              r"machine|computer|workstation|dev(?:elopment)? (?:machine|box))\b|\blocal IIS \((?:on )?"
                              r"Windows (?:10|11)\b")


def _on_premises_only(state: SessionState) -> str | None:
    """environment_info lists an on-premises setup among the technologies and nothing in the report names Azure:
    a hybrid report (an on-premises DNS server forwarding to Azure) names Azure somewhere, this one does not."""
    listed = state.material.technologies()
    found = next((t for t in listed if _ON_PREMISES.match(t.strip())), None)
    own_iis = next((m.group(0) for t in state.material.spoken() for m in [_OWN_MACHINE_IIS.search(t)] if m), None)
    if (found is None and own_iis is None) or mentions_azure(state.material):
        return None
    return f"technologies: {', '.join(listed)}" if found is not None else f"{own_iis}"


def _client_side(state: SessionState, root_cause: str, action: str, message: str) -> GiveUp:
    """Out of scope, from what the client states (medium: it rests on their word): the cause lies on their side."""
    found = partial_report(state, root_cause=root_cause)
    found.category, found.confidence, found.actions = "out_of_scope", "medium", [action]
    return GiveUp(reason="out_of_scope", report=found, message=message)


def _local_clock(state: SessionState, shown: str) -> Decision:
    return _client_side(
        state, f"The client's own machine had the wrong time ({shown}): Azure Storage and Entra ID "
               "reject a request signed or a token stamped with a time too far from theirs (shared key and SAS "
               "signatures carry the request time; tokens a validity window), so the tool failed with an "
               "authentication error while nothing in Azure was wrong.",
        "Keep the machine's clock synchronized (Windows: Settings > Time & language > Set time automatically, or "
        "`w32tm /resync`; Linux: chrony or systemd-timesyncd), then retry.",
        "The cause is the client machine's clock, not Azure.")


# The same request works from Windows on the same machine and fails inside WSL: WSL 2's own virtual network
_WSL = re.compile(r"\bWSL ?2?\b")
_WORKS_FROM_WINDOWS = re.compile(
    r"(?i)\b(?:from|in|on) (?:Windows|PowerShell|cmd(?:\.exe)?|the Windows (?:host|side))\b[^.\n]{0,60}?"
    r"\b(?:works?|worked|succeeds?|succeeded)\b|\b(?:Invoke-WebRequest|PowerShell)\b[^.\n]{0,80}?\bsame "
    r"(?:laptop|machine|pc|computer)\b[^.\n]{0,20}?\b(?:works?|worked|succeeds?|succeeded)\b")


def _wsl_network_only(said: str) -> str | None:
    """The client runs the failing tool inside WSL and says the same request works from Windows on that machine."""
    works = _WORKS_FROM_WINDOWS.search(said)
    return works.group(0) if works is not None and _WSL.search(said) else None


def _wsl_network(state: SessionState, said: str) -> Decision:
    return _client_side(
        state, f"The request fails only inside WSL 2 while the same request from Windows on the same machine works "
               f"(the client says: '{said}'): WSL 2 reaches the network through its own virtual adapter and NAT, "
               "where a VPN client, a firewall rule for that adapter, an MTU the tunnel cannot carry or DNS "
               "settings drop or stall the connection; Azure never answered differently to the two.",
        "Fix WSL's networking: try mirrored networking (networkingMode=mirrored under [wsl2] in %UserProfile%\\"
        ".wslconfig, then wsl --shutdown), lower the MTU inside WSL when a VPN is connected (sudo ip link set dev "
        "eth0 mtu 1350), and check the VPN's WSL support; then run the command again.",
        "The request is dropped inside WSL's own network on the client's machine, not by Azure.")


def _local_network(state: SessionState, said: str) -> Decision:
    return _client_side(
        state, f"The connection was cut on the client's side (the client says: '{said}'): a reset or aborted socket "
               "mid-transfer from a network that drops, throttles or filters connections fails long uploads and "
               "many-file deployments at random points, while the same operation succeeds from a stable network; "
               "nothing in Azure refused it.",
        "Run the transfer from a stable wired network (or a VM in the same region); for large files use AzCopy, "
        "which resumes (`azcopy jobs resume <job-id>`) and lets you cap concurrency with AZCOPY_CONCURRENCY_VALUE "
        "on a weak link.",
        "The connection was cut by the client's own network, not by Azure.")


def _stated_outside_azure(state: SessionState, said: str) -> Decision:
    # the catalog entries the error matches still say what it means on that platform (a local SQL instance); two,
    # as a message's shared prefix (SQL's "network-related ... error") may rank above its numbered variant
    hits = [h for h in catalog_hits(state) if h.entry.category != "out_of_scope"][:2]
    meaning = " What the error may mean: " + " Or: ".join(fill(h.entry.meaning, facts_of(state, h)) for h in hits) \
        if hits else ""
    return _client_side(
        state, f"The system that fails does not run in Azure (the client says: '{said}'): this service debugs Azure "
               f"resources only, so the cause lies with the server or platform it runs on.{meaning}",
        "Troubleshoot it with that platform's own tools and documentation (for SQL Server on your own servers, the "
        "SQL Server documentation for the error number).",
        "This does not run in Azure; this service debugs Azure errors only.")


def _out_of_scope(state: SessionState, entry: EntryHit) -> Decision:
    said = ", ".join(dict.fromkeys(f"'{m.found[:80]}'" for m in entry.matches))
    # an error with several usual causes (inconclusive) may still be Azure's: out of scope, but not for certain
    cause = conclude(state, entry, "high" if entry.entry.conclusive else "medium").report
    meaning = fill(entry.entry.meaning, facts_of(state, entry))
    cause.root_cause = f"The error comes from outside Azure ({entry.entry.service}: {said}). {meaning}"
    vendor = _vendor_words(state)  # the failing call's vendor, as people name it, and what its own error means
    if vendor is not None and vendor[0]["provider"] not in cause.root_cause:
        cause.root_cause += f" The failing call is {vendor[0]['provider']}'s ('{' '.join(vendor[1].split())}')."
    if vendor is not None and (own := _vendor_meanings(state, vendor[0])):
        cause.root_cause += f" {own}"
    cause.actions = [a for a in cause.actions if not a.startswith("Confirm with")] or [
        "Use that provider's own troubleshooting tools and documentation."]
    return GiveUp(reason="out_of_scope", report=cause,
                  message="This is not an Azure problem; this service debugs Azure errors only.")


def _never_repeat(state: SessionState, decision: Decision) -> Decision:
    """A tool call already answered since the client last spoke would loop; stop instead."""
    if not isinstance(decision, RunTool):
        return decision
    for evidence in reversed(state.ledger):
        if evidence.tool == "client":
            break
        if evidence.tool == decision.tool and same_arguments(evidence.arguments, decision.arguments):
            return GiveUp(reason="exhausted", message="The investigation found nothing new to check.",
                          report=partial_report(state))
    return decision
