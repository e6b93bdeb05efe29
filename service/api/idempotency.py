"""``Idempotency-Key`` on every POST: a retry returns the first answer and records nothing twice.

A client that sends ``Idempotency-Key: K`` with a POST may send the same request again (a
timeout, a lost connection) and gets the first answer back, marked ``Idempotent-Replayed:
true``; the command ran once. The key is scoped to the caller's token (the public shares one
scope, so a replay there needs the very same body and reveals nothing new), and kept 24 hours.

The same key with a *different* request (method, path or body; bodies compared as canonical
JSON) is refused with 422 ``idempotency-key-reused``. While the first request is still running
a retry gets 409 ``idempotency-key-in-progress``. If a process died between recording the
command and storing its answer, the key stays claimed and a retry gets 409
``idempotency-outcome-unknown`` (the client should read the resource) -- never a second run.

Answers that a retry could change are not kept: 5xx, 408, 409 (conflicts), 425 and 429. The
claim is released for those so that the retry runs.

Storage is a table ``craftledger_idempotency``: in a SQLite file ``idempotency.sqlite3`` in the
data directory, or in the ledger's PostgreSQL database and schema. Nothing in it is readable on
its own: the key is stored as an HMAC under a server secret, and the stored answer (which may hold
a freshly minted API token) is sealed with AES-GCM under a key derived from that secret *and* the
client's idempotency key, so a copy of the table reveals neither keys nor answers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, Response, current_app, g, request
from webargs import core

from projections.store import private_file
from service.api.auth import current_principal
from service.api.problems import Problem
from service.persistence.side_tables import PostgresSideTable, SideTable, sqlite_transaction

__all__ = [
    "IdempotencyStore",
    "PostgresIdempotencyStore",
    "SQLiteIdempotencyStore",
    "install_idempotency",
]

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"[!-~]{1,255}")
TTL_SECONDS = 24 * 3600
STALE_SECONDS = 120.0
KEPT_HEADERS = ("Content-Type", "Location", "X-Log-Position")
NOT_KEPT = frozenset({408, 409, 425, 429})


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Claim:
    """What :meth:`IdempotencyStore.begin` found: ``started``, ``replay``, ``mismatch``,
    ``in-progress`` or ``outcome-unknown``; the ``sealed`` answer for a replay."""

    state: str
    sealed: bytes | None = None


class AnswerSeal:
    """Names keys and requests by HMAC and seals answers with AES-GCM (see the module docstring)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = hmac.new(secret, b"craftledger idempotency v1", hashlib.sha256).digest()

    def _mac(self, *parts: str | bytes) -> bytes:
        mac = hmac.new(self._secret, digestmod=hashlib.sha256)
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            mac.update(len(data).to_bytes(8, "big") + data)
        return mac.digest()

    def lookup_key(self, scope: str, key: str) -> str:
        return self._mac("lookup", scope, key).hex()

    def fingerprint(self, request_line: str, body: bytes) -> str:
        return self._mac("request", request_line, body).hex()

    def seal(self, scope: str, key: str, answer: Answer) -> bytes:
        plain = json.dumps(
            {"status": answer.status, "headers": answer.headers, "body": answer.body.hex()}
        ).encode()
        nonce = os.urandom(12)
        return nonce + AESGCM(self._mac("seal", scope, key)).encrypt(nonce, plain, None)

    def open(self, scope: str, key: str, sealed: bytes) -> Answer:
        plain = AESGCM(self._mac("seal", scope, key)).decrypt(sealed[:12], sealed[12:], None)
        data = json.loads(plain)
        return Answer(int(data["status"]), dict(data["headers"]), bytes.fromhex(data["body"]))


class IdempotencyStore(Protocol):
    def begin(self, lookup: str, fingerprint: str) -> Claim: ...

    def finish(self, lookup: str, sealed: bytes) -> None: ...

    def abandon(self, lookup: str) -> None: ...

    def close(self) -> None: ...


class _SQLStore(SideTable):
    """The protocol in SQL that both SQLite and PostgreSQL accept."""

    table = "craftledger_idempotency"
    blob = "BLOB"

    def create_table(self) -> None:
        with self._cursor() as cursor:
            cursor.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {t} (lookup TEXT PRIMARY KEY,"
                    " fingerprint TEXT NOT NULL, state TEXT NOT NULL,"
                    f" answer {self.blob}, created_at DOUBLE PRECISION NOT NULL)"
                )
            )
            cursor.execute(
                self._sql(
                    "CREATE INDEX IF NOT EXISTS craftledger_idempotency_created ON {t} (created_at)"
                )
            )

    def begin(self, lookup: str, fingerprint: str) -> Claim:
        now = time.time()
        for _ in range(3):
            with self._cursor() as cursor:
                cursor.execute(
                    self._sql("DELETE FROM {t} WHERE created_at < %s"), (now - TTL_SECONDS,)
                )
                cursor.execute(
                    self._sql(
                        "INSERT INTO {t} (lookup, fingerprint, state, created_at)"
                        " VALUES (%s, %s, 'pending', %s) ON CONFLICT (lookup) DO NOTHING"
                    ),
                    (lookup, fingerprint, now),
                )
                if cursor.rowcount == 1:
                    return Claim("started")
                cursor.execute(
                    self._sql(
                        "SELECT fingerprint, state, answer, created_at FROM {t} WHERE lookup = %s"
                    ),
                    (lookup,),
                )
                row = cursor.fetchone()
            if row is None:
                continue  # released meanwhile: claim it again
            stored, state, sealed, created_at = (
                tuple(row.values()) if isinstance(row, dict) else tuple(row)
            )
            if not hmac.compare_digest(stored, fingerprint):
                return Claim("mismatch")
            if state == "done":
                return Claim("replay", bytes(sealed))
            if now - float(created_at) > STALE_SECONDS:
                return Claim("outcome-unknown")
            return Claim("in-progress")
        return Claim("in-progress")

    def finish(self, lookup: str, sealed: bytes) -> None:
        with self._cursor() as cursor:
            cursor.execute(
                self._sql("UPDATE {t} SET state = 'done', answer = %s WHERE lookup = %s"),
                (sealed, lookup),
            )

    def abandon(self, lookup: str) -> None:
        with self._cursor() as cursor:
            cursor.execute(
                self._sql("DELETE FROM {t} WHERE lookup = %s AND state = 'pending'"), (lookup,)
            )

    def close(self) -> None:
        return None


