"""Round 27 (robustness set I): a private endpoint's name answered with a public address, shown by `dig +short`, a
dig answer section or Resolve-DnsName instead of nslookup, concludes like the nslookup form; the same tools showing
the private address stay silent."""

from __future__ import annotations

import re

from shared.engines.clues import clue_in
from tests.helpers.clue_checks import concludes

PE = ("Key vault behind a private endpoint, public network access disabled. From the build agent on premises the "
      "pipeline gets 403 'Public network access is disabled'.\n\n")

DIG_SHORT = ("$ dig +short kv-apps-prod.vault.azure.net\nkv-apps-prod.privatelink.vaultcore.azure.net.\n"
             "data-prod-we.vaultcore.azure.net.\n52.236.186.210\n")
DIG_SHORT_PRIVATE = ("$ dig +short kv-apps-prod.vault.azure.net\nkv-apps-prod.privatelink.vaultcore.azure.net.\n"
                     "10.30.2.4\n")
ANSWER = (";; ANSWER SECTION:\n"
          "kv-apps-prod.vault.azure.net. 60 IN CNAME kv-apps-prod.privatelink.vaultcore.azure.net.\n"
          "kv-apps-prod.privatelink.vaultcore.azure.net. 60 IN CNAME data-prod-we.vaultcore.azure.net.\n"
          "data-prod-we.vaultcore.azure.net. 60 IN A 52.236.186.210\n")
ANSWER_PRIVATE = (";; ANSWER SECTION:\nkv-apps-prod.vault.azure.net. 60 IN CNAME "
                  "kv-apps-prod.privatelink.vaultcore.azure.net.\n"
                  "kv-apps-prod.privatelink.vaultcore.azure.net. 10 IN A 10.30.2.4\n")
RESOLVE = ("PS> Resolve-DnsName kv-apps-prod.vault.azure.net\n\n"
           "Name                          Type   TTL  Section  NameHost\n"
           "----                          ----   ---  -------  --------\n"
           "kv-apps-prod.vault.azure.net  CNAME  60   Answer   kv-apps-prod.privatelink.vaultcore.azure.net\n\n"
           "Name       : data-prod-we.vaultcore.azure.net\nQueryType  : A\nTTL        : 60\nSection    : Answer\n"
           "IP4Address : 52.236.186.210\n")


def _decides(text: str) -> bool:
    found = clue_in([text])
    return found is not None and found["id"] == "private-endpoint-name-resolution" and bool(
        re.search(found["decides"], text))


def test_dig_short_public_answer_behind_a_privatelink_alias_concludes() -> None:
    assert concludes(PE + DIG_SHORT, "network.private_endpoint_dns")


def test_dig_short_with_a_redacted_public_address_is_read() -> None:
    assert _decides(PE + DIG_SHORT.replace("52.236.186.210", "52.236.x.x"))


def test_dig_answer_section_with_a_public_a_record_concludes() -> None:
    assert concludes(PE + ANSWER, "network.private_endpoint_dns")


def test_resolve_dnsname_with_a_public_ip4address_concludes() -> None:
    assert concludes(PE + RESOLVE, "network.private_endpoint_dns")


def test_the_same_tools_answering_the_private_address_do_not_decide() -> None:
    for text in (DIG_SHORT_PRIVATE, ANSWER_PRIVATE, RESOLVE.replace("52.236.186.210", "10.30.2.4")):
        assert not _decides(PE + text)
        assert not concludes(PE + text, "network.private_endpoint_dns")


def test_a_private_dig_answer_followed_by_another_public_lookup_does_not_decide() -> None:
    other = "\n$ dig +short example.org\n93.184.216.34\n"
    assert not _decides(PE + DIG_SHORT_PRIVATE + other)
