"""Real, legitimate job ads from ../shared/data must not flood the review queue (skips when absent)."""

from __future__ import annotations

import pytest
from conftest import SHARED_DATA, shared_data

from pipeline.external_eval import EXTERNAL_SETS, evaluate_external, render_markdown


@pytest.mark.slow
def test_real_job_ads_are_almost_never_flagged(bundle):
    shared_data("lokerid-jobs-2025", "job_postings_processed.csv")
    results = evaluate_external(bundle, SHARED_DATA, jobs=2)
    for name in ("lokerid_job_ads", "jobstreet_job_ads"):
        result = results["sets"][name]
        assert result["n"] > 500
        assert result["flag_rate"] <= 0.005, result["examples_flagged"]
    assert "lokerid_job_ads" in render_markdown(results)
    assert set(results["sets"]) == {s.name for s in EXTERNAL_SETS}


def test_external_check_skips_cleanly_without_the_data(tmp_path, capsys):
    from pipeline.external_eval import main

    assert main(["--data-dir", str(tmp_path / "absent")]) == 0
    assert "Skipped" in capsys.readouterr().err
