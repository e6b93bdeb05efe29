"""``craftledger projections run|rebuild|status|retry`` and ``craftledger replay --as-of DATE``.

- ``projections run``: the catch-up loop as its own process (for PostgreSQL deployments, where
  projection workers run beside the web servers; on SQLite ``craftledger serve`` runs the loop in
  a thread). Several may run at once: each event is still applied exactly once.
- ``projections rebuild [NAME]``: drop one projection (or all) and rebuild from position 0.
- ``projections status [--json]``: position, lag behind the log head, and any poison event.
- ``projections retry NAME``: clear a projection's failure so it tries the poison event again.
- ``replay --as-of DATE``: rebuild every projection from the log as of the end of DATE (UTC)
  into a fresh store and report row counts; when DATE is today or later, also compare with the
  live projections (caught up first) table by table. Exit 1 when they differ.
"""

from __future__ import annotations

import json
import shutil
import signal
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from domain.china_time import china_date
from projections import all_projections
from projections.as_of import build_as_of, diff_stores, fresh_sqlite_store
from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from service.ledger import Ledger


def _live_runner(batch_size: int = 2000) -> tuple[Ledger, ProjectionStore, ProjectionRunner]:
    ledger = Ledger()
    store = ProjectionStore.from_settings(ledger.settings)
    return ledger, store, ProjectionRunner(ledger, store, all_projections(), batch_size=batch_size)


@click.group("projections")
def projections_group() -> None:
    """Run, rebuild and inspect the read models (projections)."""


@projections_group.command("run")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between polls.")
@click.option("--batch-size", default=2000, show_default=True, help="Events per transaction.")
@click.option("--once", is_flag=True, help="Catch up once and exit.")
def run(interval: float, batch_size: int, once: bool) -> None:
    """Keep every projection caught up with the log (a worker process)."""
    ledger, store, runner = _live_runner(batch_size)
    click.echo(f"projections: {store.description}; log {ledger.settings.store_description}")
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    reported: set[str] = set()
    try:
        while not stopping:
            started = time.monotonic()
            try:
                read = runner.catch_up()
            except Exception as error:  # database outage: report and keep trying
                click.echo(f"catch-up failed: {type(error).__name__}: {error}", err=True)
                read = 0
            if read:
                rate = read / max(time.monotonic() - started, 1e-9)
                click.echo(f"applied {read} events ({rate:,.0f}/s); positions {runner.positions()}")
            for failure in runner.failures():
                if failure.name not in reported:
                    reported.add(failure.name)
                    click.echo(
                        f"projection {failure.name} STOPPED at position {failure.position}"
                        f" ({failure.topic}): {failure.error}",
                        err=True,
                    )
            if once:
                break
            if not read:
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        store.close()


@projections_group.command("rebuild")
@click.argument("name", required=False)
@click.option("--batch-size", default=20000, show_default=True, help="Events per transaction.")
def rebuild(name: str | None, batch_size: int) -> None:
    """Drop NAME (default: every projection) and rebuild it from the first event."""
    _, store, runner = _live_runner(batch_size)
    if name is not None and name not in runner.projections:
        raise click.BadParameter(
            f"no projection {name!r}; known: {', '.join(runner.projections)}", param_hint="NAME"
        )
    started = time.monotonic()
    read = runner.rebuild(name)
    elapsed = time.monotonic() - started
    click.echo(
        f"rebuilt {name or 'all projections'}: {read} events in {elapsed:.1f} s"
        f" ({read / max(elapsed, 1e-9):,.0f}/s); positions {runner.positions()}"
    )
    _echo_failures(runner)
    store.close()


@projections_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(as_json: bool) -> None:
    """Each projection's position, lag and status (and the poison event that stopped it)."""
    _, store, runner = _live_runner()
    report = runner.status()
    store.close()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for row in report:
        click.echo(
            f"{row['name']:<14} v{row['version']}  position {row['position']:>9}"
            f"  lag {row['lag']:>7}  {row['status']}"
        )
        failure = row["failure"]
        if failure:
            click.echo(
                f"    stopped at {failure['position']} ({failure['topic']},"
                f" {failure['originator_id']} v{failure['originator_version']}):"
                f" {failure['error']}"
            )


