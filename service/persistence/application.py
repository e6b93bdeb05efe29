"""The one place where the ledger's Application departs from the library's defaults, for speed.

``RecordingApplication`` is ``eventsourcing``'s ``Application`` with: replay without the
library's per-event protocol checks (``aggregate_loading.project_events``), pending events
gathered the same way on save (``aggregate_loading.collect``), many aggregates loaded in a few
queries (``aggregate_loading.load_many``) and at most one snapshot per aggregate and save
(``snapshots``). Each states its measured gain where it is defined
(``benchmarks/bench_fast_paths.py``); ``tests/properties/test_persistence_fast_paths.py`` holds
each to the library's result. What is stored is exactly what the library stores.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent, Repository
from eventsourcing.persistence import PersistenceError

from service.persistence.aggregate_loading import collect, load_many, project_events
from service.persistence.snapshots import INTERVALS, LedgerSnapshot, snapshots_due

__all__ = ["LedgerRepository", "RecordingApplication"]

log = logging.getLogger(__name__)


class LedgerRepository(Repository[UUID]):
    """The library's repository, replaying with ``project_events`` (no protocol check per
    event; see ``aggregate_loading``)."""

    def get(self, aggregate_id: UUID, **kwargs: Any) -> Any:
        kwargs.setdefault("projector_func", project_events)
        return super().get(aggregate_id, **kwargs)


class RecordingApplication(Application[UUID]):
    """The library's Application with the fast paths above; everything else as the library's."""

    snapshotting_intervals = INTERVALS  # type: ignore[assignment]
    snapshot_class = LedgerSnapshot

    def construct_repository(self) -> Repository[UUID]:
        """The library's repository (configured from the environment as usual), replaying
        with ``project_events``."""
        base = super().construct_repository()
        repository = LedgerRepository(
            event_store=base.event_store,
            snapshot_store=base.snapshot_store,
            fastforward=base.fastforward,
            fastforward_skipping=base.fastforward_skipping,
            deepcopy_from_cache=base.deepcopy_from_cache,
        )
        repository.cache = base.cache
        return repository

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """``Application.save`` with the pending events gathered by ``aggregate_loading.collect``
        (no protocol checks per aggregate); recording, snapshots and notifying as the library's."""
        processing_event = collect(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, as it calls it
        return recordings

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """At most one snapshot per aggregate and save, of the state just saved, when its
        events cross a multiple of its class's interval (``snapshots``). A snapshot
        that cannot be stored is logged, not raised: the save it follows is recorded."""
        if self.snapshots is not None:
            due = snapshots_due(processing_event, self.snapshotting_intervals or {})
            if not due:
                return
            try:
                self.snapshots.put(due)
            except PersistenceError:
                # a cache: the save is recorded, so the command succeeded; loading replays more
                log.warning("snapshot of %d aggregate(s) not stored", len(due), exc_info=True)

    def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]:
        """Many aggregates in a few queries (``aggregate_loading.load_many``), by id; ids with
        no events are absent."""
        return load_many(self.recorder, self.mapper, aggregate_ids)
