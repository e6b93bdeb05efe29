"""Live boards: ONE watcher per process follows the leaderboard read model and fans the boards
that changed out to every open stream (``GET /competitions/{id}/events``, Server-Sent Events).

::

    hub = LiveBoards(position=..., changed=..., render=..., max_clients=256)
    hub.start()                                  # the watcher thread
    subscription = hub.subscribe(competition_id, viewer, "zh", last_seen=1234)
    subscription.next(timeout=15.0)              # (position, payload) | None: None = heartbeat
    hub.unsubscribe(subscription)

The watcher wakes when the projection runner has caught up (a runner listener calls
:meth:`LiveBoards.wake`) or every ``poll_seconds``, reads the leaderboard read model's position
and, when it moved, which competitions the log recorded events of in between (``changed``).
For each such competition with open streams it renders the board ONCE per distinct (viewer,
language) -- anonymous viewers are all one viewer -- and hands the same payload to every
stream of that viewer; streams never query the database for updates. ``render`` is where the
visibility rule is called (``service.competitions.leaderboard``): None means "this viewer may
not see the board", and such a viewer is sent nothing (``hidden`` once, if it had been shown a
board before).

Event ids are read-model positions. A stream opened with ``last_seen`` (``Last-Event-ID``) gets
the board at once only if the competition changed after that position (or the watcher cannot
tell, because it started watching later); otherwise it waits for the next change. Each payload
is the whole board as the viewer may see it, so a client that missed events loses nothing.

A stream slot holds only the newest payload: a slow client skips boards it had no time to
read, never queues them. A board equal to the last one a stream was given is not sent again
(a change the viewer cannot see, e.g. a mark on a component the public sees only once locked).
At most ``max_clients`` streams are open at once (each holds a server thread);
:meth:`subscribe` answers None beyond that.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

__all__ = ["HIDDEN", "LiveBoards", "Subscription"]

log = logging.getLogger(__name__)

#: The payload that tells a stream its board is no longer shown to its viewer.
HIDDEN = ""


@dataclass(eq=False)
class Subscription:
    """One open stream: who watches which board, and the newest payload not yet sent."""

    competition_id: UUID
    viewer: Hashable
    language: str
    _latest: tuple[int, str] | None = None
    _offered: str | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    shown: bool = False
    closed: bool = False

    def offer(self, position: int, payload: str | None) -> None:
        """Replace the pending payload (None: the viewer may not see the board); a payload
        equal to the last one offered is not sent again (a change this viewer cannot see)."""
        if payload is None:
            if not self.shown:
                return
            payload = HIDDEN
        with self._lock:
            if payload == self._offered:
                return
            self._offered = payload
            self.shown = payload != HIDDEN
            self._latest = (position, payload)
        self._ready.set()

    def close(self) -> None:
        self.closed = True
        self._ready.set()

    def next(self, timeout: float) -> tuple[int, str] | None:
        """The newest payload (position, text; text ``HIDDEN`` = hide the board), or None
        after ``timeout`` seconds without one (send a heartbeat) or once closed."""
        self._ready.wait(timeout)
        with self._lock:
            self._ready.clear()
            latest, self._latest = self._latest, None
        return latest


class LiveBoards:
    """The process's one watcher and its streams (see the module docstring)."""

    def __init__(
        self,
        *,
        position: Callable[[], int],
        changed: Callable[[int, int], Iterable[UUID] | None],
        render: Callable[[UUID, Hashable, str], str | None],
        max_clients: int = 256,
        poll_seconds: float = 0.5,
    ) -> None:
        self._position_of = position
        self._changed = changed
        self._render = render
        self.max_clients = max_clients
        self.poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._streams: dict[UUID, set[Subscription]] = {}
        self._count = 0
        #: The position the watcher has handed out boards up to, and since when it has
        #: watched without a gap (changes at or before ``_since`` are unknown to it).
        self.position = 0
        self._since = 0
        self._changed_at: dict[UUID, int] = {}
        self._cache: dict[tuple[UUID, Hashable, str], tuple[int, str | None]] = {}
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.rounds = 0
        self.last_error: str | None = None

    # -- streams -----------------------------------------------------------------------------------

    @property
    def clients(self) -> int:
        return self._count

    def watches(self, competition_id: UUID) -> bool:
        """Whether some stream is open on this competition (so it exists)."""
        return competition_id in self._streams

    def subscribe(
        self, competition_id: UUID, viewer: Hashable, language: str, last_seen: int | None = None
    ) -> Subscription | None:
        """Open a stream, with the current board pending unless ``last_seen`` shows the client
        has it; None when ``max_clients`` streams are open already."""
        subscription = Subscription(competition_id, viewer, language)
        with self._lock:
            if self._count >= self.max_clients:
                return None
            self._streams.setdefault(competition_id, set()).add(subscription)
            self._count += 1
            if not self._since:
                self._since = self.position = self._position_of()
            position = self.position
            known = last_seen is not None and last_seen >= self._since
            current = known and self._changed_at.get(competition_id, 0) <= (last_seen or 0)
        if current:
            subscription.shown = True  # the client shows what it had; a later hide is sent
            subscription._offered = self._cached(competition_id, viewer, language)
        else:
            subscription.offer(position, self._rendered(competition_id, viewer, language, position))
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            streams = self._streams.get(subscription.competition_id)
            if streams is None or subscription not in streams:
                return
            streams.discard(subscription)
            self._count -= 1
            if not streams:
                del self._streams[subscription.competition_id]
                for key in [k for k in self._cache if k[0] == subscription.competition_id]:
                    del self._cache[key]

    def _cached(self, competition_id: UUID, viewer: Hashable, language: str) -> str | None:
        """The board last rendered for this viewer, if it is still current."""
        cached = self._cache.get((competition_id, viewer, language))
        if cached is not None and cached[0] >= self._changed_at.get(competition_id, 0):
            return cached[1]
        return None

    def _rendered(
        self, competition_id: UUID, viewer: Hashable, language: str, position: int
    ) -> str | None:
        key = (competition_id, viewer, language)
        cached = self._cache.get(key)
        if cached is not None and cached[0] >= self._changed_at.get(competition_id, 0):
            return cached[1]
        payload = self._render(competition_id, viewer, language)
        with self._lock:
            if competition_id in self._streams:
                self._cache[key] = (position, payload)
        return payload

    # -- the watcher -------------------------------------------------------------------------------

    def wake(self, *_: Any) -> None:
        """Look at the read model's position now (a projection-runner listener)."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="live-boards", daemon=True)
        self._thread.start()

    def end_streams(self) -> None:
        """End every stream now and stop watching (the server is stopping: the browsers
        reconnect to the next one); safe in a signal handler (it waits for nothing)."""
        self._stopping.set()
        self._wake.set()
        for streams in list(self._streams.values()):
            for subscription in list(streams):
                subscription.close()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the watcher and end every stream."""
        self.end_streams()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            try:
                self.step()
                self.last_error = None
            except Exception as error:  # keep the streams open; retry on the next wake
                self.last_error = f"{type(error).__name__}: {error}"
                log.exception("live boards: watching the leaderboard failed; retrying")

    def step(self) -> None:
        """One look at the read model: hand every changed board to its streams."""
        with self._lock:
            watched = set(self._streams)
            last = self.position
        if not watched:  # nobody listens: forget what changed, start again when someone does
            with self._lock:
                if not self._streams:
                    self._since = self.position = 0
                    self._changed_at.clear()
                    self._cache.clear()
            return
        now = self._position_of()
        if now <= last:
            return
        found = self._changed(last, now)
        changed = watched if found is None else watched & set(found)
        with self._lock:
            for competition_id in changed:
                self._changed_at[competition_id] = now
                for key in [k for k in self._cache if k[0] == competition_id]:
                    del self._cache[key]
            self.position = now
        self.rounds += 1
        for competition_id in changed:
            with self._lock:
                streams = list(self._streams.get(competition_id, ()))
            rendered: dict[tuple[Hashable, str], str | None] = {}
            for subscription in streams:
                seen_as = (subscription.viewer, subscription.language)
                if seen_as not in rendered:
                    rendered[seen_as] = self._rendered(
                        competition_id, subscription.viewer, subscription.language, now
                    )
                subscription.offer(now, rendered[seen_as])
