"""The demo data set, built on the seed reports (朝阳, 西海岸): idempotent by construction.

Every step first looks for what it would create (aggregate ids derive from natural keys), so
running the seed twice leaves the log unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from domain.certificate import CertificateStatus
from domain.competition import Competition, CompetitionTier
from domain.evaluation import Evaluation
from domain.honour_ladder import HonourLadder
from domain.id_number import IdNumber, resident_check_character
from domain.organisation import Organisation, OrganisationKind
from domain.worker import CareerEntryKind, EmploymentRelation, Worker
from service.ledger import Ledger

ACTOR = "demo:seed"

ELECTRICIAN = "6-31-01-03"  # 电工
WELDER = "6-18-02-04"  # 焊工
RIDER = "4-02-07-10"  # 网约配送员
CARER = "4-10-01-05"  # 养老护理员
ESTATE_AGENT = "4-08-06-01"  # 房地产经纪人
LIVE_SELLER = "4-01-02-07"  # 互联网营销师


@dataclass(frozen=True)
class DemoOrganisation:
    filing_code: str
    name: str
    kind: OrganisationKind
    province_code: str
    evaluator_prefix: str | None
    scope: dict[str, list[str]]


ORGANISATIONS = (
    DemoOrganisation(
        "11-HRB-0105",
        "北京市朝阳区人力资源和社会保障局",
        OrganisationKind.AUTHORITY,
        "11",
        None,
        {},
    ),
    DemoOrganisation("11-FTU-0105", "北京市朝阳区总工会", OrganisationKind.UNION, "11", None, {}),
    DemoOrganisation(
        "11-Y-000001",
        "北京链家置地房地产经纪有限公司",
        OrganisationKind.EMPLOYER,
        "11",
        "Y000011000001",
        {ESTATE_AGENT: ["4", "3", "2"], LIVE_SELLER: ["5", "4", "3"]},
    ),
    DemoOrganisation(
        "37-Y-020001",
        "青岛琅琊台集团股份有限公司",
        OrganisationKind.EMPLOYER,
        "37",
        "Y000037020001",
        {ELECTRICIAN: ["5", "4", "3"], WELDER: ["5", "4", "3", "2"]},
    ),
    DemoOrganisation(
        "11-S-000101",
        "北京市朝阳区新时代职业技能培训学校",
        OrganisationKind.SOCIAL,
        "11",
        "S000011000101",
        {RIDER: ["5", "4", "3"], CARER: ["5", "4", "3"], ELECTRICIAN: ["5", "4"]},
    ),
)

# every n-th demo worker's career entries: (n, kind, title, on)
CAREER_ENTRIES = (
    (1, CareerEntryKind.TRAINING, "岗位技能提升培训", date(2022, 5, 1)),
    (15, CareerEntryKind.STUDIO, "劳模创新工作室成员", date(2023, 9, 1)),
    (60, CareerEntryKind.REPRESENTATIVE, "区人大代表", date(2024, 1, 15)),
)
HONOUR_TIERS = ["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
]


def demo_id_number(region: str, serial: int) -> IdNumber:
    """A deterministic, checksum-valid (fictitious) ID number for demo worker ``serial``."""
    birth = date(1975 + serial % 25, 1 + serial % 12, 1 + serial % 28)
    body = f"{region}{birth:%Y%m%d}{serial % 1000:03d}"
    return IdNumber.parse(body + resident_check_character(body))


class DemoSeed:
    """Seeds the demo data set into a Ledger, step by step, skipping what already exists."""

    def __init__(self, ledger: Ledger, progress: Callable[[str], None] = lambda _: None) -> None:
        self.ledger = ledger
        self.progress = progress
        self.rng = random.Random(2023)

    def run(self) -> dict[str, int]:
        before = self.ledger.log_position
        orgs = self.organisations()
        workers = self.workers(orgs)
        self.evaluations_and_certificates(orgs, workers)
        self.competitions(orgs)
        self.honours(orgs, workers)
        self.status_changes(workers)
        return {"events_before": before, "events_after": self.ledger.log_position}

    # -- steps -------------------------------------------------------------------------------

    def organisations(self) -> dict[str, Organisation]:
        found = {}
        for spec in ORGANISATIONS:
            org_id = Organisation.create_id(filing_code=spec.filing_code)
            if not self.ledger.exists(org_id):
                self.ledger.file_organisation(
                    filing_code=spec.filing_code,
                    name=spec.name,
                    kind=spec.kind,
                    province_code=spec.province_code,
                    evaluator_prefix=spec.evaluator_prefix,
                    scope=spec.scope,
                    actor=ACTOR,
                )
            found[spec.filing_code] = self.ledger.organisation(org_id)
        self.progress(f"organisations: {len(found)}")
        return found

    def workers(self, orgs: dict[str, Organisation]) -> list[tuple[Worker, str]]:
        """240 workers: 80 at 链家, 80 at 琅琊台, 80 riders and carers trained by the school."""
        plan = (
            [("11-Y-000001", "110105")] * 80
            + [("37-Y-020001", "370211")] * 80
            + [(None, "110105")] * 80
        )
        workers = []
        for serial, (employer_code, region) in enumerate(plan, start=1):
            id_number = demo_id_number(region, serial)
            worker_id = self.ledger.worker_id_for(id_number)
            if not self.ledger.exists(worker_id):
                name = SURNAMES[serial % len(SURNAMES)] + GIVEN[(serial * 7) % len(GIVEN)]
                self.ledger.register_worker(id_number=id_number, name=name, actor=ACTOR)
                if employer_code:
                    relation = (
                        EmploymentRelation.DISPATCHED
                        if serial % 10 == 0
                        else EmploymentRelation.STAFF
                    )
                    self.ledger.start_employment(
                        worker_id,
                        orgs[employer_code].id,
                        relation=relation,
                        since=date(2015 + serial % 8, 3, 1),
                        actor=ACTOR,
                    )
                for every, kind, title, on in CAREER_ENTRIES:
                    if serial % every == 0:
                        self.ledger.record_career_entry(
                            worker_id, kind=kind, title=title, on=on, actor=ACTOR
                        )
            workers.append((self.ledger.worker(worker_id), employer_code or "11-S-000101"))
        self.progress(f"workers: {len(workers)}")
        return workers

    def evaluations_and_certificates(
        self, orgs: dict[str, Organisation], workers: list[tuple[Worker, str]]
    ) -> None:
        occupation_of = {
            "11-Y-000001": ESTATE_AGENT,
            "37-Y-020001": ELECTRICIAN,
            "11-S-000101": RIDER,
        }
        issued = 0
        for body_code, occupation_code in occupation_of.items():
            body = orgs[body_code]
            occupation = self.ledger.occupation(occupation_code)
            for level in occupation.levels[:2]:
                reference = f"DEMO-{occupation_code}-{level.code}"
                evaluation_id = Evaluation.create_id(body_id=body.id, reference=reference)
                if not self.ledger.exists(evaluation_id):
                    self.ledger.plan_evaluation(
                        body_id=body.id,
                        reference=reference,
                        occupation_code=occupation_code,
                        level=level,
                        starts_on=date(2025, 3, 1),
                        ends_on=date(2025, 3, 20),
                        panels={"practical": ["考评员甲", "考评员乙", "考评员丙"]},
                        actor=ACTOR,
                    )
                for index, (worker, employer_code) in enumerate(workers):
                    if employer_code != body_code or (
                        index % 3 == 2 and level != occupation.levels[0]
                    ):
                        continue
                    if any(
                        c["occupation_code"] == occupation_code and c["level"] == level.code
                        for c in self.ledger.worker(worker.id).certificates.values()
                    ):
                        continue
                    self.ledger.issue_certificate(
                        issuer_id=body.id,
                        worker_id=worker.id,
                        occupation_code=occupation_code,
                        level=level,
                        basis={"kind": "evaluation", "reference": str(evaluation_id)},
                        actor=ACTOR,
                    )
                    issued += 1
        self.progress(f"certificates issued now: {issued}")

    def competitions(self, orgs: dict[str, Organisation]) -> None:
        union = orgs["11-FTU-0105"]
        plans = [
            (
                "2025-CY-RIDER",
                "2025年朝阳区网约配送员技能竞赛",
                CompetitionTier.DISTRICT,
                RIDER,
                "11-S-000101",
            ),
            (
                "2025-CY-ELEC",
                "2025年朝阳区电工技术比武",
                CompetitionTier.DISTRICT,
                ELECTRICIAN,
                "11-S-000101",
            ),
        ]
        for reference, name, tier, occupation_code, body_code in plans:
            if self.ledger.exists(
                Competition.create_id(organiser_id=union.id, reference=reference)
            ):
                continue
            self.ledger.announce_competition(
                organiser_id=union.id,
                reference=reference,
                name=name,
                tier=tier,
                occupation_code=occupation_code,
                exam_level="3",
                year=2025,
                region="110105",
                issuing_body_id=orgs[body_code].id,
                marking_scheme={
                    "components": [
                        {"name": "theory", "weight": "30", "kind": "judgement"},
                        {"name": "practical", "weight": "70", "kind": "measurement"},
                    ],
                    "combination": "trimmed",
                    "max_spread": "10",
                },
                actor=ACTOR,
            )

    def honours(self, orgs: dict[str, Organisation], workers: list[tuple[Worker, str]]) -> None:
        union = orgs["11-FTU-0105"]
        name = "朝阳区职工荣誉阶梯"
        ladder_id = HonourLadder.create_id(union_id=union.id, name=name)
        if not self.ledger.exists(ladder_id):
            self.ledger.define_honour_ladder(
                union_id=union.id, name=name, tiers=HONOUR_TIERS, actor=ACTOR
            )
        ladder = self.ledger.honour_ladder(ladder_id)
        for index, (worker, _) in enumerate(workers[::12]):
            award_id = f"2024-{index:03d}"
            if award_id in ladder.awards:
                continue
            self.ledger.award_honour(
                ladder_id,
                award_id=award_id,
                worker_id=worker.id,
                tier=HONOUR_TIERS[index % len(HONOUR_TIERS)],
                year=2024,
                actor=ACTOR,
            )

    def status_changes(self, workers: list[tuple[Worker, str]]) -> None:
        """A few suspended and revoked certificates, as a real ledger has."""
        numbers = sorted(
            number for worker, _ in workers for number in self.ledger.worker(worker.id).certificates
        )
        for number in numbers[5:40:9]:
            certificate = self.ledger.certificate(number)
            if certificate.status is CertificateStatus.VALID and not certificate.history[1:]:
                self.ledger.change_certificate_status(
                    number, "suspend", actor=ACTOR, reason="质量督导抽查：考评记录待核实"
                )
        for number in numbers[7:60:13]:
            certificate = self.ledger.certificate(number)
            if certificate.status is CertificateStatus.VALID and not certificate.history[1:]:
                self.ledger.change_certificate_status(
                    number, "revoke", actor=ACTOR, reason="考试作弊，撤销证书"
                )


def seed_demo(ledger: Ledger, progress: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    return DemoSeed(ledger, progress).run()
