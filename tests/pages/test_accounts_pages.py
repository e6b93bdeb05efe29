"""People through the real app: invitation, sign-in, lockout, TOTP, CSRF, the console, the
administration page and who is recorded as the actor."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pyotp
import pytest

from domain.person_account import AccountRole
from domain.skill_level import SkillLevel
from tests.factories.organisations import ELECTRICIAN
from tests.pages.pages_world import csrf_of
from tests.pages.people import PASSWORD, field_error, person, sign_in


def test_an_invited_officer_chooses_a_password_then_must_enrol_a_second_factor(pages_world):
    world = pages_world.world
    invitation = pages_world.ledger.accounts.invite(
        login="officer.a@example.cn",
        name="王经办",
        role=AccountRole.ISSUER_OFFICER,
        organisation_id=world.ids["org_a"],
        actor="test",
    )
    client = pages_world.client()
    path = f"/invitation/{invitation.account.id}/{invitation.token}"
    form = client.get(path)
    assert form.status_code == 200 and "王经办" in form.text
    short = client.post(
        path, data={"csrf": csrf_of(form.text), "password": "short", "repeat": "short"}
    )
    assert short.status_code == 422 and field_error(short.text, "password")
    done = client.post(
        path, data={"csrf": csrf_of(form.text), "password": PASSWORD, "repeat": PASSWORD}
    )
    assert done.status_code == 303 and done.location == "/signin?welcome=1"
    assert client.get(path).status_code == 410  # single-use
    signed = sign_in(client, "OFFICER.A@example.cn")
    assert signed.status_code == 303 and signed.location == "/console"
    assert client.get("/console").location == "/console/second-factor"
    assert client.get("/audit").location == "/signin?next=/audit"  # no power before enrolling
    page = client.get("/console/second-factor")
    started = client.post("/console/second-factor/start", data={"csrf": csrf_of(page.text)})
    assert started.status_code == 303
    page = client.get("/console/second-factor")
    assert 'src="data:image/svg+xml' in page.text
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    code = pyotp.TOTP(secret).at(pages_world.ledger.clock())
    enrolled = client.post(
        "/console/second-factor", data={"csrf": csrf_of(page.text), "code": code}
    )
    assert enrolled.status_code == 303
    dashboard = client.get("/console")
    assert dashboard.status_code == 200 and "评价批次" in dashboard.text


def test_a_post_without_the_csrf_token_is_refused(pages_world):
    person(pages_world, "csrf@example.cn")
    client = pages_world.client()
    client.get("/signin")
    refused = client.post("/signin", data={"login": "csrf@example.cn", "password": PASSWORD})
    assert refused.status_code == 400 and "表单已过期" in refused.text
    wrong = client.post(
        "/signin", data={"csrf": "forged", "login": "csrf@example.cn", "password": PASSWORD}
    )
    assert wrong.status_code == 400
    assert sign_in(client, "csrf@example.cn").status_code == 303
    assert client.post("/signout").status_code == 400
    assert client.get("/console").status_code == 200  # still signed in


def test_five_failures_lock_a_login_and_an_unknown_login_answers_alike(pages_world):
    person(pages_world, "lock@example.cn")
    answers = {}
    for login in ("lock@example.cn", "nobody.here@example.cn"):
        client = pages_world.client()
        first = sign_in(client, login, "wrong password")
        assert first.status_code == 422
        answers[login] = field_error(first.text, "password")
        for _ in range(3):
            sign_in(client, login, "wrong password")
        locked = sign_in(client, login, "wrong password")
        assert locked.status_code == 429
        assert "15 分钟" in field_error(locked.text, "login")
    assert answers["lock@example.cn"] == answers["nobody.here@example.cn"] == "登录名或密码不正确。"
    assert sign_in(pages_world.client(), "lock@example.cn").status_code == 429


def test_an_enrolled_person_needs_the_code_and_sees_only_their_bodys_sessions(pages_world):
    world, ledger = pages_world.world, pages_world.ledger
    for body, reference in ((world.ids["org_a"], "DASH-A-01"), (world.ids["org_b"], "DASH-B-01")):
        ledger.evaluations.plan_evaluation(
            body_id=body,
            reference=reference,
            occupation_code=ELECTRICIAN,
            level=SkillLevel.LEVEL_4,
            starts_on=date(2025, 7, 1),
            ends_on=date(2025, 7, 10),
            panels={"practical": ["甲", "乙", "丙"]},
            actor="test",
        )
    totp = person(
        pages_world, "dash.a@example.cn", AccountRole.ISSUER_OFFICER, world.ids["org_a"], totp=True
    )
    person(pages_world, "dash.b@example.cn", AccountRole.ISSUER_OFFICER, world.ids["org_b"])
    client = pages_world.client()
    needed = sign_in(client, "dash.a@example.cn")
    assert needed.status_code == 422 and field_error(needed.text, "code")
    assert totp is not None
    # the enrolment used this 30-second step's code; the next step's is accepted (±1 step)
    code = totp.at(ledger.clock() + timedelta(seconds=30))
    signed = sign_in(client, "dash.a@example.cn", code=code)
    assert signed.status_code == 303
    mine = client.get("/console").text
    assert "DASH-A-01" in mine and "DASH-B-01" not in mine
    assert "报名考生" in mine and "在职人员" in mine  # its next step: no candidates yet
    other = pages_world.client()
    assert sign_in(other, "dash.b@example.cn").status_code == 303
    assert client.get("/console").status_code == 200
    # dash.b has not enrolled: only the enrolment page until it does
    assert other.get("/console").location == "/console/second-factor"


def test_an_administrator_invites_and_deactivates_and_is_recorded_as_the_actor(pages_world):
    person(pages_world, "admin.one@example.cn", AccountRole.ADMIN)
    admin = pages_world.client()
    assert sign_in(admin, "admin.one@example.cn").location == "/console"
    page = admin.get("/console/people")
    assert page.status_code == 200
    missing = admin.post(
        "/console/people",
        data={
            "csrf": csrf_of(page.text),
            "name": "赵审计",
            "login": "zhao@example.cn",
            "role": "organiser",
            "organisation_id": "",
        },
    )
    assert missing.status_code == 422 and field_error(missing.text, "organisation_id")
    invited = admin.post(
        "/console/people",
        data={
            "csrf": csrf_of(page.text),
            "name": "赵审计",
            "login": "zhao@example.cn",
            "role": "auditor",
            "organisation_id": "",
        },
    )
    assert invited.status_code == 201
    link = re.search(r'id="invitation-link">([^<]+)<', invited.text).group(1)
    assert "/invitation/" in link
    account = pages_world.ledger.accounts.find("zhao@example.cn")
    admin_id = pages_world.ledger.accounts.find("admin.one@example.cn").id
    assert account.invited_by == f"admin:person:{admin_id}"
    person(pages_world, "forgetful@example.cn")
    forgetful = pages_world.ledger.accounts.find("forgetful@example.cn")
    reset = admin.post(f"/console/people/{forgetful.id}/reset", data={"csrf": csrf_of(page.text)})
    assert reset.status_code == 200
    new_link = re.search(r'id="invitation-link">([^<]+)<', reset.text).group(1)
    assert f"/invitation/{forgetful.id}/" in new_link
    assert sign_in(pages_world.client(), "forgetful@example.cn").status_code == 422
    itself = admin.post(
        f"/console/people/{admin_id}/deactivate",
        data={"csrf": csrf_of(page.text), "reason": "误操作"},
    )
    assert itself.status_code == 422 and "不能停用自己的账号" in itself.text
    deactivated = admin.post(
        f"/console/people/{account.id}/deactivate",
        data={"csrf": csrf_of(page.text), "reason": "调岗"},
    )
    assert deactivated.status_code == 200
    assert pages_world.ledger.accounts.account(account.id).deactivated
    deactivation = list(pages_world.ledger.events.get(account.id))[-1]
    assert type(deactivation).__name__ == "Deactivated"
    assert deactivation.actor == f"admin:person:{admin_id}"


def test_a_deactivated_persons_session_ends(pages_world):
    person(pages_world, "leaver@example.cn")
    client = pages_world.client()
    assert sign_in(client, "leaver@example.cn").status_code == 303
    assert client.get("/console").status_code == 200
    account = pages_world.ledger.accounts.find("leaver@example.cn")
    pages_world.ledger.accounts.deactivate(account.id, actor="test", reason="left")
    assert client.get("/console").location == "/signin?next=/console"


def test_an_auditor_is_refused_the_people_page_and_reaches_the_audit(pages_world):
    person(pages_world, "auditor.two@example.cn")
    client = pages_world.client()
    assert sign_in(client, "auditor.two@example.cn").status_code == 303
    assert client.get("/console/people").status_code == 403
    home = client.get("/console").text
    assert 'href="/audit"' in home
    assert client.get("/audit").status_code == 200


@pytest.mark.parametrize("path", ["/console", "/console/people"])
def test_the_console_sends_the_public_to_sign_in(pages_world, path):
    assert pages_world.client().get(path).location == f"/signin?next={path}"
