"""The run history and trends on a generated three-week collection with planted recruiters and templates.

Week 1: template A (Cambodia scam job) on Facebook with number P1; template C (Malaysia crossing)
with P3. Week 2: template B (Myanmar typist) by two accounts with numbers P2 and P4 written in
different formats. Week 3: template A reposted on Telegram by a new account with P5, and the
week-1 post of template C collected again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from pipeline import schema
from pipeline.cli import main
from pipeline.fileio import write_csv, write_json
from pipeline.history import store as history_store
from pipeline.history.contacts import contact_key, contact_keys
from pipeline.history.report import make_trends
from pipeline.history.store import HistoryStore
from pipeline.history.trends import TABLES, compute_trends

TEMPLATE_A = (
    "Dicari admin online untuk kantor di Phnom Penh Kamboja, gaji 15 juta per bulan, tiket pesawat dan visa "
    "ditanggung perusahaan, berangkat minggu ini tanpa pengalaman, tanpa ijazah. Minat hubungi WA {phone}"
)
TEMPLATE_B = (
    "Lowongan typist di Myawaddy Myanmar, kerja ketik chat saja, gaji 12 juta, mess dan makan gratis, paspor "
    "diurus semua oleh agen, usia 18 sampai 30 tahun, berangkat lewat Bangkok. Japri {phone}"
)
TEMPLATE_C = (
    "Jalur tikus ke Malaysia lewat Nunukan tanpa paspor, speedboat malam, kerja kebun sawit langsung majikan, "
    "biaya 4 juta potong gaji. Hubungi {phone}"
)

P1, P2, P3, P4, P5 = "081211110001", "081222220002", "081233330003", "081244440004", "081255550005"


def post(
    post_id,
    text,
    platform,
    author,
    posted_at,
    contacts,
    destinations,
    indicators="negara_berisiko,kontak_hanya_chat",
):
    return {
        "post_id": post_id,
        "score": 0.95,
        "flagged": True,
        "category": "tppo",
        "reasons": "",
        "text": text,
        "platform": platform,
        "source_file": f"{platform}.json",
        "source_record": 1,
        "author": author,
        "posted_at": posted_at,
        "url": "",
        "indicators": indicators,
        "contacts": contacts,
        "destinations": destinations,
        "pay_idr_month": "",
        "cluster_id": f"c_{post_id}",
        "cluster_size": 1,
    }


def benign(post_id, posted_at):
    row = post(
        post_id, "Selamat pagi, info cuaca hari ini cerah.", "x", "warga", posted_at, "", "", ""
    )
    return {**row, "score": 0.01, "flagged": False, "category": "benign"}


WEEKS = {
    "week-1": [
        post(
            "fb_1",
            TEMPLATE_A.format(phone=P1),
            "facebook",
            "Loker Asia",
            "2026-11-02T03:00:00Z",
            P1,
            "kamboja",
        ),
        post(
            "fb_2",
            TEMPLATE_C.format(phone=P3),
            "facebook",
            "Kerja Malaysia",
            "2026-11-03T03:00:00Z",
            P3,
            "malaysia,nunukan",
            "penyeberangan_ilegal,kontak_hanya_chat",
        ),
        benign("x_1", "2026-11-03T04:00:00Z"),
    ],
    "week-2": [
        post(
            "ig_1",
            TEMPLATE_B.format(phone=P2),
            "instagram",
            "typist.mm",
            "2026-11-10T03:00:00Z",
            P2,
            "myanmar",
        ),
        post(
            "ig_2",
            TEMPLATE_B.format(phone="+62 812-4444-0004"),
            "instagram",
            "kerja.ketik",
            "2026-11-11T03:00:00Z",
            "+62812-4444-0004",
            "myanmar",
        ),
        benign("x_2", "2026-11-10T04:00:00Z"),
    ],
    "week-3": [
        post(
            "123:9",
            TEMPLATE_A.format(phone=P5),
            "telegram",
            "Info Kerja KH",
            "2026-11-17T03:00:00Z",
            f"wa.me/62{P5[1:]}",
            "kamboja",
        ),
        post(
            "fb_2",
            TEMPLATE_C.format(phone=P3),
            "facebook",
            "Kerja Malaysia",
            "2026-11-03T03:00:00Z",
            P3,
            "malaysia,nunukan",
            "penyeberangan_ilegal,kontak_hanya_chat",
        ),
        benign("x_3", "2026-11-17T04:00:00Z"),
    ],
}


def write_run(run_dir: Path, rows: list[dict]) -> Path:
    flagged = sum(bool(r["flagged"]) for r in rows)
    write_csv(run_dir / "scored.csv", rows, schema.SCORED_COLUMNS)
    write_json(
        run_dir / "report.json",
        {
            "model_id": "model-test",
            "threshold": 0.5,
            "counts": {
                "read": len(rows),
                "scored": len(rows),
                "flagged": flagged,
                "quarantined": 0,
                "duplicates": 0,
                "skipped": 0,
            },
        },
    )
    return run_dir


@pytest.fixture()
def runs(tmp_path) -> dict[str, Path]:
    return {name: write_run(tmp_path / "runs" / name, rows) for name, rows in WEEKS.items()}


@pytest.fixture()
def store(tmp_path) -> HistoryStore:
    s = HistoryStore(f"sqlite:///{tmp_path / 'history.sqlite'}")
    yield s
    s.close()


def recorded(store: HistoryStore, runs: dict[str, Path], upto: str) -> dict[str, str]:
    ids = {}
    for name in WEEKS:
        ids[name] = store.record_run(runs[name]).run_id
        if name == upto:
            break
    return ids


def test_contact_key_gives_one_key_per_number_and_handle():
    assert {
        contact_key(c)
        for c in (
            "081234567890",
            "+62 812-3456-7890",
            "6281234567890",
            "wa.me/6281234567890",
            "https://api.whatsapp.com/send?phone=6281234567890",
        )
    } == {"6281234567890"}
    assert {
        contact_key(c) for c in ("t.me/Rekrut_KH", "https://telegram.me/rekrut_kh/", "@Rekrut_KH")
    } == {"@rekrut_kh"}
    assert contact_key("+855 12 345 678") == "85512345678"
    assert contact_keys("0812-1111-0001 wa.me/6281211110001 @a") == ["6281211110001", "@a"]


def test_number_used_only_in_week_2_is_new_in_week_2_and_not_in_week_3(store, runs):
    ids = recorded(store, runs, "week-3")
    frames = store.frames()
    week2 = compute_trends(frames, ids["week-2"]).tables["new_contacts"]
    week3 = compute_trends(frames, ids["week-3"]).tables["new_contacts"]
    p2, p4, p5 = contact_key(P2), contact_key(P4), contact_key(P5)
    assert {p2, p4} <= set(week2["contact"])
    assert contact_key(P1) not in set(week2["contact"])
    assert p2 not in set(week3["contact"]) and p4 not in set(week3["contact"])
    assert set(week3["contact"]) == {p5}  # wa.me/62… is the same key as 08…
    row = week2.set_index("contact").loc[p2]
    assert row["post_ids"] == "ig_1" and row["platforms"] == "instagram" and row["kind"] == "phone"


def test_template_reposted_in_week_3_on_a_new_platform_is_spreading(store, runs):
    ids = recorded(store, runs, "week-3")
    trends = compute_trends(store.frames(), ids["week-3"])
    spreading = trends.tables["spreading_templates"]
    assert len(spreading) == 1
    row = spreading.iloc[0]
    assert row["template_id"] == "t_fb_1"
    assert row["new_platforms"] == "telegram" and row["new_accounts"] == "telegram/Info Kerja KH"
    assert (
        row["new_post_ids"] == "123:9"
        and row["earlier_posts"] == 1
        and row["first_seen_run"] == "week-1"
    )
    # Nothing in week 3 is a new template: A matched week 1 by signature, C is the same post again.
    assert trends.tables["new_templates"].empty
    week2 = compute_trends(store.frames(), ids["week-2"]).tables["new_templates"]
    assert week2["template_id"].tolist() == ["t_ig_1"] and week2.iloc[0]["posts"] == 2


def test_two_numbers_that_share_a_template_are_one_network(store, runs):
    ids = recorded(store, runs, "week-3")
    networks = compute_trends(store.frames(), ids["week-3"]).tables["networks"]
    members = [set(c.split()) for c in networks["contacts"]]
    assert {contact_key(P2), contact_key(P4)} in members
    b = networks[networks["contacts"].str.contains(contact_key(P2))].iloc[0]
    assert (
        b["templates"] == "t_ig_1"
        and b["posts"] == 2
        and set(b["accounts"].split()) == {"instagram/typist.mm", "instagram/kerja.ketik"}
    )
    # Template A links P1 (week 1) and P5 (week 3) through one template.
    assert {contact_key(P1), contact_key(P5)} in members


def test_rescoring_does_not_double_count_and_recording_twice_is_a_no_op(store, runs):
    ids = recorded(store, runs, "week-3")
    again = store.record_run(runs["week-3"])
    assert again.already_recorded and again.run_id == ids["week-3"]
    frames = store.frames()
    assert len(frames.runs) == 3
    assert len(frames.posts) == 5  # fb_2 was collected in week 1 and week 3: one post
    assert frames.runs.set_index("label").loc["week-3", "new_posts"] == 1
    weekly = compute_trends(frames).tables["weekly"]
    total = weekly[weekly["dimension"] == "all"].set_index("week")["posts"].to_dict()
    assert total == {"2026-11-02": 2, "2026-11-09": 2, "2026-11-16": 1}
    kamboja = weekly[
        (weekly["dimension"] == "destination") & (weekly["value"] == "kamboja")
    ].set_index("week")
    assert kamboja.loc["2026-11-16", "change"] == 1 and kamboja.loc["2026-11-09", "change"] == -1


def test_a_crash_while_recording_leaves_no_half_recorded_run(store, runs, monkeypatch):
    store.record_run(runs["week-1"])
    monkeypatch.setattr(history_store, "CHUNK", 1)
    calls = []
    original = history_store._merge_posts

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return original(*args, **kwargs)

    monkeypatch.setattr(history_store, "_merge_posts", failing)
    with pytest.raises(RuntimeError):
        store.record_run(runs["week-2"])
    frames = store.frames()
    assert frames.runs["label"].tolist() == ["week-1"]
    assert set(frames.posts["post_id"]) == {"fb_1", "fb_2"} and len(frames.sightings) == 2
    monkeypatch.setattr(history_store, "_merge_posts", original)
    assert store.record_run(runs["week-2"]).new_posts == 2


def test_trends_report_files_and_json_keys(store, runs, tmp_path):
    recorded(store, runs, "week-3")
    report = make_trends(tmp_path / "trends", store.url, lang="en")
    out = tmp_path / "trends"
    payload = json.loads((out / "trends.json").read_text(encoding="utf-8"))
    for key in (*TABLES, "summary", "runs"):
        assert key in payload
    for name in TABLES:
        assert (out / f"{name}.csv").is_file()
    html = (out / "trends.html").read_text(encoding="utf-8")
    assert "Spreading templates" in html and "data:image/png;base64," in html
    assert "http://127.0.0.1:8765/post/123%3A9?status=all" in html
    assert report.summary["counts"]["spreading_templates"] == 1
    networks = pd.read_csv(out / "networks.csv", encoding="utf-8-sig", keep_default_na=False)
    assert all((out / p).is_file() for p in networks["picture"] if p)
    # --latest picks an earlier run; an existing report needs --force.
    with pytest.raises(Exception, match="--force"):
        make_trends(out, store.url)
    week2 = make_trends(out, store.url, latest_dir=runs["week-2"], force=True, lang="id")
    assert week2.summary["latest_run"]["label"] == "week-2" and week2.summary["runs"] == 2
    assert "Templat baru" in (out / "trends.html").read_text(encoding="utf-8")


def test_since_leaves_out_older_posts(store, runs):
    recorded(store, runs, "week-3")
    trends = compute_trends(store.frames(), since="2026-11-09")
    assert set(trends.posts["post_id"]) == {"ig_1", "ig_2", "123:9"}
    # Week 1 is out of view, so the week-3 repost of template A now looks new.
    assert trends.tables["spreading_templates"].empty


def test_history_tables_live_apart_from_the_review_tables(tmp_path):
    from pipeline.review.store import ReviewStore

    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    ReviewStore(url).close()
    HistoryStore(url).close()
    names = set(sa.inspect(sa.create_engine(url)).get_table_names())
    assert {"posts", "decisions", "history_runs", "history_posts", "history_sightings"} <= names


def test_cli_record_runs_and_trends(runs, tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    runner = CliRunner()
    result = runner.invoke(
        main, ["history", "record", *map(str, runs.values()), "--history-db", url]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("recorded as") == 3
    listing = runner.invoke(main, ["history", "runs", "--history-db", url, "--json"])
    assert [r["label"] for r in json.loads(listing.output)] == ["week-1", "week-2", "week-3"]
    out = tmp_path / "t"
    result = runner.invoke(main, ["trends", "--out", str(out), "--history-db", url, "-q"])
    assert result.exit_code == 0, result.output
    assert "spreading templates: 1" in result.output and (out / "trends.html").is_file()
    again = runner.invoke(main, ["trends", "--out", str(out), "--history-db", url, "-q"])
    assert again.exit_code == 1 and "--force" in again.output
    empty = runner.invoke(
        main,
        [
            "trends",
            "--out",
            str(tmp_path / "e"),
            "--history-db",
            f"sqlite:///{tmp_path / 'none.sqlite'}",
        ],
    )
    assert empty.exit_code == 1 and "waspada score" in empty.output


@pytest.mark.parametrize(
    "command", [["trends"], ["history"], ["history", "record"], ["history", "runs"]]
)
def test_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


def signed_in(app, name="Sari"):
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert (
        client.post(
            "/login", data={"csrf_token": token, "reviewer": name, "next": "/queue"}
        ).status_code
        == 302
    )
    return client, token


def test_desk_tren_page_shows_the_report_and_links_into_the_desk(store, runs, tmp_path):
    from pipeline.review.app import create_app
    from pipeline.review.store import ReviewStore

    recorded(store, runs, "week-3")
    make_trends(tmp_path / "trends", store.url)
    review = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}")
    client, _ = signed_in(create_app(review, trends_dir=str(tmp_path / "trends")))
    page = client.get("/trends")
    assert page.status_code == 200
    assert "Templat yang menyebar" in page.text and 'href="/trends"' in page.text
    assert (
        "/post/123:9?status=all" in page.text
        and "/queue?cluster=c_123:9&amp;status=all" in page.text
    )
    picture = re.search(r'src="(/trends/file/plots/network_n1\.png)"', page.text).group(1)
    image = client.get(picture)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert client.get("/trends/file/new_contacts.csv").status_code == 200
    assert client.get("/trends/file/../history.sqlite").status_code == 404
    english = client.get("/trends?lang=en")
    assert "Spreading templates" in english.text
    empty, _ = signed_in(create_app(review, trends_dir=str(tmp_path / "nothing")))
    assert "waspada trends --out" in empty.get("/trends").text
    review.close()
