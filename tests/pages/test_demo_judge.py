"""The demo's judges (``judge1@demo.example`` …, password ``craftledger-demo``) through the
Flask test client: listed on the demo's home page, and signing in lands on ``/judge`` with the
components of the competition still in marking (2026-CY-CARE) and their progress."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from domain.competition import Competition
from service.app import create_app
from service.config import Settings
from service.demo import seed_demo
from service.demo.access import DEMO_PASSWORD
from service.demo.competitions import DEMO_JUDGES, JUDGES, MARKING, marking_competition_id
from service.ledger import Ledger
from tests.pages.people import sign_in
from tests.support.api_world import close_app

TODAY = date(2026, 12, 6)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Ledger]]:
    """The demo seeded on a SQLite file and served in demo mode."""
    data_dir: Path = tmp_path_factory.mktemp("demo-judge")
    ledger = Ledger(Settings(data_dir=data_dir, demo=True))
    seed_demo(ledger, today=TODAY)
    app = create_app({"TESTING": True, "SIGNIN_RATE_LIMIT": "10000 per minute"}, ledger=ledger)
    try:
        yield app, ledger
    finally:
        close_app(app, ledger)


def marking_competition(ledger: Ledger) -> Competition:
    return ledger.competition(marking_competition_id())


def test_the_competition_in_marking_has_panels_of_the_demo_judges(
    demo_app: tuple[Flask, Ledger],
) -> None:
    _, ledger = demo_app
    competition = marking_competition(ledger)
    expected = [{"name": name, "login": login} for login, name, _ in DEMO_JUDGES]
    assert [j["name"] for j in expected] == list(JUDGES), "the names the demo's marks use"
    for component in ("theory", "practical"):
        assert [dict(j) for j in competition.panels[component]] == expected
    for login, _, _ in DEMO_JUDGES:
        account = ledger.accounts.find(login)
        assert account is not None and account.role.value == "judge"
        assert account.competition_id == competition.id


def test_a_demo_judge_signs_in_and_sees_the_components_with_progress(
    demo_app: tuple[Flask, Ledger],
) -> None:
    app, ledger = demo_app
    competition = marking_competition(ledger)
    entrants = len(competition.entrants)
    client = app.test_client()
    signed: Any = sign_in(client, "judge1@demo.example", DEMO_PASSWORD)
    assert signed.status_code == 303 and signed.headers["Location"] == "/judge"

    page = client.get("/judge")
    assert page.status_code == 200
    assert competition.name in page.text
    components = re.findall(r'class="judge-component-link" href="([^"]+)">([^<]+)<', page.text)
    assert [name for _, name in components] == ["theory", "practical"]
    progress = re.findall(r'class="judge-progress-text">([^<]+)<', page.text)
    assert progress == [f"已评 {entrants} / {entrants}", f"已评 {entrants // 2} / {entrants}"]
    assert "已封分" in page.text, "theory is locked"

    practical = client.get(components[1][0])
    assert practical.status_code == 200
    assert f"已评 {entrants // 2} / {entrants}" in practical.text


def test_the_demo_home_page_lists_the_judges(demo_app: tuple[Flask, Ledger]) -> None:
    app, _ = demo_app
    home = app.test_client().get("/").text
    for login, _, name in DEMO_JUDGES:
        assert f"<code>{login}</code>" in home
        assert f"{name}（{MARKING}）" in home
