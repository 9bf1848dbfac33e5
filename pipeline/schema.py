"""The canonical shapes every stage agrees on: posts, labels and output columns.

One module holds them so that the reader, the model, the review store and the tests can never
drift apart.

Canonical post
--------------
post_id        the source's own id when it has one, otherwise a stable hash of the content
text           the original text, untouched (normalised copies are made for features only)
platform       facebook, instagram, tiktok, x, telegram, whatsapp, jobboard, ... or "unknown"
author         display name or handle, "" when the source has none
posted_at      ISO 8601 in UTC ("2026-11-28T03:15:00Z"), "" when unknown
url            link to the post, "" when unknown
source_file    the file the post was read from
source_record  line number (text formats) or record index (JSON, Parquet, Excel), 1-based
collected_at   when Waspada read it, ISO 8601 UTC
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import TypedDict

POST_COLUMNS: tuple[str, ...] = (
    "post_id",
    "text",
    "platform",
    "author",
    "posted_at",
    "url",
    "source_file",
    "source_record",
    "collected_at",
)

CLUSTER_COLUMNS: tuple[str, ...] = ("cluster_id", "cluster_size")

LABELS: tuple[str, ...] = ("benign", "tppm", "tppo")
POSITIVE_LABELS: frozenset[str] = frozenset({"tppo", "tppm"})

SCORED_COLUMNS: tuple[str, ...] = (
    "post_id",
    "score",
    "flagged",
    "category",
    "reasons",
    "text",
    "platform",
    "source_file",
    "source_record",
    "author",
    "posted_at",
    "url",
    "indicators",
    "contacts",
    "destinations",
    "pay_idr_month",
    "stage",
    "cluster_id",
    "cluster_size",
)

QUARANTINE_COLUMNS: tuple[str, ...] = ("source_file", "source_record", "reason", "raw")
DUPLICATE_COLUMNS: tuple[str, ...] = ("post_id", "duplicate_of", "source_file", "source_record")
SKIPPED_COLUMNS: tuple[str, ...] = ("source_file", "source_record", "reason")


class Post(TypedDict):
    """A canonical post (see the module docstring); its keys are ``POST_COLUMNS``."""

    post_id: str
    text: str
    platform: str
    author: str
    posted_at: str
    url: str
    source_file: str
    source_record: int
    collected_at: str


class QuarantineRow(TypedDict):
    """A row of quarantine.csv: a record that could not become a post, and why."""

    source_file: str
    source_record: int
    reason: str
    raw: str


class SkippedRow(TypedDict):
    """A row of skipped.csv: a record that is deliberately not a post (a system line)."""

    source_file: str
    source_record: int
    reason: str


class DuplicateRow(TypedDict):
    """A row of duplicates.csv: a later exact copy and the post id it copies."""

    post_id: str
    duplicate_of: str
    source_file: str
    source_record: int


LABELED_REQUIRED: tuple[str, ...] = ("text", "label")

# Column names people and tools use for the text and the id of a post, in order of preference.
TEXT_COLUMN_NAMES: tuple[str, ...] = (
    "text",
    "full_text",
    "content",
    "caption",
    "message",
    "body",
    "post",
    "isi",
    "teks",
    "post_text",
    "description",
    "deskripsi",
    "tweet",
    "status",
    "konten",
    "pesan",
)
ID_COLUMN_NAMES: tuple[str, ...] = (
    "post_id",
    "id",
    "tweet_id",
    "id_str",
    "message_id",
    "postId",
    "shortCode",
    "shortcode",
    "postid",
    "uid",
    "record_id",
)
PLATFORMS: tuple[str, ...] = (
    "facebook",
    "instagram",
    "tiktok",
    "x",
    "telegram",
    "whatsapp",
    "jobboard",
    "news",
    "website",
    "sms",
    "unknown",
)


def content_post_id(text: str, platform: str = "", author: str = "") -> str:
    """A stable id for a post that came without one.

    The same text from the same author on the same platform always gets the same id, so
    re-running a collection never renumbers posts.
    """
    canonical = unicodedata.normalize("NFC", f"{platform}\x1f{author}\x1f{text}")
    return "h" + hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]
