"""Who gets onto the desk: strong tokens only, guessing locked out, sessions bound to the token
in force, and sign-in never sends a reviewer off the desk."""

from __future__ import annotations

import random
import re
import secrets
import string
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from test_review_store import write_queue

from pipeline.cli import main
from pipeline.errors import InputError
from pipeline.review.app import TokenGuard, create_app
from pipeline.review.store import ReviewStore

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TOKEN = "kopi-tubruk-7Xq2-Lw9"


@pytest.fixture()
def store(tmp_path) -> ReviewStore:
    s = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}")
    s.load_queue(write_queue(tmp_path / "queue.csv"), model_id="model-a")
    yield s
    s.close()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _weak_tokens() -> list[str]:
    rng = random.Random(7)
    return [
        "x",
        "s3cret-token",
        "a" * 64,
        "12" * 20,
        "abcabcabcabcabcabc",
        "".join(rng.choice(string.ascii_letters) for _ in range(15)),
        "".join(rng.choice("ab") for _ in range(40)),
    ]


@pytest.mark.parametrize("token", _weak_tokens())
def test_a_guessable_token_is_refused(store, token):
    with pytest.raises(InputError, match="access token") as raised:
        create_app(store, host="0.0.0.0", token=token)
    assert "openssl rand" in raised.value.hint
    with pytest.raises(InputError):  # on loopback too: a token that is given must be worth having
        create_app(store, token=token)


def test_serve_with_a_weak_token_exits_with_the_fix(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "review",
            "serve",
            "--db",
            f"sqlite:///{tmp_path / 'r.sqlite'}",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--token",
            "x",
        ],
    )
    assert result.exit_code == 1
    assert "too short" in result.output and "openssl rand -hex 16" in result.output
    assert not (tmp_path / "r.sqlite").exists()


def test_wrong_tokens_are_locked_out_even_when_the_right_one_follows(store):
    clock = Clock()
    app = create_app(
        store,
        host="0.0.0.0",
        token=TOKEN,
        guard=TokenGuard(per_client=5, total=50, window=300, clock=clock),
    )
    guesser = client_from(app, "203.0.113.9")
    codes = [
        guesser.get("/queue", headers={"X-Waspada-Token": secrets.token_urlsafe(16)}).status_code
        for _ in range(500)
    ]
    assert codes[:5] == [401] * 5
    assert set(codes[5:]) == {429}
    locked = guesser.post("/login", data={"token": TOKEN, "reviewer": "x"})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "Terlalu banyak token yang salah" in locked.text
    assert guesser.get("/queue", headers={"X-Waspada-Token": TOKEN}).status_code == 429
    colleague = client_from(app, "192.0.2.20")
    assert (
        colleague.get("/queue", headers={"X-Waspada-Token": TOKEN}).status_code == 302
    )  # other addresses still get in
    clock.now += 301
    assert guesser.get("/queue", headers={"X-Waspada-Token": TOKEN}).status_code == 302


def test_guessing_from_many_addresses_locks_out_token_attempts_for_all(store):
    clock = Clock()
    app = create_app(
        store,
        host="0.0.0.0",
        token=TOKEN,
        guard=TokenGuard(per_client=5, total=50, window=300, clock=clock),
    )
    for n in range(60):
        client_from(app, f"198.51.100.{n}").get("/queue?token=" + secrets.token_hex(12))
    newcomer = client_from(app, "192.0.2.30")
    assert newcomer.get("/queue", headers={"X-Waspada-Token": TOKEN}).status_code == 429
    clock.now += 301
    assert newcomer.get("/queue", headers={"X-Waspada-Token": TOKEN}).status_code == 302


def _signed_in_cookie(app) -> str:
    client = app.test_client()
    page = client.get("/login?token=" + app.config["WASPADA_TOKEN"])
    csrf = CSRF.search(page.text).group(1)
    assert (
        client.post(
            "/login", data={"csrf_token": csrf, "reviewer": "Sari", "next": "/queue"}
        ).status_code
        == 302
    )
    assert client.get("/queue").status_code == 200
    return client.get_cookie("waspada_desk").value


def test_a_session_from_the_old_token_is_not_admitted_after_a_restart_with_a_new_one(store):
    cookie = _signed_in_cookie(create_app(store, host="0.0.0.0", token=TOKEN))
    restarted = create_app(store, host="0.0.0.0", token=secrets.token_urlsafe(24)).test_client()
    restarted.set_cookie("waspada_desk", cookie)
    assert restarted.get("/queue").status_code == 401
    assert restarted.get("/post/p1").status_code == 401
    same_token = create_app(
        store, host="0.0.0.0", token=TOKEN
    ).test_client()  # a restart with the same token keeps it
    same_token.set_cookie("waspada_desk", cookie)
    assert same_token.get("/queue").status_code == 200


def _as_a_browser_reads(location: str) -> str:
    """What a browser makes of a Location header (the WHATWG URL parser's clean-up)."""
    cleaned = (
        location.replace("\t", "")
        .replace("\n", "")
        .replace("\r", "")
        .strip("".join(map(chr, range(0x21))))
    )
    return cleaned.replace("\\", "/")


def _hostile_next_values() -> list[str]:
    values = [
        "//evil.example/phish",
        "/\\evil.example/phish",
        "\\/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/%09/evil.example/phish",
        "///evil.example",
        " //evil.example",
    ]
    for code in [*range(0x21), 0x7F]:
        ch = chr(code)
        values += [
            f"/{ch}/evil.example/phish",
            f"{ch}//evil.example",
            f"/{ch}{ch}/evil.example",
            f"/{ch}\\evil.example",
        ]
    return values


@pytest.mark.parametrize("target", _hostile_next_values())
def test_sign_in_never_sends_the_reviewer_off_the_desk(store, target):
    client = create_app(store).test_client()
    csrf = CSRF.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"csrf_token": csrf, "reviewer": "Sari", "next": target})
    assert response.status_code == 302
    seen = urlsplit(_as_a_browser_reads(response.location))
    assert (
        not seen.scheme
        and not seen.netloc
        and seen.path.startswith("/")
        and not seen.path.startswith("//")
    )


def test_the_reported_tab_redirect_lands_on_the_queue(store):
    client = create_app(store).test_client()
    page = client.get("/login?next=/%09/evil.example/phish")
    csrf = CSRF.search(page.text).group(1)
    hidden = re.search(r'name="next" value="([^"]*)"', page.text).group(1)
    response = client.post("/login", data={"csrf_token": csrf, "reviewer": "Sari", "next": hidden})
    assert response.location == "/queue"


def test_a_local_next_page_is_kept(store):
    client = create_app(store).test_client()
    csrf = CSRF.search(client.get("/login").text).group(1)
    response = client.post(
        "/login",
        data={"csrf_token": csrf, "reviewer": "Sari", "next": "/post/p1?status=all&platform=x"},
    )
    assert response.location == "/post/p1?status=all&platform=x"
