"""Free text recorded in events: required where the rules say, stripped, and with anything
shaped like a resident ID number masked, so personal data never enters the log.

The rule (:func:`mask_id_numbers`), applied to every maximal run of digits (ASCII or
full-width, ``X``/``x`` allowed as the run's last character) wherever it stands -- after a
letter, a digit or in the middle of a word:

* every 18-character window of the run that is ID-shaped -- a first digit 1-9, 16 digits, a
  digit or ``X`` -- **and has a valid ISO 7064 MOD 11-2 check character** is masked to
  ``110105********123X`` (the birth date hidden). Region and birth date are *not* required to be
  plausible: a number with month 13, 30 February or a future date is still someone's mistyped
  number. Windows are tried at every offset, so an ID glued to other digits is caught too;
* a run of exactly 15 digits whose first two name a province and whose digits 7-12 are a
  ``YYMMDD`` date (a legacy 15-digit number) is masked to ``110105******001``;
* except a certificate number: a letter directly followed by a run of exactly 21 ASCII digits
  that together parse as a :class:`~domain.certificate_number.CertificateNumber`
  (``Y000037020001224000001``). Its digit run is 21 long, never 18, so the length of the run
  and the certificate layout tell it apart from ``X110105199003070011`` (letter + 18 digits).

Masking is idempotent: an already masked number has no 18- or 15-digit run left, and every
window not masked was tried and failed. A masked ``x`` is shown as ``X``.

:func:`mask_free_text_fields` applies the rule to every string of an event's fields, nested
in lists and dicts, except fields that are identifiers, hashes, sealed values, signatures, keys
or masked numbers by design (:func:`is_free_text_field`). The aggregate base class
:class:`domain.ledger_aggregate.LedgerAggregate` calls it for every event it creates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.certificate_number import PROVINCE_CODES, CertificateNumber
from domain.errors import DomainRuleViolation
from domain.id_number import resident_check_character

__all__ = [
    "is_free_text_field",
    "mask_free_text",
    "mask_free_text_fields",
    "mask_id_numbers",
    "require_reason",
]

_FOLD = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_RUN = re.compile(r"[0-9]+[Xx]?")
_LONG_RUN = re.compile(r"[0-9０-９]{15}")
"""Fifteen digits in a row: what every number masked has (a legacy number 15, an 18-character
one 17 and a check character), so text without them is left as it is, unread further."""
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ASCII_DIGITS = frozenset("0123456789")
_CERTIFICATE_DIGITS = 21
_LEGACY_PROVINCES = frozenset(PROVINCE_CODES) | {"71", "81", "82"}

_NOT_FREE_TEXT = frozenset(
    {"id", "sealed", "subject", "masked_id_number", "evaluator_prefix", "signature", "proof"}
)
_NOT_FREE_TEXT_SUFFIXES = ("_id", "_ids", "_hash", "_multibase", "_signature", "_key", "_mac")


def mask_id_numbers(text: str) -> str:
    """``text`` with every resident ID number (18 characters, checksum-valid; or a legacy
    15-digit one) masked, wherever it stands; certificate numbers are left as they are.

    Masked again until nothing changes: masking splits a long digit run, and a remainder can
    itself read as a legacy 15-digit number (found by the idempotence property test), which
    the next pass masks; each pass only adds ``*``, so this ends.

    Every event's every string passes through here, and almost none holds 15 digits in a row
    (what every number masked has): such text is returned at once, unread further (bulk
    issuance, ``bench_scale``: 1.08 -> 0.87 ms of CPU a certificate; a property test compares
    it with the full pass)."""
    if _LONG_RUN.search(text) is None:
        return text
    return _mask_long_runs(text)


def _mask_long_runs(text: str) -> str:
    while (masked := _mask_once(text)) != text:
        text = masked
    return text


def _mask_once(text: str) -> str:
    folded = text.translate(_FOLD)
    hidden: set[int] = set()
    upper: set[int] = set()
    for run in _RUN.finditer(folded):
        start, end = run.span()
        if _is_certificate_number(folded, text, start, end):
            continue
        digits = run.group()
        if len(digits) == 15:
            if _is_legacy_number(digits):
                hidden.update(range(start + 6, start + 12))
            continue
        for offset in range(len(digits) - 17):
            window = digits[offset : offset + 18]
            if _is_checksum_valid(window):
                hidden.update(range(start + offset + 6, start + offset + 14))
                if window[17] == "x":
                    upper.add(start + offset + 17)
    if not hidden:
        return text
    return "".join(
        "*" if index in hidden else ("X" if index in upper else char)
        for index, char in enumerate(text)
    )


def _is_checksum_valid(window: str) -> bool:
    return window[0] != "0" and resident_check_character(window[:17]) == window[17].upper()


def _is_legacy_number(digits: str) -> bool:
    if digits[:2] not in _LEGACY_PROVINCES:
        return False
    try:
        date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        return False
    return True


def _is_certificate_number(folded: str, text: str, start: int, end: int) -> bool:
    if end - start != _CERTIFICATE_DIGITS or start == 0 or folded[start - 1] not in _LETTERS:
        return False
    candidate = text[start - 1 : end]
    return all(char in _ASCII_DIGITS for char in candidate[1:]) and CertificateNumber.is_valid(
        candidate
    )


def is_free_text_field(name: str) -> bool:
    """False for fields that are ids, hashes, sealed values, signatures, keys or masked numbers
    by design (``worker_id``, ``token_hash``, ``sealed``, ``public_key_multibase`` ...): their
    values are never typed by a person, and masking one would corrupt it."""
    return name not in _NOT_FREE_TEXT and not name.endswith(_NOT_FREE_TEXT_SUFFIXES)


def mask_free_text(value: Any) -> Any:
    """``value`` with :func:`mask_id_numbers` applied to every string in it (dict keys too),
    through lists, tuples and dicts; a dict's values under id-like keys are left alone."""
    if isinstance(value, str):
        return mask_id_numbers(value)
    if isinstance(value, Mapping):
        return {
            mask_free_text(key): (mask_free_text(item) if _free(key) else item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_free_text(item) for item in value]
    if isinstance(value, tuple):
        return tuple(mask_free_text(item) for item in value)
    return value


def _free(key: object) -> bool:
    return not isinstance(key, str) or is_free_text_field(key)


def mask_free_text_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """An event's fields with every free-text string masked (:func:`mask_free_text`); fields
    that are not free text (:func:`is_free_text_field`) pass unchanged."""
    return {
        name: mask_free_text(value) if is_free_text_field(name) else value
        for name, value in fields.items()
    }


def require_reason(reason: object, what: str) -> str:
    """The reason, stripped and masked; a missing or blank one breaks ``reason-required``.

    Corrections, withdrawals, revocations and rejections are recorded with why (design §6).
    """
    if not isinstance(reason, str) or not reason.strip():
        raise DomainRuleViolation("reason-required", f"{what} needs a reason")
    return mask_id_numbers(reason.strip())
