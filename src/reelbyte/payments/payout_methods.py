"""Payout methods: where a creator's withdrawals are paid, and their onboarding.

A method is `verified` only on its provider's say-so: Stripe's account read back after
`account.updated`, Mollie's onboarding status read with the creator's OAuth grant, a click on a
link e-mailed to the PayPal address (or, for Venmo, to the account's own address), or a button
on the sandbox's onboarding page. One live method per user is the default (a partial unique
index); deleting is soft, so old withdrawals keep their method, and refused while a withdrawal
to it is still being paid out.

Links and OAuth states are signed (HMAC with SECRET_KEY) over the method, its current
`onboarding_nonce` and an expiry: handing out a new link changes the nonce, so older ones stop
working.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.email import queue_email
from reelbyte.core.money import Money, format_minor, percentage_of, to_minor
from reelbyte.core.security import secrets_equal
from reelbyte.identity.models import User
from reelbyte.payments import payout_onboarding as onboarding
from reelbyte.payments.errors import (
    AmountBelowPayoutFee,
    BelowMinimumPayout,
    InvalidOnboardingLink,
    InvalidPayoutMethod,
    OnboardingNotNeeded,
    PayoutMethodInUse,
    PayoutMethodNotFound,
    PayoutMethodNotVerified,
    PayoutMethodRequired,
)
from reelbyte.payments.models import (
    PayoutMethod,
    PayoutMethodStatus,
    PayoutProvider,
    Withdrawal,
    WithdrawalStatus,
)
from reelbyte.payments.payout_schemas import PayoutMethodOut
from reelbyte.projects.errors import CurrencyMismatch

MS = PayoutMethodStatus
# How long a sandbox onboarding page or a Mollie OAuth round trip may take.
ONBOARDING_LINK_SECONDS = 3600
VENMO_HANDLE = re.compile(r"^@?([A-Za-z0-9_-]{5,30})$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}$")
SANDBOX_DECISIONS = {"approve": MS.VERIFIED, "need_info": MS.NEEDS_INFO, "reject": MS.REJECTED}


@dataclass(frozen=True)
class NewPayoutMethod:
    provider: PayoutProvider
    paypal_email: str | None = None
    venmo_handle: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Onboarding:
    method: PayoutMethod
    url: str | None  # where the creator goes next; None when the next step is an e-mailed link


def _base_url() -> str:
    return get_settings().public_url.rstrip("/")


# --- signed links -------------------------------------------------------------------------


def _signature(purpose: str, method_id: str, nonce: str, expires: str) -> str:
    message = f"payout-method:{purpose}:{method_id}:{nonce}:{expires}".encode()
    return hmac.new(get_settings().secret_key.encode(), message, hashlib.sha256).hexdigest()[:40]


def signed_token(method: PayoutMethod, purpose: str, seconds: int) -> str:
    expires = str(int(time.time()) + seconds)
    signature = _signature(purpose, str(method.id), method.onboarding_nonce, expires)
    return f"{method.id}.{method.onboarding_nonce}.{expires}.{signature}"


async def _method_for_token(
    session: AsyncSession, token: str, purpose: str, *, lock: bool = True
) -> PayoutMethod:
    """The live method a token was signed for (locked, to change it); any doubt is
    InvalidOnboardingLink."""
    parts = token.split(".")
    if len(parts) != 4:
        raise InvalidOnboardingLink()
    method_id, nonce, expires, signature = parts
    if not secrets_equal(signature, _signature(purpose, method_id, nonce, expires)):
        raise InvalidOnboardingLink()
    if not (expires.isascii() and expires.isdigit()) or int(expires) < time.time():
        raise InvalidOnboardingLink()
    try:
        key = uuid.UUID(method_id)
    except ValueError as error:
        raise InvalidOnboardingLink() from error
    query = select(PayoutMethod).where(PayoutMethod.id == key)
    method = await lock_one(session, query) if lock else await session.scalar(query)
    if method is None or method.deleted_at is not None or not secrets_equal(method.onboarding_nonce, nonce):
        raise InvalidOnboardingLink()
    return method


# --- reading ------------------------------------------------------------------------------


async def list_methods(session: AsyncSession, user: User) -> list[PayoutMethod]:
    """The user's live methods, the default first, then newest first."""
    query = (
        select(PayoutMethod)
        .where(PayoutMethod.user_id == user.id, PayoutMethod.deleted_at.is_(None))
        .order_by(PayoutMethod.is_default.desc(), PayoutMethod.created_at.desc(), PayoutMethod.id)
    )
    return list(await session.scalars(query))


