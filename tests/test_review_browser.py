"""The review desk in a real headless Chromium (Debian's `chromium`, driven by Playwright).

Skipped with a message when no Chromium binary is installed (`make browser` installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from test_review_store import post, write_queue

from pipeline.review.app import DeskServer, create_app
from pipeline.review.store import ReviewStore

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("WASPADA_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "no chromium binary found (install Debian's chromium: `make browser` or apt-get install chromium)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="the playwright package is not installed (pip install -e '.[dev]')",
    )
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture()
def desk(tmp_path):
    store = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}")
    store.load_queue(write_queue(tmp_path / "queue.csv"), model_id="model-a")
    server = DeskServer(create_app(store), "127.0.0.1", 0).start()
    yield store, server.url
    server.stop()
    store.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def sign_in(page, base: str, name: str = "Sari") -> None:
    page.goto(base + "/queue")
    page.fill("#reviewer", name)
    page.click("#signin")
    page.wait_for_selector("html[data-desk-ready] #queue-table")


def test_hostile_markup_in_a_post_shows_as_plain_text(desk, page):
    _store, base = desk
    sign_in(page, base)
    page.goto(base + "/post/xss")
    shown = page.inner_text("#post-text")
    assert "<script>window.__pwned = 1</script>" in shown
    assert '<img src=x onerror="window.__pwned = 2">' in shown
    assert page.locator("#post-text script, #post-text img").count() == 0
    assert page.inner_text("#post-author") == '<b onmouseover="alert(1)">agen</b>'
    page.goto(base + "/queue?status=all")
    assert page.locator("#queue-table img, #queue-table script, #queue-table b").count() == 0
    page.goto(base + "/recruiters")
    page.hover("#recruiters-table")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.dialogs == []


def test_decide_posts_and_a_cluster_with_the_keyboard(desk, page):
    store, base = desk
    sign_in(page, base)
    page.keyboard.press("Enter")  # "Mulai meninjau" from the queue
    page.wait_for_selector("html[data-desk-ready] #post[data-post-id='p1']")
    page.keyboard.press("1")
    page.wait_for_selector("html[data-desk-ready] #post[data-post-id='rep1']")
    assert (
        store.get_post("p1")["decision"] == "tppo" and store.get_post("p1")["decided_by"] == "Sari"
    )
    assert page.inner_text("#progress") == "1 dari 7 ditinjau hari ini"
    assert "Unggahan serupa (klaster): 3" in page.inner_text("#cluster-size")
    page.keyboard.press("c")  # whole cluster
    assert page.is_checked("#apply-cluster")
    page.keyboard.press("m")
    page.wait_for_selector("html[data-desk-ready] #post[data-post-id='xss']")
    assert [store.get_post(p)["decision"] for p in ("rep1", "rep2", "rep3")] == ["tppm"] * 3
    assert page.inner_text("#progress") == "4 dari 7 ditinjau hari ini"
    page.keyboard.press("z")  # undo brings the cluster back
    page.wait_for_selector("html[data-desk-ready] #post[data-post-id='rep1']")
    assert [store.get_post(p)["decision"] for p in ("rep1", "rep2", "rep3")] == [None] * 3
    assert page.inner_text("#progress") == "1 dari 7 ditinjau hari ini"
    page.keyboard.press(
        "n"
    )  # a note, then a decision; typing in the note does not trigger shortcuts
    page.keyboard.type("nomor 0813 sama, 1 2 3")
    assert store.get_post("rep1")["decision"] is None
    page.keyboard.press("Escape")
    page.keyboard.press("3")
    page.wait_for_selector("html[data-desk-ready] #post[data-post-id='rep2']")
    assert store.get_post("rep1")["decision"] == "benign"
    assert store.history("rep1")[-1]["note"] == "nomor 0813 sama, 1 2 3"
    page.keyboard.press("j")  # skip
    page.wait_for_selector("html[data-desk-ready] #post[data-post-id='rep3']")
    page.keyboard.press("4")
    page.wait_for_selector("html[data-desk-ready] #post[data-post-id='xss']")
    assert (
        store.get_post("rep3")["decision"] == "unsure"
        and store.get_post("rep2")["decision"] is None
    )


def test_english_interface_and_recruiter_view(desk, page):
    _store, base = desk
    sign_in(page, base)
    page.click("#lang-toggle")
    page.wait_for_selector("text=Start reviewing")
    page.goto(base + "/recruiters")
    first = page.locator("#recruiters-table tbody tr[data-contact]").first
    assert first.get_attribute("data-contact") == "6281377902265"
    assert first.locator("td.posts").inner_text() == "3"
    assert "One contact across many posts" in page.inner_text("main")
    assert "Phone/WhatsApp" in first.inner_text()


def test_two_browsers_deciding_at_once_lose_nothing(desk, browser):
    store, base = desk
    store.add_posts([post(f"b{i}", 0.5 - i / 1000) for i in range(12)], model_id="model-a")
    errors: list[Exception] = []

    def reviewer(name: str, decision_key: str, filter_args: str) -> None:
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                own = playwright.chromium.launch(
                    executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
                )
                page = own.new_page()
                page.set_default_timeout(15_000)
                sign_in(page, base, name)
                page.goto(base + "/review?" + filter_args)
                for _ in range(6):
                    page.wait_for_selector("html[data-desk-ready] #post")
                    # The desk's CSP forbids eval, so wait on the navigation rather than a JS predicate.
                    with page.expect_navigation():
                        page.keyboard.press(decision_key)
                own.close()
        except Exception as exc:  # noqa: BLE001 - any failure in the thread is reported to the main thread below
            errors.append(exc)

    # Both reviewers work the same part of the queue at the same time.
    threads = [
        threading.Thread(target=reviewer, args=("Sari", "1", "status=pending&origin=score")),
        threading.Thread(target=reviewer, args=("Budi", "3", "status=pending&origin=score")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    decisions = store.all_decisions()
    assert len(decisions) == 12
    assert {d["reviewer"] for d in decisions} == {"Sari", "Budi"}
    assert sum(1 for p in store.current_map().values() if p) == len(
        {d["post_id"] for d in decisions}
    )


PLACEHOLDER = re.compile(r"(?<![\w@./])_(num|money|phone|url|chatlink|email|handle)_(?!\w)")


def field_rows() -> list[dict]:
    """Posts as the bundled collection has them: reasons quoting the normalised text, reposts, one number written four ways."""
    dubai = (
        'kontak hanya lewat chat: "081377902265"; visa turis untuk kerja: "visa visit"; tujuan berisiko: "uni emirat arab"; '
        'kata kuat: "visa", "_num_ mau"; kontak: 081377902265; tujuan: uni emirat arab; gaji: "19 juta" ≈ Rp 19.0 jt/bln'
    )
    common = {
        "indicators": "kontak_hanya_chat,negara_berisiko,visa_turis_untuk_kerja",
        "destinations": "uni emirat arab",
        "pay_idr_month": "19000000",
        "cluster_id": "c_dubai",
        "cluster_size": 3,
    }
    return [
        post(
            "negk",
            0.99990,
            "Lowongan CS untuk kantor di 'negara K', kota P. Gaji seribu dolar. Tiket gratis. Japri.",
            reasons='kata disamarkan: "nama samaran tempat: negara k → kamboja"; kontak hanya lewat chat: "hubungi"; '
            'tujuan berisiko: "kamboja"; kata kuat: "komen", "_num_ mau"; tujuan: kamboja',
            indicators="kata_disamarkan,kontak_hanya_chat,negara_berisiko",
            pay_idr_month="",
            posted_at="2026-11-27T16:22:00Z",
        ),
        post(
            "leet",
            0.99989,
            "kerja d k4mb0j4 jd 4dm1n, 16jt, t1k3t gr4t1s. dm y4 k4k",
            reasons='kata disamarkan: "k4mb0j4 → kamboja; 4dm1n → admin; t1k3t → tiket"; kontak hanya lewat chat: "hubungi"; '
            'biaya berangkat ditanggung: "tiket gratis"; tujuan berisiko: "kamboja"; gaji: "16jt" ≈ Rp 16.0 jt/bln',
            indicators="biaya_ditanggung,kata_disamarkan,kontak_hanya_chat,negara_berisiko",
            pay_idr_month="16000000",
            platform="tiktok",
        ),
        post(
            "young",
            0.99987,
            "Umur 16 iso mangkat, paspor digawe umur 20. Aman neng bandara. Hubungi Mbak Sri",
            reasons='kontak hanya lewat chat: "hubungi"; menyasar usia sangat muda: "usia _num_ bisa"; kata kuat: "neng", "_num_"',
            indicators="kontak_hanya_chat,usia_muda",
            destinations="",
            pay_idr_month="",
            platform="whatsapp",
        ),
        post(
            "bride",
            0.999,
            "Dicari calon istri untuk pria Taiwan, usia 18-25. Mahar untuk keluarga Rp 45 juta. Inbox.",
            reasons='perjodohan dengan pria asing: "dicari calon istri"; perjodohan dengan pria asing: "mahar _money_"; kontak hanya lewat chat: "hubungi"; '
            'tujuan: taiwan; gaji: "Rp 45 juta" ≈ Rp 45.0 jt/bln',
            indicators="kontak_hanya_chat,pengantin_pesanan",
            destinations="taiwan",
            pay_idr_month="45000000",
        ),
        post(
            "d1",
            0.99998,
            "Lowongan kerja: Customer Service, Dubai, gaji 19 juta, berangkat pakai visa visit. WA 0813 7790 2265.",
            reasons=dubai,
            contacts="081377902265",
            author="Loker Batam Update",
            **common,
        ),
        post(
            "d2",
            0.99997,
            "Lowongan kerja: Customer Service Dubai, gaji 19 juta, berangkat pakai visa visit. WA wa.me/6281377902265",
            reasons=dubai,
            contacts="6281377902265 wa.me/6281377902265",
            platform="x",
            author="infoloker_batam",
            **common,
        ),
        post(
            "d3",
            0.99996,
            "REPOST — Lowongan kerja: Customer Service, Dubai, gaji 19 juta, berangkat pakai visa visit. WA +62 813-7790-2265",
            reasons=dubai,
            contacts="+6281377902265",
            platform="instagram",
            author="lokerdubai.id",
            **common,
        ),
    ]


@pytest.fixture()
def field_desk(tmp_path):
    store = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}")
    store.add_posts(field_rows(), model_id="model-a")
    server = DeskServer(create_app(store), "127.0.0.1", 0).start()
    yield store, server.url
    server.stop()
    store.close()


def test_the_queue_says_why_each_post_is_there_in_its_own_words(field_desk, page):
    _store, base = field_desk
    sign_in(page, base)
    rows = page.locator("#queue-table tbody tr")
    first = rows.first
    assert first.get_attribute("data-post-id") == "d1"
    chips = first.locator(".chip").all_inner_texts()
    assert "kontak hanya lewat chat: “0813 7790 2265”" in chips
    assert "tujuan berisiko: “Dubai”" in chips
    assert (
        "Uni Emirat Arab" in first.inner_text() and "Rp 19 jt/bulan" in first.inner_text()
    )  # the one money format
    assert "+62 813-7790-2265" in first.inner_text()
    # Scores this close still order the page visibly, and the page says which posts it shows.
    scores = rows.locator("td.score").all_inner_texts()
    assert len(set(scores)) == len(scores) and scores[:2] == ["0.99998", "0.99997"]
    assert page.inner_text("#range") == "1–7 dari 7"
    negk = page.locator("tr[data-post-id='negk']")
    assert "kontak hanya lewat chat: “Japri”" in negk.locator(".chip").all_inner_texts()
    # Text search and a filter by a readable red-flag name.
    page.fill("#q", "japri")
    page.press("#q", "Enter")
    page.wait_for_selector("html[data-desk-ready] #queue-table")
    assert page.locator("#queue-table tbody tr[data-post-id]").count() == 1
    page.goto(base + "/queue")
    assert "menyasar usia sangat muda" in page.locator("#indicator").inner_text()
    page.select_option("#indicator", "usia_muda")
    page.click("#filters button[type=submit]")
    page.wait_for_selector("html[data-desk-ready] #queue-table")
    assert [
        r.get_attribute("data-post-id")
        for r in page.locator("#queue-table tbody tr[data-post-id]").all()
    ] == ["young"]


def test_a_disguised_word_is_highlighted_where_the_post_wrote_it(field_desk, page):
    _store, base = field_desk
    sign_in(page, base)
    page.goto(base + "/post/leet")
    assert page.locator("#post-text mark.disguised").first.inner_text() == "k4mb0j4"
    assert "t1k3t" in page.locator("#post-text mark.disguised").all_inner_texts()
    reasons = page.locator("#reasons li").all_inner_texts()
    assert (
        'kata disamarkan: "k4mb0j4" (= Kamboja) + "4dm1n" (= admin) + "t1k3t" (= tiket)' in reasons
    )
    assert 'kontak hanya lewat chat: "dm"' in reasons
    assert "kata disamarkan" in page.inner_text("#legend") and "uang / gaji" in page.inner_text(
        "#legend"
    )
    assert page.inner_text("#position") == "Unggahan 5 dari 7 di antrean ini"
    page.goto(base + "/post/negk")
    assert page.locator("#post-text mark.disguised").inner_text() == "negara K"
    assert page.locator("#post-text mark.flag").all_inner_texts() == ["Japri"]
    page.goto(base + "/post/young")
    assert (
        'menyasar usia sangat muda: "Umur 16 iso"' in page.locator("#reasons li").all_inner_texts()
    )
    assert "Umur 16 iso" in page.locator("#post-text mark.flag").all_inner_texts()
    # English: English reasons, the evidence still as the post wrote it, times in Jakarta time.
    page.goto(base + "/post/negk?lang=en")
    reasons = page.locator("#reasons li").all_inner_texts()
    assert reasons[:2] == ['disguised words: "negara K" (= Kamboja)', 'chat-only contact: "Japri"']
    assert page.inner_text("#post-time") == "27 Nov 2026, 23:22 WIB"
    page.goto(base + "/post/bride?lang=id")
    facts = page.inner_text(".facts").lower()  # headings are upper-cased by the style sheet
    # A dowry is not shown as pay: the amount is named by its kind (pipeline.entities.money_kind).
    assert '"rp 45 juta" ≈ rp 45 jt' in facts and "mahar" in facts and "gaji" not in facts


def test_no_page_shows_an_internal_token(field_desk, page):
    _store, base = field_desk
    sign_in(page, base)
    for lang in ("id", "en"):
        paths = [f"/queue?status=all&lang={lang}", "/recruiters"] + [
            f"/post/{r['post_id']}" for r in field_rows()
        ]
        for path in paths:
            page.goto(base + path)
            shown = page.inner_text("body")
            assert not PLACEHOLDER.search(shown), (path, PLACEHOLDER.search(shown).group(0))


def test_no_horizontal_scroll_at_phone_width(field_desk, browser):
    _store, base = field_desk
    context = browser.new_context(viewport={"width": 400, "height": 800})
    phone = context.new_page()
    sign_in(phone, base)
    for path in ("/queue?status=all", "/post/d1", "/post/leet", "/recruiters"):
        phone.goto(base + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, (path, width)
    phone.goto(base + "/queue")
    box = phone.locator("#queue-table tbody tr").first.bounding_box()
    assert box["width"] <= 400 and box["height"] > 100  # a card, not a squeezed row
    context.close()


def test_recruiters_merge_one_number_written_many_ways(field_desk, page):
    _store, base = field_desk
    sign_in(page, base)
    page.click("text=Perekrut")
    page.wait_for_selector("#recruiters-table")
    assert page.inner_text("h1") == "Perekrut: kontak yang menghubungkan unggahan"
    first = page.locator("#recruiters-table tbody tr[data-contact]").first
    assert first.get_attribute("data-contact") == "6281377902265"
    assert first.locator("td.posts").inner_text() == "3"
    assert first.locator("td.clusters").inner_text() == "1"
    assert "+62 813-7790-2265" in first.inner_text() and "Telepon/WhatsApp" in first.inner_text()
    assert "wa.me/6281377902265" in first.inner_text()  # how it was written, kept visible
    assert "27 Nov 2026 07.00 WIB" not in first.inner_text()  # times are local, not raw UTC
    page.click("#recruiters-table tr.sub >> text=d3")
    page.wait_for_selector("#post[data-post-id='d3']")
