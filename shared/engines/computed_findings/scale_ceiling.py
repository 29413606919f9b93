"""Scale-out that stops at a ceiling a resource read shows: the report says the app, job or pool stays at N
instances, replicas, nodes or workers while the load grows, and a setting the session read in Azure is exactly N
(the partitions of the event hub an Event Hubs-triggered app reads, the maximum node count of the Dedicated
workload profile a container app runs in, the most instances a plan's tier allows, a function app's own scale
limit). An Elastic Premium plan's low maximum burst has its own finding (function-premium-plan-max-burst-low).
The number read in Azure decides, never a number only the report states; the configured maximum the client says
it set (maxReplicas, an autoscale maximum) is not a ceiling it does not know about and is not compared."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.session_reads import Facts, as_number, chosen_item, items_of, said_in_report
from shared.session.state import SessionState

_UNITS = r"(?:instances?|replicas?|nodes?|servers?|workers?|pods?|vms?|machines?|consumers?|hosts?)"
# the count the scale-out stops at, in the report's words: "never runs more than 2 instances", "stuck at 3 replicas",
# "plateaus at 4", "stays at 3 instances", "only ever 2 replicas", "0/2 nodes are available", "instances=4 ... stays"
_STOPS_AT = [
    re.compile(r"(?i)\b(?:never|not|doesn't|does not|won't|will not|can't|cannot)\b[^\n.]{0,30}?"
               r"\b(?:more than|beyond|past|above|over|exceeds?|exceeding)\s+(\d{1,4})\b"),
    re.compile(r"(?i)\b(?:stuck|stays?|staying|remains?|plateaus?|plateaued|capped|tops? out|topped out|"
               r"maxes out|maxed out|flat(?:lines)?|holds?)\s+(?:at|to|on)\s+(\d{1,4})\b"),
    re.compile(rf"(?i)\bonly\s+(?:ever\s+)?(?:runs?\s+|shows?\s+|returns?\s+|gets?\s+|has\s+)?(\d{{1,4}})\s+{_UNITS}"),
    re.compile(rf"(?i)\b(\d{{1,4}})\s+{_UNITS}\s+(?:all day|at most|max(?:imum)?|and no more|and never more)\b"),
    re.compile(r"(?i)\b0/(\d{1,4}) nodes are available\b"),
]


def stopped_counts(text: str) -> set[int]:
    """The counts the report says the scale-out stops at (empty when it names none)."""
    return {int(m.group(1)) for pattern in _STOPS_AT for m in pattern.finditer(text) if int(m.group(1)) > 0}


def _hub_partitions(state: SessionState) -> Iterator[dict[str, str]]:
    hubs = items_of(state, r"(?i)^Microsoft\.EventHub/namespaces/eventhubs$", "entities")
    hubs += [h for h in reads_of_type(state, r"(?i)^Microsoft\.EventHub/namespaces/eventhubs$") if h.get("name")
             and h.get("partitionCount") is not None]
    chosen = chosen_item(state, list({str(h.get("name")): h for h in hubs}.values()))
    if chosen is not None:
        yield {"value": _num(chosen.get("partitionCount")), "setting": "partitionCount",
               "holder": f"event hub '{chosen.get('name')}'",
               "explain": "an Event Hubs trigger (and a KEDA event hub scaler) runs at most one instance per "
                          "partition, because each partition is read by one owner per consumer group, so the "
                          "partition count caps the scale-out however far the consumers fall behind",
               "action": f"Create an event hub with more partitions (the count is fixed at creation on Basic and "
                         f"Standard; Premium and Dedicated can raise it) and move producers and consumers to it; "
                         f"until then process each batch faster (larger batches, fewer awaits per event). Check: "
                         f"`az eventhubs eventhub show --name {chosen.get('name')} --namespace-name <namespace> "
                         f"--resource-group {_group(chosen)} --query partitionCount`."}


def _profile_nodes(state: SessionState) -> Iterator[dict[str, str]]:
    apps = reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$")
    used = {str(a.get("workloadProfileName")).lower() for a in apps if a.get("workloadProfileName")}
    for env in reads_of_type(state, r"(?i)^Microsoft\.App/managedEnvironments$"):
        dedicated = [p for p in env.get("workloadProfiles") or [] if isinstance(p, dict)
                     and p.get("maximumCount") is not None]
        chosen = [p for p in dedicated if str(p.get("name")).lower() in used] or (dedicated if len(dedicated) == 1
                                                                                    else [])
        for profile in chosen:
            yield {"value": _num(profile.get("maximumCount")), "setting": "maximumCount",
                   "holder": f"workload profile '{profile.get('name')}' of environment '{env.get('name')}'",
                   "explain": "a Dedicated workload profile runs at most maximumCount nodes, so the replicas that do "
                              "not fit on those nodes stay pending (Insufficient cpu or memory) however many the "
                              "app's scale rule asks for",
                   "action": f"Raise the profile's maximum node count: `az containerapp env workload-profile update "
                             f"--name {env.get('name')} --resource-group {_group(env)} --workload-profile-name "
                             f"{profile.get('name')} --max-nodes <n>`, or give each replica less CPU and memory so "
                             f"more fit on a node."}


def _plan_limits(state: SessionState) -> Iterator[dict[str, str]]:
    for plan in reads_of_type(state, r"(?i)^Microsoft\.Web/serverFarms$"):
        sku: dict[str, Any] = plan["sku"] if isinstance(plan.get("sku"), dict) else {}
        tier = sku.get("tier") or sku.get("name") or "its tier"
        if plan.get("maximumNumberOfWorkers"):
            yield {"value": _num(plan.get("maximumNumberOfWorkers")), "setting": "maximumNumberOfWorkers",
                   "holder": f"App Service plan '{plan.get('name')}' ({tier})",
                   "explain": "that is the most instances the plan's pricing tier allows, so neither manual scale-out "
                              "nor an autoscale rule with a higher maximum adds instances",
                   "action": f"Scale the plan up to a tier that allows more instances: `az appservice plan update "
                             f"--name {plan.get('name')} --resource-group {_group(plan)} --sku <tier>`."}


def _app_limit(state: SessionState) -> Iterator[dict[str, str]]:
    for site in reads_of_type(state, r"(?i)^Microsoft\.Web/sites$"):
        config: dict[str, Any] = site["siteConfig"] if isinstance(site.get("siteConfig"), dict) else {}
        if config.get("functionAppScaleLimit"):
            yield {"value": _num(config.get("functionAppScaleLimit")), "setting": "functionAppScaleLimit",
                   "holder": f"function app '{site.get('name')}'",
                   "explain": "the app's own scale-out limit caps its instances below what the plan allows",
                   "action": f"Raise or remove the app's limit: `az resource update --resource-type "
                             f"Microsoft.Web/sites --name {site.get('name')} --resource-group {_group(site)} --set "
                             f"properties.siteConfig.functionAppScaleLimit=<n>`."}


_CEILINGS: list[Callable[[SessionState], Iterator[dict[str, str]]]] = [
    _hub_partitions, _profile_nodes, _app_limit, _plan_limits]


def _group(read: dict[str, Any]) -> str:
    found = re.search(r"(?i)/resourceGroups/([^/]+)", str(read.get("id") or ""))
    return found.group(1) if found else "<resource-group>"


def _num(value: Any) -> str:
    number = as_number(value)
    return f"{number:g}" if number is not None else ""


def scale_stops_at_ceiling(state: SessionState) -> Facts:
    """The first ceiling read in Azure whose value is a count the report says the scale-out stops at."""
    counts = stopped_counts(said_in_report(state))
    if not counts:
        return None
    for ceilings in _CEILINGS:
        for ceiling in ceilings(state):
            if ceiling["value"] and float(ceiling["value"]) in {float(c) for c in counts}:
                return ceiling
    return None


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "scale-out-stops-at-read-ceiling": scale_stops_at_ceiling,
}
