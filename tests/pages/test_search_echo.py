"""A name search box that is given an ID number (a natural thing to type) does not show it
back whole: the console's people searches echo what was searched for, with ID numbers masked
(the rule: ID numbers never appear unmasked anywhere)."""

from __future__ import annotations

from domain.person_account import AccountRole
from tests.pages.pages_world import PagesWorld, competition, csrf_of
from tests.pages.people import signed_in, signed_in_officer
from tests.support.api_world import unique


def test_an_id_number_searched_as_a_name_is_not_shown_back(pages_world: PagesWorld) -> None:
    world = pages_world.world
    raw = str(world.id_numbers[world.fresh_worker(world.ids["org_a"], name="蒋七庚")].reveal())
    client = signed_in(
        pages_world, f"echo{unique()}@union.example", AccountRole.ORGANISER, world.ids["union"]
    )
    path = f"/console/competitions/{competition(world, f'ECHO-{unique()}', [])}/entrants"
    page = client.get(path, query_string={"name": raw})
    assert page.status_code == 200
    assert raw not in page.text


def test_the_staff_search_does_not_show_an_id_number_back(pages_world: PagesWorld) -> None:
    world = pages_world.world
    raw = str(world.id_numbers[world.fresh_worker(world.ids["org_a"], name="沈八辛")].reveal())
    client = signed_in_officer(pages_world, f"staff{unique()}@body.example", world.ids["org_a"])
    page = client.get("/console/staff", query_string={"name": raw})
    assert page.status_code == 200
    assert raw not in page.text


def test_a_page_not_found_at_an_id_number_does_not_show_it(pages_world: PagesWorld) -> None:
    raw = str(pages_world.world.id_numbers[pages_world.world.fresh_worker()].reveal())
    client = pages_world.client()
    for path in (f"/c/{raw}", f"/c/{raw}/print", f"/s/{raw}"):
        page = client.get(path)
        assert page.status_code == 404
        assert raw not in page.text, path


def test_a_refused_panel_does_not_show_an_id_number_back(pages_world: PagesWorld) -> None:
    """The judges' form keeps what was typed on a refusal -- but an ID number typed as a
    judge's login (or name) comes back masked."""
    world = pages_world.world
    raw = str(world.id_numbers[world.fresh_worker()].reveal())
    client = signed_in(
        pages_world, f"panel{unique()}@union.example", AccountRole.ORGANISER, world.ids["union"]
    )
    path = f"/console/competitions/{competition(world, f'PANEL-{unique()}', [])}/judges"
    csrf = csrf_of(client.get(path).text)
    for lines in (f"裁判甲, {raw}\n裁判乙\n裁判丙", f"{raw}\n{raw}\n裁判丙"):
        page = client.post(path, data={"csrf": csrf, "component": "practical", "judges": lines})
        assert page.status_code == 422
        assert raw not in page.text
