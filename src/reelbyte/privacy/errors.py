"""Errors of the privacy domain: what stops an export or an erasure."""

from __future__ import annotations

from reelbyte.core.errors import Conflict


class ExportInProgress(Conflict):
    code = "export_in_progress"
    message = "An export of your data is being prepared already; you will get an e-mail when it is ready."


class OpenOrders(Conflict):
    code = "open_orders"
    message = (
        "Your account has orders that are not finished: complete or cancel them first "
        "(`details.orders` lists them)."
    )


class BalanceNotEmpty(Conflict):
    code = "balance_not_empty"
    message = (
        "Your account still holds money: withdraw it (and wait for the payout) before erasing the account."
    )
