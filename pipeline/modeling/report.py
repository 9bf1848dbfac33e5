"""report.html: an evaluation an analyst reads at a glance, in Indonesian or English.

It answers three questions in this order: how good is the model (PR curve against the keyword
search teams use today), at which threshold (precision and recall against the threshold, the
operating point(s) marked, the confusion matrix *at that threshold*), and on which kinds of post
(recall and false-positive rate per kind, disguised posts, per platform), then shows the worst
errors with their reasons in the post's own words. One self-contained file: styles inline,
charts as embedded PNG, no scripts.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable

import numpy as np
import pandas as pd

from pipeline.evidence.reasons import readable
from pipeline.schema import LABELS

TEXT: dict[str, dict[str, str]] = {
    "id": {
        "title": "Evaluasi model {model}",
        "data": "Data",
        "posts": "{n} unggahan, {pos} di antaranya perekrutan (TPPO/TPPM)",
        "at_threshold": "Pada ambang {thr}",
        "rule": "Aturan ambang",
        "headline": "Ringkasan",
        "sentence": "Dari {flagged} unggahan yang ditandai, {tp} memang perekrutan (presisi {precision}); dari {pos} unggahan perekrutan, {tp} tertandai (recall {recall}). {fp} dari {neg} unggahan aman ikut tertandai.",
        "how_good": "Seberapa baik model ini",
        "which_threshold": "Pada ambang berapa",
        "which_kinds": "Pada jenis unggahan apa",
        "pr": "Presisi–recall: model dibanding pencarian kata kunci",
        "thr_plot": "Presisi dan recall menurut ambang",
        "kinds_plot": "Recall (perekrutan) dan tingkat salah tandai (aman) per jenis",
        "calibration": "Kalibrasi skor",
        "hist": "Sebaran skor",
        "threshold": "ambang",
        "operating_point": "titik kerja",
        "keyword": "pencarian kata kunci",
        "model": "model",
        "precision": "presisi",
        "recall": "recall",
        "score": "skor",
        "observed": "proporsi nyata",
        "predicted": "skor rata-rata",
        "benign": "aman",
        "recruitment": "perekrutan",
        "confusion": "Matriks kebingungan pada ambang {thr}",
        "confusion_note": "Baris: label sebenarnya. Kolom: keputusan pada ambang — ditandai (dengan kategori paling mungkin) atau tidak ditandai. Angka ini sama dengan ringkasan di atas. Kategori saja (tanpa ambang) bisa berbeda: unggahan dengan skor di atas ambang bisa tetap paling mungkin 'aman', dan sebaliknya.",
        "flagged_as": "ditandai: {cat}",
        "not_flagged": "tidak ditandai",
        "true": "sebenarnya",
        "kind": "jenis",
        "n": "jumlah",
        "label": "label",
        "rate": "recall / salah tandai",
        "per_kind": "Per jenis unggahan",
        "per_platform": "Per platform",
        "platform": "platform",
        "flag_rate": "proporsi ditandai",
        "disguised": "Unggahan disamarkan",
        "disguised_text": "Recall pada {n} unggahan perekrutan yang disamarkan (K4mboja, nomor dieja, huruf Sirilik): {value}.",
        "top_fp": "Salah tandai teratas (unggahan aman yang ditandai)",
        "top_fn": "Terlewat teratas (perekrutan yang tidak ditandai)",
        "text": "teks",
        "reasons": "alasan",
        "none": "tidak ada",
        "metrics": "Semua angka",
        "positive": "perekrutan",
        "benign_kind": "aman",
    },
    "en": {
        "title": "Evaluation of model {model}",
        "data": "Data",
        "posts": "{n} posts, {pos} of them recruitment (TPPO/TPPM)",
        "at_threshold": "At threshold {thr}",
        "rule": "Threshold rule",
        "headline": "Summary",
        "sentence": "Of {flagged} flagged posts, {tp} are recruitment (precision {precision}); of {pos} recruitment posts, {tp} are flagged (recall {recall}). {fp} of {neg} benign posts are flagged too.",
        "how_good": "How good is this model",
        "which_threshold": "At which threshold",
        "which_kinds": "On which kinds of post",
        "pr": "Precision–recall: the model against keyword search",
        "thr_plot": "Precision and recall against the threshold",
        "kinds_plot": "Recall (recruitment) and false-positive rate (benign) per kind",
        "calibration": "Score calibration",
        "hist": "Score distribution",
        "threshold": "threshold",
        "operating_point": "operating point",
        "keyword": "keyword search",
        "model": "model",
        "precision": "precision",
        "recall": "recall",
        "score": "score",
        "observed": "observed share",
        "predicted": "mean score",
        "benign": "benign",
        "recruitment": "recruitment",
        "confusion": "Confusion matrix at threshold {thr}",
        "confusion_note": "Rows: the true label. Columns: the decision at the threshold — flagged (with its most likely category) or not flagged. These counts match the summary above. The category alone (without the threshold) can differ: a post scored above the threshold can still be most likely 'benign', and the other way round.",
        "flagged_as": "flagged: {cat}",
        "not_flagged": "not flagged",
        "true": "true",
        "kind": "kind",
        "n": "posts",
        "label": "label",
        "rate": "recall / false-positive rate",
        "per_kind": "Per kind of post",
        "per_platform": "Per platform",
        "platform": "platform",
        "flag_rate": "share flagged",
        "disguised": "Disguised posts",
        "disguised_text": "Recall on the {n} recruitment posts written to evade filters (K4mboja, spelled-out numbers, Cyrillic letters): {value}.",
        "top_fp": "Top false positives (benign posts flagged)",
        "top_fn": "Top false negatives (recruitment missed)",
        "text": "text",
        "reasons": "reasons",
        "none": "none",
        "metrics": "All figures",
        "positive": "recruitment",
        "benign_kind": "benign",
    },
}

METRIC_NAMES: dict[str, dict[str, str]] = {
    "id": {
        "n": "Jumlah unggahan",
        "positives": "Unggahan perekrutan",
        "threshold": "Ambang",
        "pr_auc": "Luas di bawah kurva presisi–recall (PR-AUC)",
        "roc_auc": "Luas di bawah kurva ROC",
        "precision": "Presisi pada ambang",
        "recall": "Recall pada ambang",
        "recall_at_precision_0_90": "Recall pada presisi 0,90",
        "false_positive_rate": "Tingkat salah tandai (semua unggahan aman)",
        "awareness_news_fpr": "Salah tandai pada sosialisasi dan berita",
        "hard_negative_fpr": "Salah tandai pada unggahan aman yang mirip",
        "obfuscated_recall": "Recall pada unggahan disamarkan",
    },
    "en": {
        "n": "Posts",
        "positives": "Recruitment posts",
        "threshold": "Threshold",
        "pr_auc": "Area under the precision–recall curve (PR-AUC)",
        "roc_auc": "Area under the ROC curve",
        "precision": "Precision at the threshold",
        "recall": "Recall at the threshold",
        "recall_at_precision_0_90": "Recall at precision 0.90",
        "false_positive_rate": "False-positive rate (all benign posts)",
        "awareness_news_fpr": "False positives on awareness and news posts",
        "hard_negative_fpr": "False positives on look-alike benign posts",
        "obfuscated_recall": "Recall on disguised posts",
    },
}

KIND_NAMES: dict[str, tuple[str, str]] = {
    "awareness": ("sosialisasi / imbauan", "awareness post"),
    "awareness_personal": ("imbauan pribadi", "personal warning"),
    "bride": ("perjodohan dengan pria asing", "bride arrangement"),
    "broker_undocumented": ("calo tanpa dokumen", "undocumented broker"),
    "broker_undocumented_work": ("calo kerja tanpa dokumen", "undocumented work broker"),
    "chat_short": ("obrolan pendek", "short chat"),
    "comment_jobs_domestic": ("komentar loker dalam negeri", "comment on domestic jobs"),
    "debt_bondage": ("jeratan utang", "debt bondage"),
    "document_fraud": ("pemalsuan dokumen", "document fraud"),
    "domestic_worker_moratorium": ("ART ke negara moratorium", "domestic work under moratorium"),
    "everyday": ("unggahan sehari-hari", "everyday post"),
    "fake_internship": ("magang palsu", "fake internship"),
    "forced_labour_other": ("kerja paksa lain", "other forced labour"),
    "forced_labour_sea": ("kerja paksa di kapal", "forced labour at sea"),
    "helper_reply": ("balasan penolong", "helpful reply"),
    "hotline_info": ("info hotline", "hotline information"),
    "ig_comment": ("komentar Instagram", "Instagram comment"),
    "illegal_crossing": ("penyeberangan ilegal", "illegal crossing"),
    "job_ad": ("iklan lowongan", "job ad"),
    "job_ad_social": ("lowongan di media sosial", "job ad on social media"),
    "job_board_ad": ("lowongan situs kerja", "job-board ad"),
    "job_seeking": ("mencari kerja", "job seeking"),
    "legal_placement": ("penempatan resmi", "licensed placement"),
    "news": ("berita", "news"),
    "onward_route": ("rute lanjutan", "onward route"),
    "other_fraud": ("penipuan lain", "other fraud"),
    "overstay_exit": ("keluar setelah overstay", "overstay exit"),
    "promo_travel": ("promosi perjalanan", "travel promotion"),
    "question_about_offer": ("pertanyaan tentang tawaran", "question about an offer"),
    "remittance_abroad_life": (
        "hidup dan kiriman uang di luar negeri",
        "life and remittances abroad",
    ),
    "scam_compound": ("markas penipuan daring", "scam compound"),
    "scam_compound_referral": ("rekrut teman ke markas penipuan", "scam-compound referral"),
    "scam_openly": ("penipuan terang-terangan", "open scam"),
    "sms_short": ("SMS pendek", "short SMS"),
    "survivor_story": ("cerita penyintas", "survivor story"),
    "tourist_visa_work": ("kerja dengan visa turis", "work on a tourist visa"),
    "travel_abroad": ("perjalanan ke luar negeri", "travel abroad"),
    "tweet_short": ("cuitan pendek", "short tweet"),
}
CATEGORY_NAMES = {
    "id": {"tppo": "TPPO", "tppm": "TPPM", "benign": "aman"},
    "en": {"tppo": "TPPO", "tppm": "TPPM", "benign": "benign"},
}

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232b;background:#f6f7f9;margin:0}
main{max-width:1120px;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin:2rem 0 .6rem;border-bottom:2px solid #dfe3ea;padding-bottom:.2rem}
h3{font-size:1rem;margin:.2rem 0 .4rem}.muted{color:#66707c}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:.7rem;margin:.8rem 0}
.card{background:#fff;border-radius:8px;padding:.7rem .9rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card .value{font-size:1.6rem;font-weight:700}.card .name{font-size:.85rem;color:#66707c}
.sentence{background:#fff;border-left:4px solid #2e6bd6;padding:.6rem .9rem;border-radius:4px}
.figs{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:1rem}
figure{background:#fff;margin:0;padding:.6rem;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
figure img{max-width:100%;height:auto}figcaption{font-size:.9rem;color:#66707c;margin-top:.3rem}
table{border-collapse:collapse;background:#fff;margin:.5rem 0;width:100%}
th,td{border-bottom:1px solid #e4e7ec;padding:.35rem .55rem;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.text{max-width:34rem;white-space:pre-wrap;word-break:break-word}td.reasons{font-size:.88rem;max-width:26rem}
table.confusion td.num{font-size:1.1rem}table.confusion td.hit{background:#e6f4ea}table.confusion td.miss{background:#fdecea}
"""


