"""Skill-grade certificate numbers (职业技能等级证书编号) and evaluator prefixes.

A certificate number is 22 characters -- one letter and 21 ASCII digits, no check digit:

====  ===  ================================================================
pos   len  field
====  ===  ================================================================
1     1    evaluator type: ``Y`` employer (用人单位), ``S`` social organisation
2-5   4    evaluator code, ``0000`` when filed with a province
6-7   2    province code (GB/T 2260 province-level code, 11-65)
8-13  6    site serial
14-15 2    issue year, last two digits
16    1    level digit 1-5 (五级 .. 一级)
17-22 6    certificate serial, 000001-999999
====  ===  ================================================================

Characters 1-13 identify the filed evaluator (:class:`EvaluatorPrefix`); serials are allocated
per (prefix, issue year, level) (:class:`SerialAllocationKey`).

Input is never "auto-corrected": no stripping, no upper-casing, no full-width digit folding. Every
rejection is an :class:`~domain.errors.InvalidValue` whose ``field`` names the first wrong field
(``"length"``, ``"evaluator type"``, ``"evaluator code"``, ``"province code"``, ``"site serial"``,
``"issue year"``, ``"level"``, ``"serial"``).

Century rule: the two-digit issue year ``yy`` means ``2000 + yy``. The 22-character scheme dates
from the 2019-2020 skill-grade reform, so no certificate in it predates 2000; the rule holds until
2099.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from domain.errors import InvalidValue
from domain.skill_level import SkillLevel

__all__ = [
    "CERTIFICATE_NUMBER_LENGTH",
    "EVALUATOR_PREFIX_LENGTH",
    "PROVINCE_CODES",
    "CertificateNumber",
    "EvaluatorPrefix",
    "EvaluatorType",
    "SerialAllocationKey",
]

CERTIFICATE_NUMBER_LENGTH = 22
EVALUATOR_PREFIX_LENGTH = 13
MAX_SERIAL = 999_999

#: Province-level administrative division codes (GB/T 2260, first two digits), 11-65.
#: 71 (Taiwan), 81 (Hong Kong) and 82 (Macao) are not used for filed evaluators.
PROVINCE_CODES: Mapping[str, str] = MappingProxyType(
    {
        "11": "北京市",
        "12": "天津市",
        "13": "河北省",
        "14": "山西省",
        "15": "内蒙古自治区",
        "21": "辽宁省",
        "22": "吉林省",
        "23": "黑龙江省",
        "31": "上海市",
        "32": "江苏省",
        "33": "浙江省",
        "34": "安徽省",
        "35": "福建省",
        "36": "江西省",
        "37": "山东省",
        "41": "河南省",
        "42": "湖北省",
        "43": "湖南省",
        "44": "广东省",
        "45": "广西壮族自治区",
        "46": "海南省",
        "50": "重庆市",
        "51": "四川省",
        "52": "贵州省",
        "53": "云南省",
        "54": "西藏自治区",
        "61": "陕西省",
        "62": "甘肃省",
        "63": "青海省",
        "64": "宁夏回族自治区",
        "65": "新疆维吾尔自治区",
    }
)


def _is_digits(text: str, length: int) -> bool:
    """Exactly ``length`` ASCII digits (``str.isdigit`` alone would accept full-width ``１``)."""
    return len(text) == length and text.isascii() and text.isdigit()


class EvaluatorType(StrEnum):
    """Position 1 of a certificate number: who evaluated (评价机构类型)."""

    EMPLOYER = "Y"
    """用人单位 -- an employer evaluating its own staff (企业自主评价)."""
    SOCIAL_ORGANISATION = "S"
    """社会培训评价组织 -- a social training-evaluation organisation."""


_EVALUATOR_TYPES = {member.value: member for member in EvaluatorType}


def _check_evaluator_type(value: object) -> EvaluatorType:
    found = _EVALUATOR_TYPES.get(value) if isinstance(value, str) else None
    if found is not None:
        return found
    raise InvalidValue(
        "evaluator type",
        f"must be 'Y' (employer) or 'S' (social organisation), got {value!r}",
    )


def _check_digits(field: str, value: object, length: int) -> str:
    if not isinstance(value, str) or not _is_digits(value, length):
        raise InvalidValue(field, f"must be {length} ASCII digits, got {value!r}")
    return value


def _check_province(value: object) -> str:
    code = _check_digits("province code", value, 2)
    if code not in PROVINCE_CODES:
        raise InvalidValue(
            "province code", f"{code!r} is not a GB/T 2260 province-level code (11-65)"
        )
    return code


def _check_level(value: object) -> SkillLevel:
    if not isinstance(value, SkillLevel) or not value.is_numbered:
        raise InvalidValue(
            "level", f"must be a numbered level 5..1 (posts have no certificate), got {value!r}"
        )
    return value


def _check_serial(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SERIAL:
        raise InvalidValue("serial", f"must be an integer 1-{MAX_SERIAL}, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class EvaluatorPrefix:
    """Characters 1-13 of a certificate number: the filed evaluator (评价机构代码).

    Assigned when an organisation is filed (备案); every certificate it issues starts with it.
    """

    evaluator_type: EvaluatorType
    evaluator_code: str
    """4 digits; ``"0000"`` when filed with a province."""
    province_code: str
    """2 digits, a key of :data:`PROVINCE_CODES`."""
    site_serial: str
    """6 digits."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "evaluator_type", _check_evaluator_type(self.evaluator_type))
        _check_digits("evaluator code", self.evaluator_code, 4)
        _check_province(self.province_code)
        _check_digits("site serial", self.site_serial, 6)

    @classmethod
    def parse(cls, text: str) -> EvaluatorPrefix:
        """Parse the 13-character prefix; raises :class:`InvalidValue` naming the wrong field."""
        if not isinstance(text, str):
            raise InvalidValue("evaluator prefix", f"must be a string, got {type(text).__name__}")
        if len(text) != EVALUATOR_PREFIX_LENGTH:
            raise InvalidValue(
                "length",
                f"an evaluator prefix has {EVALUATOR_PREFIX_LENGTH} characters, got {len(text)}",
            )
        return cls._from_fields(text)

    @classmethod
    def _from_fields(cls, text: str) -> EvaluatorPrefix:
        # Checked in position order so the first wrong field is the one reported.
        evaluator_type = _check_evaluator_type(text[0])
        evaluator_code = _check_digits("evaluator code", text[1:5], 4)
        province_code = _check_province(text[5:7])
        site_serial = _check_digits("site serial", text[7:13], 6)
        return cls(evaluator_type, evaluator_code, province_code, site_serial)

    @property
    def province_name(self) -> str:
        """Chinese name of the province, e.g. ``"北京市"``."""
        return PROVINCE_CODES[self.province_code]

    def __str__(self) -> str:
        return (
            f"{self.evaluator_type.value}{self.evaluator_code}"
            f"{self.province_code}{self.site_serial}"
        )


