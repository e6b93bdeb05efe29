"""The demo's cast: the bodies of the seed reports (朝阳, 西海岸) and their fictitious people.

Everything here is deterministic: a worker's ID number, name, employer and history follow from
their serial number, so two fresh data directories seeded alike hold the same people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.id_number import IdNumber
from domain.organisation import Organisation, OrganisationKind
from domain.worker import CareerEntryKind, EmploymentRelation
from service.ledger import Ledger

ACTOR = "demo:seed"

ELECTRICIAN = "6-31-01-03"  # 电工
WELDER = "6-18-02-04"  # 焊工
RIDER = "4-02-07-10"  # 网约配送员
CARER = "4-10-01-05"  # 养老护理员
ESTATE_AGENT = "4-08-06-01"  # 房地产经纪人
LIVE_SELLER = "4-01-02-07"  # 互联网营销师

HRB = "11-HRB-0105"  # 朝阳区人社局
UNION = "11-FTU-0105"  # 朝阳区总工会
XHA_UNION = "37-FTU-0211"  # 西海岸新区总工会
LIANJIA = "11-Y-000001"  # 北京链家
LANGYATAI = "37-Y-020001"  # 青岛琅琊台集团
SCHOOL = "11-S-000101"  # 社会培训评价组织

DEFAULT_WORKERS = 240
BODIES = (LIANJIA, LANGYATAI, SCHOOL)
"""The three evaluation bodies, each with a third of the workers (in serial order)."""


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
        HRB, "北京市朝阳区人力资源和社会保障局", OrganisationKind.AUTHORITY, "11", None, {}
    ),
    DemoOrganisation(UNION, "北京市朝阳区总工会", OrganisationKind.UNION, "11", None, {}),
    DemoOrganisation(XHA_UNION, "青岛西海岸新区总工会", OrganisationKind.UNION, "37", None, {}),
    DemoOrganisation(
        LIANJIA,
        "北京链家置地房地产经纪有限公司",
        OrganisationKind.EMPLOYER,
        "11",
        "Y000011000001",
        {ESTATE_AGENT: ["4", "3", "2"], LIVE_SELLER: ["5", "4", "3"]},
    ),
    DemoOrganisation(
        LANGYATAI,
        "青岛琅琊台集团股份有限公司",
        OrganisationKind.EMPLOYER,
        "37",
        "Y000037020001",
        {ELECTRICIAN: ["5", "4", "3"], WELDER: ["5", "4", "3", "2"]},
    ),
    DemoOrganisation(
        SCHOOL,
        "北京市朝阳区新时代职业技能培训学校",
        OrganisationKind.SOCIAL,
        "11",
        "S000011000101",
        {RIDER: ["5", "4", "3"], CARER: ["5", "4", "3"], ELECTRICIAN: ["5", "4"]},
    ),
)
REGION_OF = {LIANJIA: "110105", LANGYATAI: "370211", SCHOOL: "110105"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军")
GIVEN += ("洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞")


def demo_id_number(region: str, serial: int) -> IdNumber:
    """A deterministic, checksum-valid (fictitious) ID number for demo worker ``serial``."""
    birth = date(1975 + serial % 25, 1 + serial % 12, 1 + serial % 28)
    return IdNumber.resident(region, birth, serial % 1000)


def demo_name(serial: int) -> str:
    return SURNAMES[serial % len(SURNAMES)] + GIVEN[(serial * 7) % len(GIVEN)]


@dataclass(frozen=True)
class DemoWorker:
    """One fictitious worker: where they work (or train) and since when."""

    serial: int
    body: str  # the evaluation body whose staff (or trainee) they are
    position: float  # 0 <= position < 1: where they stand in their body's cohort

    @property
    def id_number(self) -> IdNumber:
        return demo_id_number(REGION_OF[self.body], self.serial)

    @property
    def name(self) -> str:
        return demo_name(self.serial)

    @property
    def employed_since(self) -> date | None:
        """Employers' staff have jobs from before the ledger; the school's trainees have none."""
        if self.body == SCHOOL:
            return None
        return date(2013 + self.serial % 6, 3, 1)

    @property
    def relation(self) -> EmploymentRelation:
        return EmploymentRelation.DISPATCHED if self.serial % 10 == 0 else EmploymentRelation.STAFF


def demo_cast(workers: int = DEFAULT_WORKERS) -> list[DemoWorker]:
    """``workers`` people, a third at each body: serials 1..n/3 at 链家, then 琅琊台, then the
    school's trainees (with the default 240: 1-80, 81-160, 161-240)."""
    if workers < 30:
        raise ValueError("the demo history needs at least 30 workers")
    per_body = workers // len(BODIES)
    return [
        DemoWorker(per_body * index + offset + 1, body, offset / per_body)
        for index, body in enumerate(BODIES)
        for offset in range(per_body)
    ]


