"""HTTP routes of plans and subscriptions (under /v1/billing), and billing for admins (under
/v1/admin). A user's subscription routes act on their own subscription only: there is no id to
name another's."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, status

from reelbyte.billing import admin, errors, schemas, subscriptions
from reelbyte.core.db import utcnow
from reelbyte.core.errors import error_responses
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.deps import CurrentAdmin, CurrentUser
from reelbyte.payments.errors import ProviderUnavailable
from reelbyte.projects.errors import CurrencyMismatch

billing_router = APIRouter(prefix="/billing", tags=["billing"])
admin_billing_router = APIRouter(prefix="/admin", tags=["admin"])

PROVIDER_ERRORS = (ProviderUnavailable, errors.SubscriptionsUnavailable)
PlanCodePath = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_-]*$")]


@billing_router.get("/plans", response_model=list[schemas.PlanOut])
async def list_plans(session: SessionDep) -> list[schemas.PlanOut]:
    """The plans on offer, in display order, with their monthly price and limits (null: unlimited)."""
    return [schemas.PlanOut.of(plan) for plan in await subscriptions.offered_plans(session)]


@billing_router.post(
    "/checkout",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.PlanCheckoutOut,
    responses=error_responses(
        errors.PlanNotFound,
        errors.FreePlanNotPurchasable,
        errors.AlreadySubscribed,
        errors.SubscriptionExists,
        *PROVIDER_ERRORS,
    ),
)
async def checkout(
    data: schemas.PlanCheckoutRequest, user: CurrentUser, session: SessionDep
) -> schemas.PlanCheckoutOut:
    """Start a subscription to a paid plan: open `checkout_url` to pay the first month. Asked
    again before paying, the same checkout comes back (never a second subscription). With a
    paid plan already, change plan in the portal instead (409 `subscription_exists`)."""
    url = await subscriptions.checkout(session, user, data.plan)
    return schemas.PlanCheckoutOut(checkout_url=url)


@billing_router.get("/subscription", response_model=schemas.SubscriptionOut)
async def my_subscription(user: CurrentUser, session: SessionDep) -> schemas.SubscriptionOut:
    """My plan in effect, and its subscription's status and current period (Free without one)."""
    return schemas.SubscriptionOut.of(await subscriptions.subscription_state(session, user.id))


@billing_router.post(
    "/portal",
    response_model=schemas.PortalOut,
    responses=error_responses(errors.NoSubscription, *PROVIDER_ERRORS),
)
async def portal(user: CurrentUser, session: SessionDep) -> schemas.PortalOut:
    """The provider's customer portal for my subscription: change plan, cancel, payment details.
    A plan change there applies at once, without proration; the next renewal charges the new price."""
    return schemas.PortalOut(url=await subscriptions.portal_url(session, user.id))


@billing_router.post(
    "/subscription/cancel",
    response_model=schemas.SubscriptionOut,
    responses=error_responses(errors.NoSubscription, errors.AlreadyCancelling, *PROVIDER_ERRORS),
)
async def cancel(user: CurrentUser, session: SessionDep) -> schemas.SubscriptionOut:
    """End my subscription at the end of its current period; the plan stays until then."""
    await subscriptions.cancel(session, user.id)
    return schemas.SubscriptionOut.of(await subscriptions.subscription_state(session, user.id))


@billing_router.post(
    "/subscription/resume",
    response_model=schemas.SubscriptionOut,
    responses=error_responses(errors.NoSubscription, errors.NotCancelling, *PROVIDER_ERRORS),
)
async def resume(user: CurrentUser, session: SessionDep) -> schemas.SubscriptionOut:
    """Keep my subscription after all (before its period ends): it renews again."""
    await subscriptions.resume(session, user.id)
    return schemas.SubscriptionOut.of(await subscriptions.subscription_state(session, user.id))


# --- admins -------------------------------------------------------------------------------


@admin_billing_router.get("/plans", response_model=list[schemas.AdminPlanOut])
async def admin_list_plans(_: CurrentAdmin, session: SessionDep) -> list[schemas.AdminPlanOut]:
    """Every plan, offered or not, with its own marketplace fee."""
    return [schemas.AdminPlanOut.of(plan) for plan in await admin.all_plans(session)]


@admin_billing_router.put(
    "/plans/{code}",
    response_model=schemas.AdminPlanOut,
    responses=error_responses(errors.PlanNotFound, errors.FreePlanFixed, CurrencyMismatch),
)
async def admin_update_plan(
    code: PlanCodePath, data: schemas.PlanUpdate, admin_user: CurrentAdmin, session: SessionDep
) -> schemas.AdminPlanOut:
    """Change a plan's price, limits, marketplace fee or whether it is offered (audited).
    Subscribers keep their plan; a new price is charged from their next renewal."""
    plan = await admin.update_plan(session, admin_user, code, data.changes())
    return schemas.AdminPlanOut.of(plan)


@admin_billing_router.get("/billing", response_model=schemas.BillingOverviewOut)
async def admin_billing(_: CurrentAdmin, session: SessionDep) -> schemas.BillingOverviewOut:
    """Subscribers by plan, MRR (EUR), past-due subscriptions and churn over the last 30 days."""
    return schemas.BillingOverviewOut.of(await admin.overview(session, utcnow()))
