"""The filing registry (备案) in the console: an HR-bureau official files a body (a refused
filing answers beside the field), amends its scope, suspends it with a reason, is refused a
transition with the rule beside the form, and the body's history shows each event with its
actor and reason; an auditor reads; an issuer officer is refused."""

from __future__ import annotations

import re
from uuid import UUID

from domain.organisation import OrganisationStatus
from domain.person_account import AccountRole
from tests.factories.organisations import ELECTRICIAN
from tests.pages.pages_world import PagesWorld, csrf_of
from tests.pages.people import signed_in
from tests.pages.test_accounts_pages import field_error

WELDER = "6-18-02-04"


def settled(pages_world: PagesWorld) -> None:
    """Let the read models reach what was just recorded."""
    runner = pages_world.world.app.extensions["craftledger"].runner
    assert runner.wait_for(pages_world.ledger.log_position, timeout=10)


def filing(csrf: str, **changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "csrf": csrf,
        "kind": "S",
        "filing_code": "BJ-CY-S-0042",
        "name": "朝阳区职业技能评价中心",
        "province_code": "11",
        "evaluator_prefix": "S000011004200",
        "scope": [f"{ELECTRICIAN}:3", f"{ELECTRICIAN}:4", f"{WELDER}:5"],
    }
    form.update(changes)
    return form


def test_an_hr_official_files_amends_and_suspends_a_body(pages_world: PagesWorld):
    ledger = pages_world.ledger
    hr = signed_in(
        pages_world,
        "bodies.hr@bureau.example",
        AccountRole.HR_OFFICIAL,
        pages_world.world.ids["union"],
    )
    registry = hr.get("/console/bodies")
    assert registry.status_code == 200 and "备案管理" in registry.text
    assert 'href="/console/bodies"' in registry.text  # in the console's navigation

    refused = hr.post(
        "/console/bodies", data=filing(csrf_of(registry.text), evaluator_prefix="Y000011004200")
    )
    assert refused.status_code == 422
    assert "prefix starts with S" in field_error(refused.text, "evaluator_prefix")
    assert 'aria-describedby="evaluator_prefix-error' in refused.text
    assert 'value="BJ-CY-S-0042"' in refused.text  # the form is kept
    blank = hr.post("/console/bodies", data=filing(csrf_of(registry.text), name="", kind=""))
    assert blank.status_code == 422
    assert field_error(blank.text, "name") and field_error(blank.text, "kind")

    filed = hr.post("/console/bodies", data=filing(csrf_of(registry.text)))
    assert filed.status_code == 303
    body_path = filed.headers["Location"].split("?")[0]
    body_id = UUID(body_path.rsplit("/", 1)[-1])
    body = ledger.organisation(body_id)
    assert body.name == "朝阳区职业技能评价中心"
    assert body.scope == {ELECTRICIAN: ["3", "4"], WELDER: ["5"]}
    assert body.filed_by.startswith("admin:person:")
    page = hr.get(filed.headers["Location"])
    assert page.status_code == 200 and "已备案" in page.text
    assert f'href="/console/keys/{body_id}"' in page.text

    again = hr.post("/console/bodies", data=filing(csrf_of(page.text)))
    assert again.status_code == 422
    assert "is taken" in field_error(again.text, "filing_code")

    settled(pages_world)
    listed = hr.get("/console/bodies?kind=S&status=active")
    assert "朝阳区职业技能评价中心" in listed.text and "BJ-CY-S-0042" in listed.text
    assert "朝阳区职业技能评价中心" not in hr.get("/console/bodies?status=suspended").text

    csrf = csrf_of(page.text)
    no_reason = hr.post(f"{body_path}/scope", data={"csrf": csrf, "scope": [f"{WELDER}:4"]})
    assert no_reason.status_code == 422 and field_error(no_reason.text, "scope-reason")
    amended = hr.post(
        f"{body_path}/scope",
        data={"csrf": csrf, "scope": [f"{WELDER}:4", f"{WELDER}:5"], "reason": "增加焊工四级"},
    )
    assert amended.status_code == 303
    assert ledger.organisation(body_id).scope == {WELDER: ["4", "5"]}

    refused = hr.post(f"{body_path}/reinstate", data={"csrf": csrf, "reason": "恢复"})
    assert refused.status_code == 422
    assert "not-suspended" in field_error(refused.text, "reinstate")
    no_reason = hr.post(f"{body_path}/suspend", data={"csrf": csrf, "reason": " "})
    assert no_reason.status_code == 422 and field_error(no_reason.text, "suspend-reason")
    suspended = hr.post(
        f"{body_path}/suspend", data={"csrf": csrf, "reason": "质量督导发现考评员不足"}
    )
    assert suspended.status_code == 303
    assert ledger.organisation(body_id).status is OrganisationStatus.SUSPENDED

    shown = hr.get(suspended.headers["Location"]).text
    assert "备案暂停" in shown
    history = re.search(r'id="body-history">(.*?)</table>', shown, re.S).group(1)
    rows = re.findall(r"<tr><td.*?</tr>", history, re.S)
    assert [re.search(r"</td><td>([^<]+)</td>", row).group(1) for row in rows] == [
        "备案",
        "启用签名密钥",
        "变更备案范围",
        "暂停备案",
    ]
    assert "增加焊工四级" in rows[2] and "质量督导发现考评员不足" in rows[3]
    assert "admin:person:" in rows[3] and "hr_official bodies" in rows[3]  # the person's name
    assert 'id="reinstate-form"' in shown and 'id="suspend-form"' not in shown


