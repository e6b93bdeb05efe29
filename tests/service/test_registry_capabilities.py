"""The registry's capabilities are composed around the Ledger (issue 17): each is its own
class in its own package, built once per Ledger under its agreed name, and the Ledger no
longer answers their commands and reads itself."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.calendars import Calendars
from service.certificates import Certificates
from service.config import Settings
from service.honours import Honours
from service.ledger import Ledger
from service.organisations import Organisations
from service.posts import Posts
from service.tokens import Tokens
from service.workers import Workers

ROOT = Path(__file__).resolve().parents[2]

CAPABILITIES = {
    "calendars": (
        Calendars,
        "add_holiday_arrangement calendar_year recorded_year_calendar working_day_calendar "
        "year_calendars",
    ),
    "tokens": (
        Tokens,
        "token_hash grant_token revoke_token token_state lookup_token grant_by_hash find_token",
    ),
    "organisations": (
        Organisations,
        "file_organisation amend_scope change_organisation_status add_signing_key",
    ),
    "workers": (
        Workers,
        "register_worker start_employment confirm_employment decline_employment end_employment "
        "record_career_entry declare_external_certificate check_external_certificate "
        "held_levels certificates_of",
    ),
    "certificates": (
        Certificates,
        "number_series issue_certificate change_certificate_status dependents_of",
    ),
    "honours": (Honours, "define_honour_ladder award_honour withdraw_honour"),
    "posts": (Posts, "appoint_post withdraw_post post_credential_id post_credential"),
}


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    opened = Ledger(Settings(data_dir=tmp_path))
    yield opened
    opened.close()


@pytest.mark.parametrize("name", list(CAPABILITIES))
def test_each_capability_is_built_once_under_its_name(ledger: Ledger, name: str) -> None:
    cls, methods = CAPABILITIES[name]
    capability = getattr(ledger, name)
    assert type(capability) is cls
    for method in methods.split():
        assert callable(getattr(capability, method)), (name, method)


@pytest.mark.parametrize("name", list(CAPABILITIES))
def test_the_ledger_no_longer_answers_a_moved_method(name: str) -> None:
    _, methods = CAPABILITIES[name]
    assert [m for m in methods.split() if hasattr(Ledger, m)] == []


def test_capabilities_are_built_in_the_agreed_order(ledger: Ledger) -> None:
    order = [n for n in vars(ledger) if n in {*CAPABILITIES, "credentials"}]
    assert order == [
        "calendars",
        "tokens",
        "credentials",
        "organisations",
        "workers",
        "certificates",
        "honours",
        "posts",
    ]


@pytest.mark.parametrize("name", list(CAPABILITIES))
def test_a_capability_never_imports_the_ledger_back(name: str) -> None:
    for path in (ROOT / "service" / name).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "service.ledger", path
            elif isinstance(node, ast.Import):
                assert all(alias.name != "service.ledger" for alias in node.names), path
