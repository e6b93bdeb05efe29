"""The JSON form of a stored event, for export, audit and replay tools.

Events never hold ID numbers (only masked forms and keyed hashes), but exports leave the
building, so every string is also scanned: anything shaped like a valid 居民身份证号 is masked.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification

from domain.free_text import mask_id_numbers

_EVENT_META = ("originator_id", "originator_version", "timestamp", "originator_topic")


def jsonable(value: Any) -> Any:
    """Event attribute values as plain JSON (strings for ids, times and decimals)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, str):
        return mask_id_numbers(value)
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
