"""One key per recruiter contact, so the same number or account written differently is one contact.

``0812-3456-7890``, ``+62 812 3456 7890``, ``6281234567890`` and ``wa.me/6281234567890`` are all
``6281234567890``; ``t.me/Rekrut_KH``, ``telegram.me/rekrut_kh`` and ``@Rekrut_KH`` are all
``@rekrut_kh``. Other links keep their address without scheme, ``www.`` or a trailing slash.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SCHEME_RE = re.compile(r"^(?:https?://)?(?:www\.)?", re.IGNORECASE)
_PHONE_LINK_RE = re.compile(
    r"^(?:wa\.me/|api\.whatsapp\.com/send/?\?phone=|whatsapp\.com/send/?\?phone=)\+?([\d\s().-]{6,})", re.IGNORECASE)
_TELEGRAM_RE = re.compile(r"^(?:t\.me|telegram\.me|telegram\.dog)/@?([A-Za-z0-9_]{3,})/?$", re.IGNORECASE)
_HANDLE_RE = re.compile(r"^@([A-Za-z0-9_.]+)$")
_PHONE_CHARS_RE = re.compile(r"^\+?[\d\s().\-/]+$")


def _phone_key(value: str) -> str | None:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 7:
        return None
    digits = digits.removeprefix("00")  # international call prefix
    if digits.startswith("0"):
        return "62" + digits[1:]  # Indonesian trunk prefix
    if digits.startswith("8") and not value.lstrip().startswith("+") and 9 <= len(digits) <= 12:
        return "62" + digits  # an Indonesian mobile written without its 0
    return digits


def contact_key(contact: str) -> str:
    """The normalised key of one contact (phone number, chat link or handle).

    >>> contact_key("0812-3456-7890"), contact_key("wa.me/6281234567890"), contact_key("t.me/Rekrut_KH")
    ('6281234567890', '6281234567890', '@rekrut_kh')
    """
    value = contact.strip().rstrip(".,;)")
    if not value:
        return ""
    handle = _HANDLE_RE.match(value)
    if handle:
        return "@" + handle.group(1).lower()
    if _PHONE_CHARS_RE.match(value):
        key = _phone_key(value)
        if key:
            return key
    link = _SCHEME_RE.sub("", value)
    phone = _PHONE_LINK_RE.match(link)
    if phone:
        key = _phone_key(phone.group(1))
        if key:
            return key
    telegram = _TELEGRAM_RE.match(link)
    if telegram and telegram.group(1).lower() not in ("joinchat", "addstickers", "share", "s"):
        return "@" + telegram.group(1).lower()
    host, _, path = link.partition("/")
    return (host.lower() + ("/" + path if path else "")).rstrip("/")


def contact_keys(contacts: str | Iterable[str]) -> list[str]:
    """Distinct keys of a post's contacts (a space-separated string as in scored.csv, or a list)."""
    items = contacts.split() if isinstance(contacts, str) else contacts
    return list(dict.fromkeys(key for key in map(contact_key, items) if key))


def contact_kind(key: str) -> str:
    """``phone``, ``handle`` or ``link`` for a key made by :func:`contact_key`."""
    if key.startswith("@"):
        return "handle"
    if key.isdigit():
        return "phone"
    return "link"
