"""``craftledger accounts invite|deactivate|list`` on the test's ledger (SQLite file and
PostgreSQL schema)."""

from __future__ import annotations

from uuid import UUID

from click.testing import CliRunner, Result

from service.accounts import SignInOutcome
from service.cli import main
from service.ledger import Ledger
from tests.factories.organisations import file_employer


def accounts(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, ["accounts", *args], env=env, catch_exceptions=False)


def test_invite_prints_a_working_link_once_and_list_and_deactivate_follow(
    cli_env: dict[str, str], ledger: Ledger
) -> None:
    body = file_employer(ledger)
    invited = accounts(
        cli_env,
        "invite",
        "--login",
        "13800138000",
        "--name",
        "李经办",
        "--role",
        "issuer_officer",
        "--org",
        str(body.id),
    )
    assert invited.exit_code == 0, invited.output
    link = invited.stdout.strip()
    account_id, token = UUID(link.split("/")[-2]), link.split("/")[-1]
    assert "/invitation/" in link and "shown only now" in invited.stderr
    reader = Ledger(ledger.settings, clock=ledger.clock)
    try:
        reader.accounts.accept_invitation(account_id, token, "a long enough password")
        assert reader.accounts.sign_in("138 0013 8000", "a long enough password").outcome is (
            SignInOutcome.SIGNED_IN
        )
    finally:
        reader.close()
    listed = accounts(cli_env, "list")
    assert listed.stdout.split("\t")[:5] == [
        str(account_id),
        "13800138000",
        "issuer_officer",
        str(body.id),
        "active",
    ]
    refused = CliRunner().invoke(
        main,
        ["accounts", "invite", "--login", "x", "--name", "某", "--role", "auditor"],
        env=cli_env,
    )
    assert refused.exit_code == 2 and "--login" in refused.output
    reset = accounts(cli_env, "reset", "13800138000")
    assert reset.exit_code == 0 and reset.stdout.strip() != link
    assert f"/invitation/{account_id}/" in reset.stdout
    gone = accounts(cli_env, "deactivate", "13800138000", "--reason", "调离")
    assert gone.exit_code == 0 and str(account_id) in gone.stdout
    assert "\tdeactivated\t" in accounts(cli_env, "list").stdout
