"""Read models sit below the service layer: no module in projections/ imports service."""

from __future__ import annotations

import ast
from pathlib import Path

PROJECTIONS = Path(__file__).resolve().parents[2] / "projections"


def test_no_projection_module_imports_the_service_layer() -> None:
    upward = []
    for path in sorted(PROJECTIONS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            upward += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "service"]
    assert upward == []
