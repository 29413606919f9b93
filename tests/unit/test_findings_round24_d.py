"""The twenty-fourth round of findings, databases and data group (knowledge/evidence_findings.yaml): Azure Cache
for Redis data loss as Microsoft's data-loss troubleshooting page explains it - keys evicted once the cache's used
memory reaches its limit, and every key lost when the single node of a Basic cache restarts. Each fires on
recorded-like reads with the symptom it explains and stays silent for its near miss; the new api_versions field is
taken from a realistic Resource Manager body (Redis keeps its SKU under properties)."""

from __future__ import annotations

from shared.tools.azure_fields import extract_fields
from shared.tools.azure_resources import type_spec
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    check_case_fires,
    check_case_stays_silent,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"

REDIS = {"id": f"{SUB}/Microsoft.Cache/Redis/redis-shop", "type": "Microsoft.Cache/Redis", "name": "redis-shop",
         "maxmemoryPolicy": "allkeys-lru", "skuName": "Standard", "minimumTlsVersion": "1.2"}
FULL = {"metrics": [{"name": "serverLoad", "max": 40.0, "avg": 25.0, "total": None},
                    {"name": "usedmemorypercentage", "max": 99.0, "avg": 81.0, "total": None}]}
ROOMY = {"metrics": [{"name": "serverLoad", "max": 40.0, "avg": 25.0, "total": None},
                     {"name": "usedmemorypercentage", "max": 61.0, "avg": 48.0, "total": None}]}
BASIC = {**REDIS, "skuName": "Basic", "maxmemoryPolicy": "volatile-lru"}

EVICTED = "Carts stored in redis-shop disappear after a few minutes although they have no expiry; GET returns nil."
WIPED = "This morning all keys in redis-shop were gone at once, DBSIZE went from 2 million to a few thousand."

CASES = [
    Case("redis-memory-full-keys-evicted", "quota.exceeded", "maxmemory-policy", [REDIS], EVICTED,
         metrics=FULL, near_metrics=ROOMY),
    Case("redis-basic-tier-keys-lost-on-node-restart", "platform.service_incident", "skuName", [BASIC], WIPED,
         metrics=ROOMY, near_reads=[{**BASIC, "skuName": "Standard"}]),
]


def test_a_full_cache_explains_keys_that_vanish() -> None:
    check_case_fires(CASES[0])


def test_eviction_stays_silent_with_room_left_or_for_another_symptom() -> None:
    check_case_stays_silent(CASES[0], UNRELATED)


def test_a_full_cache_that_never_evicts_is_not_eviction() -> None:
    state = reads_state(EVICTED, [{**REDIS, "maxmemoryPolicy": "noeviction"}], metrics=FULL)
    assert finding_id(state) != "redis-memory-full-keys-evicted"


def test_a_basic_cache_explains_all_keys_lost_at_once() -> None:
    check_case_fires(CASES[1])


def test_the_basic_tier_stays_silent_on_a_replicated_cache_or_another_symptom() -> None:
    check_case_stays_silent(CASES[1], UNRELATED)


def test_a_few_missing_keys_on_a_basic_cache_are_not_a_node_restart() -> None:
    state = reads_state("One key in redis-shop returns nil since the deployment.", [BASIC], metrics=ROOMY)
    assert finding_id(state) != "redis-basic-tier-keys-lost-on-node-restart"


def test_the_redis_sku_name_is_read_from_its_properties() -> None:
    spec = type_spec("Microsoft.Cache", "Redis")
    assert spec is not None
    body = {"name": "redis-shop", "properties": {"sku": {"name": "Basic", "family": "C", "capacity": 1},
                                                 "redisConfiguration": {"maxmemory-policy": "volatile-lru"}}}
    extracted = extract_fields(body, spec["fields"])
    assert extracted.get("skuName") == "Basic"
    assert extracted.get("maxmemoryPolicy") == "volatile-lru"
