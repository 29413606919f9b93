"""The chat-completions client, built from settings once per process and reused.

Azure OpenAI by default, keyless: an Entra ID bearer token from `DefaultAzureCredential` (the Function
App's managed identity in Azure, which needs the `Cognitive Services OpenAI User` role on the resource).
`AZURE_OPENAI_API_KEY` is used only when set. `DEBUG_OPENAI_COMPATIBLE=true` uses the plain `OpenAI`
client against `AZURE_OPENAI_ENDPOINT` as its base_url (local models, the tests' stub server).
Retries are the openai client's own (`max_retries`, honouring Retry-After), never a loop here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from openai import AzureOpenAI, OpenAI

from shared.settings import LlmSettings

COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"


@dataclass(frozen=True)
class ModelClient:
    """A configured client and the model (Azure: deployment) name each call names."""

    client: OpenAI
    model: str
    timeout_seconds: float


def _token_provider() -> Any:
    # Imported here: azure-identity is only needed on the keyless path.
    from azure.identity import DefaultAzureCredential, get_bearer_token_provider

    return get_bearer_token_provider(DefaultAzureCredential(), COGNITIVE_SERVICES_SCOPE)


@lru_cache(maxsize=4)
def model_client(settings: LlmSettings) -> ModelClient | None:
    """The client for these settings, or None when no endpoint is configured."""
    if not settings.endpoint:
        return None
    common: dict[str, Any] = {"timeout": settings.timeout_seconds, "max_retries": settings.max_retries}
    client: OpenAI
    if settings.openai_compatible:
        # Local servers often need no key, but the client insists on one.
        client = OpenAI(base_url=settings.endpoint, api_key=settings.api_key or "not-needed", **common)
    elif settings.api_key:
        client = AzureOpenAI(azure_endpoint=settings.endpoint, api_version=settings.api_version,
                             api_key=settings.api_key, **common)
    else:
        client = AzureOpenAI(azure_endpoint=settings.endpoint, api_version=settings.api_version,
                             azure_ad_token_provider=_token_provider(), **common)
    return ModelClient(client=client, model=settings.deployment, timeout_seconds=settings.timeout_seconds)