async def get_method(
    session: AsyncSession, user: User, method_id: uuid.UUID, *, lock: bool = True
) -> PayoutMethod:
    """One of the user's live methods (locked, to change it or pay to it); anyone else's (or a
    deleted one) is 404."""
    query = select(PayoutMethod).where(
        PayoutMethod.id == method_id, PayoutMethod.user_id == user.id, PayoutMethod.deleted_at.is_(None)
    )
    method = await lock_one(session, query) if lock else await session.scalar(query)
    if method is None:
        raise PayoutMethodNotFound()
    return method


async def _default_of(session: AsyncSession, user_id: uuid.UUID) -> PayoutMethod | None:
    return await session.scalar(
        select(PayoutMethod).where(
            PayoutMethod.user_id == user_id, PayoutMethod.is_default, PayoutMethod.deleted_at.is_(None)
        )
    )


# --- adding and onboarding ----------------------------------------------------------------


async def create_method(session: AsyncSession, user: User, data: NewPayoutMethod) -> Onboarding:
    """Add a method (pending) and start its onboarding; the first one is the default."""
    account_id, label, country = _account_of(user, data)
    await lock_one(session, select(User).where(User.id == user.id))  # one default, however raced
    method = PayoutMethod(
        user_id=user.id,
        provider=data.provider,
        status=MS.PENDING,
        provider_account_id=account_id,
        label=label,
        country=country,
        is_default=await _default_of(session, user.id) is None,
        onboarding_nonce=uuid.uuid4().hex,
    )
    session.add(method)
    await session.flush()
    return Onboarding(method, await _start_onboarding(session, user, method))


def _account_of(user: User, data: NewPayoutMethod) -> tuple[str | None, str, str | None]:
    """What the request names at the provider (checked), a safe label, and the country."""
    country = data.country.upper() if data.country else None
    if data.provider is PayoutProvider.PAYPAL:
        email = (data.paypal_email or "").strip().lower()
        if not EMAIL.match(email) or len(email) > 254:
            raise InvalidPayoutMethod("PayPal needs paypal_email, the address PayPal pays to.")
        return email, f"PayPal {mask_email(email)}"[:64], country
    if data.provider is PayoutProvider.VENMO:
        return _venmo_account(data.venmo_handle, country)
    if data.paypal_email or data.venmo_handle:
        raise InvalidPayoutMethod("paypal_email and venmo_handle are for PayPal and Venmo only.")
    labels = {
        PayoutProvider.SANDBOX: "Sandbox payouts",
        PayoutProvider.STRIPE: "Stripe account",
        PayoutProvider.MOLLIE: "Mollie organisation",
    }
    return None, labels[data.provider], country


def _venmo_account(handle: str | None, country: str | None) -> tuple[str, str, str]:
    match = VENMO_HANDLE.match((handle or "").strip())
    if match is None:
        raise InvalidPayoutMethod(
            "venmo_handle must be a Venmo username: 5 to 30 letters, digits, - or _.",
            details={"field": "venmo_handle"},
        )
    if (country or "US") != "US" or get_settings().default_currency != "USD":
        raise InvalidPayoutMethod(
            "Venmo pays out in the US, in USD only.",
            details={"country": country or "US", "currency": get_settings().default_currency},
        )
    name = match.group(1)
    return name, f"Venmo @{name[:2]}…{name[-2:]}", "US"


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


async def restart_onboarding(session: AsyncSession, user: User, method_id: uuid.UUID) -> Onboarding:
    """A fresh onboarding link (the old one expired or was lost); older links stop working."""
    method = await get_method(session, user, method_id)
    if method.status not in (MS.PENDING, MS.NEEDS_INFO):
        raise OnboardingNotNeeded(
            f"This payout method is {method.status.value}.", details={"status": method.status.value}
        )
    method.onboarding_nonce = uuid.uuid4().hex
    await session.flush()
    return Onboarding(method, await _start_onboarding(session, user, method))


async def _start_onboarding(session: AsyncSession, user: User, method: PayoutMethod) -> str | None:
    base = _base_url()
    if method.provider is PayoutProvider.SANDBOX:
        return f"{base}/sandbox/onboarding/{signed_token(method, 'sandbox', ONBOARDING_LINK_SECONDS)}"
    if method.provider is PayoutProvider.STRIPE:
        if method.provider_account_id is None:
            method.provider_account_id = await onboarding.create_stripe_account(
                method_id=str(method.id), user_id=str(user.id), email=user.email, country=method.country
            )
            await session.flush()
        page = f"{base}/settings/payouts"
        return await onboarding.stripe_onboarding_link(
            method.provider_account_id,
            refresh_url=f"{page}?refresh={method.id}",
            return_url=f"{page}?method={method.id}",
        )
    if method.provider is PayoutProvider.MOLLIE:
        return onboarding.mollie_authorize_url(signed_token(method, "mollie", ONBOARDING_LINK_SECONDS))
    await _send_confirmation(session, user, method)
    return None


