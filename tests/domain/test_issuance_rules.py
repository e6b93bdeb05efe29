"""Each issuing invariant, enforced by the pure domain (no application, no storage)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.certificate import CertificateStatus
from domain.errors import DomainRuleViolation
from domain.issuance import issue_certificate
from domain.number_series import CertificateNumberSeries
from domain.occupation import find_occupation
from domain.organisation import Organisation, OrganisationKind
from domain.skill_level import SkillLevel
from domain.worker import Worker

AT = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
ELECTRICIAN = find_occupation("6-31-01-03")
ESTATE_AGENT = find_occupation("4-08-06-01")


def body(kind: OrganisationKind = OrganisationKind.EMPLOYER, scope=None) -> Organisation:
    prefix = ("Y" if kind is OrganisationKind.EMPLOYER else "S") + "000011000001"
    return Organisation.file(
        filing_code=f"code-{kind.value}",
        name="北京链家",
        kind=kind,
        province_code="11",
        evaluator_prefix=prefix,
        scope=scope or {"6-31-01-03": ["5", "4", "3"], "4-08-06-01": ["4", "3"]},
        filed_at=AT.replace(year=2020),
        actor="admin",
    )


def worker_of(org: Organisation | None) -> Worker:
    worker = Worker.register(
        identity_hash="ab" * 32,
        id_kind="resident",
        masked_id_number="110105********1239",
        name="张三",
        actor="admin",
    )
    if org is not None:
        from domain.worker import EmploymentRelation

        worker.start_employment(org.id, EmploymentRelation.STAFF, date(2020, 1, 1), "hr")
    return worker


def issue(org, worker, level=SkillLevel.LEVEL_5, occupation=ELECTRICIAN, held=(), basis=None):
    series = CertificateNumberSeries(
        evaluator_prefix=org.evaluator_prefix, issue_year="25", level=level.code
    )
    return issue_certificate(
        issuer=org,
        worker=worker,
        occupation=occupation,
        level=level,
        basis=basis or {"kind": "evaluation", "reference": "E1"},
        series=series,
        held_levels=held,
        issued_at=AT,
        actor="issuer",
    )


def rule_of(excinfo: pytest.ExceptionInfo[DomainRuleViolation]) -> str:
    return excinfo.value.rule


def test_a_certificate_inside_scope_for_own_staff_is_issued_with_the_first_serial():
    org = body()
    certificate = issue(org, worker_of(org))
    assert certificate.number == "Y000011000001255000001"
    assert certificate.status is CertificateStatus.VALID
    assert certificate.masked_id_number == "110105********1239"


def test_no_certificate_outside_the_filed_scope():
    org = body(scope={"6-31-01-03": ["5"]})
    with pytest.raises(DomainRuleViolation) as excinfo:
        issue(org, worker_of(org), level=SkillLevel.LEVEL_4, held=[SkillLevel.LEVEL_5])
    assert rule_of(excinfo) == "outside-filed-scope"


@pytest.mark.parametrize(
    ("action", "rule"), [("suspend", "issuer-suspended"), ("revoke", "issuer-revoked")]
)
def test_no_certificate_from_a_suspended_or_revoked_body(action, rule):
    org = body()
    worker = worker_of(org)
    getattr(org, action)(AT, "admin", "inspection")
    with pytest.raises(DomainRuleViolation) as excinfo:
        issue(org, worker)
    assert rule_of(excinfo) == rule


def test_a_y_certificate_only_for_the_issuers_own_staff():
    org = body()
    with pytest.raises(DomainRuleViolation) as excinfo:
        issue(org, worker_of(None))
    assert rule_of(excinfo) == "not-own-staff"


def test_an_s_body_may_evaluate_the_public():
    org = body(OrganisationKind.SOCIAL)
    assert issue(org, worker_of(None)).number.startswith("S")


def test_the_level_must_be_allowed_for_the_occupation():
    org = body()
    with pytest.raises(DomainRuleViolation) as excinfo:
        issue(org, worker_of(org), occupation=ESTATE_AGENT, level=SkillLevel.LEVEL_5)
    assert rule_of(excinfo) == "level-not-allowed-for-occupation"


def test_levels_are_earned_in_order():
    org = body()
    with pytest.raises(DomainRuleViolation) as excinfo:
        issue(org, worker_of(org), level=SkillLevel.LEVEL_3, held=[SkillLevel.LEVEL_5])
    assert rule_of(excinfo) == "levels-in-order"


def test_a_recorded_bypass_with_evidence_allows_skipping_a_level():
    org = body()
    certificate = issue(
        org,
        worker_of(org),
        level=SkillLevel.LEVEL_3,
        held=[SkillLevel.LEVEL_5],
        basis={"kind": "evaluation", "bypass": "fast_track", "evidence": "破格晋升审批表 2025-017"},
    )
    assert certificate.level is SkillLevel.LEVEL_3


def test_a_bypass_without_evidence_is_refused():
    org = body()
    with pytest.raises(DomainRuleViolation) as excinfo:
        issue(
            org,
            worker_of(org),
            level=SkillLevel.LEVEL_3,
            basis={"kind": "evaluation", "bypass": "fast_track"},
        )
    assert rule_of(excinfo) == "bypass-needs-evidence"


def test_a_level_already_held_is_not_issued_again():
    org = body()
    with pytest.raises(DomainRuleViolation) as excinfo:
        issue(org, worker_of(org), level=SkillLevel.LEVEL_5, held=[SkillLevel.LEVEL_4])
    assert rule_of(excinfo) == "level-already-held"


def test_an_occupation_starting_at_level_4_starts_there():
    org = body()
    certificate = issue(org, worker_of(org), occupation=ESTATE_AGENT, level=SkillLevel.LEVEL_4)
    assert certificate.number[15] == "4"


def test_revoked_is_final():
    org = body()
    certificate = issue(org, worker_of(org))
    certificate.revoke(AT, "admin", "作弊")
    for action in ("reinstate", "suspend", "revoke"):
        with pytest.raises(DomainRuleViolation) as excinfo:
            getattr(certificate, action)(AT, "admin", "again")
        assert rule_of(excinfo) == "revoked-is-final"


def test_suspension_and_reinstatement_need_reasons_and_are_kept_in_history():
    org = body()
    certificate = issue(org, worker_of(org))
    with pytest.raises(DomainRuleViolation):
        certificate.suspend(AT, "admin", " ")
    certificate.suspend(AT, "admin", "抽查")
    certificate.reinstate(AT, "admin", "核实无误")
    assert [h["status"] for h in certificate.history] == ["valid", "suspended", "valid"]
    assert certificate.status is CertificateStatus.VALID


def test_number_series_allocates_in_order_without_gaps():
    series = CertificateNumberSeries(evaluator_prefix="Y000011000001", issue_year="25", level="5")
    numbers = [str(n) for n in series.allocate(3, "a")] + [str(n) for n in series.allocate(1, "a")]
    assert [int(n[-6:]) for n in numbers] == [1, 2, 3, 4]


def test_number_series_refuses_to_overflow():
    series = CertificateNumberSeries(evaluator_prefix="Y000011000001", issue_year="25", level="5")
    series._serials_allocated(1, 999_998, "a")  # fast-forward without building 999,998 numbers
    with pytest.raises(DomainRuleViolation) as excinfo:
        series.allocate(2, "a")
    assert rule_of(excinfo) == "number-series-exhausted"


def test_filing_an_evaluation_body_needs_a_matching_prefix():
    with pytest.raises(DomainRuleViolation) as excinfo:
        Organisation.file(
            filing_code="x",
            name="n",
            kind=OrganisationKind.EMPLOYER,
            province_code="11",
            evaluator_prefix="S000011000001",
            scope={"6-31-01-03": ["5"]},
            filed_at=AT,
            actor="a",
        )
    assert rule_of(excinfo) == "evaluator-type-mismatch"


def test_scope_in_force_at_a_past_moment_is_answerable():
    org = body(scope={"6-31-01-03": ["5"]})
    org.amend_scope({"6-31-01-03": ["5", "4"]}, AT, "admin", "扩大备案范围")
    assert org.covered_at("6-31-01-03", SkillLevel.LEVEL_4, AT)
    assert not org.covered_at("6-31-01-03", SkillLevel.LEVEL_4, AT.replace(year=2021))


@pytest.mark.parametrize("levels", [[], ["3", "chief"], ["principal"], ["apprentice"]])
def test_a_filed_scope_holds_only_numbered_levels(levels: list[str]):
    with pytest.raises(DomainRuleViolation) as excinfo:
        body(scope={"6-31-01-03": levels})
    assert rule_of(excinfo) == "invalid-scope"
    org = body(scope={"6-31-01-03": ["5"]})
    with pytest.raises(DomainRuleViolation) as amended:
        org.amend_scope({"6-31-01-03": levels}, AT, "admin", "posts are not filed")
    assert rule_of(amended) == "invalid-scope"


def test_a_filed_scope_is_stored_as_sorted_level_codes():
    assert body(scope={"6-31-01-03": ["3", 5, "4", "3"]}).scope == {"6-31-01-03": ["3", "4", "5"]}


def test_key_rotation_closes_the_old_key_window():
    org = body()
    org.add_signing_key("k1", "z6Mk1", AT.replace(year=2021), "admin")
    org.add_signing_key("k2", "z6Mk2", AT, "admin")
    assert org.signing_keys["k1"]["valid_until"] == AT
    assert org.current_key_id == "k2"
