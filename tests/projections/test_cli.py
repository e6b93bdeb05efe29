"""``craftledger projections run|rebuild|status|retry`` and ``craftledger replay --as-of``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from domain.china_time import china_date
from projections import all_projections
from projections.runner import ProjectionRunner
from service.cli import main


def invoke(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_status_run_and_rebuild(cli_env, ledger, world):
    world.issue(world.worker("命令行"), "5")
    head = ledger.log_position

    code, out = invoke(cli_env, "projections", "status", "--json")
    assert code == 0
    before = {row["name"]: row for row in json.loads(out)}
    assert before["directory"]["position"] == 0 and before["directory"]["lag"] == head

    code, out = invoke(cli_env, "projections", "run", "--once")
    assert code == 0, out
    assert f"applied {head} events" in out

    code, out = invoke(cli_env, "projections", "status", "--json")
    after = {row["name"]: row for row in json.loads(out)}
    assert {row["position"] for row in after.values()} == {head}
    assert {row["status"] for row in after.values()} == {"ok"}

    code, out = invoke(cli_env, "projections", "rebuild", "directory")
    assert code == 0, out
    assert f"rebuilt directory: {head} events" in out

    code, out = invoke(cli_env, "projections", "rebuild", "nope")
    assert code == 2 and "no projection 'nope'" in out


def test_replay_as_of_today_matches_the_live_projections(cli_env, ledger, store, world):
    number = world.issue(world.worker("回放"), "5")
    world.status(number, "revoke", reason="test")
    ProjectionRunner(ledger, store, all_projections()).catch_up()
    today = china_date(datetime.now(UTC))  # the day in China, the calendar of --as-of

    code, out = invoke(cli_env, "replay", "--as-of", today.isoformat(), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["position"] == ledger.log_position
    assert report["row_counts"]["directory"]["directory_certificate"] == 1
    assert report["comparison"]["identical"] is True

    with store.transaction() as tx:
        tx.execute("UPDATE directory_certificate SET status = 'valid'")  # a tampered read model
    code, out = invoke(cli_env, "replay", "--as-of", today.isoformat())
    assert code == 1
    assert (
        "DIFFER" in out
        and "directory_certificate: 0 only in replay, 0 only in live, 1 changed" in out
    )


def test_replay_before_the_first_event_is_empty_and_not_compared(cli_env, world):
    long_ago = (datetime.now(UTC) - timedelta(days=3650)).date().isoformat()
    code, out = invoke(cli_env, "replay", "--as-of", long_ago, "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["position"] == 0
    assert "comparison" not in report
    assert all(n == 0 for counts in report["row_counts"].values() for n in counts.values())


def test_a_stopped_projection_is_reported_and_retried(cli_env, ledger, store, world):
    world.worker()
    runner = ProjectionRunner(ledger, store, all_projections())
    runner.ensure_ready()
    with store.transaction() as tx:
        tx.execute("UPDATE projection_state SET status = 'failed' WHERE name = 'honours'")
        tx.execute(
            "INSERT INTO projection_failure (name, position, topic, originator_id,"
            " originator_version, error, detail, failed_at)"
            " VALUES ('honours', 3, 'craftledger:Worker.Registered', 'x', 1, 'ValueError: bad',"
            " '', 'now')"
        )
    code, out = invoke(cli_env, "projections", "status")
    assert "honours" in out and "stopped at 3 (craftledger:Worker.Registered" in out

    code, out = invoke(cli_env, "projections", "retry", "honours")
    assert code == 0 and "failure cleared" in out
    assert runner.failures() == []
