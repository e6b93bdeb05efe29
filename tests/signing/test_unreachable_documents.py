"""Online ``vc verify`` over the loopback: a key document or a status list that cannot be fetched
makes its check "unknown" and the credential not verified, never a failed (or good) signature."""

from __future__ import annotations

import json
import socket
from typing import Any

from click.testing import CliRunner

from service.cli import main
from service.signing.data_integrity import add_proof
from service.signing.status_list import status_list_entry
from tests.signing.issuer import Issuer, achievement_credential
from tests.support.documents_server import Served

TIMEOUT = "3"


def signed_for(did: str, list_base: str) -> tuple[Issuer, dict[str, Any]]:
    issuer = Issuer(id=did)
    issuer.add_key("key-1", seed=1, validFrom="2024-01-01T00:00:00Z")
    credential = achievement_credential(issuer_id=did)
    credential["credentialStatus"] = [
        status_list_entry(f"{list_base}/lists/revocation", "revocation", 7)
    ]
    return issuer, issuer.sign(credential)


def verify_online(tmp_path, credential: dict[str, Any]) -> Any:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential, ensure_ascii=False))
    return CliRunner().invoke(main, ["vc", "verify", "--timeout", TIMEOUT, str(path)])


def test_everything_fetched_verifies(served: Served, tmp_path):
    issuer, credential = signed_for(served.did, served.base)
    served.documents["/organisations/body/did.json"] = issuer.document
    status_list = issuer.status_list("revocation")
    status_list["id"] = f"{served.base}/lists/revocation"
    unsigned = {k: v for k, v in status_list.items() if k != "proof"}
    served.documents["/lists/revocation"] = add_proof(
        unsigned, issuer.keys["key-1"], issuer.method("key-1"), "2024-06-01T08:00:00Z"
    )
    result = verify_online(tmp_path, credential)
    assert result.exit_code == 0, result.output


def test_a_status_list_that_cannot_be_fetched_is_unknown(served: Served, tmp_path):
    issuer, credential = signed_for(served.did, served.base)
    served.documents["/organisations/body/did.json"] = issuer.document
    result = verify_online(tmp_path, credential)
    assert result.exit_code == 1
    assert "passed   signature" in result.output
    assert "unknown  status: revocation unknown: cannot fetch" in result.output
    assert result.output.splitlines()[-2:] == [
        "not verified because of: status unknown",
        "credential NOT verified",
    ]


def test_a_key_document_that_cannot_be_fetched_leaves_the_signature_unknown(served, tmp_path):
    _, credential = signed_for(served.did, served.base)  # the server answers 503 for did.json
    result = verify_online(tmp_path, credential)
    assert result.exit_code == 1
    assert "unknown  signature: the signing key cannot be had" in result.output
    assert "failed   signature" not in result.output


def test_a_key_host_that_does_not_answer_leaves_the_signature_unknown(tmp_path):
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    did = f"did:web:127.0.0.1%3A{port}:organisations:body"
    _, credential = signed_for(did, f"http://127.0.0.1:{port}")
    result = verify_online(tmp_path, credential)
    assert result.exit_code == 1
    assert "unknown  signature" in result.output
