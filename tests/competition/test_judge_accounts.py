"""Judge accounts (裁判): invited by the competition's organiser through the API, scoped to that
one competition; a judge has no token and no console (SQLite and PostgreSQL)."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.api_token import ApiToken, Role
from domain.errors import DomainRuleViolation, InvalidValue
from domain.organisation import OrganisationKind
from domain.person_account import AccountRole, PersonAccount
from service.accounts import SignInOutcome
from tests.competition.arena import Arena, descending
from tests.competition.test_api import announce, ok, problem
from tests.support.api_world import World, unique


def invite(world: World, competition: str, principal: str = "organiser", **body: str):  # type: ignore[no-untyped-def]
    body.setdefault("login", f"judge{unique()}@example.cn")
    body.setdefault("name", "裁判甲")
    return world.call("POST", f"/api/v1/competitions/{competition}/judges", principal, json=body)


def test_the_organiser_invites_a_judge_of_one_competition(world: World) -> None:
    competition = announce(world, world.fresh_employer(OrganisationKind.SOCIAL))
    answer = invite(world, competition["id"], login="Judge.One@Example.cn")
    body = ok(answer, 201)
    assert body["login"] == "judge.one@example.cn" and body["name"] == "裁判甲"
    assert body["competition_id"] == competition["id"]
    assert answer.headers["Location"].endswith(f"/api/v1/competitions/{competition['id']}")
    assert f"/invitation/{body['account_id']}/" in body["invitation"]
    account = world.ledger.accounts.account(UUID(body["account_id"]))
    assert account.role is AccountRole.JUDGE
    assert account.organisation_id == world.ids["union"]
    assert account.competition_id == UUID(competition["id"])
    # the same login twice is refused; the admin may invite too
    problem(invite(world, competition["id"], login="judge.one@example.cn"), 422, "account-exists")
    ok(invite(world, competition["id"], "admin"), 201)


def test_only_the_organiser_of_that_competition_invites_its_judges(world: World) -> None:
    competition = announce(world, world.fresh_employer(OrganisationKind.SOCIAL))
    for principal in ("issuer", "auditor", "worker"):
        problem(invite(world, competition["id"], principal), 403)
    problem(invite(world, competition["id"], "public"), 401)
    problem(invite(world, str(UUID(int=7))), 404)
    problem(invite(world, competition["id"], login="not a login"), 422)


def test_an_account_that_is_not_a_judge_has_no_competition_and_a_judge_needs_one() -> None:
    union = UUID(int=1)
    with pytest.raises(InvalidValue, match="needs the competition"):
        PersonAccount.invite(
            login="j@example.cn",
            name="裁判",
            role=AccountRole.JUDGE,
            organisation_id=union,
            actor="t",
        )
    with pytest.raises(InvalidValue, match="has no competition"):
        PersonAccount.invite(
            login="o@example.cn",
            name="组织",
            role=AccountRole.ORGANISER,
            organisation_id=union,
            actor="t",
            competition_id=UUID(int=2),
        )
    judge = PersonAccount.invite(
        login="j@example.cn",
        name="裁判",
        role=AccountRole.JUDGE,
        organisation_id=union,
        actor="t",
        competition_id=UUID(int=2),
    )
    assert not judge.role.needs_second_factor and judge.role.acts_as is Role.JUDGE
    with pytest.raises(DomainRuleViolation, match="stays with its one competition"):
        judge.change_role(AccountRole.ORGANISER, union, "admin:t")


def test_no_token_acts_as_a_judge() -> None:
    with pytest.raises(DomainRuleViolation) as refused:
        ApiToken.grant(
            token_hash="x",
            role=Role.JUDGE,
            organisation_id=UUID(int=1),
            worker_id=None,
            label="",
            actor="t",
        )
    assert refused.value.rule == "token-for-judge"


def test_a_judge_account_belongs_to_the_organiser_and_a_finalised_competition_takes_none(
    arena: Arena,
) -> None:
    competition = arena.announce()
    invitation = arena.ledger.accounts.invite_judge(
        competition, login="13900139000", name="赵裁判", actor="organiser:test"
    )
    account = invitation.account
    assert (account.organisation_id, account.competition_id) == (arena.union, competition)
    arena.ledger.accounts.accept_invitation(account.id, invitation.token, "a long password!")
    signed = arena.ledger.accounts.sign_in("139 0013 9000", "a long password!")
    assert signed.outcome is SignInOutcome.SIGNED_IN  # no second factor asked of a judge
    arena.run(competition, descending(arena.ranked_field(3)))
    with pytest.raises(DomainRuleViolation) as refused:
        arena.ledger.accounts.invite_judge(
            competition, login="j2@example.cn", name="钱裁判", actor="organiser:test"
        )
    assert refused.value.rule == "results-final"
