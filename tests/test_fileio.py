import math

import pandas as pd
import pytest

from pipeline.fileio import write_csv, write_csv_frames

ROWS = [
    {
        "text": 'x,"y"\nz',
        "flagged": True,
        "score": 0.123456,
        "mixed": None,
        "count": 5,
        "formula": "=HYPERLINK()",
    },
    {
        "text": "🇰🇭 emoji\r\nline",
        "flagged": False,
        "score": math.nan,
        "mixed": "ok",
        "count": 7,
        "formula": "",
    },
    {
        "text": "",
        "flagged": True,
        "score": 1e-7,
        "mixed": 3.0,
        "count": -1,
        "formula": " leading space",
    },
]
COLUMNS = ["text", "flagged", "score", "mixed", "count", "formula", "absent"]


@pytest.mark.parametrize("split", [1, 2, 3])
def test_frames_are_written_byte_for_byte_like_rows(tmp_path, split):
    write_csv(tmp_path / "rows.csv", ROWS, COLUMNS)
    frame = pd.DataFrame(ROWS)
    written = write_csv_frames(
        tmp_path / "frames.csv", [frame.iloc[:split], frame.iloc[split:], frame.iloc[:0]], COLUMNS
    )
    assert written == len(ROWS)
    assert (tmp_path / "frames.csv").read_bytes() == (tmp_path / "rows.csv").read_bytes()


def test_no_frames_still_gives_a_header(tmp_path):
    assert write_csv_frames(tmp_path / "empty.csv", [], COLUMNS) == 0
    assert (tmp_path / "empty.csv").read_bytes() == ("\ufeff" + ",".join(COLUMNS) + "\r\n").encode()
