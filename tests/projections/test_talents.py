"""The talent database (人才库): every qualifying kind makes a talent, a person drops out when
nothing qualifies any more, and the filters (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from projections.pagination import InvalidQuery
from projections.talents import TalentsQuery, district_of
from tests.factories.organisations import ELECTRICIAN, WELDER
from tests.factories.people import id_number, register
from tests.projections.cast import finalise, register_entrant

REVIEWS = [
    {"review": "performance", "evidence": "2023-2024 业绩考核 优秀"},
    {"review": "defence", "evidence": "现场答辩记录 2024-11-02"},
    {"review": "comprehensive", "evidence": "综合评审委员会决议 2024-11"},
]


BYPASS = {"kind": "direct_recognition", "bypass": "direct_recognition", "evidence": "文件"}


def certify(world, worker, level, occupation=ELECTRICIAN, issuer=None):
    """A certificate at ``level`` straight away (a recorded bypass of the levels below)."""
    return world.issue(worker, level, occupation, issuer=issuer, basis=BYPASS)


@pytest.fixture
def query(store) -> TalentsQuery:
    return TalentsQuery(store)


def names(page):
    return [person["name"] for person in page.items]


def test_each_kind_of_qualification_makes_a_talent(ledger, world, runner, query):
    ladder = world.ladder()
    titled, medallist, technician, chief, senior = (
        world.worker(name) for name in ("甲荣誉", "乙奖牌", "丙技师", "丁首席", "戊高级工")
    )
    ledger.honours.award_honour(
        ladder, award_id="A1", worker_id=titled, tier="朝阳工匠", year=2024, actor="u"
    )
    competition = world.competition(year=2025)
    register_entrant(ledger, competition, medallist)
    finalise(ledger, competition, {medallist: ("90", "80")})
    certify(world, technician, "2")
    certify(world, senior, "3")  # 三级/高级工: not a talent by itself
    certify(world, chief, "1")
    ledger.posts.appoint_post(
        organisation_id=world.employer,
        worker_id=chief,
        occupation_code=ELECTRICIAN,
        post="principal",
        reviews=REVIEWS,
        actor="test",
    )
    runner.catch_up()

    page = query.search()
    assert page.extra["total"] == 4
    assert sorted(names(page)) == sorted(["甲荣誉", "乙奖牌", "丙技师", "丁首席"])
    by_name = {person["name"]: person for person in page.items}
    assert [(q["kind"], q["tier"], q["year"]) for q in by_name["甲荣誉"]["qualifications"]] == [
        ("title", "朝阳工匠", 2024)
    ]
    (medal,) = by_name["乙奖牌"]["qualifications"]
    assert (medal["kind"], medal["award"], medal["year"]) == ("medal", "gold", 2025)
    assert medal["competition_name"].startswith("朝阳区电工技能大赛")
    assert [(q["kind"], q["level"], q["post"]) for q in by_name["丁首席"]["qualifications"]] == [
        ("certificate", "1", None),
        ("post", None, "principal"),
    ]
    person = by_name["丙技师"]
    assert person["masked_id_number"].count("*") == 8
    assert person["district"] == "110105"
    assert person["employer_name"] == "北京链家"
    assert [p["name"] for p in query.search(kind="post").items] == ["丁首席"]
    assert [p["name"] for p in query.search(kind="medal").items] == ["乙奖牌"]


def test_a_person_drops_out_when_nothing_qualifies_any_more(ledger, world, runner, query):
    worker = world.worker("张技师")
    number = certify(world, worker, "2")
    runner.catch_up()
    assert names(query.search()) == ["张技师"]

    world.status(number, "suspend")
    runner.catch_up()
    assert names(query.search()) == []
    world.status(number, "reinstate")
    runner.catch_up()
    assert names(query.search()) == ["张技师"]
    world.status(number, "revoke")
    runner.catch_up()
    assert query.search().extra["total"] == 0

    ladder = world.ladder()
    ledger.honours.award_honour(
        ladder, award_id="A1", worker_id=worker, tier="朝阳能手", year=2024, actor="u"
    )
    runner.catch_up()
    assert names(query.search()) == ["张技师"]
    ledger.honours.withdraw_honour(ladder, award_id="A1", actor="u", reason="材料不实")
    runner.catch_up()
    assert names(query.search()) == []


def test_filters_on_one_fact_and_on_the_person(ledger, world, runner, query):
    ladder = world.ladder()
    beijing = world.worker("北京技师")
    outside = register(ledger, id_number(90, region="370202"), "青岛技师", employer=world.school)
    certify(world, beijing, "1")
    certify(world, outside, "2", WELDER, issuer=world.school)
    ledger.honours.award_honour(
        ladder, award_id="A1", worker_id=beijing, tier="朝阳能手", year=2021, actor="u"
    )
    runner.catch_up()
    (this_year,) = {
        q["year"]
        for person in query.search().items
        for q in person["qualifications"]
        if q["kind"] == "certificate"
    }

    assert names(query.search(level="1")) == ["北京技师"]
    assert names(query.search(level="2")) == ["青岛技师"]
    assert names(query.search(district="110105")) == ["北京技师"]
    assert names(query.search(district="37")) == ["青岛技师"]
    assert names(query.search(employer_id=world.school)) == ["青岛技师"]
    assert names(query.search(occupation=ELECTRICIAN, year=this_year)) == ["北京技师"]
    assert sorted(names(query.search(year=this_year))) == ["北京技师", "青岛技师"]
    # one fact must match every fact filter: the 2021 title is not a certificate
    assert names(query.search(kind="certificate", year=2021)) == []
    assert names(query.search(year=2021)) == ["北京技师"]
    assert names(query.search(ladder_id=ladder, tier="朝阳能手")) == ["北京技师"]
    assert names(query.search(name="青岛")) == ["青岛技师"]

    first = query.search(limit=1)
    rest = query.search(limit=1, after=first.next_cursor)
    assert len(first.items) == len(rest.items) == 1 and rest.next_cursor is None
    assert first.items[0]["worker_id"] != rest.items[0]["worker_id"]
    assert first.extra["total"] == 2

    for bad in ({"kind": "badge"}, {"level": "3"}, {"district": "北京"}):
        with pytest.raises(InvalidQuery):
            query.search(**bad)


def test_the_district_is_the_id_numbers_region():
    assert district_of("110105********123X") == "110105"
    assert district_of("H*******12") is None


def test_names_and_id_numbers_are_sealed_and_still_searched(ledger, world, fresh_store):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from projections.runner import ProjectionRunner
    from projections.talents import Talents

    store = fresh_store()
    store.use_cipher_key(AESGCM.generate_key(bit_length=256))
    for name in ("张技师", "李技师", "王技师"):
        certify(world, world.worker(name), "2")
    ProjectionRunner(ledger, store, [Talents()]).catch_up()
    with store.read() as tx:
        stored = tx.rows("SELECT name, masked_id_number FROM talent_worker")
    assert stored and not any("技师" in row[0] or "****" in row[1] for row in stored)
    query = TalentsQuery(store)
    assert names(query.search(name="李")) == ["李技师"]
    first = query.search(name="技师", limit=2)
    rest = query.search(name="技师", limit=2, after=first.next_cursor)
    assert sorted(names(first) + names(rest)) == ["张技师", "李技师", "王技师"]
    assert first.extra["total"] == 3 and rest.next_cursor is None
    assert names(query.search())[0].endswith("技师")
