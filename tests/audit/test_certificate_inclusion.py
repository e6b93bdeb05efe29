"""A certificate's verification carries its issuance event's inclusion proof against a signed
tree head, and that proof verifies offline from two files (and the ledger's public key)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from domain.certificate import Certificate
from projections.transparency_log import TransparencyLogQuery, leaf_data_of
from service.cli import main
from service.ledger import Ledger
from tests.audit.stored_rows import StoredRows
from tests.factories import Issued, file_employer, id_number, issue_to_new_worker


@pytest.fixture
def issued(ledger: Ledger) -> Issued:
    body = file_employer(ledger)
    return issue_to_new_worker(ledger, body.id, 3, name="王小明")


def verify(client: FlaskClient, issued: Issued) -> dict[str, Any]:
    credential = json.loads(client.get(f"/api/v1/certificates/{issued.number}/credential").data)
    answer = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert answer.status_code == 200
    return answer.json  # type: ignore[no-any-return]


def log_check(report: dict[str, Any]) -> dict[str, Any]:
    (check,) = [c for c in report["checks"] if c["check"] == "log_inclusion"]
    return check  # type: ignore[no-any-return]


def check_proof(tmp_path: Path, found: dict[str, Any], *extra: str) -> tuple[int, str]:
    head = tmp_path / "tree-head.json"
    proof = tmp_path / "proof.json"
    head.write_text(json.dumps(found["tree_head"]))
    proof.write_text(json.dumps(found["inclusion_proof"]))
    result = CliRunner().invoke(
        main,
        ["audit", "check-proof", "--tree-head", str(head), "--proof", str(proof), *extra],
    )
    return result.exit_code, result.output


def test_the_verification_report_includes_the_issuance_proof(
    ledger: Ledger, app: Flask, issued: Issued
) -> None:
    report = verify(app.test_client(), issued)
    check = log_check(report)
    assert report["verified"] is True
    assert check["status"] == "passed", check
    found = check["log_inclusion"]
    issuance = TransparencyLogQuery(app.extensions["craftledger"].audit.store).leaf_of_event(
        Certificate.create_id(number=issued.number), 1
    )
    assert issuance is not None
    assert (found["position"], found["leaf_index"]) == (issuance.position, issuance.leaf_index)
    assert found["inclusion_proof"]["leaf_index"] == issuance.leaf_index
    assert found["inclusion_proof"]["tree_size"] == found["tree_head"]["tree_size"]


def test_the_proof_verifies_offline_with_only_the_head_and_proof_files(
    ledger: Ledger, app: Flask, issued: Issued, tmp_path: Path
) -> None:
    client = app.test_client()
    found = log_check(verify(client, issued))["log_inclusion"]
    key = client.get("/api/v1/audit/public-key").json["publicKeyMultibase"]

    code, output = check_proof(tmp_path, found, "--public-key", key)
    assert code == 0, output
    assert f"inclusion of leaf {found['leaf_index']}" in output

    assert check_proof(tmp_path, found)[0] == 3  # proof holds, head unauthenticated
    leaf = tmp_path / "leaf.bin"
    (notification,) = ledger.recorder.select_notifications(
        start=found["position"], limit=1, stop=found["position"]
    )
    leaf.write_bytes(leaf_data_of(notification))
    assert check_proof(tmp_path, found, "--public-key", key, "--leaf", str(leaf))[0] == 0
    leaf.write_bytes(leaf_data_of(notification).replace(b'"position":', b'"position":1'))
    assert check_proof(tmp_path, found, "--public-key", key, "--leaf", str(leaf))[0] == 1
    forged = {**found, "inclusion_proof": {**found["inclusion_proof"], "leaf_index": 0}}
    if found["leaf_index"] != 0:
        assert check_proof(tmp_path, forged, "--public-key", key)[0] == 1


def test_the_national_query_answer_carries_the_proof_too(
    ledger: Ledger, app: Flask, issued: Issued, tmp_path: Path
) -> None:
    client = app.test_client()
    answer = client.post(
        "/api/v1/verify",
        json={"number": issued.number, "name": "王小明", "id_number": id_number(3).reveal()},
    )
    assert answer.status_code == 200 and answer.json["result"] == "valid"
    found = answer.json["log_inclusion"]
    key = client.get("/api/v1/audit/public-key").json["publicKeyMultibase"]
    assert check_proof(tmp_path, found, "--public-key", key)[0] == 0
    wrong = client.post(
        "/api/v1/verify",
        json={"number": issued.number, "name": "李四", "id_number": id_number(3).reveal()},
    )
    assert wrong.json["result"] == "not_found" and "log_inclusion" not in wrong.json


def test_a_rewritten_issuance_row_fails_the_log_check(
    ledger: Ledger, app: Flask, issued: Issued, rows: StoredRows
) -> None:
    client = app.test_client()
    found = log_check(verify(client, issued))["log_inclusion"]
    _topic, state = rows.row(found["position"])
    rows.set_state(found["position"], state + b" ")

    check = log_check(verify(client, issued))

    assert check["status"] == "failed"
    assert f"position {found['position']}" in check["detail"]


def test_a_bad_signature_skips_the_log_check(ledger: Ledger, app: Flask, issued: Issued) -> None:
    client = app.test_client()
    credential = json.loads(client.get(f"/api/v1/certificates/{issued.number}/credential").data)
    credential["credentialSubject"]["name"] = "冒名"
    report = client.post("/credentials/verify", json={"verifiableCredential": credential}).json
    assert report["verified"] is False
    assert log_check(report)["status"] == "skipped"
