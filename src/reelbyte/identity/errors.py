"""Errors of identity: authentication, accounts, sessions and refresh tokens, profiles, portfolios."""

from __future__ import annotations

from reelbyte.core.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed

# --- access tokens and roles (the dependencies in identity/deps.py) -------------------------


class NotAuthenticated(Unauthorized):
    code = "not_authenticated"
    message = "Log in first: this needs a bearer access token."


class InvalidToken(Unauthorized):
    code = "invalid_token"
    message = "The access token is not valid or no longer valid."


class WrongRole(Forbidden):
    code = "wrong_role"
    message = "Your account's role cannot do this."


# --- accounts and login -------------------------------------------------------------------


class AccountExists(Conflict):
    code = "account_exists"
    message = "That e-mail or username is already taken."


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    message = "The e-mail or password is wrong."


class AccountDeactivated(Forbidden):
    code = "account_deactivated"
    message = "This account has been deactivated."


class AccountSuspended(Forbidden):
    code = "account_suspended"
    message = "This account is suspended."


class EmailNotVerified(Forbidden):
    """The web app answers this code with its "verify your e-mail" prompt (and a resend button)."""

    code = "email_not_verified"
    message = "Verify your e-mail address first: follow the link we sent you, or ask for a new one."


class SameEmail(ValidationFailed):
    code = "same_email"
    message = "That is already your e-mail address."


class AlreadyVerified(Conflict):
    code = "already_verified"
    message = "Your e-mail address is already verified."


# --- refresh tokens -----------------------------------------------------------------------


class MissingRefreshToken(Unauthorized):
    code = "missing_refresh_token"
    message = "Send a refresh token in the body or the cookie."


class InvalidRefreshToken(Unauthorized):
    code = "invalid_refresh_token"
    message = "The refresh token is not valid."


class RefreshTokenExpired(Unauthorized):
    code = "refresh_token_expired"
    message = "The refresh token has expired; log in again."


class RefreshTokenReused(Unauthorized):
    """A spent refresh token came back after the grace window: the session is ended for safety.

    The revocation must stand although the request fails, so the refresh route answers this
    error without raising it out of the unit of work (identity/router.py)."""

    code = "refresh_token_reused"
    message = "This refresh token was already used; the session has been ended for safety."


class SessionRevoked(Unauthorized):
    code = "session_revoked"
    message = "This session has ended; log in again."


# --- the account's own security: password change, login sessions, role ---------------------


class WrongPassword(Forbidden):
    code = "wrong_password"
    message = "The current password is wrong."


class SamePassword(ValidationFailed):
    code = "same_password"
    message = "The new password must differ from the current one."


class SessionNotFound(NotFound):
    code = "session_not_found"
    message = "No such login session."


class RoleChangeNotAllowed(Forbidden):
    code = "role_change_not_allowed"
    message = "An administrator's role cannot be changed."


class AlreadyHybrid(Conflict):
    code = "already_hybrid"
    message = "Your account is already both a creator and a client."


# --- single-use e-mail links (verify the address, reset the password) ---------------------


class InvalidLink(BadRequest):
    code = "invalid_link"
    message = "This link is not valid or was already used."


class LinkExpired(BadRequest):
    code = "link_expired"
    message = "This link has expired; ask for a new one."


# --- profiles and portfolios --------------------------------------------------------------


class FieldRequired(ValidationFailed):
    code = "field_required"
    message = "This field cannot be cleared."


class UserNotFound(NotFound):
    code = "user_not_found"
    message = "No such user."


class PortfolioFull(Conflict):
    code = "portfolio_full"
    message = "The portfolio is full."


class PortfolioItemNotFound(NotFound):
    code = "portfolio_item_not_found"
    message = "No such portfolio item."


# --- API keys (identity/api_keys.py and the key side of identity/deps.py) -------------------


class InvalidApiKey(Unauthorized):
    code = "invalid_api_key"
    message = "The API key is not valid: unknown, deleted or expired."


class ApiKeyDisabled(Forbidden):
    code = "api_key_disabled"
    message = "This API key is disabled: its owner's plan has no API access (upgrade to use it again)."


class MissingScope(Forbidden):
    """`details`: `required`, the scope the route needs (null: no scope grants the route to a key,
    it takes an access token), and `granted`, the key's scopes (null where the route refuses
    keys before looking them up)."""

    code = "missing_scope"
    message = "The API key does not have the scope this needs."


class PlanHasNoApiAccess(Forbidden):
    code = "plan_has_no_api_access"
    message = "Your plan does not include API access: upgrade to Pro or Premium to create API keys."


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    message = "No such API key."


class ApiKeyExpiryInPast(ValidationFailed):
    code = "api_key_expiry_in_past"
    message = "expires_at must be in the future."