def test_a_revoked_body_refuses_a_stale_suspension_beside_the_form(pages_world: PagesWorld):
    ledger = pages_world.ledger
    body = pages_world.world.fresh_employer()
    hr = signed_in(
        pages_world,
        "bodies.revoker@bureau.example",
        AccountRole.HR_OFFICIAL,
        pages_world.world.ids["union"],
    )
    page = hr.get(f"/console/bodies/{body}")  # opened before another official revokes it
    assert 'id="suspend-form"' in page.text and 'id="revoke-form"' in page.text
    ledger.organisations.change_organisation_status(
        body, "revoke", actor="test", reason="不再具备评价条件"
    )
    stale = hr.post(
        f"/console/bodies/{body}/suspend", data={"csrf": csrf_of(page.text), "reason": "核查"}
    )
    assert stale.status_code == 422
    assert "organisation-revoked" in field_error(stale.text, "suspend")
    assert 'id="revoked-notice"' in stale.text and 'id="revoke-form"' not in stale.text
    scope = hr.post(
        f"/console/bodies/{body}/scope",
        data={"csrf": csrf_of(page.text), "scope": [f"{WELDER}:5"], "reason": "扩大范围"},
    )
    assert scope.status_code == 422
    assert "organisation-revoked" in field_error(scope.text, "scope")
    shown = hr.get(f"/console/bodies/{body}").text
    assert 'id="suspend-form"' not in shown and 'id="scope-form"' not in shown
    assert ledger.organisation(body).status is OrganisationStatus.REVOKED


def test_an_auditor_reads_and_an_officer_is_refused(pages_world: PagesWorld):
    world = pages_world.world
    body = world.ids["org_b"]
    auditor = signed_in(pages_world, "bodies.auditor@audit.example", AccountRole.AUDITOR)
    page = auditor.get(f"/console/bodies/{body}")
    assert page.status_code == 200 and "机构历史" in page.text
    assert 'id="suspend-form"' not in page.text
    refused = auditor.post(
        f"/console/bodies/{body}/suspend", data={"csrf": csrf_of(page.text), "reason": "核查"}
    )
    assert refused.status_code == 403
    officer = signed_in(
        pages_world, "bodies.officer@body.example", AccountRole.ISSUER_OFFICER, world.ids["org_a"]
    )
    assert officer.get("/console/bodies").status_code == 403
    assert officer.get(f"/console/bodies/{body}").status_code == 403
    form = officer.get("/console")
    assert officer.post("/console/bodies", data=filing(csrf_of(form.text))).status_code == 403
    assert pages_world.ledger.organisation(body).status is OrganisationStatus.ACTIVE


