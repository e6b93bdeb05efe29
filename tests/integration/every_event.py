"""One of every aggregate, each with every event its kind defines pending, made by the domain's
own methods: the round-trip and snapshot tests' material."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.api_token import ApiToken, Role
from domain.calendar_year import CalendarYear
from domain.certificate import Certificate
from domain.evaluation import Evaluation
from domain.holiday_arrangement import parse_arrangement
from domain.honour_ladder import HonourLadder
from domain.number_series import CertificateNumberSeries
from domain.occupation import find_occupation
from domain.organisation import Organisation, OrganisationKind
from domain.person_account import AccountRole, PersonAccount
from domain.post_appointment import PostAppointment
from domain.skill_level import SkillLevel
from domain.worker import CareerEntryKind, EmploymentRelation, Worker
from tests.competition.scenario import competition_with_every_event
from tests.evaluation.domain_scenario import run_whole_session
from tests.factories import fictitious_arrangement

AT = datetime(2025, 5, 1, tzinfo=UTC)


def scenario_aggregates() -> list:
    """The aggregates of :func:`scenario`, their events pending."""
    body = Organisation.file(
        filing_code="Y-1",
        name="北京链家",
        kind=OrganisationKind.EMPLOYER,
        province_code="11",
        evaluator_prefix="Y000011000001",
        scope={"6-31-01-03": ["5", "4"]},
        filed_at=AT,
        actor="a",
    )
    union = Organisation.file(
        filing_code="U-1",
        name="朝阳区总工会",
        kind=OrganisationKind.UNION,
        province_code="11",
        evaluator_prefix=None,
        scope={},
        filed_at=AT,
        actor="a",
    )
    body.record_district("110105", AT, "a")
    body.amend_scope({"6-31-01-03": ["5", "4", "3"]}, AT, "a", "扩大")
    body.add_signing_key("k1", "z6MkExample", AT, "a")
    body.mark_key_compromised("k1", AT, "a", "泄露")
    body.publish_document_signing_certificate("d1", "-----BEGIN CERTIFICATE-----", AT, "a")
    body.suspend(AT, "a", "r")
    body.reinstate(AT, "a", "r")
    union.revoke(AT, "a", "r")
    worker = Worker.register(
        identity_hash="ab" * 32,
        id_kind="resident",
        masked_id_number="110105********1239",
        name="张三",
        actor="a",
    )
    worker.correct_name("张叁", "a", "户籍更正")
    worker.start_employment(body.id, EmploymentRelation.STAFF, date(2020, 1, 1), "a")
    worker.end_employment(body.id, date(2024, 1, 1), "a")
    for claimant, since in ((body.id, date(2024, 6, 1)), (body.id, date(2025, 1, 1))):
        worker.start_employment(
            claimant, EmploymentRelation.STAFF, since, "issuer", claimant=claimant
        )
        if since.year == 2024:
            worker.confirm_employment(claimant, "worker")
            worker.end_employment(claimant, date(2024, 12, 31), "a")
        else:
            worker.decline_employment(claimant, "worker", "从未在该单位工作")
    worker.record_career_entry(CareerEntryKind.TRAINING, "培训", date(2022, 1, 1), "a")
    worker.declare_external_certificate(
        "S000011000101205000001",
        "某培训学校",
        "6-31-01-03",
        SkillLevel.LEVEL_5,
        date(2020, 1, 1),
        "a",
    )
    worker.check_external_certificate("S000011000101205000001", True, "a", "全国联网查询一致")
    series = CertificateNumberSeries(evaluator_prefix="Y000011000001", issue_year="25", level="4")
    (number,) = series.allocate(1, "a")
    certificate = Certificate(
        number=str(number),
        worker_id=worker.id,
        holder_name="张叁",
        masked_id_number="110105********1239",
        issuer_id=body.id,
        issuer_name="北京链家",
        occupation_code="6-31-01-03",
        occupation_name="电工",
        level="4",
        basis={"kind": "evaluation", "reference": "E"},
        issued_at=AT,
        actor="a",
    )
    worker.receive_certificate(str(number), "6-31-01-03", "4", body.id, "2025-05-01", "a")
    certificate.suspend(AT, "a", "r")
    certificate.reinstate(AT, "a", "r")
    certificate.flag_dependency(
        AT, "a", revoked_number="Y000011000001245000001", reason="fraud", kind="levels_in_order",
        via="Y000011000001245000001",
    )  # fmt: skip
    certificate.revoke(AT, "a", "r")
    evaluation = Evaluation.plan(
        body=body,
        reference="E",
        occupation=find_occupation("6-31-01-03"),
        level=SkillLevel.LEVEL_4,
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 1, 2),
        panels={"practical": ["a", "b", "c"]},
        actor="a",
    )
    session_aggregates = run_whole_session(evaluation, body, series, AT)
    union2 = Organisation.file(
        filing_code="U-2",
        name="区总工会",
        kind=OrganisationKind.UNION,
        province_code="11",
        evaluator_prefix=None,
        scope={},
        filed_at=AT,
        actor="a",
    )
    competition = competition_with_every_event(union2, body)
    ladder = HonourLadder.define(union_id=union2.id, name="荣誉", tiers=["能手", "工匠"], actor="a")
    ladder.award("A1", worker.id, "工匠", 2024, "a")
    ladder.withdraw("A1", "a", "撤销")
    ladder.set_tier_rule(True, 1, "a", "逐级评选")
    token = ApiToken.grant(
        token_hash="cd" * 32,
        role=Role.ADMIN,
        organisation_id=None,
        worker_id=None,
        label="",
        actor="a",
    )
    token.revoke("a", "rotated")
    calendar_year = CalendarYear.open(2027, "a")
    calendar_year.add_arrangement(parse_arrangement(fictitious_arrangement()), at=AT, actor="a")
    post = PostAppointment.nominate(
        organisation=body, worker_id=worker.id, worker_name="张三", own_staff=True,
        occupation_code="6-31-01-03", occupation_name="电工", post="apprentice",
        prerequisite=None, at=AT, actor="a",
    )  # fmt: skip
    for review in ("performance", "defence", "comprehensive"):
        post.pass_review(review, "记录", AT.date(), AT, "a")
    post.appoint(AT, "a")
    post.withdraw(AT, "a", "离职")
    account = PersonAccount.invite(
        login="chen@example.org", name="陈经办", role=AccountRole.ISSUER_OFFICER,
        organisation_id=body.id, actor="a",
    )  # fmt: skip
    account.accept_invitation()
    account.enrol_second_factor()
    account.reset_sign_in("a")
    account.change_role(AccountRole.AUDITOR, None, "a")
    account.deactivate("a", "离职")
    aggregates = [
        account,
        post,
        body,
        union,
        union2,
        worker,
        series,
        certificate,
        evaluation,
        competition,
        ladder,
        token,
        calendar_year,
        *session_aggregates,
    ]
    return aggregates
