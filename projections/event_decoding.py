"""Stored notifications decoded into the ``RecordedEvent``s projection handlers see, each at
most once per page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.utils import TopicError, resolve_topic

from projections.projection import RecordedEvent, text_id


class EventDecoder:
    """Turns stored notifications into ``RecordedEvent``s with the ledger's mapper.

    An event whose class has never changed (``class_version`` 1, nothing to upcast) is decoded
    straight from its stored state into the dict the handlers see -- the mapper would build an
    event object around the same dict, and a projection throws that object away. So are topics
    without a class yet (events written by a newer version of the domain), so projections can
    accept them ahead of time. Other classes go through ``mapper.to_domain_event`` and its
    upcasters.
    """

    def __init__(self, mapper: Any) -> None:
        self.mapper = mapper
        self._direct: dict[str, bool] = {}  # topic -> whether its state needs no upcasting

    def __call__(self, notification: Any) -> RecordedEvent:
        topic = notification.topic
        direct = self._direct.get(topic)
        if direct is None:
            direct = self._direct[topic] = self._unversioned(topic)
        if direct:
            data = self._decode_state(notification)
            data.pop("class_version", None)
        else:
            # The event object is thrown away, so its attribute dict can be taken over.
            data = self.mapper.to_domain_event(notification).__dict__
        timestamp = data.pop("timestamp", None)
        data.pop("originator_id", None)
        data.pop("originator_version", None)
        return RecordedEvent(
            position=notification.id,
            topic=topic,
            originator_id=notification.originator_id,
            originator_version=notification.originator_version,
            timestamp=timestamp,
            data=data,
            aggregate_id=text_id(notification.originator_id) or "",
        )

    @staticmethod
    def _unversioned(topic: str) -> bool:
        try:
            return getattr(resolve_topic(topic), "class_version", 1) == 1
        except TopicError:
            return True  # no class: plain data

    def _decode_state(self, notification: Any) -> dict[str, Any]:
        state = notification.state
        if self.mapper.cipher:
            state = self.mapper.cipher.decrypt(state)
        if self.mapper.compressor:
            state = self.mapper.compressor.decompress(state)
        decoded: dict[str, Any] = self.mapper.transcoder.decode(state)
        return decoded


class PageEvents:
    """A page's events by page index, each decoded at most once, when first wanted; calling
    it with an index gives the event or raises what decoding it raised (a poison event for
    whichever projection handles its topic)."""

    __slots__ = ("_decode", "events", "ids", "page")

    def __init__(self, page: list[Any], decode: Callable[[Any], RecordedEvent]) -> None:
        self.page = page  # the stored notifications
        self.ids = [n.id for n in page]  # their log positions
        self._decode = decode
        self.events: list[RecordedEvent | BaseException | None] = [None] * len(page)

    def __call__(self, index: int) -> RecordedEvent:
        found = self.events[index]
        if found is None:
            try:
                found = self._decode(self.page[index])
            except Exception as error:
                found = error
            self.events[index] = found
        if isinstance(found, BaseException):
            raise found
        return found
