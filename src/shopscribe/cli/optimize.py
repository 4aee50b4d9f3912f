"""`shopscribe optimize --products FILE --out FILE [key=value ...]`"""

from __future__ import annotations

from pathlib import Path

import typer

from shopscribe.cli.common import BatchProgress, console, handle_errors, log, progress_bar
from shopscribe.config import load_config
from shopscribe.optimize import OptimizeConfig, optimize


@handle_errors
def optimize_command(
    products: Path = typer.Option(..., "--products", "-p", help="Catalog with descriptions to improve."),
    out: Path = typer.Option(..., "--out", "-o", help="Output JSONL (an HTML before/after page goes beside it)."),
    insights: Path = typer.Option(None, "--insights", "-i", help="insights.json from `shopscribe insights`."),
    model: str = typer.Option(None, "--model", "-m", help="Model that polishes the checked draft (optional)."),
    keyword: list[str] = typer.Option(None, "--keyword", "-k", help="Keyword to work in; repeatable."),
    config: Path = typer.Option(None, "--config", help="Optional YAML with OptimizeConfig keys."),
    overrides: list[str] = typer.Argument(None, help="key=value, e.g. max_chars=300 insights_by=category"),
) -> None:
    """Rewrite existing descriptions: keep supported facts, drop unsupported claims, lead with what
    customers praise, address the top complaint where the data allows, work keywords in."""
    base = {"products": str(products), "out": str(out)}
    if insights:
        base["insights"] = str(insights)
    if model:
        base["model"] = model
    if keyword:
        base["keywords"] = list(keyword)
    cfg = load_config(OptimizeConfig, config, overrides or [], base=base)
    with progress_bar() as bar:
        result = optimize(cfg, log=log, on_batch=BatchProgress(bar))
    m = result.metrics
    console.print(f"[green]done[/green]: {result.written} rewritten, {result.skipped_done} already done → {result.out}; "
                  f"facts kept {m['fact_retention']:.1%}, length ok {m['length_compliance']:.0%}, "
                  f"all checks passed {m['passed_all_checks']:.0%}. Before/after: {result.html}")
