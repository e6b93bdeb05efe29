"""``craftledger calendar add FILE`` and ``craftledger calendar list``: working-day calendars.

``add`` records a year's holiday arrangement (国务院办公厅关于 YYYY 年部分节假日安排的通知) from a
JSON file in the format of ``domain/data/calendars/<year>.json`` (see ``docs/calendars.md``):
the year's next version, in force from now on, recorded with the actor ``cli:<user>``. A file
that breaks a rule is refused, naming the field, and nothing is recorded. ``list`` prints every
year a calendar covers and the source in force (package, file or recorded) with its version.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from domain.errors import DomainRuleViolation, InvalidValue
from domain.holiday_arrangement import parse_arrangement
from projections.calendars import Calendars, CalendarsQuery
from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from service.api.strict_json import MalformedJSON, loads_strict
from service.calendars import calendar_years
from service.cli.token import cli_actor
from service.ledger import Ledger


@click.group("calendar")
def calendar_group() -> None:
    """Working-day calendars: add a year's holiday arrangement, list the years covered."""


@calendar_group.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def add(file: Path) -> None:
    """Record the holiday arrangement in FILE (JSON) as its year's next version."""
    try:
        data = loads_strict(file.read_bytes())  # as the API reads a body: no duplicate keys
    except MalformedJSON as error:
        raise click.ClickException(f"refused, nothing recorded: {file.name}: {error}") from None
    ledger = Ledger()
    try:
        arrangement = parse_arrangement(data, source=file.name)
        recorded = ledger.calendars.add_holiday_arrangement(arrangement, actor=cli_actor())
    except InvalidValue as error:
        raise click.ClickException(f"refused, nothing recorded: {error}") from None
    except DomainRuleViolation as error:
        raise click.ClickException(f"refused, nothing recorded: {error}") from None
    finally:
        ledger.close()
    year = recorded.aggregate
    click.echo(
        f"{arrangement.year} arrangement v{year.version_in_force} recorded at log position "
        f"{recorded.position}: {arrangement.source.title} ({arrangement.published_on})"
    )


@calendar_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_(as_json: bool) -> None:
    """Every year a calendar covers: the source in force, its version, what it overrides."""
    ledger = Ledger()
    store = ProjectionStore.from_settings(ledger.settings)
    try:
        ProjectionRunner(ledger, store, [Calendars()]).catch_up()  # the recorded ones, current
        entries = calendar_years(CalendarsQuery(store).recorded())
    finally:
        store.close()
        ledger.close()
    rows = [
        {
            "year": entry.in_force.year,
            "source": entry.in_force.source.value,
            "version": entry.in_force.version,
            "calendar": entry.in_force.name,
            "overrides": [calendar.source.value for calendar in entry.overridden],
            "added_by": entry.added_by,
            "added_at": entry.added_at,
        }
        for entry in entries
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        version = f"v{row['version']}" if row["version"] else "-"
        overrides = f"  (overrides {', '.join(row['overrides'])})" if row["overrides"] else ""
        click.echo(f"{row['year']}  {row['source']:<8}  {version:<4}  {row['calendar']}{overrides}")
