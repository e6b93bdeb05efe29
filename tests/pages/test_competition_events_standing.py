"""A live board's stream is opened for a viewer and may stay open for minutes: an organiser
whose token is revoked (or a person deactivated) must not go on receiving the organiser's
board -- names unmasked -- until the stream's time is up. The stream ends at the next beat
or board once the viewer no longer stands; the browser reconnects as whoever it now is."""

from __future__ import annotations

import re

import requests

from domain.api_token import Role
from domain.person_account import AccountRole
from tests.pages.pages_world import PagesWorld
from tests.pages.people import PASSWORD, person
from tests.pages.sse_client import stream
from tests.pages.test_competition_events import live, signed_in  # noqa: F401 (the fixture)
from tests.support.api_world import unique


def change(world: PagesWorld, mark: str) -> None:
    """A change of the organiser's board: 裁判甲's practical mark of 赵六 corrected."""
    world.ledger.competitions.correct_mark(
        world.marking,
        worker_id=world.entrants[0],
        component="practical",
        judge="裁判甲",
        mark=mark,
        reason="录入错误",
        actor="test",
    )


def test_a_revoked_organisers_stream_gets_no_more_boards(live) -> None:  # noqa: F811
    world, url = live
    token_id, token = world.world.fresh_token(Role.ORGANISER, world.world.ids["union"])
    organiser = signed_in(url, token)
    with stream(f"{url}/competitions/{world.marking}/events", organiser) as opened:
        first = opened.next()
        assert first is not None and "赵六" in first.data  # the organiser's board
        world.ledger.tokens.revoke_token(token_id, actor="test", reason="离职")
        change(world, "71.5")
        later = opened.next(within=3)
        assert later is None or "赵六" not in later.data


def test_a_deactivated_persons_stream_gets_no_more_boards(live) -> None:  # noqa: F811
    world, url = live
    login = f"stream{unique()}@union.example"
    person(world, login, AccountRole.ORGANISER, world.world.ids["union"])
    session = requests.Session()
    form = session.get(f"{url}/signin", timeout=10).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf
    signed = session.post(
        f"{url}/signin",
        data={"csrf": csrf.group(1), "login": login, "password": PASSWORD, "code": ""},
        timeout=10,
    )
    assert signed.status_code in (200, 303)
    with stream(f"{url}/competitions/{world.marking}/events", session) as opened:
        first = opened.next()
        assert first is not None and "赵六" in first.data
        account = world.ledger.accounts.find(login)
        world.ledger.accounts.deactivate(account.id, actor="test", reason="离职")
        change(world, "72.5")
        later = opened.next(within=3)
        assert later is None or "赵六" not in later.data
