"""Shared Pydantic building blocks for requests and responses."""

from __future__ import annotations

import ipaddress
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_BLOCKED_HOSTS = {"localhost", "localhost.localdomain", "metadata.google.internal"}


class RequestModel(BaseModel):
    """Request bodies refuse unknown fields and trim surrounding whitespace."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _public_http_url(url: str) -> str:
    """A user-supplied link: http(s), a public host name, no credentials, no internal address.

    The server stores these links and never fetches them; the check keeps them safe to show
    and keeps internal addresses out in case a later feature does fetch (SSRF).
    """
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValueError("must not contain control characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("must be an http or https URL")
    if parts.username or parts.password:
        raise ValueError("must not contain credentials")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise ValueError("must have a host name")
    if host in _BLOCKED_HOSTS or host.endswith((".local", ".internal", ".localhost")):
        raise ValueError("must point to a public host")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if "." not in host:
            raise ValueError("must point to a public host") from None
    else:
        if not address.is_global:
            raise ValueError("must point to a public address")
    return url


PublicUrl = Annotated[str, Field(max_length=2048), AfterValidator(_public_http_url)]
