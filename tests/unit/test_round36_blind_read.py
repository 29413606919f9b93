"""After reading the twenty-ninth session's blind failures: three vendors' failing calls that ended in an Azure
question (a site's Cloudflare block page, GitHub Packages' npm registry, Pinecone's index handle) end out of scope
naming the vendor, each with a near miss that stays Azure's."""

from __future__ import annotations

from tests.helpers.engine_loop import out_of_scope_report, run_engine

CLOUDFLARE = ("Our WebJob fails fetching the partner feed: HttpRequestException: Response status code does not "
              "indicate success: 403 (Forbidden). Body: <title>Access denied | feeds.partner.example used Cloudflare "
              "to restrict access</title> <h1>Error 1020</h1> Cloudflare Ray ID: 8f2c1d9e4b7a0c31")
NPM = ("npm ERR! code E403\nnpm ERR! 403 403 Forbidden - PUT https://npm.pkg.github.com/@acme-ui%2fbuttons - "
       "Permission permission_denied: The requested installation does not exist.\nThen azure/webapps-deploy runs.")
PINECONE = ("Azure Function sync fails: Exception: NotFoundException: (404)\nReason: Not Found\nHTTP response body: "
            "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"Resource products-v3 not found\"}}\n"
            "  File \"/home/site/wwwroot/sync/__init__.py\", line 58, in main\n    index = pc.Index(\"products-v3\")")


def test_a_sites_cloudflare_block_page_is_that_sites_firewall() -> None:
    report = out_of_scope_report(CLOUDFLARE)
    assert "Cloudflare" in report["root_cause"] and "1020" in report["root_cause"]


def test_an_azure_front_door_403_is_not_cloudflare() -> None:
    text = ("Calls to https://shop-fd.azurefd.net/api answer 403 Forbidden since we enabled the WAF policy; the body "
            "says 'The request is blocked.' Our own App Service behind it is fine.")
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    assert report.get("category") != "out_of_scope"


def test_github_packages_refusing_a_scope_names_the_owner_scope() -> None:
    report = out_of_scope_report(NPM)
    assert "GitHub Packages" in report["root_cause"] and "scope" in report["root_cause"]


def test_a_pinecone_index_handle_in_the_failing_frame_is_pinecones_404() -> None:
    assert "Pinecone" in out_of_scope_report(PINECONE)["root_cause"]


def test_an_azure_ai_search_index_not_found_stays_azures() -> None:
    text = ("Function fails: azure.core.exceptions.ResourceNotFoundError: () The index 'products-v3' for service "
            "'srch-shop' was not found.\n  File \"/home/site/wwwroot/sync/__init__.py\", line 58, in main")
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    assert report.get("category") != "out_of_scope"
