"""A panel's bad judge is named by its place: with ten judges on a panel, "login: not an
e-mail address" does not say which one (the organiser's console and the API show the field)."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValue
from tests.competition.arena import JUDGES, ORGANISER, Arena


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
