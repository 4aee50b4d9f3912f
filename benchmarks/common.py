"""Shared pieces of the benchmark scripts: per-set result files and the command line."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from core_loop import RESULTS


def load_results(name: str) -> dict:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def run_sets(name: str, sets: list[str], run_set: Callable[[str], dict]) -> dict:
    """Run each set and save after each one, keeping the other sets' earlier results."""
    results = load_results(name)
    for set_name in sets:
        results[set_name] = run_set(set_name)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return results


def cli(doc: str, name: str, sets: list[str], run_set: Callable[[str], dict], table: Callable[[dict], str]) -> None:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", action="store_true", help="print the table from the saved results")
    parser.add_argument("--only", choices=sorted(sets), action="append")
    args = parser.parse_args()
    results = load_results(name) if args.table else run_sets(name, args.only or list(sets), run_set)
    print(table(results))


def run_products_cli(doc: str, name: str, run: Callable[[Path, Path, str, int | None], dict],
                     table: Callable[[dict], str]) -> None:
    """The command line of a benchmark on one trained run and a products file (``--run RUN --products P
    --name SET [--limit N]``, or ``--table``): each set's result is saved beside the others'."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path)
    parser.add_argument("--products", type=Path)
    parser.add_argument("--name", default="zh")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    results = load_results(name)
    if not args.table:
        if not (args.run and args.products):
            parser.error("--run and --products are needed (or --table)")
        results[args.name] = run(args.run, args.products, args.name, args.limit)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(results))
