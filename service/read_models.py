"""Read models "as of" a past date for queries (``?as_of=``), built on demand and kept.

A query given ``as_of`` reads the read models as they stood at the end of that day (UTC+8): the
log prefix ending at the last event recorded by then (``projections.as_of.position_at``) is
replayed into a fresh SQLite store (``projections.as_of.build_as_of``) with just the
projections the query needs. The result is a state the live projections really passed
through, never a filtered subset.

* A day that has not ended yet (``as_of`` today) reads the live read models: nothing after
  "now" exists.
* A day after today is refused (422): the ledger cannot know it.
* Builds are kept, keyed by (projections, log position), in a small LRU (``AS_OF_CACHE_SIZE``,
  default 8) under ``<data_dir>/as-of/``; another date that ends at the same position reuses
  the build. One build runs at a time; a second request for the same build waits for it.
* A build that stops on a poison event answers 503 ``read-model-unavailable``.

Stores handed to a request stay open until the request is done, even if evicted meanwhile.

``wait_for_position`` is read-your-writes: a read given a command's ``X-Log-Position`` waits (up
to ``READ_WAIT_SECONDS``) until the read models it reads have applied it. The API and the pages
both read through this module.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app

from projections.as_of import build_as_of, end_of_day, position_at
from projections.projection import Projection
from projections.store import ProjectionStore, SQLiteProjectionStore
from service.app_services import services
from service.problems import Problem, validation_problem

__all__ = [
    "AsOfReadModels",
    "ReadModelView",
    "check_as_of",
    "read_models",
    "today",
    "wait_for_position",
]

EXTENSION = "craftledger.as_of"
DEFAULT_CACHE_SIZE = 8


@dataclass
class _Build:
    store: SQLiteProjectionStore
    directory: Path
    position: int
    users: int = 0
    evicted: bool = False


@dataclass(frozen=True)
class ReadModelView:
    """Where a query reads: a store, the log position it reflects, and the ``as_of`` day asked
    for (None: now)."""

    store: ProjectionStore
    position: int
    as_of: date | None


@dataclass
class AsOfReadModels:
    """The LRU of as-of builds for one app (see the module docstring)."""

    ledger: Any
    directory: Path
    size: int = DEFAULT_CACHE_SIZE
    _builds: OrderedDict[tuple[tuple[str, ...], int], _Build] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _build_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        weakref.finalize(self, _discard_all, self._builds)

    @contextlib.contextmanager
    def view(self, projections: Callable[[], Sequence[Projection]], day: date) -> Iterator[_Build]:
        """The build of ``projections`` as of the end of ``day``, held open while in use."""
        names = tuple(sorted(p.name for p in projections()))
        position = position_at(self.ledger, end_of_day(day))
        key = (names, position)
        build = self._checkout(key)
        if build is None:
            with self._build_lock:
                build = self._checkout(key)
                if build is None:
                    build = self._build(projections, position)
                    with self._lock:
                        build.users += 1
                        self._builds[key] = build
                        self._evict()
        try:
            yield build
        finally:
            with self._lock:
                build.users -= 1
                if build.evicted and build.users == 0:
                    _discard(build)

    def _checkout(self, key: tuple[tuple[str, ...], int]) -> _Build | None:
        with self._lock:
            build = self._builds.get(key)
            if build is not None:
                self._builds.move_to_end(key)
                build.users += 1
            return build

    def _build(self, projections: Callable[[], Sequence[Projection]], position: int) -> _Build:
        directory = Path(tempfile.mkdtemp(prefix="build-", dir=self.directory))
        store = SQLiteProjectionStore(directory / "projections.sqlite3")
        try:
            built = build_as_of(self.ledger, store, projections(), position=position)
            failures = built.runner.failures()
        except Exception:
            _discard(_Build(store, directory, position))
            raise
        if failures:
            _discard(_Build(store, directory, position))
            first = failures[0]
            raise Problem(
                503,
                "read-model-unavailable",
                f"the read model {first.name} cannot be built as of that date: it stops at "
                f"position {first.position}",
            )
        return _Build(store, directory, position)

    def _evict(self) -> None:
        """Drop the least recently used builds beyond ``size`` (closed once unused)."""
        for key in list(self._builds):
            if len(self._builds) <= self.size:
                return
            build = self._builds.pop(key)
            build.evicted = True
            if build.users == 0:
                _discard(build)


def _discard(build: _Build) -> None:
    with contextlib.suppress(Exception):
        build.store.close()
    shutil.rmtree(build.directory, ignore_errors=True)


def _discard_all(builds: OrderedDict[Any, _Build]) -> None:
    for build in list(builds.values()):
        _discard(build)
    builds.clear()


def _cache() -> AsOfReadModels:
    app = current_app
    found = app.extensions.get(EXTENSION)
    if found is None:
        with _CACHE_LOCK:
            found = app.extensions.get(EXTENSION)
            if found is None:
                ledger = services().ledger
                found = AsOfReadModels(
                    ledger,
                    Path(ledger.settings.data_dir) / "as-of",
                    int(app.config.get("AS_OF_CACHE_SIZE", DEFAULT_CACHE_SIZE)),
                )
                app.extensions[EXTENSION] = found
    return found  # type: ignore[no-any-return]


_CACHE_LOCK = threading.Lock()


def today() -> date:
    return services().ledger.china_today()  # type: ignore[no-any-return]


def check_as_of(as_of: date | None, parameter: str = "as_of") -> date | None:
    """``as_of`` if it is not after today (422 otherwise)."""
    if as_of is not None and as_of > today():
        raise validation_problem(
            [
                {
                    "location": "query",
                    "parameter": parameter,
                    "detail": f"{as_of.isoformat()} is in the future; the ledger knows only "
                    "what has happened",
                }
            ]
        )
    return as_of


@contextlib.contextmanager
def read_models(
    projections: Callable[[], Sequence[Projection]],
    as_of: date | None,
    wait_for: int = 0,
) -> Iterator[ReadModelView]:
    """The store to query: live (waiting for ``wait_for`` to be applied), or a build as of the
    end of a past day."""
    as_of = check_as_of(as_of)
    names = [p.name for p in projections()]
    if as_of is None or as_of >= today():
        store = services().projection_store
        runner = services().runner
        if store is None or runner is None:
            raise Problem(503, "read-model-unavailable", "the read models are not available yet")
        wait_for_position(wait_for, names)
        yield ReadModelView(store, min(runner.position(name) for name in names), as_of)
        return
    with _cache().view(projections, as_of) as build:
        yield ReadModelView(build.store, build.position, as_of)


def wait_for_position(position: int | None, names: Sequence[str] = ("directory",)) -> None:
    """Block until the read models ``names`` have applied ``position`` (see the module
    docstring)."""
    if not position:
        return
    head = services().ledger.log_position
    # a replica behind the primary waits for what the primary has recorded (it is coming)
    if position > head and not services().ledger.settings.read_replica:
        raise validation_problem(
            [
                {
                    "location": "query",
                    "parameter": "wait_for",
                    "detail": f"position {position} is beyond the log's head ({head})",
                }
            ]
        )
    runner = services().runner
    if runner is None:
        return
    timeout = float(current_app.config.get("READ_WAIT_SECONDS", 5.0))
    if not runner.wait_for(position, timeout=timeout, names=list(names)):
        raise Problem(
            503,
            "position-not-reached",
            f"the read model has not applied position {position} within {timeout:g} s",
            headers={"Retry-After": "1"},
        )
