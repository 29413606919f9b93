"""App Service authentication whose client-secret setting the app no longer has (config/authsettingsV2 read by the
web app playbook; finding app-easy-auth-secret-setting-missing) — and the authsettingsV2 read is allowed, as it names
the setting, never the secret."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.tools.azure_common import ResourceArguments
from tests.helpers.finding_checks import finding_id, reads_state

SITE = "/subscriptions/71fccd06-d86d-5ec0-b77c-747ae749aa36/resourceGroups/rg-hr/providers/Microsoft.Web/sites/app-hr"
AUTH = {"id": f"{SITE}/config/authsettingsV2", "name": "authsettingsV2", "type": "Microsoft.Web/sites/config",
        "authEnabled": True, "authClientSecretSettingName": "MICROSOFT_PROVIDER_AUTHENTICATION_SECRET"}
REPORT = "Users of app-hr land on a 401 after the Microsoft login page since the release"


def test_the_secret_setting_named_by_the_auth_settings_but_absent_from_the_app_is_the_finding():
    state = reads_state(REPORT, [AUTH], names=["APPLICATIONINSIGHTS_CONNECTION_STRING", "HR_API_BASE"])
    assert finding_id(state) == "app-easy-auth-secret-setting-missing"


@pytest.mark.parametrize("auth, names", [
    (AUTH, ["HR_API_BASE", "microsoft_provider_authentication_secret"]),  # the setting is there (any case)
    ({**AUTH, "authEnabled": False}, ["HR_API_BASE"]),                    # authentication is off
    ({**AUTH, "authClientSecretSettingName": None}, ["HR_API_BASE"]),     # no secret setting configured
])
def test_a_present_setting_authentication_off_or_no_secret_setting_is_no_finding(auth, names):
    assert finding_id(reads_state(REPORT, [auth], names=names)) != "app-easy-auth-secret-setting-missing"


def test_auth_settings_v2_may_be_read_but_other_config_resources_still_may_not():
    assert ResourceArguments(resource_id=f"{SITE}/config/authsettingsV2").resource_id.endswith("authsettingsV2")
    for refused in ("authsettings", "appsettings", "connectionstrings", "publishingcredentials"):
        with pytest.raises(ValidationError):
            ResourceArguments(resource_id=f"{SITE}/config/{refused}")
