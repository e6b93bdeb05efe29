"""Entrants from a spreadsheet (``service.competitions.entrant_import``), on SQLite and
PostgreSQL: a dry run reports every row's problems and records nothing; a file with any problem
records nothing; a clean one registers every row in one event; registration closes at a lock."""

from __future__ import annotations

from datetime import date

import pytest

from domain.competition import MarkEntry
from domain.errors import DomainRuleViolation
from tests.competition.arena import JUDGES, ORGANISER, Arena
from tests.evaluation.test_import import xlsx_bytes
from tests.factories.people import id_number, register

HEADER = ["身份证号", "姓名", "选手类别", "工作单位或学校"]


def test_a_dry_run_reports_every_row_and_a_clean_file_registers_all(arena: Arena):
    ledger = arena.ledger
    competition = arena.announce()
    numbers = [id_number(9100 + i, born=date(1991, 2, 3 + i)) for i in range(4)]
    workers = [
        register(ledger, n, f"导入{i}", employer=arena.employer) for i, n in enumerate(numbers)
    ]
    unregistered = id_number(9200, born=date(1992, 4, 5))
    bad = xlsx_bytes(
        [
            HEADER,
            [numbers[0].reveal(), "导入0", "职工", ""],
            [numbers[1].reveal(), "别人", "职工", ""],
            [numbers[2].reveal(), "导入2", "学生", ""],
            [numbers[0].reveal(), "导入0", "职工", ""],
            [unregistered.reveal(), "无名", "职工", ""],
            [numbers[3].reveal(), "导入3", "工人", ""],
        ]
    )
    position = ledger.log_position
    report = ledger.competitions.import_entrants(competition, bad, dry_run=False, actor=ORGANISER)
    assert not report.recorded and ledger.log_position == position
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "姓名"),
        (4, "工作单位或学校"),
        (5, "身份证号"),
        (6, "身份证号"),
        (7, "选手类别"),
    ]
    assert all(number.reveal() not in p.message for p in report.problems for number in numbers)
    good = xlsx_bytes(
        [
            HEADER,
            [numbers[0].reveal(), "导入0", "职工", ""],
            [numbers[2].reveal(), "导入2", "学生", "天津职业技术学院"],
        ]
    )
    dry = ledger.competitions.import_entrants(competition, good, dry_run=True, actor=ORGANISER)
    assert dry.ok and dry.changes == {"entered": 2} and ledger.log_position == position
    done = ledger.competitions.import_entrants(competition, good, dry_run=False, actor=ORGANISER)
    assert done.recorded and ledger.log_position == position + 2  # one save, all or nothing
    entrants = ledger.competition(competition).entrants
    assert entrants[str(workers[0])]["employer_id"] == str(arena.employer)
    assert entrants[str(workers[2])]["entrant_kind"] == "student"
    assert entrants[str(workers[2])]["employer_name"] == "天津职业技术学院"


def test_registration_closes_at_the_first_lock(arena: Arena):
    competition = arena.announce()
    worker = arena.worker()
    arena.enter(competition, [worker])
    arena.ledger.competitions.record_marks(
        competition, [MarkEntry(worker, "theory", judge, "80") for judge in JUDGES], actor="test"
    )
    arena.ledger.competitions.lock_component(competition, "theory", actor=ORGANISER)
    with pytest.raises(DomainRuleViolation) as closed:
        arena.ledger.competitions.import_entrants(
            competition, xlsx_bytes([HEADER]), dry_run=True, actor=ORGANISER
        )
    assert closed.value.rule == "registration-closed"
