"""``achievement.id`` resolves: the JSON ``Achievement`` certificates embed, for machines, and a
page with the criteria for people, in Chinese and English; an unknown one is a 404 naming it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from service.credentials.jsonld_contexts import expand_strictly
from tests.pages.pages_world import PagesWorld

SCHEMA = Path(__file__).parents[1] / "credentials" / "schemas"
ACHIEVEMENT = "/achievements/6-31-01-03/2"


@pytest.fixture(scope="module")
def embedded(pages_world: PagesWorld) -> dict:
    """The achievement of a 二级 electrician certificate's credential (directly recognised)."""
    from domain.skill_level import SkillLevel
    from tests.factories.certificates import issue

    world = pages_world.world
    body = world.ids["org_a"]
    world.ledger.organisations.amend_scope(
        body, {"6-31-01-03": ["5", "4", "3", "2", "1"]}, actor="test", reason="二级"
    )
    basis = {
        "kind": "direct_recognition",
        "reference": "DR-2025-2",
        "bypass": "direct_recognition",
        "evidence": "核准 2025-2",
    }
    worker = world.fresh_worker(body)
    number = issue(world.ledger, body, worker, SkillLevel.LEVEL_2, basis)
    credential = world.ledger.credentials.certificate_credential(number)
    return credential["credentialSubject"]["achievement"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("accept", ["application/json", "application/ld+json", "*/*"])
def test_machines_get_the_achievement_the_credentials_embed(pages_world, embedded, accept):
    answer = pages_world.client().get(ACHIEVEMENT, headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.mimetype == (
        "application/json" if accept == "application/json" else "application/ld+json"
    )
    assert "Accept" in answer.headers["Vary"]
    document = answer.get_json(force=True)
    contexts = document.pop("@context")
    assert document == embedded
    assert document["id"].endswith(ACHIEVEMENT)
    assert document["achievementType"] == "Certification"
    assert "(Level 2 / Technician)" in document["name"] and "二级/技师" in document["name"]
    assert "综合评审" in document["criteria"]["narrative"]  # 二级 adds the review
    base = pages_world.ledger.credentials.credential_urls.base_url
    expand_strictly({"@context": contexts, **document}, base)


def test_the_achievement_is_an_open_badges_achievement_by_1edtechs_schema(pages_world):
    schema = json.loads((SCHEMA / "ob_v3p0_achievementcredential_schema.json").read_bytes())
    achievement = {"$ref": "#/$defs/Achievement", "$defs": schema["$defs"]}
    document = pages_world.client().get(ACHIEVEMENT, headers={"Accept": "application/json"})
    jsonschema.Draft201909Validator(achievement).validate(document.get_json())


def test_people_get_the_criteria_in_chinese_and_english(pages_world):
    client = pages_world.client()
    page = client.get(ACHIEVEMENT, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    html = page.text
    assert "电工（6-31-01-03）" in html and "二级/技师" in html
    for component in ("理论知识", "操作技能", "综合评审"):
        assert f"{component}：60 分及以上" in html
    # what the level requires: the standard's routes to apply for 二级
    assert "取得本职业或相关职业三级/高级工证书后，累计从事本职业或相关职业工作4年(含)以上" in html
    english = client.get(ACHIEVEMENT + "?lang=en", headers={"Accept": "text/html"}).text
    assert '<html lang="en">' in english and "Level 2 / Technician" in english
    assert "Comprehensive review: at least 60 of 100" in english
    assert "Who may apply" in english


def test_a_level_5_has_no_review_and_its_own_routes(pages_world):
    page = pages_world.client().get("/achievements/6-31-01-03/5").text
    assert "综合评审" not in page.split('id="assessment"')[1].split("</ul>")[0]
    assert "累计从事本职业或相关职业工作1年(含)以上" in page


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/achievements/9-99-99-99/3", "no occupation '9-99-99-99'"),
        ("/achievements/6-31-01-03/7", "no certificate level '7'"),
        ("/achievements/6-31-01-03/chief", "no certificate level 'chief'"),
        ("/achievements/4-07-03-02/5", "has no level 5"),
    ],
)
def test_an_unknown_occupation_or_level_is_a_404_naming_it(pages_world, path, named):
    client = pages_world.client()
    problem = client.get(path, headers={"Accept": "application/json"})
    assert problem.status_code == 404 and problem.mimetype == "application/problem+json"
    assert named in problem.get_json()["detail"]
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert named.replace("'", "&#39;") in page.text
