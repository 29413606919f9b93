"""An image that is not found in the registry it is pulled from, while the pasted build log pushed it to another.

A release log often shows both halves: the build pushes `<registry-a>/<repo>:<tag>`, then the deployment (a container
app update, a manifest applied to a cluster) pulls `<registry-b>/<repo>:<tag>` and the pull finds no such manifest.
The catalog's entry says "the tag was never pushed"; the log says where it went. The comparison is computed here:
the same repository and tag, two registries."""

from __future__ import annotations

import re

from shared.engines.base import Decision
from shared.engines.log_lines import failing_lines
from shared.session.state import Conclude, SessionState

_CATEGORY = "container.image_pull_failed"
_REF = (r"(?P<registry>[a-z0-9][a-z0-9-]{1,62}(?:\.[a-z0-9-]+)+)/(?P<repository>[a-z0-9][a-z0-9._/-]*)"
        r":(?P<tag>[\w][\w.-]{0,127})")
_IMAGE = re.compile(_REF)
# where a build log says it pushed an image: `docker push <ref>`, buildx's "naming to <ref>" / "pushing <ref>",
# `az acr build --registry <name> --image <repo>:<tag>` (its registry is <name>.azurecr.io)
_PUSHED = re.compile(r"(?i)\bdocker (?:image )?push\s+(?:--\S+\s+)*|\bnaming to (?:docker\.io/)?|"
                     r"\bpushing (?:manifest for )?")
_ACR_BUILD = re.compile(r"(?i)\baz acr build\b(?=[^\n]*(?:--registry|-r)\s+(?P<name>[a-z0-9]{5,50})\b)"
                        r"(?=[^\n]*(?:--image|-t)\s+(?P<repository>[a-z0-9][a-z0-9._/-]*):(?P<tag>[\w][\w.-]{0,127}))")
# the line where the pull failed because the registry has no such image
_NOT_THERE = re.compile(r"(?i)(?:failed to pull|failed to resolve reference|pull access denied)[^\n]*"
                        r"(?:not found|manifest unknown|name unknown|repository does not exist)|manifest unknown")


def with_pushed_elsewhere(state: SessionState, decision: Decision) -> Decision:
    """The image-not-found conclusion, with the registry the log pushed the same repository and tag to."""
    if not isinstance(decision, Conclude) or decision.report.category != _CATEGORY:
        return decision
    found = pushed_elsewhere(state.material.spoken())
    if found is None:
        return decision
    pulled, pushed = found
    if pushed in decision.report.root_cause:
        return decision
    decision.report.root_cause = (decision.report.root_cause.rstrip() + f" The log pushed the image to {pushed},"
                                  f" but the deployment pulls {pulled}: that registry never received it. Point the"
                                  " deployment at the registry the build pushes to, or push (or import) the image"
                                  " into the one it pulls from.")
    return decision


def pushed_elsewhere(texts: list[str]) -> tuple[str, str] | None:
    """(the image reference the pull did not find, the same repository and tag pushed to another registry)."""
    pulled = [m for line in failing_lines(texts, _NOT_THERE) for m in _IMAGE.finditer(line)]
    if not pulled:
        return None
    target = pulled[0]
    for text in texts:
        for push in _pushed(text):
            registry, repository, tag = push
            if (repository, tag) == (target.group("repository"), target.group("tag")) \
                    and registry.lower() != target.group("registry").lower():
                return target.group(0), f"{registry}/{repository}:{tag}"
    return None


def _pushed(text: str) -> list[tuple[str, str, str]]:
    """(registry, repository, tag) of each image the text says it pushed."""
    found = []
    for match in _PUSHED.finditer(text):
        image = _IMAGE.match(text, match.end())
        if image is not None:
            found.append((image.group("registry"), image.group("repository"), image.group("tag")))
    found += [(f"{m.group('name')}.azurecr.io", m.group("repository"), m.group("tag"))
              for m in _ACR_BUILD.finditer(text)]
    return found
