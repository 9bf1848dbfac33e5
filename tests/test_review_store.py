"""The review store: merging queues, decisions, undo, filters, migrations, several writers."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
import sqlalchemy as sa

from pipeline.errors import InputError
from pipeline.fileio import write_csv
from pipeline.review import db
from pipeline.review.store import QueueFilter, ReviewStore
from pipeline.schema import SCORED_COLUMNS

HOSTILE = 'Lowongan <script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> WA 081234567890'


def post(post_id: str, score: float, text: str | None = None, **fields) -> dict:
    row = {name: "" for name in SCORED_COLUMNS}
    row.update(
        {
            "post_id": post_id,
            "score": score,
            "flagged": score >= 0.5,
            "category": "tppo" if score >= 0.5 else "benign",
            "text": text or f"Dicari kerja di Kamboja gaji 15 juta, tiket gratis (post {post_id})",
            "reasons": 'tujuan berisiko: "kamboja"; biaya berangkat ditanggung: "tiket gratis"',
            "platform": "facebook",
            "author": "Loker Info",
            "posted_at": "2026-11-20T08:00:00Z",
            "indicators": "biaya_ditanggung,negara_berisiko",
            "contacts": "",
            "destinations": "kamboja",
            "pay_idr_month": "15000000",
            "cluster_id": f"c_{post_id}",
            "cluster_size": 1,
        }
    )
    row.update(fields)
    return row


def sample_rows() -> list[dict]:
    """Seven posts: a three-post repost cluster, a recruiter phone shared by two posts, hostile markup."""
    cluster = {"cluster_id": "c_rep", "cluster_size": 3, "contacts": "081377902265"}
    return [
        post(
            "p1",
            0.99,
            platform="telegram",
            indicators="negara_berisiko,penyeberangan_ilegal",
            posted_at="2026-11-25T01:00:00Z",
        ),
        post("rep1", 0.95, "Kerja kapal ikan Taiwan tanpa pengalaman, WA 081377902265", **cluster),
        post("rep2", 0.94, "Kerja kapal ikan Taiwan tanpa pengalaman!! WA 081377902265", **cluster),
        post("rep3", 0.93, "kerja kapal ikan taiwan tanpa pengalaman wa 081377902265", **cluster),
        post(
            "xss",
            0.90,
            HOSTILE,
            contacts="081234567890 @agen.kerja",
            author='<b onmouseover="alert(1)">agen</b>',
            url="javascript:alert(1)",
            reasons='kontak hanya lewat chat: "WA"; tujuan berisiko: "<script>"',
        ),
        post(
            "p2",
            0.80,
            platform="instagram",
            contacts="@agen.kerja",
            posted_at="2026-11-10T09:00:00Z",
        ),
        post("p3", 0.60, platform="x", posted_at="2026-11-01T09:00:00Z"),
    ]


def write_queue(path: Path, rows: list[dict] | None = None) -> Path:
    write_csv(path, rows or sample_rows(), SCORED_COLUMNS)
    return path


@pytest.fixture()
def store(tmp_path) -> ReviewStore:
    s = ReviewStore(f"sqlite:///{tmp_path / 'review' / 'review.sqlite'}")
    s.load_queue(write_queue(tmp_path / "review_queue.csv"), model_id="model-a")
    yield s
    s.close()


def test_new_store_is_created_in_wal_mode_at_the_current_schema(tmp_path):
    target = tmp_path / "deep" / "folder" / "review.sqlite"
    store = ReviewStore(f"sqlite:///{target}")
    assert target.is_file()
    assert store.schema_version() == db.SCHEMA_VERSION
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.BUSY_TIMEOUT_MS


def test_old_store_is_migrated_and_newer_store_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    engine = db.create_engine(url)
    with engine.begin() as conn:  # a store as version 1 left it
        db.schema_version.create(conn)
        db.MIGRATIONS[1](conn)
        conn.execute(
            sa.insert(db.schema_version).values(version=1, applied_at="2026-01-01T00:00:00Z")
        )
    engine.dispose()
    store = ReviewStore(url)
    assert store.schema_version() == db.SCHEMA_VERSION
    assert "label_exports" in sa.inspect(store.engine).get_table_names()
    with store.engine.begin() as conn:
        conn.execute(
            sa.insert(db.schema_version).values(
                version=db.SCHEMA_VERSION + 1, applied_at="2030-01-01T00:00:00Z"
            )
        )
    store.close()
    with pytest.raises(InputError, match="newer"):
        ReviewStore(url)


def test_load_queue_merges_by_post_id_and_never_overwrites_a_decision(store, tmp_path):
    store.decide(["p1"], "tppo", "Sari", note="jelas")
    rows = sample_rows()
    rows[0]["score"] = 0.5  # a new model scored p1 differently
    rows.append(post("new", 0.7))
    summary = store.load_queue(write_queue(tmp_path / "again.csv", rows), model_id="model-b")
    assert summary["added"] == 1
    assert summary["updated"] == 7  # every post now carries model-b
    assert summary["kept_decisions"] == 1
    p1 = store.get_post("p1")
    assert (p1["decision"], p1["decided_by"], p1["score"], p1["model_id"]) == (
        "tppo",
        "Sari",
        0.5,
        "model-b",
    )
    assert [(d["decision"], d["score"], d["model_id"]) for d in store.history("p1")] == [
        ("tppo", 0.99, "model-a")
    ]
    assert store.load_queue(tmp_path / "again.csv", model_id="model-b")["unchanged"] == 8


def test_load_queue_explains_a_wrong_file(store, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,isi\n1,halo\n", encoding="utf-8")
    with pytest.raises(InputError, match="post_id"):
        store.load_queue(bad)
    with pytest.raises(InputError, match="waspada score"):
        store.load_queue(tmp_path / "missing.csv")


def test_decision_records_reviewer_time_note_model_and_shown_score(store):
    result = store.decide(["p2"], "TPPM", "Budi", note="jalur laut")
    [row] = store.history("p2")
    assert result.decision == "tppm"
    assert (row["decision"], row["reviewer"], row["note"], row["model_id"], row["score"]) == (
        "tppm",
        "Budi",
        "jalur laut",
        "model-a",
        0.80,
    )
    assert row["decided_at"].endswith("Z")
    with pytest.raises(InputError, match="Unknown decision"):
        store.decide(["p2"], "spam", "Budi")
    with pytest.raises(InputError, match="reviewer"):
        store.decide(["p2"], "benign", " ")
    with pytest.raises(InputError, match="Unknown post"):
        store.decide(["nope"], "benign", "Budi")


def test_undo_reverts_the_reviewers_last_batch_and_keeps_the_log(store):
    store.decide(["p1"], "tppm", "Sari")
    store.decide(["rep1", "rep2", "rep3"], "tppo", "Sari")
    store.decide(["p2"], "benign", "Budi")
    assert sorted(store.undo_last("Sari")) == ["rep1", "rep2", "rep3"]
    assert all(store.get_post(p)["decision"] is None for p in ("rep1", "rep2", "rep3"))
    assert (
        store.get_post("p1")["decision"] == "tppm" and store.get_post("p2")["decision"] == "benign"
    )
    store.decide(["p1"], "tppo", "Sari")
    store.undo_last("Sari")
    assert (
        store.get_post("p1")["decision"] == "tppm"
    )  # back to the earlier decision, not to nothing
    assert [h["undone_at"] is not None for h in store.history("p1")] == [False, True]
    assert store.undo_last("Nobody") == []


def test_filters_and_queue_order(store):
    store.decide(["p2"], "benign", "Sari")

    def ids(flt):
        return [r["post_id"] for r in store.query(flt)[0]]

    assert ids(QueueFilter()) == ["p1", "rep1", "rep2", "rep3", "xss", "p3"]
    assert ids(QueueFilter(status="benign")) == ["p2"]
    assert ids(QueueFilter(status="all", platform="telegram")) == ["p1"]
    assert ids(QueueFilter(indicator="penyeberangan_ilegal")) == ["p1"]
    assert ids(QueueFilter(indicator="ilegal")) == []  # whole indicator names only
    assert ids(QueueFilter(cluster="c_rep")) == ["rep1", "rep2", "rep3"]
    assert ids(QueueFilter(status="all", date_from="2026-11-09", date_to="2026-11-10")) == ["p2"]
    assert store.neighbour(QueueFilter(), store.get_post("rep1")) == "rep2"
    assert store.neighbour(QueueFilter(), store.get_post("p3")) == "p1"  # wraps to skipped posts
    facets = store.facets()
    assert facets["platforms"] == ["facebook", "instagram", "telegram", "x"]
    assert "penyeberangan_ilegal" in facets["indicators"]


def test_progress_counts_today(store):
    store.decide(["p1", "p2"], "tppo", "Sari")
    store.decide(["p3"], "benign", "Budi")
    assert store.progress("Sari") == {
        "total": 7,
        "decided": 3,
        "pending": 4,
        "today": 3,
        "mine_today": 2,
    }


def test_recruiters_group_contacts_across_flagged_posts(store):
    by_contact = {r["contact"]: r for r in store.recruiters()}
    assert by_contact["6281377902265"]["posts"] == 3
    assert by_contact["6281377902265"]["clusters"] == 1
    assert by_contact["6281377902265"]["kind"] == "phone"
    # A phone and a handle named in the same post are one recruiter, reaching the handle's other post.
    agent = next(
        r for r in store.recruiters() if "@agen.kerja" in [c["key"] for c in r["contacts"]]
    )
    assert {c["key"] for c in agent["contacts"]} == {"@agen.kerja", "6281234567890"}
    assert agent["posts"] == 2
    assert {c["kind"] for c in agent["contacts"]} == {"handle", "phone"}
    assert sorted(agent["platforms"]) == ["facebook", "instagram"]
    assert store.recruiters()[0]["contact"] == "6281377902265"
    assert [r["contact"] for r in store.recruiters(min_posts=3)] == ["6281377902265"]
    assert by_contact["6281377902265"]["first_seen"] == "2026-11-20T08:00:00Z"


def test_recruiters_merge_one_number_written_many_ways_and_one_account(tmp_path):
    store = ReviewStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    store.add_posts(
        [
            post(
                "a1",
                0.9,
                "Admin Kamboja WA 0852-6617-0394",
                contacts="085266170394",
                platform="facebook",
                author="Loker A",
                posted_at="2026-11-02T01:00:00Z",
                cluster_id="c1",
            ),
            post(
                "a2",
                0.9,
                "Admin Kamboja wa.me/6285266170394",
                contacts="6285266170394 wa.me/6285266170394",
                platform="x",
                author="lokerA",
                posted_at="2026-11-05T01:00:00Z",
                cluster_id="c2",
            ),
            post(
                "a3",
                0.9,
                "Admin Kamboja +62 852 6617 0394",
                contacts="+6285266170394",
                platform="tiktok",
                author="@lokera",
                posted_at="2026-11-09T01:00:00Z",
                cluster_id="c3",
            ),
            # The same Facebook account posting another number: listed as an account behind two contacts.
            post(
                "a4",
                0.9,
                "Kerja Myanmar 0812 1111 2222",
                contacts="081211112222",
                platform="facebook",
                author="Loker A",
                posted_at="2026-11-10T01:00:00Z",
                cluster_id="c4",
            ),
            post(
                "b1",
                0.9,
                "Kapal ikan t.me/crew_cumi",
                contacts="t.me/crew_cumi",
                platform="telegram",
                author="Crew",
                posted_at="2026-11-03T01:00:00Z",
            ),
            post(
                "b2",
                0.9,
                "Kapal ikan @crew_cumi",
                contacts="@crew_cumi",
                platform="instagram",
                author="crew.ig",
                posted_at="2026-11-04T01:00:00Z",
            ),
        ],
        model_id="m",
    )
    rows = store.recruiters()
    top = rows[0]
    assert [c["key"] for c in top["contacts"]] == ["6285266170394"]
    assert top["posts"] == 3 and top["clusters"] == 3
    assert sorted(top["platforms"]) == ["facebook", "tiktok", "x"]
    assert (top["first_seen"], top["last_seen"]) == ("2026-11-02T01:00:00Z", "2026-11-09T01:00:00Z")
    assert rows[1]["contact"] == "@crew_cumi" and rows[1]["posts"] == 2
    accounts = store.accounts()
    assert [(a["platform"], a["author"]) for a in accounts] == [("facebook", "Loker A")]
    assert accounts[0]["contacts"] == ["+62 852-6617-0394", "+62 812-1111-2222"]
    store.close()


def test_one_number_written_three_ways_is_one_recruiter(tmp_path):
    s = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}")
    rows = [
        post("a", 0.9, contacts="081377902265"),
        post("b", 0.8, contacts="wa.me/6281377902265"),
        post("c", 0.7, contacts="+6281377902265 t.me/agen_kerja"),
        post("d", 0.6, contacts="@Agen_Kerja"),
    ]
    s.load_queue(write_queue(tmp_path / "queue.csv", rows))
    # The number is one contact in three posts and the handle one in two, however each is written;
    # post c names both, so they are one recruiter reaching all four posts.
    (recruiter,) = s.recruiters()
    assert {c["key"]: c["posts"] for c in recruiter["contacts"]} == {
        "6281377902265": 3,
        "@agen_kerja": 2,
    }
    assert recruiter["contact"] == "6281377902265" and recruiter["posts"] == 4
    s.close()


def test_queue_leaves_out_too_short_posts_unless_a_red_flag_fired(tmp_path):
    s = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}")
    rows = [
        post("short", 0.9, "Kamboja 20jt", indicators="terlalu_pendek"),
        post("short_news", 0.85, "Pelaku ditangkap", indicators="konteks_berita,terlalu_pendek"),
        post("short_flag", 0.8, "Kamboja 20jt WA", indicators="negara_berisiko,terlalu_pendek"),
        post("long", 0.7),
    ]
    s.load_queue(write_queue(tmp_path / "queue.csv", rows))
    queued = [r["post_id"] for r in s.query(QueueFilter(status="all"))[0]]
    assert queued == ["short_flag", "long"]
    shown = [
        r["post_id"] for r in s.query(QueueFilter(status="all", indicator="terlalu_pendek"))[0]
    ]
    assert shown == ["short", "short_news", "short_flag"]  # asked for by name, they are shown
    s.close()


def _decide_many(url: str, reviewer: str, ids: list[str], rounds: int) -> None:
    store = ReviewStore(url)
    for i in range(rounds):
        store.decide([ids[i % len(ids)]], "tppo" if i % 2 else "benign", reviewer)
    store.close()


def test_two_processes_write_to_one_store_without_losing_decisions(store):
    ids = [r["post_id"] for r in sample_rows()]
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_decide_many, args=(store.url, name, ids, 40))
        for name in ("Sari", "Budi")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    decisions = store.all_decisions()
    assert len(decisions) == 80
    assert {d["reviewer"] for d in decisions} == {"Sari", "Budi"}
    # Each post's current decision is the latest one in the log.
    for pid in ids:
        latest = [d for d in decisions if d["post_id"] == pid][-1]
        assert store.get_post(pid)["decision_id"] == latest["id"]
