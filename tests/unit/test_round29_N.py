"""Round 29 (negative set neg22, N): a Docker Hub pull limit told as the reason a team moved to its own Azure
Container Registry is a story around the failure, not the failure, when the failing pull shown is an ACR image
refused with 401 or 403."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from tests.helpers.engine_loop import run_engine

DOCKER_HUB = "containers-dockerhub-pull-rate-limit"

STORY = ('We moved our images from Docker Hub to our own registry because Docker Hub kept giving us '
         '"toomanyrequests: You have reached your pull rate limit". Now the new pods fail anyway:\n')
ACR_401 = ('Warning  Failed  12s (x3 over 51s)  kubelet  Failed to pull image "crshop.azurecr.io/shop/cart:2.3.1": '
           'failed to pull and unpack image "crshop.azurecr.io/shop/cart:2.3.1": failed to resolve reference '
           '"crshop.azurecr.io/shop/cart:2.3.1": failed to authorize: failed to fetch anonymous token: '
           'unexpected status: 401 Unauthorized\n')
HUB_LIMIT = ('Warning  Failed  8s (x4 over 40s)  kubelet  Failed to pull image "redis:7.2": rpc error: code = Unknown '
             'desc = failed to pull and unpack image "docker.io/library/redis:7.2": failed to copy: httpReadSeeker: '
             'failed open: unexpected status code https://registry-1.docker.io/v2/library/redis/manifests/sha256:'
             '1f2e: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. '
             'You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit\n')


def _ids(text: str) -> list[str]:
    return [hit.entry.id for hit in catalog_index().hits([(text, "error")])]


def test_a_docker_hub_story_around_an_acr_401_is_not_the_docker_hub_limit() -> None:
    assert DOCKER_HUB not in _ids(STORY + ACR_401)
    report = run_engine({"error_description": "On AKS: " + STORY + ACR_401}).final.report
    assert report.category == "container.image_pull_failed"


def test_a_docker_hub_image_refused_for_its_limit_is_still_the_limit() -> None:
    # near miss: the failing pull is Docker Hub's own, in the same cluster
    assert _ids("AKS pods fail to start:\n" + HUB_LIMIT)[0] == DOCKER_HUB


def test_an_acr_image_that_pulls_fine_beside_a_limited_docker_hub_image_keeps_the_limit() -> None:
    # near miss: an ACR image is named (pulled, no 401/403), the Docker Hub pull is the one refused
    pulled = 'Normal  Pulled  30s  kubelet  Successfully pulled image "crshop.azurecr.io/shop/cart:2.3.1" in 1.2s\n'
    assert DOCKER_HUB in _ids(pulled + HUB_LIMIT)


def test_an_acr_403_beside_the_story_is_not_the_limit_either() -> None:
    assert DOCKER_HUB not in _ids(STORY + ACR_401.replace("anonymous token: unexpected status: 401 Unauthorized",
                                                           "oauth token: unexpected status: 403 Forbidden"))