class SQLiteIdempotencyStore(_SQLStore):
    """The table in its own SQLite file (WAL), one connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = private_file(path)  # 0600 (and so its -wal and -shm), in a 0700 directory
        self._local = threading.local()
        self.create_table()

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL").fetchall()
            self._local.connection = connection
        return connection

    @contextmanager
    def _cursor(self) -> Iterator[sqlite3.Cursor]:
        with sqlite_transaction(self._connection()) as cursor:
            yield cursor


class PostgresIdempotencyStore(PostgresSideTable, _SQLStore):
    """The table in the ledger's PostgreSQL schema, through the ledger's connection pool."""

    blob = "BYTEA"


def store_for(ledger: Any, data_dir: Path) -> IdempotencyStore:
    """PostgreSQL when the ledger records there, otherwise a SQLite file in ``data_dir``."""
    datastore = getattr(ledger.recorder, "datastore", None)
    if datastore is not None and type(datastore).__name__ == "PostgresDatastore":
        return PostgresIdempotencyStore(datastore)
    return SQLiteIdempotencyStore(Path(data_dir) / "idempotency.sqlite3")


# -- Flask integration -----------------------------------------------------------------------


def _request_fingerprint(seal: AnswerSeal) -> str:
    body = g.get("json_body", core.missing)
    if body is core.missing and request.mimetype == "multipart/form-data":
        body = _upload_digest()
    canonical = (
        b""
        if body is core.missing
        else json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    query = request.query_string.decode("latin-1")
    return seal.fingerprint(f"{request.method} {request.path}?{query}", canonical)


def _upload_digest() -> dict[str, Any]:
    """A multipart upload by content (files hashed, fields as sent), not by its boundary."""
    files: dict[str, list[str]] = {}
    for name in request.files:
        for part in request.files.getlist(name):
            files.setdefault(name, []).append(hashlib.sha256(part.stream.read()).hexdigest())
            part.stream.seek(0)
    return {"files": files, "form": request.form.to_dict(flat=False)}


def _shared() -> Any:
    return current_app.extensions["craftledger"]


def claim_key() -> Response | None:
    """``before_request`` (after authentication): replay, refuse, or claim the key. A read
    replica claims none: the only POSTs it serves are verifications (``READS``), which record
    nothing to replay, and a hot standby refuses the claim's INSERT."""
    if request.method != "POST":
        return None
    key = request.headers.get(HEADER)
    if key is None or _shared().ledger.settings.read_replica:
        return None
    if KEY_PATTERN.fullmatch(key) is None:
        raise Problem(
            400,
            "invalid-idempotency-key",
            "Idempotency-Key must be 1-255 visible ASCII characters",
        )
    shared = _shared()
    seal: AnswerSeal = shared.idempotency_seal
    scope = current_principal().idempotency_scope
    lookup = seal.lookup_key(scope, key)
    claim = shared.idempotency.begin(lookup, _request_fingerprint(seal))
    if claim.state == "started":
        g.idempotency_claim = (scope, key, lookup)
        return None
    if claim.state == "replay":
        assert claim.sealed is not None
        answer = seal.open(scope, key, claim.sealed)
        response = Response(answer.body, status=answer.status)
        for name, value in answer.headers.items():
            response.headers[name] = value
        response.headers["Idempotent-Replayed"] = "true"
        return response
    if claim.state == "mismatch":
        raise Problem(
            422,
            "idempotency-key-reused",
            "this Idempotency-Key was used with a different request; use a new key",
        )
    if claim.state == "outcome-unknown":
        raise Problem(
            409,
            "idempotency-outcome-unknown",
            "an earlier request with this key did not finish; read the resource to see whether "
            "it took effect, then use a new key",
        )
    raise Problem(
        409,
        "idempotency-key-in-progress",
        "a request with this key is still running; retry shortly",
        headers={"Retry-After": "1"},
    )


def store_answer(response: Response) -> Response:
    """``after_request``: keep the answer for replays (or release the claim)."""
    claim = g.pop("idempotency_claim", None)
    if claim is None:
        return response
    scope, key, lookup = claim
    shared = _shared()
    if response.status_code >= 500 or response.status_code in NOT_KEPT:
        shared.idempotency.abandon(lookup)
        return response
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    answer = Answer(response.status_code, headers, response.get_data())
    shared.idempotency.finish(lookup, shared.idempotency_seal.seal(scope, key, answer))
    return response


def release_claim(_error: BaseException | None) -> None:
    """``teardown_request``: a request that ended without an answer releases its claim."""
    claim = g.pop("idempotency_claim", None)
    if claim is not None:
        _shared().idempotency.abandon(claim[2])


def install_idempotency(app: Flask) -> None:
    """Register the hooks; call after authentication is installed."""
    app.before_request(claim_key)
    app.after_request(store_answer)
    app.teardown_request(release_claim)
