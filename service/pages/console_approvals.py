"""``/console/approvals``: the HR bureau's approvals queue (核准): the promotion proposals of every
finalised competition (以赛代评), each with the worker (name, masked ID number), competition,
award and rank, the rule and its explanation and the level proposed; approved (which issues the
certificate) or not approved (不予核准, with the reason), one at a time or ticked in a batch
with one reason. Decided proposals follow, the approved ones with the certificate issued.

An HR-bureau official or a platform administrator decides; an auditor reads. The commands are
``ledger.competitions.approve_promotions`` / ``reject_promotion``, as
``/api/v1/competitions/{id}/proposals/{worker}/approve`` and ``/reject``. A batch is approved
per competition all or nothing; when a competition's batch is refused, its proposals are tried
one by one so that each refusal appears beside its own row.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.competition_promotions import ProposalStatus
from domain.errors import DomainRuleViolation, InvalidValue
from domain.person_account import AccountRole
from service.app_services import caught_up, leaderboards, ledger, services
from service.competitions.approval_queue import queued_proposals
from service.pages.blueprints import render, render_error
from service.pages.console import add_console_link, console
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

READERS = frozenset({AccountRole.ADMIN, AccountRole.HR_OFFICIAL, AccountRole.AUDITOR})
DECIDERS = frozenset({AccountRole.ADMIN, AccountRole.HR_OFFICIAL})
REASON_MAX = 500
DECIDED_SHOWN = 20
BATCH_MAX = 500
ISSUED_SHOWN = 20
CERTIFICATE_NUMBER = re.compile(r"^[YS][0-9]{21}$")


def _role() -> AccountRole | None:
    person = current_person()
    return person.account.role if person is not None else None


def key_of(proposal: dict[str, Any]) -> str:
    """A proposal's form value: ``competition id:worker id``."""
    return f"{proposal['competition_id']}:{proposal['worker_id']}"


def _parse_key(value: str) -> tuple[UUID, UUID] | None:
    competition, _, worker = value.partition(":")
    try:
        return UUID(competition), UUID(worker)
    except ValueError:
        return None


def _with_worker(proposal: dict[str, Any]) -> dict[str, Any]:
    """The proposal with the worker's masked ID number (directory read model)."""
    directory = services().directory
    worker = directory.get_worker(proposal["worker_id"]) if directory is not None else None
    return {
        **proposal,
        "key": key_of(proposal),
        "masked_id_number": worker["masked_id_number"] if worker else "",
    }


def _queue_page(status: int = 200, **values: Any) -> Any:
    caught_up("leaderboard", "directory")
    found = (
        []
        if services().projection_store is None
        else queued_proposals(leaderboards().competitions, ledger().competition)
    )
    pending = [_with_worker(p) for p in found if p["status"] == ProposalStatus.PROPOSED.value]
    decided = [_with_worker(p) for p in found if p["status"] != ProposalStatus.PROPOSED.value]
    values.setdefault("errors", {})
    values.setdefault("form", {})
    approved = values.pop("approved", 0) or request.args.get("approved", 0, type=int)
    rejected = values.pop("rejected", 0) or request.args.get("rejected", 0, type=int)
    issued = values.pop("issued", None) or [
        n for n in request.args.get("issued", "").split(",") if CERTIFICATE_NUMBER.match(n)
    ]
    return render(
        "pages/console_approvals.html",
        status=status,
        title=gettext("核准晋级"),
        pending=pending,
        decided=decided[:DECIDED_SHOWN],
        may_decide=_role() in DECIDERS,
        approved=approved,
        rejected=rejected,
        issued=issued[:ISSUED_SHOWN],
        reason_max=REASON_MAX,
        **values,
    )


@console.route("/approvals", methods=["GET"])
def approvals() -> Any:
    if _role() not in READERS:
        return render_error(403, gettext("只有人社局工作人员、管理员和审计人员可以查看核准事项。"))
    return _queue_page()


def _refusal(error: DomainRuleViolation | InvalidValue) -> str:
    if isinstance(error, DomainRuleViolation):
        return gettext("未办理：%(detail)s（规则 %(rule)s）", detail=error.detail, rule=error.rule)
    return gettext("未办理：%(detail)s", detail=error.detail)


