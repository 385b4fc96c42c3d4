"""Contact details in chat messages: find them and mask them.

Until two users have an order together, the marketplace hides the ways to reach or pay each
other outside it (messaging.service decides when; this module only finds and masks, with no
I/O and no settings):

- e-mail addresses, also spelled out: "maya at gmail dot com", "maya [at] gmail [dot] com",
  "maya(at)gmail.com", "m a y a @ g m a i l . c o m";
- phone numbers: 8 digits or more in groups split by spaces, dots, dashes or parentheses,
  with or without "+": "+44 7700 900123", "(555) 123-4567", "0 6 1 2 3 4 5 6 7 8";
- payment and chat links (paypal.me/…, revolut.me/…, cash.app/$…, wise.com/pay/…, wa.me/…,
  t.me/…) and an @handle or $cashtag written after the name of a payment or chat app
  ("venmo me at @maya", "cashapp $maya"); an address or number after one ("paypal:
  maya@x.com", "zelle 555 123 4567") is an e-mail address or a phone number already.

Left alone on purpose: prices ("$150", "€1,200"), dates and year ranges, "4K", "1080p",
"2 revisions", ids (UUIDs, "#12345678", "order 12345678", "RB-2024-…"), file names
("DSC01234567.MOV"), the word "gmail" alone, and links to anything but the payment and chat
services above: video links are the product (youtube.com, vimeo.com, drive links stay whole,
even when they hold digits or an "@channel").

Not caught (known limits): numbers spelled in words ("zero six one two…"), digits glued to
letters ("call0612345678"), a bare @handle or $cashtag with no app named before it.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

HIDDEN = "[contact details hidden]"

# Fewer digits than this is a price, a quantity, a date part or a short id, not a phone number
# (the shortest national numbers in use, with their area code, have 8).
MIN_PHONE_DIGITS = 8

# Masking again after a pass can find more (masking an address can bring an "@handle" within
# reach of the app named before it); a few passes reach the fixed point in practice.
_MAX_PASSES = 4

_SPACE = r"[ \t\u00a0]"  # within a line: a phone number or an address does not span lines


class Masked(NamedTuple):
    text: str
    masked: bool  # whether anything was hidden


# --- links --------------------------------------------------------------------------------

# Any link, with a scheme, with "www." or as host/path ("vimeo.com/123"): the start of a token
# only (not the domain of an e-mail address, nor the middle of a longer name).
_URL = re.compile(
    r"""
    (?<![\w@.\-/])
    (?:
        (?:https?://|www\.)[^\s<>"'`]+
      | [a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/[^\s<>"'`]*
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)

# Links that are a way to pay or to talk outside the platform: (host, path prefix). Every other
# link is left whole, and nothing inside it is masked (a video's URL may hold long numbers).
_CONTACT_LINKS: tuple[tuple[str, str], ...] = (
    ("paypal.me", ""),
    ("paypal.com", "/paypalme"),
    ("venmo.com", ""),
    ("cash.app", ""),
    ("revolut.me", ""),
    ("wise.com", "/pay"),
    ("monzo.me", ""),
    ("buymeacoffee.com", ""),
    ("ko-fi.com", ""),
    ("wa.me", ""),
    ("whatsapp.com", ""),
    ("t.me", ""),
    ("telegram.me", ""),
    ("m.me", ""),
    ("signal.me", ""),
)


def _is_contact_link(url: str) -> bool:
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:  # not a link after all ("http://[…")
        return False
    path = parts.path.lower()
    return any(
        (host == name or host.endswith(f".{name}")) and path.startswith(prefix)
        for name, prefix in _CONTACT_LINKS
    )


# Order and upload ids: a UUID's groups can be all digits, which are not a phone number.
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)


# --- e-mail addresses ---------------------------------------------------------------------

# "@" between the two parts, bare or spaced ("maya @ gmail.com"), or spelled in brackets:
# "(at)", "[at]", "{at}", "<at>", "(@)"; or the word " at " (checked further in _is_address).
_AT = rf"""
    (?P<at>
        {_SPACE}*@{_SPACE}*
      | {_SPACE}*[(\[{{<]{_SPACE}*(?:at|@){_SPACE}*[)\]}}>]{_SPACE}*
      | {_SPACE}+at{_SPACE}+
    )
"""
# "." between labels: bare ("gmail.com"), or spelled: spaced on both sides ("gmail . com": one
# side only is a sentence ending, "at 5pm. see you"), in brackets ("[dot]", "(.)"), or the word
# " dot ".
_DOT_SPELLED = rf"""
    (?:
        {_SPACE}+\.{_SPACE}+
      | {_SPACE}*[(\[{{<]{_SPACE}*(?:dot|\.){_SPACE}*[)\]}}>]{_SPACE}*
      | {_SPACE}+dot{_SPACE}+
    )
"""
_DOT = rf"(?:\.|{_DOT_SPELLED})"
_EMAIL = re.compile(
    rf"""
    (?<![\w.%+-])[\w.%+-]+             # the local part, from its first character ...
    (?:{_DOT_SPELLED}[\w%+-]+){{0,3}}  # ... spelled out too: "maya dot edits at …" (a bare "."
                                       # is a local part's character already)
    {_AT}
    (?P<domain>[\w-]+(?:{_DOT}[\w-]+){{0,8}})
    {_DOT}[a-z]{{2,24}}(?![\w-])        # a top-level domain: letters ("at 5.30" is a time)
    """,
    re.IGNORECASE | re.VERBOSE,
)
# "@" and a mail provider, the rest left out: "maya@gmail", "maya (at) hotmail".
_EMAIL_AT_PROVIDER = re.compile(
    rf"""
    (?<![\w.%+-])[\w.%+-]+
    (?:{_SPACE}*@{_SPACE}*|{_SPACE}*[(\[{{<]{_SPACE}*(?:at|@){_SPACE}*[)\]}}>]{_SPACE}*)
    (?:gmail|googlemail|yahoo|hotmail|outlook|icloud|proton(?:mail)?|gmx|yandex)(?![\w-])
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Spelled letter by letter: "m a y a @ g m a i l . c o m".
_SPACED_EMAIL = re.compile(
    rf"""
    (?<!\S)(?:[\w.+-]{_SPACE}){{1,64}}@(?:{_SPACE}[\w-]){{1,64}}
    (?:{_SPACE}\.(?:{_SPACE}[\w-]){{1,64}})+
    """,
    re.IGNORECASE | re.VERBOSE,
)

# With the plain word "at" and real dots, only a mail provider's domain makes an address:
# "maya at gmail.com" is one, "I saw it at vimeo.com" is not.
_MAIL_PROVIDERS = frozenset(
    {
        "gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "live", "msn", "icloud", "me",
        "mac", "aol", "proton", "protonmail", "pm", "gmx", "yandex", "zoho", "mail", "fastmail",
        "tutanota", "hey", "web", "orange", "free", "wanadoo", "btinternet",
    }
)  # fmt: skip
# "look at the dot com bubble" is not an address either.
_NOT_A_DOMAIN = frozenset(
    {"the", "a", "an", "this", "that", "these", "those", "my", "your", "our", "their", "his", "her", "its"}
)
_SPELLED_DOT = re.compile(r"\s|\bdot\b|[(\[{<]", re.IGNORECASE)


def _is_address(match: re.Match[str]) -> bool:
    if match["at"].strip().lower() != "at":
        return True  # "@" or "(at)": nothing else is written that way
    first_label = re.split(r"[^\w-]", match["domain"], maxsplit=1)[0].lower()
    if first_label in _NOT_A_DOMAIN:
        return False
    after_at = match.string[match.end("at") : match.end()]
    return first_label in _MAIL_PROVIDERS or _SPELLED_DOT.search(after_at) is not None


# --- phone numbers ------------------------------------------------------------------------

_PHONE = re.compile(
    rf"""
    (?<![\w$€£#])(?<!\w[.\-/])     # not glued to a word, a price, "#" or an id ("RB-2024-…")
    (?:\+{_SPACE}?)?\(?\d+
    (?:                            # more groups, each after one separator:
        (?:
            {_SPACE}?[.\-\u2013]{_SPACE}?   # "06.12.34", "555-1234", or an en dash
          | {_SPACE}                   # "0 6 1 2", "+44 7700 900123"
          | \){_SPACE}?                # "(555) 123"
          | {_SPACE}?\(                # "+44 (0) 20"
        )
        \d+
    )*
    \)?
    (?!\w)(?![.\-/]\w)             # nor followed by more of a word ("12345678.mp4", "1234-abcd")
    """,
    re.VERBOSE,
)
# Dates are 8 digits too ("12.05.2024", "2024-05-12"), year ranges as well ("2019 - 2024").
_DATE = re.compile(r"(?<!\d)(?:\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}|\d{1,2}[.\-/]\d{1,2}[.\-/]\d{4})(?!\d)")
_YEAR = re.compile(r"(?:19|20)\d\d")
# Nor is an IPv4 address ("203.0.113.7") or an amount with cents ("10000000.01").
_NOT_A_NUMBER_TO_CALL = re.compile(
    r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)|\d+\.\d\d?"
)
# A number named as an order, invoice or reference number is one ("order no. 12345678").
_ID_BEFORE = re.compile(
    r"\b(?:order|invoice|ref|reference|ticket|tracking|transaction|id)\b[\s:#.]*(?:no|nr|number)?[\s:#.]*$",
    re.IGNORECASE,
)


def _is_phone(text: str, match: re.Match[str]) -> bool:
    number = match[0]
    if sum(ch.isdigit() for ch in number) < MIN_PHONE_DIGITS:
        return False
    if _NOT_A_NUMBER_TO_CALL.fullmatch(number):
        return False
    if _ID_BEFORE.search(text[max(0, match.start() - 24) : match.start()]):
        return False
    groups = re.findall(r"\d+", _DATE.sub(" ", number))
    # Nothing left but dates and years: "12.05.2024 - 14.05.2024", "2019-2024".
    return not all(_YEAR.fullmatch(group) for group in groups)


# --- handles ------------------------------------------------------------------------------

# Payment and chat apps whose users are found by an @handle or a $cashtag.
_APPS = (
    r"pay\s?pal|venmo|cash\s?app|cashtag|zelle|wise|revolut|monzo|skrill|payoneer"
    r"|whats\s?app|telegram|signal|skype|discord|snapchat|wechat|viber|kik"
)
_HANDLE_AFTER_APP = re.compile(
    rf"""
    \b(?:{_APPS})\b
    [^\n@$]{{0,40}}?                        # a few words on the same line: "venmo me at", "my cashapp is"
    (?<![\w.])(?P<handle>[@$][^\W\d_][\w.-]{{0,30}})   # a letter first: "$150" is a price
    """,
    re.IGNORECASE | re.VERBOSE,
)


# --- masking ------------------------------------------------------------------------------

# Spans only this far apart are hidden under one marker: "maya@x.com / +44 7700 900123".
_JOINABLE_GAP = re.compile(r"[ \t,;/|]*")  # on the same line


def _spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each contact detail in `text`, sorted and merged."""
    found: list[tuple[int, int]] = []
    kept: list[tuple[int, int]] = [m.span() for m in _UUID.finditer(text)]
    for match in _URL.finditer(text):
        (found if _is_contact_link(match[0]) else kept).append(match.span())
    found += [m.span() for m in _EMAIL.finditer(text) if _is_address(m)]
    found += [m.span() for m in _EMAIL_AT_PROVIDER.finditer(text)]
    found += [m.span() for m in _SPACED_EMAIL.finditer(text)]
    found += [m.span() for m in _PHONE.finditer(text) if _is_phone(text, m)]
    found += [m.span("handle") for m in _HANDLE_AFTER_APP.finditer(text)]

    def inside_kept(start: int, end: int) -> bool:
        return any(start < k_end and k_start < end for k_start, k_end in kept)

    merged: list[tuple[int, int]] = []
    for start, end in sorted(span for span in found if not inside_kept(*span)):
        if merged and (
            start <= merged[-1][1] or _JOINABLE_GAP.fullmatch(text, merged[-1][1], start) is not None
        ):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _mask_once(text: str) -> str:
    spans = _spans(text)
    if not spans:
        return text
    parts, last = [], 0
    for start, end in spans:
        parts += [text[last:start], HIDDEN]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def mask_contact_details(text: str) -> Masked:
    """`text` with every contact detail replaced by HIDDEN, and whether there was any.

    Masking the result again changes nothing (the marker itself is never a contact detail)."""
    masked = False
    for _ in range(_MAX_PASSES):
        again = _mask_once(text)
        if again == text:
            break
        text, masked = again, True
    return Masked(text, masked)
