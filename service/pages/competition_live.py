"""The live board: ``/competitions/{id}/events`` (Server-Sent Events) and the venue's big screen
``/competitions/{id}/screen``.

Every open board (the competition page and the big screen, through ``static/live-board.js``)
holds one ``EventSource`` on ``/events``. The process's one watcher
(``service.competitions.live_boards.LiveBoards``, made on the first stream) follows the
leaderboard read model and pushes each changed board to the streams as an ``event: board``
whose ``id`` is the read model's position and whose data is the board as the viewer may see it
(``board()`` of ``service.pages.competition``, which calls the one visibility rule of
``service.competitions.leaderboard``). A reconnect sends ``Last-Event-ID``: the board comes at
once only if it changed since. A viewer who may not see the board gets nothing; one who could
and no longer can gets ``event: hidden``. A comment every ``LIVE_HEARTBEAT_SECONDS`` keeps
proxies from closing an idle stream (and finds closed ones); a stream ends after
``LIVE_STREAM_SECONDS`` and the browser reconnects after ``retry`` (sign-in and visibility are
checked again then).

Each stream holds a server thread (gunicorn's gthread worker): ``craftledger serve --streams N``
adds N threads for streams and allows N of them (``CRAFTLEDGER_LIVE_STREAMS``); the next one is
refused 503 with ``Retry-After``, so the other requests keep their threads
(``docs/competitions-live.md``).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from typing import Any
from uuid import UUID

from flask import Flask, Response, current_app, g, request

from service.app_services import ledger
from service.commands import NotFound
from service.competitions.leaderboard import may_see_board, sees_everything
from service.competitions.live_boards import HIDDEN, LiveBoards, Subscription
from service.config import LIVE_STREAMS_VARIABLE
from service.pages.blueprints import pages, render
from service.pages.competition import board, caught_up
from service.pages.i18n import current_language
from service.principal import Principal, current_principal
from service.problems import Problem
from service.tokens import TokenState

__all__ = ["live_boards"]

#: Streams one process holds at most unless ``LIVE_MAX_STREAMS`` or ``LIVE_STREAMS_VARIABLE``
#: (``craftledger serve --streams``) says.
DEFAULT_LIVE_STREAMS = 64
#: A window of the log longer than this is not read: every watched board is sent again.
CHANGES_READ_AT_MOST = 5000
COMPETITION_TOPICS = "craftledger:Competition."

_hub_lock = threading.Lock()


def live_boards(app: Flask | None = None) -> LiveBoards:
    """This process's watcher (made and started on first use)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    shared = app.extensions["craftledger"]
    hub: LiveBoards | None = shared.live_boards
    if hub is None:
        with _hub_lock:
            hub = shared.live_boards
            if hub is None:
                hub = _make_hub(app)
                shared.live_boards = hub
    return hub


def _make_hub(app: Flask) -> LiveBoards:
    shared = app.extensions["craftledger"]
    runner = shared.runner

    def position() -> int:
        return int(runner.position("leaderboard")) if runner is not None else 0

    def changed(after: int, upto: int) -> set[UUID] | None:
        notes = shared.ledger.recorder.select_notifications(
            start=after + 1, limit=CHANGES_READ_AT_MOST, stop=upto
        )
        if len(notes) >= CHANGES_READ_AT_MOST:
            return None
        return {
            UUID(str(note.originator_id))
            for note in notes
            if note.topic.startswith(COMPETITION_TOPICS)
        }

    def rendered(competition_id: UUID, viewer: Hashable, language: str) -> str | None:
        with app.app_context():
            g.language = language
            competition = shared.ledger.competition(competition_id)
            if not may_see_board(competition, viewer):  # type: ignore[arg-type]
                return None
            shown = board(competition, viewer, wait=False)  # type: ignore[arg-type]
            del shown["log_position"]  # the event's id says it; equal boards are then equal text
            return json.dumps(shown, ensure_ascii=False, separators=(",", ":"), default=str)

    configured = app.config.get("LIVE_MAX_STREAMS")
    hub = LiveBoards(
        position=position,
        changed=changed,
        render=rendered,
        max_clients=int(
            configured or os.environ.get(LIVE_STREAMS_VARIABLE) or DEFAULT_LIVE_STREAMS
        ),
        poll_seconds=float(app.config["LIVE_POLL_SECONDS"]),
    )
    if runner is not None:
        runner.listeners.append(hub.wake)
    hub.start()
    return hub


