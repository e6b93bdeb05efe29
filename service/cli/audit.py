"""``craftledger audit``: check that the ledger never rewrote its history.

- ``audit verify``: recompute the transparency log from the stored events, check every signed
  tree head (signature and root) and every stored event against the log, and name the first
  position where they disagree. Exit 0 when everything agrees, 1 when something does not.
  It only reads: it never appends leaves or signs heads (a verification must not bless what
  it is checking).
- ``audit publish``: append the newest events to the log and sign a tree head now (for a cron
  job, or before handing heads to an external witness); prints the head as JSON.
- ``audit check-proof``: verify a proof offline against saved tree heads (no server needed).
"""

from __future__ import annotations

import json

import click

from projections.store import ProjectionStore
from service.audit import Audit, AuditReport, verify_log
from service.audit.proof_check import parse_public_key
from service.cli.proofcheck import check_proof
from service.ledger import Ledger


@click.group("audit")
def audit_group() -> None:
    """Verify the transparency log; sign tree heads; check proofs offline."""


@audit_group.command("verify")
@click.option(
    "--public-key",
    help="Check tree heads with this key (Multikey z6Mk… or base64) instead of the key store's:"
    " use the key the ledger published, so a rewritten key store cannot vouch for itself.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify(public_key: str | None, as_json: bool) -> None:
    """Recompute the log from the stored events; check every signed head and stored event."""
    key = None
    if public_key is not None:
        try:
            key = parse_public_key(public_key)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--public-key") from error
    ledger = Ledger()
    store = ProjectionStore.from_settings(ledger.settings)
    try:
        report = verify_log(ledger, store, key)
    finally:
        store.close()
        ledger.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print(report)
    if not report.ok:
        raise SystemExit(1)


def _print(report: AuditReport) -> None:
    summary = report.to_dict()
    click.echo(
        f"audit verify: {summary['events_checked']} stored events, log of"
        f" {summary['log_size']} leaves, {summary['pending']} not yet logged,"
        f" {summary['heads_checked']} signed tree heads"
    )
    for warning in summary["warnings"]:
        click.echo(f"  warning: {warning}")
    for head in summary["heads_failed"]:
        click.echo(
            f"  TREE HEAD {head['tree_size']} FAILS: signature {head['signature']},"
            f" root {head['root']} ({head['detail']})"
        )
    first = summary["first_disagreement"]
    if first is not None:
        leaf = "" if first["leaf_index"] is None else f" (leaf {first['leaf_index']})"
        click.echo(
            f"  FIRST DISAGREEMENT at position {first['position']}{leaf}: {first['kind']}"
            f" -- {first['detail']}"
        )
        for other in summary["disagreements"][1:10]:
            click.echo(f"    also position {other['position']}: {other['kind']}")
        click.echo(f"  {summary['disagreement_count']} disagreement(s) in all")
    click.echo("OK: the stored events are the signed log" if summary["ok"] else "FAILED")


@audit_group.command("publish")
def publish() -> None:
    """Append the newest events to the log and sign a tree head for it now."""
    ledger = Ledger()
    store = ProjectionStore.from_settings(ledger.settings)
    try:
        audit = Audit(ledger, store)
        read = audit.catch_up()
        audit.publish(force=True)
        head = audit.heads.latest()
        assert head is not None
        click.echo(f"{read} new leaves; tree head of size {head.tree_size}", err=True)
        click.echo(json.dumps(head.to_json()))
    finally:
        store.close()
        ledger.close()


audit_group.add_command(check_proof)
