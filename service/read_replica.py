"""A read replica of the ledger (``CRAFTLEDGER_READ_REPLICA=1``): reads and verification only.

PostgreSQL's streaming replication copies the primary's events, read models and key table to a
hot standby; an app on the standby serves the certificate summary, credentials, status lists,
pages, leaderboards, statistics and the verification checks from there, and refuses every
command with 503 ``read-only-replica`` (commands go to the primary). A client that has just
recorded something reads its own write by sending the command's ``X-Log-Position`` as
``X-Wait-For-Position``: the replica waits until replication has brought the read model there
(see ``service.read_models.wait_for_position``). Setting it up: docs/replicas.md.
"""

from __future__ import annotations

from flask import Flask, request

from service.problems import Problem

__all__ = ["READS", "install_read_replica"]

#: POST endpoints that only read: the verification checks (national query, credentials,
#: presentations, an uploaded file on the verify page, the verify form).
READS = frozenset(
    {
        "verify.verify",
        "credentials.verify_credential",
        "credentials.verify_presentation",
        "pages.verify_check_file",
        "pages_verify.verify_submit",
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def refuse_commands() -> None:
    if request.method in SAFE_METHODS or request.endpoint in READS:
        return
    raise Problem(
        503,
        "read-only-replica",
        "this server is a read replica: it serves reads and verification only; send commands "
        "to the primary",
        headers={"Retry-After": "0"},
    )


def install_read_replica(app: Flask) -> None:
    """Refuse commands on this app (before authentication, rate limits and bodies)."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_commands)
