"""``craftledger calendar add FILE`` and ``craftledger calendar list`` on the test's ledger
(SQLite file and PostgreSQL schema), through click's CliRunner.

The 2027 file is a fictitious test fixture (``tests.factories.fictitious_arrangement``),
written to the test's temporary directory: no 2027 notice exists yet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from service.cli import main
from service.ledger import Ledger
from tests.factories import fictitious_arrangement, write_arrangement

FIXTURE_NAME = "2027 arrangement v1 (测试用虚构节假日安排（2027年，非真实通知）, 2026-11-05)"


def calendar(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, ["calendar", *args], env=env, catch_exceptions=False)


def test_an_added_year_is_recorded_and_listed(
    cli_env: dict[str, str], ledger: Ledger, tmp_path: Path
) -> None:
    file = write_arrangement(tmp_path, fictitious_arrangement())
    added = calendar(cli_env, "add", str(file))
    assert added.exit_code == 0, added.output
    assert added.output.startswith(
        f"2027 arrangement v1 recorded at log position {ledger.log_position}:"
    )
    recorded = ledger.calendars.calendar_year(2027)
    assert recorded is not None and recorded.version_in_force == 1
    assert recorded.arrangements[0]["added_by"].startswith("cli:")

    listed = calendar(cli_env, "list", "--json")
    assert listed.exit_code == 0, listed.output
    years = {row["year"]: row for row in json.loads(listed.output)}
    assert sorted(years) == list(range(2004, 2028))
    assert (years[2027]["source"], years[2027]["version"]) == ("recorded", 1)
    assert years[2027]["calendar"] == FIXTURE_NAME
    assert years[2027]["added_by"].startswith("cli:")
    assert (years[2026]["source"], years[2026]["overrides"]) == ("file", ["package"])
    assert years[2025]["source"] == "package" and years[2025]["version"] is None

    table = calendar(cli_env, "list").output.splitlines()
    assert f"2027  recorded  v1    {FIXTURE_NAME}" in table


def test_an_amended_file_becomes_the_next_version(
    cli_env: dict[str, str], ledger: Ledger, tmp_path: Path
) -> None:
    first = calendar(cli_env, "add", str(write_arrangement(tmp_path, fictitious_arrangement())))
    assert first.exit_code == 0, first.output
    amended = fictitious_arrangement(published_on="2026-12-01")
    added = calendar(cli_env, "add", str(write_arrangement(tmp_path, amended)))
    assert added.exit_code == 0, added.output
    assert added.output.startswith("2027 arrangement v2 recorded")
    listed = {row["year"]: row for row in json.loads(calendar(cli_env, "list", "--json").output)}
    assert listed[2027]["version"] == 2


def with_days(rest_days: list[str], workdays: list[str]) -> dict[str, Any]:
    return fictitious_arrangement(
        holidays=[{"name": "元旦", "rest_days": rest_days, "workdays": workdays}]
    )


def without_source() -> dict[str, Any]:
    data = fictitious_arrangement()
    del data["source"]
    return data


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (
            with_days(["2027-01-01", "2027-12-31", "2028-01-01"], []),
            "holidays[0].rest_days[2]: 2028-01-01 is not in 2027",
        ),
        (
            with_days(["2027-01-01", "2027-01-02"], ["2027-01-02"]),
            "holidays[0].workdays[0]: 2027-01-02 is both a rest day (holidays[0].rest_days[1])"
            " and a make-up workday",
        ),
        (without_source(), "source: is required"),
    ],
)
def test_a_bad_file_is_refused_naming_the_field_and_records_nothing(
    cli_env: dict[str, str], ledger: Ledger, tmp_path: Path, data: dict[str, Any], said: str
) -> None:
    file = write_arrangement(tmp_path, data)
    before = ledger.log_position
    refused = calendar(cli_env, "add", str(file))
    assert refused.exit_code == 1
    assert f"refused, nothing recorded: {file.name}.{said}" in refused.output
    assert ledger.log_position == before
    assert ledger.calendars.calendar_year(2027) is None


def test_a_file_that_is_not_strict_json_is_refused(
    cli_env: dict[str, str], ledger: Ledger, tmp_path: Path
) -> None:
    file = tmp_path / "twice.json"
    file.write_text('{"year": 2027, "year": 2028}', encoding="utf-8")
    refused = calendar(cli_env, "add", str(file))
    assert refused.exit_code == 1
    assert 'duplicate key "year"' in refused.output
    assert ledger.log_position == 0


def test_the_same_file_twice_is_refused_as_unchanged(
    cli_env: dict[str, str], ledger: Ledger, tmp_path: Path
) -> None:
    file = write_arrangement(tmp_path, fictitious_arrangement())
    assert calendar(cli_env, "add", str(file)).exit_code == 0
    before = ledger.log_position
    again = calendar(cli_env, "add", str(file))
    assert again.exit_code == 1
    assert "arrangement-unchanged" in again.output
    assert ledger.log_position == before
