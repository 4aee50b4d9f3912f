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
    # the published copy (guard on) with the model's raw copy scored beside it
    both = runner.invoke(app, ["evaluate", "--out-dir", str(tmp_path / "eval2"), "--run", str(tmp_path / "run"),
                               "decoding.max_new_tokens=16", "systems=[baseline,fine_tuned]", "guard=true",
                               "raw_beside=true", "guard_systems=[fine_tuned]"])
    assert both.exit_code == 0, both.output
    report = json.loads((tmp_path / "eval2/report.json").read_text())
    assert list(report["systems"]) == ["baseline", "fine_tuned", "fine_tuned (raw)"]
    published = [json.loads(x) for x in (tmp_path / "eval2/outputs/fine_tuned.guarded.jsonl").read_text().splitlines()]
    raw = [json.loads(x) for x in (tmp_path / "eval2/outputs/fine_tuned.jsonl").read_text().splitlines()]
    assert len(published) == len(raw) == report["n_products"] > 0
    assert all("guard" in r for r in published) and not any(r.get("guard") for r in raw)
    assert "what would be published (guard on)" in (tmp_path / "eval2/report.html").read_text()


def test_reviews_to_better_copy_from_the_command_line(tmp_path):
    from importlib import resources

    reviews = str(resources.files("shopscribe.resources") / "sample_reviews.jsonl")
    model, insights = tmp_path / "sent", tmp_path / "ins"
    trained = runner.invoke(app, ["sentiment", "train", "-r", reviews, "-o", str(model), "encoder=e5"])
    assert trained.exit_code == 0, trained.output
    scored = runner.invoke(app, ["sentiment", "score", str(model), "-r", reviews, "-o", str(tmp_path / "s.jsonl")])
    assert scored.exit_code == 0 and "against the file's labels" in scored.output
    built = runner.invoke(app, ["insights", "-r", reviews, "-m", str(model), "-o", str(insights),
                                "--group-by", "category"])
    assert built.exit_code == 0 and (insights / "insights.html").is_file(), built.output
    products = write_jsonl(tmp_path / "p.jsonl", [{"id": "dress-1", "locale": "zh-CN", "category": "衣服",
                                                   "attributes": {"材质": "棉", "颜色": "蓝色"},
                                                   "description": "蓝色棉质连衣裙。国家级品质。"}])
    out = tmp_path / "o.jsonl"
    optimized = runner.invoke(app, ["optimize", "-p", str(products), "-o", str(out), "-i",
                                    str(insights / "insights.json"), "-k", "通勤", "insights_by=category"])
    assert optimized.exit_code == 0, optimized.output
    row = json.loads(out.read_text(encoding="utf-8"))
    assert "通勤" in row["text"] and "国家级" not in row["text"] and row["checks"]["passed"]
    bad = runner.invoke(app, ["sentiment", "score", str(tmp_path / "nothing"), "-r", reviews, "-o", str(out)])
    assert bad.exit_code == 2 and "not a sentiment folder" in bad.output
