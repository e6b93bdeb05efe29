"""A finalised competition's results to print (/competitions/{id}/results), as Excel
(results.xlsx) and its awards as PDF: who sees what follows the leaderboard's rule (the public
gets masked names and no worker ids), nothing before the results are final, no ID numbers."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from openpyxl import load_workbook

from domain.api_token import Role
from tests.factories.tokens import grant
from tests.pages.pages_world import PagesWorld, competition, sign_in


def organiser(pages_world: PagesWorld):
    client = pages_world.client()
    sign_in(client, pages_world.world.tokens["organiser"])
    return client


def workbook_rows(body: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(body), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def no_worker_ids_nor_id_numbers(pages_world: PagesWorld, text: str) -> None:
    for worker in pages_world.entrants:
        assert str(worker) not in text
        masked = pages_world.ledger.worker(worker).masked_id_number
        assert masked not in text and masked[-4:] not in text


def test_the_public_prints_the_final_results_with_masked_names(pages_world: PagesWorld):
    client = pages_world.client()
    page = client.get(f"/competitions/{pages_world.finalised}/results")
    assert page.status_code == 200
    html = page.text
    assert "成绩表（最终成绩）" in html and "print.css" in html
    assert "金牌" in html and "银牌" in html and "铜牌" in html
    assert "赵*" in html and "赵六" not in html and "公开版" in html
    assert "操作技能" in html and "标准分" in html and "700" in html
    assert ".pdf" not in html, "the public gets no award PDF links"
    no_worker_ids_nor_id_numbers(pages_world, html)
    board = client.get(f"/competitions/{pages_world.finalised}")
    assert f"/competitions/{pages_world.finalised}/results" in board.text
    english = client.get(f"/competitions/{pages_world.finalised}/results?lang=en").text
    assert "Results (final)" in english and "Gold" in english and "Practical skills" in english


def test_nothing_before_the_results_are_final(pages_world: PagesWorld):
    for client in (pages_world.client(), organiser(pages_world)):
        for suffix in ("results", "results.xlsx"):
            answer = client.get(f"/competitions/{pages_world.marking}/{suffix}")
            assert answer.status_code == 422 and "results-not-final" in answer.text, suffix


def test_a_private_board_is_not_shown_to_the_public(pages_world: PagesWorld):
    hidden = competition(pages_world.world, "PAGES-PRIVATE", pages_world.entrants)
    pages_world.ledger.competitions.choose_board_visibility(
        hidden, visibility="private", actor="test"
    )
    answer = pages_world.client().get(f"/competitions/{hidden}/results")
    assert answer.status_code == 403  # as the board (may_see_board)


def test_the_results_sheet_downloads_as_excel_masked_for_the_public(pages_world: PagesWorld):
    url = f"/competitions/{pages_world.finalised}/results.xlsx"
    public = pages_world.client().get(url)
    assert public.status_code == 200
    assert public.mimetype.endswith("spreadsheetml.sheet")
    assert "results-PAGES-FINAL.xlsx" in public.headers["Content-Disposition"]
    sheets = workbook_rows(public.data)
    assert set(sheets) == {"概况 Summary", "成绩 Results"}
    header, *rows = sheets["成绩 Results"]
    assert header[:5] == ("组别 Group", "名次 Rank", "并列 Tied", "参赛号 Entrant No.", "选手 Name")
    assert "操作技能 practical" in header and "标准分 Standardised score" in header
    assert [(row[1], row[4], row[-1]) for row in rows] == [
        (1, "赵*", "金牌 Gold medal"),
        (2, "钱*", "银牌 Silver medal"),
        (3, "孙*", "铜牌 Bronze medal"),
    ]
    total = header.index("总分 Total")
    assert rows[0][total] == 87  # a number (0.7 * 90 + 0.3 * 80), not text
    summary = dict(sheets["概况 Summary"])
    assert summary["编号 Reference"] == "PAGES-FINAL" and summary["参赛人数 Entrants ranked"] == 3
    flat = repr(sheets)
    no_worker_ids_nor_id_numbers(pages_world, flat)

    organised = workbook_rows(organiser(pages_world).get(url).data)
    assert [row[4] for row in organised["成绩 Results"][1:]] == ["赵六", "钱七", "孙八"]
    no_worker_ids_nor_id_numbers(pages_world, repr(organised))


def test_the_organiser_gets_every_award_pdf_and_a_winner_their_own(
    pages_world: PagesWorld, tmp_path: Path
):
    final, (gold, silver, _bronze) = pages_world.finalised, pages_world.entrants
    page = organiser(pages_world).get(f"/competitions/{final}/results").text
    assert "赵六" in page and f"/competitions/{final}/awards/{gold}.pdf" in page
    url = f"/competitions/{final}/awards/{silver}.pdf"
    assert pages_world.client().get(url).status_code == 401

    _, own = grant(pages_world.ledger, Role.WORKER, worker=gold)
    winner = pages_world.client()
    sign_in(winner, own)
    results = winner.get(f"/competitions/{final}/results").text
    assert f'href="/competitions/{final}/awards/{gold}.pdf"' in results
    assert winner.get(url).status_code == 403  # another's award
    answer = winner.get(f"/competitions/{final}/awards/{gold}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "PAGES-FINAL-" in answer.headers["Content-Disposition"]
    pdf = tmp_path / "gold.pdf"
    pdf.write_bytes(answer.data)
    signature = subprocess.run(["pdfsig", pdf], capture_output=True, text=True).stdout
    assert "Signature is Valid." in signature, signature
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    assert "赵六" in text and "金牌" in text
