"""The demo's self-evaluation sessions (企业自主评价), each told step by step on its own days.

A session is planned, its candidates enrolled on a route with evidence, scored by its
examiners, published (公示) for the working days of the calendar, objected to and answered,
confirmed with its certificates issued, and reported (上报) — as far as its ``until`` says, so
the demo holds sessions in every state. Every step first looks at what is recorded, so running
the demo again records nothing new.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.certificate import CertificateStatus
from domain.errors import DomainRuleViolation
from domain.evaluation import Evaluation, EvaluationStatus
from domain.organisation import Organisation
from domain.skill_level import SkillLevel
from service.demo.cast import (
    ACTOR,
    CARER,
    ELECTRICIAN,
    ESTATE_AGENT,
    LANGYATAI,
    LIANJIA,
    LIVE_SELLER,
    RIDER,
    SCHOOL,
    WELDER,
    DemoWorker,
    cohort,
)
from service.demo.steps import Step
from service.evaluations.imports import ImportReport
from service.ledger import Ledger

STAGES = ("planned", "scoring", "published", "issued", "reported")
REPORTED_TO = {
    LIANJIA: "北京市朝阳区人力资源和社会保障局",
    LANGYATAI: "青岛市西海岸新区人力资源和社会保障局",
    SCHOOL: "北京市朝阳区人力资源和社会保障局",
}
PRACTICAL_PANEL = ["考评员甲", "考评员乙", "考评员丙"]
REVIEW_PANEL = ["评审委员甲", "评审委员乙", "评审委员丙"]


def evidence_for(route: str, worker: DemoWorker, reference: str) -> dict[str, Any]:
    """The evidence a candidate brings for ``route`` (years, a diploma or an approval)."""
    if route.endswith("-years"):
        since = worker.employed_since or date(2019, 3, 1)
        return {"experience": [{"start": min(since, date(2016, 3, 1)).isoformat()}]}
    if route == "3-senior-technical-school":
        return {
            "diplomas": [
                {
                    "kind": "senior_technical_school",
                    "awarded_on": "2012-07-01",
                    "reference": f"技师学院毕业证书 {2012 - worker.serial % 5}届",
                }
            ]
        }
    return {"evidence_reference": f"{reference} 核准文件第{worker.serial}号"}


def score(worker: DemoWorker, component: str, level: str) -> str:
    """A deterministic score; about one candidate in ten fails a component (< 60)."""
    spread = (worker.serial * 29 + int(level) * 7 + len(component) * 11) % 44
    return str(56 + spread)


@dataclass(frozen=True)
class SessionPlan:
    """One session and how far the demo takes it (``until``: one of :data:`STAGES`)."""

    body: str
    reference: str
    occupation: str
    level: str
    route: str
    planned: date
    starts: date
    ends: date
    until: str
    candidates: Callable[[Ledger, list[DemoWorker]], list[DemoWorker]]
    publish: date | None = None
    confirm: date | None = None
    report: date | None = None
    objections: tuple[tuple[int, str, str], ...] = field(default=())
    """(candidate index, grounds, outcome or "" to leave it open)"""


def holders(body: str, start: float, stop: float, occupation: str, level: str) -> Any:
    """Candidates of ``body``'s cohort part who hold a valid ``level`` in ``occupation`` now."""

    def select(ledger: Ledger, cast: list[DemoWorker]) -> list[DemoWorker]:
        chosen = []
        for worker in cohort(cast, body, start, stop):
            held = ledger.worker(ledger.worker_id_for(worker.id_number)).certificates.values()
            if any(
                c["occupation_code"] == occupation
                and c["level"] == level
                and ledger.certificate(c["number"]).status is CertificateStatus.VALID
                for c in held
            ):
                chosen.append(worker)
        return chosen

    return select


def part(body: str, start: float, stop: float, step: int = 1) -> Any:
    return lambda ledger, cast: cohort(cast, body, start, stop, step)


