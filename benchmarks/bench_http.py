"""The public read path over HTTP, against a Flask "hello" app served alike, in the same run.

One command starts everything on loopback and stops it again: a fresh data directory (SQLite;
``--postgres``: a fresh schema of the PostgreSQL server at ``CRAFTLEDGER_TEST_POSTGRES``,
default 127.0.0.1:5432/test) seeded with the demo (``craftledger demo``), an API token for the
benchmark's own client, exempt from the verify rate limit
(``CRAFTLEDGER_RATE_LIMIT_EXEMPT_TOKENS``; every other caller stays limited), a signed tree
head (``craftledger audit publish``), then ``craftledger serve`` as production runs it
(gunicorn, gthread workers, 8 threads each, access log on) and a Flask app answering ``hello``
under the very same gunicorn settings (``service.cli.serve.server_options``). Debian's ``wrk``
drives each route with 8 connections (``--connections``) for ``--duration`` seconds after a
``--warm-up``; POSTs go through a Lua script. Hello is measured before and after the routes and
the ratio is to their mean, so load from other processes on the machine falls on both. Beside
each rate stands the server's CPU time per request (its processes' user and system time over
the run, from ``/proc``; on PostgreSQL the database server's is not counted) and hello's CPU
time per request over it: on a machine shared with other work, the CPU ratio moves far less
than the rates do.

Goals (issue 22), on a 2-core machine: certificate summary and the national-query check >= 0.6 of
hello; credential and status list >= 0.5; certificate page >= 0.4; p99 under 25 ms for every
route. ``--workers 1 2`` serves PostgreSQL with one, then two worker processes (SQLite always
serves with one: a single writer) and prints a table for each.

    python benchmarks/bench_http.py [--duration 5] [--postgres] [--workers 1 2] [--check]

Exits 1 when a route answered an error (non-2xx/3xx or a socket error); with ``--check`` also
when a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "CRAFTLEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
WRK = os.environ.get("WRK", "/usr/bin/wrk")
P99_GOAL_MS = 25.0
THREADS = 8


@dataclass(frozen=True)
class Route:
    """One measured route: a name for the table, the path, and a POST body if any."""

    name: str
    path: str
    goal: float | None = None
    body: dict[str, Any] | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Measured:
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    cpu_ms: float = 0.0
    """The server's CPU time (master and workers, user and system) per request: unlike the
    rate, hardly moved by other processes competing for the cores."""


# -- servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    """``craftledger ARGUMENTS`` from this checkout; raises with its stderr on failure."""
    command = [sys.executable, "-c", "from service.cli import main; main()", *arguments]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"craftledger {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
    return done


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(master: int) -> float:
    """User and system CPU seconds of process ``master`` and its children so far (Linux)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rpartition(")")[2].split()
            pid, parent = int(stat.parent.name), int(fields[1])
            if master in (pid, parent):
                total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


@contextmanager
def served(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[int]:
    """Run ``command`` (a gunicorn master) until it answers on ``port``, giving its process
    id; stop it afterwards."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[-4:]} exited: see {log}\n{log.read_text()[-3000:]}")
            with (
                suppress(OSError),
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2),
            ):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answered on port {port}: see {log}")
            time.sleep(0.2)
        yield process.pid
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # the master and its workers
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def craftledger_command(port: int, workers: int) -> list[str]:
    return [
        *(sys.executable, "-c", "from service.cli import main; main()"),
        *("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        *("--threads", str(THREADS)),
    ]


def hello_command(port: int, workers: int) -> list[str]:
    return [sys.executable, __file__, "--serve-hello", str(port), "--workers", str(workers)]


def serve_hello(port: int, workers: int) -> None:
    """The baseline: Flask answering ``hello`` under craftledger's own gunicorn settings."""
    from flask import Flask

    from service.cli.serve import CraftledgerServer, server_options

    app = Flask("hello")

    @app.get("/health")
    def hello() -> str:
        return "hello"

    class HelloServer(CraftledgerServer):
        def load(self) -> Any:
            return app

    options = server_options("127.0.0.1", port, workers, THREADS, "info")
    HelloServer(options).run()


# -- the store ----------------------------------------------------------------------------


@contextmanager
def fresh_store(postgres: bool) -> Iterator[tuple[Path, dict[str, str]]]:
    """A temporary directory and the environment naming a fresh store in it (or a fresh
    PostgreSQL schema, dropped afterwards)."""
    with tempfile.TemporaryDirectory(prefix="bench_http_") as directory:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "CRAFTLEDGER_DATA_DIR": str(Path(directory) / "data"),
        }
        env.pop("DATABASE_URL", None)
        if not postgres:
            yield Path(directory), env
            return
        import psycopg

        schema = f"bench_http_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield Path(directory), {**env, "DATABASE_URL": f"{POSTGRES_URL}?schema={schema}"}
        finally:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def seed(env: dict[str, str]) -> tuple[dict[str, Any], str, str]:
    """Seed the demo, grant the benchmark's token and sign a tree head: the demo's access
    sheet, the token and its id."""
    cli(env, "demo")
    granted = cli(env, "token", "create", "--role", "auditor", "--label", "bench_http")
    token = granted.stdout.strip()
    found = re.search(r"token ([0-9a-f-]{36}) ", granted.stderr)
    if found is None:
        raise RuntimeError(f"no token id in: {granted.stderr}")
    cli(env, "audit", "publish")
    sheet = json.loads((Path(env["CRAFTLEDGER_DATA_DIR"]) / "demo-access.json").read_text())
    return sheet, token, found.group(1)


