"""A deployment the client names is read directly (its failed operations), without listing the group's deployments."""

from __future__ import annotations

from shared.engines.playbooks import _stated_deployment
from shared.models import Options
from shared.session.state import Material, SessionState


def _state(text: str, **environment: str) -> SessionState:
    return SessionState(trace_id="d" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                        material=Material(error_description=text, environment=environment))


def test_a_named_deployment_is_taken_from_the_environment_or_the_text():
    assert _stated_deployment(_state("x", deployment_name="edge-20250619.2"), "x") == "edge-20250619.2"
    text = 'the task log only says "DeploymentFailed". Deployment name edge-20250619.2.'
    assert _stated_deployment(_state(text), text) == "edge-20250619.2"


def test_words_and_template_files_are_no_deployment_names():
    for text in ["The deployment failed again with DeploymentFailed", "the deployment main.bicep failed"]:
        assert _stated_deployment(_state(text), text) is None
