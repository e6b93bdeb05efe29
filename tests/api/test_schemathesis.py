"""Property-based conformance: schemathesis generates requests from ``/openapi.json``.

Every operation of the document is exercised in-process (WSGI), as an admin and as the public,
with schema-valid and schema-invalid data, under every check schemathesis has (``--checks
all``). Nothing may answer 5xx, and no answer may contradict the document: undocumented status
codes, content types or headers, bodies that violate their schema, schema-invalid requests that
are accepted, schema-valid requests refused other than with a documented problem the schema
cannot express (:func:`positive_data_acceptance`), auth that is not enforced, not-allowed
methods that are not 405, wrong ``Allow`` headers, deleted resources still answering. Bounded:
eight generated examples per operation and mode (plus schemathesis' coverage cases), no
per-example deadline; the module takes about two minutes. The figures are printed at the end
of the module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from domain.api_token import Role
from tests.factories import marking_scheme
from tests.support.api_world import World, build_world, running_app

checks.load_all_checks()


def positive_data_acceptance(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' own check, except that schema-valid data may still be refused with a
    documented problem the document cannot express as schema, because it depends on the
    ledger's state or on several fields at once:

    * 422 ``urn:craftledger:rule:…``: a domain rule (a level already held, a union with an
      evaluator prefix, a score for nobody enrolled);
    * 422 ``validation-failed``: a value checked against the ledger or another field (a
      ``wait_for`` position beyond the log's head, an ``as_of`` in the future, a consistency
      proof between sizes the log never had, an unknown points policy, an ID number's length
      for its kind, "give index or position");
    * 422 ``idempotency-key-reused``: generated requests that happen to share a key;
    * 422 ``import-rejected``: the rows of an uploaded CSV file (the document says "a file");
    * 400 ``malformed-json``: strict JSON limits JSON Schema cannot state (a NUL in a string,
      an integer beyond 64 bits);
    * 400 ``invalid-cursor``: a pagination cursor this server never issued.

    Any other refusal of schema-valid data (and any of these without a problem document)
    fails as before."""
    try:
        return checks.positive_data_acceptance(ctx, response, case)  # type: ignore[no-any-return]
    except Exception:
        if (response.status_code, _problem_type(response)) in STATE_DEPENDENT:
            return None
        raise


STATE_DEPENDENT = {
    (422, "urn:craftledger:rule:"),
    (422, "urn:craftledger:problem:validation-failed"),
    (422, "urn:craftledger:problem:idempotency-key-reused"),
    (422, "urn:craftledger:problem:import-rejected"),
    (400, "urn:craftledger:problem:invalid-cursor"),
    (400, "urn:craftledger:problem:malformed-json"),
}


def _problem_type(response: Any) -> str:
    """The problem's ``type``, its rules folded into one (``urn:craftledger:rule:``)."""
    if not (response.headers.get("content-type") or [""])[0].startswith("application/problem+json"):
        return ""
    try:
        body = response.json()
    except ValueError:
        return ""
    kind = str(body.get("type", "")) if isinstance(body, dict) else ""
    return "urn:craftledger:rule:" if kind.startswith("urn:craftledger:rule:") else kind


CHECKS = [
    positive_data_acceptance if check is checks.positive_data_acceptance else check
    for check in checks.CHECKS.get_all()
]
"""``--checks all``: every check schemathesis has (positive data acceptance as above)."""
FIGURES: Counter[str] = Counter()
OPERATIONS: set[str] = set()


@pytest.fixture(scope="module")
def fuzz_world(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[World]:
    data_dir: Path = tmp_path_factory.mktemp("schemathesis")
    config = {"VERIFY_RATE_LIMIT": "100000 per minute"}
    with running_app("sqlite", data_dir, config) as (app, ledger):
        yield build_world(app, ledger, "sqlite")
    if FIGURES["cases"]:
        statuses = ", ".join(
            f"{key.removeprefix('status ')}: {count}"
            for key, count in sorted(FIGURES.items())
            if key.startswith("status ")
        )
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print(
                f"\nschemathesis: {len(OPERATIONS)} operations, {FIGURES['cases']} cases "
                f"({FIGURES['positive']} positive, {FIGURES['negative']} negative); "
                f"statuses {statuses}"
            )


@pytest.fixture(scope="module")
def known_ids(fuzz_world: World) -> dict[str, str]:
    """Ids of real objects: half of the schema-valid cases aim at them instead of random ids,
    so the fuzzed bodies reach the domain (and its answers are checked) rather than a 404."""
    world = fuzz_world
    evaluation = world.call(
        "POST",
        "/api/v1/evaluations",
        json={
            "body_id": str(world.ids["org_a"]),
            "reference": "FUZZ-EV",
            "occupation_code": "6-31-01-03",
            "level": "5",
            "starts_on": "2025-06-01",
            "ends_on": "2025-06-03",
            "panels": {"practical": ["甲", "乙", "丙"]},
        },
    ).json["id"]
    competition = world.call(
        "POST",
        "/api/v1/competitions",
        json={
            "organiser_id": str(world.ids["union"]),
            "reference": "FUZZ-C",
            "name": "模糊测试大赛",
            "tier": "district",
            "occupation_code": "6-31-01-03",
            "exam_level": "3",
            "year": 2025,
            "region": "朝阳区",
            "marking_scheme": marking_scheme(),
        },
    ).json["id"]
    sacrificial, _ = world.fresh_token(Role.AUDITOR)
    return {
        "organisation_id": str(world.ids["org_b"]),
        "worker_id": str(world.ids["other_worker"]),
        "number": world.fresh_certificate(),
        "ladder_id": str(world.fresh_ladder()),
        "token_id": str(sacrificial),
        "evaluation_id": evaluation,
        "competition_id": competition,
    }


@pytest.fixture(scope="module")
def api_schema(fuzz_world: World) -> Any:
    return schemathesis.openapi.from_wsgi("/openapi.json", fuzz_world.app)


schema = schemathesis.pytest.from_fixture("api_schema")

SETTINGS = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def aim_at_known_objects(case: Any, known: dict[str, str]) -> None:
    positive = case.meta is not None and case.meta.generation.mode.value == "positive"
    if positive and case.path_parameters and FIGURES["cases"] % 2 == 0:
        for name in case.path_parameters:
            if name in known:
                case.path_parameters[name] = known[name]


def call_and_validate(case: Any, token: str | None, known: dict[str, str]) -> None:
    aim_at_known_objects(case, known)
    headers = {"Authorization": f"Bearer {token}"} if token is not None else None
    response = case.call_and_validate(headers=headers, checks=CHECKS)
    OPERATIONS.add(case.operation.label)
    FIGURES["cases"] += 1
    FIGURES[str(case.meta.generation.mode.value) if case.meta else "explicit"] += 1
    FIGURES[f"status {response.status_code}"] += 1


@schema.parametrize()
@SETTINGS
def test_no_answer_to_an_admin_contradicts_the_document(
    case: Any, fuzz_world: World, known_ids: dict[str, str]
) -> None:
    call_and_validate(case, fuzz_world.tokens["admin"], known_ids)


@schema.parametrize()
@SETTINGS
def test_no_answer_to_the_public_contradicts_the_document(
    case: Any, fuzz_world: World, known_ids: dict[str, str]
) -> None:
    call_and_validate(case, None, known_ids)
