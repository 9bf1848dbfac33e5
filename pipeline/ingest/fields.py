"""Finding the text, id, author, time, url and platform of a record, whatever the source calls them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.schema import ID_COLUMN_NAMES, TEXT_COLUMN_NAMES

# Scraper and API variants beyond the names in schema.TEXT_COLUMN_NAMES.
EXTRA_TEXT_KEYS = ("postText", "desc", "text_content", "caption_text")
_TEXT_STEMS = ("text", "teks", "isi", "caption", "content", "konten", "message", "pesan", "body")
AUTHOR_KEYS = (
    "author",
    "ownerUsername",
    "owner_username",
    "owner.username",
    "username",
    "user.name",
    "user.screen_name",
    "user.username",
    "from",
    "author_name",
    "authorName",
    "author.name",
    "profileName",
    "pageName",
    "ownerFullName",
    "name",
    "user",
    "sender",
    "nama",
    "penulis",
    "akun",
)
TIME_KEYS = (
    "posted_at",
    "created_at",
    "createdAt",
    "created_time",
    "timestamp",
    "time",
    "date",
    "taken_at",
    "taken_at_timestamp",
    "date_unixtime",
    "publishedAt",
    "published_at",
    "createTime",
    "create_time",
    "tanggal",
    "waktu",
)
URL_KEYS = (
    "url",
    "postUrl",
    "post_url",
    "permalink",
    "permalink_url",
    "link",
    "webVideoUrl",
    "tweet_url",
    "topLevelUrl",
    "facebookUrl",
    "inputUrl",
    "tautan",
)
_PLATFORM_BY_DOMAIN = (
    ("facebook.com", "facebook"),
    ("fb.com", "facebook"),
    ("instagram.com", "instagram"),
    ("tiktok.com", "tiktok"),
    ("twitter.com", "x"),
    ("x.com", "x"),
    ("t.me", "telegram"),
    ("whatsapp", "whatsapp"),
    ("loker.id", "jobboard"),
    ("jobstreet", "jobboard"),
    ("glints", "jobboard"),
    ("kalibrr", "jobboard"),
    ("linkedin.com", "jobboard"),
)
_PLATFORM_ALIASES = {
    "twitter": "x",
    "fb": "facebook",
    "ig": "instagram",
    "wa": "whatsapp",
    "tele": "telegram",
    "tg": "telegram",
}


@lru_cache(maxsize=65536)
def _squash(name: str) -> str:
    """``Post Text``, ``post_text`` and ``POST-TEXT`` are one column name."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


_MISSING = object()


def lookup(fields: dict[str, Any], key: str) -> Any:
    """A field by name, ignoring case, spaces and underscores, following dots into nested objects (``user.name``)."""
    value = _find(fields, key)
    return None if value is _MISSING else value


def _find(fields: dict[str, Any], key: str) -> Any:
    current: Any = fields
    for part in key.split("."):
        if not isinstance(current, dict):
            return _MISSING
        if part in current:
            current = current[part]
            continue
        found = _key_map(tuple(current)).get(_squash(part), _MISSING)
        if found is _MISSING:
            return _MISSING
        current = current[found]
    return current


@lru_cache(maxsize=4096)
def _key_map(keys: tuple) -> dict[str, Any]:
    # Records of one file share their keys, so this is built once per file, not per lookup.
    mapping: dict[str, Any] = {}
    for key in keys:
        mapping.setdefault(_squash(str(key)), key)
    return mapping


@lru_cache(maxsize=4096)
def _plan(record_keys: tuple, search: tuple[str, ...]) -> tuple[tuple[str, Any, str], ...]:
    """For records with these keys: (search name, actual top-level key, nested rest) of each name present.

    Records of one file share their keys, so names are matched once per file, not per record.
    """
    mapping = _key_map(record_keys)
    plan = []
    for key in search:
        head, _, rest = key.partition(".")
        actual = head if head in record_keys else mapping.get(_squash(head), _MISSING)
        if actual is not _MISSING:
            plan.append((key, actual, rest))
    return tuple(plan)


def _present(fields: dict[str, Any], search: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """(name, value) for each searched name the record holds, in search order; values may be None."""
    for key, actual, rest in _plan(tuple(fields), search):
        value = fields[actual]
        if rest:
            value = _find(value, rest) if isinstance(value, dict) else _MISSING
            if value is _MISSING:
                continue
        yield key, value


def first_present(fields: dict[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for key, value in _present(fields, keys):
        if value is not None and value != "":
            return key, value
    return None, None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return _as_text(value.get("text", ""))
    if isinstance(value, list):
        return "".join(
            v if isinstance(v, str) else _as_text(v) if isinstance(v, dict) else str(v)
            for v in value
        )
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def text_of(fields: dict[str, Any], text_column: str | None) -> tuple[str | None, str]:
    """(column used, text); (None, "") when the record has no text column at all.

    The first known column that holds text wins; a record whose text columns are all empty
    reports the first one, so it is quarantined as empty rather than as missing a column.
    """
    keys = (text_column,) if text_column else TEXT_COLUMN_NAMES + EXTRA_TEXT_KEYS
    empty_column = None
    for key, value in _present(fields, keys):
        text = _as_text(value)
        if text.strip():
            return key, text
        empty_column = empty_column or key
    if empty_column is None and not text_column:
        # Hand-made sheets say "Isi Postingan" or "Post Text": a column named around a known word.
        for key, value in fields.items():
            squashed = _squash(str(key))
            if any(squashed.startswith(stem) or squashed.endswith(stem) for stem in _TEXT_STEMS):
                text = _as_text(value)
                return str(key), text
    return empty_column, ""


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


def platform_of(
    fields: dict[str, Any], url: str, reader_platform: str | None, default: str | None
) -> str:
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


_DMY_RE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{2,4}),?\s+(\d{1,2})[.:](\d{2})(?:[.:](\d{2}))?\s*([APap][Mm])?$"
)


def to_iso_utc(value: Any, tz: ZoneInfo) -> str:
    """Any common timestamp → ``YYYY-MM-DDTHH:MM:SSZ``; naive times are read in ``tz``. "" if unparseable."""
    if value is None or value == "":
        return ""
    try:
        if isinstance(value, (int, float)) or (
            isinstance(value, str) and re.fullmatch(r"\d{9,13}(?:\.\d+)?", value.strip())
        ):
            seconds = float(value)
            if seconds > 1e11:
                seconds /= 1000.0
            moment = datetime.fromtimestamp(seconds, tz=UTC)
        elif isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=tz)
        else:
            text = str(value).strip()
            match = _DMY_RE.match(text)
            if match:
                day, month, year, hour, minute, second, ampm = match.groups()
                year_i = int(year) + (2000 if len(year) == 2 else 0)
                hour_i = (
                    int(hour) % 12 + (12 if ampm and ampm.lower() == "pm" else 0)
                    if ampm
                    else int(hour)
                )
                moment = datetime(
                    year_i, int(month), int(day), hour_i, int(minute), int(second or 0), tzinfo=tz
                )
            else:
                moment = datetime.fromisoformat(text)
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=tz)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError, OSError):
        return ""


def time_of(fields: dict[str, Any], tz: ZoneInfo) -> str:
    _, value = first_present(fields, TIME_KEYS)
    return to_iso_utc(value, tz)
