"""The public 公示 page and objections, through the real app on SQLite and PostgreSQL.

A published session (National Day 2024 window, tests/factories/sessions.py) is shown to
anyone at ``/gongshi/<id>`` with masked names only; anyone may object there during the window
(CSRF token, contact, grounds with ID numbers masked before storing) and not after; the
objection reaches the body's and the HR bureau's lists, and resolving it records the outcome.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.metadata import version
from types import SimpleNamespace
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.api_token import Role
from domain.errors import DomainRuleViolation
from domain.organisation import Organisation, OrganisationKind
from domain.person_account import AccountRole
from service.app import create_app
from service.ledger import Ledger
from tests.api.test_free_text_id_numbers import stored_text
from tests.factories import CONFIRM_DAY, PUBLISH_DAY, file_employer, id_number
from tests.factories.sessions import Session, plan_session
from tests.factories.tokens import grant
from tests.pages.pages_world import csrf_of
from tests.support.clocks import SteppingClock, on_day

CSRF = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
PASSWORD = "a long enough password"
GROUNDS_ID = "110105199003070017"  # checksum-valid, so masked


@dataclass
class Gongshi:
    app: Flask
    client: FlaskClient
    session: Session
    tokens: dict[str, str]
    names: dict[str, Any]

    @property
    def path(self) -> str:
        return f"/gongshi/{self.session.evaluation_id}"

    def api(self, method: str, path: str, who: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def page(self, path: str | None = None, **kwargs: Any) -> Any:
        return self.client.get(path or self.path, **kwargs)

    def object(self, worker: Any, grounds: str, contact: str = "13800138000", **extra: Any) -> Any:
        token = CSRF.search(self.page().get_data(as_text=True))
        assert token is not None, "the form carries a CSRF token"
        form = {"csrf": token.group(1), "candidate": str(worker), "contact": contact}
        return self.client.post(
            f"{self.path}/objections", data={**form, "grounds": grounds, **extra}
        )


@contextlib.contextmanager
def make_world(ledger: Ledger, clock: SteppingClock, rate_limit: bool = False) -> Iterator[Gongshi]:
    config = {"TESTING": True, "RATELIMIT_ENABLED": rate_limit, "READ_WAIT_SECONDS": 20}
    app = create_app(config, ledger=ledger)
    try:
        session = plan_session(ledger, clock)
        names = {
            "passed": session.candidate_with("欧阳明华", theory=90, practical=85),
            "failed": session.candidate_with("李四", theory=100, practical=58),
        }
        session.publish(PUBLISH_DAY)
        on_day(clock, date(2024, 9, 30))
        tokens = {}
        for name, role, organisation in (
            ("bureau", Role.ADMIN, None),
            ("issuer", Role.ISSUER, session.body_id),
            ("other", Role.ISSUER, file_employer(ledger, code="11-Y-000009", name="别家").id),
        ):
            _, tokens[name] = grant(ledger, role, organisation=organisation, label=name)
        yield Gongshi(app, app.test_client(), session, tokens, names)
    finally:
        app.extensions["craftledger"].close()


@pytest.fixture
def world(ledger: Ledger, clock: SteppingClock) -> Iterator[Gongshi]:
    with make_world(ledger, clock) as made:
        yield made


def test_the_public_page_shows_masked_results_only(world: Gongshi) -> None:
    head = world.session.ledger.log_position
    listing = world.page("/gongshi")
    assert listing.status_code == 200
    assert world.path in listing.get_data(as_text=True)
    home = world.page("/").get_data(as_text=True)
    assert world.path in home, "the home page lists the current 公示"

    page = world.page()
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Authorization" not in page.request.headers
    for shown in ("欧*", "李*", "北京链家", "电工", "6-31-01-03", "四级/中级工", "合格", "不合格"):
        assert shown in html, shown
    assert "2024-09-27" in html and "2024-10-10" in html and "5 个工作日" in html
    calendar = world.session.evaluation.publication["calendar"]
    assert version("chinesecalendar") in calendar, "the window names its calendar's version"
    shown = f"chinesecalendar {version('chinesecalendar')}（中国大陆工作日）"
    assert f"工作日历</dt><dd>{shown}</dd>" in html, "named in Chinese, with its version"
    for hidden in ("欧阳明华", "欧阳", "李四", "85", "58", "90"):
        assert hidden not in re.sub(r"<[^>]+>|20\d\d-\d\d-\d\d", " ", html), hidden
    for worker in world.names.values():
        number = world.session.id_numbers[worker]
        assert number.reveal() not in html and number.masked not in html
        assert not re.search(r"\d{6}\*{8}", html), "no ID number, not even masked"
    english = world.page(query_string={"lang": "en"}).get_data(as_text=True)
    assert "Passed" in english and "How to object" in english
    assert world.session.ledger.log_position == head, "reading the 公示 recorded nothing"


def test_an_objection_in_the_window_is_recorded_with_id_numbers_masked(
    world: Gongshi, backend: str
) -> None:
    grounds = f"他是替考的，替考者身份证 {GROUNDS_ID}"
    answer = world.object(world.names["passed"], grounds, contact="reporter@example.cn")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    confirmation = world.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "O-1" in confirmation

    evaluation = world.session.evaluation
    objection = evaluation.objections["O-1"]
    assert objection["grounds"] == "他是替考的，替考者身份证 110105********0017"
    assert (objection["lodged_by"], objection["contact"]) == ("public", "reporter@example.cn")
    stored = stored_text(SimpleNamespace(ledger=world.session.ledger, backend=backend))
    assert "替考者身份证 110105********0017" in stored and GROUNDS_ID not in stored

    # the body and the HR bureau see it; another body does not
    head = world.session.ledger.log_position
    own = world.api(
        "GET", f"/api/v1/evaluations/{evaluation.id}/objections?wait_for={head}", "issuer"
    )
    assert own.status_code == 200, own.json
    (item,) = own.json["items"]
    assert item["contact"] == "reporter@example.cn" and GROUNDS_ID not in item["grounds"]
    assert item["candidate_name"] == "欧阳明华" and item["state"] == "open"
    sessions = world.api("GET", f"/api/v1/evaluations?wait_for={head}", "issuer").json["items"]
    assert [s["version"] for s in sessions] == [evaluation.version], "the session list moved on"
    bureau = world.api("GET", "/api/v1/objections?state=open", "bureau")
    assert [o["id"] for o in bureau.json["items"]] == ["O-1"]
    assert world.api("GET", "/api/v1/objections", "other").json["items"] == []
    assert world.client.get("/api/v1/objections").status_code == 401

    # resolving records outcome and reason, and the 公示 shows the withdrawn result
    resolved = world.api(
        "POST",
        f"/api/v1/evaluations/{evaluation.id}/objections/O-1/resolve",
        "issuer",
        json={"outcome": "upheld", "reason": "监控录像证实替考"},
    )
    assert resolved.status_code == 200, resolved.json
    position = resolved.headers["X-Log-Position"]
    after = world.api(
        "GET", f"/api/v1/objections?state=resolved&wait_for={position}", "bureau"
    ).json["items"]
    assert after[0]["resolution"] == {
        "outcome": "upheld",
        "reason": "监控录像证实替考",
        "on": "2024-09-30",
    }
    assert world.api("GET", "/api/v1/objections?state=open", "bureau").json["items"] == []
    assert "已撤销" in world.page().get_data(as_text=True)


def test_bad_input_is_explained_beside_each_field(world: Gongshi) -> None:
    answer = world.object("not-a-candidate", "  ", contact="call me")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    for field in ("candidate", "contact", "grounds"):
        assert f'id="{field}-error"' in html and f'aria-describedby="{field}' in html
    assert world.session.evaluation.objections == {}
    forged = world.client.post(
        f"{world.path}/objections",
        data={"candidate": str(world.names["passed"]), "contact": "13800138000", "grounds": "x"},
    )
    assert forged.status_code == 400 and "表单已过期" in forged.get_data(as_text=True)
    assert world.session.evaluation.objections == {}


def test_outside_the_window_the_form_is_closed(world: Gongshi) -> None:
    token = CSRF.search(world.page().get_data(as_text=True))
    assert token is not None
    on_day(world.session.clock, CONFIRM_DAY)
    page = world.page().get_data(as_text=True)
    assert "公示期已于 2024-10-10 结束" in page and 'name="grounds"' not in page
    refused = world.client.post(
        f"{world.path}/objections",
        data={
            "csrf": token.group(1),
            "candidate": str(world.names["passed"]),
            "contact": "13800138000",
            "grounds": "太晚了",
        },
    )
    assert refused.status_code == 409
    assert "公示期已于 2024-10-10 结束" in refused.get_data(as_text=True)
    assert world.session.evaluation.objections == {}
    listing = world.page("/gongshi").get_data(as_text=True)
    assert "近期已结束的公示" in listing and world.path in listing
    assert world.path not in world.page("/").get_data(as_text=True)


def test_a_signed_in_candidate_objects_to_their_own_result(world: Gongshi) -> None:
    ledger = world.session.ledger
    failed = world.names["failed"]
    _, token = grant(ledger, Role.WORKER, worker=failed, label="李四")
    signin = world.client.get("/signin/token").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', signin)
    assert csrf is not None
    world.client.post("/signin/token", data={"csrf": csrf.group(1), "token": token})
    page = world.page().get_data(as_text=True)
    assert "以考生本人身份提出" in page
    answer = world.object(failed, "实操评分有误，请复核")
    assert answer.status_code == 303
    objection = world.session.evaluation.objections["O-1"]
    assert objection["lodged_by"] == "candidate"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_objections_are_rate_limited_per_address(ledger: Ledger, clock: SteppingClock) -> None:
    with make_world(ledger, clock, rate_limit=True) as world:
        answers = [world.object(world.names["passed"], f"第 {n} 条").status_code for n in range(6)]
        assert answers == [303] * 5 + [429]
        refused = world.object(world.names["passed"], "再来一条")
        assert refused.status_code == 429
        assert "已达上限" in refused.get_data(as_text=True)
        assert "Retry-After" in refused.headers
        assert len(world.session.evaluation.objections) == 5


def test_a_social_body_shows_each_candidates_employer(ledger: Ledger, clock: SteppingClock) -> None:
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False}, ledger=ledger)
    try:
        session = plan_session(ledger, clock, kind=OrganisationKind.SOCIAL)
        employer = file_employer(
            ledger, code="11-Y-000003", prefix="Y000011000003", name="琅琊台集团"
        )
        worker = session.hire("王五", employer=employer.id)
        session.enrol(worker)
        session.score(worker, theory=80, practical=80)
        session.publish(PUBLISH_DAY)
        html = app.test_client().get(f"/gongshi/{session.evaluation_id}").get_data(as_text=True)
        assert "琅琊台集团" in html and "王*" in html and "王五" not in html
        assert id_number(session.serial).reveal() not in html
    finally:
        app.extensions["craftledger"].close()


def test_a_public_objection_names_a_phone_or_an_email(session: Session) -> None:
    worker = session.candidate_with(theory=80, practical=80)
    session.publish(PUBLISH_DAY)
    on_day(session.clock, date(2024, 9, 30))

    def lodge(contact: str) -> None:
        session.ledger.evaluations.lodge_public_objection(
            session.evaluation_id, worker_id=worker, grounds="替考", contact=contact, actor="public"
        )

    for bad in ("", "call me", "12345", "a@b", "1" * 25, "x@y.cn; DROP"):
        with pytest.raises(DomainRuleViolation) as excinfo:
            lodge(bad)
        assert excinfo.value.rule == "invalid-contact", bad
    good = ["13800138000", "+86 138-0013-8000", "(010) 6512 3456", "a.b@example.com.cn"]
    for contact in good:
        lodge(f" {contact} ")
    objections = session.evaluation.objections.values()
    assert [o["contact"] for o in objections] == good
    assert {o["lodged_by"] for o in objections} == {"public"}


def officer(world: Gongshi, login: str, role: AccountRole, organisation: Any) -> FlaskClient:
    """A person of ``role`` signed in (with a second factor where the role needs one)."""
    ledger = world.session.ledger
    invitation = ledger.accounts.invite(
        login=login, name=login[:6], role=role, organisation_id=organisation, actor="test"
    )
    ledger.accounts.accept_invitation(invitation.account.id, invitation.token, PASSWORD)
    code = ""
    if role.needs_second_factor:
        ledger.accounts.start_enrolment(invitation.account.id)
        totp = pyotp.TOTP(ledger.accounts.pending_secret(invitation.account.id))
        assert ledger.accounts.confirm_enrolment(invitation.account.id, totp.at(ledger.clock()))
        code = totp.at(ledger.clock() + timedelta(seconds=30))
    client = world.app.test_client()
    form = {"csrf": csrf_of(client.get("/signin").text), "login": login, "password": PASSWORD}
    assert client.post("/signin", data={**form, "code": code}).status_code == 303
    return client


def test_the_body_resolves_a_public_objection_in_its_console(world: Gongshi) -> None:
    assert world.object(world.names["passed"], "疑似替考", contact="13800138000").status_code == 303
    body = officer(world, "hr.a@example.cn", AccountRole.ISSUER_OFFICER, world.session.body_id)
    page = body.get("/console/objections").text
    assert "疑似替考" in page and "13800138000" in page and "欧阳明华" in page
    path = f"/console/objections/{world.session.evaluation_id}/O-1/resolve"
    csrf = csrf_of(page)
    refused = body.post(path, data={"csrf": csrf, "outcome": "upheld", "reason": " "})
    assert refused.status_code == 422 and 'id="reason-' in refused.text
    assert world.session.evaluation.objections["O-1"]["resolution"] is None
    done = body.post(path, data={"csrf": csrf, "outcome": "upheld", "reason": "监控证实替考"})
    assert done.status_code == 303
    resolution = world.session.evaluation.objections["O-1"]["resolution"]
    assert (resolution["outcome"], resolution["reason"]) == ("upheld", "监控证实替考")
    assert ":person:" in resolution["actor"]
    assert "已撤销" in world.page().text
    authority = world.session.ledger.organisations.file_organisation(
        filing_code="11-HRB-0105",
        name="朝阳区人社局",
        kind=OrganisationKind.AUTHORITY,
        province_code="11",
        actor="test:admin",
    ).aggregate.id
    bureau = officer(world, "hr.bureau@example.cn", AccountRole.HR_OFFICIAL, authority)
    listed = bureau.get("/console/objections?state=resolved").text
    assert "监控证实替考" in listed
    other = Organisation.create_id(filing_code="11-Y-000009")
    stranger = officer(world, "hr.b@example.cn", AccountRole.ISSUER_OFFICER, other)
    theirs = stranger.get("/console/objections?state=all").text
    assert "O-1" not in theirs and "疑似替考" not in theirs
    form = {"csrf": csrf_of(theirs), "outcome": "dismissed", "reason": "不是本机构的"}
    assert stranger.post(path, data=form).status_code == 403
