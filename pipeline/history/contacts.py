"""One key per recruiter contact, so the same number or account written differently is one contact.

``0812-3456-7890``, ``+62 812 3456 7890``, ``6281234567890`` and ``wa.me/6281234567890`` are all
``6281234567890``; ``t.me/Rekrut_KH``, ``telegram.me/rekrut_kh`` and ``@Rekrut_KH`` are all
``@rekrut_kh``. Other links keep their address without scheme, ``www.`` or a trailing slash.
The key is :func:`pipeline.entities.contact_key`, the same one the desk groups recruiters by.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.entities import contact_key

# The key itself is decided once, in entities; the history only groups by it.
__all__ = ["contact_key", "contact_keys", "contact_kind"]


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
