"""The read path: public reads come from read models and recorded heads, never from aggregates
loaded out of the event store, and no GET and no verify writes anything.

The app here has no runner thread and a plain test client: the test does the background's work
(catch-up, signing a head) once, up front, and then only reads. Counted: the recorder's
``select_events`` and the repository's ``get`` (an aggregate load goes through both). Watched for
writes: the log position, every table of the projection store (read models, the transparency
log, the signed heads), the key store's ledger key and, on SQLite, every file in the data
directory (size and modification time).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import service.pages.verify
from domain.api_token import Role
from service.app import create_app
from service.ledger import Ledger
from tests.audit.principals import token_for
from tests.factories import file_employer, id_number
from tests.factories.certificates import issue_to_new_worker


@dataclass
class Scene:
    app: Flask
    ledger: Ledger
    number: str
    revoked: str
    id_number: str


@pytest.fixture
def scene(ledger: Ledger) -> Iterator[Scene]:
    body = file_employer(ledger)
    held = issue_to_new_worker(ledger, body.id, 7, name="王小明")
    revoked = issue_to_new_worker(ledger, body.id, 8, name="李四")
    ledger.certificates.change_certificate_status(
        revoked.number, "revoke", actor="test", reason="核查不实"
    )
    app = create_app(
        {"TESTING": True, "RUN_PROJECTIONS": False, "VERIFY_RATE_LIMIT": "10000 per minute"},
        ledger=ledger,
    )
    shared = app.extensions["craftledger"]
    shared.runner.catch_up()  # the background's work, done once before the reads
    shared.audit.publish(force=True)
    try:
        yield Scene(app, ledger, held.number, revoked.number, id_number(7).reveal())
    finally:
        shared.close()


class Counter:
    """Counts calls of one bound method of an object (replaced on the instance)."""

    def __init__(self, target: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original: Callable[..., Any] = getattr(target, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(target, name, counted)


def verifies(client: FlaskClient, scene: Scene) -> list[Any]:
    """The national-query check by API and page: right, wrong name, wrong ID, malformed ID,
    unknown number, malformed number, revoked."""
    bodies = [
        {"number": scene.number, "name": "王小明", "id_number": scene.id_number},
        {"number": scene.number, "name": "王小红", "id_number": scene.id_number},
        {"number": scene.number, "name": "王小明", "id_number": id_number(9).reveal()},
        {"number": scene.number, "name": "王小明", "id_number": "12345"},
        {"number": "Y000011000001255999999", "name": "王小明", "id_number": scene.id_number},
        {"number": "not-a-number", "name": "王小明", "id_number": scene.id_number},
        {"number": scene.revoked, "name": "李四", "id_number": id_number(8).reveal()},
    ]
    answers = [client.post("/api/v1/verify", json=body) for body in bodies]
    answers += [client.post("/verify", data={**body, "id_kind": "resident"}) for body in bodies]
    return answers


def test_certificate_lookups_and_the_national_query_load_no_aggregate(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's panel of the signed credential's checks is left out here (it builds and
    verifies the credential through the credentials capability: see the xfail below)."""
    panel: list[str] = []

    def no_panel(number: str) -> dict[str, Any]:
        panel.append(number)
        return {"available": False, "checks": [], "log": None}

    monkeypatch.setattr(service.pages.verify, "credential_checks", no_panel)
    events = Counter(scene.ledger.recorder, "select_events", monkeypatch)
    gets = Counter(scene.ledger.repository, "get", monkeypatch)
    client = FlaskClient(scene.app)

    public = client.get(f"/api/v1/certificates/{scene.number}")
    assert public.status_code == 200
    assert public.json["disclosure"] == "public" and public.json["holder_name"] == "王**"
    assert public.json["log_position"] == scene.ledger.log_position
    assert client.get(f"/api/v1/certificates/{scene.revoked}").json["status"] == "revoked"
    assert client.get("/api/v1/certificates/Y000011000001255999999").status_code == 404
    page = client.get(f"/c/{scene.number}")
    assert page.status_code == 200 and "王**" in page.text
    answers = verifies(client, scene)
    results = [answer.json["result"] for answer in answers[:7]]
    assert results == [
        "valid",
        "not_found",
        "not_found",
        "not_found",
        "not_found",
        "not_found",
        "revoked",
    ]
    assert answers[0].json["log_position"] == scene.ledger.log_position
    assert answers[0].json["log_inclusion"]["tree_head"]["tree_size"] == scene.ledger.log_position
    assert "有效" in answers[7].text

    assert (events.calls, gets.calls) == (0, 0)
    assert panel == [scene.number, scene.revoked]  # the page's two answers that found one


