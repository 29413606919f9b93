"""Round 30 (robX, the same failures in other tools' words): a plain redis:// URL on the TLS port that a reset follows,
PostgreSQL's pg_hba refusal of an already encrypted attempt, an endpoint URL set with `azd env set` and quoted back
as a template resource's name, and an EKS or GKE cluster named in parentheses after its provider."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.session.state import Conclude
from tests.helpers.engine_loop import run_engine

RESET = ("[ioredis] Unhandled error event: Error: read ECONNRESET\n"
         "    at TCP.onStreamRead (node:internal/stream_base_commons:217:20)\n")


def _first(text: str) -> str:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else ""


def test_a_reset_with_a_plain_redis_url_on_6380_is_the_scheme() -> None:
    text = RESET + "REDIS_URL = redis://:<primary key>@cache-x.redis.cache.windows.net:6380"
    assert _first(text) == "redis-plain-url-scheme-on-tls-port-reset"
    lettuce = ("io.lettuce.core.RedisConnectionException: Connection closed by server\n"
               "spring.data.redis.url=redis://:secret@cache-y.redis.cache.windows.net:6380")
    assert _first(lettuce) == "redis-plain-url-scheme-on-tls-port-reset"


def test_a_reset_with_the_tls_scheme_or_no_url_stays_the_open_question() -> None:
    assert _first(RESET + "REDIS_URL = rediss://:<key>@cache-x.redis.cache.windows.net:6380") != \
        "redis-plain-url-scheme-on-tls-port-reset"
    assert _first(RESET) == "redis-ioredis-econnreset-no-tls"


PG = ('Npgsql.PostgresException (0x80004005): 28000: no pg_hba.conf entry for host "198.51.100.23", user "app", '
      'database "appdb", {enc}\nserver pg-app.postgres.database.azure.com')


def test_pg_hba_refusal_of_an_encrypted_attempt_is_the_firewall() -> None:
    hits = catalog_index().hits([(PG.format(enc="SSL encryption"), "error")])
    assert hits[0].entry.id == "databases-pg-no-pg-hba-entry-encrypted-attempt"
    assert hits[0].entry.category == "network.nsg_blocked"


def test_pg_hba_refusal_without_encryption_is_not_blamed_on_the_firewall() -> None:
    assert _first(PG.format(enc="no encryption")) != "databases-pg-no-pg-hba-entry-encrypted-attempt"
    # the words alone, without the server's refusal, are not this error
    assert _first('connected to "appdb", SSL encryption (protocol: TLSv1.3)') != \
        "databases-pg-no-pg-hba-entry-encrypted-attempt"


SEGMENTS = ("InvalidTemplate: Deployment template validation failed: 'The template resource "
            "'https://aoai-x.openai.azure.com/' for type 'Microsoft.CognitiveServices/accounts' at line '1' and "
            "column '904' has incorrect segment lengths. A nested resource type must have identical number of "
            "segments as its resource name. A root resource type must have segment length one greater than its "
            "resource name.\n\n")


def test_an_endpoint_set_by_azd_env_set_is_named_as_the_source() -> None:
    final = run_engine({"error_description": SEGMENTS + "I ran `azd env set AZURE_OPENAI_SERVICE "
                                                        "https://aoai-x.openai.azure.com/` before azd up."}).final
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    assert "AZURE_OPENAI_SERVICE" in final.report.root_cause
    assert any("'aoai-x'" in action for action in final.report.actions)


def test_a_variable_set_to_another_url_is_not_named() -> None:
    final = run_engine({"error_description": SEGMENTS + "azd env set AZURE_OPENAI_SERVICE "
                                                        "https://aoai-other.openai.azure.com/"}).final
    assert isinstance(final, Conclude) and "AZURE_OPENAI_SERVICE" not in final.report.root_cause


AUTOSCALER = ("  Normal  NotTriggerScaleUp  45s (x19 over 9m)  cluster-autoscaler  pod didn't trigger scale-up: "
              "2 max node group size reached\n")


def test_an_eks_cluster_named_with_its_provider_is_out_of_scope() -> None:
    envelope = run_engine({"error_description": "EKS (AWS) cluster, pods stuck Pending:\n" + AUTOSCALER}).envelope()
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"


def test_an_aks_pool_at_its_maximum_is_not_sent_away() -> None:
    envelope = run_engine({"error_description": "AKS cluster aks-batch, pods stuck Pending:\n" + AUTOSCALER}).envelope()
    assert (envelope.get("report") or {}).get("category") != "out_of_scope"
