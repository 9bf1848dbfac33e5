"""Turning a file's bytes into text without losing the records that are not valid UTF-8."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import InputError

LEGACY_ENCODINGS = ("cp1252", "latin-1")
RAW_LIMIT = 5000
_UNDECODABLE_RE = re.compile("[\udc80-\udcff]")
# Above this share of undecodable lines the file is in another encoding, not merely damaged.
_LEGACY_SHARE = 0.2
_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+$")


def decode(path: Path, encoding: str | None) -> str:
    """The file's text. Bytes UTF-8 cannot read survive as surrogates so that only their records are quarantined."""
    data = path.read_bytes()
    if encoding:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(
                f"{path} cannot be decoded as {encoding} ({exc}).",
                "Check --encoding; common ones are utf-8, cp1252, latin-1, utf-16.",
            ) from exc
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export is UTF-16 with a BOM.
        text = data.decode("utf-16", errors="surrogateescape")
    else:
        text = data.decode("utf-8", errors="surrogateescape")
        lines = text.splitlines() or [""]
        bad_lines = sum(1 for line in lines if _UNDECODABLE_RE.search(line))
        if bad_lines and bad_lines / len(lines) > _LEGACY_SHARE:
            guess = legacy_guess(data)
            raise InputError(
                f"{path} is not UTF-8: {bad_lines} of {len(lines)} lines hold bytes UTF-8 cannot read.",
                f"It looks like a legacy encoding; try --encoding {guess}.",
            )
    text = text.removeprefix("\ufeff")
    # NUL bytes come from broken exports and make the csv module refuse the whole row.
    return text.replace("\x00", "")


_SAMPLE_BYTES = 1 << 20


def iter_lines(path: Path, encoding: str | None) -> Iterator[str]:
    """The file's lines (each ending in "\n" except perhaps the last), read as a stream.

    Only "\n" ends a line (posts contain U+2028 and U+0085). Memory stays flat however large the
    file; the legacy-encoding check looks at the first megabyte.
    """
    with open(path, "rb") as handle:
        head = handle.read(_SAMPLE_BYTES)
    if encoding or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Other encodings (and UTF-16) are rare and small in practice: decode them whole.
        text = decode(path, encoding)
        yield from _LINE_RE.findall(text)
        return
    sample = head.decode("utf-8", errors="surrogateescape")
    if len(head) == _SAMPLE_BYTES:
        sample = sample.rsplit("\n", 1)[0]  # do not judge a line cut in the middle
    lines = sample.splitlines() or [""]
    bad_lines = sum(1 for line in lines if _UNDECODABLE_RE.search(line))
    if bad_lines and bad_lines / len(lines) > _LEGACY_SHARE:
        raise InputError(
            f"{path} is not UTF-8: {bad_lines} of the first {len(lines)} lines hold bytes UTF-8 cannot read.",
            f"It looks like a legacy encoding; try --encoding {legacy_guess(head)}.",
        )
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle):
            line = raw.decode("utf-8", errors="surrogateescape").replace("\x00", "")
            yield line.removeprefix("\ufeff") if number == 0 else line


def legacy_guess(data: bytes) -> str:
    """The first legacy encoding that reads these bytes (cp1252 is what Windows Excel writes)."""
    for candidate in LEGACY_ENCODINGS:
        try:
            data.decode(candidate)
            return candidate
        except UnicodeDecodeError:
            continue
    return "latin-1"


def undecodable(value: str) -> bool:
    return bool(_UNDECODABLE_RE.search(value))


def undecodable_reason(value: str) -> str:
    guess = legacy_guess(value.encode("utf-8", errors="surrogateescape"))
    return f"undecodable bytes (not UTF-8; if the file mixes in a legacy encoding such as {guess}, re-save it as UTF-8 or pass --encoding {guess})"


def visible(value: str) -> str:
    """Undecodable bytes shown as U+FFFD, so the quarantine file itself stays valid UTF-8."""
    return value.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def raw_excerpt(value: str) -> str:
    """The start of a raw record, readable, for quarantine.csv."""
    return visible(value[:RAW_LIMIT])


# One well-formed UTF-8 multi-byte character (no overlongs, no surrogates).
_UTF8_MULTIBYTE_RE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_HIGH_BYTE_RE = re.compile(rb"[\x80-\xff]")
_NOT_CP1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")


def legacy_encoding(path: Path) -> str | None:
    """The legacy encoding a file is in, when it has bytes beyond ASCII but not one valid UTF-8
    multi-byte sequence anywhere (what Excel's "CSV" writes on Windows); else None.

    A UTF-8 file with a few damaged bytes still holds valid sequences, so it stays UTF-8 and
    only its damaged records are quarantined.
    """
    high = False
    unused: set[int] = set()
    tail = b""
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if not tail and block.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
                return None
            data = tail + block
            if _UTF8_MULTIBYTE_RE.search(data):
                return None
            if _HIGH_BYTE_RE.search(block):
                high = True
                unused.update(set(block) & _NOT_CP1252)
            tail = data[-3:]
    if not high:
        return None
    return "latin-1" if unused else "cp1252"


# Bytes that never appear in a text table: C0 controls other than tab, newlines, form feed
# and the DOS end-of-file mark, and DEL.
_CONTROL_RE = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")
_BINARY_SHARE = 0.05


def looks_binary(path: Path) -> bool:
    """Whether a file meant to be text is binary data (an image, an archive, random bytes).

    UTF-16 (a BOM, or NUL every other byte) is text; so is a UTF-8 or legacy file with the odd
    stray control character.
    """
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    if not head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if head.count(b"\x00") > len(head) // 4 and (
        head[1::2].count(0) > len(head) // 3 or head[0::2].count(0) > len(head) // 3
    ):
        return False  # UTF-16 without a BOM
    stripped = head.strip(b"\x00")
    if not stripped:
        return False  # only NUL bytes: reported as an empty file
    # A few stray control characters are damage in a text file; binary data has them everywhere.
    return len(_CONTROL_RE.findall(stripped)) > max(16, _BINARY_SHARE * len(stripped))
