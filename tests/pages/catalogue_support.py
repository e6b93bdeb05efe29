"""Finding every translatable string of the pages (templates and Python), for the catalogue
tests: Jinja's own extractor for templates, the AST for ``gettext``/``_``/``N_`` calls."""

from __future__ import annotations

import ast
from pathlib import Path

from jinja2 import Environment

PAGES = Path(__file__).resolve().parents[2] / "service" / "pages"
MARKERS = {"gettext", "_", "N_", "ngettext"}


def template_messages() -> set[str]:
    env = Environment(extensions=["jinja2.ext.i18n"])
    found: set[str] = set()
    for path in sorted((PAGES / "templates").rglob("*.html")):
        for _line, _function, message in env.extract_translations(path.read_text("utf-8")):
            if isinstance(message, str):
                found.add(message)
            elif isinstance(message, tuple):
                found.update(m for m in message if isinstance(m, str))
    return found


def python_messages() -> set[str]:
    found: set[str] = set()
    for path in sorted(PAGES.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def all_messages() -> set[str]:
    return template_messages() | python_messages()
