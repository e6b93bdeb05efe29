"""The judge's marking page (/judge) through the Flask test client: a judge signs in to their
one competition, marks only the components their panel names, always under their own name,
sees only their own marks until the lock, submits (已提交), and is refused beside the field."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from flask.testing import FlaskClient

from domain.person_account import AccountRole
from tests.pages.pages_world import PagesWorld, competition, csrf_of
from tests.pages.people import PASSWORD, sign_in, signed_in
from tests.support.api_world import unique


def judge_of(pages_world: PagesWorld, competition_id: UUID, name: str) -> tuple[str, FlaskClient]:
    """A judge's account of ``competition_id``, invitation accepted, signed in."""
    login = f"judge{unique()}@example.cn"
    accounts = pages_world.ledger.accounts
    invitation = accounts.invite_judge(competition_id, login=login, name=name, actor="test")
    accounts.accept_invitation(invitation.account.id, invitation.token, PASSWORD)
    client = pages_world.client()
    signed = sign_in(client, login)
    assert signed.status_code == 303 and signed.headers["Location"] == "/judge"
    return login, client


def panel(pages_world: PagesWorld, competition_id: UUID, component: str, **judges: str) -> None:
    """``component``'s panel: judge name -> login."""
    pages_world.ledger.competitions.assign_judges(
        competition_id,
        component=component,
        judges=[{"name": name, "login": login} for name, login in judges.items()],
        actor="test",
    )


def arena(pages_world: PagesWorld) -> tuple[UUID, list[UUID]]:
    entrants = [pages_world.world.fresh_worker(pages_world.world.ids["org_a"]) for _ in range(3)]
    return competition(pages_world.world, f"JUDGE-{unique()}", entrants), entrants


def post_mark(client: FlaskClient, base: str, worker: UUID, mark: str, **extra: str) -> Any:
    page = client.get(base)
    data = {"csrf": csrf_of(page.text), "worker_id": str(worker), "mark": mark, **extra}
    return client.post(f"{base}/marks", data=data, headers=extra.pop("headers", {}))


def test_a_judge_marks_their_component_under_their_own_name_and_submits(
    pages_world: PagesWorld,
) -> None:
    competition_id, entrants = arena(pages_world)
    login, client = judge_of(pages_world, competition_id, "王裁判")
    home = client.get("/judge")
    assert "组织者尚未把您编入" in home.text
    panel(pages_world, competition_id, "theory", 王裁判=login)
    home = client.get("/judge")
    assert home.status_code == 200 and "已评 0 / 3" in home.text
    base = f"/judge/{competition_id}/theory"
    assert f'href="{base}"' in home.text
    page = client.get(base)
    assert "参赛号 1" in page.text and "已评 0 / 3" in page.text
    assert 'inputmode="decimal"' in page.text and "disabled" in page.text  # 提交 waits

    # a form POST saves one mark, under the panel's name whatever the form says, and goes on
    saved = post_mark(client, base, entrants[0], "88.5", judge="别人")
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"{base}?at=1")
    marks = pages_world.ledger.competition(competition_id).component_marks(entrants[0], "theory")
    assert marks == {"王裁判": "88.5"}

    # the script's save answers JSON; the same mark twice is no change, a new one a correction
    answer = post_mark(client, base, entrants[1], "90", headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.json["saved"] and answer.json["marked"] == 2
    again = post_mark(client, base, entrants[1], "90.00", headers={"Accept": "application/json"})
    assert again.status_code == 200 and again.json["saved"]
    post_mark(client, base, entrants[1], "91")
    changed = pages_world.ledger.competition(competition_id)
    assert changed.component_marks(entrants[1], "theory") == {"王裁判": "91"}
    assert changed.corrections[-1]["reason"] == "裁判提交前自行更正"

    # a refusal beside the field, with its rule; the typed value kept
    bad = post_mark(client, base, entrants[2], "101")
    assert bad.status_code == 422
    assert (
        re.search(r'id="mark-error"[^>]*>[^<]*0 至 100', bad.text)
        and "<code>mark</code>" in bad.text
    )
    assert 'value="101"' in bad.text
    refused = client.post(f"{base}/submit", data={"csrf": csrf_of(client.get(base).text)})
    assert refused.status_code == 422 and "judge-marks-incomplete" in refused.text

    post_mark(client, base, entrants[2], "70")
    english = client.get(f"{base}?lang=en").text
    assert "Marked 3 / 3" in english and "Judge: 王裁判" in english and ">Submit<" in english
    table = client.get(f"{base}?view=table&lang=zh")
    assert "已评 3 / 3" in table.text and "88.5" in table.text
    submitted = client.post(f"{base}/submit", data={"csrf": csrf_of(table.text)})
    assert submitted.status_code == 303
    page = client.get(base)
    assert "已提交" in page.text and 'name="mark"' not in page.text
    late = post_mark(client, base, entrants[2], "75", headers={"Accept": "application/json"})
    assert late.status_code == 422 and late.json["rule"] == "marks-submitted"
    final = pages_world.ledger.competition(competition_id)
    assert "王裁判" in final.submitted["theory"]


def test_a_judge_sees_only_their_own_marks_until_the_component_is_locked(
    pages_world: PagesWorld,
) -> None:
    competition_id, entrants = arena(pages_world)
    login_a, judge_a = judge_of(pages_world, competition_id, "甲")
    login_b, judge_b = judge_of(pages_world, competition_id, "乙")
    panel(pages_world, competition_id, "theory", 甲=login_a, 乙=login_b)
    panel(pages_world, competition_id, "practical", 甲=login_a, 乙=login_b)
    base = f"/judge/{competition_id}/theory"
    for worker in entrants:
        post_mark(judge_b, base, worker, "77.25")
    for view in (base, f"{base}?view=table", f"{base}?at=1"):
        assert "77.25" not in judge_a.get(view).text
    for worker in entrants:
        post_mark(judge_a, base, worker, "80")
    pages_world.ledger.competitions.lock_component(competition_id, "theory", actor="test")
    locked = judge_a.get(f"{base}?view=table").text
    assert "77.25" in locked and "此项已封分" in locked and 'name="mark"' not in locked


def test_a_judge_marks_nothing_else(pages_world: PagesWorld) -> None:
    competition_id, entrants = arena(pages_world)
    other_id, _ = arena(pages_world)
    login, client = judge_of(pages_world, competition_id, "丙")
    panel(pages_world, competition_id, "theory", 丙=login)
    panel(pages_world, other_id, "theory", 丙=login)  # the same login, another competition
    assert client.get(f"/judge/{competition_id}/practical").status_code == 404
    assert client.get(f"/judge/{other_id}/theory").status_code == 404
    csrf = csrf_of(client.get(f"/judge/{competition_id}/theory").text)
    for path in (f"/judge/{competition_id}/practical", f"/judge/{other_id}/theory"):
        data = {"csrf": csrf, "worker_id": str(entrants[0]), "mark": "80"}
        assert client.post(f"{path}/marks", data=data).status_code == 404
        assert client.post(f"{path}/submit", data={"csrf": csrf}).status_code == 404
    assert pages_world.ledger.competition(other_id).marks == {}
    # the console is not theirs
    assert client.get("/console").headers["Location"] == "/judge"


def test_the_judge_page_is_for_judges(pages_world: PagesWorld) -> None:
    assert pages_world.client().get("/judge").headers["Location"].startswith("/signin")
    organiser = signed_in(
        pages_world,
        f"org{unique()}@example.cn",
        AccountRole.ORGANISER,
        pages_world.world.ids["union"],
    )
    assert organiser.get("/judge").status_code == 403