def test_supervision_links_a_bodys_sessions_to_their_pages_and_audit_history(
    pages_world: PagesWorld,
):
    """质量督导: from a body's page the bureau opens each session and its event history."""
    from tests.evaluation.matrix_support import session_of

    world = pages_world.world
    session_id = session_of(world, enrolled=1, scored=True)["target"]
    settled(pages_world)
    hr = signed_in(
        pages_world, "bodies.supervise@bureau.example", AccountRole.HR_OFFICIAL, world.ids["union"]
    )
    page = hr.get(f"/console/bodies/{world.ids['org_a']}").text
    assert f'href="/console/sessions/{session_id}"' in page
    audit_link = f"/audit?aggregate={session_id}"
    assert f'href="{audit_link}"' in page
    history = hr.get(audit_link)
    assert history.status_code == 200 and "ScoreRecorded" in history.text
    assert hr.get(f"/console/sessions/{session_id}").status_code == 200
    officer = signed_in(
        pages_world, "bodies.nosy@body.example", AccountRole.ISSUER_OFFICER, world.ids["org_a"]
    )
    assert officer.get(audit_link).status_code == 403  # the audit is not the body's own tool


def test_a_body_is_filed_with_its_district_filtered_by_it_and_corrected(pages_world: PagesWorld):
    ledger = pages_world.ledger
    hr = signed_in(
        pages_world,
        "district.hr@bureau.example",
        AccountRole.HR_OFFICIAL,
        pages_world.world.ids["union"],
    )
    registry = hr.get("/console/bodies")
    assert 'id="district_code"' in registry.text and 'for="district_code"' in registry.text
    csrf = csrf_of(registry.text)
    code = "BJ-CY-S-0077"
    outside = hr.post(
        "/console/bodies", data=filing(csrf, filing_code=code, district_code="310105")
    )
    assert outside.status_code == 422
    assert "district-outside-province" in field_error(outside.text, "district_code")
    assert 'aria-describedby="district_code-error district_code-hint"' in outside.text
    assert 'value="310105"' in outside.text  # the form is kept
    malformed = hr.post(
        "/console/bodies", data=filing(csrf, filing_code=code, district_code="1101")
    )
    assert malformed.status_code == 422 and "6 位数字" in field_error(
        malformed.text, "district_code"
    )

    filed = hr.post("/console/bodies", data=filing(csrf, filing_code=code, district_code="110105"))
    assert filed.status_code == 303
    body_path = filed.headers["Location"].split("?")[0]
    body_id = UUID(body_path.rsplit("/", 1)[-1])
    assert ledger.organisation(body_id).district_code == "110105"
    page = hr.get(filed.headers["Location"]).text
    assert re.search(r'id="body-district"><code>110105</code>', page)

    settled(pages_world)
    listed = hr.get("/console/bodies?district=110105").text
    assert code in listed and "<code>110105</code>" in listed
    assert code not in hr.get("/console/bodies?district=110108").text

    csrf = csrf_of(page)
    no_reason = hr.post(f"{body_path}/district", data={"csrf": csrf, "district_code": "110108"})
    assert no_reason.status_code == 422 and field_error(no_reason.text, "district-reason")
    elsewhere = hr.post(
        f"{body_path}/district", data={"csrf": csrf, "district_code": "120101", "reason": "迁址"}
    )
    assert elsewhere.status_code == 422
    assert "district-outside-province" in field_error(elsewhere.text, "district_code")
    moved = hr.post(
        f"{body_path}/district", data={"csrf": csrf, "district_code": "110108", "reason": "迁址"}
    )
    assert moved.status_code == 303
    assert ledger.organisation(body_id).district_code == "110108"
    shown = hr.get(moved.headers["Location"]).text
    assert "区县代码已记录" in shown
    history = re.search(r'id="body-history">(.*?)</table>', shown, re.S).group(1)
    assert history.count("记录区县") == 2 and "迁址" in history
