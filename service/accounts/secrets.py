"""People's secrets, beside the log: a side table, never events.

``account_secrets`` holds, per account id (derived from the login, so a row may exist for a
login nobody has, to count its failures alike): the argon2id password hash, the TOTP secret
(and one being enrolled; both sealed with AES-GCM under a key derived from the identity secret
by ``service.accounts.accounts``), the last TOTP time step used (a code works once), the
SHA-256 of the pending invitation token with its expiry, and the failed sign-in counter with the
lock's end.

Why not events: an event is kept for ever and copied into every audit export; a password hash
that was replaced must be gone, and a counter that changes on every attempt would flood the log.
Membership itself (invited, accepted, enrolled, deactivated) is in the log
(``domain.person_account``). Like ``service.tokens.usage`` the table lives in its own SQLite file
(mode 0600) or in the ledger's PostgreSQL schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from service.persistence.side_tables import (
    PostgresSideTable,
    SideTable,
    SQLiteFileSideTable,
)

__all__ = ["AccountSecrets", "SecretRow", "secrets_for"]

COLUMNS = (
    "password_hash",
    "totp_secret",
    "totp_pending",
    "totp_last_step",
    "invitation_hash",
    "invitation_expires_at",
    "failures",
    "locked_until",
)


@dataclass
class SecretRow:
    """One account's secrets (all empty for a login never seen)."""

    account_id: UUID
    password_hash: str | None = None
    totp_secret: str | None = None
    totp_pending: str | None = None
    totp_last_step: int | None = None
    invitation_hash: str | None = None
    invitation_expires_at: datetime | None = None
    failures: int = 0
    locked_until: datetime | None = None


def _time(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class AccountSecrets(SideTable):
    table = "account_secrets"

    def create_table(self) -> None:
        with self._cursor() as cursor:
            cursor.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {t} (account_id TEXT PRIMARY KEY, "
                    "password_hash TEXT, totp_secret TEXT, totp_pending TEXT, "
                    "totp_last_step BIGINT, invitation_hash TEXT, invitation_expires_at TEXT, "
                    "failures INTEGER NOT NULL DEFAULT 0, locked_until TEXT)"
                )
            )

    def get(self, account_id: UUID) -> SecretRow:
        with self._cursor() as cursor:
            cursor.execute(
                self._sql(f"SELECT {', '.join(COLUMNS)} FROM {{t}} WHERE account_id = %s"),
                (str(account_id),),
            )
            row = cursor.fetchone()
        if row is None:
            return SecretRow(account_id)
        values = dict(row) if isinstance(row, dict) else dict(zip(COLUMNS, row, strict=True))
        return SecretRow(
            account_id,
            password_hash=values["password_hash"],
            totp_secret=values["totp_secret"],
            totp_pending=values["totp_pending"],
            totp_last_step=values["totp_last_step"],
            invitation_hash=values["invitation_hash"],
            invitation_expires_at=_time(values["invitation_expires_at"]),
            failures=int(values["failures"] or 0),
            locked_until=_time(values["locked_until"]),
        )

    def put(self, row: SecretRow) -> None:
        values = [getattr(row, column) for column in COLUMNS]
        values = [v.isoformat() if isinstance(v, datetime) else v for v in values]
        updates = ", ".join(f"{column} = excluded.{column}" for column in COLUMNS)
        with self._cursor() as cursor:
            cursor.execute(
                self._sql(
                    f"INSERT INTO {{t}} (account_id, {', '.join(COLUMNS)}) VALUES "
                    f"(%s, {', '.join('%s' for _ in COLUMNS)}) "
                    f"ON CONFLICT (account_id) DO UPDATE SET {updates}"
                ),
                (str(row.account_id), *values),
            )

    def claim_invitation(self, account_id: UUID, invitation_hash: str) -> bool:
        """Clear the invitation if it is still ``invitation_hash``: True for the one caller
        that used it (a token is single-use even when two tabs submit at once)."""
        with self._cursor() as cursor:
            cursor.execute(
                self._sql(
                    "UPDATE {t} SET invitation_hash = NULL, invitation_expires_at = NULL "
                    "WHERE account_id = %s AND invitation_hash = %s"
                ),
                (str(account_id), invitation_hash),
            )
            return bool(cursor.rowcount == 1)

    def account_ids(self) -> list[UUID]:
        """Accounts that were ever invited (rows holding only failures are not)."""
        with self._cursor() as cursor:
            cursor.execute(
                self._sql(
                    "SELECT account_id FROM {t} WHERE password_hash IS NOT NULL "
                    "OR invitation_hash IS NOT NULL"
                )
            )
            rows = cursor.fetchall()
        return [UUID(row["account_id"] if isinstance(row, dict) else row[0]) for row in rows]


class SQLiteAccountSecrets(SQLiteFileSideTable, AccountSecrets):
    """The table in its own SQLite file (0600); a connection per use."""


class PostgresAccountSecrets(PostgresSideTable, AccountSecrets):
    """The table in the ledger's PostgreSQL schema, through the ledger's connection pool."""


def secrets_for(ledger: Any) -> AccountSecrets:
    """PostgreSQL when the ledger records there, otherwise ``account-secrets.sqlite3``."""
    datastore = getattr(ledger.recorder, "datastore", None)
    if datastore is not None and type(datastore).__name__ == "PostgresDatastore":
        return PostgresAccountSecrets(datastore)
    return SQLiteAccountSecrets(Path(ledger.settings.data_dir) / "account-secrets.sqlite3")
