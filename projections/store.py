"""Where projections keep their tables: one small abstraction over SQLite and PostgreSQL.

A ``ProjectionStore`` hands out transactions. Projection code writes one SQL dialect -- the
common subset of SQLite and PostgreSQL -- with ``?`` placeholders; the store translates the
placeholders (``%s`` for psycopg) and the few DDL spellings that differ:

- ``{key_text}`` in DDL: a text column that orders byte-wise (``TEXT`` in SQLite,
  ``TEXT COLLATE "C"`` in PostgreSQL), so keyset pagination orders the same on both;
- upserts use ``INSERT ... ON CONFLICT (...) DO UPDATE SET c = excluded.c``, which both accept
  (``Transaction.upsert`` writes them);
- substring search: ``store.contains(column)`` gives ``instr(column, ?) > 0`` or
  ``strpos(column, ?) > 0`` (case-sensitive on both).

Stores:

- ``SQLiteProjectionStore(path)``: a file (default ``<data_dir>/projections.sqlite3``) in WAL mode,
  one writer connection (``BEGIN IMMEDIATE`` transactions) and a small pool of reader
  connections, so readers never block the writer.
- ``PostgresProjectionStore(conninfo, schema)``: psycopg 3 with a ``psycopg_pool`` pool, the same
  database as the event log, every table in ``schema`` (created if missing).

Schema changes on PostgreSQL take one advisory lock per schema (``schema_lock_name``), the same
one the event store and the service's own tables take: ``CREATE ... IF NOT EXISTS`` is not safe
against itself (two processes creating one table at once fail with a duplicate ``pg_type`` row),
and ``serve`` workers and ``projections run`` start together on a new database.

``ProjectionStore.from_settings(settings)`` picks one from ``service.config.Settings``-like
settings (anything with ``data_dir``, ``database_url`` and ``postgres_schema``), and with a
``cipher_key`` gives it a ``Sealer``: projections write names, masked ID numbers and reasons
through ``tx.seal`` and queries read them through ``store.sealer.open`` (``projections.sealing``
says why columns are sealed rather than the database).

Files: the SQLite store's directory is created 0700 and its file 0600 before SQLite opens it
(SQLite gives the ``-wal`` and ``-shm`` files the database file's mode); ``private_directory``
and ``private_file`` do the same for the service's other data files.

Values: UUIDs are stored as text, datetimes as ISO-8601 UTC text, dates as ISO text, JSON as text;
integers as ``INTEGER``/``BIGINT``. Nothing stores floats.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit, urlunsplit

from projections.sealing import Sealer

SQLITE_FILENAME = "projections.sqlite3"
SQLITE_PAGE_SIZE = 32768
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class StoreSettings(Protocol):
    """The part of ``service.config.Settings`` a store needs."""

    data_dir: Path
    database_url: str | None
    postgres_schema: str | None


PRIVATE_DIRECTORY_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_directory(path: Path | str) -> Path:
    """``path`` as a directory only its owner can enter: created 0700 (with any missing parents)
    if missing. An existing directory keeps its mode (it may be shared on purpose, e.g. a
    temporary directory), except that one this process just created is made 0700 whatever the
    umask."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(mode=PRIVATE_DIRECTORY_MODE, parents=True, exist_ok=True)
        os.chmod(path, PRIVATE_DIRECTORY_MODE)
    return path


