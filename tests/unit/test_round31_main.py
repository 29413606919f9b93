"""Round 31 (twenty-fourth session, main): the platform the failing app runs on (a Heroku dyno, a GKE cluster, a
Vercel deployment) is read before the catalog, so a generic runtime error on that platform ends as out of scope;
an Azure service's own error from an app hosted there stays Azure's."""

from __future__ import annotations

from shared.session.state import Conclude, GiveUp
from tests.helpers.engine_loop import run_engine

HEROKU_CRASH = ("2026-11-30T10:01:02 app[web.1]: Failed to find attribute 'server' in 'app'.\n"
                "2026-11-30T10:01:03 heroku[router]: at=error code=H10 desc=\"App crashed\" method=GET path=\"/\" "
                "host=dash-sales.herokuapp.com\nWe also keep the exports in Azure Blob Storage.")
AOAI_FROM_HEROKU = ("Our Flask app on Heroku (dash-sales.herokuapp.com) calls Azure OpenAI and gets\n"
                    "openai.AuthenticationError: Error code: 401 - {'error': {'code': '401', 'message': 'Access denied "
                    "due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an "
                    "active subscription and use a correct regional API endpoint for your resource.'}}")


def test_a_start_up_error_on_a_heroku_dyno_is_herokus() -> None:
    outcome = run_engine({"error_description": HEROKU_CRASH})
    assert isinstance(outcome.final, GiveUp), outcome.final
    assert outcome.final.report.category == "out_of_scope" and "Heroku" in outcome.final.report.root_cause


def test_an_azure_services_refusal_of_an_app_on_heroku_stays_azures() -> None:
    outcome = run_engine({"error_description": AOAI_FROM_HEROKU})
    assert isinstance(outcome.final, Conclude), outcome.final
    assert outcome.final.report.category == "auth.credential_invalid"


def test_the_gke_auth_plugin_is_google_clouds_even_beside_aks() -> None:
    text = ("kubectl get pods\nerror: gke-gcloud-auth-plugin, which is needed for continued use of kubectl, was not "
            "found or is not executable.\n(our other clusters run on AKS)")
    outcome = run_engine({"error_description": text})
    assert isinstance(outcome.final, GiveUp) and "Google Cloud" in outcome.final.report.root_cause

