"""``craftledger token`` and ``craftledger serve``: tokens from the command line, and the server
started as a real process on a free port, talked to over a socket."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from service.app import create_app
from service.cli import main
from service.config import Settings
from service.ledger import Ledger
from tests.support.server import base_env, mint_admin_token, request, serving
from tests.support.stores import POSTGRES_URL


def cli(data_dir: Path, *args: str) -> Any:
    env = {"CRAFTLEDGER_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_token_create_prints_a_token_the_api_accepts(tmp_path: Path) -> None:
    result = cli(tmp_path, "token", "create", "--role", "admin", "--label", "ops")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert len(token) >= 43 and "\n" not in token
    assert "shown only this once" in result.stderr
    ledger = Ledger(Settings(data_dir=tmp_path))
    app = create_app({"TESTING": True, "RUN_PROJECTIONS": False}, ledger=ledger)
    try:
        current = app.test_client().get(
            "/api/v1/tokens/current", headers={"Authorization": f"Bearer {token}"}
        )
        assert current.status_code == 200
        assert current.json["role"] == "admin" and current.json["label"] == "ops"
        grant = ledger.api_token(uuid.UUID(current.json["id"]))
        assert token not in repr(grant.__dict__)
        events = list(ledger.notifications())
        assert events[-1].topic == "craftledger:ApiToken.Granted"
        assert token.encode() not in b"".join(e.state for e in events)

        revoked = cli(tmp_path, "token", "revoke", current.json["id"], "--reason", "rotation")
        assert revoked.exit_code == 0, revoked.output
        after = app.test_client().get(
            "/api/v1/tokens/current", headers={"Authorization": f"Bearer {token}"}
        )
        assert after.status_code == 401
    finally:
        app.extensions["craftledger"].close()
        ledger.close()


def test_token_create_refuses_a_binding_it_lacks(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["token", "create", "--role", "issuer"],
        env={"CRAFTLEDGER_DATA_DIR": str(tmp_path), "DATABASE_URL": ""},
    )
    assert result.exit_code != 0
    assert "token-needs-organisation" in result.output
    unknown = CliRunner().invoke(
        main,
        ["token", "create", "--role", "worker", "--worker", str(uuid.uuid4())],
        env={"CRAFTLEDGER_DATA_DIR": str(tmp_path), "DATABASE_URL": ""},
    )
    assert unknown.exit_code != 0 and "no worker" in unknown.output
    bad_role = CliRunner().invoke(main, ["token", "create", "--role", "root"])
    assert bad_role.exit_code == 2


# -- the server as a process -------------------------------------------------------------------


def exercise(url: str, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    status, headers, union = request(
        f"{url}/api/v1/organisations",
        "POST",
        {"filing_code": "CY-U-1", "name": "朝阳区总工会", "kind": "union", "province_code": "11"},
        {**auth, "Idempotency-Key": "smoke-1"},
    )
    assert status == 201, union
    position = headers["X-Log-Position"]
    status, again_headers, again = request(
        f"{url}/api/v1/organisations",
        "POST",
        {"filing_code": "CY-U-1", "name": "朝阳区总工会", "kind": "union", "province_code": "11"},
        {**auth, "Idempotency-Key": "smoke-1"},
    )
    assert (status, again, again_headers["Idempotent-Replayed"]) == (201, union, "true")
    status, _, listed = request(
        f"{url}/api/v1/organisations?kind=union", headers={"X-Wait-For-Position": position}
    )
    assert status == 200 and [o["id"] for o in listed["items"]] == [union["id"]]
    status, headers, _ = request(f"{url}/api/v1/workers")
    assert status == 401 and headers["Content-Type"] == "application/problem+json"
    status, _, checked = request(
        f"{url}/api/v1/verify",
        "POST",
        {"number": "Y000011000001255000001", "name": "张三", "id_number": "110105199003071239"},
    )
    assert status == 200 and checked["result"] == "not_found"
    status, _, spec = request(f"{url}/openapi.json")
    assert status == 200 and spec["openapi"].startswith("3.")


def test_serve_answers_health_quickly_on_a_fresh_data_dir_and_serves_the_api(
    tmp_path: Path,
) -> None:
    env = base_env(tmp_path / "var")
    with serving(env, "--workers", "3", log=tmp_path / "serve.log") as (url, seconds):
        assert seconds < 5, f"/health took {seconds:.1f} s"
        token = mint_admin_token(env)  # while the server runs: SQLite takes a second writer
        exercise(url, token)
    log = (tmp_path / "serve.log").read_text()
    assert "single writer" in log and "1 worker x 8 threads" in log
    assert "110105199003071239" not in log
    assert (tmp_path / "var" / "ledger.sqlite3").exists()


def test_serve_on_postgresql_with_two_workers(tmp_path: Path) -> None:
    schema = f"serve_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        env = base_env(tmp_path / "var", f"{POSTGRES_URL}?schema={schema}")
        token = mint_admin_token(env)
        with serving(env, "--workers", "2", log=tmp_path / "serve.log") as (url, seconds):
            assert seconds < 15, f"/health took {seconds:.1f} s"
            exercise(url, token)
            _, _, health = request(f"{url}/health")
            assert health["store"] == "postgresql"
        assert "2 workers x 8 threads" in (tmp_path / "serve.log").read_text()
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.mark.parametrize("flag", ["--help"])
def test_serve_documents_its_options(flag: str) -> None:
    result = CliRunner().invoke(main, ["serve", flag])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--demo", "--workers"):
        assert option in result.output
