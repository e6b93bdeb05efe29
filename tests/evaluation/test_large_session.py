"""A 5,000-candidate session: imported, published, and confirmed as a job the caller polls."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from domain.id_number import IdNumber
from domain.worker import EmploymentRelation, Worker
from service.app import create_app
from service.ledger import Ledger
from tests.factories import CONFIRM_DAY, PUBLISH_DAY, SESSION_END, id_number, plan_session
from tests.support.api_world import close_app
from tests.support.clocks import SteppingClock, on_day
from tests.support.stores import store_for_backend

CANDIDATES = 5000


def hire_in_bulk(ledger: Ledger, body_id, staff: list[IdNumber]) -> None:
    pending: list = []
    for number in staff:
        worker = Worker.register(
            identity_hash=ledger.identity_hash(number),
            id_kind=number.kind.value,
            masked_id_number=number.masked,
            name=f"职工{number.masked[-4:]}",
            actor="test",
        )
        worker.start_employment(body_id, EmploymentRelation.STAFF, date(2015, 1, 1), "test")
        pending += [worker, *ledger.credentials.subject_identifier_for(worker, number)]
    for start in range(0, len(pending), 2000):
        ledger.save(*pending[start : start + 2000])


def test_a_5000_candidate_confirmation_runs_as_a_job_with_progress(
    backend: str, tmp_path: Path, clock: SteppingClock
) -> None:
    with store_for_backend(backend, tmp_path / "data") as (settings, _schema):
        ledger = Ledger(settings, clock=clock)
        app = create_app(
            {"TESTING": True, "RATELIMIT_ENABLED": False, "RUN_PROJECTIONS": False},
            ledger=ledger,
        )
        try:
            session = plan_session(ledger, clock)
            staff = [id_number(serial) for serial in range(CANDIDATES)]
            hire_in_bulk(ledger, session.body_id, staff)
            on_day(clock, SESSION_END)
            rows = "\n".join(f"{n.reveal()},职工{n.masked[-4:]},4-years,2015-01-01" for n in staff)
            report = ledger.evaluations.import_candidates(
                session.evaluation_id,
                f"id_number,name,route,experience_since\n{rows}\n".encode(),
                dry_run=False,
                actor="issuer",
            )
            assert report.recorded and report.changes["enrolled"] == CANDIDATES
            scores = "\n".join(
                f"{n.reveal()},80,丁,{60 + i % 40}.5,甲\n{n.reveal()},,,{60 + i % 40}.5,乙\n"
                f"{n.reveal()},,,{60 + i % 40}.5,丙"
                for i, n in enumerate(staff)
            )
            report = ledger.evaluations.import_scores(
                session.evaluation_id,
                (
                    "id_number,theory,theory_examiner,practical,practical_examiner\n"
                    + scores
                    + "\n"
                ).encode(),
                dry_run=False,
                actor="issuer",
            )
            assert report.recorded and report.changes["scores"] == 4 * CANDIDATES
            session.publish(PUBLISH_DAY)
            on_day(clock, CONFIRM_DAY)

            from domain.api_token import Role

            ledger.tokens.grant_token(
                token="issuer-token-for-the-large-session",
                role=Role.ISSUER,
                organisation_id=session.body_id,
                label="t",
                actor="test",
            )
            client = app.test_client()
            headers = {"Authorization": "Bearer issuer-token-for-the-large-session"}
            started = time.monotonic()
            accepted = client.post(
                f"/api/v1/evaluations/{session.evaluation_id}/confirm", headers=headers
            )
            answered_in = time.monotonic() - started
            assert accepted.status_code == 202, accepted.json
            assert answered_in < 5  # the request does not wait for 5,000 certificates
            seen: list[tuple[str, str, int, int]] = []
            deadline = time.monotonic() + 240
            while True:
                job = client.get(accepted.headers["Location"], headers=headers).json
                progress = job["progress"]
                seen.append((job["state"], progress["stage"], progress["done"], progress["total"]))
                if job["state"] in ("succeeded", "failed"):
                    break
                assert time.monotonic() < deadline, seen[-3:]
                time.sleep(0.02)
            assert job["state"] == "succeeded", job
            assert job["result"]["certificates"] == CANDIDATES
            assert job["result"]["first_number"] == "Y000011000001244000001"
            assert job["result"]["last_number"] == f"Y000011000001244{CANDIDATES:06d}"
            running = [s for s in seen if s[0] == "running" and 0 < s[2] < s[3]]
            assert running, seen  # progress was visible while the job ran
            done = [s[2] for s in seen]
            assert done == sorted(done)  # progress only moves forward
            assert {s[1] for s in running} & {"loading", "checking", "building", "saving"}
            assert seen[-1][2] == seen[-1][3] == 3 * CANDIDATES + 1
            evaluation = ledger.evaluation(session.evaluation_id)
            assert evaluation.issued["count"] == CANDIDATES
        finally:
            close_app(app, ledger)
