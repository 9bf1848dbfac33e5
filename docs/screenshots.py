"""Screenshots of the review desk and the evaluation report for the README (docs/*.png).

Run from the project folder after `waspada score data/raw --out runs/docs` and
`waspada evaluate --data data/holdout/independent.jsonl --out runs/docs-eval`:

    python docs/screenshots.py runs/docs/review_queue.csv runs/docs-eval/report.html

Needs Playwright and a Chromium (`make browser`).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from pipeline.review.app import DeskServer, create_app
from pipeline.review.store import ReviewStore

DOCS = Path(__file__).resolve().parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def main(queue_csv: str, report_html: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = ReviewStore(f"sqlite:///{Path(tmp) / 'review.sqlite'}")
        store.load_queue(Path(queue_csv), model_id="bundled")
        server = DeskServer(create_app(store), "127.0.0.1", 0).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(server.url + "/queue")
                page.fill("#reviewer", "Sari")
                page.click("#signin")
                page.wait_for_selector("#queue-table")
                page.screenshot(path=str(DOCS / "desk-queue.png"))
                page.goto(server.url + "/post/fb_1286")
                page.screenshot(path=str(DOCS / "desk-post.png"), full_page=True)
                page.goto(server.url + "/recruiters")
                page.screenshot(path=str(DOCS / "desk-recruiters.png"))
                phone = browser.new_page(viewport={"width": 400, "height": 860})
                phone.context.add_cookies(page.context.cookies())
                phone.goto(server.url + "/queue")
                phone.screenshot(path=str(DOCS / "desk-phone.png"))
                if report_html:
                    report = browser.new_page(viewport={"width": 1280, "height": 1000})
                    report.goto(Path(report_html).resolve().as_uri())
                    report.screenshot(path=str(DOCS / "evaluation-report.png"))
                browser.close()
        finally:
            server.stop()
            store.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
