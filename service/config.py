"""Configuration from the environment (one place, read once at start-up).

| variable | meaning | default |
|---|---|---|
| ``CRAFTLEDGER_DATA_DIR`` | SQLite files and generated key files | ``./var`` |
| ``DATABASE_URL`` | ``postgresql://user:pass@host:port/db[?schema=S]``: PostgreSQL | unset |
| ``CRAFTLEDGER_BASE_URL`` | public base URL: credential ids, issuer DIDs, QR codes | see below |
| ``CRAFTLEDGER_CIPHER_KEY`` | base64 AES key: stored events are encrypted with AES-GCM | off |
| ``CRAFTLEDGER_IDENTITY_KEY`` | secret for the keyed hash of ID numbers | generated file |
| ``CRAFTLEDGER_KEY_ENCRYPTION_KEY`` | key that encrypts the signing-key store | generated file |
| ``CRAFTLEDGER_TOKEN_DAYS`` | days a new non-admin API token lasts unless told | 90 |
| ``CRAFTLEDGER_VERIFY_FETCH_TIMEOUT`` | seconds per fetch of others' did:web, status lists | 3 |
| ``CRAFTLEDGER_VERIFY_FETCH_PRIVATE`` | ``1``: those fetches may reach private addresses | off |
| ``CRAFTLEDGER_READ_REPLICA`` | ``1``: ``DATABASE_URL`` is a read replica (reads only) | off |
| ``CRAFTLEDGER_RATE_LIMIT_EXEMPT_TOKENS`` | API token ids the verify limit skips | none |

Verifying another issuer's credential fetches its did:web document and status lists (0 seconds:
never); only from public addresses unless ``CRAFTLEDGER_VERIFY_FETCH_PRIVATE=1`` (tests, a local
federation of ledgers).

Without ``CRAFTLEDGER_BASE_URL``, ``craftledger serve`` uses the address it listens on (see
``service.cli.serve``) and everything else ``http://127.0.0.1:8000``.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

BASE_URL_VARIABLE = "CRAFTLEDGER_BASE_URL"


class ConfigurationError(RuntimeError):
    """The environment names something unusable; the message says which variable."""


def checked_base_url(url: str) -> str:
    """``url`` without a trailing slash, if it can be the service's public base URL: http(s),
    a host, no credentials, query or fragment; else ``ConfigurationError`` naming the variable."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        usable = False
    if not usable or parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigurationError(
            f"{BASE_URL_VARIABLE} must be an http(s) URL with a host and no query, e.g. "
            f"https://ledger.example.org or http://127.0.0.1:8000, not {url!r}"
        )
    return url.rstrip("/")


DEMO_VARIABLE = "CRAFTLEDGER_DEMO"
TOKEN_DAYS_VARIABLE = "CRAFTLEDGER_TOKEN_DAYS"
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650


VERIFY_FETCH_TIMEOUT_VARIABLE = "CRAFTLEDGER_VERIFY_FETCH_TIMEOUT"
VERIFY_FETCH_PRIVATE_VARIABLE = "CRAFTLEDGER_VERIFY_FETCH_PRIVATE"
READ_REPLICA_VARIABLE = "CRAFTLEDGER_READ_REPLICA"
#: Live-board streams a worker process allows (``craftledger serve --streams`` exports it).
LIVE_STREAMS_VARIABLE = "CRAFTLEDGER_LIVE_STREAMS"
DEFAULT_VERIFY_FETCH_TIMEOUT = 3.0
MAX_VERIFY_FETCH_TIMEOUT = 30.0


