"""PersonAccount: a person who signs in to the console (an officer, an official, an auditor)
or to the marking page (a judge of one competition, ``competition_id``).

Who the person is, which organisation they work for and in which role, when they were invited,
accepted, enrolled a second factor or were deactivated: these are events, so the audit trail
says who let whom in. Their secrets are not: the password hash, the TOTP secret, the invitation
token's hash and the failed-attempt counter live in a side table beside the log
(``service.accounts.secrets``), so that changing a password does not keep the old hash in an
immutable record for ever.

The login is an e-mail address or a mainland mobile number, normalised (:func:`parse_login`);
the account's id is derived from it, so one login names one account.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.api_token import Role
from domain.errors import DomainRuleViolation, InvalidValue
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate

__all__ = ["AccountRole", "PersonAccount", "login_id", "parse_login"]


class AccountRole(StrEnum):
    """What a person does here; :attr:`acts_as` is the API role their commands carry."""

    ADMIN = "admin"  # 平台管理员: invites people, every command
    HR_OFFICIAL = "hr_official"  # 人社局: the filing authority
    ISSUER_OFFICER = "issuer_officer"  # 评价机构经办人: runs one body's evaluation sessions
    ORGANISER = "organiser"  # 竞赛组织者: runs competitions
    UNION_OFFICIAL = "union_official"  # 总工会: honours and competitions of one union
    AUDITOR = "auditor"  # 审计: reads everything, writes nothing
    JUDGE = "judge"  # 裁判: marks one competition's components, under their own name

    @property
    def acts_as(self) -> Role:
        return ACTS_AS[self]

    @property
    def needs_organisation(self) -> bool:
        return self not in (AccountRole.ADMIN, AccountRole.AUDITOR)

    @property
    def needs_competition(self) -> bool:
        """A judge's account is scoped to one competition (and its organiser); no other is."""
        return self is AccountRole.JUDGE

    @property
    def needs_second_factor(self) -> bool:
        """HR-bureau officials and issuer officers must enrol a TOTP second factor.

        Judges need not: they sign in on their own phones in the competition venue, often
        once, for a day, and an authenticator app to install there would keep marking waiting
        (the phone that would hold the app is the one they mark on, so it would add little).
        What a judge's password opens is small and watched: one competition, only the
        components their panel names, only marks under their own name, each a recorded event
        the chief judge sees, corrects with a reason or locks; and the organiser deactivates
        the account when the competition is over."""
        return self in (AccountRole.HR_OFFICIAL, AccountRole.ISSUER_OFFICER)


