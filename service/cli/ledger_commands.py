"""Commands over the ledger itself: ``demo`` (seed) and ``export`` (the whole log)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from service.demo import seed_demo
from service.event_json import event_to_json
from service.ledger import Ledger


@click.command()
def demo() -> None:
    """Seed the demo data set (idempotent: running it twice changes nothing)."""
    ledger = Ledger()
    report = seed_demo(ledger, progress=lambda line: click.echo(f"  {line}", err=True))
    added = report["events_after"] - report["events_before"]
    click.echo(f"demo seeded: {added} new events, log now at position {report['events_after']}")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
def export(file: Path) -> None:
    """Write the whole event log as JSON lines, in log order (ID numbers masked)."""
    ledger = Ledger()
    count = 0
    stream = click.open_file(str(file), "w", encoding="utf-8", atomic=str(file) != "-")
    with stream as out:
        for notification in ledger.notifications():
            record = event_to_json(ledger.mapper, notification)
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    click.echo(f"exported {count} events to {file}", err=True)
