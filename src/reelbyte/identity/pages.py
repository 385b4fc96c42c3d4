"""The pages e-mailed links open: confirm an address (a new one too), choose a new password.

They let a person finish those flows in a browser with no front-end; each calls the same
service function as the JSON API. With the web app served, the links go on to its own pages
(which call the JSON API), so a person stays in one look. A refused link is answered with a page rather than raised, so
the service call runs in a savepoint: whatever it wrote before refusing is undone, and the
request's unit of work commits nothing of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from reelbyte.core.errors import AppError
from reelbyte.core.routing import APIRouter, SessionDep, WritingSessionDep
from reelbyte.identity import service
from reelbyte.identity.schemas import ResetPasswordRequest
from reelbyte.webapp import serves_web_app

templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates" / "pages")
pages_router = APIRouter(prefix="/account", include_in_schema=False)

TokenQuery = Annotated[str, Query(max_length=128)]


@pages_router.get("/verify-email", response_class=HTMLResponse)
async def verify_email_page(request: Request, session: WritingSessionDep, token: TokenQuery = "") -> Response:
    """The link in the confirmation e-mail: a GET (a link is followed with one) that writes."""
    if serves_web_app(request):
        return RedirectResponse(f"/verify-email?{urlencode({'token': token})}", status_code=303)
    try:
        async with session.begin_nested():
            await service.verify_email(session, token)
    except AppError as error:
        return _page(request, "Link not valid", error.message, status_code=400)
    return _page(request, "E-mail confirmed", "Thank you: your e-mail address is confirmed.")


@pages_router.get("/confirm-email", response_class=HTMLResponse)
async def confirm_email_page(
    request: Request, session: WritingSessionDep, token: TokenQuery = ""
) -> Response:
    """The link sent to a new address: following it moves the account there."""
    if serves_web_app(request):
        return RedirectResponse(f"/confirm-email?{urlencode({'token': token})}", status_code=303)
    try:
        async with session.begin_nested():
            user = await service.confirm_email_change(session, token)
    except AppError as error:
        return _page(request, "Link not valid", error.message, status_code=400)
    return _page(request, "E-mail changed", f"Your account now uses {user.email}.")


@pages_router.get("/reset-password", response_class=HTMLResponse)
async def reset_password_form(request: Request, token: TokenQuery = "") -> Response:
    if serves_web_app(request):
        return RedirectResponse(f"/reset-password?{urlencode({'token': token})}", status_code=303)
    return templates.TemplateResponse(request, "reset_password.html", {"token": token, "error": None})


@pages_router.post("/reset-password", response_class=HTMLResponse)
async def reset_password_submit(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form(max_length=128)],
    new_password: Annotated[str, Form(max_length=256)],
) -> HTMLResponse:
    try:
        data = ResetPasswordRequest(token=token, new_password=new_password)
        async with session.begin_nested():
            await service.reset_password(session, data.token, data.new_password)
    except ValidationError as error:
        message = "; ".join(str(e["msg"]) for e in error.errors())
        return templates.TemplateResponse(
            request, "reset_password.html", {"token": token, "error": message}, status_code=400
        )
    except AppError as error:
        return _page(request, "Link not valid", error.message, status_code=400)
    return _page(request, "Password changed", "Your password has been changed. Log in with the new one.")


def _page(request: Request, title: str, message: str, status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "message.html", {"title": title, "message": message}, status_code=status_code
    )