@pytest.mark.xfail(
    strict=True,
    reason="the /verify page's panel of credential checks builds the signed credential from the "
    "certificate aggregate (Ledger.certificate_credential, credentials lane): issue 17 follow-up",
)
def test_the_verify_pages_credential_panel_loads_no_aggregate(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = Counter(scene.ledger.recorder, "select_events", monkeypatch)
    body = {"number": scene.number, "name": "王小明", "id_number": scene.id_number}
    FlaskClient(scene.app).post("/verify", data={**body, "id_kind": "resident"})
    assert events.calls == 0


def test_the_malformed_id_path_hashes_like_the_others(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes = Counter(scene.ledger, "identity_hash", monkeypatch)
    client = FlaskClient(scene.app)
    for id_text in (scene.id_number, "12345", "not an id"):
        before = hashes.calls
        body = {"number": scene.number, "name": "王小明", "id_number": id_text}
        client.post("/api/v1/verify", json=body)
        assert hashes.calls == before + 1, id_text


def _fingerprint_store(app: Flask) -> dict[str, str]:
    """A digest of every row of every table in the projection store."""
    store = app.extensions["craftledger"].projection_store
    found = {}
    with store.read() as tx:
        for table in sorted(store.table_names()):
            rows = tx.rows(f"SELECT * FROM {table}")
            text = "\n".join(
                sorted(
                    repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
                    for row in rows
                )
            )
            found[table] = hashlib.sha256(text.encode()).hexdigest()
    return found


def _files(data_dir: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(data_dir)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(data_dir.rglob("*"))
        if path.is_file() and not path.name.endswith("-shm")  # SQLite's read marks, not data
    }


def _state(scene: Scene) -> dict[str, Any]:
    settings = scene.ledger.settings
    key = scene.ledger.credentials.key_store.get("craftledger:ledger", "ledger-key-1")
    state: dict[str, Any] = {
        "log_position": scene.ledger.log_position,
        "store": _fingerprint_store(scene.app),
        "ledger_key": None if key is None else key.public_key_multibase,
    }
    if not settings.uses_postgres:
        state["files"] = _files(Path(settings.data_dir))
    return state


def public_gets(app: Flask, scene: Scene) -> list[str]:
    """Every public GET route without parameters, and those with one, filled in."""
    plain = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments and "static" not in rule.endpoint
    ]
    n = scene.number
    filled = [
        f"/api/v1/certificates/{n}",
        f"/api/v1/certificates/{scene.revoked}",
        f"/api/v1/certificates/{n}/credential",
        f"/c/{n}",
        f"/c/{n}/print",
        f"/c/{n}/qr.svg",
        f"/c/{n}/qr.png",
        f"/c/{n}/credential.json",
        "/api/v1/audit/tree-head",
        f"/api/v1/audit/tree-head?size={scene.ledger.log_position}",
        "/api/v1/audit/tree-heads",
        "/api/v1/audit/proofs/inclusion?index=0",
        "/api/v1/audit/proofs/inclusion?position=1",
        "/api/v1/audit/proofs/inclusion?index=10000",
        "/api/v1/audit/proofs/consistency?first=1",
        "/api/v1/audit/public-key",
    ]
    return sorted(set(plain)) + filled


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        part: sorted(k for k in before[part] if before[part][k] != after[part].get(k))
        if isinstance(before[part], dict)
        else (before[part], after[part])
        for part in before
        if before[part] != after[part]
    }


def test_no_get_and_no_verify_writes_anything(scene: Scene) -> None:
    client = FlaskClient(scene.app)
    auditor = token_for(scene.ledger, Role.AUDITOR)
    scene.app.extensions["craftledger"].runner.catch_up()  # the token's grant, logged
    scene.app.extensions["craftledger"].audit.publish(force=True)
    before = _state(scene)
    answered = {path: client.get(path).status_code for path in public_gets(scene.app, scene)}
    verifies(client, scene)
    assert all(status < 500 for status in answered.values()), answered
    assert answered["/api/v1/audit/proofs/inclusion?index=0"] == 200
    assert not _changes(before, _state(scene))

    # Signed in, the same reads (and the auditor's histories) write only the token's last use
    # (``service.tokens.usage``: a side table, at most once a minute per token).
    for path in [*public_gets(scene.app, scene), "/api/v1/audit/events", "/api/v1/audit/leaves/0"]:
        assert client.get(path, headers=auditor).status_code < 500, path
    changed = _changes(before, _state(scene))
    assert set(changed.get("files", [])) <= {"token-usage.sqlite3", "token-usage.sqlite3-wal"}
    assert set(changed.get("store", [])) <= {"token_usage"}
    assert set(changed) <= {"files", "store"}, changed


def test_a_leaf_no_signed_head_covers_yet_answers_409_with_retry_after(scene: Scene) -> None:
    client = FlaskClient(scene.app)
    shared = scene.app.extensions["craftledger"]
    token_for(scene.ledger, Role.AUDITOR)  # one more event
    shared.runner.catch_up()  # logged, but the policy (1000 events, 60 s) signs no head yet
    newest = scene.ledger.log_position
    answer = client.get(f"/api/v1/audit/proofs/inclusion?position={newest}")
    assert answer.status_code == 409, answer.get_data(True)
    assert answer.json["type"].endswith("not-yet-signed")
    assert int(answer.headers["Retry-After"]) >= 1
    assert shared.audit.heads.latest().tree_size == newest - 1  # the GET signed nothing
    shared.audit.publish(force=True)  # the background's next head
    assert client.get(f"/api/v1/audit/proofs/inclusion?position={newest}").status_code == 200


def test_the_runner_signs_heads_when_idle_too(scene: Scene) -> None:
    shared = scene.app.extensions["craftledger"]
    token_for(scene.ledger, Role.AUDITOR)
    shared.runner.catch_up()
    assert shared.audit.heads.latest().tree_size < scene.ledger.log_position
    shared.audit.heads.clock = lambda: 2**62  # long after the last head: one is due by time
    shared.runner.listeners[-1](0)  # what the runner thread calls after an idle pass
    assert shared.audit.heads.latest().tree_size == scene.ledger.log_position


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_environment_is_what_the_test_thinks(scene: Scene) -> None:
    """Guards the no-write test: on SQLite the data directory holds the ledger's files (on
    PostgreSQL there are none to watch)."""
    settings = scene.ledger.settings
    names = set(os.listdir(settings.data_dir))
    assert any(name.endswith(".sqlite3") for name in names), names
