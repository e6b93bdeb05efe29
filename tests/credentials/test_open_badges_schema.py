"""Every credential the service serves is an Open Badges 3.0 ``AchievementCredential`` by
1EdTech's own JSON schema (``schemas/``, see its README): certificates in both disclosures,
competition awards in both, enterprise posts, each fetched over HTTP as a client would."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.competition import matrix_support as competition_states
from tests.support.api_world import World

SCHEMA_FILE = Path(__file__).parent / "schemas" / "ob_v3p0_achievementcredential_schema.json"
SCHEMA_SHA256 = "5753fb3ecf7d024ed273dd364bd683f483eb47257e718e6618832cf89eb2083a"
REVIEWS = [
    {"review": "performance", "evidence": "2023-2024 业绩考核 优秀"},
    {"review": "defence", "evidence": "现场答辩记录 2024-11-02"},
    {"review": "comprehensive", "evidence": "综合评审委员会决议 2024-11"},
]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft201909Validator:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256
    schema = json.loads(SCHEMA_FILE.read_bytes())
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(
        schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )


def problems(validator: jsonschema.Draft201909Validator, credential: dict[str, Any]) -> list[str]:
    """Each schema violation as ``/json/pointer: message``."""
    return [
        "/" + "/".join(map(str, error.absolute_path)) + ": " + error.message
        for error in sorted(validator.iter_errors(credential), key=lambda e: list(e.path))
    ]


def fetched(world: World, path: str, principal: str = "admin") -> dict[str, Any]:
    answer = world.call("GET", path, principal)
    assert answer.status_code == 200, (path, answer.get_json())
    return answer.get_json()  # type: ignore[no-any-return]


def served_credentials(world: World) -> dict[str, dict[str, Any]]:
    """One of each kind of credential the service serves, by name."""
    number = world.fresh_certificate()
    certificate = f"/api/v1/certificates/{number}/credential"
    final = competition_states.finalised(world)
    award = f"/api/v1/competitions/{final['target']}/awards/{final['worker']}/credential"
    world.ledger.organisations.amend_scope(
        world.ids["org_a"], {"6-31-01-03": ["5", "4", "3"]}, actor="test", reason="评聘"
    )
    appointed = world.ledger.posts.appoint_post(
        organisation_id=world.ids["org_a"],
        worker_id=world.fresh_worker(world.ids["org_a"]),
        occupation_code="6-31-01-03",
        post="apprentice",
        reviews=REVIEWS,
        actor="test",
    ).aggregate
    return {
        "certificate, full": fetched(world, certificate),
        "certificate, public": fetched(world, certificate + "?disclosure=public", "public"),
        "award, full": fetched(world, award),
        "award, public": fetched(world, award + "?disclosure=public", "public"),
        "post": fetched(world, f"/api/v1/evaluations/posts/{appointed.id}/credential"),
    }


def test_every_served_credential_passes_1edtechs_achievement_credential_schema(
    sqlite_world: World, validator: jsonschema.Draft201909Validator
) -> None:
    credentials = served_credentials(sqlite_world)
    found = {name: problems(validator, c) for name, c in credentials.items()}
    assert found == {name: [] for name in credentials}
    for credential in credentials.values():
        # one status object, not an array
        assert credential["credentialStatus"]["statusPurpose"] == "message"
        # what the schema leaves to the specification: a subject id, or an identifier
        subject = credential["credentialSubject"]
        assert "id" in subject or subject["identifier"][0]["type"] == "IdentityObject"


def test_the_schema_refuses_what_we_served_before(
    sqlite_world: World, validator: jsonschema.Draft201909Validator
) -> None:
    """The check can fail: two status entries, as served before, break the schema."""
    number = sqlite_world.fresh_certificate()
    credential = fetched(sqlite_world, f"/api/v1/certificates/{number}/credential")
    entry = credential["credentialStatus"]
    broken = {**credential, "credentialStatus": [entry, entry]}
    assert any(p.startswith("/credentialStatus:") for p in problems(validator, broken))
    assert any(p.startswith("/proof:") for p in problems(validator, {**credential, "proof": {}}))
