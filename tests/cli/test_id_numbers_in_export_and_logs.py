"""ID numbers never leave through the side doors: ``craftledger export`` masks free text that
was recorded before the rule existed (ids and hashes as stored), the access log masks ID-shaped
path and query segments, and a problem's ``instance`` or ``detail`` never echoes one."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from click.testing import CliRunner

from domain.share_link import ShareLink
from service.cli import main
from service.ledger import Ledger
from tests.factories import checksummed
from tests.support.server import base_env, serving

RAW = checksummed("11010519900307001")
MONTH_13 = checksummed("11010519901307001")
MASKED = RAW[:6] + "********" + RAW[14:]


def test_export_masks_free_text_of_history_recorded_before_the_rule(
    ledger: Ledger, cli_env: dict[str, str]
) -> None:
    hexhash = "ab" + RAW + "cd" * 22  # a hash that happens to hold an ID-shaped run
    legacy = ShareLink.Made(  # made directly, as an older version stored it
        originator_id=uuid4(),
        originator_version=1,
        timestamp=ShareLink.Made.create_timestamp(),
        originator_topic="craftledger:ShareLink",
        worker_id=uuid4(),
        serial=1,
        secret_hash=hexhash,
        code_hash=None,
        made_at=datetime(2024, 1, 1, tzinfo=UTC),
        expires_at=datetime(2024, 2, 1, tzinfo=UTC),
        label=f"for X{RAW} abc{MONTH_13}",
        actor=f"cli{RAW}",
    )
    ledger.recorder.insert_events([ledger.mapper.to_stored_event(legacy)])
    result = CliRunner().invoke(main, ["export", "-"], env=cli_env)
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert record["data"]["label"] == f"for X{MASKED} abc{MONTH_13[:6]}********{MONTH_13[14:]}"
    assert record["actor"] == f"cli{MASKED}"
    assert record["data"]["secret_hash"] == hexhash  # a hash is shown as stored
    assert RAW not in result.stdout.replace(hexhash, "") and MONTH_13 not in result.stdout


def test_the_access_log_masks_id_numbers_in_paths_and_queries(tmp_path: Path) -> None:
    env = base_env(tmp_path / "var")
    log = tmp_path / "serve.log"
    encoded = "".join(f"%{ord(c):02X}" for c in RAW)
    with serving(env, log=log) as (url, _):
        for path in (
            f"/api/v1/workers/{RAW}",
            f"/c/X{RAW}",
            f"/api/v1/certificates?q=abc{RAW}&n={MONTH_13}",
            f"/api/v1/nothing/{encoded}",
        ):
            try:
                urllib.request.urlopen(url + path, timeout=10).close()
            except urllib.error.HTTPError as error:
                assert error.code >= 400
        urllib.request.urlopen(url + "/health", timeout=10).close()
    text = log.read_text(encoding="utf-8")
    assert "/health" in text  # the access log was written
    assert RAW not in text and MONTH_13 not in text and encoded not in text
    assert f"/api/v1/workers/{MASKED}" in text


def test_the_access_log_masks_exactly_the_atoms_its_format_writes() -> None:
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from service.log_masking import MaskingAccessLogger

    config = Config()
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s "%({X-Forwarded-For}i)s" %(a)s')
    logger = MaskingAccessLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/workers/{RAW}",
        "PATH_INFO": f"/api/v1/workers/{RAW}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": f"agent {RAW}",
    }
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", f"for {RAW}"), ("X-Other", RAW)])
    response = SimpleNamespace(status="200 OK", sent=2, headers=[("Content-Type", "text/plain")])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=3))
    assert set(atoms) == {"h", "r", "s", "{x-forwarded-for}i", "a"}
    assert atoms["r"] == f"GET /api/v1/workers/{MASKED} HTTP/1.1"
    assert atoms["{x-forwarded-for}i"] == f"for {MASKED}"
    assert atoms["a"] == f"agent {MASKED}"
    assert RAW not in config.access_log_format % logger.atoms_wrapper_class(atoms)
