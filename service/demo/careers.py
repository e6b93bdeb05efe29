"""The rest of the demo's history: honours on the 朝阳 ladder, career entries, a widened filing
scope, enterprise posts (特级技师, 首席技师), a revocation that flags what rested on it, and
suspensions — each on its own day, each skipped when already recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from domain.certificate import CertificateStatus
from domain.honour_ladder import HonourLadder
from domain.organisation import Organisation
from domain.post_appointment import PostAppointment
from domain.worker import Worker
from service.demo.cast import (
    ACTOR,
    CAREER_ENTRIES,
    ESTATE_AGENT,
    LANGYATAI,
    LIANJIA,
    RIDER,
    SCHOOL,
    UNION,
    WELDER,
    DemoWorker,
    cohort,
    record_career_entries,
)
from service.demo.steps import Step
from service.ledger import Ledger

LADDER = "朝阳区职工荣誉阶梯"
HONOUR_TIERS = ["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"]
HONOURS = {
    # year: (能手, 匠心达人, 工匠, 大师) per 160 Beijing workers; the seed reports' 493 : 270 : 48
    2022: (15, 0, 0, 0),
    2023: (14, 7, 0, 0),
    2024: (10, 10, 2, 0),
    2025: (10, 10, 3, 1),
}
POST_REVIEWS = [
    {"review": "performance", "evidence": "近三年业绩考核 优秀"},
    {"review": "defence", "evidence": "现场答辩记录"},
    {"review": "comprehensive", "evidence": "集团技能人才评聘委员会决议"},
]


class CareerStory:
    """Honours, career entries, posts and certificate status changes over the years."""

    def __init__(
        self, ledger: Ledger, orgs: dict[str, Organisation], cast: list[DemoWorker]
    ) -> None:
        self.ledger = ledger
        self.orgs = orgs
        self.cast = cast
        self.ladder_id = HonourLadder.create_id(union_id=orgs[UNION].id, name=LADDER)

    def worker(self, worker: DemoWorker) -> Worker:
        return self.ledger.worker(self.ledger.worker_id_for(worker.id_number))

    def steps(self) -> list[Step]:
        steps = [Step(date(2022, 3, 15), 9, "define the honour ladder", self.define_ladder)]
        for year in HONOURS:
            steps.append(Step(date(year, 4, 28), 10, f"honours {year}", self.honours(year)))
        for _, _, _, on in CAREER_ENTRIES:
            steps.append(Step(on, 11, f"career entries {on}", self.career_entries(on)))
        steps += [
            Step(date(2025, 8, 20), 10, "revoke with dependents", self.revoke_with_dependents),
            Step(date(2025, 9, 15), 10, "widen 琅琊台's scope", self.widen_scope),
            Step(date(2026, 3, 2), 10, "特级技师", self.appoint("principal", 2)),
            Step(date(2026, 3, 16), 10, "suspensions", self.suspend),
            Step(date(2026, 5, 20), 10, "reinstatement", self.reinstate),
            Step(date(2026, 9, 1), 10, "首席技师", self.appoint("chief", 1)),
        ]
        return steps

    # -- honours ----------------------------------------------------------------------------

    def define_ladder(self) -> None:
        if not self.ledger.exists(self.ladder_id):
            self.ledger.honours.define_honour_ladder(
                union_id=self.orgs[UNION].id, name=LADDER, tiers=HONOUR_TIERS, actor=ACTOR
            )

    def beijing(self) -> list[DemoWorker]:
        """Beijing's workers in a fixed shuffled order (链家 staff and the school's trainees)."""
        people = [w for w in self.cast if w.body in (LIANJIA, SCHOOL)]
        return sorted(people, key=lambda w: (w.serial * 37) % 101)

    def honours(self, year: int) -> Callable[[], None]:
        def award() -> None:
            ladder = self.ledger.honour_ladder(self.ladder_id)
            people = self.beijing()
            scale = len(people) / 160
            held: dict[str, int] = {}  # worker id -> highest tier rank held
            for entry in ladder.awards.values():
                key = str(entry["worker_id"])
                held[key] = max(held.get(key, -1), HONOUR_TIERS.index(entry["tier"]))
            for rank, count in reversed(list(enumerate(HONOURS[year]))):
                wanted = round(count * scale)
                award_ids = [f"{year}-{rank}-{n:03d}" for n in range(wanted)]
                if all(a in ladder.awards for a in award_ids):
                    continue
                # each title goes to someone who holds the tier below it (or nobody, for 能手)
                eligible = [
                    w
                    for w in people
                    if held.get(str(self.ledger.worker_id_for(w.id_number)), -1) == rank - 1
                ]
                for award_id, person in zip(award_ids, eligible, strict=False):
                    worker_id = self.ledger.worker_id_for(person.id_number)
                    self.ledger.honours.award_honour(
                        self.ladder_id,
                        award_id=award_id,
                        worker_id=worker_id,
                        tier=HONOUR_TIERS[rank],
                        year=year,
                        actor=f"demo:union:{UNION}",
                    )
                    held[str(worker_id)] = rank

        return award

    def career_entries(self, on: date) -> Callable[[], None]:
        def record() -> None:
            for worker in self.cast:
                record_career_entries(self.ledger, worker, on)

        return record

    # -- certificates and posts -------------------------------------------------------------

    def valid_numbers(self, worker: DemoWorker, occupation: str, level: str) -> list[str]:
        return sorted(
            c["number"]
            for c in self.worker(worker).certificates.values()
            if c["occupation_code"] == occupation
            and c["level"] == level
            and self.ledger.certificate(c["number"]).status is CertificateStatus.VALID
        )

    def revoke_with_dependents(self) -> None:
        """An 房地产经纪人 四级 found to rest on falsified records is revoked; the 三级 (and
        二级) issued on it are flagged in the same save."""
        for person in cohort(self.cast, LIANJIA, 0, 1):
            if any(
                self.ledger.certificate(c["number"]).status is CertificateStatus.REVOKED
                for c in self.worker(person).certificates.values()
            ):
                return  # done already
        for person in cohort(self.cast, LIANJIA, 0, 1):
            fours = self.valid_numbers(person, ESTATE_AGENT, "4")
            if fours and self.valid_numbers(person, ESTATE_AGENT, "3"):
                self.ledger.certificates.change_certificate_status(
                    fours[0],
                    "revoke",
                    actor=ACTOR,
                    reason="经查实，该证书评价过程中存在考评记录造假，依规撤销",
                )
                return

    def widen_scope(self) -> None:
        organisation = self.ledger.organisation(self.orgs[LANGYATAI].id)
        if "1" in organisation.scope.get(WELDER, []):
            return
        scope = {code: list(levels) for code, levels in organisation.scope.items()}
        scope[WELDER] = ["5", "4", "3", "2", "1"]
        self.ledger.organisations.amend_scope(
            organisation.id,
            scope,
            actor=f"demo:hr-bureau:{LANGYATAI}",
            reason="经青岛市人社局备案，焊工评价范围扩展至一级/高级技师",
        )

    def appoint(self, post: str, how_many: int) -> Callable[[], None]:
        def appoint_posts() -> None:
            masters = [
                w for w in cohort(self.cast, LANGYATAI, 0, 1) if self.valid_numbers(w, WELDER, "1")
            ]
            for person in masters[:how_many]:
                worker_id = self.ledger.worker_id_for(person.id_number)
                appointment_id = PostAppointment.create_id(
                    organisation_id=self.orgs[LANGYATAI].id,
                    worker_id=worker_id,
                    occupation_code=WELDER,
                    post=post,
                )
                if self.ledger.exists(appointment_id):
                    continue
                self.ledger.posts.appoint_post(
                    organisation_id=self.orgs[LANGYATAI].id,
                    worker_id=worker_id,
                    occupation_code=WELDER,
                    post=post,
                    reviews=POST_REVIEWS,
                    actor=ACTOR,
                )

        return appoint_posts

    def rider_certificates(self) -> list[str]:
        """The 网约配送员 四级 certificates of part of the school's trainees, by number."""
        return sorted(
            held["number"]
            for person in cohort(self.cast, SCHOOL, 0.4, 0.75)
            for held in self.worker(person).certificates.values()
            if held["occupation_code"] == RIDER and held["level"] == "4"
        )

    def ever(self, status: str) -> list[str]:
        """Those of :meth:`rider_certificates` whose history has been ``status`` after issue."""
        return [
            number
            for number in self.rider_certificates()
            if any(e["status"] == status for e in self.ledger.certificate(number).history[1:])
        ]

    def suspend(self) -> None:
        """Quality supervision (质量督导) suspends three certificates while it checks them."""
        if self.ever("suspended"):
            return
        for number in self.rider_certificates()[:3]:
            self.ledger.certificates.change_certificate_status(
                number, "suspend", actor=ACTOR, reason="质量督导抽查：考评记录待核实"
            )

    def reinstate(self) -> None:
        """One of them is found in order and reinstated; the others stay suspended."""
        if self.ever("valid"):
            return
        for number in self.ever("suspended")[:1]:
            self.ledger.certificates.change_certificate_status(
                number, "reinstate", actor=ACTOR, reason="核查无误，恢复证书效力"
            )
