"""The worker ladder's tables (``projections.worker_ladder``), each keyed as the projection
writes it; ``QUERY_INDEXES`` serve reads only (a build from zero makes them at the end).

Tables::

    ladder_worker(id PK, name)
    ladder_certificate(id PK, number, worker_id, occupation_code, occupation_name, level,
                       issuer_id, issuer_name, basis_kind, bypass, issued_on, issued_at, status,
                       status_reason, raised_level, position)  index (worker_id, occupation_code)
    ladder_external(worker_id, number PK, occupation_code, level, issuer_name, issued_on,
                    check_status)
    ladder_level(worker_id, occupation_code PK, occupation_name, level, number, source, since)
                                                          index (occupation_code, level, worker_id)
    ladder_history(worker_id, position PK, at, kind, number, occupation_code, level, detail)
                               (status changes and external checks; issues come from
                                ladder_certificate)
    ladder_honour_ladder(id PK, union_id, name, tiers JSON)
    ladder_honour(ladder_id, award_id PK, worker_id, tier, tier_rank, year, standing,
                  withdrawn_reason)                                      index (worker_id)
    ladder_competition(id PK, organiser_id, name, tier, occupation_code, year)
    ladder_entry(worker_id, competition_id PK, entrant_kind, registered_at, position,
                 withdrawn_reason, rank, award)
    ladder_flag(certificate_id, revoked_number PK, worker_id, at, reason, kind, via)
                               (Certificate.DependencyFlagged: flagged for review, still valid)
    ladder_post(id PK, worker_id, organisation_id, organisation_name, occupation_code,
                occupation_name, post, appointed_at, standing, withdrawn_reason)
                                                                         index (worker_id)
"""

from __future__ import annotations

TABLES: dict[str, tuple[str, ...]] = {
    "ladder_worker": ("id",),
    "ladder_certificate": ("id",),
    "ladder_external": ("worker_id", "number"),
    "ladder_level": ("worker_id", "occupation_code"),
    "ladder_history": ("worker_id", "position"),
    "ladder_honour_ladder": ("id",),
    "ladder_honour": ("ladder_id", "award_id"),
    "ladder_competition": ("id",),
    "ladder_entry": ("worker_id", "competition_id"),
    "ladder_flag": ("certificate_id", "revoked_number"),
    "ladder_post": ("id",),
}
SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS ladder_worker (
        id {key_text} PRIMARY KEY,
        name TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS ladder_certificate (
        id {key_text} PRIMARY KEY,
        number {key_text} NOT NULL,
        worker_id {key_text} NOT NULL,
        occupation_code {key_text} NOT NULL,
        occupation_name TEXT NOT NULL,
        level TEXT NOT NULL,
        issuer_id TEXT NOT NULL,
        issuer_name TEXT NOT NULL,
        basis_kind TEXT NOT NULL,
        bypass TEXT,
        issued_on TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        status TEXT NOT NULL,
        status_reason TEXT NOT NULL,
        raised_level INTEGER NOT NULL,
        position BIGINT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS ladder_certificate_by_worker"
    " ON ladder_certificate (worker_id, occupation_code)",
    """CREATE TABLE IF NOT EXISTS ladder_external (
        worker_id {key_text} NOT NULL,
        number {key_text} NOT NULL,
        occupation_code TEXT NOT NULL,
        level TEXT NOT NULL,
        issuer_name TEXT NOT NULL,
        issued_on TEXT NOT NULL,
        check_status TEXT NOT NULL,
        PRIMARY KEY (worker_id, number)
    )""",
    """CREATE TABLE IF NOT EXISTS ladder_level (
        worker_id {key_text} NOT NULL,
        occupation_code {key_text} NOT NULL,
        occupation_name TEXT NOT NULL,
        level {key_text} NOT NULL,
        number TEXT NOT NULL,
        source TEXT NOT NULL,
        since TEXT NOT NULL,
        PRIMARY KEY (worker_id, occupation_code)
    )""",
    """CREATE TABLE IF NOT EXISTS ladder_history (
        worker_id {key_text} NOT NULL,
        position BIGINT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        number TEXT,
        occupation_code TEXT,
        level TEXT,
        detail TEXT NOT NULL,
        PRIMARY KEY (worker_id, position)
    )""",
    """CREATE TABLE IF NOT EXISTS ladder_honour_ladder (
        id {key_text} PRIMARY KEY,
        union_id TEXT NOT NULL,
        name TEXT NOT NULL,
        tiers TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS ladder_honour (
        ladder_id {key_text} NOT NULL,
        award_id {key_text} NOT NULL,
        worker_id {key_text} NOT NULL,
        tier TEXT NOT NULL,
        tier_rank INTEGER NOT NULL,
        year INTEGER NOT NULL,
        standing INTEGER NOT NULL,
        withdrawn_reason TEXT,
        PRIMARY KEY (ladder_id, award_id)
    )""",
    """CREATE TABLE IF NOT EXISTS ladder_competition (
        id {key_text} PRIMARY KEY,
        organiser_id TEXT NOT NULL,
        name TEXT NOT NULL,
        tier TEXT NOT NULL,
        occupation_code TEXT NOT NULL,
        year INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS ladder_entry (
        worker_id {key_text} NOT NULL,
        competition_id {key_text} NOT NULL,
        entrant_kind TEXT,
        registered_at TEXT NOT NULL,
        position BIGINT NOT NULL,
        withdrawn_reason TEXT,
        rank INTEGER,
        award TEXT,
        PRIMARY KEY (worker_id, competition_id)
    )""",
    """CREATE TABLE IF NOT EXISTS ladder_flag (
        certificate_id {key_text} NOT NULL,
        revoked_number {key_text} NOT NULL,
        worker_id TEXT NOT NULL,
        at TEXT NOT NULL,
        reason TEXT NOT NULL,
        kind TEXT NOT NULL,
        via TEXT NOT NULL,
        PRIMARY KEY (certificate_id, revoked_number)
    )""",
    """CREATE TABLE IF NOT EXISTS ladder_post (
        id {key_text} PRIMARY KEY,
        worker_id {key_text} NOT NULL,
        organisation_id TEXT NOT NULL,
        organisation_name TEXT NOT NULL,
        occupation_code TEXT NOT NULL,
        occupation_name TEXT NOT NULL,
        post TEXT NOT NULL,
        appointed_at TEXT,
        standing INTEGER NOT NULL,
        withdrawn_reason TEXT
    )""",
)
QUERY_INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS ladder_level_by_occupation"
    " ON ladder_level (occupation_code, level, worker_id)",
    "CREATE INDEX IF NOT EXISTS ladder_honour_by_worker ON ladder_honour (worker_id)",
    "CREATE INDEX IF NOT EXISTS ladder_flag_by_worker ON ladder_flag (worker_id)",
    "CREATE INDEX IF NOT EXISTS ladder_post_by_worker ON ladder_post (worker_id)",
)
