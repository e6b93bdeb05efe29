"""A finalised competition's results (成绩表) to print and to download, and its awards as PDF.

* ``/competitions/{id}/results``: the printable results sheet (``print.css``, A4 landscape),
  group by group: rank, entrant, component scores, total, standardised score, award;
* ``/competitions/{id}/results.xlsx``: the same as a workbook;
* ``/competitions/{id}/awards/{worker}.pdf``: an award as its signed PDF (获奖证书) for the
  awardee, the organising union, admins and auditors.

What a viewer sees is the leaderboard's rule (``service.competitions.results_sheet`` calls
``may_see_board``): names masked and no worker ids for the public.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.api_token import Role
from domain.errors import DomainRuleViolation
from domain.evaluation.scores import COMPONENT_NAMES_ZH
from service.app_services import ledger
from service.attachments import XLSX, attachment
from service.certificate_pdf import MissingGlyphs
from service.certificate_pdf.awards import AwardPdfs, award_pdf_name
from service.competitions.award_credentials import sees_full_award
from service.competitions.results_sheet import (
    ResultsSheet,
    results_sheet,
    results_workbook,
    results_workbook_name,
    summary_facts,
)
from service.credentials import CredentialUnavailable
from service.pages.blueprints import pages, render, render_error
from service.pages.i18n import gettext
from service.pages.labels import occupation_label
from service.principal import current_principal


def component_heading(name: str) -> str:
    """A component's column heading: 操作技能 (in the page's language) or its own name."""
    chinese = COMPONENT_NAMES_ZH.get(name)
    return gettext(chinese) if chinese else name


def own_award(sheet: ResultsSheet) -> str | None:
    """The signed-in worker's own award's PDF address, if they won one here."""
    principal = current_principal()
    if not principal.is_(Role.WORKER) or principal.worker_id is None:
        return None
    result = sheet.competition.result_of(principal.worker_id)
    if result is None or result["award"] is None:
        return None
    return award_pdf_url(sheet.competition.id, principal.worker_id)


def award_pdf_url(competition_id: UUID, worker_id: UUID | str) -> str:
    return f"/competitions/{competition_id}/awards/{worker_id}.pdf"


@pages.route("/competitions/<uuid:competition_id>/results", methods=["GET"])
def competition_results(competition_id: UUID) -> Any:
    sheet = results_sheet(ledger().competition(competition_id), current_principal())
    competition = sheet.competition
    return render(
        "pages/competition_results.html",
        competition=competition,
        sheet=sheet,
        organiser=ledger().organisation(competition.organiser_id),
        occupation=occupation_label(competition.occupation_code),
        component_heading=component_heading,
        award_pdf_url=award_pdf_url,
        own_award=own_award(sheet),
        title=gettext("%(name)s 成绩表", name=competition.name),
    )


@pages.route("/competitions/<uuid:competition_id>/results.xlsx", methods=["GET"])
def competition_results_xlsx(competition_id: UUID) -> Any:
    competition = ledger().competition(competition_id)
    sheet = results_sheet(competition, current_principal())
    body = results_workbook(sheet, summary_facts(ledger(), competition))
    return attachment(body, XLSX, results_workbook_name(competition))


@pages.route("/competitions/<uuid:competition_id>/awards/<uuid:worker_id>.pdf", methods=["GET"])
def competition_award_pdf(competition_id: UUID, worker_id: UUID) -> Any:
    competition = ledger().competition(competition_id)
    principal = current_principal()
    if not sees_full_award(competition, principal, worker_id):
        status = 401 if principal.is_public else 403
        return render_error(
            status, gettext("只有获奖者本人、组织单位、管理员和审计员可以下载获奖证书")
        )
    pdfs = AwardPdfs(ledger())
    result = pdfs.award_result(competition, worker_id)
    try:
        body = pdfs.award_pdf(competition_id, worker_id, actor=principal.actor)
    except (DomainRuleViolation, CredentialUnavailable, MissingGlyphs) as error:
        return render_error(409, gettext("暂时无法生成 PDF"), str(error))
    return attachment(body, "application/pdf", award_pdf_name(competition, result))