async def _send_confirmation(session: AsyncSession, user: User, method: PayoutMethod) -> None:
    """PayPal: to the PayPal address (proves the creator reads the mail PayPal pays to).
    Venmo: to the account's own address (proves the request was the creator's)."""
    hours = get_settings().payout_method_link_expire_hours
    token = signed_token(method, "confirm", hours * 3600)
    to = method.provider_account_id if method.provider is PayoutProvider.PAYPAL else user.email
    assert to is not None
    await queue_email(
        session,
        to,
        "confirm_payout_method",
        name=user.full_name,
        method=method.label,
        link=f"{_base_url()}/payments/payout-methods/confirm?token={token}",
        valid_hours=hours,
    )


# --- the provider's say-so ----------------------------------------------------------------


async def _set_status(session: AsyncSession, method: PayoutMethod, status: PayoutMethodStatus) -> None:
    """Apply what the provider says. A newly verified method becomes the default when the
    current default cannot be paid to."""
    method.status = status
    if status is MS.VERIFIED:
        method.verified_at = method.verified_at or utcnow()
        current = await _default_of(session, method.user_id)
        if current is not None and current.id != method.id and current.status is not MS.VERIFIED:
            current.is_default = False
            await session.flush()
            method.is_default = True
    await session.flush()


async def sandbox_decide(session: AsyncSession, token: str, action: str) -> PayoutMethod:
    """A button on the sandbox's onboarding page: approve, need_info or reject."""
    method = await _method_for_token(session, token, "sandbox")
    if method.provider is not PayoutProvider.SANDBOX or action not in SANDBOX_DECISIONS:
        raise InvalidOnboardingLink()
    await _set_status(session, method, SANDBOX_DECISIONS[action])
    return method


async def sandbox_method(session: AsyncSession, token: str) -> PayoutMethod:
    return await _method_for_token(session, token, "sandbox", lock=False)


async def confirm_by_email(session: AsyncSession, token: str) -> PayoutMethod:
    """The e-mailed link of a PayPal or Venmo method was followed: it is verified."""
    method = await _method_for_token(session, token, "confirm")
    if method.provider not in (PayoutProvider.PAYPAL, PayoutProvider.VENMO):
        raise InvalidOnboardingLink()
    if method.status is not MS.VERIFIED:
        await _set_status(session, method, MS.VERIFIED)
    return method


async def check_state(session: AsyncSession, state: str) -> PayoutMethod:
    """The method a Mollie OAuth state was signed for (the creator came back without a grant)."""
    return await _method_for_token(session, state, "mollie")


async def mollie_connected(session: AsyncSession, code: str, state: str) -> PayoutMethod:
    """Back from Mollie's consent screen: read the organisation with the grant, store its id."""
    method = await _method_for_token(session, state, "mollie")
    if method.provider is not PayoutProvider.MOLLIE:
        raise InvalidOnboardingLink()
    organization = await onboarding.mollie_connect(code)
    if method.provider_account_id not in (None, organization.id):
        raise InvalidPayoutMethod(
            "This payout method is linked to another Mollie organisation; add a new method for this one."
        )
    method.provider_account_id = organization.id
    if organization.name:
        method.label = f"Mollie {organization.name}"[:64]
    method.onboarding_nonce = uuid.uuid4().hex  # the state is used up
    await _set_status(session, method, organization.status)
    return method


async def stripe_account_updated(session: AsyncSession, account_id: str) -> PayoutMethod | None:
    """`account.updated`: the account read back from Stripe decides; not ours → None."""
    method = await lock_one(
        session,
        select(PayoutMethod).where(
            PayoutMethod.provider == PayoutProvider.STRIPE,
            PayoutMethod.provider_account_id == account_id,
            PayoutMethod.deleted_at.is_(None),
        ),
    )
    if method is None:
        return None
    await _set_status(session, method, await onboarding.stripe_account_status(account_id))
    return method


# --- default and delete -------------------------------------------------------------------


async def make_default(session: AsyncSession, user: User, method_id: uuid.UUID) -> PayoutMethod:
    method = await get_method(session, user, method_id)
    await session.execute(
        update(PayoutMethod)
        .where(PayoutMethod.user_id == user.id, PayoutMethod.is_default, PayoutMethod.id != method.id)
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )
    await session.flush()
    method.is_default = True
    await session.flush()
    return method


