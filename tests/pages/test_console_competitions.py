"""The organiser's competitions in the console: the list shows the union's own competitions, the
overview shows the announcement and marking progress per component; another union's organiser
gets 404, an issuer officer 403, an auditor reads. Every ``/console/competitions/<id>…`` page in
the app's route table (so pages added later are covered) answers 404 to another union."""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

from werkzeug.routing import Rule

from domain.person_account import AccountRole
from tests.pages.pages_world import PagesWorld, csrf_of
from tests.pages.people import signed_in

PREFIX = "/console/competitions/<uuid:competition_id>"


def test_an_organiser_lists_and_reads_their_competitions(pages_world: PagesWorld):
    world = pages_world.world
    live = pages_world.marking
    organiser = signed_in(
        pages_world, "comp.organiser@union.example", AccountRole.ORGANISER, world.ids["union"]
    )
    listing = organiser.get("/console/competitions")
    assert listing.status_code == 200
    assert 'href="/console/competitions"' in listing.text  # in the navigation
    assert f'href="/console/competitions/{live}"' in listing.text
    overview = organiser.get(f"/console/competitions/{live}")
    assert overview.status_code == 200
    progress = re.search(r'id="component-progress">(.*?)</table>', overview.text, re.S).group(1)
    practical = re.search(r'data-component="practical">(.*?)</tr>', progress, re.S).group(1)
    assert "1 / 3 人" in practical and "未封分" in practical  # one of three entrants marked
    assert "下一步：裁判评分" in overview.text
    english = organiser.get(f"/console/competitions/{live}?lang=en")
    assert "Next: judges mark" in english.text


def test_another_union_gets_404_and_an_officer_403(pages_world: PagesWorld):
    world = pages_world.world
    live = pages_world.marking
    stranger = signed_in(
        pages_world, "comp.stranger@union.example", AccountRole.ORGANISER, world.ids["org_b"]
    )
    assert f"/console/competitions/{live}" not in stranger.get("/console/competitions").text
    assert stranger.get(f"/console/competitions/{live}").status_code == 404
    officer = signed_in(
        pages_world, "comp.officer@org.example", AccountRole.ISSUER_OFFICER, world.ids["org_a"]
    )
    assert officer.get("/console/competitions").status_code == 403
    assert officer.get(f"/console/competitions/{live}").status_code == 403
    auditor = signed_in(pages_world, "comp.auditor@audit.example", AccountRole.AUDITOR)
    assert auditor.get(f"/console/competitions/{live}").status_code == 200


def competition_rules(pages_world: PagesWorld) -> list[Rule]:
    return [
        rule for rule in pages_world.world.app.url_map.iter_rules() if rule.rule.startswith(PREFIX)
    ]


def test_every_competition_page_answers_another_union_404_and_records_nothing(
    pages_world: PagesWorld,
):
    world = pages_world.world
    live = pages_world.marking
    stranger = signed_in(
        pages_world, "comp.stranger2@union.example", AccountRole.ORGANISER, world.ids["org_b"]
    )
    csrf = csrf_of(stranger.get("/console").text)
    version = world.ledger.competition(live).version
    rules = competition_rules(pages_world)
    assert rules, "no competition pages in the route table"
    for rule in rules:
        values: dict[str, Any] = {"competition_id": live}
        for argument in rule.arguments - {"competition_id"}:
            values[argument] = uuid4() if "id" in argument else "practical"
        url = rule.build(values)[1]
        if "GET" in rule.methods:
            assert stranger.get(url).status_code == 404, url
        if "POST" in rule.methods:
            answer = stranger.post(url, data={"csrf": csrf, "reason": "x", "note": "x"})
            assert answer.status_code == 404, (url, answer.status_code)
    assert world.ledger.competition(live).version == version
