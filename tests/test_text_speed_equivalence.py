"""The shortcuts of the text layer give exactly what the plain patterns and libraries give.

Each shortcut (a gate that skips a search, a search limited to where a match can start, a
case-sensitive search of lower-cased text) is checked against the slow original on the bundled
labeled posts and on random adversarial strings, so that editing a pattern in a way that breaks
its shortcut fails here.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import ftfy
import pytest

from pipeline import entities, indicators
from pipeline.datacard import corpus_files
from pipeline.parallel import analyse_timed
from pipeline.text import clean, normalize, patterns

ROOT = Path(__file__).resolve().parents[1]

# Characters that sit on the edge of each shortcut: case-folding oddities (İ ı ſ and the Kelvin
# sign), Cyrillic and Greek look-alikes, code-page mojibake, invisible characters, digits,
# separators and the sentinels of placeholders.
_ODD = [
    "\u0130",
    "\u0131",
    "\u017f",
    "\u212a",
    "К",
    "а",
    "о",
    "Р",
    "С",
    "В",
    "ο",
    "Ã",
    "©",
    "â",
    "€",
    "Â",
    "Ð",
    "Ø",
    "ü",
    "é",
    "–",
    "’",
    "“",
    "\u200b",
    "\u200e",
    "\u00ad",
    "\xa0",
    "\x85",
    "🇰🇭",
    "😂",
    "ﬁ",
    "ｇ",
]
_PIECES = (
    list("abcdeghijklmnoprstuwyKAGIJ0123456789 .,-_*'·@$+/:\n")
    + _ODD
    + [
        "rp",
        "Rp",
        "RP",
        "usd",
        "US$",
        "ringgit",
        "jt",
        "juta",
        "rb",
        "digit",
        "per bulan",
        "0812",
        "+62",
        "+855",
        "O8",
        "wa.me/",
        "www.",
        ".com",
        "KH",
        "SHV",
        "Myw",
        "ke PP",
        "di pp",
        "k a m b o j a",
        "g.a.j.i",
        "kam.boja",
        "usia",
        "UMUR",
        "age",
        "16",
        "boleh",
        "nol",
        "delapan",
        "satu",
        "kamboja",
        "Kamboja",
        "myanmar",
        "laos",
        "negara k",
        "bunga ",
        "_num_",
        "_money_",
        "_phone_",
        "gaji",
        "kerja",
        "tanpa",
        "visa",
        "turis",
        "calo",
        "waspada",
        "hati hati",
        "korban",
        "p3mi",
        "paspor",
        "jalur",
        "tikus",
        "mahar",
        "bonus",
        "teman",
    ]
)


def _labeled_texts() -> list[str]:
    texts = []
    for path in corpus_files(ROOT / "data" / "labeled"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    if not texts:
        pytest.skip("no labeled posts in data/labeled")
    return texts


def _random_texts(count: int, seed: int, max_pieces: int = 30) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, max_pieces)))
        for _ in range(count)
    ]


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    """Labeled posts, their cleaned, lower-cased and normalised copies, and random strings."""
    texts = _labeled_texts()
    cleaned_and_normalised = [normalize.normalize_with_clean(text) for text in texts]
    return (
        texts
        + [c for c, _ in cleaned_and_normalised]
        + [c.lower() for c, _ in cleaned_and_normalised]
        + [n.text for _, n in cleaned_and_normalised]
        + _random_texts(4000, seed=11)
    )


def _ftfy(text: str) -> str:
    return ftfy.fix_text(text, normalization="NFC", unescape_html=False, fix_line_breaks=False)


def test_mojibake_gate_agrees_with_ftfy(corpus):
    for text in corpus:
        assert clean.repair_mojibake(text) == _ftfy(text), repr(text)


def test_strip_invisible_matches_the_translate_tables(corpus):
    zero_width = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
    bidi = dict.fromkeys(
        map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"), None
    )
    for text in corpus:
        assert clean.strip_invisible(text) == text.translate(zero_width).translate(bidi)


def test_money_search_from_candidates_matches_the_full_search(corpus):
    for text in corpus + _random_texts(30000, seed=3, max_pieces=12):
        expected = [(m.span(), m.groupdict()) for m in patterns.MONEY_RE.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in patterns.iter_money(text)] == expected, repr(
            text
        )
        assert patterns.sub_money(" _money_ ", text) == patterns.MONEY_RE.sub(" _money_ ", text)


def test_currency_last_characters_cover_every_case():
    # iter_money searches for a currency word only after one of these characters; IGNORECASE
    # must not let a currency word end in any other.
    group = re.search(r"\(\?P<cur_pre>([^)]*)\)", patterns.MONEY_RE.pattern).group(1)
    words = [re.sub(r"\\(.)", r"\1", word) for word in group.split("|")]
    last_chars = {word.replace(".?", "")[-1] for word in words} | {
        "." for word in words if word.endswith(".?")
    }
    every_char = (
        "".join(map(chr, range(0x110000)))
        .encode("utf-8", "surrogatepass")
        .decode("utf-8", "replace")
    )
    foldable = set(
        re.findall("[" + re.escape("".join(last_chars)) + "]", every_char, re.IGNORECASE)
    )
    assert foldable <= patterns.CURRENCY_LAST_CHARS


def test_lower_casing_keeps_word_characters():
    # The lower-cased searches rely on \w seeing the same at every position after str.lower().
    word = re.compile(r"\w")
    for code in range(0x110000):
        char = chr(code)
        lowered = char.lower()
        if len(lowered) == 1:
            assert bool(word.match(char)) == bool(word.match(lowered)), hex(code)


def test_destination_spans_match_the_ignorecase_regex(corpus):
    for text in corpus:
        expected = [
            (*m.span(), m.group(1).lower()) for m in entities._destination_re().finditer(text)
        ]
        assert entities._destination_spans(text) == expected, repr(text)


def _pattern_words(pattern: re.Pattern[str]) -> list[str]:
    """The texts of a pattern's plain alternatives, for strings that come close to matching it."""
    return [w for w in re.split(r"[^a-z_ ]+", pattern.pattern) if len(w.strip()) > 1]


