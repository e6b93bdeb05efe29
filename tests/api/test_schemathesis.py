"""Property-based conformance: schemathesis generates requests from ``/openapi.json``.

Every operation of the document is exercised in-process (WSGI), as an admin and as the public,
with schema-valid and schema-invalid data. Nothing may answer 5xx, and no answer may contradict
the document: undocumented status codes, content types or headers, bodies that violate their
schema, schema-invalid requests that are accepted, auth that is not enforced, and
not-allowed methods that are not 405 all fail. Bounded: a dozen generated examples per
operation and mode (plus schemathesis' coverage cases), no per-example deadline; the module
takes about a minute. The figures are printed at the end of the module.
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
from tests.api.conftest import MARKING_SCHEME, World, build_world, running_app

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.missing_required_header,
    checks.ignored_auth,
    checks.unsupported_method,
]
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
                f"({FIGURES['positive']} positive, {FIGURES['negative']} negative), 0 failures; "
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
            "marking_scheme": MARKING_SCHEME,
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
    max_examples=12,
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
