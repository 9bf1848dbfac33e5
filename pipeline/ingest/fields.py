"""Finding the text, id, author, time, url and platform of a record, whatever the source calls them."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.schema import ID_COLUMN_NAMES, TEXT_COLUMN_NAMES

AUTHOR_KEYS = ("author", "ownerUsername", "owner_username", "username", "user.name", "user.screen_name", "user.username",
               "from", "author_name", "authorName", "profileName", "pageName", "name", "user", "sender", "nama")
TIME_KEYS = ("posted_at", "created_at", "createdAt", "timestamp", "time", "date", "taken_at", "taken_at_timestamp",
             "date_unixtime", "publishedAt", "published_at", "createTime", "create_time", "tanggal", "waktu")
URL_KEYS = ("url", "postUrl", "post_url", "permalink", "link", "facebookUrl", "webVideoUrl", "tweet_url", "inputUrl")
_PLATFORM_BY_DOMAIN = (
    ("facebook.com", "facebook"), ("fb.com", "facebook"), ("instagram.com", "instagram"), ("tiktok.com", "tiktok"),
    ("twitter.com", "x"), ("x.com", "x"), ("t.me", "telegram"), ("whatsapp", "whatsapp"),
    ("loker.id", "jobboard"), ("jobstreet", "jobboard"), ("glints", "jobboard"), ("kalibrr", "jobboard"), ("linkedin.com", "jobboard"),
)
_PLATFORM_ALIASES = {"twitter": "x", "fb": "facebook", "ig": "instagram", "wa": "whatsapp", "tele": "telegram", "tg": "telegram"}


def lookup(fields: dict[str, Any], key: str) -> Any:
    """A field by name, case-insensitively, following dots into nested objects (``user.name``)."""
    current: Any = fields
    for part in key.split("."):
        if not isinstance(current, dict):
            return None
        if part in current:
            current = current[part]
            continue
        lowered = {str(k).lower(): k for k in current}
        if part.lower() not in lowered:
            return None
        current = current[lowered[part.lower()]]
    return current


def first_present(fields: dict[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for key in keys:
        value = lookup(fields, key)
        if value is not None and value != "":
            return key, value
    return None, None


def text_of(fields: dict[str, Any], text_column: str | None) -> tuple[str | None, str]:
    """(column used, text); (None, "") when the record has no text column at all."""
    keys = (text_column,) if text_column else TEXT_COLUMN_NAMES
    for key in keys:
        value = lookup(fields, key)
        if value is None:
            continue
        if isinstance(value, dict):
            value = value.get("text", "")
        if isinstance(value, list):
            value = "".join(v if isinstance(v, str) else str(v.get("text", "")) if isinstance(v, dict) else str(v) for v in value)
        return key, "" if value is None else str(value)
    return None, ""


def id_of(fields: dict[str, Any], id_column: str | None) -> str:
    keys = (id_column,) if id_column else ID_COLUMN_NAMES
    _, value = first_present(fields, keys)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def author_of(fields: dict[str, Any]) -> str:
    _, value = first_present(fields, AUTHOR_KEYS)
    if isinstance(value, dict):
        value = value.get("name") or value.get("username") or ""
    return "" if value is None else str(value).strip()


def url_of(fields: dict[str, Any]) -> str:
    _, value = first_present(fields, URL_KEYS)
    return "" if value is None else str(value).strip()


def platform_of(fields: dict[str, Any], url: str, reader_platform: str | None, default: str | None) -> str:
    if reader_platform:
        return reader_platform
    explicit = lookup(fields, "platform") or lookup(fields, "source_platform")
    if explicit:
        name = str(explicit).strip().lower()
        return _PLATFORM_ALIASES.get(name, name)
    for domain, platform in _PLATFORM_BY_DOMAIN:
        if domain in url.lower():
            return platform
    if lookup(fields, "ownerUsername") is not None or lookup(fields, "shortCode") is not None:
        return "instagram"
    if lookup(fields, "facebookUrl") is not None or lookup(fields, "pageName") is not None:
        return "facebook"
    return default or "unknown"


_DMY_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4}),?\s+(\d{1,2})[.:](\d{2})(?:[.:](\d{2}))?\s*([APap][Mm])?$")


def to_iso_utc(value: Any, tz: ZoneInfo) -> str:
    """Any common timestamp → ``YYYY-MM-DDTHH:MM:SSZ``; naive times are read in ``tz``. "" if unparseable."""
    if value is None or value == "":
        return ""
    try:
        if isinstance(value, (int, float)) or (isinstance(value, str) and re.fullmatch(r"\d{9,13}(?:\.\d+)?", value.strip())):
            seconds = float(value)
            if seconds > 1e11:
                seconds /= 1000.0
            moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
        elif isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=tz)
        else:
            text = str(value).strip()
            match = _DMY_RE.match(text)
            if match:
                day, month, year, hour, minute, second, ampm = match.groups()
                year_i = int(year) + (2000 if len(year) == 2 else 0)
                hour_i = int(hour) % 12 + (12 if ampm and ampm.lower() == "pm" else 0) if ampm else int(hour)
                moment = datetime(year_i, int(month), int(day), hour_i, int(minute), int(second or 0), tzinfo=tz)
            else:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=tz)
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError, OSError):
        return ""


def time_of(fields: dict[str, Any], tz: ZoneInfo) -> str:
    _, value = first_present(fields, TIME_KEYS)
    return to_iso_utc(value, tz)
