"""Azure tools over Azure Monitor data: KQL queries on a Log Analytics workspace and a resource's platform metrics.

Log queries come only from the templates of shared/knowledge/kql_templates.yaml with one typed parameter, never
free text (issue: text in an error description could otherwise choose what the app's identity reads). The
read-only guardrails (`kql_refusal`, checked on every template by the tests) and the row cap (`capped_query`)
live here, next to the tool that applies them."""

from __future__ import annotations

import json
import re
import shlex
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from azure.core.exceptions import AzureError, HttpResponseError
from pydantic import Field, JsonValue, field_validator, model_validator

from shared.azure import SUBSCRIPTION_ID, rest_dict, subscription_of, uri_path
from shared.azure.clients import azure_settings, call_options, client
from shared.azure.errors import error_code_and_message
from shared.tools.azure_common import (
    BUDGET,
    RESOURCE_FIELD,
    AzureArguments,
    Found,
    azure_tool,
    clip_text,
    fit,
    iso_utc,
    time_window,
)

_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
WORKSPACE_ID_PATTERN = (rf"(?i)^/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/[-\w._()]{{1,90}}/providers/"
                        r"Microsoft\.OperationalInsights/workspaces/[-\w]{1,63}$")
SAFE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$"  # a resource name as the templates may quote it
# A resource whose own logs can be read without knowing its workspace (resource-context queries): an Application
# Insights component, or an app that sends its platform logs through diagnostic settings.
LOG_RESOURCE_ID_PATTERN = (rf"(?i)^/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/[-\w._()]{{1,90}}/providers/"
                           r"(?:microsoft\.insights/components|Microsoft\.Web/sites|Microsoft\.App/containerApps|"
                           r"Microsoft\.ContainerService/managedClusters|Microsoft\.App/jobs)/"
                           r"[-\w._()]+$")


@lru_cache(maxsize=1)
def kql_templates() -> dict[str, str]:
    """The log queries the service may run, by template id (shared/knowledge/kql_templates.yaml): never free text,
    so text in an error description cannot choose what is read."""
    entries = yaml.safe_load((_KNOWLEDGE / "kql_templates.yaml").read_text(encoding="utf-8"))
    return {str(entry["id"]): str(entry["query"]) for entry in entries}


def _template_ids() -> list[JsonValue]:
    return [*sorted(kql_templates())]


class LogsArguments(AzureArguments):
    workspace_resource_id: str | None = Field(None, pattern=WORKSPACE_ID_PATTERN, max_length=1000,
                                              description="the Log Analytics workspace's resource id (/subscriptions/"
                                              "<guid>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/"
                                              "workspaces/<name>); it must lie in the session's scope")
    resource_id: str | None = Field(None, pattern=LOG_RESOURCE_ID_PATTERN, max_length=1000,
                                    description="instead of a workspace: the Application Insights component, web or "
                                    "function app, container app or AKS cluster whose own logs to read (a "
                                    "resource-context query, wherever its workspace is); it must lie in the session's "
                                    "scope")
    template: str = Field(json_schema_extra={"enum": _template_ids()},
                          description="which query to run: a template id of shared/knowledge/kql_templates.yaml")
    resource_name: str = Field(pattern=SAFE_NAME_PATTERN, description="the name of the resource whose logs to read "
                               "(the template's {name} parameter)")
    hours: int = Field(24, ge=1, le=168, description="the time window, in hours before now")

    @field_validator("template")
    @classmethod
    def _known_template(cls, value: str) -> str:
        if value not in kql_templates():
            raise ValueError(f"unknown query template; known: {', '.join(sorted(kql_templates()))}")
        return value

    @model_validator(mode="after")
    def _one_place(self) -> LogsArguments:
        if (self.workspace_resource_id is None) == (self.resource_id is None):
            raise ValueError("give exactly one of workspace_resource_id and resource_id")
        return self

    @property
    def place(self) -> str:
        """What is queried: the workspace, or the resource in resource context."""
        return str(self.workspace_resource_id or self.resource_id)

    @property
    def query(self) -> str:
        """The template with its one typed parameter filled in (validated: letters, digits and dashes)."""
        return kql_templates()[self.template].replace("{name}", self.resource_name)