@dataclass(frozen=True, slots=True)
class SerialAllocationKey:
    """The scope within which certificate serials are allocated without gaps or duplicates:
    (evaluator prefix, two-digit issue year, level). ``str()`` is characters 1-16 of every
    certificate number in that scope."""

    prefix: EvaluatorPrefix
    issue_year: str
    level: SkillLevel

    def __post_init__(self) -> None:
        _check_digits("issue year", self.issue_year, 2)
        _check_level(self.level)

    def __str__(self) -> str:
        return f"{self.prefix}{self.issue_year}{self.level.value}"


@dataclass(frozen=True, slots=True)
class CertificateNumber:
    """A 22-character skill-grade certificate number (职业技能等级证书编号)."""

    evaluator_type: EvaluatorType
    evaluator_code: str
    province_code: str
    site_serial: str
    issue_year: str
    """Two digits as printed, e.g. ``"24"``; see :attr:`year` for the full year."""
    level: SkillLevel
    serial: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "evaluator_type", _check_evaluator_type(self.evaluator_type))
        _check_digits("evaluator code", self.evaluator_code, 4)
        _check_province(self.province_code)
        _check_digits("site serial", self.site_serial, 6)
        _check_digits("issue year", self.issue_year, 2)
        _check_level(self.level)
        _check_serial(self.serial)

    # --- parsing and formatting -----------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> CertificateNumber:
        """Parse a certificate number exactly as given; raises :class:`InvalidValue` naming the
        first wrong field. Nothing is corrected: ``" Y..."``, ``"y..."`` are rejected."""
        if not isinstance(text, str):
            raise InvalidValue("certificate number", f"must be a string, got {type(text).__name__}")
        if len(text) != CERTIFICATE_NUMBER_LENGTH:
            raise InvalidValue(
                "length",
                f"a certificate number has {CERTIFICATE_NUMBER_LENGTH} characters, got {len(text)}",
            )
        prefix = EvaluatorPrefix._from_fields(text[:EVALUATOR_PREFIX_LENGTH])
        issue_year = _check_digits("issue year", text[13:15], 2)
        level_char = text[15]
        if level_char not in "12345":
            raise InvalidValue("level", f"level digit must be 1-5, got {level_char!r}")
        serial_text = _check_digits("serial", text[16:22], 6)
        return cls(
            prefix.evaluator_type,
            prefix.evaluator_code,
            prefix.province_code,
            prefix.site_serial,
            issue_year,
            SkillLevel(level_char),
            _check_serial(int(serial_text)),
        )

    @classmethod
    def is_valid(cls, text: str) -> bool:
        """True when :meth:`parse` would accept ``text`` (one pattern match: every event's
        free text is checked for certificate numbers, so this is on the issuing path)."""
        return isinstance(text, str) and _VALID_NUMBER.fullmatch(text) is not None

    @classmethod
    def format(
        cls,
        prefix: EvaluatorPrefix | str,
        year: int | str,
        level: SkillLevel,
        serial: int,
    ) -> CertificateNumber:
        """Build a number from its parts.

        ``prefix`` is an :class:`EvaluatorPrefix` or its 13-character text; ``year`` is a full
        year 2000-2099 (``int``) or the two printed digits (``str``); ``level`` a numbered level;
        ``serial`` 1-999999.
        """
        if isinstance(prefix, str):
            prefix = EvaluatorPrefix.parse(prefix)
        elif not isinstance(prefix, EvaluatorPrefix):
            raise InvalidValue("evaluator prefix", f"expected an EvaluatorPrefix, got {prefix!r}")
        return cls(
            prefix.evaluator_type,
            prefix.evaluator_code,
            prefix.province_code,
            prefix.site_serial,
            _two_digit_year(year),
            level,
            serial,
        )

    @classmethod
    def consecutive(
        cls,
        prefix: EvaluatorPrefix | str,
        year: int | str,
        level: SkillLevel,
        first: int,
        count: int,
    ) -> list[CertificateNumber]:
        """``count`` numbers with serials ``first``, ``first + 1`` ...: the fields are checked
        once (the first and the last number are built by :meth:`format`), the numbers between
        share them -- what a series allocating thousands of serials at once needs."""
        if count < 1:
            return []
        head = cls.format(prefix, year, level, first)
        last = cls.format(prefix, year, level, first + count - 1)
        shared = (
            head.evaluator_type,
            head.evaluator_code,
            head.province_code,
            head.site_serial,
            head.issue_year,
            head.level,
        )
        between = [
            cls._unchecked(*shared, serial) for serial in range(first + 1, first + count - 1)
        ]
        return [head, *between, last] if count > 1 else [head]

    @classmethod
    def _unchecked(cls, *fields: object) -> CertificateNumber:
        number = object.__new__(cls)
        for name, value in zip(_FIELDS, fields, strict=True):
            object.__setattr__(number, name, value)
        return number

    def __str__(self) -> str:
        return (
            f"{self.evaluator_type.value}{self.evaluator_code}{self.province_code}"
            f"{self.site_serial}{self.issue_year}{self.level.value}{self.serial:06d}"
        )

    # --- derived --------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The 22-character number (same as ``str()``)."""
        return str(self)

    @property
    def year(self) -> int:
        """Full issue year by the century rule ``2000 + yy``."""
        return 2000 + int(self.issue_year)

    @property
    def evaluator_prefix(self) -> EvaluatorPrefix:
        """Characters 1-13: the filed evaluator."""
        return EvaluatorPrefix(
            self.evaluator_type, self.evaluator_code, self.province_code, self.site_serial
        )

    @property
    def allocation_key(self) -> SerialAllocationKey:
        """(prefix, yy, level): the scope in which this number's serial was allocated."""
        return SerialAllocationKey(self.evaluator_prefix, self.issue_year, self.level)


_FIELDS = (
    "evaluator_type",
    "evaluator_code",
    "province_code",
    "site_serial",
    "issue_year",
    "level",
    "serial",
)


def _two_digit_year(year: int | str) -> str:
    if isinstance(year, str):
        return _check_digits("issue year", year, 2)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2099:
        raise InvalidValue("issue year", f"must be a full year 2000-2099, got {year!r}")
    return f"{year % 100:02d}"


_VALID_NUMBER = re.compile(
    "[YS][0-9]{4}(?:"
    + "|".join(map(re.escape, PROVINCE_CODES))
    + ")[0-9]{6}[0-9]{2}[1-5](?!0{6})[0-9]{6}"
)
"""What :meth:`CertificateNumber.parse` accepts, field by field (``[0-9]``: ASCII digits only;
the serial is 000001-999999), for :meth:`CertificateNumber.is_valid`."""
