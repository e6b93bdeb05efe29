"""Identity document numbers, chiefly the 居民身份证号 (resident identity card number).

A resident number has 18 characters (GB 11643-1999 公民身份号码):

=====  ===  ==========================================================
pos    len  field
=====  ===  ==========================================================
1-6    6    address code (GB/T 2260); the first two are the province
7-14   8    birth date ``YYYYMMDD``
15-17  3    sequence code (odd 17th digit: male, even: female)
18     1    check character, ISO 7064 MOD 11-2: ``0``-``9`` or ``X``
=====  ===  ==========================================================

Other document kinds (passport, Mainland travel permits for Hong Kong/Macao or Taiwan residents,
foreigner's permanent residence ID card) are accepted with basic format checks and no checksum.
The residence permit for Hong Kong, Macao and Taiwan residents (港澳台居民居住证) uses the
resident layout with address codes 810000/820000/830000 and is checked like a resident number.

Personal data: ``str()``/``repr()`` show only the masked form; the full number comes out only
through :meth:`IdNumber.reveal`. Rejections name the problem (``"length"``, ``"characters"``,
``"region"``, ``"birth date"``, ``"check character"``) and never echo the number.

Masking keeps the first 6 and the last 4 characters of an 18-character number
(``110105********123X``): the region and the check remain visible for a human cross-check, the
birth date is hidden. Other kinds keep the first character and the last 2.

Input is taken as given (no whitespace stripping). The one normalisation is the check character:
a lowercase ``x`` is stored as ``X``, since both denote the same number and the keyed identity
hash must not split one person into two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domain.certificate_number import PROVINCE_CODES
from domain.errors import InvalidValue

__all__ = ["IdKind", "IdNumber", "resident_check_character"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # indexed by (sum of weighted digits) mod 11
_ASCII_DIGITS = frozenset("0123456789")
_EARLIEST_BIRTH = date(1900, 1, 1)
_HMT_RESIDENCE_REGIONS = frozenset({"810000", "820000", "830000"})


def resident_check_character(body: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of a resident number."""
    if len(body) != 17 or not all(char in _ASCII_DIGITS for char in body):
        raise InvalidValue("characters", "the first 17 characters must be ASCII digits")
    total = sum(int(char) * weight for char, weight in zip(body, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


class IdKind(StrEnum):
    """Kind of identity document (证件类型)."""

    RESIDENT = "resident"
    """居民身份证 -- checked in full (region, birth date, check character)."""
    HMT_RESIDENCE_PERMIT = "hmt-residence-permit"
    """港澳台居民居住证 -- resident layout, address code 810000/820000/830000."""
    PASSPORT = "passport"
    """护照 -- 5-20 upper-case letters or digits."""
    HK_MACAO_PERMIT = "hk-macao-permit"
    """港澳居民来往内地通行证 -- ``H``/``M`` and 8 or 10 digits."""
    TAIWAN_PERMIT = "taiwan-permit"
    """台湾居民来往大陆通行证 -- 8 or 10 digits."""
    FOREIGN_PERMANENT_RESIDENCE = "foreign-permanent-residence"
    """外国人永久居留身份证 -- 2004 card: 3 letters + 12 digits; 2017/2023 card: 18 characters
    starting with ``9``."""


_OTHER_FORMATS: dict[IdKind, tuple[re.Pattern[str], str]] = {
    IdKind.PASSPORT: (re.compile(r"[A-Z0-9]{5,20}"), "5-20 upper-case letters or digits"),
    IdKind.HK_MACAO_PERMIT: (
        re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?"),
        "'H' or 'M' followed by 8 or 10 digits",
    ),
    IdKind.TAIWAN_PERMIT: (re.compile(r"[0-9]{8}(?:[0-9]{2})?"), "8 or 10 digits"),
    IdKind.FOREIGN_PERMANENT_RESIDENCE: (
        re.compile(r"[A-Z]{3}[0-9]{12}|9[0-9]{16}[0-9X]"),
        "3 letters and 12 digits, or 18 characters starting with '9'",
    ),
}


@dataclass(frozen=True, slots=True, repr=False)
class IdNumber:
    """An identity document number (证件号码). Construct with :meth:`parse`.

    The constructor validates structure (format, region, date, check character); :meth:`parse`
    additionally refuses a birth date after ``today``.
    """

    kind: IdKind
    _number: str = field(compare=True)

    def __post_init__(self) -> None:
        kind = _check_kind(self.kind)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "_number", _validated(kind, self._number))

    @classmethod
    def parse(
        cls,
        text: str,
        kind: IdKind | str = IdKind.RESIDENT,
        *,
        today: date | None = None,
    ) -> IdNumber:
        """Validate ``text`` as a number of ``kind``; raises :class:`InvalidValue`.

        For resident-layout numbers the birth date must not be after ``today`` (default: the
        system date).
        """
        number = cls(_check_kind(kind), text)
        birth = number.birth_date
        if birth is not None and birth > (today or date.today()):
            raise InvalidValue("birth date", "the birth date is in the future")
        return number

    @classmethod
    def resident(cls, region: str, born: date, sequence: int) -> IdNumber:
        """The resident number of address code ``region`` (6 digits), birth date ``born`` and
        顺序码 ``sequence`` (0-999), with its check character: how the demo and the tests make
        fictitious, checksum-valid people. Raises :class:`InvalidValue` like :meth:`parse`."""
        if not 0 <= sequence <= 999:
            raise InvalidValue("characters", "the sequence code has three digits")
        body = f"{region}{born:%Y%m%d}{sequence:03d}"
        return cls.parse(body + resident_check_character(body))

    # --- access ---------------------------------------------------------------------------

    def reveal(self) -> str:
        """The full number. Call only where the raw value is needed (keyed hashing)."""
        return self._number

    @property
    def masked(self) -> str:
        """Masked form safe for responses and logs, e.g. ``110105********123X``."""
        number = self._number
        if self.has_resident_layout:
            return number[:6] + "*" * 8 + number[-4:]
        return number[:1] + "*" * (len(number) - 3) + number[-2:]

    @property
    def has_resident_layout(self) -> bool:
        """True for the 18-character GB 11643 layout (resident ID, HMT residence permit)."""
        return self.kind in (IdKind.RESIDENT, IdKind.HMT_RESIDENCE_PERMIT)

    @property
    def birth_date(self) -> date | None:
        """Birth date encoded in a resident-layout number; ``None`` for other kinds."""
        if not self.has_resident_layout:
            return None
        return _birth_date(self._number)

    @property
    def province_code(self) -> str | None:
        """First two digits of a resident-layout number (e.g. ``"11"``); ``None`` otherwise."""
        return self._number[:2] if self.has_resident_layout else None

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"IdNumber(kind={self.kind.value!r}, masked={self.masked!r})"


def _check_kind(kind: object) -> IdKind:
    if isinstance(kind, str):
        for member in IdKind:
            if kind == member.value:
                return member
    raise InvalidValue(
        "kind", "unknown ID kind; expected one of " + ", ".join(k.value for k in IdKind)
    )


def _validated(kind: IdKind, number: object) -> str:
    if not isinstance(number, str):
        raise InvalidValue("id number", f"must be a string, got {type(number).__name__}")
    if kind in (IdKind.RESIDENT, IdKind.HMT_RESIDENCE_PERMIT):
        return _validated_resident_layout(kind, number)
    pattern, description = _OTHER_FORMATS[kind]
    if pattern.fullmatch(number) is None:
        raise InvalidValue("format", f"a {kind.value} number must be {description}")
    return number


def _validated_resident_layout(kind: IdKind, number: str) -> str:
    if len(number) != 18:
        raise InvalidValue("length", f"must be 18 characters, got {len(number)}")
    body, check = number[:17], number[17]
    if not all(char in _ASCII_DIGITS for char in body):
        raise InvalidValue("characters", "the first 17 characters must be ASCII digits")
    if check == "x":
        check = "X"
    if check not in _ASCII_DIGITS and check != "X":
        raise InvalidValue("characters", "the 18th character must be a digit or 'X'")
    if kind is IdKind.RESIDENT:
        if body[:2] not in PROVINCE_CODES:
            raise InvalidValue("region", "the first two digits are not a province-level code")
    elif body[:6] not in _HMT_RESIDENCE_REGIONS:
        raise InvalidValue("region", "a residence permit starts with 810000, 820000 or 830000")
    try:
        birth = _birth_date(body)
    except ValueError:
        raise InvalidValue("birth date", "digits 7-14 are not a calendar date") from None
    if birth < _EARLIEST_BIRTH:
        raise InvalidValue("birth date", "the birth date is before 1900")
    if resident_check_character(body) != check:
        raise InvalidValue("check character", "the check character does not match")
    return body + check


def _birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