MetricInterval = Literal["PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "PT6H", "PT12H", "P1D", "FULL"]


class MetricsArguments(AzureArguments):
    resource_id: str = RESOURCE_FIELD
    metric_names: list[str] = Field(min_length=1, max_length=10, description="metric names, e.g. Http5xx, "
                                    "Transactions, FunctionExecutionCount")
    hours: int = Field(24, ge=1, le=720, description="the time window, in hours before now")
    interval: MetricInterval = Field("PT1H", description="the time grain (ISO 8601 duration, or FULL)")

    @field_validator("metric_names")
    @classmethod
    def _plain_names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _./-]{0,99}", name):
                raise ValueError(f"not a metric name: {name[:40]!r}")
        return names


# --- Log Analytics -----------------------------------------------------------------------------------------

ROW_CAP = 200
_WORKSPACE_API_VERSION = "2022-10-01"
# Read-only guardrails: the query API runs queries only, but a query can still reach outside the workspace or
# run code. Refused (case-insensitive, anywhere in the text, string literals included, so the rule may refuse
# an innocent query): management commands (a line starting with '.'), `invoke`, `evaluate` (plugins: python,
# R, sql_request, http_request...), `externaldata`/`external_table`, `set` statements (they raise limits), and
# cross-resource functions (`workspace()`, `app()`, `resource()`, `cluster()`, `database()`, `adx()`).
_REFUSED_KQL: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^\s*\.", re.MULTILINE), "management commands (a line starting with '.') are not queries"),
    (re.compile(r"\binvoke\b", re.IGNORECASE), "'invoke' is not allowed"),
    (re.compile(r"\bevaluate\b", re.IGNORECASE), "'evaluate' plugins are not allowed"),
    (re.compile(r"\bexternal_?data\b|\bexternal_table\b", re.IGNORECASE), "external data is not allowed"),
    (re.compile(r"(^|;)\s*set\s+\w+", re.IGNORECASE | re.MULTILINE), "'set' statements are not allowed"),
    (re.compile(r"\b(workspace|app|resource|cluster|database|adx)\s*\(", re.IGNORECASE),
     "cross-resource queries are not allowed"),
]
_FINAL_LIMIT = re.compile(r"\|\s*(?:take|limit|top)\s+(\d+)\b[^|]*$", re.IGNORECASE)


def kql_refusal(query: str) -> str | None:
    """Why a query is refused (None: it may run)."""
    return next((reason for pattern, reason in _REFUSED_KQL if pattern.search(query)), None)


def capped_query(query: str) -> tuple[str, int]:
    """The query with a row cap: its own final take/limit/top when that is at most ROW_CAP, else `| take 200`."""
    stripped = query.strip().rstrip(";").rstrip()
    match = _FINAL_LIMIT.search(stripped)
    if match and int(match.group(1)) <= ROW_CAP:
        return stripped, int(match.group(1))
    return f"{stripped}\n| take {ROW_CAP}", ROW_CAP


def _logs_cli(a: LogsArguments) -> str:
    query, _ = capped_query(a.query)
    if a.resource_id:
        url = f"https://api.loganalytics.io/v1{a.resource_id}/query"
        return (f"az rest --method post --url {shlex.quote(url)} --resource https://api.loganalytics.io "
                f"--body {shlex.quote(_body(query, a.hours))}")
    workspace = f"az monitor log-analytics workspace show --ids {shlex.quote(str(a.workspace_resource_id))} " \
                "--query customerId -o tsv"
    return (f"az monitor log-analytics query --workspace \"$({workspace})\" --timespan PT{a.hours}H "
            f"--analytics-query {shlex.quote(query)}")


