"""Every CSV ShopScribe writes neutralises cells a spreadsheet would run as a formula."""

import csv

from shopscribe.catalog.spreadsheet import safe_cell
from shopscribe.generation.generate import write_csv
from shopscribe.service.routes.jobs import _csv


def test_formula_cells_are_neutralised_and_plain_ones_kept():
    assert [safe_cell(v) for v in ["=1+1", "+A1", "-2+3", "@SUM(A1)", "\t=x", "plain", "a=b", 7]] == \
        ["'=1+1", "'+A1", "'-2+3", "'@SUM(A1)", "'\t=x", "plain", "a=b", 7]


def test_generate_and_job_csvs_write_no_live_formula(tmp_path):
    rows = {"p1": {"id": "p1", "locale": "en", "text": '=HYPERLINK("http://x","click")', "length_chars": 30,
                   "length_status": "ok", "attempts": 1, "guard": {"status": "pass"}, "task": "describe", "model": "m"}}
    out = tmp_path / "out.csv"
    write_csv(rows, ["p1"], out)
    job_csv = tmp_path / "job.csv"
    job_csv.write_text("".join(_csv(iter(rows.values()))), encoding="utf-8")
    for path in (out, job_csv):
        with path.open(encoding="utf-8", newline="") as fh:
            row = next(csv.DictReader(fh))
        assert row["text"] == "'" + rows["p1"]["text"] and row["guard_status"] == "pass"
