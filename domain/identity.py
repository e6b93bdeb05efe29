"""Deterministic aggregate ids derived from natural keys.

Ids are UUIDv5 in one craftledger namespace, so the same filing code, certificate number or
keyed identity hash always names the same aggregate: re-running a seed or retrying a command
finds the aggregate it already made instead of creating a twin.
"""

from __future__ import annotations

from uuid import UUID, uuid5

CRAFTLEDGER_NAMESPACE = UUID("6f1d2c0e-6b7e-5a53-9a51-2a0c8b6e1f11")


def natural_id(kind: str, *key: str) -> UUID:
    """The id of the ``kind`` aggregate whose natural key is ``key``."""
    return uuid5(CRAFTLEDGER_NAMESPACE, "/".join((kind, *key)))