def _body(query: str, hours: int) -> str:
    return '{"query": ' + json.dumps(query) + ', "timespan": "PT' + str(hours) + 'H"}'


@azure_tool(LogsArguments, cli=_logs_cli, scope=lambda a: a.place,
            action=lambda a: "Microsoft.OperationalInsights/workspaces/query/read" if a.workspace_resource_id
            else "Microsoft.Insights/logs/read")
def query_logs(args: LogsArguments) -> Found:
    """Run one of the service's KQL templates for one resource over the last `hours` (at most 200 rows), on a
    Log Analytics workspace or, without one, on the resource's own logs (resource context: an Application Insights
    component or the app itself): data {"columns", "rows", "row_count", "truncated", "window_hours"}. A query
    that times out or answers partially is retried once over half the window; partial results come back with
    status `partial`."""
    query, cap = capped_query(args.query)
    if args.resource_id:
        return _logs_read(("resource", args.resource_id), query, cap, args.hours)
    workspace = _workspace(str(args.workspace_resource_id))
    customer_id = str(workspace.get("customerId") or "")
    if not customer_id:
        return "no_data", "the workspace reports no workspace id (customerId)", {"rows": []}
    status, summary, data = _logs_read(("workspace", customer_id), query, cap, args.hours)
    # The workspace's own state travels with its rows: a daily cap reached explains rows that stop coming.
    return status, summary, {**data, "workspace": workspace}


LogsPlace = tuple[Literal["workspace", "resource"], str]


def _logs_read(place: LogsPlace, query: str, cap: int, hours: int) -> Found:
    result, failure = _query_attempt(place, query, hours)
    if failure is None and not _is_partial(result):
        return _logs_found(result, cap, hours, hours)
    half = hours / 2
    retried, retry_failure = _query_attempt(place, query, half)
    if retry_failure is None:
        return _logs_found(retried, cap, half, hours)  # complete, or partial over the smaller window
    if _is_partial(result):  # the smaller window failed outright: the first, partial answer is better than none
        return _logs_found(result, cap, hours, hours)
    raise retry_failure


def _workspace(workspace_resource_id: str) -> dict[str, Any]:
    """What the query needs of the workspace resource (customerId) and its ingestion state (the daily cap)."""
    found = rest_dict(client("resources", subscription_of(workspace_resource_id)).resources.get_by_id(
        uri_path(workspace_resource_id), api_version=_WORKSPACE_API_VERSION, **call_options()))
    properties = found.get("properties") or {}
    capping = properties.get("workspaceCapping") or {}
    return {"name": found.get("name"), "customerId": properties.get("customerId"),
            "dailyQuotaGb": capping.get("dailyQuotaGb"), "dataIngestionStatus": capping.get("dataIngestionStatus")}


def _query_attempt(place: LogsPlace, query: str, hours: float) -> tuple[Any, AzureError | None]:
    """One query; a failure that a smaller window may fix (a timeout, a 5xx) is returned, not raised."""
    settings = azure_settings()
    kind, where = place
    logs = client("logs")
    run = logs.query_workspace if kind == "workspace" else logs.query_resource
    try:
        result = run(where, query, timespan=timedelta(hours=hours),
                     server_timeout=max(1, settings.timeout_seconds - 1), **call_options())
        return result, None
    except AzureError as exc:
        if _shrinkable(exc):
            return None, exc
        raise


def _shrinkable(exc: AzureError) -> bool:
    if isinstance(exc, HttpResponseError) and exc.status_code:
        code, _ = error_code_and_message(exc)
        return exc.status_code in (408, 504) or exc.status_code >= 500 or "timeout" in (code or "").lower()
    return "timeout" in type(exc).__name__.lower()


def _is_partial(result: Any) -> bool:
    return result is not None and hasattr(result, "partial_error")


