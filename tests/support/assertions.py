"""Reading what a command refused or recorded."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import Application


def rule_of(excinfo: pytest.ExceptionInfo[Any]) -> str:
    """The rule a refused command named (``DomainRuleViolation.rule``)."""
    return str(excinfo.value.rule)


def events_of(ledger: Application, aggregate_id: UUID) -> list[Any]:
    return list(ledger.repository.event_store.get(aggregate_id))