async def delete_method(session: AsyncSession, user: User, method_id: uuid.UUID) -> None:
    """Soft delete (old withdrawals keep their method); refused while one is in flight. If it
    was the default, the newest verified method left takes over."""
    method = await get_method(session, user, method_id)
    in_flight = await session.scalar(
        select(Withdrawal.id)
        .where(Withdrawal.payout_method_id == method.id, Withdrawal.status == WithdrawalStatus.REQUESTED)
        .limit(1)
    )
    if in_flight is not None:
        raise PayoutMethodInUse(details={"withdrawal_id": str(in_flight)})
    was_default = method.is_default
    method.deleted_at = utcnow()
    method.is_default = False
    await session.flush()
    if was_default:
        successor = await session.scalar(
            select(PayoutMethod)
            .where(
                PayoutMethod.user_id == user.id,
                PayoutMethod.deleted_at.is_(None),
                PayoutMethod.status == MS.VERIFIED,
            )
            .order_by(PayoutMethod.created_at.desc())
            .limit(1)
        )
        if successor is not None:
            successor.is_default = True
            await session.flush()


# --- withdrawals --------------------------------------------------------------------------


async def method_for_withdrawal(
    session: AsyncSession, user: User, method_id: uuid.UUID | None, *, lock: bool = True
) -> PayoutMethod:
    """The named method (the default otherwise); it must be verified. Locked for a withdrawal,
    so that it cannot be deleted meanwhile."""
    if method_id is not None:
        method = await get_method(session, user, method_id, lock=lock)
    else:
        default = await _default_of(session, user.id)
        if default is None or default.status is not MS.VERIFIED:
            raise PayoutMethodRequired()
        method = await get_method(session, user, default.id, lock=lock)
    if method.status is not MS.VERIFIED:
        raise PayoutMethodNotVerified(details={"status": method.status.value})
    return method


def payout_target(method: PayoutMethod) -> tuple[str, str]:
    """The payment provider that pays this method, and the destination it is given."""
    assert method.provider_account_id is not None  # every verified method names its account
    if method.provider is PayoutProvider.VENMO:
        return "paypal", f"venmo:{method.provider_account_id}"
    return method.provider.value, method.provider_account_id


def payout_fee(method: PayoutMethod, amount_minor: int) -> int:
    """PAYOUT_FEES for the method's provider: percent (rounded half-up to a cent) plus fixed,
    at most max; never more than the amount."""
    fee = get_settings().payout_fees.get(method.provider.value)
    if fee is None:
        return 0
    total = percentage_of(amount_minor, fee.percent) + to_minor(fee.fixed)
    if fee.max is not None:
        total = min(total, to_minor(fee.max))
    return min(total, amount_minor)


@dataclass(frozen=True)
class Quote:
    method: PayoutMethod
    amount_minor: int
    fee_minor: int
    currency: str


async def quote(
    session: AsyncSession, user: User, amount: Money, method_id: uuid.UUID | None, *, lock: bool = False
) -> Quote:
    """What a withdrawal of `amount` to the method (the default otherwise) would cost and pay,
    checked as the withdrawal itself would be; the withdrawal records this very fee."""
    settings = get_settings()
    if amount.currency != settings.default_currency:
        raise CurrencyMismatch(
            f"Withdrawals are paid in {settings.default_currency}.",
            details={"currency": amount.currency, "expected": settings.default_currency},
        )
    if amount.minor < to_minor(settings.minimum_payout):
        raise BelowMinimumPayout(
            f"The smallest withdrawal is {settings.minimum_payout} {settings.default_currency}.",
            details={"minimum": str(settings.minimum_payout)},
        )
    method = await method_for_withdrawal(session, user, method_id, lock=lock)
    fee = payout_fee(method, amount.minor)
    if fee >= amount.minor:
        raise AmountBelowPayoutFee(details={"fee": format_minor(fee)})
    return Quote(method, amount.minor, fee, amount.currency)


# --- personal data ------------------------------------------------------------------------


async def personal_data(session: AsyncSession, user_id: uuid.UUID) -> list[dict[str, Any]]:
    """The user's payout methods for their data export, deleted ones too, with the account each
    pays to (their own PayPal e-mail, Venmo handle or provider account id)."""
    methods = await session.scalars(
        select(PayoutMethod).where(PayoutMethod.user_id == user_id).order_by(PayoutMethod.created_at)
    )
    return [
        {
            **PayoutMethodOut.of(method).model_dump(mode="json"),
            "account": method.provider_account_id,
            "deleted_at": method.deleted_at.isoformat() if method.deleted_at else None,
        }
        for method in methods
    ]


async def erase_methods(session: AsyncSession, user_id: uuid.UUID) -> None:
    """An erased account's payout methods are closed and forget where they paid to; the
    withdrawals made through them keep pointing at the (now anonymous) rows."""
    await session.execute(
        update(PayoutMethod)
        .where(PayoutMethod.user_id == user_id)
        .values(
            provider_account_id=None,
            label="erased",
            is_default=False,
            deleted_at=func.coalesce(PayoutMethod.deleted_at, func.now()),
        )
    )