def private_file(path: Path | str) -> Path:
    """``path`` as a file only its owner can read: created empty and 0600 when missing, made 0600
    when it exists. For an SQLite database call it before opening: SQLite creates the ``-wal``
    and ``-shm`` (and ``-journal``) files with the database file's mode."""
    path = Path(path)
    private_directory(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        os.chmod(path, PRIVATE_FILE_MODE)
    else:
        os.close(descriptor)
        os.chmod(path, PRIVATE_FILE_MODE)  # whatever the umask
    return path


def check_identifier(name: str) -> str:
    """A table, column or schema name, refused unless it is a plain SQL identifier."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


class Transaction:
    """One open transaction (or read snapshot) on a store's connection.

    SQL uses ``?`` placeholders on every store. Rows come back as tuples; ``dicts`` gives
    dictionaries keyed by column name.
    """

    def __init__(self, store: ProjectionStore, connection: Any) -> None:
        self.store = store
        self.connection = connection
        self._cursor = connection.cursor()
        self._sql = store.sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the number of rows it changed (where known)."""
        cursor = self._cursor
        cursor.execute(self._sql(sql), params)
        return int(cursor.rowcount)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            self._cursor.executemany(self._sql(sql), rows)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._cursor
        cursor.execute(self._sql(sql), params)
        return [tuple(row) for row in cursor.fetchall()]

    def row(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        cursor = self._cursor
        cursor.execute(self._sql(sql), params)
        found = cursor.fetchone()
        return None if found is None else tuple(found)

    def seal(self, value: Any) -> Any:
        """A personal value (name, masked ID number, reason) as the store keeps it: sealed when
        the store has a cipher key, else as it is (``projections.sealing``)."""
        return self.store.sealer.seal(value)

    def value(self, sql: str, params: Sequence[Any] = (), default: Any = None) -> Any:
        found = self.row(sql, params)
        return default if found is None or found[0] is None else found[0]

    def dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self._cursor
        cursor.execute(self._sql(sql), params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def columns(self, table: str) -> list[str]:
        """The column names of ``table``, in order."""
        cursor = self._cursor
        cursor.execute(self._sql(f"SELECT * FROM {check_identifier(table)} LIMIT 0"), ())
        return [column[0] for column in cursor.description]

    def upsert(self, table: str, key: Sequence[str], values: dict[str, Any]) -> None:
        """Insert ``values`` or, when the ``key`` columns match a row, overwrite its other
        columns (``ON CONFLICT DO UPDATE``: the same spelling on both databases)."""
        columns = tuple(values)
        sql = self.store.upsert_sql(table, tuple(key), columns)
        self._cursor.execute(sql, tuple(values[c] for c in columns))


class _SQLiteTransaction(Transaction):
    """SQLite needs no statement translation: run statements on the cursor directly."""

    def __init__(self, store: ProjectionStore, connection: Any) -> None:
        super().__init__(store, connection)
        self._run = self._cursor.execute

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(self._run(sql, params).rowcount)


class ProjectionStore(ABC):
    """Tables of projections, with transactions that commit or roll back as a whole."""

    dialect: str = ""
    sealer: Sealer = Sealer.none()
    """Seals personal values (see ``projections.sealing``); inactive without a cipher key."""
    read_only: bool = False
    """A read replica's store: its tables are the primary's; nothing is created or written."""

    def __init__(self) -> None:
        self._sql_cache: dict[str, str] = {}
        self._upsert_cache: dict[tuple[str, tuple[str, ...], tuple[str, ...]], str] = {}

    # -- construction ----------------------------------------------------------------------

    @staticmethod
    def from_settings(settings: StoreSettings) -> ProjectionStore:
        """PostgreSQL when the settings name a database URL, else the SQLite file."""
        store: ProjectionStore
        if settings.database_url:
            conninfo, schema = split_database_url(settings.database_url)
            schema = getattr(settings, "postgres_schema", None) or schema or "public"
            store = PostgresProjectionStore(conninfo, schema=schema)
        else:
            store = SQLiteProjectionStore(private_directory(settings.data_dir) / SQLITE_FILENAME)
        store.use_cipher_key(getattr(settings, "cipher_key", None))
        return store

    def use_cipher_key(self, cipher_key: str | None) -> None:
        """Seal personal values under (a key derived from) ``cipher_key``; None: don't."""
        self.sealer = Sealer(cipher_key)

    @property
    def sealed(self) -> bool:
        """Whether personal values are sealed (so SQL cannot compare or search them)."""
        return self.sealer.active

    # -- transactions ------------------------------------------------------------------------

    @abstractmethod
    def transaction(self) -> Any:
        """Context manager: a write ``Transaction``; commits on success, rolls back on error."""

    @abstractmethod
    def read(self) -> Any:
        """Context manager: a read-only ``Transaction`` (a consistent snapshot)."""

    @abstractmethod
    def close(self) -> None: ...

    @property
    @abstractmethod
    def description(self) -> str:
        """Where the tables are, without credentials."""

    # -- dialect -------------------------------------------------------------------------------

    def sql(self, statement: str) -> str:
        """``statement`` in this store's parameter style."""
        return statement

    def ddl(self, statement: str) -> str:
        """A DDL statement with this store's spelling of ``{key_text}``."""
        return statement.replace("{key_text}", self.key_text)

    key_text = "TEXT"
    for_update = ""
    schema_lock: str | None = None
    """A statement that serialises schema changes across processes (SQLite's write lock does)."""

    def contains(self, column: str) -> str:
        """SQL testing that ``column`` contains the ``?`` parameter (case-sensitive)."""
        return f"instr({column}, ?) > 0"

    def upsert_sql(self, table: str, key: tuple[str, ...], columns: tuple[str, ...]) -> str:
        cache_key = (table, key, columns)
        sql = self._upsert_cache.get(cache_key)
        if sql is None:
            for name in (table, *key, *columns):
                check_identifier(name)
            updates = [c for c in columns if c not in key]
            action = (
                "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in updates)
                if updates
                else "DO NOTHING"
            )
            sql = self.sql(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)}) "
                f"ON CONFLICT ({', '.join(key)}) {action}"
            )
            self._upsert_cache[cache_key] = sql
        return sql

    # -- schema helpers ------------------------------------------------------------------------

    @abstractmethod
    def table_names(self) -> set[str]:
        """Names of the tables that exist in this store."""

    def dump(self, table: str, order_by: Sequence[str]) -> list[tuple[Any, ...]]:
        """Every row of ``table`` in primary-key order (for comparisons and diffs)."""
        check_identifier(table)
        for column in order_by:
            check_identifier(column)
        with self.read() as tx:
            return tx.rows(f"SELECT * FROM {table} ORDER BY {', '.join(order_by)}")

    def count(self, table: str) -> int:
        check_identifier(table)
        with self.read() as tx:
            return int(tx.value(f"SELECT COUNT(*) FROM {table}", default=0))


