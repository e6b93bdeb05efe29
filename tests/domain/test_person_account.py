"""A person's account as a small aggregate: invitation, acceptance, role, deactivation."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.api_token import Role
from domain.errors import DomainRuleViolation, InvalidValue
from domain.person_account import AccountRole, PersonAccount, login_id, parse_login


def officer() -> PersonAccount:
    return PersonAccount.invite(
        login=" Li.Ming@Example.CN ",
        name="李明",
        role=AccountRole.ISSUER_OFFICER,
        organisation_id=uuid4(),
        actor="admin:person:x",
    )


def test_logins_are_normalised_and_name_the_account() -> None:
    assert parse_login(" Li.Ming@Example.CN ") == "li.ming@example.cn"
    assert parse_login("+86 138-0013-8000") == "13800138000"
    assert officer().id == login_id("li.ming@example.cn")
    for bad in ("", "li.ming", "12345", "a@b", "2380013800"):
        with pytest.raises(InvalidValue) as raised:
            parse_login(bad)
        assert raised.value.field == "login"


def test_roles_act_as_api_roles_and_need_an_organisation_or_none() -> None:
    assert AccountRole.HR_OFFICIAL.acts_as is Role.ADMIN
    assert AccountRole.UNION_OFFICIAL.acts_as is Role.ORGANISER
    assert AccountRole.ISSUER_OFFICER.needs_second_factor
    assert not AccountRole.AUDITOR.needs_second_factor
    with pytest.raises(InvalidValue, match="organisation"):
        PersonAccount.invite(
            login="a@b.cn", name="甲", role=AccountRole.ORGANISER, organisation_id=None, actor="t"
        )
    with pytest.raises(InvalidValue, match="organisation"):
        PersonAccount.invite(
            login="a@b.cn", name="甲", role=AccountRole.AUDITOR, organisation_id=uuid4(), actor="t"
        )
    with pytest.raises(InvalidValue, match="name"):
        PersonAccount.invite(
            login="a@b.cn", name=" ", role=AccountRole.AUDITOR, organisation_id=None, actor="t"
        )


def test_an_account_is_active_from_acceptance_until_deactivation() -> None:
    account = officer()
    assert not account.active
    account.accept_invitation()
    assert account.active
    account.enrol_second_factor()
    account.reset_sign_in("admin:person:x")
    assert not account.second_factor and account.active
    with pytest.raises(InvalidValue):
        account.deactivate("admin:person:x", " ")
    account.deactivate("admin:person:x", "left the body")
    assert not account.active
    with pytest.raises(DomainRuleViolation):
        account.deactivate("admin:person:x", "again")
    with pytest.raises(DomainRuleViolation):
        account.accept_invitation()
    with pytest.raises(DomainRuleViolation):
        account.reset_sign_in("admin:person:x")
    names = [type(e).__name__ for e in account.collect_events()]
    assert names == [
        "Invited",
        "InvitationAccepted",
        "SecondFactorEnrolled",
        "SignInReset",
        "Deactivated",
    ]


def test_a_role_change_is_an_event_only_when_something_changes() -> None:
    account = officer()
    account.change_role(AccountRole.ISSUER_OFFICER, account.organisation_id, "admin")
    account.change_role(AccountRole.AUDITOR, None, "admin")
    assert account.role is AccountRole.AUDITOR and account.organisation_id is None
    assert [type(e).__name__ for e in account.collect_events()] == ["Invited", "RoleChanged"]


def test_no_secret_is_an_attribute_of_any_event() -> None:
    account = officer()
    account.accept_invitation()
    account.enrol_second_factor()
    for recorded in account.collect_events():
        fields = set(vars(recorded))
        assert not fields & {"password", "password_hash", "totp_secret", "secret", "token"}
