"""The shape of the house (issue 17): no import circles, modules of one concept (about 600 lines
at most), and a Ledger that keeps loading, saving, the log and identity while the capabilities
are composed around it."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from service.ledger import Ledger

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "projections", "service")
MAX_LINES = 660
"""About 600: a module a reader can hold; the slack is for docstrings, not for a second concept."""


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports (``from pkg import submodule`` names the submodule)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found & set(known)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_circles() -> None:
    known = modules()
    graph = {name: imports_of(path, known) - {name} for name, path in known.items()}
    assert circles(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", PACKAGES)
def test_modules_hold_one_concept(package: str) -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / package).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_ledger_keeps_loading_saving_the_log_and_identity() -> None:
    own = {
        name
        for name, member in vars(Ledger).items()
        if not name.startswith("_") and (inspect.isfunction(member) or isinstance(member, property))
    }
    inherited_from_the_library = {"close"}
    assert own - inherited_from_the_library <= {
        "record",
        "log_position",
        "notifications",
        "china_today",
        "identity_hash",
        "worker_id_for",
        "load",
        "exists",
        "occupation",
        "organisation",
        "worker",
        "evaluation",
        "competition",
        "honour_ladder",
        "api_token",
        "certificate",
        "post_appointment",
    }


def test_the_capabilities_are_composed_not_inherited() -> None:
    bases = {cls.__module__ for cls in Ledger.__mro__}
    assert bases <= {
        "service.ledger",
        "service.persistence.application",
        "eventsourcing.application",
        "typing",
        "builtins",
    }, bases
