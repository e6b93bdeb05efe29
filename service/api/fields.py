"""Request and response fields shared by several resources (each resource keeps its schemas)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import validate

from domain.certificate_number import PROVINCE_CODES
from domain.id_number import IdKind
from domain.skill_level import SkillLevel
from service.credentials.credential_document import (
    masked_name,
)  # one masking rule for credentials and API

__all__ = [
    "LEVEL_CODES",
    "LoadedCode",
    "ReasonSchema",
    "id_kind_field",
    "id_number_field",
    "level_field",
    "masked_name",
    "occupation_code_field",
    "text",
]

LEVEL_CODES = ["5", "4", "3", "2", "1"]
OCCUPATION_CODE_PATTERN = r"^[1-8]-[0-9]{2}-[0-9]{2}-[0-9]{2}(-[0-9]{2})?$"


def text(
    max_length: int, *, min_length: int | None = None, description: str = "", **kwargs: Any
) -> ma.fields.String:
    """A string of ``min_length``..``max_length`` characters; ``min_length`` is 1, or 0 when
    the field defaults to ``""`` (a default must satisfy its own schema)."""
    if min_length is None:
        min_length = 0 if kwargs.get("load_default") == "" else 1
    metadata = {"description": description} if description else {}
    return ma.fields.String(
        validate=validate.Length(min=min_length, max=max_length), metadata=metadata, **kwargs
    )


def occupation_code_field(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(
        validate=validate.Regexp(
            OCCUPATION_CODE_PATTERN, error="must look like 6-31-01-03 (大典 occupation code)"
        ),
        metadata={"description": "occupation code (国家职业分类大典), e.g. 6-31-01-03 电工"},
        **kwargs,
    )


class LoadedCode(ma.fields.String):
    """A code in JSON (documented and validated as a string), loaded as the domain's value
    ``load(code)``, so that a view can hand the body to its command as it is."""

    def __init__(self, load: Callable[[str], Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.load = load

    def deserialize(self, *args: Any, **kwargs: Any) -> Any:
        code = super().deserialize(*args, **kwargs)
        return self.load(code) if isinstance(code, str) else code


def level_field(**kwargs: Any) -> ma.fields.String:
    """A skill level code (5 … 1), loaded as the domain's :class:`SkillLevel`."""
    return LoadedCode(
        SkillLevel.from_code,
        validate=validate.OneOf(LEVEL_CODES),
        metadata={"description": "skill level code: 5 初级工 … 1 高级技师"},
        **kwargs,
    )


def id_number_field(description: str) -> ma.fields.String:
    """An identity document number: read from the request only, never answered."""
    return ma.fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": description},
    )


def id_kind_field() -> ma.fields.String:
    """The kind of identity document (resident ID card unless said)."""
    return ma.fields.String(
        load_default=IdKind.RESIDENT.value,
        validate=validate.OneOf([kind.value for kind in IdKind]),
    )


def province_code_field(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(
        validate=validate.OneOf(sorted(PROVINCE_CODES)),
        metadata={"description": "province code (GB/T 2260, first two digits)"},
        **kwargs,
    )


class ReasonSchema(ma.Schema):
    """A command that only needs a reason (recorded in the event)."""

    reason = text(500, required=True, description="why; recorded in the event")
