"""Pages sit beside the API, not on it: no module in service/pages imports service.api (the HTTP
API's views and schemas) or service.cli (the command line). What both need lives in service-level
modules (service.app_services, service.problems, service.principal, service.read_models, ...)."""

from __future__ import annotations

import ast
from pathlib import Path

PAGES = Path(__file__).resolve().parents[2] / "service" / "pages"
FORBIDDEN = ("service.api", "service.cli")


def imported_names(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ""
            names += [module, *(f"{module}.{alias.name}" for alias in node.names)]
    return names


def test_no_page_module_imports_the_api_or_the_command_line() -> None:
    found = [
        f"{path.relative_to(PAGES)}: {name}"
        for path in sorted(PAGES.rglob("*.py"))
        for name in imported_names(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert found == []
