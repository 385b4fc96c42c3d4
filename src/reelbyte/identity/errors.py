"""Errors of identity: authentication, accounts, profiles, portfolios."""

from __future__ import annotations

from reelbyte.core.errors import Forbidden, Unauthorized


class NotAuthenticated(Unauthorized):
    code = "not_authenticated"
    message = "Log in first: this needs a bearer access token."


class InvalidToken(Unauthorized):
    code = "invalid_token"
    message = "The access token is not valid or no longer valid."


class WrongRole(Forbidden):
    code = "wrong_role"
    message = "Your account's role cannot do this."
