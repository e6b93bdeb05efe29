"""The demo's competitions (以赛代评) at several tiers, each told on its own days.

Announced, entrants registered, marked by three judges per component, a flagged spread corrected
and another reviewed (复核), components locked, finalised with medals and 优胜奖, promotions
proposed, submitted by the organiser (报送) and approved (核准) by the HR bureau with their
certificates issued, one rejected — as far as ``until`` says: one of 2026 is finalised with its
proposals submitted and awaiting the HR bureau's approval (three of them to 二级/技师, outside
the issuing school's filed scope, so approving those is refused), the newest is still in marking
(its practical half marked, one spread flagged and awaiting the chief judge's review; its
judging panels name the demo's judge accounts, :data:`DEMO_JUDGES`, so a newcomer can mark on
``/judge``) and the last one only announced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from domain.competition import Competition, CompetitionStatus, MarkEntry, ProposalStatus
from domain.competition_submission import is_submitted
from domain.organisation import Organisation
from domain.promotion_rules import CompetitionTier, EntrantKind
from service.competitions import EntrantRegistration
from service.demo.cast import (
    ACTOR,
    CARER,
    ELECTRICIAN,
    HRB,
    LANGYATAI,
    RIDER,
    SCHOOL,
    UNION,
    WELDER,
    XHA_UNION,
    DemoWorker,
    cohort,
)
from service.demo.steps import Step
from service.ledger import Ledger

STAGES = ("announced", "marking", "finalised", "approved")
JUDGES = ("裁判甲", "裁判乙", "裁判丙")
MARKING = "2026-CY-CARE"
"""The competition still in marking, whose panels name the demo's judge accounts."""
DEMO_JUDGES = (
    ("judge1@demo.example", JUDGES[0], "演示：裁判甲 王师傅"),
    ("judge2@demo.example", JUDGES[1], "演示：裁判乙 刘师傅"),
    ("judge3@demo.example", JUDGES[2], "演示：裁判丙 陈师傅"),
)
"""(login, the name their marks are recorded under, account name) of :data:`MARKING`'s judges:
console accounts (:mod:`service.demo.access`) on both its components' panels."""
SCHEME = {
    "components": [
        {"name": "theory", "weight": "30", "kind": "judgement"},
        {"name": "practical", "weight": "70", "kind": "measurement"},
    ],
    "combination": "trimmed",
    "max_spread": "10",
}
HR_BUREAU = f"demo:hr-bureau:{HRB}"
FLAGGED = ((0, "practical"), (1, "theory"))
"""(entrant index, component) whose third judge's mark is 14 lower: a spread to review"""


@dataclass(frozen=True)
class CompetitionPlan:
    reference: str
    name: str
    organiser: str
    issuing_body: str
    tier: CompetitionTier
    occupation: str
    exam_level: str
    region: str
    rule_set: str
    announced: date
    entrants: tuple[str, float, float]  # (body, start, stop) of the cast
    until: str
    employer_name: str | None = None  # for entrants who are not the body's own staff
    rejected: int | None = None  # the proposal (by rank order) the HR bureau does not approve

    @property
    def year(self) -> int:
        return self.announced.year


def competition_plans(today: date) -> list[CompetitionPlan]:
    d = date
    return [
        CompetitionPlan("2023-CY-RIDER", "2023年朝阳区网约配送员职业技能竞赛", UNION, SCHOOL,
                        CompetitionTier.DISTRICT, RIDER, "3", "110105", "tianjin-2021",
                        d(2023, 5, 8), (SCHOOL, 0, 0.4), "approved", "美团外卖朝阳配送站"),
        CompetitionPlan("2024-XHA-WELD", "2024年青岛西海岸新区焊工职业技能竞赛", XHA_UNION,
                        LANGYATAI, CompetitionTier.PROVINCIAL_2, WELDER, "3", "370211",
                        "tianjin-2024", d(2024, 10, 28), (LANGYATAI, 0.5, 1), "approved",
                        rejected=2),
        CompetitionPlan("2025-LYT-ELEC", "琅琊台集团2025年电工岗位练兵技术比武", LANGYATAI,
                        LANGYATAI, CompetitionTier.ENTERPRISE_OR_SCHOOL, ELECTRICIAN, "4",
                        "370211", "tianjin-2024", d(2025, 6, 2), (LANGYATAI, 0, 0.5),
                        "approved"),
        CompetitionPlan("2026-CY-RIDER-Q3", "2026年朝阳区网约配送员技能比武（第三季度）", UNION,
                        SCHOOL, CompetitionTier.DISTRICT, RIDER, "3", "110105", "tianjin-2024",
                        today - timedelta(days=80), (SCHOOL, 0.4, 0.5), "finalised",
                        "美团外卖朝阳配送站"),
        CompetitionPlan(MARKING, "2026年朝阳区养老护理员职业技能竞赛", UNION, SCHOOL,
                        CompetitionTier.DISTRICT, CARER, "3", "110105", "tianjin-2024",
                        today - timedelta(days=50), (SCHOOL, 0.5, 0.9), "marking",
                        "朝阳区社区养老服务驿站"),
        CompetitionPlan("2026-CY-RIDER", "2026年朝阳区网约配送员职业技能竞赛（报名中）", UNION,
                        SCHOOL, CompetitionTier.DISTRICT, RIDER, "3", "110105",
                        "tianjin-2024", today - timedelta(days=12), (SCHOOL, 0, 0), "announced"),
    ]  # fmt: skip


