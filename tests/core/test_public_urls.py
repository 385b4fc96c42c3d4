"""User links (`PublicUrl`) are parsed strictly: IPv4 addresses in every form inet_aton and
browsers read (shortened, decimal, octal, hex) are checked as the address they stand for, and
host names hold only what host names can."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from reelbyte.core.schemas import PublicUrl

public_url = TypeAdapter(PublicUrl)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.1/",  # shortened: 127.0.0.1
        "http://2130706433/",  # one decimal number: 127.0.0.1
        "http://0x7f.1/",  # hex and shortened
        "http://0x7f000001/",  # one hex number
        "http://0177.0.0.1/",  # octal
        "http://0177.1/",
        "http://10.1/",  # 10.0.0.1
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/",  # 169.254.169.254
        "http://0/",
        "http://127.0.0.1./",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
    ],
)
def test_internal_addresses_in_any_form_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="public address"):
        public_url.validate_python(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://exa mple.com/",
        "http://example.com /",
        "http:// example.com/",
        "http://exa\tmple.com/",
        "http://example.com\\evil/",
        "http://ex<a>mple.com/",
        "http://-example.com/",
        "http://example..com/",
        "http://ex%41mple.com/",
        "http://1.2.3.4.5/",  # ends in a number, but is no address
        "http://256.1.1.1/",
        "http://08.1.1.1/",  # 8 is no octal digit
        "http://example.123/",
        "http://example.com:99999/",
        "http://@example.com/",
        "http://user@example.com/",
        "http://[127.0.0.1]/",
        "http://[CED]/",  # brackets, but no IPv6 address
        "http://[1:]/",
        "http://localhost/",
        "http://intranet/",
    ],
)
def test_malformed_and_internal_host_names_are_refused(url: str) -> None:
    with pytest.raises(ValidationError):
        public_url.validate_python(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com/123456",
        "http://example.com./path",
        "https://cdn_1.example.com/a.png",
        "https://bücher.example/",
        "http://8.8.8.8/",
        "http://134744072/",  # 8.8.8.8 as one number: public, so allowed
        "http://[2001:4860:4860::8888]:8080/",
        "https://example.com:443/x?y=1#z",
    ],
)
def test_public_links_pass_unchanged(url: str) -> None:
    assert public_url.validate_python(url) == url


@pytest.mark.parametrize("url", ["http://[CED]/", "http://[1:]/", "https://[abc/"])
def test_a_bad_bracketed_host_is_named_as_such(url: str) -> None:
    with pytest.raises(ValidationError, match="valid IPv6 address in brackets"):
        public_url.validate_python(url)
