"""Two ledgers, two real processes: ledger B verifies ledger A's credential as a foreign did:web
issuer, fetching A's controller document and status lists over HTTP (B runs with
``CRAFTLEDGER_VERIFY_FETCH_PRIVATE=1``: both listen on the loopback). A holder presents it to B.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from service.signing.multikey import did_key_verification_method, generate_key_pair
from service.signing.presentation_verifier import sign_presentation
from tests.support.server import base_env, mint_admin_token, request, serving


def first_credential(url: str, env: dict[str, str]) -> dict[str, Any]:
    token = mint_admin_token(env)
    status, _, listed = request(
        f"{url}/api/v1/certificates?limit=1", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200 and listed["items"], listed
    number = listed["items"][0]["number"]
    with urllib.request.urlopen(f"{url}/api/v1/certificates/{number}/credential", timeout=10) as r:
        return dict(json.loads(r.read()))


def checks(result: dict[str, Any]) -> dict[str, str]:
    return {c["check"]: c["status"] for c in result["checks"]}


def test_ledger_b_verifies_ledger_as_credential_and_a_presentation_of_it(tmp_path: Path):
    env_a = base_env(tmp_path / "a")
    env_b = base_env(tmp_path / "b") | {"CRAFTLEDGER_VERIFY_FETCH_PRIVATE": "1"}
    with (
        serving(env_a, "--demo", log=tmp_path / "a.log", within=120) as (url_a, _),
        serving(env_b, log=tmp_path / "b.log", within=60) as (url_b, _),
    ):
        credential = first_credential(url_a, env_a)
        status, _, result = request(
            f"{url_b}/credentials/verify", "POST", {"verifiableCredential": credential}
        )
        assert status == 200
        assert result["verified"] is True, result
        found = checks(result)
        assert found["issuer_binding"] == found["status"] == "passed"  # fetched from A
        assert found["issuer_filed"] == "skipped"  # B vouches only for its own
        status, _, at_home = request(
            f"{url_a}/credentials/verify", "POST", {"verifiableCredential": credential}
        )
        assert checks(at_home)["issuer_filed"] == "passed"

        private, public = generate_key_pair()
        method = did_key_verification_method(public)
        presentation = sign_presentation(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "holder": method.partition("#")[0],
                "verifiableCredential": [credential],
            },
            private,
            method,
            challenge="b-42",
        )
        body = {"verifiablePresentation": presentation, "options": {"challenge": "b-42"}}
        status, _, result = request(f"{url_b}/presentations/verify", "POST", body)
        assert status == 200
        assert result["verified"] is True, result
        assert [r["verified"] for r in result["credentialResults"]] == [True]
        assert result["warnings"][0]["detail"] == "credential 0 names no credentialSubject.id"
