"""Tamper evidence: rows changed, deleted or swapped directly in the database (SQLite's
``stored_events``, PostgreSQL's ``craftledger_events``) make ``craftledger audit verify`` exit
non-zero and name the position; an untouched log verifies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from projections.transparency_log import TransparencyLog
from service.audit import Audit, verify_log
from service.cli import main
from service.ledger import Ledger
from tests.audit.principals import grant_tokens
from tests.audit.stored_rows import StoredRows
from tests.factories import file_employer, hire
from tests.support.stores import cli_env_of

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def logged(ledger: Ledger, audit: Audit) -> Ledger:
    """A log of real events, projected into the transparency log, with signed heads at two
    sizes (so the stored data must agree with both)."""
    body = file_employer(ledger)
    for serial in range(3):
        hire(ledger, body, serial)
    audit.catch_up()
    audit.publish(force=True)
    grant_tokens(ledger, 4)
    audit.catch_up()
    audit.publish(force=True)
    return ledger


def verify_cli(ledger: Ledger, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", "verify", *args], env=cli_env_of(ledger))
    return result.exit_code, result.output


def test_an_untouched_log_verifies(logged: Ledger) -> None:
    code, output = verify_cli(logged)
    assert code == 0, output
    assert "OK" in output
    assert f"{logged.log_position} stored events" in output
    assert "2 signed tree heads" in output


def test_a_changed_state_is_found_at_its_position(logged: Ledger, rows: StoredRows) -> None:
    _topic, state = rows.row(5)
    rows.set_state(5, state.replace(b"test", b"fake", 1) if b"test" in state else state + b" ")

    code, output = verify_cli(logged)

    assert code == 1, output
    assert "FIRST DISAGREEMENT at position 5 (leaf 4): changed" in output
    assert "TREE HEAD" in output and "FAILED" in output


def test_a_deleted_row_is_found_at_its_position(logged: Ledger, rows: StoredRows) -> None:
    rows.delete(4)

    code, output = verify_cli(logged, "--json")

    assert code == 1
    report = json.loads(output)
    assert report["first_disagreement"]["position"] == 4
    assert report["first_disagreement"]["kind"] == "deleted"
    assert report["ok"] is False


def test_two_swapped_rows_are_found_at_the_first_of_them(logged: Ledger, rows: StoredRows) -> None:
    rows.swap(3, 8)

    code, output = verify_cli(logged, "--json")

    assert code == 1
    report = json.loads(output)
    assert report["first_disagreement"]["position"] == 3
    assert report["first_disagreement"]["kind"] == "reordered"
    assert "position 8" in report["first_disagreement"]["detail"]
    assert {d["position"] for d in report["disagreements"]} == {3, 8}


def test_a_tree_rebuilt_from_altered_events_is_caught_by_the_signed_heads(
    logged: Ledger, rows: StoredRows, store: ProjectionStore
) -> None:
    """An insider who also rebuilds the transparency log cannot re-sign the heads."""
    _topic, state = rows.row(2)
    rows.set_state(2, state + b" ")
    ProjectionRunner(logged, store, [TransparencyLog()]).rebuild("transparency_log")

    report = verify_log(logged, store)

    assert not report.ok
    assert report.first is not None and report.first.kind == "tree-head"
    assert report.first.position <= 2 < report.heads[0].tree_size + 1
    assert all(head.root == "differs" for head in report.heads)
    code, _ = verify_cli(logged)
    assert code == 1


def test_heads_are_checked_with_a_key_given_on_the_command_line(
    logged: Ledger, audit: Audit
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from service.signing.multikey import public_multibase_of

    published = audit.heads.public_key_multibase()
    assert verify_cli(logged, "--public-key", published)[0] == 0
    stranger = public_multibase_of(Ed25519PrivateKey.generate())
    code, output = verify_cli(logged, "--public-key", stranger)
    assert code == 1
    assert "signature invalid" in output


def test_verify_as_a_process_names_the_position(logged: Ledger, rows: StoredRows) -> None:
    rows.delete(6)
    env = {**os.environ, **cli_env_of(logged)}

    result = subprocess.run(
        [sys.executable, "-c", "from service.cli import main; main()", "audit", "verify"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "FIRST DISAGREEMENT at position 6" in result.stdout
    assert "deleted" in result.stdout


def test_events_not_yet_in_the_log_are_pending_not_a_disagreement(
    logged: Ledger, store: ProjectionStore
) -> None:
    grant_tokens(logged, 3)
    report = verify_log(logged, store)
    assert report.ok
    assert report.pending == 3
