"""Commands over the ledger itself: ``demo`` (seed) and ``export`` (the whole log)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import click

from service.demo import DEFAULT_WORKERS, seed_demo
from service.demo.access import access_lines
from service.event_json import event_to_json
from service.ledger import Ledger


def demo_report_lines(report: dict[str, Any], base_url: str, seconds: float) -> list[str]:
    """What ``demo`` and ``serve --demo`` print once the history is seeded."""
    summary = report["summary"]
    added = report["events_after"] - report["events_before"]
    lines = [
        f"demo seeded: {added} new events, log now at position {report['events_after']} "
        f"({seconds:.1f} s)",
        f"  sessions by state: {summary['sessions']}",
        f"  competitions by state: {summary['competitions']}",
        f"  certificates: {summary['certificates']} by level {summary['certificates_by_level']}, "
        f"by status {summary['certificates_by_status']}; high-skill share "
        f"{summary['high_skill_share']:.0%}",
    ]
    return lines + access_lines(report["access"], base_url)


@click.command()
@click.option(
    "--workers",
    type=click.IntRange(30, 1_000_000),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="workers in the history (the same history, scaled; for benchmarks)",
)
def demo(workers: int) -> None:
    """Seed the demo history, 2022 to today (idempotent: running it twice changes nothing)."""
    ledger = Ledger()
    started = time.monotonic()
    try:
        report = seed_demo(
            ledger, progress=lambda line: click.echo(f"  {line}", err=True), workers=workers
        )
        base_url = ledger.credentials.credential_urls.base_url
    finally:
        ledger.close()
    for line in demo_report_lines(report, base_url, time.monotonic() - started):
        click.echo(line)


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
    if str(file) != "-":
        os.chmod(file, 0o600)  # names and masked ID numbers: for its owner only
    click.echo(f"exported {count} events to {file}", err=True)
