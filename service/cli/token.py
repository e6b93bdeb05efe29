"""``craftledger token create|revoke``: API tokens, minted and revoked from the command line.

The token is printed once on stdout (so ``TOKEN=$(craftledger token create --role admin)``
works), its expiry on stderr; the ledger keeps only its SHA-256 hash, and the grant and any
revocation are events recorded with the actor ``cli:<user>``.
"""

from __future__ import annotations

import getpass
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

import click

from domain.api_token import TOKEN_ROLES, Role
from domain.errors import DomainRuleViolation
from service.config import MAX_TOKEN_DAYS
from service.ledger import Ledger, NotFound


def cli_actor() -> str:
    """``cli:<user>`` for events recorded from the command line."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = os.environ.get("USER") or f"uid{os.getuid()}"
    return f"cli:{user}"


@contextmanager
def _refusals_reported(ledger: Ledger) -> Iterator[Ledger]:
    """Use ``ledger`` and close it; a refusal or an unknown id is one line and exit 1."""
    try:
        yield ledger
    except DomainRuleViolation as error:
        raise click.ClickException(f"{error.rule}: {error.detail}") from None
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    finally:
        ledger.close()


@click.group("token")
def token_group() -> None:
    """Create and revoke API tokens (roles: admin, issuer, organiser, auditor, worker)."""


@token_group.command("create")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in TOKEN_ROLES]),
    help="token role",
)
@click.option("--org", "organisation_id", type=click.UUID, help="organisation (issuer, organiser)")
@click.option("--worker", "worker_id", type=click.UUID, help="worker (worker tokens)")
@click.option("--label", default="", help="a note saying what the token is for")
@click.option(
    "--expires-in-days",
    type=click.IntRange(1, MAX_TOKEN_DAYS),
    default=None,
    help="days until it expires [default: CRAFTLEDGER_TOKEN_DAYS (90) for non-admin tokens, "
    "never for admin tokens]",
)
def create(
    role: str,
    organisation_id: UUID | None,
    worker_id: UUID | None,
    label: str,
    expires_in_days: int | None,
) -> None:
    """Print a new random API token (shown once; only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    with _refusals_reported(Ledger()) as ledger:
        recorded = ledger.tokens.grant_token(
            token=token,
            role=Role(role),
            organisation_id=organisation_id,
            worker_id=worker_id,
            label=label,
            actor=cli_actor(),
            expires_in_days=expires_in_days,
        )
    click.echo(token)
    expires_at = recorded.aggregate.expires_at
    expiry = f"expires {expires_at.isoformat()}" if expires_at else "never expires"
    click.echo(
        f"token {recorded.aggregate.id} ({role}) granted at log position {recorded.position}, "
        f"{expiry}; it is shown only this once",
        err=True,
    )


@token_group.command("revoke")
@click.argument("token_id", type=click.UUID)
@click.option("--reason", required=True, help="why; recorded in the event")
def revoke(token_id: UUID, reason: str) -> None:
    """Revoke a token by its id: it stops working at once."""
    if not reason.strip():
        raise click.BadParameter("give a reason", param_hint="--reason")
    with _refusals_reported(Ledger()) as ledger:
        recorded = ledger.tokens.revoke_token(token_id, actor=cli_actor(), reason=reason)
    click.echo(f"token {token_id} revoked at log position {recorded.position}")
