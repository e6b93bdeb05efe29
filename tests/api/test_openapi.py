"""The OpenAPI document describes every route, schema, error and auth requirement."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from tests.support.api_world import World

DOCUMENTED_ELSEWHERE = {
    "/openapi.json",
    "/docs",
    "/docs/<path:filename>",
    "/static/<path:filename>",
}


def spec_of(world: World) -> dict:
    response = world.client.get("/openapi.json")
    assert response.status_code == 200
    return response.json  # type: ignore[no-any-return]


def test_the_document_is_valid_openapi(sqlite_world: World) -> None:
    spec = spec_of(sqlite_world)
    assert spec["openapi"].startswith("3.0")
    validate(spec)  # raises on any violation of the OpenAPI 3.0 schema


def test_every_route_of_the_app_is_in_the_document(sqlite_world: World) -> None:
    spec = spec_of(sqlite_world)
    documented = {
        (re.sub(r"\{[^}]+\}", "{}", path), method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
        if method != "parameters"
    }
    routes = {
        (re.sub(r"<[^>]+>", "{}", rule.rule), method)
        for rule in sqlite_world.app.url_map.iter_rules()
        if rule.rule not in DOCUMENTED_ELSEWHERE
        and not rule.rule.startswith("/docs")
        and not rule.endpoint.startswith(("pages", "console"))  # HTML pages (service.pages)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes <= documented
    assert len(documented) >= 32


def test_errors_are_documented_as_problem_details(sqlite_world: World) -> None:
    spec = spec_of(sqlite_world)
    responses = spec["components"]["responses"]
    for name in ("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "UNPROCESSABLE_ENTITY"):
        content = responses[name]["content"]
        assert list(content) == ["application/problem+json"]
        assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors", "rule"} <= set(problem["properties"])
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "default" not in operation["responses"], (path, method)
            if method == "post":
                assert {"400", "413", "415", "422"} <= set(operation["responses"]), path


def test_every_api_operation_states_its_security_and_roles(sqlite_world: World) -> None:
    spec = spec_of(sqlite_world)
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["security"], (path, method)
            assert operation["x-access"], (path, method)
            assert "Access:" in operation["description"]
            assert "401" in operation["responses"]


def test_commands_document_log_position_and_idempotency_key(sqlite_world: World) -> None:
    spec = spec_of(sqlite_world)
    for path, operations in spec["paths"].items():
        post = operations.get("post")
        if post is None:
            continue
        names = [p["name"] for p in post.get("parameters", [])]
        assert "Idempotency-Key" in names, path
        if path != "/api/v1/verify":
            success = next(code for code in post["responses"] if code.startswith("2"))
            assert "X-Log-Position" in post["responses"][success]["headers"], path


def test_id_numbers_are_write_only_in_the_schemas(sqlite_world: World) -> None:
    schemas = spec_of(sqlite_world)["components"]["schemas"]
    for name, schema in schemas.items():
        properties = schema.get("properties", {})
        if "id_number" in properties:
            assert properties["id_number"].get("writeOnly") is True, name


def test_the_docs_page_browses_the_document(sqlite_world: World) -> None:
    page = sqlite_world.client.get("/docs")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert b"/openapi.json" in page.data
    assert b"swagger-ui" in page.data


def test_health_answers_ok(world: World) -> None:
    health = world.client.get("/health")
    assert health.status_code == 200
    assert health.json["status"] == "ok"
    assert health.json["store"] == ("sqlite" if world.backend == "sqlite" else "postgresql")
    assert health.json["log_position"] == world.ledger.log_position
    assert "directory" in {p["name"] for p in health.json["projections"]}
