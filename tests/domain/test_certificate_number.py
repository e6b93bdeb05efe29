"""CertificateNumber and EvaluatorPrefix: the 22-character 职业技能等级证书编号."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.certificate_number import (
    PROVINCE_CODES,
    CertificateNumber,
    EvaluatorPrefix,
    EvaluatorType,
    SerialAllocationKey,
)
from domain.errors import InvalidValue
from domain.skill_level import SkillLevel

VALID = "Y000011000001243000012"  # Y / 0000 / 11 / 000001 / 24 / 3 / 000012


def test_parse_splits_every_field() -> None:
    number = CertificateNumber.parse("S123432000045252000310")
    assert number.evaluator_type is EvaluatorType.SOCIAL_ORGANISATION
    assert number.evaluator_code == "1234"
    assert number.province_code == "32"
    assert number.site_serial == "000045"
    assert number.issue_year == "25"
    assert number.year == 2025
    assert number.level is SkillLevel.LEVEL_2
    assert number.serial == 310
    assert str(number) == "S123432000045252000310"
    assert number.text == "S123432000045252000310"


def test_employer_number_has_type_y() -> None:
    assert CertificateNumber.parse(VALID).evaluator_type is EvaluatorType.EMPLOYER
    assert CertificateNumber.parse(VALID).evaluator_type == "Y"


def test_prefix_is_characters_1_to_13() -> None:
    number = CertificateNumber.parse(VALID)
    assert str(number.evaluator_prefix) == VALID[:13]
    assert number.evaluator_prefix == EvaluatorPrefix.parse(VALID[:13])
    assert number.evaluator_prefix.province_name == "北京市"


def test_allocation_key_is_prefix_year_and_level() -> None:
    number = CertificateNumber.parse(VALID)
    key = number.allocation_key
    assert key == SerialAllocationKey(EvaluatorPrefix.parse(VALID[:13]), "24", SkillLevel.LEVEL_3)
    assert str(key) == VALID[:16]
    other_serial = CertificateNumber.parse(VALID[:16] + "000013")
    assert other_serial.allocation_key == key
    other_level = CertificateNumber.parse(VALID[:15] + "4" + VALID[16:])
    assert other_level.allocation_key != key


def test_format_builds_the_same_number_as_parse() -> None:
    prefix = EvaluatorPrefix.parse("Y000011000001")
    formatted = CertificateNumber.format(prefix, 2024, SkillLevel.LEVEL_3, 12)
    assert str(formatted) == VALID
    assert formatted == CertificateNumber.parse(VALID)
    assert CertificateNumber.format("Y000011000001", "24", SkillLevel.LEVEL_3, 12) == formatted


def test_format_zero_pads_the_serial_and_the_year() -> None:
    number = CertificateNumber.format("S000044123456", 2005, SkillLevel.LEVEL_5, 1)
    assert str(number) == "S000044123456055000001"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "length"),
        (VALID[:-1], "length"),
        (VALID + "0", "length"),
        (" " + VALID[1:] + " ", "length"),
        (" " + VALID[1:], "evaluator type"),
        ("y" + VALID[1:], "evaluator type"),
        ("s" + VALID[1:], "evaluator type"),
        ("X" + VALID[1:], "evaluator type"),
        ("0" + VALID[1:], "evaluator type"),
        ("Ｙ" + VALID[1:], "evaluator type"),
        ("Y00A011000001243000012", "evaluator code"),
        ("Y０00011000001243000012", "evaluator code"),
        ("Y000099000001243000012", "province code"),
        ("Y000010000001243000012", "province code"),
        ("Y000071000001243000012", "province code"),
        ("Y000081000001243000012", "province code"),
        ("Y00001A000001243000012", "province code"),
        ("Y00001100000-243000012", "site serial"),
        ("Y000011000001 43000012", "issue year"),
        ("Y0000110000012X3000012", "issue year"),
        ("Y000011000001240000012", "level"),
        ("Y000011000001246000012", "level"),
        ("Y000011000001249000012", "level"),
        ("Y00001100000124300001O", "serial"),
        ("Y000011000001243000000", "serial"),
        ("Y0000110000012430000１2", "serial"),
    ],
)
def test_each_wrong_field_is_named(text: str, field: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        CertificateNumber.parse(text)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert not CertificateNumber.is_valid(text)


def test_the_first_wrong_field_in_position_order_is_reported() -> None:
    with pytest.raises(InvalidValue) as caught:
        CertificateNumber.parse("y000099000001246000000")
    assert caught.value.field == "evaluator type"


def test_a_lowercase_letter_is_rejected_not_corrected() -> None:
    assert CertificateNumber.is_valid(VALID)
    assert not CertificateNumber.is_valid(VALID.lower())


def test_non_string_input_is_rejected() -> None:
    with pytest.raises(InvalidValue) as caught:
        CertificateNumber.parse(1234)  # type: ignore[arg-type]
    assert caught.value.field == "certificate number"


@pytest.mark.parametrize("code", sorted(PROVINCE_CODES))
def test_every_province_level_code_is_accepted(code: str) -> None:
    assert CertificateNumber.parse(f"S0000{code}000001251000001").province_code == code


def test_province_codes_are_the_31_mainland_divisions() -> None:
    assert len(PROVINCE_CODES) == 31
    assert set(PROVINCE_CODES) == {
        *["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"],
        *[
            "41",
            "42",
            "43",
            "44",
            "45",
            "46",
            "50",
            "51",
            "52",
            "53",
            "54",
            "61",
            "62",
            "63",
            "64",
            "65",
        ],
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"year": 1999}, "issue year"),
        ({"year": 2100}, "issue year"),
        ({"year": "2024"}, "issue year"),
        ({"level": SkillLevel.PRINCIPAL}, "level"),
        ({"level": SkillLevel.APPRENTICE}, "level"),
        ({"serial": 0}, "serial"),
        ({"serial": 1_000_000}, "serial"),
        ({"serial": -5}, "serial"),
        ({"prefix": "Y00001100000"}, "length"),
        ({"prefix": "Y000099000001"}, "province code"),
    ],
)
def test_format_rejects_bad_parts_by_field(kwargs: dict[str, object], field: str) -> None:
    parts: dict[str, object] = {
        "prefix": "Y000011000001",
        "year": 2024,
        "level": SkillLevel.LEVEL_3,
        "serial": 1,
    }
    parts.update(kwargs)
    with pytest.raises(InvalidValue) as caught:
        CertificateNumber.format(**parts)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(InvalidValue) as caught:
        CertificateNumber(
            EvaluatorType.EMPLOYER, "0000", "99", "000001", "24", SkillLevel.LEVEL_3, 1
        )
    assert caught.value.field == "province code"
    with pytest.raises(InvalidValue) as caught:
        CertificateNumber("y", "0000", "11", "000001", "24", SkillLevel.LEVEL_3, 1)  # type: ignore[arg-type]
    assert caught.value.field == "evaluator type"


def test_a_plain_letter_is_stored_as_the_evaluator_type_member() -> None:
    number = CertificateNumber("S", "0000", "11", "000001", "24", SkillLevel.LEVEL_3, 1)  # type: ignore[arg-type]
    assert number.evaluator_type is EvaluatorType.SOCIAL_ORGANISATION


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Y00001100000", "length"),
        ("y000011000001", "evaluator type"),
        ("Y0O0011000001", "evaluator code"),
        ("Y000066000001", "province code"),
        ("Y00001100000x", "site serial"),
    ],
)
def test_evaluator_prefix_rejections_name_the_field(text: str, field: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        EvaluatorPrefix.parse(text)
    assert caught.value.field == field


def test_number_is_hashable_and_equal_by_value() -> None:
    assert len({CertificateNumber.parse(VALID), CertificateNumber.parse(VALID)}) == 1


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
prefixes = st.builds(
    EvaluatorPrefix,
    evaluator_type=st.sampled_from(list(EvaluatorType)),
    evaluator_code=st.from_regex(r"\A[0-9]{4}\Z"),
    province_code=st.sampled_from(sorted(PROVINCE_CODES)),
    site_serial=st.from_regex(r"\A[0-9]{6}\Z"),
)
numbered = st.sampled_from([level for level in SkillLevel if level.is_numbered])


@given(prefixes, st.integers(2000, 2099), numbered, st.integers(1, 999_999))
def test_format_then_parse_round_trips(
    prefix: EvaluatorPrefix, year: int, level: SkillLevel, serial: int
) -> None:
    number = CertificateNumber.format(prefix, year, level, serial)
    text = str(number)
    assert len(text) == 22
    parsed = CertificateNumber.parse(text)
    assert parsed == number
    assert parsed.year == year
    assert parsed.evaluator_prefix == prefix
    assert parsed.level is level
    assert parsed.serial == serial
    assert str(parsed) == text


@given(prefixes, st.integers(2000, 2099), numbered, st.integers(1, 999_999), st.data())
def test_any_non_digit_in_a_digit_position_is_rejected(
    prefix: EvaluatorPrefix, year: int, level: SkillLevel, serial: int, data: st.DataObject
) -> None:
    text = str(CertificateNumber.format(prefix, year, level, serial))
    position = data.draw(st.integers(1, 21))
    bad = data.draw(st.characters().filter(lambda c: c not in "0123456789"))
    assert not CertificateNumber.is_valid(text[:position] + bad + text[position + 1 :])


def _parses(text: str) -> bool:
    try:
        CertificateNumber.parse(text)
    except InvalidValue:
        return False
    return True


@given(prefixes, st.integers(2000, 2099), numbered, st.integers(1, 999_999), st.data())
def test_is_valid_says_exactly_what_parse_accepts(
    prefix: EvaluatorPrefix, year: int, level: SkillLevel, serial: int, data: st.DataObject
) -> None:
    """``is_valid`` is one pattern match; any one character changed, it agrees with ``parse``."""
    text = str(CertificateNumber.format(prefix, year, level, serial))
    assert CertificateNumber.is_valid(text)
    position = data.draw(st.integers(0, 21))
    swap = data.draw(st.sampled_from("0123456789YSX１ \n") | st.characters())
    changed = text[:position] + swap + text[position + 1 :]
    assert CertificateNumber.is_valid(changed) == _parses(changed)
    assert not CertificateNumber.is_valid(text[:16] + "000000")
    assert not CertificateNumber.is_valid(text + "1") and not CertificateNumber.is_valid(text[:21])
