"""`craftledger demo` is idempotent and `craftledger export` writes masked JSON lines."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date

from click.testing import CliRunner

from service.cli import main

ID_SHAPED = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9X](?![0-9A-Za-z])")


def valid_id_numbers_in(text: str) -> list[str]:
    """Every checksum-valid resident ID number standing on its own in ``text``."""
    from domain.errors import InvalidValue
    from domain.id_number import IdNumber

    found = []
    for match in ID_SHAPED.finditer(text):
        try:
            IdNumber.parse(match.group(0))
        except InvalidValue:
            continue
        found.append(match.group(0))
    return found


def test_demo_twice_leaves_the_same_log_and_export_is_masked_json_lines(tmp_path, monkeypatch):
    monkeypatch.setenv("CRAFTLEDGER_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    first = runner.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    runner.invoke(main, ["export", str(tmp_path / "one.jsonl")])
    second = runner.invoke(main, ["demo"])
    assert second.exit_code == 0, second.output
    assert "0 new events" in second.output
    runner.invoke(main, ["export", str(tmp_path / "two.jsonl")])
    one = (tmp_path / "one.jsonl").read_text(encoding="utf-8")
    assert one == (tmp_path / "two.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in one.splitlines()]
    assert len(records) > 1500
    assert [r["position"] for r in records] == list(range(1, len(records) + 1))
    types = {r["type"] for r in records}
    assert {"Certificate.Issued", "Certificate.Suspended", "Certificate.Revoked"} <= types
    assert len({r["aggregate_id"] for r in records if r["type"] == "Worker.Registered"}) >= 200
    assert valid_id_numbers_in(one) == [], "an unmasked ID number leaked into the export"
    assert "********" in one


def test_export_masks_an_id_number_that_slipped_into_free_text(tmp_path, monkeypatch):
    from service.config import Settings
    from service.ledger import Ledger
    from tests.factories import file_employer, hire, id_number

    monkeypatch.setenv("CRAFTLEDGER_DATA_DIR", str(tmp_path))
    ledger = Ledger(Settings(data_dir=tmp_path))
    body = file_employer(ledger)
    worker_id = hire(ledger, body, 1)
    raw = id_number(7).reveal()
    ledger.workers.end_employment(
        worker_id, body.id, until=date(2024, 1, 1), actor=f"hr note {raw}"
    )
    result = CliRunner().invoke(main, ["export", "-"])
    assert raw not in result.output
    assert id_number(7).masked in result.output


def test_importing_the_domain_pulls_in_no_web_framework_or_database_driver():
    code = (
        "import sys, pkgutil, importlib, domain\n"
        "for m in pkgutil.iter_modules(domain.__path__):\n"
        "    importlib.import_module('domain.' + m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'werkzeug', 'psycopg', 'psycopg_pool', 'sqlite3', '_sqlite3',"
        " 'service', 'projections')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ
    )
    assert result.returncode == 0, result.stdout + result.stderr
