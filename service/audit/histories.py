"""Histories (审计追溯) for auditors: the whole log, one aggregate's events, its state at a
version or a date, and one leaf's stored bytes -- each event with its leaf in the log.

Reads only: an event the log has not appended yet shows ``leaf_index`` null (the projection
runner appends it in the background). The log never holds ID numbers (only masked forms and
keyed hashes), and every string that looks like one is masked again on the way out.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from projections.as_of import end_of_day
from projections.runner import EventDecoder
from projections.transparency.merkle import leaf_hash
from projections.transparency.proof_json import encode_hash
from projections.transparency_log import LeafRecord, TransparencyLogQuery, leaf_data_of
from service.audit.errors import OutOfRange
from service.event_json import event_to_json, event_type, jsonable, mask_id_numbers

__all__ = ["Histories", "parse_moment"]


def _plain(value: Any) -> Any:
    """Aggregate or event values as JSON (ID-shaped strings masked)."""
    return json.loads(json.dumps(jsonable(value), ensure_ascii=False, default=str))


def parse_moment(text: str) -> datetime:
    """``YYYY-MM-DD`` (the end of that day in China, UTC+8) or an ISO 8601 date-time with a zone."""
    text = text.strip()
    try:
        if len(text) == 10:
            return end_of_day(date.fromisoformat(text))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("expected YYYY-MM-DD or an ISO 8601 date-time with a zone") from None
    if moment.tzinfo is None:
        raise ValueError("a date-time needs a zone (Z or +08:00)")
    return moment.astimezone(UTC)


class Histories:
    """Auditors' reads of the stored events, joined with their leaves."""

    def __init__(self, ledger: Any, log_query: TransparencyLogQuery) -> None:
        self.ledger = ledger
        self.log = log_query

    def notification_at(self, position: int) -> Notification | None:
        page = self.ledger.recorder.select_notifications(start=position, limit=1, stop=position)
        return page[0] if page else None

    def leaf_record(self, index: int) -> dict[str, Any]:
        """One leaf: its position, the stored event's canonical bytes and whether they still
        hash to the log's leaf (auditors recompute with these bytes).

        The bytes must be exact to hash, so they cannot be masked: when the stored event holds
        something shaped like an ID number (typed into a free-text reason, say), they are
        withheld (``leaf_data`` null, ``withheld`` true) -- ``matches_log`` still says whether
        they hash to the leaf, and ``craftledger audit verify`` checks them where they are."""
        record = self.log.leaf(index) if self.log.ready() else None
        if record is None:
            size = self.log.size() if self.log.ready() else 0
            raise OutOfRange(f"no leaf {index}: the log has {size} leaves")
        (logged,) = self.log.leaf_hashes(index, index + 1)
        notification = self.notification_at(record.position)
        data = None if notification is None else leaf_data_of(notification)
        withheld = data is not None and _holds_id_number(notification)
        return {
            "leaf_index": index,
            "position": record.position,
            "aggregate_id": record.originator_id,
            "aggregate_version": record.originator_version,
            "leaf_hash": encode_hash(logged),
            "leaf_data": None if data is None or withheld else _b64(data),
            "withheld": withheld,
            "matches_log": data is not None and leaf_hash(data) == logged,
        }

    def _event_json(self, notification: Notification) -> dict[str, Any]:
        try:
            return event_to_json(self.ledger.mapper, notification)
        except Exception as error:  # a topic this version cannot decode: show the raw state
            try:
                data = EventDecoder(self.ledger.mapper)(notification).data
            except Exception:
                data = None
            return {
                "position": notification.id,
                "aggregate_id": str(notification.originator_id),
                "aggregate_version": notification.originator_version,
                "topic": notification.topic,
                "type": event_type(notification.topic),
                "timestamp": None,
                "actor": None,
                "reason": None,
                "data": _plain(data),
                "decode_error": f"{type(error).__name__}: {error}",
            }

    def _with_leaves(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each event with its leaf index and leaf hash in the log (None: not logged yet)."""
        ready = self.log.ready()
        positions = [e["position"] for e in events if e["position"] is not None]
        records = self.log.leaves_at_positions(positions) if ready and positions else {}
        hashes: dict[int, bytes] = {}
        if records:
            indexes = [r.leaf_index for r in records.values()]
            low, high = min(indexes), max(indexes)
            if high - low < 10 * len(indexes):
                found = self.log.leaf_hashes(low, high + 1)
                hashes = {low + offset: value for offset, value in enumerate(found)}
        for event in events:
            record = records.get(event["position"])
            event["leaf_index"] = None if record is None else record.leaf_index
            value = None if record is None else hashes.get(record.leaf_index)
            event["leaf_hash"] = None if value is None else encode_hash(value)
        return events

    def events(self, after: int = 0, limit: int = 100) -> dict[str, Any]:
        """The log from position ``after`` + 1, at most ``limit`` events, in log order."""
        head = self.ledger.log_position
        page = self.ledger.recorder.select_notifications(start=after + 1, limit=limit)
        events = self._with_leaves([self._event_json(n) for n in page])
        more = bool(page) and page[-1].id < head
        return {
            "items": events,
            "next_after": page[-1].id if more else None,
            "log_position": head,
        }

    def _leaves_of(self, aggregate_id: UUID) -> dict[int, LeafRecord]:
        """The logged leaves of an aggregate's events, by version (the log's own index)."""
        if not self.log.ready():
            return {}
        return {record.originator_version: record for record in self.log.leaves_of(aggregate_id)}

    def leaf_of_event(self, aggregate_id: UUID, version: int) -> LeafRecord | None:
        """The leaf of one stored event, if the log has it yet."""
        return self.log.leaf_of_event(aggregate_id, version) if self.log.ready() else None

    def event_recorded(self, aggregate_id: UUID, version: int) -> bool:
        """Whether the ledger stored this event (whether or not the log has its leaf yet)."""
        return bool(
            self.ledger.recorder.select_events(aggregate_id, gt=version - 1, lte=version, limit=1)
        )

    def aggregate_events(
        self, aggregate_id: UUID, after_version: int = 0, limit: int = 100
    ) -> dict[str, Any]:
        """One aggregate's events after ``after_version``, oldest first."""
        stored = self.ledger.recorder.select_events(
            aggregate_id, gt=after_version or None, limit=limit + 1
        )
        if not stored and not after_version and not self.ledger.exists(aggregate_id):
            raise LookupError(f"no aggregate {aggregate_id}")
        more = len(stored) > limit
        stored = stored[:limit]
        leaves = self._leaves_of(aggregate_id)
        events = []
        for event in stored:
            record = leaves.get(event.originator_version)
            notification = Notification(
                id=record.position if record else 0,
                originator_id=event.originator_id,
                originator_version=event.originator_version,
                topic=event.topic,
                state=event.state,
            )
            item = self._event_json(notification)
            item["position"] = record.position if record else None
            events.append(item)
        return {
            "aggregate_id": str(aggregate_id),
            "items": self._with_leaves(events),
            "next_after": stored[-1].originator_version if more and stored else None,
        }

    def version_at(self, aggregate_id: UUID, moment: datetime) -> int | None:
        """The aggregate's last version recorded at or before ``moment`` (None: none yet)."""
        decode = EventDecoder(self.ledger.mapper)
        found = None
        for event in self.ledger.recorder.select_events(aggregate_id):
            notification = Notification(
                id=0,
                originator_id=event.originator_id,
                originator_version=event.originator_version,
                topic=event.topic,
                state=event.state,
            )
            timestamp = decode(notification).timestamp
            if timestamp is not None and timestamp <= moment:
                found = event.originator_version
            elif timestamp is not None and timestamp > moment:
                break
        return found

    def aggregate_state(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> dict[str, Any]:
        """The aggregate as it was at ``version`` or at ``as_of`` (default: now)."""
        newest = self.ledger.recorder.select_events(aggregate_id, desc=True, limit=1)
        if not newest:
            raise LookupError(f"no aggregate {aggregate_id}")
        latest = newest[0].originator_version
        if version is not None and as_of is not None:
            raise ValueError("give version or as_of, not both")
        if as_of is not None:
            version = self.version_at(aggregate_id, as_of)
            if version is None:
                raise LookupError(f"aggregate {aggregate_id} did not exist yet at {as_of}")
        if version is not None and not 1 <= version <= latest:
            raise LookupError(f"aggregate {aggregate_id} has versions 1 to {latest}, not {version}")
        aggregate = self.ledger.repository.get(aggregate_id, version=version)
        state = {
            name: value
            for name, value in vars(aggregate).items()
            if not name.startswith("_") and not callable(value)
        }
        record = self.leaf_of_event(aggregate_id, aggregate.version)
        return {
            "id": str(aggregate_id),
            "type": getattr(type(aggregate), "TOPIC", type(aggregate).__name__),
            "version": aggregate.version,
            "latest_version": latest,
            "as_of": None if as_of is None else as_of.isoformat(),
            "created_on": _plain(aggregate.created_on),
            "modified_on": _plain(aggregate.modified_on),
            "position": None if record is None else record.position,
            "leaf_index": None if record is None else record.leaf_index,
            "state": _plain(state),
        }


def _holds_id_number(notification: Notification) -> bool:
    """Whether a stored event's topic or (readable) state holds an ID-number-shaped string."""
    state = notification.state
    text = state if isinstance(state, str) else bytes(state).decode("utf-8", "replace")
    text = f"{notification.topic}\n{text}"
    return mask_id_numbers(text) != text


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
