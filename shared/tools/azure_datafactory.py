"""Azure tool over a Data Factory's run history (Resource Manager): which pipeline runs failed lately, which of the
newest failed run's activities failed and with what error, and what time those activities were allowed.

Data Factory keeps its run history behind POST queries (queryPipelineRuns, queryActivityruns), not in the resource
itself, so a factory's own read says nothing about why last night's run failed."""

from __future__ import annotations

import shlex
from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat
from pydantic import Field

from shared.azure import subscription_of, uri_path
from shared.azure.clients import call_options, client
from shared.tools.azure_common import AzureArguments, Found, azure_tool, clip_text, fit, iso_utc, time_window

_API_VERSION = "2018-06-01"  # specification/datafactory/.../Microsoft.DataFactory/stable/2018-06-01/datafactory.json
_MOST_RUNS = 5


class FactoryRunArguments(AzureArguments):
    factory_id: str = Field(pattern=r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.DataFactory/"
                            r"factories/[^/]+$", max_length=1000, description="the id of a Data Factory")
    hours: int = Field(72, ge=1, le=336, description="how far back to look, in hours (at most 14 days)")


def _cli(args: FactoryRunArguments) -> str:
    start, end = time_window(args.hours)
    return (f"az datafactory pipeline-run query-by-factory --ids {shlex.quote(args.factory_id)} "
            f"--last-updated-after {iso_utc(start)} --last-updated-before {iso_utc(end)} "
            "--filters operand=Status operator=Equals values=Failed")


@azure_tool(FactoryRunArguments, cli=_cli, scope=lambda a: a.factory_id,
            action=lambda a: "Microsoft.DataFactory/factories/queryPipelineRuns/action")
def list_failed_pipeline_runs(args: FactoryRunArguments) -> Found:
    """The factory's failed pipeline runs of the last `hours` (newest first, at most 5) and, for the newest, its
    failed activities with their error and the timeout their pipeline allows them: data {"runs": [{"pipeline",
    "run_id", "start", "duration_ms", "message"}], "activities": [{"name", "type", "duration_ms", "error_code",
    "message", "timeout"}], "count"}. An activity that ran as long as its timeout was stopped by it."""
    start, end = time_window(args.hours)
    window = {"lastUpdatedAfter": iso_utc(start), "lastUpdatedBefore": iso_utc(end)}
    failed = {"operand": "Status", "operator": "Equals", "values": ["Failed"]}
    answer = _send("POST", f"{args.factory_id}/queryPipelineRuns", {**window, "filters": [failed]})
    runs = sorted((_run(r) for r in answer.get("value") or [] if str(r.get("status")).lower() == "failed"),
                  key=lambda r: str(r["start"]), reverse=True)
    if not runs:
        return "no_data", f"no failed pipeline runs in the last {args.hours} h", {"runs": [], "count": 0}
    newest = runs[0]
    activities = _failed_activities(args.factory_id, str(newest["run_id"]), window)
    _add_timeouts(args.factory_id, str(newest["pipeline"]), activities)
    kept, _ = fit(runs[:_MOST_RUNS], budget=1500)
    lines = "; ".join(f"{a['name']} ({a['type']}) {a['error_code']}: {a['message']}" for a in activities[:3])
    summary = (f"{len(runs)} failed pipeline run(s) in the last {args.hours} h; newest: {newest['pipeline']} at "
               f"{newest['start']}: {newest['message']}" + (f"; failed activities: {lines}" if lines else ""))
    return "success", summary, {"runs": kept, "activities": activities, "count": len(runs)}


def _send(method: str, resource_path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One Resource Manager call under the factory (a run query POST, a pipeline's GET); an error status raises."""
    request = HttpRequest(method, f"/{uri_path(resource_path)}", params={"api-version": _API_VERSION}, json=body)
    response = client("resources", subscription_of(resource_path)).send_request(request, **call_options())
    if response.status_code >= 400:
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    found = response.json()
    return found if isinstance(found, dict) else {}


def _run(run: dict[str, Any]) -> dict[str, Any]:
    return {"pipeline": run.get("pipelineName"), "run_id": run.get("runId"), "start": run.get("runStart"),
            "duration_ms": run.get("durationInMs"), "message": clip_text(run.get("message"))}


def _failed_activities(factory_id: str, run_id: str, window: dict[str, str]) -> list[dict[str, Any]]:
    answer = _send("POST", f"{factory_id}/pipelineruns/{run_id}/queryActivityruns", window)
    rows = [a for a in answer.get("value") or [] if str(a.get("pipelineRunId") or run_id) == run_id
            and str(a.get("status")).lower() == "failed"]
    return [{"name": a.get("activityName"), "type": a.get("activityType"), "duration_ms": a.get("durationInMs"),
             "error_code": (a.get("error") or {}).get("errorCode"),
             "message": clip_text((a.get("error") or {}).get("message"))} for a in rows[:5]]


def _add_timeouts(factory_id: str, pipeline: str, activities: list[dict[str, Any]]) -> None:
    """Each failed activity's policy timeout, from its pipeline's definition (absent: the service's default)."""
    if not activities or not pipeline:
        return
    try:
        definition = _send("GET", f"{factory_id}/pipelines/{pipeline}")
    except HttpResponseError:  # the run's history stands without its definition (deleted, renamed since)
        return
    policies = {str(a.get("name")): (a.get("policy") or {}).get("timeout")
                for a in (definition.get("properties") or {}).get("activities") or [] if isinstance(a, dict)}
    for activity in activities:
        activity["timeout"] = policies.get(str(activity["name"]))
