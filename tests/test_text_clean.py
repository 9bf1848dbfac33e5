"""Cleaning steps: each undoes one trick that makes one word look like many."""

from __future__ import annotations

import random

import ftfy
import pytest

from pipeline.text import clean


def _ftfy(text: str) -> str:
    return ftfy.fix_text(text, normalization="NFC", unescape_html=False, fix_line_breaks=False)


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Gaji besar di Kamboja â€“ tiket ditanggung", "Gaji besar di Kamboja – tiket ditanggung"),
        ("Lowongan â€œCS onlineâ€\x9d", 'Lowongan "CS online"'),
        ("CafÃ© di Bandung butuh barista", "Café di Bandung butuh barista"),
    ],
)
def test_repair_mojibake_fixes_wrong_codec(broken, fixed):
    assert clean.repair_mojibake(broken) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Dicari admin, gaji 5jt 🔥🇰🇭 WA 0812-3456-7890",
        "Info loker Bekasi ✅ kirim CV",
        "Wkwk mantul 😂😂",
    ],
)
def test_repair_mojibake_leaves_clean_text_alone(text):
    assert clean.repair_mojibake(text) == text


def test_mojibake_shortcut_agrees_with_ftfy_on_random_text():
    # The shortcut skips ftfy when no character could be part of a fix; random mixes of plain
    # letters, emoji, punctuation and code-page characters must give the same result either way.
    pool = [
        *"abcdefghijklmnopqrstuvwxyzKAMBOJA0123456789 .,:!?-\n",
        "🔥",
        "🇰🇭",
        "✅",
        "‼️",
        "⚠️",
        "😂",
        "–",
        "—",
        "’",
        "“",
        "”",
        "é",
        "Ã",
        "©",
        "â",
        "€",
        "ﬁ",
        "ｇ",
        "\u00a0",
        "Ð",
        "Ñ",
        "\x1b",
        "\u0301",
        "•",
        "…",
        "™",
        "¥",
        "₩",
        # Code-page characters that start mojibake, alone, before a space or a "?", and in pairs.
        "Ã ",
        "Ã?",
        "â€",
        "вЂ",
        "Ð°",
        "±",
        "≥",
        "·",
        "×",
        "Ÿ",
        "ś",
        "ą",
        "Ω",
        "╗",
        "\ufffd",
        "\u3000",
        "ǅ",
    ]
    rng = random.Random(7)
    for _ in range(6000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 40)))
        assert clean.repair_mojibake(text) == _ftfy(text), repr(text)


def test_strip_invisible_removes_zero_width_and_bidi():
    assert clean.strip_invisible("Kam\u200bbo\u200dja\u202e") == "Kamboja"
    assert clean.strip_invisible("gaji besar") == "gaji besar"


@pytest.mark.parametrize(
    ("styled", "plain"),
    [("𝐊𝐚𝐦𝐛𝐨𝐣𝐚", "Kamboja"), ("ｇａｊｉ", "gaji"), ("🅶🅰🅹🅸", "GAJI"), ("🅒🅢 online", "CS online")],
)
def test_fold_unicode_turns_styled_letters_plain(styled, plain):
    assert clean.fold_unicode(styled) == plain


def test_fold_unicode_keeps_emoji_and_accents():
    assert clean.fold_unicode("Café 🇰🇭🔥") == "Café 🇰🇭🔥"
    assert not clean.has_enclosed_letters("Café 🇰🇭🔥")
    assert clean.has_enclosed_letters("🅲🆂 Kamboja")


def test_fold_homoglyphs_fixes_mixed_words_only():
    assert clean.fold_homoglyphs("Кamboja gaji") == "Kamboja gaji"  # Cyrillic К in a Latin word
    assert clean.fold_homoglyphs("Привет, как дела") == "Привет, как дела"  # real Russian stays


def test_strip_html_drops_tags_and_decodes_entities():
    assert clean.strip_html("<p>Gaji <b>15jt</b> &amp; mess</p>").split() == [
        "Gaji",
        "15jt",
        "&",
        "mess",
    ]
    assert "alert" not in clean.strip_html("<script>alert(1)</script>Loker")
    assert clean.strip_html("gaji 3 < 5 juta") == "gaji 3 < 5 juta"


def test_strip_controls_keeps_line_breaks():
    assert clean.strip_controls("gaji\x00 15jt\x1b\nWA") == "gaji 15jt\nWA"


def test_clean_text_runs_the_whole_chain():
    raw = "<b>Lowongan</b>\u200b  K\u200bamboja\u00a0\u00a0𝐠𝐚𝐣𝐢 â€“ 20jt"
    assert clean.clean_text(raw) == "Lowongan Kamboja gaji – 20jt"
    assert clean.collapse_spaces("  a \t\u3000 b  ") == "a b"
