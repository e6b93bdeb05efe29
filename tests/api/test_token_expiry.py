"""Token expiry and last use: non-admin tokens expire by default, an expired token is refused
with a problem saying so, ``/tokens/current`` shows the expiry and the last use, and noting a
use writes no event."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from domain.api_token import ApiToken, Role
from service.cli import main
from service.config import ConfigurationError, Settings
from service.ledger import Ledger
from service.tokens.usage import usage_for
from tests.support.api_world import SERVER_START, running_app


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, Ledger]]:
    backend = str(request.param)
    with running_app(backend, tmp_path_factory.mktemp(f"expiry-{backend}")) as (app, ledger):
        yield app, ledger


def grant(ledger: Ledger, role: Role = Role.AUDITOR, **kwargs: object) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    recorded = ledger.tokens.grant_token(token=token, role=role, label="t", actor="test", **kwargs)  # type: ignore[arg-type]
    return token, recorded.aggregate


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_non_admin_tokens_expire_after_the_default_admin_tokens_never(
    served: tuple[Flask, Ledger],
) -> None:
    _, ledger = served
    _, auditor = grant(ledger)
    _, admin = grant(ledger, Role.ADMIN)
    _, short_admin = grant(ledger, Role.ADMIN, expires_in_days=7)
    assert auditor.expires_at is not None
    lifetime = auditor.expires_at - ledger.clock()
    assert timedelta(days=89, hours=23) < lifetime <= timedelta(days=90)
    assert admin.expires_at is None
    assert short_admin.expires_at is not None
    assert short_admin.expires_at - ledger.clock() <= timedelta(days=7)


def test_current_token_shows_its_expiry_and_last_use(served: tuple[Flask, Ledger]) -> None:
    app, ledger = served
    token, auditor = grant(ledger, expires_in_days=30)
    client = app.test_client()
    answer = client.get("/api/v1/tokens/current", headers=bearer(token))
    assert answer.status_code == 200, answer.json
    assert auditor.expires_at is not None
    assert datetime.fromisoformat(answer.json["expires_at"]) == auditor.expires_at
    last_used = datetime.fromisoformat(answer.json["last_used_at"])
    assert abs(datetime.now(UTC) - last_used) < timedelta(minutes=1)
    _, admin = grant(ledger, Role.ADMIN)
    admin_view = client.get(f"/api/v1/tokens/{admin.id}", headers=bearer(token))
    assert admin_view.json["expires_at"] is None and admin_view.json["last_used_at"] is None


def test_an_expired_token_is_refused_saying_it_expired(served: tuple[Flask, Ledger]) -> None:
    app, ledger = served
    # granted a year before the server's clock, for a day: long expired when presented
    long_ago = SERVER_START - timedelta(days=365)
    past = Ledger(ledger.settings, clock=lambda: long_ago)
    try:
        token, expired = grant(past, Role.AUDITOR, expires_in_days=1)
    finally:
        past.close()
    answer = app.test_client().get("/api/v1/certificates?limit=1", headers=bearer(token))
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.json["type"] == "urn:craftledger:problem:token-expired"
    assert "expired" in answer.json["detail"]
    assert expired.expires_at is not None
    assert datetime.fromisoformat(answer.json["expired_at"]) == expired.expires_at
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    public = app.test_client().get("/health", headers=bearer(token))
    assert public.status_code == 200  # outside /api/ the header is not read


def test_a_grant_cannot_expire_before_it_is_made(served: tuple[Flask, Ledger]) -> None:
    app, ledger = served
    admin, _ = grant(ledger, Role.ADMIN)
    answer = app.test_client().post(
        "/api/v1/tokens", json={"role": "auditor", "expires_in_days": 0}, headers=bearer(admin)
    )
    assert answer.status_code == 422
    made = app.test_client().post(
        "/api/v1/tokens", json={"role": "auditor", "expires_in_days": 2}, headers=bearer(admin)
    )
    assert made.status_code == 201
    expires = datetime.fromisoformat(made.json["expires_at"])
    assert timedelta(days=1) < expires - ledger.clock() <= timedelta(days=2)


def test_using_a_token_writes_no_event(served: tuple[Flask, Ledger]) -> None:
    app, ledger = served
    token, auditor = grant(ledger)
    client = app.test_client()
    before = ledger.log_position
    for _ in range(5):
        assert client.get("/api/v1/tokens/current", headers=bearer(token)).status_code == 200
    assert ledger.log_position == before
    usage = usage_for(ledger)
    assert usage.last_used(auditor.id) is not None
    assert usage.touch(auditor.id) is True  # a fresh process writes at once...
    assert usage.touch(auditor.id) is False  # ...then at most once a minute


def test_grants_recorded_before_expiries_existed_still_load(
    served: tuple[Flask, Ledger],
) -> None:
    _, ledger = served
    _, admin = grant(ledger, Role.ADMIN)
    granted = ledger.mapper.to_domain_event(ledger.recorder.select_events(admin.id)[0])
    del granted.__dict__["expires_at"]  # as an event stored before the field existed
    old = ledger.mapper.to_stored_event(granted)
    if ledger.mapper.cipher is None and ledger.mapper.compressor is None:
        assert b"expires_at" not in old.state
    assert old.topic == "craftledger:ApiToken.Granted"
    loaded = ledger.mapper.to_domain_event(old).mutate(None)
    assert isinstance(loaded, ApiToken) and loaded.expires_at is None
    assert not loaded.expired(datetime.now(UTC))


def test_token_days_come_from_the_environment(tmp_path: Path) -> None:
    assert Settings.from_env({"CRAFTLEDGER_TOKEN_DAYS": "30"}).token_days == 30
    assert Settings.from_env({}).token_days == 90
    for bad in ("0", "-1", "ten", "99999"):
        with pytest.raises(ConfigurationError, match="CRAFTLEDGER_TOKEN_DAYS"):
            Settings.from_env({"CRAFTLEDGER_TOKEN_DAYS": bad})


def test_cli_token_create_takes_expires_in_days(tmp_path: Path) -> None:
    env = {"CRAFTLEDGER_DATA_DIR": str(tmp_path), "DATABASE_URL": "", "CRAFTLEDGER_TOKEN_DAYS": "5"}
    runner = CliRunner()
    given = runner.invoke(
        main, ["token", "create", "--role", "auditor", "--expires-in-days", "3"], env=env
    )
    assert given.exit_code == 0, given.output
    assert "expires 20" in given.stderr
    default = runner.invoke(main, ["token", "create", "--role", "auditor"], env=env)
    admin = runner.invoke(main, ["token", "create", "--role", "admin"], env=env)
    assert "never expires" in admin.stderr
    refused = runner.invoke(
        main, ["token", "create", "--role", "auditor", "--expires-in-days", "0"], env=env
    )
    assert refused.exit_code == 2
    ledger = Ledger(Settings(data_dir=tmp_path))
    try:
        now = datetime.now(UTC)
        for result, days in ((given, 3), (default, 5)):
            found = ledger.tokens.find_token(result.stdout.strip())
            assert found is not None and found.expires_at is not None
            assert timedelta(days=days - 1) < found.expires_at - now <= timedelta(days=days)
        assert uuid.UUID(str(ledger.tokens.find_token(admin.stdout.strip()).id))  # type: ignore[union-attr]
    finally:
        ledger.close()
