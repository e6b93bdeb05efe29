"""Key custody: private keys per owner and key id, encrypted at rest (密钥托管).

Every issuing organisation holds its Ed25519 signing keys here, under its organisation id; the
ledger's own key (for signed tree heads) lives under the reserved owner ``LEDGER_OWNER``; an
organisation's ECDSA P-256 document-signing key (for PDF signatures, ``service.certificate_pdf``)
under ``document-signing:<organisation id>``. A row's public key is a Multikey, whose multicodec
header names the key type (``z6Mk`` Ed25519, ``zDn`` P-256): a key never opens as another type.
Events carry only public keys; a private key never leaves this module except as a live key
object handed to the signer.

At rest each private key (its 32-byte seed) is sealed with AES-256-GCM:

* the AES key is derived with HKDF-SHA256 from the key-encryption key (KEK), taken from
  ``CRAFTLEDGER_KEY_ENCRYPTION_KEY`` (base64, at least 16 bytes) or, on the embedded default, a
  generated ``key-encryption.key`` file with 0600 permissions in the data directory;
* the sealed secret is the 32-byte Ed25519 seed or P-256 private scalar;
* each row has its own random 96-bit nonce, and the associated data binds the ciphertext to its
  owner, key id and public key, so a row copied under another owner or key id does not open;
* each row names the fingerprint of the KEK that sealed it, so a wrong KEK is reported as such
  rather than as a corrupt key.

Storage: the SQLite file ``<data_dir>/keys.sqlite3`` (created 0600), or the table
``craftledger_signing_keys`` in the configured PostgreSQL schema when ``DATABASE_URL`` is set.
Rows are only ever inserted, never updated or deleted, so a retired or compromised key can still
be inspected; nothing here decides which key is current (the ``Organisation`` events do).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from projections.store import (
    SCHEMA_XACT_LOCK,
    create_schema_if_missing,
    private_file,
    read_only_database,
    schema_lock_name,
)
from service.config import Settings, secret_from_env_or_file
from service.signing.multikey import base58btc_encode, public_multibase_of

__all__ = [
    "KEY_ENCRYPTION_KEY_FILE",
    "KEY_ENCRYPTION_KEY_VARIABLE",
    "LEDGER_KEY_ID",
    "LEDGER_OWNER",
    "TABLE",
    "KeyStore",
    "KeyStoreError",
    "StoredKey",
]

KEY_ENCRYPTION_KEY_VARIABLE = "CRAFTLEDGER_KEY_ENCRYPTION_KEY"
KEY_ENCRYPTION_KEY_FILE = "key-encryption.key"
TABLE = "craftledger_signing_keys"
LEDGER_OWNER = "craftledger:ledger"
"""Reserved owner id of the ledger's own key (organisation owners are UUIDs, never this)."""
LEDGER_KEY_ID = "ledger-key-1"

_HKDF_INFO = b"craftledger signing-key store v1 (AES-256-GCM)"
_AAD_PREFIX = b"craftledger-signing-key/v1\x00"
_NONCE_BYTES = 12
_P256_MULTICODEC = b"\x80\x24"  # p256-pub (0x1200) as an unsigned varint


def p256_public_multibase(key: ec.EllipticCurvePrivateKey) -> str:
    """The Multikey of a P-256 key's public half: ``z`` + base58btc(p256-pub + compressed
    point), ``zDn…``."""
    point = key.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    return base58btc_encode(_P256_MULTICODEC + point)


class KeyStoreError(RuntimeError):
    """The key store cannot give the key asked for; the message says why (never the key)."""


@dataclass(frozen=True)
class StoredKey:
    """A stored key's public facts (the private key stays sealed)."""

    owner_id: str
    key_id: str
    public_key_multibase: str
    created_at: str

    def __repr__(self) -> str:
        return f"StoredKey({self.owner_id}/{self.key_id}, {self.public_key_multibase})"


@dataclass(frozen=True)
class _Row:
    owner_id: str
    key_id: str
    public_key_multibase: str
    kek_fingerprint: str
    nonce: bytes
    ciphertext: bytes
    created_at: str

    def __repr__(self) -> str:  # the sealed bytes are not for logs either
        return f"_Row({self.owner_id}/{self.key_id})"

    def values(self) -> tuple[str, str, str, str, bytes, bytes, str]:
        """The row's values in ``_COLUMNS`` order."""
        return (
            self.owner_id,
            self.key_id,
            self.public_key_multibase,
            self.kek_fingerprint,
            self.nonce,
            self.ciphertext,
            self.created_at,
        )


class _Backend(Protocol):
    def insert(self, row: _Row) -> bool: ...
    def select(self, owner_id: str, key_id: str) -> _Row | None: ...
    def select_owner(self, owner_id: str) -> list[_Row]: ...
    def close(self) -> None: ...


