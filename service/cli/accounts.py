"""``craftledger accounts invite|reset|deactivate|list``: people's accounts from the command line.

``invite`` records the account (actor ``cli:<user>``) and prints the invitation link once on
stdout (single-use, expiring; only its digest is kept): hand it to the person, who chooses a
password on it. ``reset`` voids a person's password and second factor and prints a new link;
``reset`` and ``deactivate`` take the login or the account id. ``list`` prints one account a
line, tab-separated: id, login, role, organisation, state, name.
"""

from __future__ import annotations

from uuid import UUID

import click

from domain.errors import InvalidValue
from domain.person_account import AccountRole
from service.cli.token import _refusals_reported, cli_actor
from service.ledger import Ledger


@click.group("accounts")
def accounts_group() -> None:
    """Invite people to the console, deactivate their accounts, list them."""


@accounts_group.command("invite")
@click.option("--login", required=True, help="e-mail address or mainland mobile number")
@click.option("--name", required=True, help="the person's name")
@click.option(
    "--role", required=True, type=click.Choice([role.value for role in AccountRole]), help="role"
)
@click.option(
    "--org", "organisation_id", type=click.UUID, help="organisation (all but admin, auditor)"
)
@click.option(
    "--days",
    type=click.IntRange(1, 30),
    default=7,
    show_default=True,
    help="days the invitation link works",
)
def invite(login: str, name: str, role: str, organisation_id: UUID | None, days: int) -> None:
    """Invite a person; print their invitation link (shown once)."""
    with _refusals_reported(Ledger()) as ledger:
        try:
            invitation = ledger.accounts.invite(
                login=login,
                name=name,
                role=AccountRole(role),
                organisation_id=organisation_id,
                actor=cli_actor(),
                days=days,
            )
        except InvalidValue as error:
            raise click.BadParameter(error.detail, param_hint=f"--{error.field}") from None
        base_url = ledger.credentials.credential_urls.base_url
    account = invitation.account
    click.echo(f"{base_url}/invitation/{account.id}/{invitation.token}")
    click.echo(
        f"account {account.id} ({role}) invited at log position {invitation.recorded.position}; "
        f"the link works once, until {invitation.expires_at.isoformat()}, and is shown only now",
        err=True,
    )


@accounts_group.command("reset")
@click.argument("account")
def reset(account: str) -> None:
    """Reset a person's sign-in (by login or id): password and second factor are void; print
    a new invitation link (shown once)."""
    with _refusals_reported(Ledger()) as ledger:
        invitation = ledger.accounts.reset_sign_in(_account_id(ledger, account), actor=cli_actor())
        base_url = ledger.credentials.credential_urls.base_url
    click.echo(f"{base_url}/invitation/{invitation.account.id}/{invitation.token}")
    click.echo(
        f"sign-in of {invitation.account.id} reset; the link works once, until "
        f"{invitation.expires_at.isoformat()}, and is shown only now",
        err=True,
    )


def _account_id(ledger: Ledger, account: str) -> UUID:
    """``account`` as an id, or the id of the account with that login."""
    try:
        return UUID(account)
    except ValueError:
        found = ledger.accounts.find(account)
        if found is None:
            raise click.ClickException(f"no account with login {account}") from None
        return found.id  # type: ignore[no-any-return]


@accounts_group.command("deactivate")
@click.argument("account")
@click.option("--reason", required=True, help="why; recorded in the event")
def deactivate(account: str, reason: str) -> None:
    """Deactivate an account (by login or id): its sessions end at once."""
    if not reason.strip():
        raise click.BadParameter("give a reason", param_hint="--reason")
    with _refusals_reported(Ledger()) as ledger:
        account_id = _account_id(ledger, account)
        recorded = ledger.accounts.deactivate(account_id, actor=cli_actor(), reason=reason)
    click.echo(f"account {account_id} deactivated at log position {recorded.position}")


@accounts_group.command("list")
def list_accounts() -> None:
    """Every invited account, one a line."""
    with _refusals_reported(Ledger()) as ledger:
        for account in ledger.accounts.list_accounts():
            state = (
                "deactivated"
                if account.deactivated
                else "active"
                if account.accepted
                else "invited"
            )
            if account.second_factor and not account.deactivated:
                state += "+totp"
            organisation = str(account.organisation_id or "-")
            click.echo(
                "\t".join(
                    (
                        str(account.id),
                        account.login,
                        account.role.value,
                        organisation,
                        state,
                        account.name,
                    )
                )
            )
