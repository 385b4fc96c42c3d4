"""Shared Pydantic building blocks for requests and responses."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_BLOCKED_HOSTS = {"localhost", "localhost.localdomain", "metadata.google.internal"}
_BLOCKED_SUFFIXES = (".local", ".internal", ".localhost")
# A DNS label (letters, digits, hyphens inside; underscores as some real host names have them).
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
# A label that makes the host an IPv4 address (or an invalid one): decimal digits or 0x-hex.
_NUMBER = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]*")


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
    try:
        parts = urlsplit(url)
    except ValueError:  # a bracketed host that is no IPv6 address
        raise ValueError("must have a valid IPv6 address in brackets") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("must be an http or https URL")
    if "@" in parts.netloc:
        raise ValueError("must not contain credentials")
    try:
        parts.port  # noqa: B018 (reading it checks it)
    except ValueError:
        raise ValueError("must have a valid port") from None
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError("must have a host name")
    if parts.netloc.partition(":")[0].startswith("["):
        _check_address(_ip_literal(host))
        return url
    host = host.removesuffix(".")
    address = _ipv4_number(host)
    if address is not None:
        _check_address(address)
        return url
    _check_host_name(host)
    return url


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.IPv6Address(host)
    except ValueError:
        raise ValueError("must have a valid IPv6 address in brackets") from None


def _check_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not address.is_global:
        raise ValueError("must point to a public address")


def _ipv4_number(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a host that ends in a number stands for, read as browsers and inet_aton
    read it: one to four parts, each decimal, octal (leading 0) or hex (0x), the last filling
    the remaining bytes, so `127.1`, `2130706433` and `0x7f.1` are all 127.0.0.1. None when
    the host is a name; ValueError when it ends in a number but is no address."""
    labels = host.split(".")
    if not _NUMBER.fullmatch(labels[-1]):
        return None
    if len(labels) > 4:
        raise ValueError("must have a valid host name or IP address")
    try:
        numbers = [_ipv4_part(label) for label in labels]
    except ValueError:
        raise ValueError("must have a valid host name or IP address") from None
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(numbers)):
        raise ValueError("must have a valid host name or IP address")
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_part(label: str) -> int:
    if label[:2] in ("0x", "0X"):
        return int(label[2:] or "0", 16)
    if len(label) > 1 and label.startswith("0"):
        return int(label, 8)
    return int(label, 10)


def _check_host_name(host: str) -> None:
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("must have a valid host name") from None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError("must have a valid host name")
    if len(labels) < 2 or ascii_host in _BLOCKED_HOSTS or ascii_host.endswith(_BLOCKED_SUFFIXES):
        raise ValueError("must point to a public host")


# The part of `_public_http_url` a pattern can state: http(s), a host without spaces, control
# characters or credentials, then no control characters. Host name rules (DNS labels, IDNA) and
# public addresses are checked by the validator alone.
_URL_HOST = r"(\[[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*\](:[0-9]*)?|[^\x00-\x20\x7f@/?#\\\[\]]+)"
_URL_PATTERN = rf"^[hH][tT][tT][pP][sS]?://{_URL_HOST}([/?#][^\x00-\x1f\x7f]*)?$"
PublicUrl = Annotated[
    str, Field(max_length=2048, json_schema_extra={"pattern": _URL_PATTERN}), AfterValidator(_public_http_url)
]
