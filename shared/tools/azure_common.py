"""What the Azure tools share: their argument fields, the error boundary, the evidence budget helpers.

The Azure tools (azure_resources, azure_activity, azure_monitor, azure_rbac) read Azure with the service's own
identity (DEBUG_AZURE_ACCESS=app). Every one is read-only, returns Evidence whatever happens (Azure errors become
evidence through shared/azure/errors.py), reads only within the session's scopes (shared/azure/scope.py), fits
its data in the evidence budget, never reads a secret (app setting values, keys, connection strings), and has an
Azure CLI equivalent the engine can ask the client to run when the service has no access
(`DEBUG_AZURE_ACCESS=none`: the tools answer `{"access": "none"}` at once). Those rules are enforced here, once,
so that no tool module has its own: `azure_tool` puts each tool body behind the access check, the scope check,
the circuit breaker, the whole-call bound and the mapping of Azure errors to evidence."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.azure import GUID_PATTERN, RESOURCE_GROUP_PATTERN, RESOURCE_ID_PATTERN, SCOPE_PATTERN, SUBSCRIPTION_ID
from shared.azure.clients import azure_settings, run_bounded
from shared.azure.errors import AzureFailure, azure_errors, classify
from shared.azure.scope import out_of_scope, session_scopes
from shared.resilience.breaker import BREAKERS, Dependency, azure_dependency, azure_outcome
from shared.session.state import MAX_EVIDENCE_DATA_CHARS, Evidence, EvidenceStatus, Material
from shared.tools.catalog import tool

SUBSCRIPTIONS_SCOPE = "/subscriptions"  # list_subscriptions' scope: every subscription the identity can read
BUDGET = MAX_EVIDENCE_DATA_CHARS - 600  # room for the keys next to a list, under catalog.cap_evidence's cap
TEXT_CHARS = 300
Found = tuple[EvidenceStatus, str, dict[str, Any]]  # what a tool body returns; the boundary makes it Evidence


# --- arguments ---------------------------------------------------------------------------------------------

class AzureArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


SUBSCRIPTION_FIELD = Field(pattern=GUID_PATTERN, description="the subscription id (a GUID; list_subscriptions "
                           "resolves a display name)")
GROUP_FIELD = Field(pattern=RESOURCE_GROUP_PATTERN, description="the resource group name")
RESOURCE_FIELD = Field(pattern=RESOURCE_ID_PATTERN, max_length=1000,
                       description="a full resource id: /subscriptions/<guid>/resourceGroups/<group>/providers/...")
SCOPE_FIELD = Field(pattern=SCOPE_PATTERN, max_length=1000,
                    description="a subscription, resource group or resource id "
                                "(/subscriptions/<guid>[/resourceGroups/...])")
# Resources whose GET answers carry secrets (app settings, connection strings, publishing credentials, keys).
# config/authsettingsV2 is not one: it names the app setting that holds the provider's secret, never the secret;
# nor is config/slotConfigNames: the names of the settings marked as deployment slot settings, never a value.
_SECRET_BEARING = re.compile(r"/config/(?!(?:web|authsettingsV2|slotConfigNames)/?$)[^/]+/?$|/(secrets|keys)(/|$)",
                             re.IGNORECASE)


class SubscriptionArguments(AzureArguments):
    subscription_id: str = SUBSCRIPTION_FIELD


class ResourceArguments(AzureArguments):
    resource_id: str = RESOURCE_FIELD

    @field_validator("resource_id")
    @classmethod
    def _no_secrets(cls, value: str) -> str:
        if _SECRET_BEARING.search(value):
            raise ValueError("this resource holds secrets (app settings, connection strings, keys); it is never read")
        return value.rstrip("/")


# get_resource also reads the few resources that live under a subscription rather than a group (the subscription's
# soft-deleted key vaults: /subscriptions/<id>/providers/Microsoft.KeyVault/deletedVaults); every other tool keeps
# the group-level id.
READABLE_ID_PATTERN = (rf"^/subscriptions/{SUBSCRIPTION_ID}(?:/resourceGroups/[-\w._()]{{1,90}})?"
                       r"/providers/[^?#\s]+$")


class ReadArguments(ResourceArguments):
    resource_id: str = Field(pattern=READABLE_ID_PATTERN, max_length=1000,
                             description="a full resource id: "
                                         "/subscriptions/<guid>[/resourceGroups/<group>]/providers/...")


# --- the tool boundary -------------------------------------------------------------------------------------

def azure_tool(arguments: type[BaseModel], cli: Callable[[Any], str], scope: Callable[[Any], str],
               action: Callable[[Any], str]) -> Callable[[Callable[[Any], Found]], Callable[[Any, Material], Evidence]]:
    """Register `body(args) -> Found` as a tool that needs Azure: the access check, the whole-call bound and the
    mapping of Azure errors to evidence happen here, once. `action` is the RBAC action the call needs."""
    def register(body: Callable[[Any], Found]) -> Callable[[Any, Material], Evidence]:
        @functools.wraps(body)
        def run(args: Any, material: Material) -> Evidence:
            return _boundary(body.__name__, args, scope(args), action(args), lambda: body(args), material)
        return tool(arguments, needs_azure=True, cli=cli)(run)
    return register


def _boundary(name: str, args: BaseModel, scope: str, action: str, work: Callable[[], Found],
              material: Material) -> Evidence:
    arguments = args.model_dump()
    settings = azure_settings()
    if settings.access == "none":
        return Evidence(tool=name, arguments=arguments, status="error", data={"access": "none"},
                        summary="the service has no Azure access here (DEBUG_AZURE_ACCESS=none)")
    refusal = _scope_refusal(scope, material, settings.investigation_scopes)
    if refusal:  # never called: a scope the caller did not name, or the deployment does not allow
        return Evidence(tool=name, arguments=arguments, status="error", data={"out_of_scope": scope},
                        summary=f"out of scope for this session: {scope} ({refusal}); not read")

    dependency: Dependency = azure_dependency(name)
    if not BREAKERS.allow(dependency):  # an outage already seen: answer at once instead of waiting it out again
        return Evidence(tool=name, arguments=arguments, status="error", data={"dependency_unavailable": dependency},
                        summary=f"{dependency} is unavailable (its circuit breaker is open); not called")
    evidence = _call(name, arguments, scope, action, work, settings.tool_deadline_seconds)
    BREAKERS.record(dependency, azure_outcome(evidence.status, evidence.data))
    return evidence


def _scope_refusal(scope: str, material: Material, allowed: tuple[str, ...]) -> str | None:
    """Why this session may not read `scope` (None: it may). Listing subscriptions is how a display name is
    resolved, so it is always allowed; list_subscriptions keeps only the allowed ones."""
    if scope == SUBSCRIPTIONS_SCOPE:
        return None
    texts = [*material.answers, *(excerpt.content for excerpt in material.files)]
    return out_of_scope(scope, session_scopes(material.error_description, texts, material.environment), allowed)


def _call(name: str, arguments: dict[str, Any], scope: str, action: str, work: Callable[[], Found],
          deadline: float) -> Evidence:
    def guarded() -> Found:
        with azure_errors(scope, action):
            return work()

    try:
        status, summary, data = run_bounded(guarded, deadline)
    except AzureFailure as failure:
        return failure.evidence(name, arguments)
    except TimeoutError as exc:  # the whole-call bound passed
        return classify(exc, scope, action).evidence(name, arguments)
    return Evidence(tool=name, arguments=arguments, status=status, summary=summary, data=data)


def fit(items: list[Any], budget: int = BUDGET) -> tuple[list[Any], list[Any]]:
    """The items that fit in `budget` characters of repr, in order, and the ones left over."""
    used = 2
    for index, item in enumerate(items):
        used += len(repr(item)) + 2
        if used > budget:
            return items[:index], items[index:]
    return items, []


def clip_text(value: Any) -> str | None:
    return None if value is None else str(value)[:TEXT_CHARS]


def iso_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def time_window(hours: float) -> tuple[datetime, datetime]:
    end = datetime.now(UTC)
    return end - timedelta(hours=hours), end
