"""The review desk over HTTP: sign-in, CSRF, token, escaping, decisions, concurrency, crashes."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from test_review_store import post, write_queue

from pipeline.errors import InputError
from pipeline.review.app import DeskServer, create_app
from pipeline.review.store import ReviewStore

ROOT = Path(__file__).resolve().parents[1]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
STRONG_TOKEN = "kopi-tubruk-7Xq2-Lw9"


@pytest.fixture()
def store(tmp_path) -> ReviewStore:
    s = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}")
    s.load_queue(write_queue(tmp_path / "queue.csv"), model_id="model-a")
    yield s
    s.close()


def signed_in(app, name="Sari"):
    client = app.test_client()
    page = client.get("/login")
    token = CSRF.search(page.text).group(1)
    response = client.post("/login", data={"csrf_token": token, "reviewer": name, "next": "/queue"})
    assert response.status_code == 302
    return client, token


def test_pages_need_a_reviewer_name(store):
    client = create_app(store).test_client()
    response = client.get("/queue")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert client.get("/healthz").json == {"ok": True}


def test_login_never_redirects_off_the_desk(store):
    client = create_app(store).test_client()
    token = CSRF.search(client.get("/login").text).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "reviewer": "Sari", "next": "//evil.example/x"}
    )
    assert response.location == "/queue"


def test_posts_without_the_csrf_token_are_refused(store):
    app = create_app(store)
    client, token = signed_in(app)
    assert client.post("/post/p1/decide", data={"decision": "tppo"}).status_code == 400
    assert (
        client.post(
            "/post/p1/decide", data={"decision": "tppo", "csrf_token": "forged"}
        ).status_code
        == 400
    )
    assert client.post("/undo", data={}).status_code == 400
    assert store.history("p1") == []
    other, _ = signed_in(app, "Budi")  # another browser has its own token
    assert (
        other.post("/post/p1/decide", data={"decision": "tppo", "csrf_token": token}).status_code
        == 400
    )
    assert (
        client.post("/post/p1/decide", data={"decision": "tppo", "csrf_token": token}).status_code
        == 302
    )
    assert store.get_post("p1")["decision"] == "tppo"


def test_non_loopback_host_needs_a_token(store):
    with pytest.raises(InputError, match="--token"):
        create_app(store, host="0.0.0.0")
    app = create_app(store, host="0.0.0.0", token=STRONG_TOKEN)
    client = app.test_client()
    assert client.get("/queue").status_code == 401
    assert client.get("/post/p1").status_code == 401
    assert client.get("/queue?token=wrong").status_code == 401
    assert (
        client.get("/queue", headers={"X-Waspada-Token": STRONG_TOKEN}).status_code == 302
    )  # then asks for a name
    assert client.get("/queue").status_code == 302  # the session remembers the token
    assert create_app(store, host="127.0.0.1").test_client().get("/login").status_code == 200


def test_hostile_post_text_is_escaped_everywhere(store):
    client, _ = signed_in(create_app(store))
    for path in ("/post/xss", "/queue?status=all", "/recruiters"):
        page = client.get(path).text
        assert (
            "<script>window.__pwned" not in page
            and "<img src=x" not in page
            and "<b onmouseover" not in page
        )
    page = re.sub(
        r"</?mark[^>]*>", "", client.get("/post/xss").text
    )  # the highlight cuts the text into pieces
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=" in page
    assert "javascript:alert" not in page  # the post's url is not linked
    response = client.get("/post/xss")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_post_page_shows_reasons_entities_and_cluster(store):
    client, _ = signed_in(create_app(store))
    page = client.get("/post/rep1").text
    assert re.search(r'<mark class="contact"[^>]*>081377902265</mark>', page)
    assert "Unggahan serupa (klaster): 3" in page
    assert "Terapkan ke seluruh klaster (2 unggahan belum ditinjau)" in page
    p1 = client.get("/post/p1").text
    assert re.search(r'<mark class="destination"[^>]*>Kamboja</mark>', p1)
    assert "Rp 15 jt/bulan" in p1  # the one money format (pipeline.entities)
    assert (
        "Dasar hukum tanda bahaya" in p1 and "UU 6/2011 tentang Keimigrasian" in p1
    )  # penyeberangan_ilegal
    english = client.get("/post/p1?lang=en").text
    assert "Reasons" in english and "Alasan" not in english
    assert "Legal basis of the red flags" in english and "Law 6/2011 on Immigration" in english


def test_a_contact_is_marked_however_the_post_writes_it(tmp_path):
    s = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}")
    s.load_queue(
        write_queue(
            tmp_path / "queue.csv",
            [post("k", 0.9, "Minat WA 0813-7790-2265 ya", contacts="6281377902265")],
        )
    )
    client, _ = signed_in(create_app(s))
    assert re.search(
        r'<mark class="contact"[^>]*>0813-7790-2265</mark>', client.get("/post/k").text
    )
    s.close()


def test_a_too_short_post_says_so(tmp_path):
    s = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}")
    s.load_queue(
        write_queue(
            tmp_path / "queue.csv",
            [post("s", 0.9, "Kamboja 20jt WA", indicators="negara_berisiko,terlalu_pendek")],
        )
    )
    client, _ = signed_in(create_app(s))
    assert "Teks terlalu pendek untuk dinilai" in client.get("/post/s").text
    s.close()


def test_cluster_decision_next_post_and_undo(store):
    client, token = signed_in(create_app(store))
    response = client.post(
        "/post/rep1/decide",
        data={"csrf_token": token, "decision": "tppm", "whole_cluster": "1", "status": "pending"},
    )
    assert response.status_code == 302 and "/post/xss" in response.location
    assert [store.get_post(p)["decision"] for p in ("rep1", "rep2", "rep3")] == ["tppm"] * 3
    assert "3 dari 7 ditinjau hari ini" in client.get("/queue").text
    client.post("/undo", data={"csrf_token": token})
    assert [store.get_post(p)["decision"] for p in ("rep1", "rep2", "rep3")] == [None] * 3
    # Without the cluster box only the post itself is decided.
    client.post("/post/rep1/decide", data={"csrf_token": token, "decision": "benign"})
    assert [store.get_post(p)["decision"] for p in ("rep1", "rep2", "rep3")] == [
        "benign",
        None,
        None,
    ]


def test_a_decision_over_someone_elses_is_kept_and_reported(store):
    app = create_app(store)
    sari, sari_token = signed_in(app, "Sari")
    budi, budi_token = signed_in(app, "Budi")
    sari.get("/post/p1")  # both have the post open, undecided
    budi.post("/post/p1/decide", data={"csrf_token": budi_token, "decision": "tppo", "seen": ""})
    seen_by_sari = ""
    response = sari.post(
        "/post/p1/decide",
        data={"csrf_token": sari_token, "decision": "tppm", "seen": seen_by_sari},
        follow_redirects=True,
    )
    assert "sudah diputuskan peninjau lain" in response.text and "Budi: tppo" in response.text
    assert [(h["reviewer"], h["decision"]) for h in store.history("p1")] == [
        ("Budi", "tppo"),
        ("Sari", "tppm"),
    ]


class Browserless:
    """A reviewer's browser over real HTTP: cookies, the CSRF token, no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str, name: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._NoRedirect
        )
        self.token = CSRF.search(self.get("/login")).group(1)
        assert self.post("/login", {"reviewer": name}) == 302

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