def cohort(
    cast: list[DemoWorker], body: str, start: float, stop: float, step: int = 1
) -> list[DemoWorker]:
    """The part of ``body``'s cohort from ``start`` to ``stop`` (fractions), every ``step``-th."""
    members = [w for w in cast if w.body == body and start <= w.position < stop]
    return members[::step]


CAREER_ENTRIES = (
    # (which workers, kind, title, on): every career stage 探索期 … 引领期 occurs
    (lambda w: w.body == SCHOOL, CareerEntryKind.TRAINING, "网约配送员岗前培训", date(2022, 2, 21)),
    (lambda w: w.serial % 4 == 0, CareerEntryKind.TRAINING, "岗位技能提升培训", date(2022, 5, 16)),
    (lambda w: w.serial % 15 == 0, CareerEntryKind.STUDIO, "劳模创新工作室成员", date(2023, 9, 1)),
    (lambda w: w.serial % 60 == 0, CareerEntryKind.REPRESENTATIVE, "区人大代表", date(2024, 1, 15)),
)


def file_organisations(ledger: Ledger) -> dict[str, Organisation]:
    """File every demo body (备案), once; the ones already filed are kept as they are."""
    found = {}
    for spec in ORGANISATIONS:
        org_id = Organisation.create_id(filing_code=spec.filing_code)
        if not ledger.exists(org_id):
            ledger.organisations.file_organisation(
                filing_code=spec.filing_code,
                name=spec.name,
                kind=spec.kind,
                province_code=spec.province_code,
                evaluator_prefix=spec.evaluator_prefix,
                scope=spec.scope,
                district_code=REGION_OF.get(spec.filing_code),
                actor=ACTOR,
            )
        found[spec.filing_code] = ledger.organisation(org_id)
    return found


def register_worker(ledger: Ledger, worker: DemoWorker, orgs: dict[str, Organisation]) -> None:
    """Register one worker and their job (if not yet in the ledger)."""
    worker_id = ledger.worker_id_for(worker.id_number)
    if ledger.exists(worker_id):
        return
    ledger.workers.register_worker(id_number=worker.id_number, name=worker.name, actor=ACTOR)
    if worker.employed_since is not None:
        ledger.workers.start_employment(
            worker_id,
            orgs[worker.body].id,
            relation=worker.relation,
            since=worker.employed_since,
            actor=ACTOR,
        )


def record_career_entries(ledger: Ledger, worker: DemoWorker, on: date) -> None:
    """The worker's career entries dated ``on`` (training, studio, representative roles)."""
    worker_id = ledger.worker_id_for(worker.id_number)
    recorded = ledger.worker(worker_id).career
    for applies, kind, title, day in CAREER_ENTRIES:
        if day != on or not applies(worker):
            continue
        if any(entry["title"] == title for entry in recorded):
            continue
        ledger.workers.record_career_entry(worker_id, kind=kind, title=title, on=day, actor=ACTOR)
