from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from reelbyte.core.money import Money, format_minor, percentage_of, to_minor

cents = st.integers(min_value=-(10**10), max_value=10**10)


@given(cents)
def test_minor_units_round_trip_through_the_api_form(minor: int) -> None:
    money = Money.from_minor(minor, "EUR")
    assert money.minor == minor
    assert Decimal(money.value) * 100 == minor


@given(st.integers(min_value=0, max_value=10**10), st.decimals(min_value=0, max_value=100, places=2))
def test_a_fee_and_the_rest_always_add_up(amount: int, percent: Decimal) -> None:
    fee = percentage_of(amount, percent)
    assert 0 <= fee <= amount
    assert fee + (amount - fee) == amount
    assert abs(Decimal(fee) - Decimal(amount) * percent / 100) <= Decimal("0.5")


def test_fee_rounds_half_up_to_the_cent() -> None:
    assert percentage_of(1003, Decimal(15)) == 150  # 150.45
    assert percentage_of(1010, Decimal(15)) == 152  # 151.5 → 152
    assert percentage_of(5000, Decimal(15)) == 750


@pytest.mark.parametrize("value", ["12.345", "abc", "1e5", "", "12.", "--1", "1" * 20])
def test_bad_values_are_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        Money(currency="EUR", value=value)


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(ValidationError):
        Money(currency="BTC", value="1.00")
    with pytest.raises(ValidationError):
        Money(currency="eur", value="1.00")


def test_values_are_written_with_two_decimals() -> None:
    assert Money(currency="EUR", value="5").value == "5.00"
    assert Money(currency="EUR", value="5.5").value == "5.50"
    assert format_minor(-5) == "-0.05"
    with pytest.raises(ValueError, match="two decimals"):
        to_minor(Decimal("0.001"))


ARABIC_INDIC_12_50 = "\u0661\u0662.\u0665\u0660"  # 12.50 in Arabic-Indic digits


@pytest.mark.parametrize(
    "value",
    [ARABIC_INDIC_12_50, "\uff11\uff12.\uff15\uff10", "12.\u0665\u0660", "\u0967\u0968"],
    ids=["arabic-indic", "full-width", "mixed", "devanagari"],
)
def test_only_ascii_digits_are_amounts(value: str) -> None:
    """Arabic-Indic, full-width and Devanagari digits match `\\d` and Decimal() reads them."""
    with pytest.raises(ValidationError):
        Money(currency="EUR", value=value)
    assert Money(currency="EUR", value="12.50").minor == 1250


def test_no_request_pattern_matches_non_ascii_digits() -> None:
    from reelbyte.main import create_app

    def patterns(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
            return own + [found for value in node.values() for found in patterns(value)]
        if isinstance(node, list):
            return [found for value in node for found in patterns(value)]
        return []

    found = patterns(create_app().openapi())
    assert found, "the API declares patterns: the walk must find them"
    assert [pattern for pattern in found if "\\d" in pattern] == []
