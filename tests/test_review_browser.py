"""The review desk in a real headless Chromium (Debian's `chromium`, driven by Playwright).

Skipped with a message when no Chromium binary is installed (`make browser` installs it).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from test_review_store import post, write_queue

from pipeline.review.app import DeskServer, create_app
from pipeline.review.store import ReviewStore

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("WASPADA_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("no chromium binary found (install Debian's chromium: `make browser` or apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
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
    assert store.get_post("p1")["decision"] == "tppo" and store.get_post("p1")["decided_by"] == "Sari"
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
    page.keyboard.press("n")  # a note, then a decision; typing in the note does not trigger shortcuts
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
    assert store.get_post("rep3")["decision"] == "unsure" and store.get_post("rep2")["decision"] is None


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


def test_two_browsers_deciding_at_once_lose_nothing(desk, browser):
    store, base = desk
    store.add_posts([post(f"b{i}", 0.5 - i / 1000) for i in range(12)], model_id="model-a")
    errors: list[Exception] = []

    def reviewer(name: str, decision_key: str, filter_args: str) -> None:
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                own = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
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
    threads = [threading.Thread(target=reviewer, args=("Sari", "1", "status=pending&origin=score")),
               threading.Thread(target=reviewer, args=("Budi", "3", "status=pending&origin=score"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    decisions = store.all_decisions()
    assert len(decisions) == 12
    assert {d["reviewer"] for d in decisions} == {"Sari", "Budi"}
    assert sum(1 for p in store.current_map().values() if p) == len({d["post_id"] for d in decisions})
