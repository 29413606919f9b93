"""Round 37 R (robustness variants of realU / real90-92, tests/scenarios/rob30R): an admin-level HTTP trigger called
with a function key; the developer portal's CORS block in the browser's own words; a policy fragment path refused in
the XML reader's words; AADSTS650052's older wording for an app's own API; the old Baltimore root pinned for an Azure
database server is not a TLS-inspecting proxy. Each with a near miss that must keep the older reading."""

from __future__ import annotations

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

ADMIN_FN = ("ADF activity: Call to provided Azure function 'sync' failed with status-'Unauthorized' and message - "
            "'Invoking Azure function failed with HttpStatusCode - Unauthorized.'.\n"
            "@app.route(route=\"sync\", auth_level=func.AuthLevel.ADMIN)\n"
            "The linked service sends the function key of 'sync'; curl with ?code=<that key> also gets 401.")
FUNCTION_LEVEL_WITH_KEY = ADMIN_FN.replace("AuthLevel.ADMIN", "AuthLevel.FUNCTION")
CORS_PORTAL = ("Access to fetch at 'https://apim-x.azure-api.net/orders/list' from origin "
               "'https://apim-x.developer.azure-api.net' has been blocked by CORS policy: "
               "No 'Access-Control-Allow-Origin' header is present on the requested resource.")
CORS_OWN_SPA = CORS_PORTAL.replace("https://apim-x.developer.azure-api.net", "https://shop.contoso.example")
FRAGMENT_PATH = ('type = "Microsoft.ApiManagement/service/policyFragments@2023-05-01-preview"\n'
                 "\"message\":\"'frag.xml' is not a valid XML: "
                 "Data at the root level is invalid. Line 1, position 1.\"")
POLICY_PATH = FRAGMENT_PATH.replace('type = "Microsoft.ApiManagement/service/policyFragments@2023-05-01-preview"\n',
                                    "")
AADSTS_OWN_API = ("AADSTS650052: The app needs access to a service ('api://orders-api') that your organization "
                  "'f1e2d3c4-0000-4bbb-8ccc-123456abcdef' has not subscribed to or enabled.")
AADSTS_MS_SERVICE = ("AADSTS650052: The app needs access to a service (\"https://service.powerapps.com/\") that "
                     "your organization has not subscribed to or enabled.")
MYSQL_PY = ("mysql.connector.connect(host=\"db1.mysql.database.azure.com\", "
            "ssl_ca=\"/etc/ssl/BaltimoreCyberTrustRoot.crt.pem\")\n"
            "SSL connection error: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "self signed certificate in certificate chain (_ssl.c:1006)")
PROXY_PY = ("requests.get('https://api.contoso.example') behind the office proxy\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed certificate in certificate chain")


def _envelope(text: str) -> dict:
    return dict(run_engine({"error_description": text}).envelope())


def test_admin_level_trigger_with_a_function_key_names_the_master_key() -> None:
    env = _envelope(ADMIN_FN)
    assert env["status"] == "done" and env["report"]["category"] == "auth.credential_invalid"
    assert "master key" in env["report"]["root_cause"] and "Admin" in env["report"]["root_cause"]


def test_function_level_trigger_with_a_key_is_not_the_admin_reading() -> None:
    env = _envelope(FUNCTION_LEVEL_WITH_KEY)
    assert "authorization level Admin" not in (env.get("report") or {}).get("root_cause", "")


def test_developer_portal_cors_in_the_browsers_words() -> None:
    assert best_entry_id(CORS_PORTAL) == "integration-apim-developer-portal-console-cors"
    # the same block from the customer's own page is not the developer portal's console
    assert best_entry_id(CORS_OWN_SPA) != "integration-apim-developer-portal-console-cors"


def test_policy_fragment_path_in_the_xml_readers_words() -> None:
    assert best_entry_id(FRAGMENT_PATH) == "integration-apim-policy-fragment-not-valid-xml"
    assert best_entry_id(POLICY_PATH) != "integration-apim-policy-fragment-not-valid-xml"


def test_aadsts650052_older_wording_for_an_apps_own_api() -> None:
    assert best_entry_id(AADSTS_OWN_API) == "entra-aadsts650052-api-service-principal-missing-in-tenant"
    assert best_entry_id(AADSTS_MS_SERVICE) != "entra-aadsts650052-api-service-principal-missing-in-tenant"


def test_baltimore_root_for_an_azure_database_is_not_a_proxy() -> None:
    env = _envelope(MYSQL_PY)
    assert env["status"] == "done" and env["report"]["category"] == "config.invalid_connection_string"
    assert "DigiCert" in env["report"]["root_cause"]
    # without the Azure database and the Baltimore file it stays the client's own inspecting proxy
    assert best_entry_id(PROXY_PY) == "other-clouds-local-tls-interception"
