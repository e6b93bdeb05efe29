"""``craftledger keys list|rotate|compromise``: issuers' signing keys from the command line.

The same commands and answers as ``/api/v1/organisations/{id}/keys``: a change prints what it
means and how many credentials it touches. The counts come from the read models as far as they
have caught up with the log; if they are behind (no ``projections run`` worker), a note says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import click

from domain.errors import DomainRuleViolation, InvalidValue
from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from service.cli.token import cli_actor
from service.commands import NotFound
from service.credentials.key_report import explain_compromise, explain_rotation, keys_report
from service.ledger import Ledger


@contextmanager
def _opened() -> Iterator[tuple[Ledger, ProjectionStore]]:
    """The ledger and its read models' store; a refusal is one line and exit 1. Warns on
    stderr when the read models are behind the log (counts then miss the newest events)."""
    ledger = Ledger()
    store = ProjectionStore.from_settings(ledger.settings)
    try:
        runner = ProjectionRunner(ledger, store, all_projections())
        runner.ensure_ready()
        # Measured before the command: its own key events change no count.
        behind = ledger.log_position - min(
            runner.position("directory"), runner.position("worker_ladder")
        )
        yield ledger, store
        if behind > 0:
            click.echo(
                f"note: the read models are {behind} event(s) behind the log; counts "
                "may miss the newest certificates and posts (run "
                "`craftledger projections run --once`)",
                err=True,
            )
    except DomainRuleViolation as error:
        raise click.ClickException(f"{error.rule}: {error.detail}") from None
    except InvalidValue as error:
        raise click.ClickException(f"{error.field}: {error.detail}") from None
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    finally:
        store.close()
        ledger.close()


def _echo_keys(report: Mapping[str, Any]) -> None:
    """One tab-separated line per key: id, state, valid from, until, compromised, affected."""
    for key in report["keys"]:
        cells = [
            key["key_id"],
            key["state"],
            key["valid_from"].isoformat(),
            key["valid_until"].isoformat() if key["valid_until"] else "-",
            key["compromised_at"].isoformat() if key["compromised_at"] else "-",
            "-" if key["affected_credentials"] is None else str(key["affected_credentials"]),
        ]
        click.echo("\t".join(cells))


def _echo_change(answer: Mapping[str, Any]) -> None:
    _echo_keys(answer)
    click.echo(f"affected credentials: {answer['affected_credentials']}")
    click.echo(answer["explanation"])


@click.group("keys")
def keys_group() -> None:
    """List, rotate and mark compromised an issuer's signing keys."""


@keys_group.command("list")
@click.argument("organisation_id", type=click.UUID)
def list_keys(organisation_id: UUID) -> None:
    """Print the keys, oldest first: id, state, valid from, until, compromised at, affected."""
    with _opened() as (ledger, store):
        _echo_keys(keys_report(ledger.organisation(organisation_id), store))


@keys_group.command("rotate")
@click.argument("organisation_id", type=click.UUID)
def rotate(organisation_id: UUID) -> None:
    """Give the organisation a new signing key; the old one stays published with its window."""
    with _opened() as (ledger, store):
        recorded = ledger.credentials.rotate_signing_key(organisation_id, actor=cli_actor())
        _echo_change(explain_rotation(keys_report(recorded.aggregate, store)))


@keys_group.command("compromise")
@click.argument("organisation_id", type=click.UUID)
@click.argument("key_id")
@click.option(
    "--at",
    "compromised_at",
    required=True,
    type=datetime.fromisoformat,
    help="when the key leaked, ISO 8601 with a time zone (e.g. 2026-12-01T09:00:00+08:00)",
)
@click.option("--reason", required=True, help="why; recorded in the event")
def compromise(organisation_id: UUID, key_id: str, compromised_at: datetime, reason: str) -> None:
    """Record that KEY_ID leaked at --at; a new key replaces it if it was the one in use."""
    with _opened() as (ledger, store):
        recorded = ledger.credentials.mark_key_compromised(
            organisation_id, key_id, compromised_at=compromised_at, actor=cli_actor(), reason=reason
        )
        _echo_change(explain_compromise(keys_report(recorded.aggregate, store), key_id))