#: A log position as ``Last-Event-ID`` carries it: ASCII digits (``str.isdigit`` also takes
#: "²", which ``int`` refuses), not more than a 64-bit position has.
_POSITION = re.compile(r"[0-9]{1,19}")


def _last_seen() -> int | None:
    text = request.headers.get("Last-Event-ID") or request.args.get("last_event_id") or ""
    return int(text.strip()) if _POSITION.fullmatch(text.strip()) else None


def standing(principal: Principal) -> Callable[[], bool]:
    """Whether the viewer a stream was opened for still stands (checked at each beat and
    board, outside the request): a person's account still active with the same password (a
    deactivation or a new password ends their sessions), a token neither revoked nor expired;
    the public always."""
    store = ledger()
    if principal.account_id is not None:
        accounts, account_id = store.accounts, principal.account_id
        fingerprint = accounts.password_fingerprint(account_id)

        def person() -> bool:
            try:
                active = accounts.account(account_id).active
            except NotFound:
                return False
            return bool(active) and accounts.password_fingerprint(account_id) == fingerprint

        return person
    if principal.token_id is not None:
        token_id = principal.token_id

        def token() -> bool:
            try:
                grant = store.api_token(token_id)
            except NotFound:
                return False
            return store.tokens.token_state(grant) is TokenState.ACTIVE

        return token
    return lambda: True


def _stream(
    hub: LiveBoards,
    subscription: Subscription,
    config: dict[str, Any],
    stands: Callable[[], bool] = lambda: True,
) -> Iterator[str]:
    heartbeat = float(config["LIVE_HEARTBEAT_SECONDS"])
    ends = time.monotonic() + float(config["LIVE_STREAM_SECONDS"])
    try:
        yield f"retry: {int(config['LIVE_RETRY_MS'])}\n\n"
        while not subscription.closed:
            left = ends - time.monotonic()
            if left <= 0:
                return
            pending = subscription.next(min(heartbeat, left))
            if not stands():  # signed out of its rights: the browser reconnects as it now is
                return
            if pending is None:
                yield ": keep-alive\n\n"
            elif pending[1] == HIDDEN:
                yield f"id: {pending[0]}\nevent: hidden\ndata: {{}}\n\n"
            else:
                yield f"id: {pending[0]}\nevent: board\ndata: {pending[1]}\n\n"
    finally:
        hub.unsubscribe(subscription)


@pages.route("/competitions/<uuid:competition_id>/events", methods=["GET"])
def competition_events(competition_id: UUID) -> Any:
    """The board's changes as Server-Sent Events (see the module docstring)."""
    hub = live_boards()
    caught_up()  # the first board shows what was recorded before the stream opened
    if not hub.watches(competition_id):  # 404 unless it exists (a burst of reconnects loads
        ledger().competition(competition_id)  # it once, not once per stream)
    subscription = hub.subscribe(
        competition_id, current_principal(), current_language(), _last_seen()
    )
    if subscription is None:
        raise Problem(
            503,
            "too-many-streams",
            "this server holds as many live boards as it may; try again shortly",
            headers={"Retry-After": "5"},
        )
    config = dict(current_app.config)
    stands = standing(current_principal())
    response = Response(_stream(hub, subscription, config, stands), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


@pages.route("/competitions/<uuid:competition_id>/screen", methods=["GET"])
def competition_screen(competition_id: UUID) -> Any:
    """The venue's big screen: the board full-screen in large type, scrolling by itself."""
    competition = ledger().competition(competition_id)
    visible = may_see_board(competition, current_principal())
    return render(
        "pages/competition_screen.html",
        competition=competition,
        board=board(competition) if visible else None,
        privileged=sees_everything(competition, current_principal()),
        title=competition.name,
    )
