"""``/competitions/{id}/events`` over real HTTP (werkzeug's threaded server, SQLite and
PostgreSQL): the organiser's stream gets the board at once and each change as it is recorded;
``Last-Event-ID`` resumes (nothing when nothing changed since, the board when something did);
the public gets nothing from a board the organiser keeps private (and the board once it is
public, ``hidden`` once it is private again), each component's scores once it is locked under
"public after lock", and the final board with names masked."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from domain.competition import MarkEntry
from tests.pages.pages_world import PagesWorld, build_pages_world, competition, mark
from tests.pages.sse_client import served, stream
from tests.support.api_world import build_world, running_app

LIVE = {
    "LIVE_HEARTBEAT_SECONDS": 0.3,
    "LIVE_POLL_SECONDS": 0.1,
    "LIVE_STREAM_SECONDS": 30,
}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def live(request, tmp_path_factory) -> Iterator[tuple[PagesWorld, str]]:
    with running_app(request.param, tmp_path_factory.mktemp("live"), LIVE) as (app, ledger):
        world = build_pages_world(build_world(app, ledger, request.param))
        with served(app) as url:
            yield world, url


def signed_in(url: str, token: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{url}/signin/token", timeout=10).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf
    answer = session.post(
        f"{url}/signin/token", data={"csrf": csrf.group(1), "token": token}, timeout=10
    )
    assert answer.status_code in (200, 302, 303)
    return session


def totals(board: dict) -> dict[str, object]:
    return {row["name"]: row["total"] for row in board["items"]}


def test_the_organiser_gets_the_board_and_each_change_and_resumes(live):
    world, url = live
    organiser = signed_in(url, world.world.tokens["organiser"])
    events = f"{url}/competitions/{world.marking}/events"
    with stream(events, organiser) as opened:
        first = opened.next()
        assert first is not None and first.id and first.id.isdigit()
        assert totals(first.board)["钱七"] is None and "赵六" in totals(first.board)
        mark(world.world, world.marking, world.entrants[1], "95", "90")
        changed = opened.next(within=10)
        assert changed is not None and int(changed.id) > int(first.id)
        assert totals(changed.board)["钱七"] is not None
        assert changed.board["items"][0]["name"] == "钱七"
        last = changed.id
    # Reconnecting with the last id: nothing is sent until something changes.
    with stream(events, organiser, last_event_id=last) as resumed:
        assert resumed.next(within=1.0) is None
        assert resumed.comments >= 1, "heartbeats keep the stream open"
        mark(world.world, world.marking, world.entrants[2], "60", "65")
        after = resumed.next(within=10)
        assert after is not None and int(after.id) > int(last)
        assert totals(after.board)["孙八"] is not None
    # Reconnecting with an older id: the board at once, as it is now.
    with stream(events, organiser, last_event_id=first.id) as behind:
        caught = behind.next(within=5)
        assert caught is not None and totals(caught.board)["孙八"] is not None


def test_the_public_gets_nothing_from_a_private_board_until_the_rule_allows(live):
    world, url = live
    choose = world.ledger.competitions.choose_board_visibility
    choose(world.marking, visibility="private", actor="test")
    try:
        with stream(f"{url}/competitions/{world.marking}/events") as public:
            world.ledger.competitions.record_marks(
                world.marking,
                [MarkEntry(world.entrants[0], "practical", "裁判乙", "81")],
                actor="test",
            )
            assert public.next(within=1.5) is None
            assert public.events.empty(), "not even another kind of event"
            assert public.comments >= 1
            choose(world.marking, visibility="public", actor="test")
            shown = public.next(within=5)
            assert shown is not None, "the board appears once the organiser makes it public"
            assert "赵*" in [row["name"] for row in shown.board["items"]]
            assert "赵六" not in shown.data
            choose(world.marking, visibility="private", actor="test")
            hidden = public.next("hidden", within=5)
            assert hidden is not None and int(hidden.id) > int(shown.id)
    finally:
        choose(world.marking, visibility="public-after-lock", actor="test")


def test_after_lock_the_public_gets_each_component_once_it_is_locked(live):
    world, url = live
    ledger = world.ledger
    competition_id = competition(world.world, "PAGES-LOCKS", world.entrants)
    marks = (("90", "80"), ("85", "75"), ("70", "60"))
    for worker, (practical, theory) in zip(world.entrants, marks, strict=True):
        mark(world.world, competition_id, worker, practical, theory)
    with stream(f"{url}/competitions/{competition_id}/events") as public:
        first = public.next()
        assert first is not None, "public after lock (the default): the board, blank"
        rows = first.board["items"]
        assert all(set(r["components"].values()) == {None} and r["total"] is None for r in rows)
        ledger.competitions.lock_component(competition_id, "practical", actor="test")
        locked = public.next(within=5)
        assert locked is not None and int(locked.id) > int(first.id)
        rows = locked.board["items"]
        assert all(r["components"]["practical"] is not None for r in rows)
        assert all(r["components"]["theory"] is None and r["total"] is None for r in rows)
        ledger.competitions.lock_component(competition_id, "theory", actor="test")
        both = public.next(within=5)
        assert both is not None and all(r["total"] is not None for r in both.board["items"])


def test_the_public_gets_the_final_board_with_names_masked(live):
    world, url = live
    with stream(f"{url}/competitions/{world.finalised}/events") as public:
        board = public.next()
        assert board is not None and board.board["final"] is True
        names = [row["name"] for row in board.board["items"]]
        assert "赵*" in names and "赵六" not in board.data


def test_an_unknown_competition_has_no_stream(live):
    _, url = live
    answer = requests.get(
        f"{url}/competitions/00000000-0000-4000-8000-000000000000/events", timeout=10
    )
    assert answer.status_code == 404


def test_the_big_screen_shows_the_board_in_large_type_in_both_languages(live):
    world, _ = live
    client = world.client()
    public = client.get(f"/competitions/{world.finalised}/screen?lang=zh")
    assert public.status_code == 200
    html = public.text
    assert "screen.css" in html and "screen.js" in html and "<script>" not in html
    assert "赵*" in html and "金牌" in html and "data-events-url" not in html, "final: still"
    english = client.get(f"/competitions/{world.finalised}/screen?lang=en").text
    assert "Gold" in english and "Rank" in english and 'lang="en"' in english
    marking = client.get(f"/competitions/{world.marking}/screen").text
    assert "data-events-url" in marking and "赵六" not in marking, "public after lock: masked"
