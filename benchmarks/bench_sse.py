"""Live boards under load: N Server-Sent-Events clients on one ``craftledger serve`` while marks
are recorded through the API (issue 20).

Setup (not timed): a fresh SQLite data directory with a union, an employer with ``--entrants``
staff, a competition (practical and theory, one judge) with them all registered, and an admin
token. Then the real server starts as production runs it: ``craftledger serve`` (gunicorn, the
gthread worker) on loopback with ``--streams`` = N + 16.

Measured, in two phases on the same server -- the baseline is phase 1, one client, in the same
run:

1. one client listens to ``/competitions/{id}/events``; ``--baseline-marks`` marks are recorded;
2. N clients (asyncio + aiohttp, one connection each) listen; ``--marks`` marks are recorded.

Each mark is one ``POST /api/v1/competitions/{id}/marks`` (one judge, one entrant, one
component), ``--interval`` seconds apart. Its **delay** at a client is the time from the API's
answer (the mark is saved) to the first board event at that client that shows it; printed:
median, p99 and max over every (mark, client), the clients that received every mark, the board
events per client (boards are whole snapshots, so a slow client may skip one and lose nothing),
and the resident memory (RSS) of the gunicorn processes before the clients connect and with N
connected. The clients sign in as the admin (one viewer: each board is rendered once per
change); every stream is read in full.

    python benchmarks/bench_sse.py [--clients 300] [--marks 40] [--interval 0.25]
        [--entrants 40] [--baseline-marks 10] [--within 120]

Bounded: the server must be up within 60 s, every client connected within 60 s, and the whole
run ends after ``--within`` seconds (a timeout is reported, not waited out). The exit status is
0 only if every client received every mark (``tests/benchmarks`` runs a small one in CI).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
from harness import Clock, hire_staff, id_number

from domain.organisation import OrganisationKind
from domain.promotion_rules import CompetitionTier
from service.competitions import EntrantRegistration
from service.config import Settings
from service.ledger import Ledger

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "import sys; from service.cli import main; sys.exit(main())"]
ELECTRICIAN = "6-31-01-03"
COMPONENTS = ("practical", "theory")
SCHEME: dict[str, Any] = {
    "components": [
        {"name": "practical", "weight": "70", "kind": "measurement"},
        {"name": "theory", "weight": "30", "kind": "judgement"},
    ],
    "combination": "mean",
}
JUDGE = "裁判甲"


@dataclass
class Setup:
    competition_id: str
    workers: list[str]
    numbers: dict[str, int]  # worker id -> entrant number


def build(data_dir: Path, entrants: int) -> Setup:
    """The union, employer, staff and competition, recorded straight through the ledger."""
    ledger = Ledger(Settings(data_dir=data_dir), clock=Clock(datetime(2025, 6, 2, 1, tzinfo=UTC)))
    try:
        union = ledger.organisations.file_organisation(
            filing_code="11-FTU-0001",
            name="北京市总工会",
            kind=OrganisationKind.UNION,
            province_code="11",
            actor="bench",
        ).aggregate.id
        employer = ledger.organisations.file_organisation(
            filing_code="11-Y-000001",
            name="北京电力公司",
            kind=OrganisationKind.EMPLOYER,
            province_code="11",
            evaluator_prefix="Y000011000001",
            scope={ELECTRICIAN: ["5", "4"]},
            actor="bench",
        ).aggregate.id
        staff = [
            (id_number(serial, "110105", date(1980, 1, 1)), f"选手{serial:03d}")
            for serial in range(entrants)
        ]
        workers = hire_staff(ledger, employer, staff)
        competition = ledger.competitions.announce_competition(
            organiser_id=union,
            reference="BJ-2025-SSE",
            name="电工技能竞赛（实时榜压测）",
            tier=CompetitionTier.ENTERPRISE_OR_SCHOOL,
            occupation_code=ELECTRICIAN,
            exam_level="3",
            year=2025,
            region="110105",
            issuing_body_id=employer,
            marking_scheme=SCHEME,
            actor="bench",
        ).aggregate
        ledger.competitions.register_entrants(
            competition.id,
            [EntrantRegistration(worker.id, "employee") for worker in workers],
            actor="bench",
        )
        loaded = ledger.competition(competition.id)
        numbers = {
            str(worker_id): int(entrant["entrant_number"])
            for worker_id, entrant in loaded.entrants.items()
        }
        return Setup(str(competition.id), [str(w.id) for w in workers], numbers)
    finally:
        ledger.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_of_group(pgid: int) -> tuple[int, int]:
    """Resident memory (bytes) of every process in the process group, and how many."""
    total, count = 0, 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) != pgid:  # field 5 of stat: the process group
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    count += 1
        except (OSError, ValueError):
            continue
    return total, count


def wait_for_health(url: str, process: subprocess.Popen[bytes], within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server stopped while starting")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if json.loads(answer.read()).get("status") == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer /health within {within:.0f} s")


@dataclass
class Client:
    """One listening board: when each mark first showed on it."""

    seen: dict[tuple[int, str], float] = field(default_factory=dict)
    boards: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    error: str | None = None


async def listen(
    http: aiohttp.ClientSession, url: str, client: Client, stop: asyncio.Event
) -> None:
    try:
        async with http.get(url, headers={"Accept": "text/event-stream"}) as answer:
            if answer.status != 200:
                client.error = f"HTTP {answer.status}"
                client.ready.set()
                return
            event = ""
            while not stop.is_set():
                line = (await answer.content.readline()).decode()
                if not line:
                    return
                arrived = time.monotonic()
                line = line.rstrip("\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "board":
                    board = json.loads(line[5:])
                    client.boards += 1
                    for row in board["items"]:
                        for component, score in (row.get("components") or {}).items():
                            key = (int(row["entrant_number"]), component)
                            if score is not None and key not in client.seen:
                                client.seen[key] = arrived
                    client.ready.set()
                elif not line:
                    event = ""
    except (aiohttp.ClientError, asyncio.CancelledError, ConnectionError) as error:
        if not stop.is_set():
            client.error = type(error).__name__
    finally:
        client.ready.set()


async def sign_in(http: aiohttp.ClientSession, url: str, token: str) -> None:
    async with http.get(f"{url}/signin/token") as form:
        csrf = re.search(r'name="csrf" value="([^"]+)"', await form.text())
    assert csrf, "no CSRF field on the sign-in form"
    async with http.post(
        f"{url}/signin/token", data={"csrf": csrf.group(1), "token": token}
    ) as answer:
        assert answer.status == 200, await answer.text()


@dataclass
class Phase:
    clients: int
    marks: int
    delays: list[float]
    complete: int
    boards: list[int]
    errors: list[str]
    rss_before: int
    rss_during: int
    processes: int
    connect_seconds: float
    timed_out: bool


async def phase(
    url: str,
    token: str,
    setup: Setup,
    marks: list[tuple[str, str]],
    clients: int,
    interval: float,
    pgid: int,
    deadline: float,
) -> Phase:
    events_url = f"{url}/competitions/{setup.competition_id}/events"
    rss_before, _ = rss_of_group(pgid)
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=None)
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    stop = asyncio.Event()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=jar) as http:
        await sign_in(http, url, token)
        listening = [Client() for _ in range(clients)]
        started = time.monotonic()
        tasks = [asyncio.create_task(listen(http, events_url, c, stop)) for c in listening]
        connected = asyncio.gather(*(c.ready.wait() for c in listening))
        with contextlib.suppress(TimeoutError):  # those not connected by then count as such
            await asyncio.wait_for(connected, timeout=max(1.0, min(60.0, deadline - started)))
        connect_seconds = time.monotonic() - started
        rss_during, processes = rss_of_group(pgid)
        answered: list[tuple[tuple[int, str], float]] = []
        headers = {"Authorization": f"Bearer {token}"}
        for worker_id, component in marks:
            if time.monotonic() > deadline:
                break
            body = {
                "marks": [
                    {"worker_id": worker_id, "component": component, "judge": JUDGE, "mark": "88"}
                ]
            }
            async with http.post(
                f"{url}/api/v1/competitions/{setup.competition_id}/marks",
                json=body,
                headers=headers,
            ) as answer:
                text = await answer.text()
                if answer.status not in (200, 201):
                    raise SystemExit(f"recording a mark failed: {answer.status} {text}")
            answered.append(((setup.numbers[worker_id], component), time.monotonic()))
            await asyncio.sleep(interval)
        # Wait until every client has shown the last mark (or the run's time is up).
        timed_out = False
        last = answered[-1][0] if answered else None
        while last is not None and not all(last in c.seen or c.error for c in listening):
            if time.monotonic() > deadline:
                timed_out = True
                break
            await asyncio.sleep(0.05)
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    delays = [c.seen[key] - at for c in listening for key, at in answered if key in c.seen]
    complete = sum(1 for c in listening if all(key in c.seen for key, _ in answered))
    return Phase(
        clients=clients,
        marks=len(answered),
        delays=delays,
        complete=complete,
        boards=[c.boards for c in listening],
        errors=[c.error for c in listening if c.error],
        rss_before=rss_before,
        rss_during=rss_during,
        processes=processes,
        connect_seconds=connect_seconds,
        timed_out=timed_out,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report(name: str, result: Phase) -> list[str]:
    ms = [d * 1000 for d in result.delays]
    return [
        f"{name:<12} {result.clients:>7} {result.marks:>5} "
        f"{statistics.median(ms) if ms else float('nan'):>9.1f} "
        f"{percentile(ms, 0.99):>8.1f} {max(ms) if ms else float('nan'):>8.1f} "
        f"{result.complete:>5}/{result.clients:<5} "
        f"{statistics.median(result.boards) if result.boards else 0:>6.0f} "
        f"{result.rss_before / 2**20:>8.1f} {result.rss_during / 2**20:>8.1f} "
        f"{result.connect_seconds:>7.2f}"
    ]


def run(args: argparse.Namespace) -> bool:
    started = time.monotonic()
    deadline = started + args.within
    needed = args.baseline_marks + args.marks
    if needed > 2 * args.entrants:
        raise SystemExit("--entrants x 2 components must cover the marks of both phases")
    with tempfile.TemporaryDirectory(prefix="bench-sse-") as directory:
        data_dir = Path(directory)
        setup = build(data_dir, args.entrants)
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update({"CRAFTLEDGER_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)})
        token = subprocess.run(
            [*CLI, "token", "create", "--role", "admin"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        streams = args.clients + 16
        command = [*CLI, "serve", "--port", str(port), "--streams", str(streams)]
        command += ["--log-level", "warning"]
        with (data_dir / "server.log").open("wb") as log:
            server = subprocess.Popen(
                command,
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for_health(url, server, 60)
            marks = [(w, c) for c in COMPONENTS for w in setup.workers][:needed]
            baseline = asyncio.run(
                phase(
                    url,
                    token,
                    setup,
                    marks[: args.baseline_marks],
                    1,
                    args.interval,
                    server.pid,
                    deadline,
                )
            )
            loaded = asyncio.run(
                phase(
                    url,
                    token,
                    setup,
                    marks[args.baseline_marks :],
                    args.clients,
                    args.interval,
                    server.pid,
                    deadline,
                )
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
            log_text = (data_dir / "server.log").read_text(errors="replace")
    print(
        f"craftledger serve (gunicorn gthread, 1 worker x 8 threads + {streams} stream threads),"
        f" SQLite, {args.entrants} entrants, a mark every {args.interval:.2f} s"
    )
    print(
        f"{'phase':<12} {'clients':>7} {'marks':>5} {'median ms':>9} {'p99 ms':>8} "
        f"{'max ms':>8} {'every mark':>11} {'boards':>6} {'RSS0 MiB':>8} {'RSS MiB':>8} "
        f"{'conn s':>7}"
    )
    for line in report("1 client", baseline) + report(f"{args.clients} clients", loaded):
        print(line)
    extra = loaded.rss_during - loaded.rss_before
    print(
        f"memory: {loaded.processes} gunicorn processes; {extra / 2**20:.1f} MiB more with "
        f"{args.clients} streams open ({extra / max(args.clients, 1) / 1024:.0f} KiB a stream)"
    )
    if loaded.timed_out or baseline.timed_out:
        print(f"TIMED OUT after {args.within:.0f} s (not every client showed the last mark)")
    if loaded.errors:
        print(f"client errors: {sorted(set(loaded.errors))} x {len(loaded.errors)}")
    if "Traceback" in log_text:
        first = log_text.index("Traceback")
        print("the server logged a traceback:\n" + log_text[max(0, first - 300) : first + 4000])
    ok = (
        loaded.complete == loaded.clients
        and baseline.complete == baseline.clients
        and loaded.marks == args.marks
        and not loaded.errors
    )
    print(
        f"took {time.monotonic() - started:.1f} s; {'every' if ok else 'NOT every'} client "
        "received every mark"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--marks", type=int, default=40)
    parser.add_argument("--baseline-marks", type=int, default=10)
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--entrants", type=int, default=40)
    parser.add_argument("--within", type=float, default=120.0, help="seconds the run may take")
    sys.exit(0 if run(parser.parse_args()) else 1)


if __name__ == "__main__":
    main()