def checked_fetch_timeout(value: str) -> float:
    """``CRAFTLEDGER_VERIFY_FETCH_TIMEOUT`` as seconds, 0 (never fetch) to 30."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_VERIFY_FETCH_TIMEOUT:
        raise ConfigurationError(
            f"{VERIFY_FETCH_TIMEOUT_VARIABLE} must be seconds from 0 (never fetch) to "
            f"{MAX_VERIFY_FETCH_TIMEOUT:g}, not {value!r}"
        )
    return seconds


RATE_LIMIT_EXEMPT_VARIABLE = "CRAFTLEDGER_RATE_LIMIT_EXEMPT_TOKENS"


def checked_token_ids(value: str) -> frozenset[UUID]:
    """``CRAFTLEDGER_RATE_LIMIT_EXEMPT_TOKENS``: API token ids (as ``token create`` prints
    them), comma-separated."""
    ids: set[UUID] = set()
    for part in value.split(","):
        if not part.strip():
            continue
        try:
            ids.add(UUID(part.strip()))
        except ValueError:
            raise ConfigurationError(
                f"{RATE_LIMIT_EXEMPT_VARIABLE} must list API token ids (UUIDs, as "
                f"'craftledger token create' prints them) separated by commas, not {part!r}"
            ) from None
    return frozenset(ids)


def checked_token_days(value: str) -> int:
    """``CRAFTLEDGER_TOKEN_DAYS`` as a whole number of days, 1 to 3650."""
    try:
        days = int(value)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ConfigurationError(
            f"{TOKEN_DAYS_VARIABLE} must be a whole number of days from 1 to {MAX_TOKEN_DAYS}, "
            f"not {value!r}"
        )
    return days


POSTGRES_EXTRA = "pip install 'craftledger[postgres]' (in a checkout: pip install -e '.[postgres]')"


def require_postgres_driver() -> None:
    """``ConfigurationError`` naming the ``postgres`` extra unless psycopg 3 and its pool import
    (they are not installed by default: SQLite needs nothing)."""
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError as error:
        raise ConfigurationError(
            f"DATABASE_URL names PostgreSQL, but its driver cannot be imported ({error}); "
            f"install the postgres extra: {POSTGRES_EXTRA}"
        ) from None


def read_replica(env: Mapping[str, str], url: str | None) -> bool:
    """Whether ``CRAFTLEDGER_READ_REPLICA=1``; only with a PostgreSQL ``DATABASE_URL``."""
    if env.get(READ_REPLICA_VARIABLE) != "1":
        return False
    if not url:
        raise ConfigurationError(
            f"{READ_REPLICA_VARIABLE}=1 needs DATABASE_URL naming a PostgreSQL replica"
        )
    return True


def secret_from_env_or_file(env: Mapping[str, str], name: str, path: Path) -> bytes:
    """A 32-byte secret from ``env[name]`` (base64) or a 0600 file, generated on first use."""
    value = env.get(name)
    if value:
        try:
            secret = base64.b64decode(value, validate=True)
        except ValueError:
            raise ConfigurationError(f"{name} must be base64") from None
        if len(secret) < 16:
            raise ConfigurationError(f"{name} must decode to at least 16 bytes")
        return secret
    if path.exists():
        return base64.b64decode(path.read_bytes().strip())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(base64.b64encode(secret) + b"\n")
    return secret


@dataclass(frozen=True)
class Settings:
    """What the service needs to know about where it keeps things."""

    data_dir: Path
    database_url: str | None = None
    cipher_key: str | None = None
    postgres_schema: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    base_url: str | None = None
    """The public base URL (``CRAFTLEDGER_BASE_URL``); None: the ledger's default."""
    demo: bool = False
    """Demo mode (``serve --demo`` sets ``CRAFTLEDGER_DEMO=1``): the home page shows the demo's
    fictitious people and tokens. Never set on a real deployment."""
    token_days: int = DEFAULT_TOKEN_DAYS
    """How long a new non-admin API token lasts unless its grant says (``CRAFTLEDGER_TOKEN_DAYS``);
    admin tokens last until revoked unless their grant says."""
    verify_fetch_timeout: float = DEFAULT_VERIFY_FETCH_TIMEOUT
    """Seconds per fetch of another issuer's did:web document or status list when verifying
    (``CRAFTLEDGER_VERIFY_FETCH_TIMEOUT``); 0: never fetch (such checks stay unknown)."""
    verify_fetch_private: bool = False
    """Whether verifying may fetch from loopback and private addresses
    (``CRAFTLEDGER_VERIFY_FETCH_PRIVATE=1``); off: public addresses only, no request forgery."""
    read_replica: bool = False
    """A read replica (``CRAFTLEDGER_READ_REPLICA=1``, PostgreSQL only): ``DATABASE_URL`` names a
    streaming replica (a hot standby) of the primary's database. The app creates nothing, runs
    no projections (the primary's runner writes the read models and they arrive by replication),
    serves reads and verification, and refuses commands (503 ``read-only-replica``); see
    docs/replicas.md."""
    rate_limit_exempt_tokens: frozenset[UUID] = frozenset()
    """API tokens whose calls of ``POST /api/v1/verify`` the per-address rate limit does not
    count (``CRAFTLEDGER_RATE_LIMIT_EXEMPT_TOKENS``): a partner's bulk checker, a load test.
    Everyone else, the same address included, stays limited."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        url = env.get("DATABASE_URL") or None
        if url and not url.startswith(("postgresql://", "postgres://")):
            raise ConfigurationError(
                "DATABASE_URL must be a postgresql:// URL (or unset for SQLite)"
            )
        if url:
            require_postgres_driver()
        base_url = env.get(BASE_URL_VARIABLE) or None
        return cls(
            data_dir=Path(env.get("CRAFTLEDGER_DATA_DIR") or "var").resolve(),
            database_url=url,
            cipher_key=env.get("CRAFTLEDGER_CIPHER_KEY") or None,
            base_url=checked_base_url(base_url) if base_url else None,
            demo=env.get(DEMO_VARIABLE) == "1",
            token_days=checked_token_days(env[TOKEN_DAYS_VARIABLE])
            if env.get(TOKEN_DAYS_VARIABLE)
            else DEFAULT_TOKEN_DAYS,
            verify_fetch_timeout=checked_fetch_timeout(env[VERIFY_FETCH_TIMEOUT_VARIABLE])
            if env.get(VERIFY_FETCH_TIMEOUT_VARIABLE)
            else DEFAULT_VERIFY_FETCH_TIMEOUT,
            verify_fetch_private=env.get(VERIFY_FETCH_PRIVATE_VARIABLE) == "1",
            read_replica=read_replica(env, url),
            rate_limit_exempt_tokens=checked_token_ids(env.get(RATE_LIMIT_EXEMPT_VARIABLE, "")),
        )

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def store_description(self) -> str:
        if self.database_url:
            parts = urlsplit(self.database_url)
            return f"postgresql://{parts.hostname}:{parts.port or 5432}{parts.path}"
        return f"sqlite:{self.data_dir / 'ledger.sqlite3'}"

    def identity_key(self) -> bytes:
        """Secret for the keyed hash (HMAC-SHA256) that names workers by ID number."""
        return secret_from_env_or_file(
            os.environ, "CRAFTLEDGER_IDENTITY_KEY", self.data_dir / "identity.key"
        )

    def eventsourcing_env(self) -> dict[str, str]:
        """The ``eventsourcing`` library's environment for this configuration."""
        env: dict[str, str] = {}
        if self.database_url:
            parts = urlsplit(self.database_url)
            query = parse_qs(parts.query)
            env.update(
                # the library's, serialising schema creation and unpipelined: see the module
                PERSISTENCE_MODULE="service.persistence.postgres_recorder:LedgerPostgresFactory",
                POSTGRES_DBNAME=parts.path.lstrip("/") or "postgres",
                POSTGRES_HOST=parts.hostname or "127.0.0.1",
                POSTGRES_PORT=str(parts.port or 5432),
                POSTGRES_USER=unquote(parts.username or "postgres"),
                POSTGRES_PASSWORD=unquote(parts.password or ""),
                POSTGRES_POOL_SIZE="8",
                POSTGRES_MAX_OVERFLOW="8",
                POSTGRES_CONNECT_TIMEOUT="10",
            )
            schema = self.postgres_schema or (query.get("schema") or [None])[0]
            if schema:
                env["POSTGRES_SCHEMA"] = schema
        else:
            from projections.store import private_file

            # 0600 before the library opens it: SQLite gives -wal and -shm the file's mode
            private_file(self.data_dir / "ledger.sqlite3")
            env.update(
                PERSISTENCE_MODULE="eventsourcing.sqlite",
                SQLITE_DBNAME=str(self.data_dir / "ledger.sqlite3"),
                SQLITE_LOCK_TIMEOUT="30",
            )
        if self.read_replica:
            env["CREATE_TABLE"] = "n"  # a hot standby takes no DDL; the primary made the tables
        if self.cipher_key:
            env.update(CIPHER_TOPIC="eventsourcing.cipher:AESCipher", CIPHER_KEY=self.cipher_key)
        env.update(self.extra_env)
        return env