# -- the routes ---------------------------------------------------------------------------


def fetch(url: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
    """``(status, parsed JSON or text)`` of one request."""
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def routes(base: str, sheet: dict[str, Any], token: str) -> list[Route]:
    """The measured routes over the seeded demo: its valid certificate, its issuer's status
    list, a finalised competition's leaderboard."""
    person = next(p for p in sheet["people"] if p["status"] == "valid")
    number = person["certificate"]
    status, credential = fetch(f"{base}/api/v1/certificates/{number}/credential")
    if status != 200:
        raise RuntimeError(f"the credential of {number} answered {status}: {credential}")
    status_list = credential["credentialStatus"]["statusListCredential"]
    status, competitions = fetch(f"{base}/api/v1/competitions?limit=50")
    finalised = [c for c in competitions["items"] if c["status"] == "finalised"]
    if status != 200 or not finalised:
        raise RuntimeError(f"no finalised competition in the demo: {status} {competitions}")
    check = {"number": number, "name": person["name"], "id_number": person["id_number"]}
    return [
        Route("certificate summary", f"/api/v1/certificates/{number}", 0.6),
        Route("credential", f"/api/v1/certificates/{number}/credential", 0.5),
        Route("certificate page /c/{n}", f"/c/{number}", 0.4),
        Route(
            "national-query check",
            "/api/v1/verify",
            0.6,
            body=check,
            headers=(("Authorization", f"Bearer {token}"),),
        ),
        Route(
            "POST /credentials/verify",
            "/credentials/verify",
            None,
            body={"verifiableCredential": credential},
        ),
        Route("status list", status_list.removeprefix(base), 0.5),
        Route("leaderboard", f"/api/v1/competitions/{finalised[0]['id']}/leaderboard"),
        Route("statistics", "/api/v1/statistics"),
        Route("/health", "/health"),
    ]


def checked(base: str, route: Route) -> str | None:
    """What is wrong with one request of ``route`` (None: a 200 with what it should say)."""
    status, answer = fetch(base + route.path, route.body, dict(route.headers))
    if status != 200:
        return f"{route.name}: {status} {str(answer)[:300]}"
    if route.path == "/api/v1/verify" and answer.get("result") != "valid":
        return f"{route.name}: {answer}"
    if route.path == "/credentials/verify" and answer.get("verified") is not True:
        return f"{route.name}: not verified: {answer.get('errors')}"
    return None


# -- wrk ----------------------------------------------------------------------------------


def lua_script(route: Route, directory: Path) -> Path | None:
    """A wrk script sending ``route``'s method, headers and body (None: a plain GET)."""
    if route.body is None and not route.headers:
        return None
    lines = []
    if route.body is not None:
        body = json.dumps(route.body, ensure_ascii=False, separators=(",", ":"))
        lines += ['wrk.method = "POST"', f"wrk.body = [==[{body}]==]"]
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    lines += [f'wrk.headers["{name}"] = [==[{value}]==]' for name, value in route.headers]
    path = directory / f"wrk_{abs(hash(route.name))}.lua"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def milliseconds(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(found.group(1)) * UNITS[found.group(2)]


def parse_wrk(output: str) -> Measured:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = milliseconds(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = milliseconds(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors += int(found.group(1))
    if found := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in found.groups())
    return Measured(rate, p50, p99, errors, requests)


def run_wrk(url: str, script: Path | None, seconds: int, connections: int) -> Measured:
    command = [WRK, "-t1", f"-c{connections}", f"-d{max(seconds, 1)}s", "--latency"]
    command += ["--timeout", "10s"]
    if script is not None:
        command += ["-s", str(script)]
    done = subprocess.run([*command, url], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} {url} failed: {done.stderr}{done.stdout}")
    return parse_wrk(done.stdout)


def measure(
    server: int, base: str, route: Route, directory: Path, args: argparse.Namespace
) -> Measured:
    """``route`` driven by wrk on the server whose master is ``server``."""
    script = lua_script(route, directory)
    if args.warm_up > 0:
        run_wrk(base + route.path, script, args.warm_up, args.connections)
    cpu = cpu_seconds(server)
    got = run_wrk(base + route.path, script, args.duration, args.connections)
    cpu = cpu_seconds(server) - cpu
    return replace(got, cpu_ms=1000 * cpu / max(got.requests, 1))


# -- the table ----------------------------------------------------------------------------


def table(rows: list[tuple[Route, Measured]], hello: Measured, title: str) -> list[str]:
    lines = [
        f"### {title}",
        "",
        f"hello: {hello.rate:,.0f} req/s, p50 {hello.p50_ms:.1f} ms, p99 {hello.p99_ms:.1f} ms, "
        f"server CPU {hello.cpu_ms:.2f} ms per request",
        "",
        "| route | req/s | p50 ms | p99 ms | ratio to hello | goal | met? | CPU ms/req | "
        "CPU ratio | errors |",
        "|---|---:|---:|---:|---:|---|---|---:|---:|---:|",
    ]
    for route, got in rows:
        ratio = got.rate / hello.rate if hello.rate else 0.0
        cpu_ratio = hello.cpu_ms / got.cpu_ms if got.cpu_ms else 0.0
        goal = f">= {route.goal}, p99 < 25 ms" if route.goal else "p99 < 25 ms"
        met = (route.goal is None or ratio >= route.goal) and got.p99_ms < P99_GOAL_MS
        lines.append(
            f"| {route.name} | {got.rate:,.0f} | {got.p50_ms:.1f} | {got.p99_ms:.1f} | "
            f"{ratio:.2f} | {goal} | {'yes' if met else 'no'} | {got.cpu_ms:.2f} | "
            f"{cpu_ratio:.2f} | {got.errors} |"
        )
    return lines


def missed(rows: list[tuple[Route, Measured]], hello: Measured) -> list[str]:
    return [
        route.name
        for route, got in rows
        if (route.goal is not None and got.rate < route.goal * hello.rate)
        or got.p99_ms >= P99_GOAL_MS
    ]


def bench(args: argparse.Namespace) -> int:
    backend = "PostgreSQL" if args.postgres else "SQLite"
    worker_counts = args.workers or ([2] if args.postgres else [1])
    if not args.postgres and worker_counts != [1]:
        print("SQLite has a single writer: serving with one worker process", file=sys.stderr)
        worker_counts = [1]
    failures: list[str] = []
    output: list[str] = []
    with fresh_store(args.postgres) as (directory, env):
        port, hello_port = free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        env["CRAFTLEDGER_BASE_URL"] = base
        started = time.monotonic()
        sheet, token, token_id = seed(env)
        env["CRAFTLEDGER_RATE_LIMIT_EXEMPT_TOKENS"] = token_id
        print(
            f"seeded the demo on {backend} in {time.monotonic() - started:.1f} s", file=sys.stderr
        )
        for workers in worker_counts:
            log = directory / f"serve-{workers}.log"
            with (
                served(craftledger_command(port, workers), env, port, log) as server,
                served(hello_command(hello_port, workers), env, hello_port, log) as hello_server,
            ):
                measured = routes(base, sheet, token)
                chosen = [r for r in measured if not args.only or args.only in r.name]
                failures += [f for r in chosen if (f := checked(base, r))]
                hello_route = Route("hello", "/health")
                hello_url = f"http://127.0.0.1:{hello_port}"
                before = measure(hello_server, hello_url, hello_route, directory, args)
                rows = [(r, measure(server, base, r, directory, args)) for r in chosen]
                after = measure(hello_server, hello_url, hello_route, directory, args)
            hello = Measured(
                (before.rate + after.rate) / 2,
                (before.p50_ms + after.p50_ms) / 2,
                max(before.p99_ms, after.p99_ms),
                before.errors + after.errors,
                before.requests + after.requests,
                (before.cpu_ms + after.cpu_ms) / 2,
            )
            title = (
                f"{backend}, {workers} worker{'s' if workers > 1 else ''} x {THREADS} threads, "
                f"wrk {args.connections} connections, {args.duration:g} s per route "
                f"(hello before {before.rate:,.0f}, after {after.rate:,.0f} req/s)"
            )
            output += [*table(rows, hello, title), ""]
            failures += [f"{r.name}: {m.errors} errors" for r, m in rows if m.errors]
            if args.check:
                failures += [f"goal missed: {name}" for name in missed(rows, hello)]
    print("\n".join(output))
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per route (wrk)")
    parser.add_argument("--warm-up", type=int, default=1, help="seconds before each; 0: none")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument(
        "--workers", type=int, nargs="+", help="worker processes, a table each (PostgreSQL)"
    )
    parser.add_argument("--only", help="measure only the routes whose name contains this")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--serve-hello", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_hello:
        serve_hello(args.serve_hello, (args.workers or [1])[0])
        return 0
    if not os.access(WRK, os.X_OK):
        print(f"{WRK} is missing: apt-get install wrk (or set WRK)", file=sys.stderr)
        return 1
    return bench(args)


if __name__ == "__main__":
    sys.exit(main())
