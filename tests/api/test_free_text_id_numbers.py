"""An ID number typed into free text -- a name, a title, a note, a reference, a label -- is
masked before it is recorded, on SQLite and PostgreSQL: it appears in no API answer, no public
page, no signed credential and nowhere in the stored bytes; the masked form does."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from tests.factories import ELECTRICIAN, checksummed, id_number, marking_scheme
from tests.support.api_world import World, unique
from tests.support.stores import POSTGRES_URL


def tricky_numbers(n: int) -> list[str]:
    """Three checksum-valid numbers, unique to ``n``: a plausible one, one born in month 13,
    one born in the future."""
    serial = f"{n % 1000:03d}"
    return [
        checksummed(f"3201{n % 90 + 10:02d}1988{n % 12 + 1:02d}15{serial}"),
        checksummed(f"4403{n % 90 + 10:02d}19901325{serial}"),
        checksummed(f"5101{n % 90 + 10:02d}20990230{serial}"),
    ]


def masked(number: str) -> str:
    return number[:6] + "********" + number[14:]


VALID = checksummed("11010519900307001")


def free_text(numbers: list[str], prefix: str = "备注") -> str:
    """The numbers as people type them: alone, directly after a letter, inside a word."""
    a, b, c = numbers
    return f"{prefix} {a} X{b} abc{c}"


def stored_text(world: World) -> str:
    """Everything the store holds, as text: every file of the SQLite data directory, or every
    row of every table of the PostgreSQL schema."""
    settings = world.ledger.settings
    if world.backend == "sqlite":
        files = [p for p in settings.data_dir.rglob("*") if p.is_file()]
        return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in files)
    schema = settings.postgres_schema
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            )
        ]
        chunks = []
        for table in tables:
            for (row,) in conn.execute(f'SELECT t::text FROM "{schema}"."{table}" t'):
                chunks.append(row)
        binary = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = %s AND data_type = 'bytea'",
            (schema,),
        ).fetchall()
        for table, column in binary:
            for (value,) in conn.execute(f'SELECT "{column}" FROM "{schema}"."{table}"'):
                if value is not None:
                    chunks.append(bytes(value).decode("utf-8", "replace"))
    return "\n".join(chunks)


def organisation(world: World, text: str) -> list[Any]:
    n = unique()
    filed = world.call(
        "POST",
        "/api/v1/organisations",
        json={
            "filing_code": f"pii-{n}",
            "name": text,
            "kind": "employer",
            "province_code": "11",
            "evaluator_prefix": f"Y{n % 10000:04d}11{n % 1000000:06d}",
            "scope": {ELECTRICIAN: ["5"]},
        },
    )
    assert filed.status_code == 201, filed.json
    return [filed, world.call("GET", f"/api/v1/organisations/{filed.json['id']}", "public")]


def worker_name(world: World, text: str) -> list[Any]:
    registered = world.call(
        "POST",
        "/api/v1/workers",
        "issuer",
        json={"name": text, "id_number": id_number(unique() + 60000).reveal()},
    )
    assert registered.status_code == 201, registered.json
    return [registered, world.call("GET", f"/api/v1/workers/{registered.json['id']}", "auditor")]


def competition(world: World, text: str) -> list[Any]:
    announced = world.call(
        "POST",
        "/api/v1/competitions",
        "organiser",
        json={
            "reference": f"C-{unique()}-X{text.split()[1]}",
            "name": text,
            "tier": "district",
            "occupation_code": ELECTRICIAN,
            "exam_level": "3",
            "year": 2025,
            "region": text[:100],
            "marking_scheme": marking_scheme(),
        },
    )
    assert announced.status_code == 201, announced.json
    competition_id = announced.json["id"]
    return [
        announced,
        world.call("GET", f"/api/v1/competitions/{competition_id}", "public"),
        world.call("GET", f"/competitions/{competition_id}", "public"),
        world.call("GET", "/competitions", "public"),
    ]


def ladder(world: World, text: str) -> list[Any]:
    defined = world.call(
        "POST",
        "/api/v1/honour-ladders",
        "organiser",
        json={"name": text[:100], "tiers": ["能手", text[:50]]},
    )
    assert defined.status_code == 201, defined.json
    return [defined, world.call("GET", f"/api/v1/honour-ladders/{defined.json['id']}", "public")]


def career_entry(world: World, text: str) -> list[Any]:
    worker = world.fresh_worker(world.ids["org_a"])
    recorded = world.call(
        "POST",
        f"/api/v1/workers/{worker}/record-career-entry",
        "issuer",
        json={"kind": "training", "title": text, "on": "2023-05-01", "details": {"note": text}},
    )
    assert recorded.status_code in (200, 201), recorded.json
    return [recorded, world.call("GET", f"/api/v1/workers/{worker}", "auditor")]


def external_issuer(world: World, text: str) -> list[Any]:
    worker = world.fresh_worker(world.ids["org_a"])
    declared = world.call(
        "POST",
        f"/api/v1/workers/{worker}/declare-external-certificate",
        "issuer",
        json={
            "number": f"S0000110000{unique() % 100:02d}234{unique() % 1000000:06d}",
            "issuer_name": text,
            "occupation_code": ELECTRICIAN,
            "level": "4",
            "issued_on": "2024-05-01",
        },
    )
    assert declared.status_code in (200, 201), declared.json
    return [declared, world.call("GET", f"/api/v1/workers/{worker}", "auditor")]


def basis(world: World, text: str) -> list[Any]:
    worker = world.fresh_worker(world.ids["org_a"])
    issued = world.call(
        "POST",
        "/api/v1/certificates",
        "issuer",
        json={
            "worker_id": str(worker),
            "occupation_code": ELECTRICIAN,
            "level": "5",
            "basis": {"kind": "evaluation", "reference": text, "evidence": text},
        },
    )
    assert issued.status_code == 201, issued.json
    number = issued.json["number"]
    assert number[0] in "YS" and len(number) == 22
    return [
        issued,
        world.call("GET", f"/api/v1/certificates/{number}", "admin"),
        world.call("GET", f"/api/v1/certificates/{number}/credential", "public"),
        world.call("GET", f"/c/{number}", "public"),
    ]


def token_label(world: World, text: str) -> list[Any]:
    created = world.call("POST", "/api/v1/tokens", json={"role": "auditor", "label": text[:100]})
    assert created.status_code == 201, created.json
    return [created, world.call("GET", f"/api/v1/tokens/{created.json['id']}")]


ENTRY_POINTS: dict[str, Callable[[World, str], list[Any]]] = {
    "organisation name": organisation,
    "worker name": worker_name,
    "competition name, reference and region": competition,
    "ladder name and tier": ladder,
    "career title and note": career_entry,
    "external issuer name": external_issuer,
    "basis reference and evidence": basis,
    "token label": token_label,
}


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_an_id_number_in_free_text_is_stored_and_shown_masked(world: World, entry: str) -> None:
    numbers = tricky_numbers(unique() + 90000)
    answers = ENTRY_POINTS[entry](world, free_text(numbers))
    shown = [answer.get_data(as_text=True) for answer in answers]
    stored = stored_text(world)
    for number in numbers:
        for text in [*shown, stored]:
            assert number not in text and number[6:14] not in text, (entry, number)
    assert masked(numbers[0]) in shown[0]
    assert masked(numbers[1]) in stored


def test_a_problem_never_echoes_an_id_number_from_the_path(sqlite_world: World) -> None:
    for path in (
        f"/api/v1/nothing/{VALID}",
        f"/api/v1/certificates/X{VALID}",
        f"/api/v1/certificates/{VALID}/credential",
        f"/api/v1/workers/{VALID}",
    ):
        answer = sqlite_world.call("GET", path, "admin")
        assert answer.status_code >= 400
        text = answer.get_data(as_text=True)
        assert VALID not in text and VALID[6:14] not in text, (path, text)
        if answer.is_json and "instance" in answer.json:
            assert masked(VALID) in urllib.parse.unquote(answer.json["instance"])
