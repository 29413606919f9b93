"""Whether a report is about Azure: what makes another cloud's or a local tool's signals count as out of scope."""

from __future__ import annotations

from shared.engines.signatures import mentions_azure
from shared.session.state import Material


def test_an_azure_subscription_or_group_in_the_environment_makes_it_azure():
    text = "The image works with docker compose on my machine but never becomes ready."
    assert not mentions_azure(Material(error_description=text))
    assert mentions_azure(Material(error_description=text, environment={"resource_group": "rg-catalog"}))


def test_azure_product_names_count_unless_the_report_moves_off_them():
    assert mentions_azure(Material(error_description="Our function app stopped at noon"))
    assert not mentions_azure(Material(error_description="gcloud app deploy fails; we are moving the app off "
                                                         "Azure App Service to App Engine."))


def test_a_resource_provider_namespace_named_as_one_is_azure_even_after_not_registered():
    """Resource Manager's own sentence says "not registered to use namespace": the negation is about registration."""
    text = ("Error: The subscription is not registered to use namespace 'Microsoft.App'. "
            "Code: MissingSubscriptionRegistration")
    assert mentions_azure(Material(error_description=text))
    assert not mentions_azure(Material(error_description="The Python namespace package is not registered to use."))
