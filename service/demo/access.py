"""How a newcomer tries the demo: fictitious people to look up, a token for each role, and a
console account for each person's role with a known password (:data:`DEMO_PASSWORD`), and one
for each judge of the competition still in marking (they mark on ``/judge``).

Written once to ``demo-access.json`` in the data directory (mode 0600) and read back on later
runs, so seeding again grants nothing new. Only the demo writes it and only demo mode shows it:
a real deployment has no such file. The people are fictitious; their ID numbers are printed
here (and only here) so that the national-query check can be tried.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.api_token import Role
from domain.certificate import CertificateStatus
from domain.organisation import Organisation
from domain.person_account import AccountRole
from service.demo.cast import ACTOR, HRB, LIANJIA, UNION, DemoWorker
from service.demo.competitions import (
    DEMO_JUDGES,
    MARKING,
    marking_competition_id,
    panel_demo_judges,
)
from service.ledger import Ledger

ACCESS_FILE = "demo-access.json"
DEMO_PASSWORD = "craftledger-demo"
"""The password of every demo account: known, printed and shown on the demo's home page."""
DEMO_ACCOUNTS = (
    ("admin@demo.example", AccountRole.ADMIN, None, "演示：平台管理员"),
    ("hr@demo.example", AccountRole.HR_OFFICIAL, HRB, "演示：朝阳区人社局 王科长"),
    ("officer@demo.example", AccountRole.ISSUER_OFFICER, LIANJIA, "演示：北京链家 李经办"),
    ("organiser@demo.example", AccountRole.ORGANISER, UNION, "演示：竞赛组织者 赵老师"),
    ("union@demo.example", AccountRole.UNION_OFFICIAL, UNION, "演示：朝阳区总工会 孙干事"),
    ("auditor@demo.example", AccountRole.AUDITOR, None, "演示：质量督导 周审计"),
)


def access_path(ledger: Ledger) -> Path:
    return Path(ledger.settings.data_dir) / ACCESS_FILE


def read_access(data_dir: Path) -> dict[str, Any] | None:
    """The demo's access sheet, or None when this data directory holds no demo."""
    path = Path(data_dir) / ACCESS_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


def demo_people(ledger: Ledger, cast: list[DemoWorker]) -> list[dict[str, Any]]:
    """One holder of a valid, a suspended and a revoked certificate, for the verify box."""
    wanted = [CertificateStatus.REVOKED, CertificateStatus.SUSPENDED, CertificateStatus.VALID]
    people: list[dict[str, Any]] = []
    for status in wanted:  # the rarer ones first, so that three different people are found
        for worker in cast:
            if any(p["name"] == worker.name for p in people):
                continue
            held = ledger.worker(ledger.worker_id_for(worker.id_number)).certificates
            found = [
                number for number in sorted(held) if ledger.certificate(number).status is status
            ]
            if found:
                people.append(
                    {
                        "certificate": found[0],
                        "status": status.value,
                        "name": worker.name,
                        "id_number": worker.id_number.reveal(),
                        "worker_id": str(ledger.worker_id_for(worker.id_number)),
                    }
                )
                break
    return people[::-1]


DEMO_LOGINS = frozenset(
    [login for login, *_ in DEMO_ACCOUNTS] + [login for login, *_ in DEMO_JUDGES]
)


def demo_accounts(ledger: Ledger) -> list[dict[str, Any]]:
    """One console account per role and one per judge of :data:`MARKING` (on its panels),
    their password :data:`DEMO_PASSWORD` (made once)."""
    made = []
    for login, role, code, name in DEMO_ACCOUNTS:
        if ledger.accounts.find(login) is None:
            invitation = ledger.accounts.invite(
                login=login,
                name=name,
                role=role,
                organisation_id=Organisation.create_id(filing_code=code) if code else None,
                actor=ACTOR,
            )
            ledger.accounts.accept_invitation(
                invitation.account.id, invitation.token, DEMO_PASSWORD
            )
        made.append({"role": role.value, "login": login, "name": name})
    competition_id = marking_competition_id()
    if ledger.competition(competition_id).is_final:
        return made  # marked and published on this data directory: it needs no more judges
    panel_demo_judges(ledger, competition_id)  # on a demo seeded before the panels existed
    for login, _, name in DEMO_JUDGES:
        if ledger.accounts.find(login) is None:
            invitation = ledger.accounts.invite_judge(
                competition_id, login=login, name=name, actor=ACTOR
            )
            ledger.accounts.accept_invitation(
                invitation.account.id, invitation.token, DEMO_PASSWORD
            )
        made.append(
            {"role": AccountRole.JUDGE.value, "login": login, "name": name, "competition": MARKING}
        )
    return made


def write_access(ledger: Ledger, cast: list[DemoWorker]) -> dict[str, Any]:
    """Grant a token for each role and make the demo accounts (first run only; the accounts
    also on a data directory seeded before they, or some of them, existed) and write the
    access sheet."""
    path = access_path(ledger)
    sheet = read_access(path.parent)
    if sheet is not None:
        if {account["login"] for account in sheet.get("accounts", [])} != DEMO_LOGINS:
            sheet["accounts"] = demo_accounts(ledger)
            _write_sheet(path, sheet)
        return sheet
    people = demo_people(ledger, cast)
    org = {code: Organisation.create_id(filing_code=code) for code in (HRB, LIANJIA, UNION)}
    grants: list[tuple[Role, UUID | None, UUID | None, str]] = [
        (Role.ADMIN, org[HRB], None, "演示：朝阳区人社局"),
        (Role.ISSUER, org[LIANJIA], None, "演示：北京链家 人力资源部"),
        (Role.ORGANISER, org[UNION], None, "演示：朝阳区总工会"),
        (Role.AUDITOR, None, None, "演示：质量督导"),
        (Role.WORKER, None, UUID(people[0]["worker_id"]), f"演示：{people[0]['name']}"),
    ]
    tokens = []
    for role, organisation_id, worker_id, label in grants:
        token = secrets.token_urlsafe(32)
        ledger.tokens.grant_token(
            token=token,
            role=role,
            organisation_id=organisation_id,
            worker_id=worker_id,
            label=label,
            actor=ACTOR,
        )
        tokens.append({"role": role.value, "label": label, "token": token})
    sheet = {"people": people, "tokens": tokens, "accounts": demo_accounts(ledger)}
    _write_sheet(path, sheet)
    return sheet


def _write_sheet(path: Path, sheet: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(sheet, out, ensure_ascii=False, indent=2)


def access_lines(sheet: dict[str, Any], base_url: str) -> list[str]:
    """The access sheet as the lines the demo prints for a newcomer."""
    lines = [f"Try it (demo data only; these people are fictitious) at {base_url}/verify:"]
    for person in sheet["people"]:
        lines.append(
            f"  {person['status']:<9} {person['certificate']}  {person['name']}  "
            f"{person['id_number']}"
        )
    lines.append("API tokens, one per role (Authorization: Bearer TOKEN; also on the home page):")
    for grant in sheet["tokens"]:
        lines.append(f"  {grant['role']:<9} {grant['token']}  {grant['label']}")
    lines.append(
        f"Console accounts, one per role (sign in at {base_url}/signin; password "
        f"{DEMO_PASSWORD}; HR-bureau and issuer accounts enrol a TOTP app first; judges mark "
        f"{MARKING} on their phones at {base_url}/judge):"
    )
    for account in sheet.get("accounts", []):
        scope = f"  ({account['competition']})" if account.get("competition") else ""
        lines.append(f"  {account['role']:<15} {account['login']:<24} {account['name']}{scope}")
    return lines
