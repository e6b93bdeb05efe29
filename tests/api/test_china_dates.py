"""A certificate issued just after midnight in Beijing is dated that Beijing day everywhere the
API shows it: the full record, the directory read model's summary and list, the verify answer,
the PDF's 发证日期 and the worker's record; and one issued in the first minutes of a China new
year is numbered and counted in that year."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.api_world import World
from tests.support.clocks import SteppingClock


@contextmanager
def ledger_clock_at(world: World, moment: datetime) -> Iterator[None]:
    """The world's ledger clock stands at ``moment`` (a millisecond a reading) for a while."""
    kept = world.ledger.clock
    world.ledger.clock = SteppingClock(
        moment - timedelta(milliseconds=1), timedelta(milliseconds=1)
    )
    try:
        yield
    finally:
        world.ledger.clock = kept


def test_issued_at_0030_beijing_time_is_dated_that_beijing_day(
    world: World, tmp_path: Path
) -> None:
    worker = world.fresh_worker(world.ids["org_a"], name="周十九")
    # 00:30 on 2026-12-19 in Beijing is 16:30 UTC on 2026-12-18.
    with ledger_clock_at(world, datetime(2026, 12, 18, 16, 30, tzinfo=UTC)):
        number = world.fresh_certificate(worker=worker)
        pdf = world.call("GET", f"/api/v1/certificates/{number}/pdf", "admin")
    assert pdf.status_code == 200, pdf.data[:300]
    (tmp_path / "certificate.pdf").write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "certificate.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "2026年12月19日" in text and "2026年12月18日" not in text  # 发证日期
    certificate = world.ledger.certificate(number)
    assert certificate.issued_at.astimezone(UTC).date().isoformat() == "2026-12-18"  # stored UTC

    full = world.call("GET", f"/api/v1/certificates/{number}", "admin")
    assert full.status_code == 200, full.json
    assert full.json["issued_on"] == "2026-12-19"
    summary = world.call("GET", f"/api/v1/certificates/{number}", "public")
    assert summary.json["disclosure"] == "public"
    assert summary.json["issued_on"] == "2026-12-19"  # the directory read model's row
    listed = world.call("GET", f"/api/v1/certificates?worker_id={worker}", "admin")
    assert [(c["number"], c["issued_on"]) for c in listed.json["items"]] == [(number, "2026-12-19")]
    shared = world.app.extensions["craftledger"]
    row = shared.directory.get_certificate(number)
    assert row is not None and row["issued_on"] == "2026-12-19"

    answer = world.client.post(
        "/api/v1/verify",
        json={"number": number, "name": "周十九", "id_number": world.id_numbers[worker].reveal()},
    )
    assert answer.json["result"] == "valid"
    assert answer.json["certificate"]["issued_on"] == "2026-12-19"
    record = world.call("GET", f"/api/v1/workers/{worker}", "admin")
    assert [c["issued_on"] for c in record.json["certificates"]] == ["2026-12-19"]


def test_the_first_minutes_of_a_china_new_year_belong_to_that_year(world: World) -> None:
    worker = world.fresh_worker(world.ids["org_b"], name="吴元旦")
    # 00:30 on 2027-01-01 in Beijing is 16:30 UTC on 2026-12-31.
    with ledger_clock_at(world, datetime(2026, 12, 31, 16, 30, tzinfo=UTC)):
        number = world.fresh_certificate(worker=worker, issuer=world.ids["org_b"])
    assert number[13:15] == "27"  # the issue year in the number (职业技能等级证书编号)
    full = world.call("GET", f"/api/v1/certificates/{number}", "admin")
    assert full.json["issued_on"] == "2027-01-01"
    organisation = world.ids["org_b"]
    counted = {
        year: world.call(
            "GET", f"/api/v1/statistics?organisation={organisation}&year={year}", "public"
        ).json["certificates_issued"]
        for year in (2026, 2027)
    }
    assert counted == {2026: 0, 2027: 1}