@projections_group.command("retry")
@click.argument("name")
def retry(name: str) -> None:
    """Clear NAME's failure: the next catch-up tries the poison event again."""
    _, store, runner = _live_runner()
    if name not in runner.projections:
        raise click.BadParameter(f"no projection {name!r}", param_hint="NAME")
    runner.retry(name)
    click.echo(f"{name}: failure cleared; it resumes at position {runner.position(name)}")
    store.close()


def _echo_failures(runner: ProjectionRunner) -> None:
    for failure in runner.failures():
        click.echo(
            f"projection {failure.name} STOPPED at position {failure.position}"
            f" ({failure.topic}): {failure.error}",
            err=True,
        )


@click.command("replay")
@click.option(
    "--as-of",
    "as_of",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Replay the log up to the end of this day (China time, UTC+8), YYYY-MM-DD.",
)
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the fresh SQLite store in this (new) directory instead of a temporary one.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def replay(as_of: datetime, into: Path | None, as_json: bool) -> None:
    """Rebuild every projection from the log as of DATE into a fresh store and report."""
    day = as_of.date()
    ledger = Ledger()
    scratch = None
    if into is None:
        scratch = Path(tempfile.mkdtemp(prefix="craftledger-replay-"))
    fresh = fresh_sqlite_store(into or scratch)
    try:
        started = time.monotonic()
        build = build_as_of(ledger, fresh, all_projections(), on=day)
        elapsed = time.monotonic() - started
        report: dict[str, Any] = {
            "as_of": day.isoformat(),
            "up_to": build.moment.isoformat() if build.moment else None,
            "position": build.position,
            "log_position": ledger.log_position,
            "events_read": build.events_read,
            "seconds": round(elapsed, 3),
            "store": fresh.description if into else "temporary (removed)",
            "row_counts": build.row_counts(),
            "failures": [f.as_dict() for f in build.runner.failures()],
        }
        if day >= china_date(datetime.now(UTC)):
            report["comparison"] = _compare_with_live(ledger, fresh, build.position)
        _print_replay(report, as_json)
        differs = report.get("comparison", {}).get("identical") is False
    finally:
        fresh.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    if differs or report["failures"]:
        raise SystemExit(1)


def _compare_with_live(ledger: Ledger, fresh: ProjectionStore, position: int) -> dict[str, Any]:
    live = ProjectionStore.from_settings(ledger.settings)
    try:
        runner = ProjectionRunner(ledger, live, all_projections())
        runner.catch_up()
        positions = runner.positions()
        diffs = diff_stores(all_projections(), fresh, live)
    finally:
        live.close()
    tables = [
        {
            "table": d.table,
            "only_in_replay": d.only_in_first,
            "only_in_live": d.only_in_second,
            "changed": d.changed,
            "examples": d.examples,
        }
        for d in diffs
        if not d.identical
    ]
    return {
        "live_store": live.description,
        "live_positions": positions,
        "replay_position": position,
        "identical": not tables,
        "note": (
            None
            if all(p == position for p in positions.values())
            else "the live projections are at other positions (events after the replay or"
            " a stopped projection), so differences may be expected"
        ),
        "differences": tables,
    }


def _print_replay(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"replay as of {report['as_of']} (events up to {report['up_to']}): position"
        f" {report['position']} of {report['log_position']}, {report['events_read']} events"
        f" in {report['seconds']} s; store {report['store']}"
    )
    for name, counts in report["row_counts"].items():
        total = sum(counts.values())
        detail = ", ".join(f"{table} {count}" for table, count in counts.items())
        click.echo(f"  {name:<14} {total:>9} rows  ({detail})")
    for failure in report["failures"]:
        click.echo(
            f"  projection {failure['name']} STOPPED at position {failure['position']}"
            f" ({failure['topic']}): {failure['error']}"
        )
    comparison = report.get("comparison")
    if comparison is None:
        return
    if comparison["identical"]:
        click.echo(f"  live projections ({comparison['live_store']}) are identical to the replay")
        return
    click.echo(f"  live projections ({comparison['live_store']}) DIFFER from the replay:")
    if comparison["note"]:
        click.echo(f"    note: {comparison['note']}; live positions {comparison['live_positions']}")
    for table in comparison["differences"]:
        click.echo(
            f"    {table['table']}: {table['only_in_replay']} only in replay,"
            f" {table['only_in_live']} only in live, {table['changed']} changed"
        )
        for example in table["examples"]:
            click.echo(f"      {example}")
