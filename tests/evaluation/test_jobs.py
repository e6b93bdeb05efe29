"""The durable job runner: a jobs table in the data store, claims, progress, crash recovery."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from domain.errors import DomainRuleViolation
from service.jobs import JobRunner, JobStore, job_store_for
from service.ledger import Ledger


@pytest.fixture
def store(ledger: Ledger) -> JobStore:
    store = job_store_for(ledger)
    yield store
    store.close()


def wait_until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_jobs_live_in_the_ledgers_store(ledger: Ledger, store: JobStore, backend: str) -> None:
    assert type(store).__name__ == ("SQLiteJobStore" if backend == "sqlite" else "PostgresJobStore")
    job, created = store.submit("k", {"a": 1}, actor="issuer:t", owner="org")
    assert created and job.state == "queued" and job.params == {"a": 1}
    again = job_store_for(ledger)  # another process would see it
    assert again.get(job.id).state == "queued"
    again.close()


def test_a_dedupe_key_returns_the_active_job_instead_of_a_twin(store: JobStore) -> None:
    first, created = store.submit("k", {}, actor="a", dedupe_key="confirm:1")
    second, created_again = store.submit("k", {}, actor="a", dedupe_key="confirm:1")
    assert created and not created_again and second.id == first.id
    claimed = store.claim("worker-1")
    store.finish(claimed.id, result={"ok": True})
    third, created = store.submit("k", {}, actor="a", dedupe_key="confirm:1")
    assert created and third.id != first.id  # finished jobs no longer block the key


def test_a_job_is_claimed_once(store: JobStore) -> None:
    job, _ = store.submit("k", {}, actor="a")
    assert store.claim("one").id == job.id
    assert store.claim("two") is None
    store.progress(job.id, "checking", 5, 10)
    seen = store.get(job.id)
    assert (seen.state, seen.stage, seen.done, seen.total, seen.attempts) == (
        "running",
        "checking",
        5,
        10,
        1,
    )


def test_a_running_job_whose_lease_ran_out_is_taken_back_after_a_crash(
    store: JobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the store reads time.time(); moving it on replaces sleeping past real leases
    real = time.time
    later = [0.0]
    monkeypatch.setattr(time, "time", lambda: real() + later[0])
    job, _ = store.submit("k", {}, actor="a")
    store.claim("crashed-process", lease=60)
    assert store.claim("survivor", lease=60) is None
    later[0] += 59
    assert store.claim("survivor", lease=60) is None  # the lease has not run out yet
    later[0] += 2
    taken = store.claim("survivor", lease=60)
    assert taken.id == job.id and taken.attempts == 2
    later[0] += 61
    assert store.claim("third", lease=60).attempts == 3
    later[0] += 61
    assert store.claim("fourth", lease=60) is None  # gave up after three attempts
    abandoned = store.get(job.id)
    assert abandoned.state == "failed" and abandoned.error["title"] == "Job abandoned"


def test_the_runner_runs_jobs_in_one_thread_reports_progress_and_then_stops(
    ledger: Ledger, store: JobStore
) -> None:
    stages: list[Any] = []

    def handler(ledger_: Ledger, params: dict, progress: Any) -> dict:
        for done in range(1, 4):
            progress("counting", done, 3)
        stages.append(params["n"])
        return {"doubled": params["n"] * 2}

    def refuses(ledger_: Ledger, params: dict, progress: Any) -> dict:
        raise DomainRuleViolation("publication-window-open", "not yet")

    runner = JobRunner(ledger, store, {"double": handler, "refuse": refuses}, poll_seconds=0.05)
    good, _ = runner.submit("double", {"n": 21}, actor="a")
    bad, _ = runner.submit("refuse", {}, actor="a")
    wait_until(lambda: runner.get(bad.id).finished and runner.get(good.id).finished)
    done = runner.get(good.id)
    assert (done.state, done.result, done.done, done.total) == ("succeeded", {"doubled": 42}, 3, 3)
    failed = runner.get(bad.id)
    assert failed.state == "failed"
    assert failed.error == {
        "type": "urn:craftledger:rule:publication-window-open",
        "title": "Publication window open",
        "status": 422,
        "detail": "not yet",
        "rule": "publication-window-open",
    }
    wait_until(lambda: not runner.running)  # idle: the thread ends, holding nothing
    with pytest.raises(ValueError):
        runner.submit("unknown", {}, actor="a")


def test_an_unexpected_error_fails_the_job_without_leaking_internals(
    ledger: Ledger, store: JobStore
) -> None:
    def crashes(ledger_: Ledger, params: dict, progress: Any) -> dict:
        raise RuntimeError("connection string postgres://secret")

    runner = JobRunner(ledger, store, {"crash": crashes}, poll_seconds=0.05)
    job, _ = runner.submit("crash", {}, actor="a")
    wait_until(lambda: runner.get(job.id).finished)
    assert runner.get(job.id).error["detail"] == "an unexpected error was logged"