def session_plans(today: date) -> list[SessionPlan]:
    """Sixteen sessions from 2022 to ``today``: most reported, the newest planned, being
    scored or in their 公示."""
    d = date
    recent = today - timedelta(days=2)
    return [
        SessionPlan(LIANJIA, "LJ-2022-EA4", ESTATE_AGENT, "4", "4-years", d(2022, 3, 1),
                    d(2022, 4, 11), d(2022, 4, 22), "reported", part(LIANJIA, 0, 0.8),
                    d(2022, 4, 26), d(2022, 5, 9), d(2022, 5, 20)),
        SessionPlan(LANGYATAI, "LYT-2022-EL4", ELECTRICIAN, "4", "4-years", d(2022, 5, 9),
                    d(2022, 6, 6), d(2022, 6, 17), "reported", part(LANGYATAI, 0, 0.75),
                    d(2022, 6, 21), d(2022, 7, 4), d(2022, 7, 15)),
        SessionPlan(SCHOOL, "XSD-2022-RD5", RIDER, "5", "5-years", d(2022, 8, 1),
                    d(2022, 9, 5), d(2022, 9, 16), "reported", part(SCHOOL, 0, 0.75),
                    d(2022, 9, 20), d(2022, 10, 10), d(2022, 10, 21)),
        SessionPlan(LIANJIA, "LJ-2023-LS5", LIVE_SELLER, "5", "5-years", d(2023, 4, 3),
                    d(2023, 5, 8), d(2023, 5, 19), "reported", part(LIANJIA, 0.5, 1),
                    d(2023, 5, 23), d(2023, 6, 5), d(2023, 6, 16)),
        SessionPlan(LANGYATAI, "LYT-2023-WE4", WELDER, "4", "4-years", d(2023, 8, 7),
                    d(2023, 9, 4), d(2023, 9, 15), "reported", part(LANGYATAI, 0.5, 1),
                    d(2023, 9, 19), d(2023, 10, 9), d(2023, 10, 20)),
        SessionPlan(SCHOOL, "XSD-2023-CA5", CARER, "5", "5-years", d(2023, 10, 9),
                    d(2023, 11, 6), d(2023, 11, 17), "reported", part(SCHOOL, 0.5, 1),
                    d(2023, 11, 21), d(2023, 12, 4), d(2023, 12, 15)),
        SessionPlan(LIANJIA, "LJ-2024-EA3", ESTATE_AGENT, "3", "3-senior-technical-school",
                    d(2024, 3, 4), d(2024, 4, 8), d(2024, 4, 19), "reported",
                    holders(LIANJIA, 0, 1, ESTATE_AGENT, "4"),
                    d(2024, 4, 23), d(2024, 5, 13), d(2024, 5, 24),
                    objections=((2, "该候选人实操考核期间请他人代为完成部分操作", "upheld"),
                                (5, "理论成绩与平时水平不符，请求复核", "dismissed"))),
        SessionPlan(SCHOOL, "XSD-2024-RD4", RIDER, "4", "4-years", d(2024, 5, 6),
                    d(2024, 6, 3), d(2024, 6, 14), "reported", part(SCHOOL, 0, 0.75),
                    d(2024, 6, 18), d(2024, 7, 1), d(2024, 7, 12)),
        SessionPlan(LANGYATAI, "LYT-2024-EL3", ELECTRICIAN, "3", "3-senior-technical-school",
                    d(2024, 9, 2), d(2024, 10, 14), d(2024, 10, 25), "reported",
                    holders(LANGYATAI, 0, 0.75, ELECTRICIAN, "4"),
                    d(2024, 10, 29), d(2024, 11, 11), d(2024, 11, 22)),
        SessionPlan(LANGYATAI, "LYT-2025-WE3", WELDER, "3", "3-senior-technical-school",
                    d(2025, 3, 3), d(2025, 4, 7), d(2025, 4, 18), "reported",
                    holders(LANGYATAI, 0.5, 1, WELDER, "4"),
                    d(2025, 4, 22), d(2025, 5, 12), d(2025, 5, 23)),
        SessionPlan(LIANJIA, "LJ-2025-EA2", ESTATE_AGENT, "2", "2-fast-track",
                    d(2025, 5, 6), d(2025, 6, 9), d(2025, 6, 20), "issued",
                    holders(LIANJIA, 0, 0.6, ESTATE_AGENT, "3"),
                    d(2025, 6, 24), d(2025, 7, 7)),
        SessionPlan(SCHOOL, "XSD-2025-RD3", RIDER, "3", "3-senior-technical-school",
                    d(2025, 8, 4), d(2025, 9, 8), d(2025, 9, 19), "reported",
                    holders(SCHOOL, 0, 0.75, RIDER, "4"),
                    d(2025, 9, 23), d(2025, 10, 13), d(2025, 10, 24)),
        SessionPlan(LANGYATAI, "LYT-2025-WE1", WELDER, "1", "1-direct-recognition",
                    d(2025, 10, 13), d(2025, 11, 3), d(2025, 11, 14), "reported",
                    holders(LANGYATAI, 0.9, 1, WELDER, "3"),
                    d(2025, 11, 18), d(2025, 12, 1), d(2025, 12, 12)),
        SessionPlan(LIANJIA, "LJ-2026-LS4", LIVE_SELLER, "4", "4-years",
                    today - timedelta(days=60), today - timedelta(days=30),
                    today - timedelta(days=10), "published", part(LIANJIA, 0.5, 0.9),
                    recent,
                    objections=((1, "该候选人工作年限材料存疑", ""),)),
        SessionPlan(LANGYATAI, "LYT-2026-EL3", ELECTRICIAN, "3", "3-senior-technical-school",
                    today - timedelta(days=40), today - timedelta(days=14),
                    today + timedelta(days=10), "scoring",
                    holders(LANGYATAI, 0, 0.75, ELECTRICIAN, "4")),
        SessionPlan(SCHOOL, "XSD-2027-CA4", CARER, "4", "4-years",
                    today - timedelta(days=5), today + timedelta(days=30),
                    today + timedelta(days=45), "planned", part(SCHOOL, 0.5, 1)),
    ]  # fmt: skip