def _png(draw: Callable, size: tuple[float, float] = (6.0, 4.0)) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=size, dpi=100)
    draw(axis)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _fmt(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def kind_name(kind: str, lang: str) -> str:
    names = KIND_NAMES.get(kind)
    return (names[1] if lang == "en" else names[0]) if names else kind.replace("_", " ")


def _at(y: np.ndarray, scores: np.ndarray, threshold: float) -> tuple[float | None, float | None]:
    flagged = scores >= threshold
    tp = int((flagged & (y == 1)).sum())
    precision = tp / flagged.sum() if flagged.sum() else None
    recall = tp / (y == 1).sum() if (y == 1).sum() else None
    return precision, recall


def operating_points(manifest: dict, threshold: float) -> list[tuple[str, float]]:
    """The threshold in use, plus any operating points the model's manifest names."""
    points = [("", float(threshold))]
    listed = manifest.get("operating_points") if manifest else None
    items = listed.items() if isinstance(listed, dict) else enumerate(listed or [])
    for name, point in items:
        value = point.get("threshold") if isinstance(point, dict) else point
        label = (
            (point.get("name") or point.get("label") or str(name))
            if isinstance(point, dict)
            else str(name)
        )
        if value is None:
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            continue
        if all(abs(value - v) > 1e-9 for _, v in points):
            points.append((label, value))
    return points


def render_report(
    metrics: dict,
    data: pd.DataFrame,
    y: np.ndarray,
    keyword: np.ndarray,
    lang: str = "id",
    manifest: dict | None = None,
) -> str:
    """The whole report as one HTML string (``data`` has score, flagged, predicted, kind, reasons)."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import precision_recall_curve

    lang = "en" if lang == "en" else "id"
    T = TEXT[lang]
    names = METRIC_NAMES[lang]
    scores = data["score"].to_numpy(dtype=float)
    threshold = float(metrics["threshold"])
    points = operating_points(manifest or {}, threshold)
    both = 0 < y.sum() < len(y)
    figures: list[tuple[str, str, str]] = []  # section, caption, png
    if both:
        precision, recall, cut = precision_recall_curve(y, scores)
        kw_precision, kw_recall, _ = precision_recall_curve(y, keyword)
        kw = metrics.get("keyword_baseline", {})

        def draw_pr(ax):
            ax.plot(
                recall,
                precision,
                color="#2e6bd6",
                lw=2,
                label=f"{T['model']} (PR-AUC {_fmt(metrics.get('pr_auc'))})",
            )
            ax.plot(
                kw_recall,
                kw_precision,
                color="#b54708",
                lw=1.5,
                ls="--",
                label=f"{T['keyword']} (PR-AUC {_fmt(kw.get('pr_auc'))})",
            )
            for i, (label, value) in enumerate(points):
                p, r = _at(y, scores, value)
                if p is not None and r is not None:
                    text = f"{T['operating_point']} {label} ({T['threshold']} {value:.3f})".replace(
                        "  ", " "
                    )
                    ax.plot(
                        [r],
                        [p],
                        marker="o" if i == 0 else "s",
                        ms=9,
                        color="#b42318" if i == 0 else "#5d6b98",
                        label=text,
                        zorder=5,
                    )
            if kw.get("precision") is not None and kw.get("recall") is not None:
                ax.plot(
                    [kw["recall"]], [kw["precision"]], marker="D", ms=7, color="#b54708", zorder=5
                )
            ax.set_xlabel(T["recall"])
            ax.set_ylabel(T["precision"])
            ax.set_xlim(0, 1.02)
            ax.set_ylim(0, 1.02)
            ax.grid(alpha=0.3)
            ax.legend(loc="lower left", fontsize=8)

        figures.append(("good", T["pr"], _png(draw_pr)))

        def draw_thr(ax):
            ax.plot(cut, precision[:-1], color="#2e6bd6", lw=2, label=T["precision"])
            ax.plot(cut, recall[:-1], color="#067647", lw=2, label=T["recall"])
            for i, (label, value) in enumerate(points):
                ax.axvline(
                    value,
                    color="#b42318" if i == 0 else "#5d6b98",
                    ls="-" if i == 0 else ":",
                    label=f"{T['threshold']} {label} {value:.3f}".replace("  ", " "),
                )
            ax.set_xlabel(T["threshold"])
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1.02)
            ax.grid(alpha=0.3)
            ax.legend(loc="lower left", fontsize=8)

        figures.append(("threshold", T["thr_plot"], _png(draw_thr)))
        prob_true, prob_pred = calibration_curve(y, scores, n_bins=10, strategy="quantile")

        def draw_cal(ax):
            ax.plot(prob_pred, prob_true, marker="o", color="#2e6bd6")
            ax.plot([0, 1], [0, 1], "--", color="grey")
            ax.set_xlabel(T["predicted"])
            ax.set_ylabel(T["observed"])
            ax.grid(alpha=0.3)

        figures.append(("threshold", T["calibration"], _png(draw_cal, (5, 3.6))))

    def draw_hist(ax):
        ax.hist(
            [scores[y == 0], scores[y == 1]],
            bins=20,
            label=[T["benign"], T["recruitment"]],
            stacked=True,
            color=["#9aa5b1", "#b42318"],
        )
        ax.axvline(threshold, color="black", ls="--", label=f"{T['threshold']} {threshold:.3f}")
        ax.set_xlabel(T["score"])
        ax.legend(fontsize=8)

    figures.append(("threshold", T["hist"], _png(draw_hist, (5, 3.6))))
    per_kind = metrics.get("per_kind", {})
    if per_kind:
        ordered = sorted(
            per_kind.items(), key=lambda kv: (kv[1]["label"] != "positive", kind_name(kv[0], lang))
        )

        def draw_kinds(ax):
            labels = [f"{kind_name(k, lang)} (n={v['n']})" for k, v in ordered]
            values = [v.get("recall", v.get("false_positive_rate")) or 0.0 for _, v in ordered]
            colors = ["#067647" if v["label"] == "positive" else "#b42318" for _, v in ordered]
            positions = np.arange(len(labels))
            ax.barh(positions, values, color=colors)
            ax.set_yticks(positions, labels, fontsize=7)
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.grid(axis="x", alpha=0.3)
            ax.set_xlabel(f"{T['recall']} ({T['recruitment']}) / FPR ({T['benign']})")

        figures.append(
            ("kinds", T["kinds_plot"], _png(draw_kinds, (7.5, max(3.0, 0.24 * len(ordered) + 1))))
        )

    def figs(section: str) -> str:
        return (
            "<div class='figs'>"
            + "".join(
                f"<figure><img alt='{html.escape(c)}' src='data:image/png;base64,{b}'><figcaption>{html.escape(c)}</figcaption></figure>"
                for s, c, b in figures
                if s == section
            )
            + "</div>"
        )

    conf = metrics.get("confusion", {})
    flagged_n = conf.get("tp", 0) + conf.get("fp", 0)
    sentence = T["sentence"].format(
        flagged=flagged_n,
        tp=conf.get("tp", 0),
        precision=_fmt(metrics.get("precision")),
        pos=metrics.get("positives", 0),
        recall=_fmt(metrics.get("recall")),
        fp=conf.get("fp", 0),
        neg=conf.get("fp", 0) + conf.get("tn", 0),
    )
    cards = "".join(
        f"<div class='card'><div class='value'>{_fmt(metrics.get(k))}</div><div class='name'>{html.escape(names[k])}</div></div>"
        for k in (
            "pr_auc",
            "precision",
            "recall",
            "recall_at_precision_0_90",
            "awareness_news_fpr",
            "obfuscated_recall",
        )
        if k in metrics
    )
    all_rows = "".join(
        f"<tr><th>{html.escape(names.get(k, k))}</th><td class='num'>{_fmt(metrics.get(k))}</td>"
        f"<td class='num'>{_fmt(metrics.get('keyword_baseline', {}).get(k))}</td></tr>"
        for k in (
            "n",
            "positives",
            "threshold",
            "pr_auc",
            "roc_auc",
            "precision",
            "recall",
            "recall_at_precision_0_90",
            "false_positive_rate",
            "awareness_news_fpr",
            "hard_negative_fpr",
        )
        if k in metrics
    )
    # Confusion at the threshold: flagged (by most likely category) or not, so it agrees with the headline.
    cats = CATEGORY_NAMES[lang]
    columns = ["tppo", "tppm", "benign", "none"]
    flagged = data["flagged"].to_numpy(dtype=bool)
    decided = np.where(flagged, data["predicted"].to_numpy(dtype=object), "none")
    counts = {
        t: {c: int(((data["label"].to_numpy() == t) & (decided == c)).sum()) for c in columns}
        for t in LABELS
    }
    shown_cols = [c for c in columns if c != "benign" or any(counts[t]["benign"] for t in LABELS)]
    head = "".join(
        f"<th class='num'>{html.escape(T['flagged_as'].format(cat=cats[c]) if c != 'none' else T['not_flagged'])}</th>"
        for c in shown_cols
    )

    def cell(t: str, c: str) -> str:
        good = (t == "benign" and c == "none") or (t != "benign" and c == t)
        bad = (t == "benign" and c != "none") or (t != "benign" and c == "none")
        return f"<td class='num {'hit' if good else 'miss' if bad else ''}'>{counts[t][c]}</td>"

    confusion = "".join(
        f"<tr><th>{html.escape(cats[t])}</th>" + "".join(cell(t, c) for c in shown_cols) + "</tr>"
        for t in LABELS
    )
    kinds_rows = "".join(
        f"<tr><td>{html.escape(kind_name(k, lang))}</td><td class='num'>{v['n']}</td>"
        f"<td>{html.escape(T['positive'] if v['label'] == 'positive' else T['benign_kind'])}</td>"
        f"<td class='num'>{_fmt(v.get('recall', v.get('false_positive_rate')))}</td></tr>"
        for k, v in sorted(
            per_kind.items(), key=lambda kv: (kv[1]["label"] != "positive", kind_name(kv[0], lang))
        )
    )
    platforms = "".join(
        f"<tr><td>{html.escape(p)}</td><td class='num'>{v['n']}</td><td class='num'>{_fmt(v['flag_rate'])}</td>"
        f"<td class='num'>{_fmt(v.get('recall'))}</td></tr>"
        for p, v in sorted(metrics.get("per_platform", {}).items())
    )
    disguised = ""
    if metrics.get("obfuscated_n"):
        disguised = (
            f"<h3>{html.escape(T['disguised'])}</h3><p>"
            + html.escape(
                T["disguised_text"].format(
                    n=metrics["obfuscated_n"], value=_fmt(metrics.get("obfuscated_recall"))
                )
            )
            + "</p>"
        )

    def examples(items: list[dict]) -> str:
        if not items:
            return f"<p class='muted'>{html.escape(T['none'])}</p>"
        rows = "".join(
            f"<tr><td class='num'>{_fmt(float(i['score']))}</td><td>{html.escape(kind_name(str(i.get('kind', '')), lang))}</td>"
            f"<td class='text'>{html.escape(str(i['text'])[:400])}</td>"
            f"<td class='reasons'>{html.escape(readable(str(i['text']), str(i.get('reasons', '')), lang))}</td></tr>"
            for i in items
        )
        return (
            f"<table><tr><th class='num'>{T['score']}</th><th>{T['kind']}</th><th>{T['text']}</th><th>{T['reasons']}</th></tr>"
            f"{rows}</table>"
        )

    rule = (manifest or {}).get("threshold_rule", "")
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(T["title"].format(model=metrics.get("model_id", "")))}</title><style>{CSS}</style></head>
<body><main>
<h1>{html.escape(T["title"].format(model=metrics.get("model_id", "")))}</h1>
<p class="muted">{html.escape(T["data"])}: {html.escape(str(metrics.get("data", "")))} · {html.escape(T["posts"].format(n=metrics.get("n", 0), pos=metrics.get("positives", 0)))}
{f" · {html.escape(T['rule'])}: {html.escape(str(rule))}" if rule else ""}</p>
<h2 id="summary">{html.escape(T["headline"])} — {html.escape(T["at_threshold"].format(thr=f"{threshold:.3f}"))}</h2>
<div class="cards">{cards}</div>
<p class="sentence">{html.escape(sentence)}</p>
<h2 id="good">{html.escape(T["how_good"])}</h2>
{figs("good")}
<table><tr><th></th><th class='num'>{T["model"]}</th><th class='num'>{T["keyword"]}</th></tr>{all_rows}</table>
<h2 id="threshold">{html.escape(T["which_threshold"])}</h2>
{figs("threshold")}
<h3>{html.escape(T["confusion"].format(thr=f"{threshold:.3f}"))}</h3>
<table class="confusion" id="confusion"><tr><th>{html.escape(T["true"])}</th>{head}</tr>{confusion}</table>
<p class="muted">{html.escape(T["confusion_note"])}</p>
<h2 id="kinds">{html.escape(T["which_kinds"])}</h2>
{disguised}
{figs("kinds")}
<h3>{html.escape(T["per_kind"])}</h3>
<table id="per-kind"><tr><th>{T["kind"]}</th><th class='num'>{T["n"]}</th><th>{T["label"]}</th><th class='num'>{T["rate"]}</th></tr>{kinds_rows}</table>
<h3>{html.escape(T["per_platform"])}</h3>
<table id="per-platform"><tr><th>{T["platform"]}</th><th class='num'>{T["n"]}</th><th class='num'>{T["flag_rate"]}</th><th class='num'>{T["recall"]}</th></tr>{platforms}</table>
<h2 id="errors">{html.escape(T["top_fp"])}</h2>
{examples(metrics.get("top_false_positives", []))}
<h2>{html.escape(T["top_fn"])}</h2>
{examples(metrics.get("top_false_negatives", []))}
</main></body></html>
"""
