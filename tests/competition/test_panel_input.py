"""A panel's bad judge is named by its place: with ten judges on a panel, "login: not an
e-mail address" does not say which one (the organiser's console and the API show the field)."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValue
from domain.organisation import OrganisationKind
from tests.competition.arena import JUDGES, ORGANISER, Arena
from tests.competition.test_api import announce, problem
from tests.support.api_world import World


@pytest.mark.parametrize(
    ("judge", "field"),
    [
        ({"name": "裁判丁", "login": "not-a-login"}, "judges/3/login"),
        ({"name": "   ", "login": "ding@example.cn"}, "judges/3/name"),
        ({"name": "", "login": None}, "judges/3/name"),
    ],
)
def test_a_bad_judge_of_a_panel_is_named_by_its_place(
    arena: Arena, judge: dict[str, object], field: str
) -> None:
    competition = arena.announce()
    judges = [{"name": name, "login": None} for name in JUDGES] + [judge]
    with pytest.raises(InvalidValue) as refused:
        arena.ledger.competitions.assign_judges(
            competition, component="practical", judges=judges, actor=ORGANISER
        )
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("judge", "component", "pointer"),
    [
        ({"name": "裁判丁", "login": "not-a-login"}, "practical", "/judges/3/login"),
        ({"name": "   "}, "practical", "/judges/3/name"),
        ({"name": "裁判丁"}, "no-such-component", "/component"),
    ],
)
def test_the_panels_api_points_at_the_bad_field(
    world: World, judge: dict[str, object], component: str, pointer: str
) -> None:
    competition = announce(world, world.fresh_employer(OrganisationKind.SOCIAL))
    judges = [{"name": name} for name in JUDGES] + [judge]
    refused = problem(
        world.call(
            "POST",
            f"/api/v1/competitions/{competition['id']}/panels",
            "organiser",
            json={"component": component, "judges": judges},
        ),
        422,
    )
    assert [error["pointer"] for error in refused["errors"]] == [pointer]
