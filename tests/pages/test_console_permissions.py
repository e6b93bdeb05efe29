"""Every console page of one session, found in the app's own route table (so a page added later
is covered without editing this test): another body's officer gets 404 for each, GET and POST,
and nothing is recorded; the officer of the body gets no 404 on its GET pages."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from werkzeug.routing import Rule

from domain.person_account import AccountRole
from tests.evaluation.matrix_support import session_of
from tests.pages.pages_world import PagesWorld, csrf_of
from tests.pages.people import signed_in

SESSION_PREFIX = "/console/sessions/<uuid:session_id>"


def session_rules(pages_world: PagesWorld) -> list[Rule]:
    rules = [
        rule
        for rule in pages_world.world.app.url_map.iter_rules()
        if rule.rule.startswith(SESSION_PREFIX)
    ]
    assert len(rules) >= 10, [rule.rule for rule in rules]  # overview, plan tabs, downloads...
    return rules


def url_of(rule: Rule, session_id: Any, number: str) -> str:
    values: dict[str, Any] = {"session_id": session_id}
    for argument in rule.arguments - {"session_id"}:
        values[argument] = number if argument == "number" else uuid4()
    return rule.build(values)[1]


@pytest.fixture(scope="module")
def sessions(pages_world: PagesWorld) -> dict[str, Any]:
    world = pages_world.world
    issued = session_of(world, enrolled=1, scored=True, published=True)["target"]
    world.ledger.evaluations.confirm_evaluation(issued, actor="test")
    evaluation = world.ledger.evaluation(issued)
    number = next(c["certificate_number"] for c in evaluation.candidates.values())
    return {"issued": issued, "number": number}


def test_another_bodys_officer_gets_404_on_every_session_page(pages_world, sessions):
    world = pages_world.world
    other = signed_in(
        pages_world, "perm.other@example.cn", AccountRole.ISSUER_OFFICER, world.ids["org_b"]
    )
    csrf = csrf_of(other.get("/console").text)
    session_id = sessions["issued"]
    version = world.ledger.evaluation(session_id).version
    for rule in session_rules(pages_world):
        url = url_of(rule, session_id, sessions["number"])
        if "GET" in rule.methods:
            assert other.get(url).status_code == 404, url
        if "POST" in rule.methods:
            answer = other.post(url, data={"csrf": csrf, "reason": "x", "working_days": "5"})
            assert answer.status_code == 404, (url, answer.status_code)
    assert world.ledger.evaluation(session_id).version == version


def test_the_bodys_own_officer_reaches_every_session_page(pages_world, sessions):
    world = pages_world.world
    officer = signed_in(
        pages_world, "perm.own@example.cn", AccountRole.ISSUER_OFFICER, world.ids["org_a"]
    )
    for rule in session_rules(pages_world):
        if "GET" not in rule.methods or rule.arguments - {"session_id", "number"}:
            continue  # a job's page needs a job of this session
        url = url_of(rule, sessions["issued"], sessions["number"])
        assert officer.get(url).status_code == 200, url