# -- SQLite ------------------------------------------------------------------------------------


class SQLiteProjectionStore(ProjectionStore):
    """Projection tables in one SQLite file (WAL: readers never block the writer)."""

    dialect = "sqlite"

    def __init__(self, path: Path | str, *, busy_timeout: float = 30.0) -> None:
        super().__init__()
        self.path = Path(path)
        private_file(self.path)  # before SQLite opens it: -wal and -shm get its mode
        for leftover in ("-wal", "-shm"):  # left by a process of a version before 0600
            if Path(f"{self.path}{leftover}").exists():
                os.chmod(f"{self.path}{leftover}", PRIVATE_FILE_MODE)
        self._timeout = busy_timeout
        self._write_lock = threading.RLock()
        self._writer = self._connect(cache_mib=256)
        # Only takes effect when the file is new (a WAL database keeps its page size). Every
        # commit writes each page its batch touched to the WAL, and projection tables are keyed
        # by random UUIDs, so a batch touches pages all over each index: larger pages mean
        # shallower trees and fewer pages (WAL frames) per commit -- a 1,000,000-event rebuild
        # spends about half as long committing as with the default 4 KiB.
        self._writer.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
        self._writer.execute("PRAGMA journal_mode=WAL")
        # Checkpoint less often than every 1,000 pages: batches rewrite the same pages. 16,384
        # pages is 512 MiB of WAL at 32 KiB pages (64 MiB at 4 KiB in files made before), which
        # a rebuild fills; 2,048 or 4,096 pages make a 1,000,000-event rebuild commit 25-35%
        # slower.
        self._writer.execute("PRAGMA wal_autocheckpoint=16384")
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._closed = False

    def _connect(self, cache_mib: int = 16) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path,
            timeout=self._timeout,
            isolation_level=None,
            check_same_thread=False,
            cached_statements=1024,  # every projection statement stays prepared
        )
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(f"PRAGMA cache_size=-{cache_mib * 1024}")
        connection.execute("PRAGMA temp_store=MEMORY")
        connection.execute("PRAGMA mmap_size=268435456")  # reads straight from the page cache
        connection.execute(f"PRAGMA busy_timeout={int(self._timeout * 1000)}")
        return connection

    @property
    def description(self) -> str:
        return f"sqlite:{self.path}"

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._write_lock:
            connection = self._writer
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield _SQLiteTransaction(self, connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        with self._readers_lock:
            connection = self._readers.pop() if self._readers else None
        if connection is None:
            connection = self._connect()
            connection.execute("PRAGMA query_only=1")
        try:
            connection.execute("BEGIN")
            try:
                yield _SQLiteTransaction(self, connection)
            finally:
                connection.execute("ROLLBACK")
        except BaseException:
            connection.close()
            raise
        with self._readers_lock:
            if len(self._readers) < 16 and not self._closed:
                self._readers.append(connection)
            else:
                connection.close()

    def table_names(self) -> set[str]:
        with self.read() as tx:
            return {r[0] for r in tx.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def close(self) -> None:
        self._closed = True
        with self._readers_lock:
            for connection in self._readers:
                connection.close()
            self._readers.clear()
        with self._write_lock:
            self._writer.close()


# -- PostgreSQL ----------------------------------------------------------------------------------

SCHEMA_XACT_LOCK = "SELECT pg_advisory_xact_lock(hashtext(%s))"
"""Take the schema lock (``schema_lock_name``) until the transaction ends (psycopg ``%s``)."""


def schema_lock_name(schema: str) -> str:
    """The advisory lock that serialises creating tables (and the schema) in ``schema``."""
    return f"craftledger:schema:{schema}"


def read_only_database(cursor: Any) -> bool:
    """Whether this PostgreSQL connection can only read: a hot standby (a streaming replica),
    where every transaction is read-only. Such a server has the tables the primary made and
    takes no DDL, so creating is skipped there (``CRAFTLEDGER_READ_REPLICA``)."""
    row = cursor.execute("SELECT current_setting('transaction_read_only') AS ro").fetchone()
    value = row["ro"] if isinstance(row, dict) else row[0]  # dict rows: the ledger's pool
    return bool(value == "on")


def create_schema_if_missing(cursor: Any, schema: str) -> None:
    """``CREATE SCHEMA`` unless it exists (checked first: creating one, even with ``IF NOT
    EXISTS``, needs the CREATE privilege on the database). Call it holding the schema lock."""
    from psycopg.sql import SQL, Identifier

    found = cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    if found is None:
        cursor.execute(SQL("CREATE SCHEMA {}").format(Identifier(schema)))


def split_database_url(url: str) -> tuple[str, str | None]:
    """``postgresql://…?schema=S`` → (a libpq URL without ``schema``, ``S`` or None)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    schema = (query.pop("schema", None) or [None])[0]
    rest = "&".join(f"{k}={v}" for k, values in query.items() for v in values)
    scheme = "postgresql" if parts.scheme in ("postgres", "postgresql") else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, rest, "")), schema


class PostgresProjectionStore(ProjectionStore):
    """Projection tables in a PostgreSQL schema (psycopg 3, pooled connections)."""

    dialect = "postgresql"
    key_text = 'TEXT COLLATE "C"'
    for_update = " FOR UPDATE"

    def __init__(
        self, conninfo: str, *, schema: str = "public", min_size: int = 1, max_size: int = 8
    ) -> None:
        super().__init__()
        import psycopg
        from psycopg_pool import ConnectionPool

        self.schema = check_identifier(schema)
        self._conninfo = conninfo
        # a literal: the runner's transactions run it through ``sql`` (``?`` placeholders)
        self.schema_lock = f"SELECT pg_advisory_xact_lock(hashtext('{schema_lock_name(schema)}'))"
        with psycopg.connect(conninfo) as connection, connection.transaction():
            self.read_only = read_only_database(connection)
            if not self.read_only:
                connection.execute(SCHEMA_XACT_LOCK, (schema_lock_name(self.schema),))
                create_schema_if_missing(connection, self.schema)

        def configure(connection: Any) -> None:
            connection.execute(f'SET search_path TO "{self.schema}"')
            # A projection commit lost in a crash is lost together with its position (same
            # transaction), so the events are simply applied again: no need to wait for the
            # WAL flush on every batch.
            connection.execute("SET synchronous_commit TO off")
            connection.commit()

        self._pool = ConnectionPool(
            conninfo,
            min_size=min_size,
            max_size=max_size,
            configure=configure,
            open=True,
            name=f"projections-{self.schema}",
        )

    @property
    def description(self) -> str:
        parts = urlsplit(self._conninfo)
        host = parts.hostname or "localhost"
        return f"postgresql://{host}:{parts.port or 5432}{parts.path} schema {self.schema}"

    def sql(self, statement: str) -> str:
        translated = self._sql_cache.get(statement)
        if translated is None:
            translated = statement.replace("%", "%%").replace("?", "%s")
            self._sql_cache[statement] = translated
        return translated

    def contains(self, column: str) -> str:
        return f"strpos({column}, ?) > 0"

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._pool.connection() as connection, connection.transaction():
            yield Transaction(self, connection)

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        with self._pool.connection() as connection, connection.transaction():
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield Transaction(self, connection)

    def table_names(self) -> set[str]:
        with self.read() as tx:
            return {
                r[0]
                for r in tx.rows(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
                    (self.schema,),
                )
            }

    def drop_schema(self) -> None:
        """Drop the whole schema (fresh "as of" stores and tests)."""
        self._pool.close()
        import psycopg

        with psycopg.connect(self._conninfo, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    def close(self) -> None:
        self._pool.close()
