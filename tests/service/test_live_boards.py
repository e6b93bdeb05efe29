"""The live boards' one watcher, with a fake read model: each changed board is rendered once per
distinct viewer and language whatever the number of streams, resumes send the board only when
it changed since, a viewer who may not see a board gets nothing (``hidden`` once, if it had
been shown one), and streams beyond the cap are refused."""

from __future__ import annotations

import uuid
from collections import Counter

from service.competitions.live_boards import HIDDEN, LiveBoards

BOARD = uuid.uuid4()
OTHER = uuid.uuid4()


class FakeReadModel:
    def __init__(self) -> None:
        self.position = 10
        self.changes: dict[int, uuid.UUID] = {}
        self.renders: Counter[tuple[uuid.UUID, object, str]] = Counter()
        self.hidden_from: set[object] = {"public"}
        self.unchanged_for: set[object] = set()

    def record(self, competition: uuid.UUID) -> None:
        self.position += 1
        self.changes[self.position] = competition

    def changed(self, after: int, upto: int) -> set[uuid.UUID]:
        return {c for p, c in self.changes.items() if after < p <= upto}

    def render(self, competition: uuid.UUID, viewer: object, language: str) -> str | None:
        self.renders[(competition, viewer, language)] += 1
        if viewer in self.hidden_from:
            return None
        if viewer in self.unchanged_for:
            return f"{competition}/{viewer}/{language}"
        return f"{competition}@{self.position}/{viewer}/{language}"


def hub_over(model: FakeReadModel, max_clients: int = 100) -> LiveBoards:
    return LiveBoards(
        position=lambda: model.position,
        changed=model.changed,
        render=model.render,
        max_clients=max_clients,
    )


def test_a_change_is_rendered_once_per_viewer_for_every_stream():
    model = FakeReadModel()
    hub = hub_over(model)
    streams = [hub.subscribe(BOARD, "organiser", "zh") for _ in range(50)]
    english = hub.subscribe(BOARD, "organiser", "en")
    elsewhere = hub.subscribe(OTHER, "organiser", "zh")
    assert all(s is not None for s in [*streams, english, elsewhere])
    first = [s.next(0) for s in streams if s is not None]
    assert {f for f in first} == {(10, f"{BOARD}@10/organiser/zh")}
    assert model.renders[(BOARD, "organiser", "zh")] == 1, "the first board is shared too"
    model.renders.clear()
    elsewhere.next(0)

    model.record(BOARD)
    hub.step()
    assert model.renders == Counter({(BOARD, "organiser", "zh"): 1, (BOARD, "organiser", "en"): 1})
    assert {s.next(0) for s in streams} == {(11, f"{BOARD}@11/organiser/zh")}
    assert elsewhere.next(0) is None, "a board that did not change is not sent"


def test_a_resume_gets_the_board_only_if_it_changed_since():
    model = FakeReadModel()
    hub = hub_over(model)
    watching = hub.subscribe(BOARD, "organiser", "zh")
    assert watching is not None and watching.next(0) is not None
    model.record(OTHER)
    hub.step()
    current = hub.subscribe(BOARD, "organiser", "zh", last_seen=10)
    assert current is not None and current.next(0) is None, "nothing changed since 10"
    model.record(BOARD)
    hub.step()
    assert current.next(0) == (12, f"{BOARD}@12/organiser/zh")
    stale = hub.subscribe(BOARD, "organiser", "zh", last_seen=11)
    assert stale is not None and stale.next(0) == (12, f"{BOARD}@12/organiser/zh")
    before_watching = hub.subscribe(BOARD, "organiser", "zh", last_seen=3)
    assert before_watching is not None and before_watching.next(0) is not None


def test_a_viewer_who_may_not_see_the_board_gets_nothing():
    model = FakeReadModel()
    hub = hub_over(model)
    public = hub.subscribe(BOARD, "public", "zh")
    assert public is not None and public.next(0) is None
    model.record(BOARD)
    hub.step()
    assert public.next(0) is None
    model.hidden_from.clear()  # the rule now allows it (e.g. a component locked)
    model.record(BOARD)
    hub.step()
    assert public.next(0) == (12, f"{BOARD}@12/public/zh")
    model.hidden_from.add("public")  # and no longer
    model.record(BOARD)
    hub.step()
    assert public.next(0) == (13, HIDDEN)
    model.record(BOARD)
    hub.step()
    assert public.next(0) is None, "hidden is said once"


def test_streams_beyond_the_cap_are_refused_and_a_closed_one_frees_its_place():
    model = FakeReadModel()
    hub = hub_over(model, max_clients=2)
    first = hub.subscribe(BOARD, "organiser", "zh")
    second = hub.subscribe(BOARD, "organiser", "zh")
    assert first is not None and second is not None
    assert hub.subscribe(BOARD, "organiser", "zh") is None
    hub.unsubscribe(first)
    hub.unsubscribe(first)  # twice is harmless
    assert hub.clients == 1 and hub.watches(BOARD) and not hub.watches(OTHER)
    assert hub.subscribe(OTHER, "organiser", "zh") is not None


def test_the_watcher_thread_hands_out_changes_and_stop_ends_the_streams():
    model = FakeReadModel()
    hub = hub_over(model)
    hub.poll_seconds = 0.01
    hub.start()
    try:
        stream = hub.subscribe(BOARD, "organiser", "zh")
        assert stream is not None and stream.next(1) is not None
        model.record(BOARD)
        hub.wake()
        assert stream.next(2) == (11, f"{BOARD}@11/organiser/zh")
    finally:
        hub.stop()
    assert stream.closed and stream.next(0) is None


def test_a_change_the_viewer_cannot_see_is_not_sent_again():
    model = FakeReadModel()
    model.unchanged_for.add("screen")  # e.g. marks on a component not locked yet
    hub = hub_over(model)
    screen = hub.subscribe(BOARD, "screen", "zh")
    assert screen is not None and screen.next(0) == (10, f"{BOARD}/screen/zh")
    model.record(BOARD)
    hub.step()
    assert screen.next(0) is None
    model.unchanged_for.clear()
    model.record(BOARD)
    hub.step()
    assert screen.next(0) == (12, f"{BOARD}@12/screen/zh")
