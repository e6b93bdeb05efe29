"""Judging panels, judges' submissions and the provisional board's visibility through the HTTP
API (the Flask test client over the real WSGI stack), on SQLite and PostgreSQL: every refusal
is problem+json naming its rule, and the competition's JSON shows panels, submissions and the
visibility chosen."""

from __future__ import annotations

from typing import Any

from domain.organisation import OrganisationKind
from tests.competition.test_api import announce, ok, problem
from tests.factories import ELECTRICIAN
from tests.support.api_world import World

PANEL = [
    {"name": "裁判甲", "login": "Jia@Example.cn"},
    {"name": "裁判乙", "login": "138 0013 8000"},
    {"name": "裁判丙"},
]


def marks(workers: list[Any], component: str, judge: str, mark: str = "80") -> dict[str, Any]:
    return {
        "marks": [
            {"worker_id": str(w), "component": component, "judge": judge, "mark": mark}
            for w in workers
        ]
    }


def test_a_rule_set_that_does_not_cover_the_tier_is_refused_naming_the_rule(world: World):
    body_id = world.fresh_employer(OrganisationKind.SOCIAL)
    response = world.call(
        "POST",
        "/api/v1/competitions",
        "organiser",
        json={
            "reference": "CY-uncovered",
            "name": "2025年朝阳区电工技术比武",
            "tier": "district",
            "occupation_code": ELECTRICIAN,
            "exam_level": "3",
            "year": 2025,
            "region": "北京市朝阳区",
            "issuing_body_id": str(body_id),
            "marking_scheme": {
                "components": [{"name": "practical", "weight": "100", "kind": "measurement"}],
                "combination": "mean",
            },
            "promotion_rule_set": "national-2023",
        },
    )
    refused = problem(response, 422, "rule-set-does-not-cover-tier")
    assert "national-2023" in refused["detail"] and "district" in refused["detail"]


def test_panels_submissions_and_the_board_through_the_api(world: World):
    body_id = world.fresh_employer(OrganisationKind.SOCIAL)
    competition = announce(world, body_id, provisional_board="private")
    assert competition["provisional_board"] == "private"
    assert competition["panels"] == {} and competition["submitted"] == {}
    base = f"/api/v1/competitions/{competition['id']}"
    workers = [world.fresh_worker(world.ids["org_a"]) for _ in range(2)]
    entrants = [{"worker_id": str(w), "entrant_kind": "employee"} for w in workers]
    ok(world.call("POST", f"{base}/entrants", "organiser", json={"entrants": entrants}), 201)

    # the panel: logins normalised, shown to the organiser, not to the public
    assigned = ok(
        world.call(
            "POST", f"{base}/panels", "organiser", json={"component": "practical", "judges": PANEL}
        )
    )
    assert assigned["panels"] == {
        "practical": [
            {"name": "裁判甲", "login": "jia@example.cn"},
            {"name": "裁判乙", "login": "13800138000"},
            {"name": "裁判丙", "login": None},
        ]
    }
    public = ok(world.call("GET", base, "public"))
    assert [j["login"] for j in public["panels"]["practical"]] == [None, None, None]
    twice = {"component": "practical", "judges": [*PANEL, {"name": "裁判甲"}]}
    problem(world.call("POST", f"{base}/panels", "organiser", json=twice), 422, "duplicate-judge")
    small = {"component": "practical", "judges": PANEL[:2]}
    problem(world.call("POST", f"{base}/panels", "organiser", json=small), 422, "panel-too-small")
    problem(world.call("POST", f"{base}/panels", "worker", json=twice), 403)

    # only the panel marks; a judge submits once every entrant is marked, then marks no more
    stranger = marks(workers, "practical", "裁判丁")
    problem(
        world.call("POST", f"{base}/marks", "organiser", json=stranger), 422, "judge-not-assigned"
    )
    ok(
        world.call(
            "POST", f"{base}/marks", "organiser", json=marks(workers[:1], "practical", "裁判甲")
        )
    )
    submission = {"component": "practical", "judge": "裁判甲"}
    incomplete = problem(
        world.call("POST", f"{base}/submissions", "organiser", json=submission),
        422,
        "judge-marks-incomplete",
    )
    assert "entrant(s) 2" in incomplete["detail"]
    ok(
        world.call(
            "POST", f"{base}/marks", "organiser", json=marks(workers[1:], "practical", "裁判甲")
        )
    )
    submitted = ok(world.call("POST", f"{base}/submissions", "organiser", json=submission))
    assert set(submitted["submitted"]) == {"practical"}
    assert set(submitted["submitted"]["practical"]) == {"裁判甲"}
    problem(
        world.call("POST", f"{base}/submissions", "organiser", json=submission),
        422,
        "marks-already-submitted",
    )
    problem(
        world.call(
            "POST", f"{base}/marks", "organiser", json=marks(workers[:1], "practical", "裁判甲")
        ),
        422,
        "marks-submitted",
    )
    locked = world.call("POST", f"{base}/lock", "organiser", json={"component": "practical"})
    problem(locked, 422, "marks-incomplete")  # 乙 and 丙 have not marked

    # the board: private, then locked components only for the public
    problem(world.call("GET", f"{base}/leaderboard", "public"), 401)
    problem(world.call("GET", f"{base}/leaderboard", "worker"), 403)
    choice = world.call(
        "POST", f"{base}/board-visibility", "organiser", json={"visibility": "public-after-lock"}
    )
    assert ok(choice)["provisional_board"] == "public-after-lock"
    position = choice.headers["X-Log-Position"]
    board = ok(world.call("GET", f"{base}/leaderboard?wait_for={position}", "public"))
    assert [item["components"]["practical"] for item in board["items"]] == [None, None]
    problem(
        world.call(
            "POST",
            f"{base}/board-visibility",
            "organiser",
            json={"visibility": "public-after-lock"},
        ),
        422,
        "visibility-unchanged",
    )
    bad = problem(
        world.call("POST", f"{base}/board-visibility", "organiser", json={"visibility": "all"}),
        422,
    )
    assert {error["pointer"] for error in bad["errors"]} == {"/visibility"}