def _aad(owner_id: str, key_id: str, public_key_multibase: str) -> bytes:
    return _AAD_PREFIX + "\x00".join((owner_id, key_id, public_key_multibase)).encode()


class _Sealer:
    """AES-256-GCM under a key derived from the KEK; holds no plaintext keys."""

    def __init__(self, key_encryption_key: bytes) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
            key_encryption_key
        )
        self._aead = AESGCM(derived)
        self.fingerprint = hashlib.sha256(b"kek-fingerprint\x00" + derived).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"_Sealer(kek {self.fingerprint})"

    def seal(self, row_id: tuple[str, str, str], seed: bytes) -> tuple[bytes, bytes]:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce, self._aead.encrypt(nonce, seed, _aad(*row_id))

    def open(self, row: _Row) -> bytes:
        if row.kek_fingerprint != self.fingerprint:
            raise KeyStoreError(
                f"key {row.owner_id}/{row.key_id} was sealed under another key-encryption key "
                f"(fingerprint {row.kek_fingerprint}, this one is {self.fingerprint}); check "
                f"{KEY_ENCRYPTION_KEY_VARIABLE}"
            )
        try:
            return self._aead.decrypt(
                row.nonce,
                row.ciphertext,
                _aad(row.owner_id, row.key_id, row.public_key_multibase),
            )
        except InvalidTag:
            raise KeyStoreError(
                f"key {row.owner_id}/{row.key_id} does not open: the stored row was altered or "
                "moved"
            ) from None


