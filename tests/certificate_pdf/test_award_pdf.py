"""Competition awards as signed PDF (获奖证书), made like the certificates: checked with the same
independent tools (pdfsig, pdftotext, pdfdetach, pdftoppm) and ``vc verify`` on the
attachment."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from uuid import UUID

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from openpyxl import load_workbook

from domain.api_token import Role
from domain.ranking import Award
from service.app import create_app
from service.certificate_pdf.award_layout import TIER_NAMES
from service.certificate_pdf.awards import AwardPdfs
from service.cli import main
from service.ledger import Ledger
from service.pages.labels import TIER
from tests.certificate_pdf.test_certificate_pdf import SCREENSHOTS, pdfsig
from tests.competition.arena import Arena, build_arena, descending
from tests.factories.tokens import bearer, grant


@pytest.fixture
def backend() -> str:
    """SQLite only, as the certificate PDFs: nothing here depends on the store."""
    return "sqlite"


def finalised(arena: Arena, count: int = 8) -> tuple[UUID, list[UUID]]:
    """A finalised competition of ``count`` entrants, best first (gold, silver, bronze, then
    优胜奖 within the top half)."""
    field = [
        arena.worker(name)
        for name in ("王䶮", "李四", "张三", "赵六", "钱七", "孙八", "周九", "吴十")
    ][:count]
    competition = arena.announce()
    arena.run(competition, descending(field))
    return competition, field


def text_of(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def test_the_award_pdf_is_signed_by_the_organiser_and_says_what_was_won(
    ledger: Ledger, tmp_path: Path
) -> None:
    arena = build_arena(ledger)
    competition_id, field = finalised(arena)
    competition = ledger.competition(competition_id)
    pdfs = AwardPdfs(ledger)
    for worker, award in ((field[1], Award.SILVER), (field[3], Award.EXCELLENCE)):
        path = tmp_path / f"{award}.pdf"
        path.write_bytes(pdfs.award_pdf(competition_id, worker, actor="test"))
        report = pdfsig(path)
        assert "Signature Validation: Signature is Valid." in report, report
        assert "Total document signed" in report and "AwardSignature" in report
        result = competition.result_of(worker)
        assert result is not None
        text = text_of(path)
        assert "获奖证书" in text and award.name_zh in text
        assert arena.names[worker] in text and competition.name in text
        assert "省（市）级一类" in text and "焊工" in text
        assert f"第{result['rank']}名" in text and str(result["standardised"]) in text
        assert "天津市总工会" in text
        assert f"/competitions/{competition_id}/results" in "".join(text.split())  # wrapped
        masked = ledger.worker(worker).masked_id_number
        assert masked not in text and masked[-4:] not in text  # no ID number on an award
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", path,
             SCREENSHOTS / f"a00-award-pdf-{award}"],
            check=True,
        )  # fmt: skip


def test_a_name_outside_gb2312_is_printed_with_the_system_font(
    ledger: Ledger, tmp_path: Path
) -> None:
    arena = build_arena(ledger)
    competition_id, field = finalised(arena, 4)
    path = tmp_path / "gold.pdf"
    path.write_bytes(AwardPdfs(ledger).award_pdf(competition_id, field[0], actor="test"))
    assert "王䶮" in text_of(path) and "金牌" in text_of(path)


def test_the_tiers_read_as_the_pages_label_them() -> None:
    assert {tier: zh for tier, (zh, _en) in TIER_NAMES.items()} == TIER


def test_the_api_serves_the_pdf_to_the_awardee_and_the_organiser_only(make_ledger, tmp_path: Path):
    ledger = make_ledger()  # the real clock: `vc verify` checks against now
    app = create_app({"TESTING": True, "RUN_PROJECTIONS": False}, ledger=ledger)
    client: FlaskClient = app.test_client()
    arena = build_arena(ledger)
    competition_id, field = finalised(arena, 5)
    url = f"/api/v1/competitions/{competition_id}/awards/{field[0]}/pdf"
    assert client.get(url).status_code == 401
    for role, bound in (
        (Role.WORKER, {"worker": field[1]}),
        (Role.ORGANISER, {"organisation": arena.employer}),
        (Role.ISSUER, {"organisation": arena.body}),
    ):
        _, secret = grant(ledger, role, **bound)
        assert client.get(url, headers=bearer(secret)).status_code == 403, role
    _, own = grant(ledger, Role.WORKER, worker=field[0])
    answer = client.get(url, headers=bearer(own))
    assert answer.status_code == 200, answer.data
    assert answer.mimetype == "application/pdf"
    assert "-gold.pdf" in answer.headers["Content-Disposition"]
    _, organiser = grant(ledger, Role.ORGANISER, organisation=arena.union)
    no_award = f"/api/v1/competitions/{competition_id}/awards/{field[4]}/pdf"
    assert client.get(no_award, headers=bearer(organiser)).status_code == 404

    pdf = tmp_path / "award.pdf"
    pdf.write_bytes(answer.data)
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(pdf)], check=True)
    extracted = tmp_path / "credential.json"
    served = client.get(
        f"/api/v1/competitions/{competition_id}/awards/{field[0]}/credential",
        headers=bearer(organiser),
    )
    assert json.loads(extracted.read_bytes()) == served.json  # the full disclosure, as served
    union = arena.union
    files = {"did.json": f"/organisations/{union}/did.json"}
    files |= {f"{p}.json": f"/api/v1/status-lists/{union}/{p}" for p in ("message", "revocation")}
    for name, path in files.items():
        (tmp_path / name).write_bytes(client.get(path).data)
    app.extensions["craftledger"].close()
    result = CliRunner().invoke(
        main,
        [
            "vc", "verify", "--json",
            "--controller", str(tmp_path / "did.json"),
            "--status-list", str(tmp_path / "message.json"),
            "--status-list", str(tmp_path / "revocation.json"),
            str(extracted),
        ],
    )  # fmt: skip
    report = json.loads(result.output)
    assert result.exit_code == 0 and report["verified"] is True, report


def test_the_api_serves_the_results_workbook_as_the_leaderboard(ledger: Ledger) -> None:
    app = create_app({"TESTING": True, "RUN_PROJECTIONS": False}, ledger=ledger)
    client = app.test_client()
    arena = build_arena(ledger)
    competition_id, field = finalised(arena, 5)
    url = f"/api/v1/competitions/{competition_id}/results.xlsx"
    public = client.get(url)
    assert public.status_code == 200, public.data
    rows = list(load_workbook(io.BytesIO(public.data))["成绩 Results"].iter_rows(values_only=True))
    assert [row[4] for row in rows[1:]] == ["王*", "李*", "张*", "赵*", "钱*"]
    assert all(str(worker) not in repr(rows) for worker in field)
    _, organiser = grant(ledger, Role.ORGANISER, organisation=arena.union)
    full = client.get(url, headers=bearer(organiser))
    rows = list(load_workbook(io.BytesIO(full.data))["成绩 Results"].iter_rows(values_only=True))
    assert rows[1][4] == "王䶮" and rows[1][-1] == "金牌 Gold medal"
    marking = arena.announce()
    arena.enter(marking, field[:2])
    early = f"/api/v1/competitions/{marking}/results.xlsx"
    for headers in ({}, bearer(organiser)):  # the public sees the provisional board, not this
        refused = client.get(early, headers=headers)
        assert refused.status_code == 422 and refused.json["rule"] == "results-not-final"
    ledger.competitions.choose_board_visibility(marking, visibility="private", actor="test")
    assert client.get(early).status_code == 401  # as the board: nothing for the public
    app.extensions["craftledger"].close()
