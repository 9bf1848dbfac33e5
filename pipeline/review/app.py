"""The review desk: a small Flask app over the review store.

Post text is hostile input. Templates autoescape everything, the JavaScript never writes post
text into the page, and the Content-Security-Policy forbids inline scripts and styles, so even a
missed escape could not run anything. Every POST carries a per-session CSRF token, and a desk
bound to anything but the loopback address only answers people who present the access token.

The access token is at least 16 characters of some variety (``check_token``). Wrong tokens are
counted per address and in total (``TokenGuard``): past the limit, token attempts are refused
without being checked until the window has passed, so guessing learns nothing. A session
remembers a fingerprint of the token it was admitted with, not "token ok": the session key
lives in the store and outlives the server, but a server started with a new token admits no
session from the old one.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import (
    Flask,
    abort,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from werkzeug.serving import make_server

from pipeline import indicators, legal, settings
from pipeline.entities import format_idr_month
from pipeline.errors import InputError
from pipeline.evidence import highlight, reasons
from pipeline.evidence.contacts import contact_key
from pipeline.evidence.contacts import display as display_contact
from pipeline.review import trends_page
from pipeline.review.i18n import LANGS, local_time, translate
from pipeline.review.store import DECISIONS, TOO_SHORT, QueueFilter, ReviewStore

log = logging.getLogger(__name__)

PAGE_SIZE = 50
OPEN_ENDPOINTS = frozenset({"login", "static", "healthz", "favicon"})
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'; connect-src 'self'"
)


MIN_TOKEN_LENGTH = 16
MIN_TOKEN_DISTINCT = 8
TOKEN_HINT = (
    'Use at least 16 characters that are hard to guess, e.g. --token "$(openssl rand -hex 16)", '
    "or leave out --token on a network address and Waspada makes one up and prints it."
)


def check_token(token: str) -> None:
    """Refuse an access token someone could guess: shorter than 16 characters, or of fewer than
    8 different characters (``aaaaaaaaaaaaaaaaaaaa``, ``1212121212121212``)."""
    if len(token) < MIN_TOKEN_LENGTH:
        raise InputError(
            f"The access token is too short ({len(token)} characters; at least {MIN_TOKEN_LENGTH} needed).",
            TOKEN_HINT,
        )
    if len(set(token)) < MIN_TOKEN_DISTINCT:
        raise InputError(
            f"The access token repeats too few characters ({len(set(token))} different; "
            f"at least {MIN_TOKEN_DISTINCT} needed).",
            TOKEN_HINT,
        )


class TokenGuard:
    """Counts wrong access tokens and locks guessing out.

    One address may send ``per_client`` wrong tokens in ``window`` seconds, all addresses
    together ``total`` (a guesser behind a proxy, or with many addresses). Past either limit,
    token attempts from that address (or from everyone) are refused without checking until the
    oldest counted failure leaves the window. Reviewers already admitted are not affected.
    """

    def __init__(
        self,
        per_client: int = 5,
        total: int = 50,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.per_client, self.total, self.window, self.clock = per_client, total, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._lock = threading.Lock()

    def _wait(self, times: deque[float], limit: int, now: float) -> float:
        while times and times[0] <= now - self.window:
            times.popleft()
        return times[0] + self.window - now if len(times) >= limit else 0.0

    def locked_for(self, client: str) -> float:
        """Seconds until ``client`` may try a token again (0: now)."""
        with self._lock:
            now = self.clock()
            mine = self._failures.get(client)
            wait = max(
                self._wait(self._all, self.total, now),
                self._wait(mine, self.per_client, now) if mine is not None else 0.0,
            )
            if mine is not None and not mine:
                del self._failures[client]
            return wait

    def failed(self, client: str) -> None:
        with self._lock:
            now = self.clock()
            self._failures.setdefault(client, deque()).append(now)
            self._all.append(now)


def token_fingerprint(secret_key: str, token: str) -> str:
    """What a session keeps of the token that admitted it: enough to tell tokens apart, never the token."""
    return hmac.new(
        secret_key.encode(), b"desk-token:" + token.encode(), hashlib.sha256
    ).hexdigest()


def local_path(target: str) -> str | None:
    r"""``target`` if it is a path on this desk, else None.

    Browsers drop tabs and newlines anywhere in a URL, strip control characters and spaces at
    its ends and read ``\`` as ``/``, so ``/\t/evil.example`` becomes ``//evil.example``. A
    target holding any control character, space or backslash is refused, as is one that is not
    a plain absolute path.
    """
    if not target.startswith("/") or target.startswith("//"):
        return None
    if any(ch <= "\x20" or ch == "\x7f" or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_app(
    store: ReviewStore,
    token: str | None = None,
    lang: str = "id",
    host: str = "127.0.0.1",
    timezone: str = "Asia/Jakarta",
    trends_dir: str | None = None,
    guard: TokenGuard | None = None,
) -> Flask:
    """The desk for ``store``. A non-loopback ``host`` needs a ``token`` (refused otherwise), and
    a token must pass ``check_token``.

    ``trends_dir`` is the folder of the trends report the Tren page shows [default: runs/trends].
    """
    if not is_loopback(host) and not token:
        raise InputError(
            f"The review desk would be open to the network on {host} without an access token.",
            "Pass --token SECRET (or leave --host at 127.0.0.1).",
        )
    if token:
        check_token(token)
    guard = guard or TokenGuard()
    secret_key = store.secret("desk_session_key")
    token_tag = token_fingerprint(secret_key, token) if token else None
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key,
        SESSION_COOKIE_NAME="waspada_desk",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        MAX_CONTENT_LENGTH=1 << 20,
        WASPADA_TOKEN=token,
        WASPADA_LANG=lang if lang in LANGS else "id",
    )
    app.extensions["waspada_store"] = store

    def t(key: str, **values) -> str:
        return translate(session.get("lang", app.config["WASPADA_LANG"]), key, **values)

    def current_lang() -> str:
        return session.get("lang", app.config["WASPADA_LANG"])

    def filters() -> QueueFilter:
        source = request.form if request.method == "POST" else request.args
        return QueueFilter.from_args(source)

    def url_with(endpoint: str, flt: QueueFilter, **values: Any) -> str:
        filter_args: dict[str, Any] = (
            flt.as_args()
        )  # query values, never url_for's own _external etc.
        return url_for(endpoint, **values, **filter_args)

    def lang_url(code: str) -> str:
        args = {k: v for k, v in request.args.items() if k not in ("lang", "token")}
        return request.path + "?" + urlencode({**args, "lang": code})

    @app.context_processor
    def _helpers():
        reviewer = session.get("reviewer", "")
        return {
            "t": t,
            "lang": session.get("lang", app.config["WASPADA_LANG"]),
            "reviewer": reviewer,
            "csrf_token": session.get("csrf", ""),
            "decisions": DECISIONS,
            "url_with": url_with,
            "progress": store.progress(reviewer or None, timezone) if reviewer else None,
            "lang_url": lang_url,
            "indicator_label": lambda name: reasons.indicator_label(name, current_lang()),
            "mark_kinds": highlight.MARK_KINDS,
        }

    @app.before_request
    def _guard():
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        wanted = request.args.get("lang")
        if wanted in LANGS:
            session["lang"] = wanted
        expected = app.config["WASPADA_TOKEN"]
        if expected and not _admitted():
            given = (
                request.args.get("token")
                or request.headers.get("X-Waspada-Token")
                or request.form.get("token")
            )
            client = request.remote_addr or ""
            if given and (wait := guard.locked_for(client)):
                minutes = max(1, round(wait / 60))
                response = app.make_response(
                    (
                        render_template(
                            "login.html",
                            need_token=True,
                            error=True,
                            locked=minutes,
                            next=_safe_next(),
                        ),
                        429,
                    )
                )
                response.headers["Retry-After"] = str(int(wait) + 1)
                return response
            if given and hmac.compare_digest(given.encode(), expected.encode()):
                session["token"] = token_tag
            elif request.endpoint not in ("static", "healthz", "favicon"):
                if given:
                    guard.failed(client)
                    log.warning("Wrong access token from %s", client)
                if request.endpoint == "login" and request.method == "GET":
                    return None
                return render_template(
                    "login.html", need_token=True, error=bool(given), next=_safe_next()
                ), 401
        if request.method == "POST":
            sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
            if not hmac.compare_digest(sent.encode(), session["csrf"].encode()):
                return render_template("error.html", message=t("csrf_failed")), 400
        if request.endpoint not in OPEN_ENDPOINTS and not session.get("reviewer"):
            return redirect(
                url_for(
                    "login", next=request.full_path if request.method == "GET" else url_for("queue")
                )
            )
        return None

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        if response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response

    def _admitted() -> bool:
        # Bound to the token in force: a session admitted under another token is not.
        return (
            hmac.compare_digest(str(session.get("token", "")).encode(), token_tag.encode())
            if token_tag
            else True
        )

    def _safe_next() -> str:
        return local_path(request.values.get("next", "")) or url_for("queue")

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    @app.get("/favicon.ico")
    def favicon():
        return "", 204

    trends_folder = Path(trends_dir or settings.trends_dir()).resolve()

    @app.get("/trends")
    def trends():
        return render_template(
            "trends.html",
            **trends_page.context(trends_folder, session.get("lang", app.config["WASPADA_LANG"])),
        )

    @app.get("/trends/file/<path:name>")
    def trends_file(name: str):
        if not trends_page.servable(name):
            abort(404)
        return send_from_directory(trends_folder, name, as_attachment=not name.endswith(".png"))

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST":
            name = " ".join(request.form.get("reviewer", "").split())[:128]
            if name:
                session["reviewer"] = name
                return redirect(_safe_next())
        return render_template(
            "login.html", need_token=not _admitted(), error=False, next=_safe_next()
        )

    @app.post("/logout")
    def logout():
        session.pop("reviewer", None)
        return redirect(url_for("login"))

    @app.get("/")
    def index():
        return redirect(url_for("queue"))

    @app.get("/queue")
    def queue():
        flt = filters()
        page = max(1, request.args.get("page", 1, type=int) or 1)
        rows, total = store.query(flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        lang = current_lang()
        first = (page - 1) * PAGE_SIZE
        shown = [
            _queue_row(row, first + i + 1, text, lang)
            for i, (row, text) in enumerate(
                zip(rows, score_texts([r["score"] for r in rows]), strict=True)
            )
        ]
        pages = max(1, -(-total // PAGE_SIZE))
        indicator_options = sorted(
            ((name, reasons.indicator_label(name, lang)) for name in store.facets()["indicators"]),
            key=lambda item: item[1].casefold(),
        )
        return render_template(
            "queue.html",
            rows=shown,
            total=total,
            page=page,
            pages=pages,
            flt=flt,
            facets=store.facets(),
            first=first + 1 if rows else 0,
            last=first + len(rows),
            indicator_options=indicator_options,
            page_links=page_links(page, pages, total),
            has_next=page * PAGE_SIZE < total,
            statuses=("pending", "decided", "all", *DECISIONS),
        )

    @app.get("/review")
    def review_next():
        flt = filters()
        post_id = store.neighbour(flt, None)
        if post_id is None:
            flash(t("queue_empty"))
            return redirect(url_with("queue", flt))
        return redirect(url_with("post", flt, post_id=post_id))

    @app.get("/post/<path:post_id>")
    def post(post_id: str):
        item = store.get_post(post_id)
        if item is None:
            abort(404)
        flt = filters()
        members = store.cluster_members(item["cluster_id"]) if item["cluster_size"] > 1 else []
        pending_members = [m for m in members if m["decision"] is None and m["post_id"] != post_id]
        lang = current_lang()
        fired = [name for name in item["indicators"].split(",") if name]
        explained = reasons.explain_post(
            item["text"], item["reasons"], item["contacts"], item["destinations"]
        )
        kinds_shown = {p.mark for p in explained.pieces() if p.mark}
        return render_template(
            "post.html",
            post=item,
            flt=flt,
            pieces=explained.pieces(),
            reasons=explained.lines(lang),
            legend=[k for k in highlight.MARK_KINDS if k in kinds_shown],
            contacts=_contacts(item["text"], item["contacts"]),
            destinations=[d.title() for d in item["destinations"].split(",") if d],
            pay=_pay(item, explained, lang),
            members=members,
            laws=_laws(fired, lang),
            too_short=TOO_SHORT in fired,
            pending_members=pending_members,
            position=store.position(flt, item),
            timezone=timezone,
            history=store.history(post_id),
            safe_url=item["url"] if item["url"].startswith(("https://", "http://")) else "",
            next_id=store.neighbour(flt, item, 1),
            prev_id=store.neighbour(QueueFilter(**{**flt.__dict__, "status": "all"}), item, -1),
        )

    @app.post("/post/<path:post_id>/decide")
    def decide(post_id: str):
        item = store.get_post(post_id)
        if item is None:
            abort(404)
        decision = request.form.get("decision", "")
        if decision not in DECISIONS:
            return render_template("error.html", message=f"{t('decision')}: {decision!r}?"), 400
        flt = filters()
        ids = [post_id]
        if request.form.get("whole_cluster") and item["cluster_size"] > 1:
            ids += [
                m["post_id"]
                for m in store.cluster_members(item["cluster_id"])
                if m["decision"] is None and m["post_id"] != post_id
            ]
        seen = request.form.get("seen", "")
        expected = {post_id: int(seen) if seen.isdigit() else None}
        result = store.decide(
            ids,
            decision,
            session["reviewer"],
            request.form.get("note", "")[:2000],
            via="desk",
            expected=expected,
        )
        flash(t("saved", decision=t(decision), n=len(result.post_ids)))
        if result.superseded:
            who = ", ".join(
                sorted({f"{s['reviewer']}: {s['decision']}" for s in result.superseded})
            )
            flash(t("superseded", n=len(result.superseded), who=who))
        following = store.neighbour(flt, item, 1)
        if following is None:
            flash(t("queue_empty"))
            return redirect(url_with("queue", flt))
        return redirect(url_with("post", flt, post_id=following))

    @app.post("/undo")
    def undo():
        flt = filters()
        undone = store.undo_last(session["reviewer"])
        if not undone:
            flash(t("nothing_to_undo"))
            back = request.form.get("back", "")
            return redirect(url_with("post", flt, post_id=back) if back else url_with("queue", flt))
        flash(t("undone", n=len(undone)))
        return redirect(url_with("post", flt, post_id=undone[0]))

    @app.get("/recruiters")
    def recruiters():
        rows = store.recruiters(min_posts=request.args.get("min", 1, type=int) or 1)
        return render_template(
            "recruiters.html",
            rows=rows,
            linked=sum(1 for r in rows if r["posts"] > 1),
            accounts=store.accounts(),
        )

    @app.errorhandler(404)
    def _not_found(_error):
        return render_template("error.html", message=t("not_found")), 404

    @app.errorhandler(InputError)
    def _input_error(error):
        return render_template("error.html", message=error.message), 400

    app.jinja_env.globals["get_flashed_messages"] = get_flashed_messages
    app.jinja_env.filters["localtime"] = lambda value, short=False: local_time(
        value, timezone, current_lang(), short
    )
    app.jinja_env.filters["query"] = lambda flt: urlencode(flt.as_args())
    return app


def page_links(page: int, pages: int, total: int) -> list[tuple[int | None, int, int]]:
    """Pages as ranges of posts (``51–100``): the first, the last and three either side of this one."""
    if pages <= 1:
        return []
    wanted = sorted({1, pages, *range(max(1, page - 3), min(pages, page + 3) + 1)})
    out: list[tuple[int | None, int, int]] = []
    for p in wanted:
        if out and out[-1][0] is not None and p - out[-1][0] > 1:
            out.append((None, 0, 0))
        out.append((p, (p - 1) * PAGE_SIZE + 1, min(p * PAGE_SIZE, total)))
    return out


def score_texts(scores: list[float]) -> list[str]:
    """Scores with as many decimals (2 to 6) as it takes to tell each from its neighbours on the page."""
    out = []
    for i, score in enumerate(scores):
        neighbours = [
            scores[j] for j in (i - 1, i + 1) if 0 <= j < len(scores) and scores[j] != score
        ]
        digits = 2
        while digits < 6 and any(f"{score:.{digits}f}" == f"{n:.{digits}f}" for n in neighbours):
            digits += 1
        out.append(f"{score:.{digits}f}")
    return out


def _queue_row(row: dict, rank: int, score_text: str, lang: str) -> dict:
    """A queue row with what a reviewer triages by: red flags in the post's words, destination, contact, pay."""
    explained = reasons.explain_post(
        row["text"], row["reasons"], row["contacts"], row["destinations"]
    )
    chips = []
    for reason in explained.flags():
        words = [q.original for q in reason.quotes if q.original]
        chips.append(
            {
                "label": reason.label(lang),
                "words": ", ".join(dict.fromkeys(words))[:60],
                "kind": "disguised" if reason.name == reasons.DISGUISED else "flag",
            }
        )
    pay = _pay(row, explained, lang)
    keys = [contact_key(c) for c in row["contacts"].split()]
    return {
        **row,
        "rank": rank,
        "score_text": score_text,
        "chips": chips,
        "destinations_shown": ", ".join(d.title() for d in row["destinations"].split(",") if d),
        "contacts_shown": ", ".join(dict.fromkeys(display_contact(k) for k in keys if k)),
        "pay_shown": pay,
    }


