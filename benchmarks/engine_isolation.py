"""llama.cpp with sequences batched in one KV cache against each sequence decoded alone, side by side.

The same trained run, the same products and prompts (guard off, greedy, the pipeline's own decoding
controls): (a) ``batched`` — the continuous batching ShopScribe used until 2026-12-07 (up to 32 sequences
in one unified cache, a shared prompt prefix); (b) ``isolated`` — each sequence decoded alone in a cleared
cache (``LlamaCppEngine._step_isolated``, the default now). Both decode the products twice, in catalog
order and reversed, on two contexts. Reported: seconds, products whose text changes with the order they
were batched in (greedy text must not), products whose text differs between (a) and (b), and texts with
corruption markers (a clause opening with 的, <unk>).

    python benchmarks/engine_isolation.py --run RUN --products PRODUCTS.jsonl --name zh [--limit 64]
    python benchmarks/engine_isolation.py --table
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from common import run_products_cli

CORRUPT = re.compile(r"(?:^|[，。、；！？])的|而的|<unk>|<UNK>")


def run(run_dir: Path, products: Path, name: str, limit: int | None) -> dict:
    from shopscribe.catalog.loaders import load_catalog
    from shopscribe.engine import load_engine
    from shopscribe.generation.generator import Generator
    from shopscribe.models.loading import read_run_info
    from shopscribe.tasks import load_task

    records = load_catalog(products).records[:limit]
    task = load_task(read_run_info(run_dir)["task"], run_dir / "templates")
    texts, out = {}, {}
    for system, isolate in (("batched", False), ("isolated", True)):
        engine = load_engine(str(run_dir), "llama.cpp", isolate=isolate)
        generator = Generator(engine, task)
        budget = task.length(records[0].locale, None).max_new_tokens()
        started = time.time()
        first = generator._decode(records, budget)
        seconds = time.time() - started
        again = generator._decode(records[::-1], budget)[::-1]
        engine.close()
        texts[system] = first
        out[system] = {"products": len(records), "seconds": round(seconds, 1),
                       "order_dependent": sum(a != b for a, b in zip(first, again)),
                       "corrupted": sum(bool(CORRUPT.search(t)) for t in first + again)}
    out["differ_batched_vs_isolated"] = sum(a != b for a, b in zip(texts["batched"], texts["isolated"]))
    out["examples"] = [{"id": r.id, "batched": a, "isolated": b}
                       for r, a, b in zip(records, texts["batched"], texts["isolated"]) if a != b][:10]
    return out


def table(results: dict) -> str:
    lines = ["| set | system | products | seconds (one pass) | text depends on batch order | corrupted texts (2 passes) |",
             "|---|---|---|---|---|---|"]
    for name, res in results.items():
        for system in ("batched", "isolated"):
            s = res[system]
            lines.append(f"| {name} | {system} | {s['products']} | {s['seconds']} | {s['order_dependent']} | "
                         f"{s['corrupted']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    run_products_cli(__doc__, "engine_isolation", run, table)