class KeyStore:
    """Sealed private keys (Ed25519, and P-256 for document signing), by owner and key id.

    Thread-safe. Opened keys are kept in memory (as key objects) so that signing many
    credentials does not decrypt the same key again and again.
    """

    def __init__(self, backend: _Backend, key_encryption_key: bytes, description: str) -> None:
        self._backend = backend
        self._sealer = _Sealer(key_encryption_key)
        self._opened: dict[tuple[str, str], Ed25519PrivateKey | ec.EllipticCurvePrivateKey] = {}
        self._lock = threading.Lock()
        self.description = description

    def __repr__(self) -> str:
        return f"KeyStore({self.description}, kek {self._sealer.fingerprint})"

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def for_settings(cls, settings: Settings, env: Mapping[str, str] | None = None) -> KeyStore:
        """The store the configuration names: PostgreSQL when ``database_url`` is set, else
        ``<data_dir>/keys.sqlite3``; the KEK from the environment or the generated file."""
        env = os.environ if env is None else env
        kek = secret_from_env_or_file(
            env, KEY_ENCRYPTION_KEY_VARIABLE, settings.data_dir / KEY_ENCRYPTION_KEY_FILE
        )
        if settings.database_url:
            backend: _Backend = _PostgresBackend(settings)
            description = f"{settings.store_description} table {TABLE}"
        else:
            path = settings.data_dir / "keys.sqlite3"
            backend = _SQLiteBackend(path)
            description = f"sqlite:{path}"
        return cls(backend, kek, description)

    def close(self) -> None:
        with self._lock:
            self._opened.clear()
        self._backend.close()

    # -- keys --------------------------------------------------------------------------------

    def generate(self, owner_id: str, key_id: str | None = None) -> StoredKey:
        """Generate, seal and store a new key; ``key_id`` defaults to its public Multikey."""
        private_key = Ed25519PrivateKey.generate()
        public = public_multibase_of(private_key)
        return self._insert(owner_id, key_id or public, private_key, public, must_be_new=True)

    def generate_p256(self, owner_id: str, key_id: str, *, must_be_new: bool = True) -> StoredKey:
        """Generate, seal and store a new ECDSA P-256 key (a document-signing key). With
        ``must_be_new=False`` an existing key of that id is kept and returned: several
        processes may make the ledger's document-signing CA key at once, the first wins."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        public = p256_public_multibase(private_key)
        return self._insert(owner_id, key_id, private_key, public, must_be_new=must_be_new)

    def import_key(self, owner_id: str, key_id: str, private_key: Ed25519PrivateKey) -> StoredKey:
        """Store an existing key (e.g. moved from an HSM export)."""
        public = public_multibase_of(private_key)
        return self._insert(owner_id, key_id, private_key, public, must_be_new=True)

    def _insert(
        self,
        owner_id: str,
        key_id: str,
        private_key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey,
        public: str,
        *,
        must_be_new: bool,
    ) -> StoredKey:
        if not owner_id or not key_id:
            raise KeyStoreError("a key needs an owner and a key id")
        if isinstance(private_key, Ed25519PrivateKey):
            seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        else:
            seed = private_key.private_numbers().private_value.to_bytes(32, "big")
        nonce, ciphertext = self._sealer.seal((owner_id, key_id, public), seed)
        created_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        row = _Row(
            owner_id, key_id, public, self._sealer.fingerprint, nonce, ciphertext, created_at
        )
        if not self._backend.insert(row):
            if must_be_new:
                raise KeyStoreError(f"key {owner_id}/{key_id} already exists")
            existing = self._backend.select(owner_id, key_id)
            assert existing is not None
            return StoredKey(owner_id, key_id, existing.public_key_multibase, existing.created_at)
        with self._lock:
            self._opened[(owner_id, key_id)] = private_key
        return StoredKey(owner_id, key_id, public, created_at)

    def private_key(self, owner_id: str, key_id: str) -> Ed25519PrivateKey:
        """The Ed25519 private key, opened (and kept in memory); ``KeyStoreError`` if absent."""
        found = self._open(owner_id, key_id, _ed25519_of)
        if not isinstance(found, Ed25519PrivateKey):
            raise KeyStoreError(f"key {owner_id}/{key_id} is not an Ed25519 key")
        return found

    def p256_private_key(self, owner_id: str, key_id: str) -> ec.EllipticCurvePrivateKey:
        """The P-256 private key, opened (and kept in memory); ``KeyStoreError`` if absent."""
        found = self._open(owner_id, key_id, _p256_of)
        if not isinstance(found, ec.EllipticCurvePrivateKey):
            raise KeyStoreError(f"key {owner_id}/{key_id} is not a P-256 key")
        return found

    def _open(
        self, owner_id: str, key_id: str, opener: _Opener
    ) -> Ed25519PrivateKey | ec.EllipticCurvePrivateKey:
        with self._lock:
            opened = self._opened.get((owner_id, key_id))
        if opened is not None:
            return opened
        row = self._backend.select(owner_id, key_id)
        if row is None:
            raise KeyStoreError(f"no private key {owner_id}/{key_id} in {self.description}")
        private_key, public = opener(self._sealer.open(row))
        if public != row.public_key_multibase:
            raise KeyStoreError(f"key {owner_id}/{key_id} does not match its public key")
        with self._lock:
            self._opened[(owner_id, key_id)] = private_key
        return private_key

    def get(self, owner_id: str, key_id: str) -> StoredKey | None:
        """A key's public facts, or None."""
        row = self._backend.select(owner_id, key_id)
        if row is None:
            return None
        return StoredKey(row.owner_id, row.key_id, row.public_key_multibase, row.created_at)

    def keys_of(self, owner_id: str) -> list[StoredKey]:
        """Every key stored for ``owner_id``, oldest first (published or not)."""
        return [
            StoredKey(row.owner_id, row.key_id, row.public_key_multibase, row.created_at)
            for row in self._backend.select_owner(owner_id)
        ]

    def ledger_key(self) -> tuple[StoredKey, Ed25519PrivateKey]:
        """The ledger's own key (for signed tree heads), generated on first use.

        Several processes may ask at once: the first insert wins and every caller gets the
        same key.
        """
        stored = self.get(LEDGER_OWNER, LEDGER_KEY_ID)
        if stored is None:
            candidate = Ed25519PrivateKey.generate()
            stored = self._insert(
                LEDGER_OWNER,
                LEDGER_KEY_ID,
                candidate,
                public_multibase_of(candidate),
                must_be_new=False,
            )
        return stored, self.private_key(LEDGER_OWNER, LEDGER_KEY_ID)


_Opener = Callable[[bytes], tuple[Ed25519PrivateKey | ec.EllipticCurvePrivateKey, str]]


def _ed25519_of(secret: bytes) -> tuple[Ed25519PrivateKey, str]:
    key = Ed25519PrivateKey.from_private_bytes(secret)
    return key, public_multibase_of(key)


def _p256_of(secret: bytes) -> tuple[ec.EllipticCurvePrivateKey, str]:
    key = ec.derive_private_key(int.from_bytes(secret, "big"), ec.SECP256R1())
    return key, p256_public_multibase(key)


# -- SQLite -----------------------------------------------------------------------------------

_COLUMNS = "owner_id, key_id, public_key_multibase, kek_fingerprint, nonce, ciphertext, created_at"


def _row(values: Any) -> _Row:
    owner_id, key_id, public, fingerprint, nonce, ciphertext, created_at = values
    return _Row(owner_id, key_id, public, fingerprint, bytes(nonce), bytes(ciphertext), created_at)


