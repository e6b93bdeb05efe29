"""IdNumber: 居民身份证号 (GB 11643, ISO 7064 MOD 11-2), masking and other ID kinds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.certificate_number import PROVINCE_CODES
from domain.errors import InvalidValue
from domain.id_number import IdKind, IdNumber, resident_check_character
from tests.factories import checksummed

# GB 11643-1999's worked example: 11010519491231002 -> check character X.
EXAMPLE = "11010519491231002X"
TODAY = date(2025, 6, 1)


def test_the_standard_worked_example_has_check_character_x() -> None:
    assert resident_check_character(EXAMPLE[:17]) == "X"
    number = IdNumber.parse(EXAMPLE, today=TODAY)
    assert number.kind is IdKind.RESIDENT
    assert number.reveal() == EXAMPLE


def test_check_character_examples() -> None:
    assert resident_check_character("44052418800101001") == "4"
    assert resident_check_character("34052419800101001") == "X"


def test_masked_keeps_the_first_6_and_last_4() -> None:
    number = IdNumber.parse(EXAMPLE, today=TODAY)
    assert number.masked == "110105********002X"
    assert len(number.masked) == 18


def test_str_repr_and_format_show_only_the_masked_form() -> None:
    number = IdNumber.parse(EXAMPLE, today=TODAY)
    for rendering in (str(number), repr(number), f"{number}", f"{number!r}", str([number])):
        assert EXAMPLE not in rendering
        assert "19491231" not in rendering
    assert "110105********002X" in repr(number)


def test_lowercase_x_check_character_is_stored_upper_case() -> None:
    number = IdNumber.parse(EXAMPLE.lower(), today=TODAY)
    assert number.reveal() == EXAMPLE
    assert number == IdNumber.parse(EXAMPLE, today=TODAY)


def test_birth_date_and_province_are_read_from_a_resident_number() -> None:
    number = IdNumber.parse(EXAMPLE, today=TODAY)
    assert number.birth_date == date(1949, 12, 31)
    assert number.province_code == "11"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "length"),
        (EXAMPLE[:-1], "length"),
        (EXAMPLE + "0", "length"),
        (" " + EXAMPLE[1:], "characters"),
        (EXAMPLE[:17] + " ", "characters"),
        ("1101051949123100X2", "characters"),
        ("11010519491231002Y", "characters"),
        ("１1010519491231002X", "characters"),
        (checksummed("99010519491231002"), "region"),
        (checksummed("71010519491231002"), "region"),
        (checksummed("81000019491231002"), "region"),
        (checksummed("11010519491331002"), "birth date"),
        (checksummed("11010519490230002"), "birth date"),
        (checksummed("11010518991231002"), "birth date"),
        ("110105194912310021", "check character"),
        ("110105194912310020", "check character"),
    ],
)
def test_each_rejection_names_the_problem_without_echoing_the_number(text: str, field: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        IdNumber.parse(text, today=TODAY)
    assert caught.value.field == field
    if text:
        assert text not in str(caught.value)
        assert text[6:14] not in str(caught.value)


def test_a_birth_date_after_today_is_rejected() -> None:
    tomorrow = TODAY + timedelta(days=1)
    text = checksummed(f"110105{tomorrow:%Y%m%d}001")
    with pytest.raises(InvalidValue) as caught:
        IdNumber.parse(text, today=TODAY)
    assert caught.value.field == "birth date"
    born_today = checksummed(f"110105{TODAY:%Y%m%d}001")
    assert IdNumber.parse(born_today, today=TODAY).birth_date == TODAY


def test_leap_day_is_a_valid_birth_date_only_in_leap_years() -> None:
    assert IdNumber.parse(checksummed("11010520000229001"), today=TODAY)
    with pytest.raises(InvalidValue):
        IdNumber.parse(checksummed("11010519000229001"), today=TODAY)


def test_non_string_input_is_rejected() -> None:
    with pytest.raises(InvalidValue):
        IdNumber.parse(110105194912310021, today=TODAY)  # type: ignore[arg-type]


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(InvalidValue) as caught:
        IdNumber.parse(EXAMPLE, "military")
    assert caught.value.field == "kind"


@pytest.mark.parametrize(
    ("kind", "text", "masked"),
    [
        ("passport", "E12345678", "E******78"),
        ("passport", "G1234567", "G*****67"),
        ("hk-macao-permit", "H12345678", "H******78"),
        ("hk-macao-permit", "M1234567890", "M********90"),
        ("taiwan-permit", "12345678", "1*****78"),
        ("foreign-permanent-residence", "USA123456789012", "U************12"),
        ("foreign-permanent-residence", "911001198001010011", "9***************11"),
    ],
)
def test_other_kinds_are_accepted_without_checksum_and_masked(
    kind: str, text: str, masked: str
) -> None:
    number = IdNumber.parse(text, kind)
    assert number.kind == kind
    assert number.masked == masked
    assert text not in repr(number)
    assert number.reveal() == text
    assert number.birth_date is None
    assert number.province_code is None


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("passport", "e1234567"),
        ("passport", "E12"),
        ("passport", "E 1234567"),
        ("hk-macao-permit", "X12345678"),
        ("hk-macao-permit", "H1234567"),
        ("taiwan-permit", "1234567"),
        ("foreign-permanent-residence", "usa123456789012"),
        ("foreign-permanent-residence", "111001198001010011"),
    ],
)
def test_other_kinds_get_basic_format_checks(kind: str, text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        IdNumber.parse(text, kind)
    assert caught.value.field == "format"
    assert text not in str(caught.value)


def test_residence_permit_for_hk_macao_taiwan_residents_uses_the_checked_layout() -> None:
    text = checksummed("81000019900101001")
    number = IdNumber.parse(text, IdKind.HMT_RESIDENCE_PERMIT, today=TODAY)
    assert number.masked == "810000********" + text[-4:]
    with pytest.raises(InvalidValue) as caught:
        IdNumber.parse(text[:-1] + ("0" if text[-1] != "0" else "1"), "hmt-residence-permit")
    assert caught.value.field == "check character"
    with pytest.raises(InvalidValue) as caught:
        IdNumber.parse(EXAMPLE, IdKind.HMT_RESIDENCE_PERMIT, today=TODAY)
    assert caught.value.field == "region"


def test_equal_numbers_are_equal_and_hash_alike() -> None:
    assert len({IdNumber.parse(EXAMPLE, today=TODAY), IdNumber.parse(EXAMPLE, today=TODAY)}) == 1
    assert IdNumber.parse("E12345678", "passport") != IdNumber.parse("E12345679", "passport")


# --- properties --------------------------------------------------------------------------

bodies = st.builds(
    lambda province, rest, born, sequence: f"{province}{rest}{born:%Y%m%d}{sequence:03d}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.from_regex(r"\A[0-9]{4}\Z"),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)


@given(bodies)
def test_numbers_built_with_the_check_algorithm_are_accepted(body: str) -> None:
    text = checksummed(body)
    number = IdNumber.parse(text, today=TODAY)
    assert number.reveal() == text
    assert number.masked == text[:6] + "********" + text[-4:]
    assert text not in repr(number)


@given(bodies, st.data())
def test_any_single_character_change_is_rejected(body: str, data: st.DataObject) -> None:
    text = checksummed(body)
    position = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from([c for c in "0123456789X" if c != text[position]]))
    altered = text[:position] + replacement + text[position + 1 :]
    with pytest.raises(InvalidValue):
        IdNumber.parse(altered, today=TODAY)


@given(bodies, st.data())
def test_swapping_two_different_adjacent_digits_is_rejected(body: str, data: st.DataObject) -> None:
    text = checksummed(body)
    position = data.draw(st.integers(0, 15))
    if text[position] == text[position + 1]:
        return
    swapped = text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    with pytest.raises(InvalidValue):
        IdNumber.parse(swapped, today=TODAY)


def test_a_resident_number_is_composed_from_its_fields_with_its_check_character() -> None:
    number = IdNumber.resident("110105", date(1949, 12, 31), 2)
    assert number.reveal() == EXAMPLE
    assert number.birth_date == date(1949, 12, 31) and number.province_code == "11"
    for sequence in (-1, 1000):
        with pytest.raises(InvalidValue):
            IdNumber.resident("110105", date(1990, 3, 7), sequence)
    with pytest.raises(InvalidValue):
        IdNumber.resident("999999", date(1990, 3, 7), 1)  # no such region
