"""The base class of every craftledger aggregate: no event leaves it with an ID number in its
free text.

Why here: every event an ``eventsourcing`` aggregate records is constructed in one of two
places -- ``_create`` (the created event, including ``@event``-decorated ``__init__``) and
``trigger_event`` (every ``@event`` command method, property setter and explicit trigger).
Masking the keyword arguments there, before the event object exists, makes the rule
structural: a new command, field or aggregate cannot forget it, the aggregate's state (applied
from the event) holds only the masked text, and what is stored, projected, exported and signed
is masked alike. A call sprinkled into each command would be forgotten by the next one.

What is masked: every string field, nested in lists and dicts, except ids, hashes, sealed
values, signatures, keys and masked numbers by design (:func:`domain.free_text.
is_free_text_field`), with :func:`domain.free_text.mask_id_numbers`. A natural key derived from
free text (a competition's ``reference``, a ladder's ``name``) is derived from the masked text,
in ``create_id`` itself, so a service computing an id from the raw text finds the same aggregate.
Event topics are explicit and unchanged, so stored history reads as before.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from eventsourcing.domain import Aggregate

from domain.free_text import is_free_text_field, mask_free_text, mask_free_text_fields


class LedgerAggregate(Aggregate):
    """An ``Aggregate`` whose events never carry an ID number in free text."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        create_id = cls.__dict__.get("create_id")
        if isinstance(create_id, staticmethod):
            cls.create_id = staticmethod(_masking_create_id(create_id.__func__))  # type: ignore[method-assign]

    @classmethod
    def _create(cls, event_class: Any, *, id: Any = None, **kwargs: Any) -> Any:
        return super()._create(event_class, id=id, **mask_free_text_fields(kwargs))

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        super().trigger_event(event_class, **mask_free_text_fields(kwargs))


def _masking_create_id(create_id: Any) -> Any:
    """``create_id`` seeing the masked free text, however its arguments are passed."""
    signature = inspect.signature(create_id)

    @functools.wraps(create_id)  # eventsourcing reads the parameter names through __wrapped__
    def masked_create_id(*args: Any, **kwargs: Any) -> Any:
        if not args:  # how aggregates call it, all by name: each masked by its name, unbound
            return create_id(**mask_free_text_fields(kwargs))
        bound = signature.bind(*args, **kwargs)
        for name, value in bound.arguments.items():
            if signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
                bound.arguments[name] = mask_free_text_fields(value)
            elif is_free_text_field(name):
                bound.arguments[name] = mask_free_text(value)
        return create_id(*bound.args, **bound.kwargs)

    return masked_create_id