class _SQLiteBackend:
    """One SQLite file, created with 0600 permissions; one connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = private_file(path)  # 0600 (and so its -wal and -shm), in a 0700 directory
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with self._connection() as connection:
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} ("
                "owner_id TEXT NOT NULL, key_id TEXT NOT NULL, "
                "public_key_multibase TEXT NOT NULL, kek_fingerprint TEXT NOT NULL, "
                "nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, created_at TEXT NOT NULL, "
                "PRIMARY KEY (owner_id, key_id))"
            )

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def insert(self, row: _Row) -> bool:
        with self._connection() as connection:
            cursor = connection.execute(
                f"INSERT OR IGNORE INTO {TABLE} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row.values(),
            )
            return cursor.rowcount == 1

    def select(self, owner_id: str, key_id: str) -> _Row | None:
        found = (
            self._connection()
            .execute(
                f"SELECT {_COLUMNS} FROM {TABLE} WHERE owner_id = ? AND key_id = ?",
                (owner_id, key_id),
            )
            .fetchone()
        )
        return _row(found) if found else None

    def select_owner(self, owner_id: str) -> list[_Row]:
        rows = (
            self._connection()
            .execute(
                f"SELECT {_COLUMNS} FROM {TABLE} WHERE owner_id = ? ORDER BY created_at, key_id",
                (owner_id,),
            )
            .fetchall()
        )
        return [_row(found) for found in rows]

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()


# -- PostgreSQL -------------------------------------------------------------------------------


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _PostgresBackend:
    """The ``craftledger_signing_keys`` table in the configured schema; one autocommit
    connection, reopened if it breaks, used under a lock (keys are read rarely: opened keys
    are cached)."""

    def __init__(self, settings: Settings) -> None:
        assert settings.database_url is not None
        parts = urlsplit(settings.database_url)
        env = settings.eventsourcing_env()
        self._connect_args: dict[str, Any] = {
            "host": env["POSTGRES_HOST"],
            "port": int(env["POSTGRES_PORT"]),
            "dbname": env["POSTGRES_DBNAME"],
            "user": env["POSTGRES_USER"],
            "password": env.get("POSTGRES_PASSWORD") or None,
            "connect_timeout": int(env.get("POSTGRES_CONNECT_TIMEOUT", "10")),
            "autocommit": True,
        }
        named = parse_qs(parts.query).get("schema")
        schema = settings.postgres_schema or (named[0] if named else None)
        self._table = (_quote_identifier(schema) + "." if schema else "") + TABLE
        self._lock = threading.Lock()
        self._connection: Any = None
        self._create_table(schema or "public")

    def _create_table(self, schema: str) -> None:
        """Create the table (and schema) holding the schema lock: processes start together."""
        import psycopg

        with psycopg.connect(**self._connect_args) as connection, connection.transaction():
            if read_only_database(connection):
                return  # a read replica: the primary made the table
            connection.execute(SCHEMA_XACT_LOCK, (schema_lock_name(schema),))
            create_schema_if_missing(connection, schema)
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} ("
                "owner_id TEXT NOT NULL, key_id TEXT NOT NULL, "
                "public_key_multibase TEXT NOT NULL, kek_fingerprint TEXT NOT NULL, "
                "nonce BYTEA NOT NULL, ciphertext BYTEA NOT NULL, created_at TEXT NOT NULL, "
                "PRIMARY KEY (owner_id, key_id))"
            )

    def _execute(self, sql: str, params: tuple[Any, ...], fetch: str = "none") -> Any:
        import psycopg

        with self._lock:
            for attempt in (1, 2):
                if self._connection is None or self._connection.closed:
                    self._connection = psycopg.connect(**self._connect_args)
                try:
                    cursor = self._connection.execute(sql, params)
                    if fetch == "one":
                        return cursor.fetchone()
                    if fetch == "all":
                        return cursor.fetchall()
                    return cursor.rowcount
                except psycopg.OperationalError:
                    self._connection.close()
                    self._connection = None
                    if attempt == 2:
                        raise
            return None  # pragma: no cover

    def insert(self, row: _Row) -> bool:
        count = self._execute(
            f"INSERT INTO {self._table} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (owner_id, key_id) DO NOTHING",
            row.values(),
        )
        return bool(count == 1)

    def select(self, owner_id: str, key_id: str) -> _Row | None:
        found = self._execute(
            f"SELECT {_COLUMNS} FROM {self._table} WHERE owner_id = %s AND key_id = %s",
            (owner_id, key_id),
            "one",
        )
        return _row(found) if found else None

    def select_owner(self, owner_id: str) -> list[_Row]:
        rows = self._execute(
            f"SELECT {_COLUMNS} FROM {self._table} WHERE owner_id = %s ORDER BY created_at, key_id",
            (owner_id,),
            "all",
        )
        return [_row(found) for found in rows or []]

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