def mark(index: int, component: str, judge: int) -> str:
    """Entrant ``index``'s mark from judge ``judge`` (0-2): the middle judge gives the
    entrant's own level, the others a point or two either side. Practical levels differ for
    every entrant, so no two totals tie and the ranking needs no worker facts to settle."""
    if component == "practical":
        level = Decimal(600 + (index * 7919) % 370) / 10
    else:
        level = Decimal(70 + (index * 13) % 29)
    return str(level + (judge - 1) * (1 + index % 2))


class CompetitionStory:
    """Tells one competition's steps on the ledger, skipping what is recorded already."""

    def __init__(
        self,
        ledger: Ledger,
        orgs: dict[str, Organisation],
        cast: list[DemoWorker],
        plan: CompetitionPlan,
    ) -> None:
        self.ledger = ledger
        self.orgs = orgs
        self.plan = plan
        self.entrants = cohort(cast, *plan.entrants)
        self.competition_id = Competition.create_id(
            organiser_id=orgs[plan.organiser].id, reference=plan.reference
        )

    @property
    def competition(self) -> Competition:
        return self.ledger.competition(self.competition_id)

    def worker_id(self, worker: DemoWorker) -> UUID:
        return self.ledger.worker_id_for(worker.id_number)

    def steps(self) -> list[Step]:
        plan = self.plan
        reached = STAGES.index(plan.until)
        day = plan.announced
        steps = [Step(day, 9, f"announce {plan.reference}", self.announce)]
        if not self.entrants:
            return steps
        steps.append(Step(day + timedelta(days=10), 10, "register entrants", self.register))
        if reached == STAGES.index("marking"):
            steps.append(Step(day + timedelta(days=20), 10, "judging panels", self.assign_panels))
            steps.append(Step(day + timedelta(days=30), 17, "theory marks", self.mark_theory))
            steps.append(Step(day + timedelta(days=31), 9, "lock theory", self.lock_theory))
            steps.append(Step(day + timedelta(days=44), 17, "practical marks", self.mark_half))
            return steps
        steps += [
            Step(day + timedelta(days=30), 17, "marks", self.mark_all),
            Step(day + timedelta(days=31), 10, "spread review", self.review),
            Step(day + timedelta(days=31), 15, "lock and finalise", self.lock_and_finalise),
            Step(day + timedelta(days=33), 10, "报送", self.submit),
        ]
        if reached >= STAGES.index("approved"):
            steps.append(Step(day + timedelta(days=52), 10, "核准", self.approve))
        return steps

    def announce(self) -> None:
        if self.ledger.exists(self.competition_id):
            return
        plan = self.plan
        self.ledger.competitions.announce_competition(
            organiser_id=self.orgs[plan.organiser].id,
            reference=plan.reference,
            name=plan.name,
            tier=plan.tier,
            occupation_code=plan.occupation,
            exam_level=plan.exam_level,
            year=plan.year,
            region=plan.region,
            issuing_body_id=self.orgs[plan.issuing_body].id,
            marking_scheme=SCHEME,
            promotion_rule_set=plan.rule_set,
            tie_breaks={"components": ["practical"], "earlier_finish": False},
            actor=ACTOR,
        )

    def register(self) -> None:
        if self.competition.entrants:
            return
        own_staff = self.plan.employer_name is None
        self.ledger.competitions.register_entrants(
            self.competition_id,
            [
                EntrantRegistration(
                    self.worker_id(worker),
                    EntrantKind.EMPLOYEE,
                    self.orgs[worker.body].id if own_staff else None,
                    self.plan.employer_name,
                )
                for worker in self.entrants
            ],
            actor=ACTOR,
        )

    def assign_panels(self) -> None:
        """Before the first mark, both components' panels name the demo's judge accounts. (A
        demo seeded before the panels existed, marks and all, gets them when its access sheet
        is completed, on the real clock: :func:`panel_demo_judges`.)"""
        if not any(self.competition.marks.values()):
            panel_demo_judges(self.ledger, self.competition_id)

    def _marks(self, workers: list[DemoWorker], components: tuple[str, ...]) -> list[MarkEntry]:
        competition = self.competition
        entries = []
        for index, worker in enumerate(workers):
            worker_id = self.worker_id(worker)
            for component in components:
                if competition.component_marks(worker_id, component):
                    continue
                for judge, name in enumerate(JUDGES):
                    value = mark(index, component, judge)
                    if (index, component) in FLAGGED and judge == 2:
                        value = str(Decimal(value) - 14)  # a spread the scheme flags (> 10)
                    entries.append(MarkEntry(worker_id, component, name, value))
        return entries

    def _record(self, entries: list[MarkEntry]) -> None:
        if entries:
            self.ledger.competitions.record_marks(self.competition_id, entries, actor=ACTOR)

    def mark_all(self) -> None:
        self._record(self._marks(self.entrants, ("theory", "practical")))

    def mark_theory(self) -> None:
        self._record(self._marks(self.entrants, ("theory",)))

    def mark_half(self) -> None:
        self._record(self._marks(self.entrants[: len(self.entrants) // 2], ("practical",)))

    def review(self) -> None:
        """The chief judge answers the two flagged spreads: a typing error corrected, and a
        mark confirmed on review (复核) as it stands."""
        first = self.worker_id(self.entrants[0])
        competition = self.competition
        if competition.needs_review(first, "practical"):
            self.ledger.competitions.correct_mark(
                self.competition_id,
                worker_id=first,
                component="practical",
                judge=JUDGES[2],
                mark=mark(0, "practical", 2),
                reason="录入错误：按原始评分表更正",
                actor="demo:chief-judge",
            )
        self.review_theory(competition)

    def review_theory(self, competition: Competition) -> None:
        """The second entrant's flagged theory marks are confirmed on review (复核)."""
        second = self.worker_id(self.entrants[1])
        if competition.needs_review(second, "theory"):
            self.ledger.competitions.review_spread(
                self.competition_id,
                worker_id=second,
                component="theory",
                note="调阅答卷复核，三位裁判评分均有依据，维持原评分",
                actor="demo:chief-judge",
            )

    def lock_theory(self) -> None:
        competition = self.competition
        if "theory" not in competition.locks:
            self.review_theory(competition)
            self.ledger.competitions.lock_component(
                self.competition_id, "theory", actor="demo:chief-judge"
            )

    def lock_and_finalise(self) -> None:
        for component in ("theory", "practical"):
            if component not in self.competition.locks:
                self.ledger.competitions.lock_component(self.competition_id, component, actor=ACTOR)
        if self.competition.status != CompetitionStatus.FINALISED:
            self.ledger.competitions.finalise_competition(self.competition_id, actor=ACTOR)

    def submit(self) -> None:
        """The organiser submits the proposals to the HR bureau (报送), which then decides."""
        proposals = self.competition.proposals.values()
        if any(p["status"] == ProposalStatus.PROPOSED and not is_submitted(p) for p in proposals):
            self.ledger.competitions.submit_proposals(self.competition_id, actor=ACTOR)

    def approve(self) -> None:
        pending = [
            UUID(key)
            for key, p in self.competition.proposals.items()
            if p["status"] == ProposalStatus.PROPOSED
        ]
        if not pending:
            return
        rejected = self.plan.rejected
        if rejected is not None and rejected < len(pending):
            self.ledger.competitions.reject_promotion(
                self.competition_id,
                pending[rejected],
                reason="申报材料中劳动合同期限与竞赛通知要求不符，不予核准",
                actor=HR_BUREAU,
            )
            pending = pending[:rejected] + pending[rejected + 1 :]
        self.ledger.competitions.approve_promotions(
            self.competition_id, pending, actor=HR_BUREAU, note="经区人社局核准"
        )


def marking_competition_id() -> UUID:
    """The id of :data:`MARKING`, the competition the demo's judges mark."""
    organiser = Organisation.create_id(filing_code=UNION)
    return Competition.create_id(organiser_id=organiser, reference=MARKING)


def panel_demo_judges(ledger: Ledger, competition_id: UUID) -> None:
    """Each unlocked component's panel names the demo's judge accounts, under the names their
    marks are recorded with (:data:`JUDGES`); a panel that does so already is left alone."""
    competition = ledger.competition(competition_id)
    panel = [{"name": name, "login": login} for login, name, _ in DEMO_JUDGES]
    for component in ("theory", "practical"):
        assigned = [dict(judge) for judge in competition.panels.get(component, ())]
        if assigned == panel or component in competition.locks:
            continue
        ledger.competitions.assign_judges(
            competition_id, component=component, judges=panel, actor=ACTOR
        )


def competition_steps(
    ledger: Ledger, orgs: dict[str, Organisation], cast: list[DemoWorker], today: date
) -> list[Step]:
    return [
        step
        for plan in competition_plans(today)
        for step in CompetitionStory(ledger, orgs, cast, plan).steps()
    ]
