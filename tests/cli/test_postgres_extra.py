"""``DATABASE_URL`` without the ``postgres`` extra: the command line says what to install.

The CLI runs as a real process in which psycopg cannot be imported (a ``sitecustomize`` on
``PYTHONPATH`` refuses it, as a missing package does); SQLite needs none of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BLOCKER = """\
import sys


class NoPostgresDriver:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("psycopg", "psycopg_pool", "psycopg_binary", "psycopg_c"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NoPostgresDriver())
"""


def run_without_psycopg(
    tmp_path: Path, *args: str, database_url: str | None
) -> subprocess.CompletedProcess[str]:
    blocker = tmp_path / "blocker"
    blocker.mkdir(exist_ok=True)
    (blocker / "sitecustomize.py").write_text(BLOCKER)
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        PYTHONPATH=f"{blocker}{os.pathsep}{REPO}", CRAFTLEDGER_DATA_DIR=str(tmp_path / "var")
    )
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-c", "import sys; from service.cli import main; sys.exit(main())", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("serve", "--port", "1"),
        ("projections", "run", "--once"),
        ("token", "create", "--role", "admin"),
    ],
    ids=["serve", "projections-run", "token-create"],
)
def test_a_postgresql_url_without_the_driver_names_the_extra_to_install(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    done = run_without_psycopg(
        tmp_path, *args, database_url="postgresql://postgres@127.0.0.1:5432/test"
    )
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: DATABASE_URL names PostgreSQL")
    assert "No module named 'psycopg'" in lines[0]
    assert "pip install 'craftledger[postgres]'" in lines[0]
    assert "pip install -e '.[postgres]'" in lines[0]
    assert not (tmp_path / "var").exists(), "nothing was started or created"


def test_sqlite_needs_no_driver(tmp_path: Path) -> None:
    done = run_without_psycopg(tmp_path, "token", "create", "--role", "admin", database_url=None)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip()) >= 43
    assert (tmp_path / "var" / "ledger.sqlite3").exists()


def test_a_url_that_is_not_postgresql_is_one_line_too(tmp_path: Path) -> None:
    done = run_without_psycopg(tmp_path, "projections", "status", database_url="mysql://x@y/z")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        "Error: DATABASE_URL must be a postgresql:// URL (or unset for SQLite)"
    )
