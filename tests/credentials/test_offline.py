"""Offline: files saved from the API verify with `craftledger vc verify` after the server stops."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from service.cli import main
from service.ledger import Ledger
from tests.factories import file_employer, issue_to_new_worker


def save_from_the_api(make_ledger: Callable[..., Ledger], folder: Path, revoke: bool) -> Path:
    """Run the API on a real clock, download the files a verifier keeps, then stop it all."""
    from service.app import create_app

    ledger = make_ledger()  # the real clock: the CLI verifies against "now"
    app = create_app({"TESTING": True, "RUN_PROJECTIONS": False}, ledger=ledger)
    client = app.test_client()
    body = file_employer(ledger)
    issued = issue_to_new_worker(ledger, body.id, 1)
    files = {
        "credential.json": f"/api/v1/certificates/{issued.number}/credential",
        "did.json": f"/organisations/{body.id}/did.json",
    }
    if revoke:
        ledger.certificates.change_certificate_status(
            issued.number, "revoke", actor="t", reason="作弊"
        )
    for purpose in ("message", "revocation", "suspension"):
        files[f"{purpose}.json"] = f"/api/v1/status-lists/{body.id}/{purpose}"
    for name, url in files.items():
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.data)
        (folder / name).write_bytes(answer.data)
    app.extensions["craftledger"].close()
    ledger.close()
    return folder


def verify(folder: Path, *extra: str) -> tuple[int, dict]:
    result = CliRunner().invoke(
        main,
        ["vc", "verify", "--json", *extra, str(folder / "credential.json")],
    )
    return result.exit_code, json.loads(result.output)


def saved_documents(folder: Path) -> list[str]:
    """``vc verify`` options naming the saved controller document and the status lists (the
    message list the credential names, and the two 1-bit lists, which it ignores)."""
    lists = [["--status-list", str(folder / f"{p}.json")] for p in ("message", "revocation")]
    return ["--controller", str(folder / "did.json"), *lists[0], *lists[1]]


def test_our_credential_verifies_offline_with_the_saved_controller_and_status_lists(
    make_ledger, tmp_path
):
    folder = save_from_the_api(make_ledger, tmp_path, revoke=False)
    code, report = verify(folder, *saved_documents(folder))
    assert code == 0, report
    assert report["verified"] is True
    statuses = {check["check"]: check["status"] for check in report["checks"]}
    assert (
        statuses["signature"] == statuses["status"] == statuses["key_valid_at_created"] == "passed"
    )


def test_offline_without_the_status_lists_the_status_is_unknown_and_not_verified(
    make_ledger, tmp_path
):
    folder = save_from_the_api(make_ledger, tmp_path, revoke=False)
    code, report = verify(folder, "--controller", str(folder / "did.json"))
    assert code == 1
    assert {c["check"]: c["status"] for c in report["checks"]}["status"] == "unknown"


def test_offline_a_revoked_credential_reports_revoked(make_ledger, tmp_path):
    folder = save_from_the_api(make_ledger, tmp_path, revoke=True)
    code, report = verify(folder, *saved_documents(folder))
    assert code == 1
    (status,) = [c for c in report["checks"] if c["check"] == "status"]
    assert [(s["result"], s["status"]) for s in status["statuses"]] == [("revoked", "0x2")]


def test_offline_in_a_separate_process_with_no_service_running(make_ledger, tmp_path):
    folder = save_from_the_api(make_ledger, tmp_path, revoke=False)
    command = [
        sys.executable,
        "-c",
        "from service.cli import main; main()",
        "vc",
        "verify",
        *saved_documents(folder),
        str(folder / "credential.json"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "credential verified" in done.stdout