def test_every_indicator_pattern_match_holds_one_of_its_hints(corpus):
    gate = indicators.keyword_gate()
    assert len(gate.needed) >= 30  # every pattern on the normalised text declares its hints
    examples = [
        normalize.normalize(text).text for item in indicators.REGISTRY for text in item.must_fire
    ]
    rng = random.Random(17)
    near = []
    for pattern in gate.needed:
        words = [*_pattern_words(pattern), "_num_", "_money_", " ", " ", "kerja", "tidak"]
        near += [
            " ".join(rng.choice(words).strip() for _ in range(rng.randint(1, 6)))
            for _ in range(300)
        ]
    for text in corpus + examples + near:
        present = gate.present(text)
        for pattern, needed in gate.needed.items():
            if pattern.search(text):
                assert not present.isdisjoint(needed), (pattern.pattern[:60], text)


def test_indicators_with_and_without_gates_agree(corpus, monkeypatch):
    gated = [
        [(h.name, h.evidence) for h in indicators.analyse(text).hits] for text in corpus[:3000]
    ]
    monkeypatch.setattr(indicators.keyword_gate(), "needed", {})
    plain = [
        [(h.name, h.evidence) for h in indicators.analyse(text).hits] for text in corpus[:3000]
    ]
    assert gated == plain


def _hint_holds(hint, pattern: re.Pattern[str], text: str) -> bool:
    return pattern.search(text) is None or hint(text)


