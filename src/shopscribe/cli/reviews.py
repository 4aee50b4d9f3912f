"""`shopscribe sentiment train|score` and `shopscribe insights`."""

from __future__ import annotations

from pathlib import Path

import typer

from shopscribe.cli.common import BatchProgress, console, handle_errors, log, progress_bar
from shopscribe.config import load_config
from shopscribe.reviews import SentimentConfig, score_reviews, train_sentiment
from shopscribe.reviews.insights import InsightsConfig, build_insights

sentiment_app = typer.Typer(help="Review sentiment (positive / negative) in English and Chinese.",
                            no_args_is_help=True)


def _fmt(metrics: dict) -> str:
    return f"accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f} on {metrics['n']} reviews"


@sentiment_app.command("train")
@handle_errors
def train_command(
    reviews: Path = typer.Option(..., "--reviews", "-r", help="Labelled reviews (.jsonl/.csv/.parquet)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the classifier."),
    config: Path = typer.Option(None, "--config", help="Optional YAML with SentimentConfig keys."),
    overrides: list[str] = typer.Argument(None, help="key=value, e.g. encoder=e5 max_train=10000"),
) -> None:
    """Train the sentiment classifier; reports accuracy on reviews held out by product."""
    cfg = load_config(SentimentConfig, config, overrides or [], base={"reviews": str(reviews), "out": str(out)})
    with progress_bar() as bar:
        result = train_sentiment(cfg, log=log, progress=BatchProgress(bar))
    held = f" — held out: {_fmt(result.metrics)}" if result.metrics else ""
    console.print(f"[green]done[/green]: classifier → {cfg.out}{held}")


@sentiment_app.command("score")
@handle_errors
def score_command(
    model: Path = typer.Argument(..., help="Classifier folder from `shopscribe sentiment train`."),
    reviews: Path = typer.Option(..., "--reviews", "-r", help="Reviews to label."),
    out: Path = typer.Option(..., "--out", "-o", help="Output JSONL (id, label, confidence, p_positive)."),
    on_error: str = typer.Option("fail", "--on-error", help="fail, or skip bad rows into a rejects file."),
) -> None:
    """Label every review; a rerun after a crash skips reviews already scored."""
    with progress_bar() as bar:
        result = score_reviews(model, reviews, out, on_error=on_error, log=log, progress=BatchProgress(bar))
    shown = f" — against the file's labels: {_fmt(result.metrics)}" if result.metrics else ""
    console.print(f"[green]done[/green]: {result.scored} scored, {result.skipped_done} already done → {out}{shown}")


@handle_errors
def insights_command(
    reviews: Path = typer.Option(..., "--reviews", "-r", help="Reviews (.jsonl/.csv/.parquet)."),
    model: Path = typer.Option(..., "--model", "-m", help="Classifier folder from `shopscribe sentiment train`."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for insights.json and insights.html."),
    group_by: str = typer.Option("product", "--group-by", help="product or category."),
    overrides: list[str] = typer.Argument(None, help="key=value, e.g. max_reviews_per_group=300"),
) -> None:
    """What customers praise and complain about, per product or category (HTML + JSON)."""
    base = {"reviews": str(reviews), "model": str(model), "out": str(out), "group_by": group_by}
    cfg = load_config(InsightsConfig, None, overrides or [], base=base)
    with progress_bar() as bar:
        result = build_insights(cfg, log=log, progress=BatchProgress(bar))
    console.print(f"[green]done[/green]: {len(result.groups)} {cfg.group_by} group(s) from {result.reviews} reviews "
                  f"({result.masked} personal-data spans masked) → {result.html_path}")
