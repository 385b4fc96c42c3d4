"""Money: integer minor units in the database, `{"currency": "EUR", "value": "12.50"}` in the API."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

SUPPORTED_CURRENCIES = {"EUR", "USD", "GBP"}
MAX_MINOR = 10**11  # one billion in major units: far beyond any order, well inside BIGINT


class Money(BaseModel):
    """An amount as Mollie writes it: an ISO currency and a string with exactly two decimals."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"example": {"currency": "EUR", "value": "50.00"}}
    )

    currency: Annotated[
        str, Field(pattern=r"^[A-Z]{3}$", json_schema_extra={"enum": sorted(SUPPORTED_CURRENCIES)})
    ]
    value: Annotated[str, Field(max_length=16, pattern=r"^-?0*[0-9]{1,9}(\.[0-9]{1,2})?$")]  # < MAX_MINOR

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, currency: str) -> str:
        if currency not in SUPPORTED_CURRENCIES:
            raise ValueError(f"currency must be one of {sorted(SUPPORTED_CURRENCIES)}")
        return currency

    @field_validator("value")
    @classmethod
    def _canonical(cls, value: str) -> str:
        try:
            amount = Decimal(value)
        except InvalidOperation as error:
            raise ValueError("value must be a decimal number with at most two decimals") from error
        if abs(amount) * 100 >= MAX_MINOR:
            raise ValueError("value is too large")
        return f"{amount.quantize(Decimal('0.01'))}"

    @property
    def minor(self) -> int:
        return to_minor(Decimal(self.value))

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        return cls(currency=currency, value=format_minor(minor))


def _positive(money: Money) -> Money:
    if money.minor <= 0:
        raise ValueError("the amount must be more than zero")
    return money


def positive_money_schema(whole_digits: int, *, inclusive_power_of_ten: bool = False) -> WithJsonSchema:
    """The JSON schema of a Money more than zero and below 10**whole_digits (or up to it, with
    `inclusive_power_of_ten`): what the validators of a positive, bounded amount accept."""
    whole = rf"0*[1-9][0-9]{{0,{whole_digits - 1}}}(?:\.[0-9]{{1,2}})?"
    cents = r"0+(?:\.(?:[1-9][0-9]?|0[1-9]))"
    options = [whole, cents]
    if inclusive_power_of_ten:
        options.append(rf"0*1{'0' * whole_digits}(?:\.0{{1,2}})?")
    return WithJsonSchema(
        {
            "type": "object",
            "required": ["currency", "value"],
            "additionalProperties": False,
            "properties": {
                "currency": {"type": "string", "enum": sorted(SUPPORTED_CURRENCIES)},
                "value": {"type": "string", "maxLength": 16, "pattern": f"^(?:{'|'.join(options)})$"},
            },
            "example": {"currency": "EUR", "value": "50.00"},
        }
    )


PositiveMoney = Annotated[Money, AfterValidator(_positive), positive_money_schema(9)]


def to_minor(amount: Decimal) -> int:
    """Major units to cents; refuses sub-cent amounts instead of rounding them away."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError("amounts have at most two decimals")
    return int(cents)


def format_minor(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


def percentage_of(minor: int, percent: Decimal) -> int:
    """`percent` % of `minor` cents, rounded half-up to a whole cent (the one rounding rule)."""
    return int((Decimal(minor) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