def test_concurrent_reviewers_lose_nothing(tmp_path):
    store = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}")
    store.add_posts([post(f"c{i}", 0.9 - i / 1000) for i in range(60)], model_id="m")
    server = DeskServer(create_app(store)).start()
    try:
        reviewers = [Browserless(server.url, f"reviewer{i}") for i in range(4)]
        statuses: list[int] = []
        lock = threading.Lock()

        def work(index: int, browser: Browserless) -> None:
            for i in range(30):
                # Every reviewer decides a shared hot post and a post of their own.
                target = "c0" if i % 3 == 0 else f"c{1 + (index * 30 + i) % 59}"
                code = browser.post(
                    f"/post/{target}/decide", {"decision": ("tppo", "benign")[i % 2]}
                )
                with lock:
                    statuses.append(code)

        threads = [threading.Thread(target=work, args=(i, b)) for i, b in enumerate(reviewers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.stop()
    assert statuses == [302] * 120
    decisions = store.all_decisions()
    assert len(decisions) == 120
    assert {d["reviewer"] for d in decisions} == {f"reviewer{i}" for i in range(4)}
    assert sum(1 for d in decisions if d["post_id"] == "c0") == 40
    assert store.get_post("c0")["decision_id"] == max(
        d["id"] for d in decisions if d["post_id"] == "c0"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_killing_the_server_mid_write_loses_no_acknowledged_decision(tmp_path):
    url = f"sqlite:///{tmp_path / 'review.sqlite'}"
    store = ReviewStore(url)
    store.add_posts([post(f"k{i}", 0.5 + i / 1000) for i in range(200)], model_id="m")
    store.close()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "review", "serve", "--db", url, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, (
                    "the desk did not start"
                )
                time.sleep(0.2)
        acknowledged: list[str] = []
        stop = threading.Event()

        def work(index: int) -> None:
            browser = Browserless(base, f"r{index}")
            for i in range(index, 200, 3):
                if stop.is_set():
                    return
                try:
                    if browser.post(f"/post/k{i}/decide", {"decision": "tppo"}) == 302:
                        acknowledged.append(f"k{i}")
                except OSError:
                    return  # the server is gone; this request was never acknowledged

        threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        while len(acknowledged) < 30:
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join()
    finally:
        if server.poll() is None:
            server.kill()
        server.wait()
    store = ReviewStore(url)
    decided = {pid for pid, decision in store.current_map().items() if decision}
    assert len(acknowledged) >= 30
    assert set(acknowledged) <= decided
    assert len(store.all_decisions()) == len(decided)  # no half-written decision rows


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("desk.kantor.local", False),
        ("", False),
    ],
)
def test_only_loopback_addresses_count_as_local(host, local):
    from pipeline.review.app import is_loopback

    assert is_loopback(host) is local