def _contacts(text: str, contacts: str) -> list[dict]:
    out = {}
    for written in contacts.split():
        key = contact_key(written)
        if key and key not in out:
            out[key] = {"key": key, "display": display_contact(key), "written": written}
    return list(out.values())


def _pay(row: dict, explained: reasons.PostReasons, lang: str) -> dict | None:
    """The amount the entities give, in one format, and not called pay when the post calls it a fee or dowry."""
    pay = next((r for r in explained.reasons if r.section == "pay"), None)
    if pay is not None:
        label, _, value = reasons.render(pay, lang, row["text"]).partition(": ")
        return {"label": label[:1].upper() + label[1:], "value": value}
    try:
        idr = float(row.get("pay_idr_month") or 0)
    except (TypeError, ValueError):
        return None
    return (
        {"label": reasons.SECTIONS[lang]["pay"].capitalize(), "value": format_idr_month(idr)}
        if idr > 0
        else None
    )


def _laws(fired: list[str], lang: str) -> list[tuple[str, list[str]]]:
    """(label, laws) of each red flag on the post that points to a law, in registry order."""
    out = []
    for item in indicators.REGISTRY:
        if item.name in fired and item.laws:
            out.append((item.label(lang), legal.describe(item.laws, lang)))
    return out


class DeskServer:
    """The desk served by Werkzeug in a background thread (threaded: one reviewer never waits for another)."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0):
        self.server = make_server(host, port, app, threaded=True)
        self.host = host
        self.port = self.server.server_port
        self.thread = threading.Thread(
            target=self.server.serve_forever, name="waspada-desk", daemon=True
        )

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> DeskServer:
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
