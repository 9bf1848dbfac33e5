"""How the desk shows contacts: their kind and a readable form of their key.

The key itself — ``0852-6617-0394``, ``+62 852 6617 0394``, ``6285266170394`` and
``wa.me/6285266170394`` are one number (``6285266170394``); ``t.me/agen_ln`` and ``@agen_ln`` one
account (``@agen_ln``) — is decided in one place, :func:`pipeline.entities.contact_key`, and only
re-exported here; scoring, the history and the desk all group by it.
"""

from __future__ import annotations

from pipeline.entities import contact_key

__all__ = ["contact_key", "contact_kind", "display"]

PHONE = "phone"
HANDLE = "handle"
LINK = "link"
EMAIL = "email"
OTHER = "other"


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
