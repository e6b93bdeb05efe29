"""Signed tree heads: signed with the ledger's own key from the key store, published when due
(N events or N seconds after the last), kept as an append-only history with increasing sizes
and timestamps, and untouched by rebuilds of the transparency log."""

from __future__ import annotations

import threading

from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from projections.transparency.merkle import EMPTY_ROOT
from projections.transparency.tree_head import verify_tree_head
from projections.transparency_log import TransparencyLog, TransparencyLogQuery
from service.audit import Audit, HeadPolicy, verify_log
from service.credentials.key_store import LEDGER_KEY_ID, LEDGER_OWNER
from service.ledger import Ledger
from service.signing.multikey import decode_public_key
from tests.audit.principals import grant_tokens


class Clock:
    def __init__(self, now: int = 1_740_000_000_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def test_heads_are_signed_with_the_ledgers_key_from_the_key_store(
    ledger: Ledger, audit: Audit
) -> None:
    grant_tokens(ledger, 3)
    head = audit.refresh()
    stored = ledger.credentials.key_store.get(LEDGER_OWNER, LEDGER_KEY_ID)
    assert stored is not None and stored.public_key_multibase == audit.heads.public_key_multibase()
    assert head.key_id == LEDGER_KEY_ID
    assert verify_tree_head(decode_public_key(stored.public_key_multibase), head.head)
    assert head.tree_size == 3 and head.log_position == 3


def test_the_first_head_of_an_empty_log_is_the_empty_root(ledger: Ledger, audit: Audit) -> None:
    head = audit.refresh()
    assert (head.tree_size, head.head.root_hash) == (0, EMPTY_ROOT)
    assert verify_tree_head(audit.heads.public_key(), head.head)


def test_a_head_is_due_after_n_events_or_n_seconds(ledger: Ledger, store: ProjectionStore) -> None:
    clock = Clock()
    audit = Audit(ledger, store, policy=HeadPolicy(every_seconds=60, every_events=3), clock=clock)
    grant_tokens(ledger, 1)
    assert audit.refresh().tree_size == 1  # the first one is always due
    grant_tokens(ledger, 2)
    assert audit.refresh().tree_size == 1  # 2 events, 0 s: not yet
    grant_tokens(ledger, 1)
    assert audit.refresh().tree_size == 4  # 3 events
    grant_tokens(ledger, 1)
    clock.now += 59_999
    assert audit.refresh().tree_size == 4
    clock.now += 1
    assert audit.refresh().tree_size == 5  # 60 s
    assert audit.publish(force=True) is None  # nothing new to sign, even when forced
    assert [h.tree_size for h in audit.heads.history()] == [1, 4, 5]


def test_timestamps_never_go_backwards_even_if_the_clock_does(
    ledger: Ledger, store: ProjectionStore
) -> None:
    clock = Clock()
    audit = Audit(ledger, store, clock=clock)
    grant_tokens(ledger, 1)
    first = audit.refresh()
    clock.now -= 3_600_000
    grant_tokens(ledger, 1)
    audit.catch_up()
    second = audit.publish(force=True)
    assert second is not None and second.head.timestamp >= first.head.timestamp
    assert verify_tree_head(audit.heads.public_key(), second.head)


def test_the_projection_runner_publishes_heads_after_catching_up(
    ledger: Ledger, store: ProjectionStore
) -> None:
    audit = Audit(ledger, store, policy=HeadPolicy(every_seconds=3600, every_events=2))
    runner = ProjectionRunner(ledger, store, [TransparencyLog()])
    runner.listeners.append(audit.publish_due)
    grant_tokens(ledger, 2)
    runner.catch_up()
    grant_tokens(ledger, 1)
    runner.catch_up()
    grant_tokens(ledger, 1)
    runner.catch_up()
    assert [h.tree_size for h in audit.heads.history()] == [2, 4]


def test_concurrent_publishers_sign_one_head_per_size(
    ledger: Ledger, store: ProjectionStore
) -> None:
    grant_tokens(ledger, 4)
    audits = [Audit(ledger, store) for _ in range(4)]
    audits[0].catch_up()
    errors: list[BaseException] = []

    def publish(audit: Audit) -> None:
        try:
            audit.publish(force=True)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=publish, args=(a,)) for a in audits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [h.tree_size for h in audits[0].heads.history()] == [4]


def test_heads_survive_a_rebuild_of_the_log_and_still_verify(
    ledger: Ledger, store: ProjectionStore, audit: Audit
) -> None:
    grant_tokens(ledger, 5)
    audit.refresh()
    grant_tokens(ledger, 2)
    audit.catch_up()
    audit.publish(force=True)
    ProjectionRunner(ledger, store, [TransparencyLog()]).rebuild("transparency_log")
    assert [h.tree_size for h in audit.heads.history()] == [5, 7]
    for head in audit.heads.history():
        assert TransparencyLogQuery(store).root(head.tree_size)[1] == head.head.root_hash
    assert verify_log(ledger, store).ok