ACTS_AS = {
    AccountRole.ADMIN: Role.ADMIN,
    AccountRole.HR_OFFICIAL: Role.ADMIN,
    AccountRole.ISSUER_OFFICER: Role.ISSUER,
    AccountRole.ORGANISER: Role.ORGANISER,
    AccountRole.UNION_OFFICIAL: Role.ORGANISER,
    AccountRole.AUDITOR: Role.AUDITOR,
    AccountRole.JUDGE: Role.JUDGE,
}

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def parse_login(text: str) -> str:
    """An e-mail address (lower-cased) or a mainland mobile number (11 digits, ``+86`` and
    spaces or dashes dropped); else :class:`InvalidValue` naming ``login``."""
    value = text.strip()
    if "@" in value:
        value = value.lower()
        if len(value) <= 254 and _EMAIL.fullmatch(value):
            return value
        raise InvalidValue("login", "not an e-mail address")
    digits = re.sub(r"[\s-]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    if _MOBILE.fullmatch(digits):
        return digits
    raise InvalidValue("login", "give an e-mail address or an 11-digit mobile number")


def login_id(login: str) -> UUID:
    """The id of the account whose (normalised) login is ``login``."""
    return natural_id("person-account", login)


class PersonAccount(LedgerAggregate):
    """One person's membership: login, name, organisation, role and whether it may sign in."""

    TOPIC = "craftledger:PersonAccount"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:PersonAccount.Created"

    @staticmethod
    def create_id(login: str, **_: Any) -> UUID:
        return login_id(login)

    @event("Invited", topic="craftledger:PersonAccount.Invited")
    def __init__(
        self,
        login: str,
        name: str,
        role: str,
        organisation_id: UUID | None,
        actor: str,
        competition_id: UUID | None = None,
    ) -> None:
        self.login = login
        self.name = name
        self.role = AccountRole(role)
        self.organisation_id = organisation_id
        self.competition_id = competition_id
        self.invited_by = actor
        self.accepted = False
        self.second_factor = False
        self.deactivated = False

    @classmethod
    def invite(
        cls,
        *,
        login: str,
        name: str,
        role: AccountRole,
        organisation_id: UUID | None,
        actor: str,
        competition_id: UUID | None = None,
    ) -> PersonAccount:
        """Invite a person; an officer, organiser or official needs an organisation, a judge
        the competition they mark (and its organiser as organisation)."""
        name = name.strip()
        if not name or len(name) > 100:
            raise InvalidValue("name", "give the person's name (at most 100 characters)")
        _check_binding(role, organisation_id)
        if role.needs_competition and competition_id is None:
            raise InvalidValue("competition", "a judge account needs the competition it marks")
        if not role.needs_competition and competition_id is not None:
            raise InvalidValue("competition", f"a {role.value} account has no competition")
        return cls(
            login=parse_login(login),
            name=name,
            role=role.value,
            organisation_id=organisation_id,
            actor=actor,
            competition_id=competition_id,
        )

    @property
    def active(self) -> bool:
        """Whether the person may sign in: invitation accepted, not deactivated."""
        return self.accepted and not self.deactivated

    def accept_invitation(self) -> None:
        """The person chose a password (kept in the side table, not here)."""
        if self.deactivated:
            raise DomainRuleViolation("account-deactivated", "the account is deactivated")
        if not self.accepted:
            self._invitation_accepted(actor=f"person:{self.id}")

    @event("InvitationAccepted", topic="craftledger:PersonAccount.InvitationAccepted")
    def _invitation_accepted(self, actor: str) -> None:
        self.accepted = True

    def enrol_second_factor(self) -> None:
        if not self.active:
            raise DomainRuleViolation("account-inactive", "the account cannot sign in")
        self._second_factor_enrolled(actor=f"person:{self.id}")

    @event("SecondFactorEnrolled", topic="craftledger:PersonAccount.SecondFactorEnrolled")
    def _second_factor_enrolled(self, actor: str) -> None:
        self.second_factor = True

    def reset_sign_in(self, actor: str) -> None:
        """An administrator reset the person's sign-in (a forgotten password, a lost phone):
        password and second factor are void until the person follows a new invitation."""
        if self.deactivated:
            raise DomainRuleViolation("account-deactivated", "the account is deactivated")
        self._sign_in_reset(actor=actor)

    @event("SignInReset", topic="craftledger:PersonAccount.SignInReset")
    def _sign_in_reset(self, actor: str) -> None:
        self.second_factor = False

    def change_role(self, role: AccountRole, organisation_id: UUID | None, actor: str) -> None:
        """Move the person to another role or organisation; a judge's account is bound to
        its competition for good (judging another one is a new invitation)."""
        if AccountRole.JUDGE in (role, self.role):
            raise DomainRuleViolation(
                "judge-account-fixed",
                "a judge's account stays with its one competition; invite a new account",
            )
        _check_binding(role, organisation_id)
        if (role, organisation_id) != (self.role, self.organisation_id):
            self._role_changed(role=role.value, organisation_id=organisation_id, actor=actor)

    @event("RoleChanged", topic="craftledger:PersonAccount.RoleChanged")
    def _role_changed(self, role: str, organisation_id: UUID | None, actor: str) -> None:
        self.role = AccountRole(role)
        self.organisation_id = organisation_id

    def deactivate(self, actor: str, reason: str) -> None:
        """The person may no longer sign in; their past commands stay theirs."""
        if self.deactivated:
            raise DomainRuleViolation("account-deactivated", "the account is already deactivated")
        if not reason.strip():
            raise InvalidValue("reason", "say why the account is deactivated")
        self._deactivated(actor=actor, reason=reason.strip())

    @event("Deactivated", topic="craftledger:PersonAccount.Deactivated")
    def _deactivated(self, actor: str, reason: str) -> None:
        self.deactivated = True


def _check_binding(role: AccountRole, organisation_id: UUID | None) -> None:
    if role.needs_organisation and organisation_id is None:
        raise InvalidValue("organisation", f"a {role.value} account needs an organisation")
    if not role.needs_organisation and organisation_id is not None:
        raise InvalidValue("organisation", f"a {role.value} account has no organisation")