def _approve(chosen: list[tuple[UUID, UUID]], actor: str, note: str) -> dict[str, str]:
    """Approve per competition (all or nothing); a refused batch one by one. The refusals."""
    competitions = ledger().competitions
    by_competition: dict[UUID, list[UUID]] = {}
    for competition_id, worker_id in chosen:
        by_competition.setdefault(competition_id, []).append(worker_id)
    refused: dict[str, str] = {}
    for competition_id, workers in by_competition.items():
        try:
            competitions.approve_promotions(competition_id, workers, actor=actor, note=note)
            continue
        except (DomainRuleViolation, InvalidValue) as error:
            if len(workers) == 1:
                refused[f"{competition_id}:{workers[0]}"] = _refusal(error)
                continue
        for worker_id in workers:
            try:
                competitions.approve_promotions(competition_id, [worker_id], actor=actor, note=note)
            except (DomainRuleViolation, InvalidValue) as error:
                refused[f"{competition_id}:{worker_id}"] = _refusal(error)
    return refused


def _reject(chosen: list[tuple[UUID, UUID]], actor: str, reason: str) -> dict[str, str]:
    refused: dict[str, str] = {}
    for competition_id, worker_id in chosen:
        try:
            ledger().competitions.reject_promotion(
                competition_id, worker_id, reason=reason, actor=actor
            )
        except (DomainRuleViolation, InvalidValue) as error:
            refused[f"{competition_id}:{worker_id}"] = _refusal(error)
    return refused


@console.route("/approvals", methods=["POST"])
def decide_proposals() -> Any:
    person = current_person()
    if person is None or person.account.role not in DECIDERS:
        return render_error(403, gettext("只有人社局工作人员和管理员可以核准晋级。"))
    form = {
        "proposal": request.form.getlist("proposal"),
        "reason": request.form.get("reason", "").strip(),
    }
    # a row's own button decides that row only; the batch buttons the ticked rows
    if request.form.get("approve_one") or request.form.get("reject_one"):
        action = "approve" if request.form.get("approve_one") else "reject"
        form["proposal"] = [request.form.get(f"{action}_one", "")]
    else:
        action = request.form.get("action", "")
    errors: dict[str, str] = {}
    chosen = [key for key in map(_parse_key, form["proposal"][:BATCH_MAX]) if key is not None]
    if action not in ("approve", "reject"):
        errors["proposal"] = gettext("请选择核准或不予核准。")
    elif not chosen:
        errors["proposal"] = gettext("请至少勾选一项。")
    if len(form["reason"]) > REASON_MAX:
        errors["reason"] = gettext("理由最多 %(max)s 个字。", max=REASON_MAX)
    elif action == "reject" and not form["reason"]:
        errors["reason"] = gettext("不予核准须写明理由，理由会告知本人并记录在案。")
    if errors:
        return _queue_page(422, errors=errors, form=form)
    actor = person.principal.actor
    if action == "approve":
        refused = _approve(chosen, actor, form["reason"])
    else:
        refused = _reject(chosen, actor, form["reason"])
    done = len(chosen) - len(refused)
    counts = {"approved": done if action == "approve" else 0}
    counts["rejected"] = done if action == "reject" else 0
    issued = _issued(chosen, refused) if action == "approve" else []
    if refused:
        return _queue_page(422, errors={"rows": refused}, form=form, issued=issued, **counts)
    return redirect(
        url_for("console.approvals", issued=",".join(issued[:ISSUED_SHOWN]) or None, **counts),
        code=303,
    )


def _issued(chosen: list[tuple[UUID, UUID]], refused: dict[str, str]) -> list[str]:
    """The certificate numbers the approvals of ``chosen`` (but not ``refused``) issued."""
    numbers: list[str] = []
    for competition_id, worker_id in chosen:
        if f"{competition_id}:{worker_id}" not in refused:
            proposal = ledger().competition(competition_id).proposals.get(str(worker_id), {})
            if proposal.get("certificate_number"):
                numbers.append(proposal["certificate_number"])
    return numbers


add_console_link(
    "console.approvals",
    N_("核准晋级"),
    READERS,
    N_("核准或不予核准技能竞赛的晋级建议（以赛代评），查看由此签发的证书。"),
)
