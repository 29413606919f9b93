"""Round 28 U (robU, session 21): errors of third-party services (Confluent Cloud, RabbitMQ, MongoDB Atlas, Redis
Cloud, Elastic, Snowflake, Stripe, Twilio, Auth0, Okta, Firebase, Heroku, Vercel, Netlify, Docker Hub, npm, PyPI,
GitLab, Jenkins, Bitbucket, Salesforce, Atlassian, databases in local containers) are out of scope even when the
report also names Azure; the Azure services that print the same words (Event Hubs' Kafka endpoint, Azure Cache for
Redis, the flexible servers, Cosmos DB for MongoDB, Azure Artifacts, AKS pulling from Docker Hub) stay in scope."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from tests.helpers.scope_checks import final_decision as _final
from tests.helpers.scope_checks import in_scope as _in_scope
from tests.helpers.scope_checks import out_of_scope as _out_of_scope

OUTSIDE = {
    "Confluent": ("The consumer on our Azure VM cannot log in to pkc-4nym6.westeurope.azure.confluent.cloud:9092:\n"
                  "kafka: client has run out of available brokers to talk to: kafka server: SASL Authentication "
                  "failed: Authentication failed"),
    "RabbitMQ": ("com.rabbitmq.client.AuthenticationFailureException: ACCESS_REFUSED - Login was refused using "
                 "authentication mechanism PLAIN. For details see the broker logfile.\nWe move to Service Bus later."),
    "Atlas": ("App Service log: MongooseServerSelectionError: Could not connect to any servers in your MongoDB Atlas "
              "cluster. One common reason is that you're trying to access the database from an IP that isn't "
              "whitelisted."),
    "Snowflake": ("250001 (08001): Failed to connect to DB: ab12345.east-us-2.azure.snowflakecomputing.com:443. "
                  "Incorrect username or password was specified."),
    "Stripe": ("Webhook error: No signatures found matching the expected signature for payload. Are you passing the "
               "raw request body you received from Stripe?"),
    "Heroku": ("heroku[web.1]: Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 60 seconds of "
               "launch"),
    "Vercel": "504: GATEWAY_TIMEOUT\nCode: FUNCTION_INVOCATION_TIMEOUT\nOur API route calls Azure OpenAI.",
    "Salesforce": "[{'message': 'Session expired or invalid', 'errorCode': 'INVALID_SESSION_ID'}]",
    "Okta": ("Your request resulted in an error. The 'redirect_uri' parameter must be a Login redirect URI in the "
             "client app settings"),
    "GitLab": ("This job is stuck because of one of the following problems. There are no active runners online, no "
               "runners for the protected branch, or no runners that match all of the job's tags: docker"),
}


@pytest.mark.parametrize("service", sorted(OUTSIDE))
def test_a_third_party_services_own_error_is_out_of_scope_and_named(service: str) -> None:
    assert service.lower() in _out_of_scope(OUTSIDE[service]).lower()


def test_the_same_kafka_sasl_refusal_from_the_event_hubs_endpoint_stays_azure() -> None:
    _in_scope("sasl_ssl://evhns-iot.servicebus.windows.net:9093/bootstrap: SASL authentication error: Authentication "
              "failed during authentication due to invalid credentials with SASL mechanism PLAIN", ["event-hubs"])


def test_redis_cloud_wrongpass_is_out_of_scope_and_azure_cache_key_rotation_is_a_credential() -> None:
    said = "ReplyError: WRONGPASS invalid username-password pair or user is disabled."
    assert "redis" in _out_of_scope(f"{said}\nREDIS_URL=redis://default:x@redis-1.c1.eu-west-1-2.ec2.redns.redis-cloud"
                                    ".com:14523").lower()
    final = _final(f"{said}\nAfter we regenerated the primary key of cache-web.redis.cache.windows.net the app fails.")
    assert final.report is not None and final.report.category == "auth.credential_invalid"  # type: ignore[union-attr]


def test_docker_hub_limit_on_a_build_agent_is_out_of_scope_but_on_aks_it_stays_azure() -> None:
    said = ("Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase "
            "the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit")
    assert "docker hub" in _out_of_scope(f"Our build server pulls node:20 and fails:\n{said}").lower()
    _in_scope(f"AKS pods are in ImagePullBackOff, kubelet says:\n{said}", ["aks"])


def test_a_postgres_container_refusing_the_password_is_out_of_scope_an_azure_flexible_server_is_not() -> None:
    said = 'FATAL: password authentication failed for user "app"'
    assert "postgresql" in _out_of_scope(f"docker compose up: the api container logs\n{said}\n"
                                         "DATABASE_URL=postgres://app:pw@db:5432/app").lower()
    _in_scope(f"psql to pg-orders.postgres.database.azure.com (flexible server):\n{said}")


def test_a_local_mysql_container_is_out_of_scope_an_azure_mysql_server_is_not() -> None:
    said = "ERROR 1045 (28000): Access denied for user 'root'@'172.18.0.1' (using password: YES)"
    assert "mysql" in _out_of_scope(f"docker run -p 3306:3306 mysql:8 then from my laptop:\n{said}").lower()
    _in_scope(f"mysql -h orders.mysql.database.azure.com -u root -p\n{said}", ["azure-database-for-mysql"])


def test_npm_e401_against_the_public_registry_is_out_of_scope_an_azure_artifacts_feed_is_not() -> None:
    said = "npm error code E401\nnpm error Incorrect or missing password."
    assert "npm" in _out_of_scope(f"{said}\n~/.npmrc has an old token for registry.npmjs.org").lower()
    _in_scope(f"{said}\nregistry=https://pkgs.dev.azure.com/contoso/_packaging/web/npm/registry/", ["azure-devops"])


def test_cosmos_db_for_mongodb_throttling_stays_azure() -> None:
    _in_scope("MongoServerError: Error=16500, RetryAfterMs=1200, Details='Response status code does not indicate "
              "success: TooManyRequests (429); Substatus: 3200' on cosmos-shop.mongo.cosmos.azure.com")


def test_every_third_party_entry_names_a_product_that_is_not_azure() -> None:
    entries = [e for e in catalog_index().entries if e.id.startswith("third-party-")]
    assert len({e.service for e in entries}) >= 25
    assert all(e.category == "out_of_scope" and "not Azure" in e.service and e.source for e in entries)


def _ids(text: str) -> set[str]:
    return {h.entry.id for h in catalog_index().hits([(text, "error")], originals=[text])}


def test_a_stale_azure_cache_key_is_read_only_for_wrongpass_after_a_rotation_not_yet_applied() -> None:
    host = "REDIS_ADDR=cache-x.redis.cache.windows.net:6380"
    rotated = "We regenerated the primary key yesterday."
    assert "redis-wrongpass-key-regenerated" in _ids(f"WRONGPASS invalid username-password pair\n{host}\n{rotated}")
    # NOAUTH means no password was sent at all, and a key already updated after the rotation is not stale
    assert "redis-wrongpass-key-regenerated" not in _ids(f"NOAUTH Authentication required.\n{host}\n{rotated}")
    assert "redis-wrongpass-key-regenerated" not in _ids(
        f"WRONGPASS invalid username-password pair\n{host}\nI regenerated the primary key and updated the secret.")


def test_a_generic_429_on_its_own_line_is_not_taken_by_a_docker_hub_message_elsewhere() -> None:
    hub = ("Step 1/9 : FROM python:3.12\nError response from daemon: toomanyrequests: You have reached your pull "
           "rate limit. You may increase the limit by authenticating and upgrading")
    assert "docker hub" in _out_of_scope(f"On our build server:\n{hub}").lower()
    # the same report also shows an Azure service's own throttling on another line: Azure's error is not Docker Hub's
    _in_scope(f"{hub}\nLater the app: Response status code does not indicate success: TooManyRequests (429); "
              "Substatus: 3200; Request rate is large on cosmos-orders.documents.azure.com")