def test_normaliser_gates_never_hide_a_match(corpus):
    hint_searches = [
        (
            lambda t: normalize._SPACED_LETTERS_HINT_RE.search(t) is not None,
            normalize._SPACED_LETTERS_RE,
        ),
        (lambda t: normalize._PUNCT_SPLIT_HINT_RE.search(t) is not None, normalize._PUNCT_SPLIT_RE),
        (lambda t: normalize._CHUNK_SPLIT_HINT_RE.search(t) is not None, normalize._CHUNK_SPLIT_RE),
        (patterns.may_have_url, patterns.URL_RE),
        (lambda t: "8" in t, patterns.PHONE_ID_RE),
        (lambda t: "8" in t, patterns.LETTER_O_PHONE_RE),
        (lambda t: "+" in t, patterns.PHONE_FOREIGN_RE),
        (entities._MAX_AGE_GATE.may_match, entities._MAX_AGE_RE),
        (entities._ROLE_GATE.may_match, entities._ROLE_RE),
        (lambda t: entities._AGE_RANGE_HINT_RE.search(t) is not None, entities._AGE_RE),
        (normalize._phrase_gate().may_match, normalize._phrase_aliases()),
    ]
    hint_searches += [
        (lambda t, hints=hints: any(h in t for h in hints), pattern)
        for (pattern, _), hints in zip(
            normalize._SHORT_ALIASES, normalize._SHORT_ALIAS_HINTS, strict=True
        )
    ]
    for text in corpus:
        for hint, pattern in hint_searches:
            assert _hint_holds(hint, pattern, text), (pattern.pattern[:60], text)


def test_analyse_timed_gives_what_analyse_gives():
    texts = _labeled_texts()[:200] + _random_texts(100, seed=9)
    timed, normalise_seconds, rest_seconds = analyse_timed(texts)
    assert normalise_seconds > 0 and rest_seconds > 0
    for text, analysis in zip(texts, timed, strict=True):
        plain = indicators.analyse(text)
        assert analysis.normalized == plain.normalized
        assert repr(analysis.entities) == repr(plain.entities)
        assert analysis.hits == plain.hits


def _every_char() -> str:
    return (
        "".join(map(chr, range(0x110000)))
        .encode("utf-8", "surrogatepass")
        .decode("utf-8", "replace")
    )


def test_ignorecase_letters_are_ascii_or_the_listed_folds():
    folded = set(re.findall("[a-z]", _every_char(), re.IGNORECASE)) - set(
        "abcdefghijklmnopqrstuvwxyz"
    )
    assert folded == set(normalize._FOLDS_ONTO_ASCII_RE.findall(_every_char()))


def test_case_sensitive_leet_tokens_match_where_no_letter_folds(corpus):
    for text in corpus:
        if not normalize._FOLDS_ONTO_ASCII_RE.search(text):
            expected = [m.span() for m in normalize._LEET_TOKEN_RE.finditer(text)]
            assert [m.span() for m in normalize._LOWER_LEET_TOKEN_RE.finditer(text)] == expected


def test_spelled_number_count_gate_never_skips_a_conversion(corpus):
    extra = _random_texts(3000, seed=21, max_pieces=10)
    for text in corpus + extra:
        evasions: list[str] = []
        converted = normalize.spelled_numbers_to_digits(text, evasions)
        words = re.findall("[a-z]+", text, re.IGNORECASE)
        if sum(1 for word in words if word.lower() in patterns.DIGIT_WORDS) >= 4:
            assert sum(map(text.lower().count, patterns.DIGIT_WORDS)) >= 4
        else:
            assert converted == text and not evasions


def test_space_shortcuts_keep_text_as_the_substitutions_would(corpus):
    for text in corpus:
        assert clean.collapse_spaces(text) == clean._SPACES_RE.sub(" ", text).strip()
        joined = " ".join(text.split(" "))
        if not ("  " in joined or normalize._NON_SPACE_WS_RE.search(joined)):
            assert normalize._WS_RE.sub(" ", joined) == joined


def test_cleaned_text_hints_never_hide_a_match(corpus):
    # Patterns on the cleaned original are skipped when none of their hint words occurs.
    hinted = [
        (cues.hints[key], cues[key])
        for cues in [item.cues for item in indicators.REGISTRY]
        for key in cues.hints
    ]
    assert len(hinted) >= 6
    texts = [
        *corpus,
        "Kirim foto KK + KTP via WA",
        "sebutkan kode OTP",
        "cek www.bp2mi.go.id",
        "DM aja",
        "Usia 16 boleh",
    ]
    for text in texts:
        for words, pattern in hinted:
            assert pattern.search(text) is None or patterns.may_hold_any(text, words), (
                pattern.pattern[:60],
                text,
            )
