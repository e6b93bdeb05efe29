"""The JSON form of a stored event, for export, audit and replay tools.

Events are made with their free text masked (domain.ledger_aggregate), but history recorded
before that rule, or by another version, may not be, and exports leave the building: so the
same rule (domain.free_text) is applied again here, to every string of every free-text field
(nested too); ids, hashes, sealed values and keys are shown as stored.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification

from domain.free_text import is_free_text_field, mask_id_numbers

_EVENT_META = ("originator_id", "originator_version", "timestamp", "originator_topic")


def jsonable(value: Any, *, mask: bool = True) -> Any:
    """Event attribute values as plain JSON (strings for ids, times and decimals), ID numbers
    in free text masked (``mask``; off under a field that is not free text)."""
    if isinstance(value, dict):
        return {
            jsonable(str(k), mask=mask): jsonable(v, mask=mask and is_free_text_field(str(k)))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v, mask=mask) for v in value]
    if isinstance(value, Enum):
        return jsonable(value.value, mask=mask)
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, str):
        return mask_id_numbers(value) if mask else value
    return value


def event_type(topic: str) -> str:
    """``craftledger:Certificate.Issued`` → ``Certificate.Issued``."""
    return topic.partition(":")[2] or topic


def event_to_json(mapper: Mapper[UUID], notification: Notification) -> dict[str, Any]:
    """One stored event as a JSON object: position, aggregate, version, type, time, data."""
    domain_event = mapper.to_domain_event(notification)
    attributes = dict(vars(domain_event))
    data = {k: v for k, v in attributes.items() if k not in _EVENT_META}
    return {
        "position": notification.id,
        "aggregate_id": str(notification.originator_id),
        "aggregate_version": notification.originator_version,
        "topic": notification.topic,
        "type": event_type(notification.topic),
        "timestamp": jsonable(attributes.get("timestamp")),
        "actor": jsonable(data.get("actor")),
        "reason": jsonable(data.get("reason")),
        "data": jsonable(data),
    }
