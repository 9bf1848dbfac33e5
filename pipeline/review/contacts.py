"""One key per contact, so the same recruiter written three ways is one recruiter.

``0852-6617-0394``, ``+62 852 6617 0394``, ``6285266170394`` and ``wa.me/6285266170394`` are one
WhatsApp number (key ``6285266170394``); ``t.me/agen_ln`` and ``@agen_ln`` are one account (key
``@agen_ln``). The entity extractor will carry the same normalisation; until then the desk uses
this function, and it is the only place the desk decides what counts as one contact.
"""

from __future__ import annotations

import re

PHONE = "phone"
HANDLE = "handle"
LINK = "link"
EMAIL = "email"
OTHER = "other"

_CHAT_LINK_RE = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:wa\.me/|api\.whatsapp\.com/send\?phone=|whatsapp\.com/send\?phone=|"
    r"t\.me/|telegram\.me/|line\.me/ti/p/~?|instagram\.com/|tiktok\.com/@?|facebook\.com/|fb\.com/|x\.com/|twitter\.com/)",
    re.IGNORECASE,
)
_HANDLE_SITES = ("t.me/", "telegram.me/", "line.me/", "instagram.com/", "tiktok.com/", "facebook.com/", "fb.com/",
                 "x.com/", "twitter.com/")


def contact_key(text: str) -> str:
    """The normalised key of one contact as the entities or a post wrote it ('' when empty)."""
    value = str(text).strip().strip(".,;:!?()[]<>\"'")
    if not value:
        return ""
    lowered = value.lower()
    if "@" in lowered and not lowered.startswith("@") and re.match(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", lowered):
        return lowered  # e-mail
    link = _CHAT_LINK_RE.match(lowered)
    if link:
        rest = lowered[link.end():].split("?")[0].split("#")[0].strip("/")
        site = link.group(0)
        if any(s in site for s in _HANDLE_SITES):
            name = rest.split("/")[0].lstrip("~@")
            return f"@{name}" if name else lowered
        lowered = rest  # a WhatsApp link: the number follows
    if lowered.startswith("@"):
        return "@" + lowered[1:]
    digits = re.sub(r"[\s.\-()/+]", "", lowered)
    if digits.isdigit() and len(digits) >= 7:
        if digits.startswith("0062"):
            digits = digits[2:]
        if digits.startswith("0"):
            return "62" + digits[1:]
        if digits.startswith("8") and 9 <= len(digits) <= 12:  # written without the leading 0
            return "62" + digits
        return digits
    return lowered


def contact_kind(key: str) -> str:
    """What a key is: a phone number, an account handle, an e-mail or another link."""
    if key.startswith("@"):
        return HANDLE
    if key.isdigit():
        return PHONE
    if "@" in key:
        return EMAIL
    if "/" in key or "." in key:
        return LINK
    return OTHER


def display(key: str) -> str:
    """A key as a person reads it: Indonesian numbers as ``+62 852-6617-0394``."""
    if key.isdigit() and key.startswith("62") and len(key) >= 10:
        local = key[2:]
        return f"+62 {local[:3]}-{local[3:7]}-{local[7:]}"
    return key
