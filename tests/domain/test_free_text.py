"""The ID-number rule for free text: what is masked, what is left, and that every event of every
aggregate passes through it (domain.ledger_aggregate)."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.api_token import ApiToken, Role
from domain.certificate_number import PROVINCE_CODES, CertificateNumber
from domain.competition import Competition
from domain.free_text import mask_free_text_fields, mask_id_numbers
from domain.honour_ladder import HonourLadder
from domain.id_number import resident_check_character
from domain.ledger_aggregate import LedgerAggregate
from domain.worker import Worker
from tests.factories import checksummed

VALID = checksummed("11010519900307001")  # 110105199003070017
MONTH_13 = checksummed("11010519901307001")
FEB_30 = checksummed("11010519900230001")
FUTURE = checksummed("11010520990307001")
WITH_X = next(
    checksummed(f"1101051990030{n:04d}")
    for n in range(10_000)
    if resident_check_character(f"1101051990030{n:04d}") == "X"
)
CERTIFICATE = "Y000037020001224000001"


def masked(number: str) -> str:
    return number[:6] + "********" + number[14:].upper()


@pytest.mark.parametrize("number", [VALID, MONTH_13, FEB_30, FUTURE, WITH_X, WITH_X.lower()])
@pytest.mark.parametrize(
    "template", ["{}", "身份证{}号", "abc{}", "X{}", "Y{}", "9{}", "{}9", "{}abc", "ID:{} ok"]
)
def test_an_id_number_is_masked_wherever_it_stands(number: str, template: str) -> None:
    text = template.format(number)
    result = mask_id_numbers(text)
    assert number not in result and number[6:14] not in result
    assert template.format(masked(number)) == result


def test_full_width_digits_are_masked_too() -> None:
    wide = VALID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert mask_id_numbers(f"号码{wide}") == f"号码{wide[:6]}********{wide[14:]}"


def test_a_legacy_15_digit_number_is_masked() -> None:
    assert mask_id_numbers("旧证 110105900307001 。") == "旧证 110105******001 。"
    assert mask_id_numbers("110105901307001") == "110105901307001"  # month 13: not a date


@pytest.mark.parametrize(
    "text",
    [
        CERTIFICATE,
        f"证书{CERTIFICATE}号",
        "S000011000011225123456",
        "110105********0017",
        "110105******001",
        "12345678901234567",  # 17 digits
        "110105199003070018",  # wrong check character
        "010105199003070012",  # leading zero is no region
    ],
)
def test_what_is_not_an_id_number_is_left_alone(text: str) -> None:
    assert mask_id_numbers(text) == text


def test_a_certificate_number_hiding_an_id_shaped_window_is_still_left_alone() -> None:
    # offset 0 of the 21 digits is a checksum-valid number; the whole is a certificate number
    candidates = (f"110137199003{d:02d}5{n:06d}" for d in range(100) for n in range(1, 200))
    digits = next(c for c in candidates if resident_check_character(c[:17]) == c[17])
    number = "Y" + digits
    assert CertificateNumber.is_valid(number)
    assert mask_id_numbers(number) == number
    assert mask_id_numbers(number + "0") != number + "0"  # 22 digits: not a certificate


def test_every_event_field_of_free_text_is_masked_ids_and_hashes_are_not() -> None:
    hexhash = "ab" + VALID + "cd" * 22
    fields = mask_free_text_fields(
        {
            "name": f"张{VALID}",
            "token_hash": hexhash,
            "worker_id": VALID,
            "details": {"note": [VALID], "award_id": VALID},
        }
    )
    assert fields == {
        "name": f"张{masked(VALID)}",
        "token_hash": hexhash,
        "worker_id": VALID,
        "details": {"note": [masked(VALID)], "award_id": VALID},
    }


def test_every_aggregate_is_a_ledger_aggregate() -> None:
    import domain

    for module in __import__("pkgutil").iter_modules(domain.__path__):
        loaded = __import__(f"domain.{module.name}", fromlist=["_"])
        for value in vars(loaded).values():
            topic = getattr(value, "TOPIC", "") if isinstance(value, type) else ""
            if topic.startswith("craftledger:") and "." not in topic:  # an aggregate
                assert issubclass(value, LedgerAggregate), value


def test_created_and_triggered_events_and_state_hold_only_the_mask() -> None:
    worker = Worker.register(
        identity_hash="f" * 64,
        id_kind="resident",
        masked_id_number="x",
        name=f"李{VALID}",
        actor="a",
    )
    worker.correct_name(name=f"X{VALID}", actor=f"token:{VALID}", reason="typo")
    token = ApiToken.grant(
        token_hash="0" * 64,
        role=Role.ADMIN,
        organisation_id=None,
        worker_id=None,
        label=f"bot {VALID}",
        actor="cli",
    )
    for aggregate in (worker, token):
        for stored in aggregate.collect_events():
            assert VALID not in repr(vars(stored)), stored
    assert worker.name == f"X{masked(VALID)}"
    assert token.label == f"bot {masked(VALID)}"


def test_a_natural_key_made_of_free_text_is_the_masked_one() -> None:
    union = uuid4()
    ladder = HonourLadder(union_id=union, name=f"能手{VALID}", tiers=["a"], actor="x")
    assert ladder.id == HonourLadder.create_id(union_id=union, name=f"能手{VALID}")
    assert ladder.id == HonourLadder.create_id(union_id=union, name=f"能手{masked(VALID)}")
    assert Competition.create_id(union, f"R{VALID}") == Competition.create_id(
        organiser_id=union, reference=f"R{masked(VALID)}"
    )


# -- properties ------------------------------------------------------------------------------

_ID_SHAPED = re.compile(r"(?=([1-9][0-9]{16}[0-9Xx]))")
_CERTIFICATE_SHAPED = re.compile(r"[A-Za-z][0-9]{21}(?![0-9Xx])")


def _checksum_valid_windows(text: str) -> list[int]:
    return [
        m.start()
        for m in _ID_SHAPED.finditer(text)
        if resident_check_character(m.group(1)[:17]) == m.group(1)[17].upper()
    ]


def _inside_certificates(text: str) -> set[int]:
    covered: set[int] = set()
    for m in _CERTIFICATE_SHAPED.finditer(text):
        if CertificateNumber.is_valid(m.group()):
            covered.update(range(m.start(), m.end()))
    return covered


ids = st.integers(10**16, 10**17 - 1).map(lambda n: checksummed(str(n)))
noise = st.text(alphabet="0123456789XxYS-* 号abc", max_size=12)
certificates = st.builds(
    lambda kind, code, province, site, year, level, serial: (
        f"{kind}{code:04d}{province}{site:06d}{year:02d}{level}{serial:06d}"
    ),
    st.sampled_from("YS"),
    st.integers(0, 9999),
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(0, 999_999),
    st.integers(0, 99),
    st.sampled_from("12345"),
    st.integers(1, 999_999),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(ids, noise, st.text(alphabet="0123456789", min_size=15, max_size=40)), max_size=6
    )
)
def test_masking_leaves_no_checksum_valid_id_outside_a_certificate_number(parts: list[str]) -> None:
    result = mask_id_numbers("".join(parts))
    inside = _inside_certificates(result)
    assert all(start in inside for start in _checksum_valid_windows(result)), result
    assert mask_id_numbers(result) == result  # idempotent


@settings(max_examples=200, deadline=None)
@given(certificates, noise, noise, ids)
def test_masking_never_changes_a_certificate_number(
    number: str, before: str, after: str, id_number: str
) -> None:
    text = f"{before} {number} {after} {id_number}"
    result = mask_id_numbers(text)
    assert f" {number} " in result
    assert id_number not in result


def test_a_remainder_that_reads_as_a_legacy_number_is_masked_in_the_same_call() -> None:
    """Found by the idempotence property: masking split a run, leaving 15 digits that read as
    a legacy number (33 7411 820523 308: 1982-05-23), which only a second call used to mask."""
    text = "140474********18***********337411820523308********0865"
    masked = mask_id_numbers(text)
    assert masked == "140474********18***********337411******308********0865"
    assert mask_id_numbers(masked) == masked


_DIGITISH = st.text(alphabet="0123456789０１２３４５６７８９Xx号：, 证", max_size=60)


@settings(max_examples=300)
@given(st.one_of(_DIGITISH, st.text(max_size=60)))
def test_skipping_text_without_a_long_digit_run_masks_as_the_full_pass_does(text: str):
    from domain.free_text import _mask_long_runs

    assert mask_id_numbers(text) == _mask_long_runs(text)
