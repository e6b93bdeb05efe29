"""The HR bureau's inbox of reports (上报): a session a body reported appears with its body,
certificates, recipient and reference, linking to its page and its event history; an issuer
officer is refused."""

from __future__ import annotations

from domain.person_account import AccountRole
from tests.evaluation.matrix_support import issued
from tests.pages.pages_world import PagesWorld
from tests.pages.people import signed_in


def test_the_bureau_reads_the_reports_it_received(pages_world: PagesWorld):
    world = pages_world.world
    session_id = issued(world)["target"]
    world.ledger.evaluations.report_evaluation(
        session_id,
        reported_to="北京市朝阳区人力资源和社会保障局",
        reference="朝人社评备〔2025〕77号",
        actor="test",
    )
    hr = signed_in(
        pages_world, "reports.hr@bureau.example", AccountRole.HR_OFFICIAL, world.ids["union"]
    )
    page = hr.get("/console/reports")
    assert page.status_code == 200
    row = page.text[page.text.index(f'/console/sessions/{session_id}"') :]
    row = row[: row.index("</tr>")]
    assert "朝人社评备〔2025〕77号" in row and "北京市朝阳区人力资源和社会保障局" in row
    assert f"/audit?aggregate={session_id}" in row and "1 本" in row
    assert 'href="/console/reports"' in hr.get("/console").text
    assert hr.get("/console/reports?lang=en").text.count("Reports received") >= 1
    officer = signed_in(
        pages_world, "reports.officer@body.example", AccountRole.ISSUER_OFFICER, world.ids["org_a"]
    )
    assert officer.get("/console/reports").status_code == 403