def _logs_found(result: Any, cap: int, hours: float, asked_hours: int) -> Found:
    tables = list(result.partial_data if _is_partial(result) else result.tables)
    table = tables[0] if tables else None
    columns = list(table.columns) if table is not None else []
    rows = [[_cell(v) for v in row] for row in (table.rows if table is not None else [])]
    kept, rest = fit(rows, BUDGET - len(repr(columns)))
    data: dict[str, Any] = {"columns": columns, "rows": kept, "row_count": len(rows),
                            "truncated": len(rows) >= cap or bool(rest), "window_hours": hours}
    window = f"the last {hours:g} h" + (f" (shrunk from {asked_hours} h)" if hours != asked_hours else "")
    if _is_partial(result):
        error = result.partial_error
        data["partial_error"] = {"code": getattr(error, "code", None),
                                 "message": clip_text(getattr(error, "message", ""))}
        return "partial", f"partial result: {len(rows)} rows over {window}; {data['partial_error']['code']}", data
    if not rows:
        return "no_data", f"the query returned no rows over {window}", data
    return "success", f"{len(rows)} rows over {window}; columns: {', '.join(columns)[:200]}", data


# A log message keeps more than other text: a credential chain or a traceback names its cause in its later lines.
LOG_TEXT_CHARS = 800


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value[:LOG_TEXT_CHARS]
    return value if isinstance(value, int | float | bool) or value is None else clip_text(value)


# --- metrics -----------------------------------------------------------------------------------------------

def _metrics_cli(a: MetricsArguments) -> str:
    names = " ".join(shlex.quote(n) for n in a.metric_names)
    return (f"az monitor metrics list --resource {shlex.quote(a.resource_id)} --metric {names} --interval "
            f"{a.interval} --offset {a.hours}h --aggregation Maximum Average Total")


@azure_tool(MetricsArguments, cli=_metrics_cli, scope=lambda a: a.resource_id,
            action=lambda a: "Microsoft.Insights/metrics/read")
def query_metrics(args: MetricsArguments) -> Found:
    """Platform metrics of a resource over the last `hours`, summarised per metric: data {"metrics": [{"name",
    "unit", "max", "avg", "total", "points"}]} (max of maxima, mean of averages, sum of totals). A metric that
    supports only the Average aggregation (AI Search's ThrottledSearchQueriesPercentage) comes back without maxima:
    its max is then the highest interval average, the peak the metric can show."""
    start, end = time_window(args.hours)
    monitor = client("monitor", subscription_of(args.resource_id))
    response = rest_dict(monitor.metrics.list(uri_path(args.resource_id), timespan=f"{iso_utc(start)}/{iso_utc(end)}",
                                              interval=args.interval, metricnames=",".join(args.metric_names),
                                              aggregation="Maximum,Average,Total", **call_options()))
    metrics = [_metric_summary(m) for m in response.get("value") or []]
    if not any(m["points"] for m in metrics):
        return "no_data", f"no data points for {', '.join(args.metric_names)} in the last {args.hours} h", \
            {"metrics": metrics}
    text = "; ".join(f"{m['name']}: max {m['max']}, avg {m['avg']}, total {m['total']} {m['unit']}" for m in metrics)
    return "success", f"last {args.hours} h: {text}", {"metrics": fit(metrics)[0]}


def _metric_summary(metric: dict[str, Any]) -> dict[str, Any]:
    points = [p for series in metric.get("timeseries") or [] for p in series.get("data") or []]
    maxima = [p["maximum"] for p in points if p.get("maximum") is not None]
    averages = [p["average"] for p in points if p.get("average") is not None]
    totals = [p["total"] for p in points if p.get("total") is not None]
    return {"name": (metric.get("name") or {}).get("value"), "unit": metric.get("unit"),
            "max": _round(max(maxima or averages)) if maxima or averages else None,
            "avg": _round(sum(averages) / len(averages)) if averages else None,
            "total": _round(sum(totals)) if totals else None,
            "points": len([p for p in points if len(p) > 1])}  # a point with only a timestamp has no value


def _round(value: float) -> float:
    return float(f"{value:.4g}")