class SessionStory:
    """Tells one session's steps on the ledger, skipping what is recorded already."""

    def __init__(
        self,
        ledger: Ledger,
        orgs: dict[str, Organisation],
        cast: list[DemoWorker],
        plan: SessionPlan,
        progress: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.ledger = ledger
        self.progress = progress
        self.plan = plan
        self.body = orgs[plan.body]
        self.cast = cast
        self.evaluation_id = Evaluation.create_id(body_id=self.body.id, reference=plan.reference)

    def steps(self) -> list[Step]:
        plan = self.plan
        reached = STAGES.index(plan.until)
        steps = [Step(plan.planned, 9, f"plan {plan.reference}", self.plan_session)]
        if reached >= STAGES.index("scoring"):
            steps.append(Step(plan.planned + timedelta(days=7), 10, "enrol", self.enrol))
            scored = plan.ends if reached > 1 else plan.starts + timedelta(days=10)
            steps.append(Step(scored, 16, "score", self.score))
        if reached >= STAGES.index("published") and plan.publish:
            steps.append(Step(plan.publish, 9, "publish", self.publish))
            for index, (candidate, grounds, outcome) in enumerate(plan.objections):
                steps.append(
                    Step(
                        plan.publish + timedelta(days=1),
                        11 + index,
                        "object",
                        lambda c=candidate, g=grounds: self.lodge(c, g),
                    )
                )
                if outcome:
                    steps.append(
                        Step(
                            plan.publish + timedelta(days=3),
                            15 + index,
                            "answer",
                            lambda n=index, o=outcome: self.answer(n, o),
                        )
                    )
        if reached >= STAGES.index("issued") and plan.confirm:
            steps.append(Step(plan.confirm, 10, "confirm", self.confirm))
        if reached >= STAGES.index("reported") and plan.report:
            steps.append(Step(plan.report, 14, "report", self.report))
        return steps

    @property
    def evaluation(self) -> Evaluation:
        return self.ledger.evaluation(self.evaluation_id)

    def plan_session(self) -> None:
        if self.ledger.exists(self.evaluation_id):
            return
        level = SkillLevel.from_code(self.plan.level)
        panels = {"practical": PRACTICAL_PANEL}
        if level in (SkillLevel.LEVEL_2, SkillLevel.LEVEL_1):
            panels["review"] = REVIEW_PANEL
        self.ledger.evaluations.plan_evaluation(
            body_id=self.body.id,
            reference=self.plan.reference,
            occupation_code=self.plan.occupation,
            level=level,
            starts_on=self.plan.starts,
            ends_on=self.plan.ends,
            panels=panels,
            actor=ACTOR,
        )

    def candidates(self) -> list[DemoWorker]:
        """The enrolled candidates, in enrolment order."""
        enrolled = self.evaluation.candidates
        by_id = {str(self.ledger.worker_id_for(w.id_number)): w for w in self.cast}
        return [by_id[key] for key in enrolled if key in by_id]

    def enrol(self) -> None:
        """Bypass candidates (破格, 直接认定) are enrolled one by one with their approval;
        everyone else from the HR department's spreadsheet (候选人名单)."""
        if self.evaluation.candidates:
            return
        level = SkillLevel.from_code(self.plan.level)
        chosen = []
        for worker in self.plan.candidates(self.ledger, self.cast):
            worker_id = self.ledger.worker_id_for(worker.id_number)
            held = self.ledger.workers.held_levels(
                self.ledger.worker(worker_id), self.plan.occupation
            )
            if not held or max(held) < level:  # else promoted meanwhile (a competition)
                chosen.append(worker)
        if self.plan.route.endswith(("fast-track", "direct-recognition")):
            for worker in chosen:
                self.ledger.evaluations.enrol_candidate(
                    self.evaluation_id,
                    worker_id=self.ledger.worker_id_for(worker.id_number),
                    route_id=self.plan.route,
                    evidence=evidence_for(self.plan.route, worker, self.plan.reference),
                    actor=ACTOR,
                )
            return
        rows = []
        for worker in chosen:
            evidence = evidence_for(self.plan.route, worker, self.plan.reference)
            diploma = (evidence.get("diplomas") or [{}])[0]
            rows.append(
                {
                    "id_number": worker.id_number.reveal(),
                    "name": worker.name,
                    "route": self.plan.route,
                    "experience_since": (evidence.get("experience") or [{}])[0].get("start", ""),
                    "diploma_kind": diploma.get("kind", ""),
                    "diploma_awarded_on": diploma.get("awarded_on", ""),
                }
            )
        self.imported(self.ledger.evaluations.import_candidates, rows)

    def imported(self, command: Callable[..., ImportReport], rows: list[dict[str, str]]) -> None:
        """Import ``rows`` as the CSV an HR officer uploads; a file with problems is a bug."""
        if not rows:
            return
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        report = command(self.evaluation_id, out.getvalue().encode(), dry_run=False, actor=ACTOR)
        if not report.recorded:
            raise RuntimeError(
                f"{self.plan.reference}: the demo's import failed: {report.as_dict()}"
            )

    def score(self) -> None:
        """The examiners' score sheet (成绩登记表), imported; a session being scored has half."""
        evaluation = self.evaluation
        candidates = self.candidates()
        if self.plan.until == "scoring":
            candidates = candidates[: len(candidates) // 2]
        rows = []
        for worker in candidates:
            key = str(self.ledger.worker_id_for(worker.id_number))
            if evaluation.candidates[key]["scores"] or evaluation.candidates[key].get("marks"):
                continue
            # every examiner on a panel marks (a row each); theory has one examiner
            for seat in range(len(PRACTICAL_PANEL)):
                row = {"id_number": worker.id_number.reveal(), "name": worker.name}
                for component in evaluation.components:
                    panel = evaluation.panels.get(component) or ["理论考评员"]
                    marked = seat < len(panel)
                    row[component] = score(worker, component, self.plan.level) if marked else ""
                    row[f"{component}_examiner"] = panel[seat] if marked else ""
                rows.append(row)
        self.imported(self.ledger.evaluations.import_scores, rows)

    def publish(self) -> None:
        """Publish (公示); a window reaching a year no calendar covers is refused, and the
        session waits, scored, until an administrator adds that year's calendar."""
        if self.evaluation.status is not EvaluationStatus.PLANNED:
            return
        try:
            self.ledger.evaluations.publish_results(self.evaluation_id, actor=ACTOR)
        except DomainRuleViolation as refusal:
            if refusal.rule != "calendar-missing-year":
                raise
            self.progress(f"{self.plan.reference} is not published: {refusal.detail}")

    def lodge(self, candidate: int, grounds: str) -> None:
        evaluation = self.evaluation
        if evaluation.status is not EvaluationStatus.PUBLISHED or any(
            o["grounds"] == grounds for o in evaluation.objections.values()
        ):
            return
        worker = self.candidates()[candidate]
        self.ledger.evaluations.lodge_objection(
            self.evaluation_id,
            worker_id=self.ledger.worker_id_for(worker.id_number),
            grounds=grounds,
            lodged_by="公示期间实名举报（同事）",
            actor="public:objection-form",
        )

    def answer(self, index: int, outcome: str) -> None:
        objection = self.evaluation.objections[f"O-{index + 1}"]
        if objection["resolution"] is not None:
            return
        reason = (
            "经调取考场录像核实，异议成立，取消该候选人本次评价结果"
            if outcome == "upheld"
            else "经复核原始答卷与评分记录，成绩无误，异议不成立"
        )
        self.ledger.evaluations.resolve_objection(
            self.evaluation_id, objection["id"], outcome=outcome, reason=reason, actor=ACTOR
        )

    def confirm(self) -> None:
        if self.evaluation.status is EvaluationStatus.PUBLISHED:
            self.ledger.evaluations.confirm_evaluation(self.evaluation_id, actor=ACTOR)

    def report(self) -> None:
        if self.evaluation.status is not EvaluationStatus.ISSUED:
            return
        self.ledger.evaluations.report_evaluation(
            self.evaluation_id,
            reported_to=REPORTED_TO[self.plan.body],
            reference=f"{self.plan.reference} 评价结果备案表",
            actor=ACTOR,
        )
