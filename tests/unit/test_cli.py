import json

from typer.testing import CliRunner

from shopscribe.cli.app import app
from tests.conftest import write_jsonl

runner = CliRunner()


def test_validate_reports_rows_and_writes_rejects(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [{"id": "a", "attributes": {"c": "x"}}, {"attributes": {"c": "y"}}])
    failed = runner.invoke(app, ["validate", str(path)])
    assert failed.exit_code == 2 and "c.jsonl:2" in failed.output and "missing product id" in failed.output
    skipped = runner.invoke(app, ["validate", str(path), "--on-error", "skip", "--rejects", str(tmp_path / "r.jsonl")])
    assert skipped.exit_code == 0 and "1 valid, 1 problem" in skipped.output
    assert json.loads((tmp_path / "r.jsonl").read_text())["row"] == 2


def test_bad_config_key_is_a_clean_error(tmp_path):
    cfg = tmp_path / "t.yaml"
    cfg.write_text("out_dir: x\ndata: {train_file: c.jsonl}\n")
    result = runner.invoke(app, ["train", str(cfg), "train.learning_rate=1"])
    assert result.exit_code == 2 and "train.learning_rate" in result.output and "Traceback" not in result.output


def test_missing_model_is_a_clean_error(tmp_path):
    products = write_jsonl(tmp_path / "p.jsonl", [{"id": "a", "attributes": {"c": "x"}}])
    result = runner.invoke(app, ["generate", str(tmp_path / "no-model"), "-p", str(products), "-o",
                                 str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_train_generate_evaluate_commands(tiny_model_dir, sample_catalog, tmp_path):
    cfg = tmp_path / "t.yaml"
    cfg.write_text(f"model: {tiny_model_dir}\nout_dir: {tmp_path / 'run'}\ndata: {{train_file: {sample_catalog}}}\n"
                   "train: {max_steps: 4, eval_steps: 2, save_steps: 2, bf16: false, batch_size: 4}\n")
    assert runner.invoke(app, ["train", str(cfg)]).exit_code == 0
    out = tmp_path / "copy.jsonl"
    gen = runner.invoke(app, ["generate", str(tmp_path / "run"), "-p", str(tmp_path / "run/data/test.jsonl"),
                              "-o", str(out), "decoding.max_new_tokens=16"])
    assert gen.exit_code == 0, gen.output
    ev = runner.invoke(app, ["evaluate", "--out-dir", str(tmp_path / "eval"), "--run", str(tmp_path / "run"),
                             "--predictions", f"mine={out}", "decoding.max_new_tokens=16",
                             "systems=[baseline,fine_tuned]"])
    assert ev.exit_code == 0, ev.output
    report = json.loads((tmp_path / "eval/report.json").read_text())
    assert set(report["systems"]) == {"baseline", "fine_tuned", "mine"}
    html = (tmp_path / "eval/report.html").read_text()
    assert "<table" in html and "data:image/png;base64" in html and "fine_tuned" in html
    card = (tmp_path / "run" / "README.md").read_text()
    assert "eval:" in card and "rougeL" in card
