"""Best-of-n reranking benchmark: greedy decoding vs best-of-n without the critic vs
best-of-n with the learned critic, for the fine-tuned model on the held-out products
of the describe sets (guard off, so the effect of reranking alone is measured).

Per set:
1. the fine-tuned model samples one output for up to 64 products of its dev/train split
   (never the held-out ones); a critic learns to tell those from the human copy;
2. the model samples N=4 candidates per held-out product, every candidate is scored
   (faithfulness, compliance, length fit, critic) and stored;
3. the same candidates are picked with and without the critic's term, and every
   system is scored: ROUGE-L, unsupported-claim rate, distinct-n and self-BLEU.

Needs the runs of `python benchmarks/core_loop.py --only describe-zh --only describe-en`.

    python benchmarks/rerank.py            # both sets, ~40 min on 2 cores
    python benchmarks/rerank.py --table    # print the README table from results/rerank.json
"""

from __future__ import annotations

import json
import time

from common import cli, load_results
from core_loop import EVAL_PRODUCTS, WORK

SETS = ["describe-zh", "describe-en"]
CANDIDATES, CRITIC_PRODUCTS, TEMPERATURE = 4, 64, 0.8


def run_set(name: str) -> dict:
    from shopscribe.catalog import load_catalog
    from shopscribe.catalog.loaders import write_jsonl
    from shopscribe.critic import CriticConfig, train_critic
    from shopscribe.generation import GenerateConfig, generate

    run_dir, work = WORK / name / "run", WORK / name / "rerank"
    work.mkdir(parents=True, exist_ok=True)
    pool = load_catalog(run_dir / "data" / "dev.jsonl").records + load_catalog(run_dir / "data" / "train.jsonl").records
    write_jsonl(pool[:CRITIC_PRODUCTS], work / "critic_products.jsonl")
    sample = {"strategy": "sample", "temperature": TEMPERATURE}
    previous = load_results("rerank").get(name, {})  # a resumed run keeps the timing of the run that did the work
    started = time.time()
    generate(GenerateConfig(model=str(run_dir), products=work / "critic_products.jsonl", guard=False,
                            out=work / "critic_outputs.jsonl", decoding=sample, batch_size=8))
    critic = train_critic(CriticConfig(products=work / "critic_products.jsonl", out=work / "critic",
                                       generations=[work / "critic_outputs.jsonl"]))
    critic_seconds = time.time() - started
    started = time.time()
    done = generate(GenerateConfig(model=str(run_dir), products=run_dir / "data" / "test.jsonl",
                                   limit=EVAL_PRODUCTS, out=work / "best_of_n.jsonl", guard=False, decoding=sample,
                                   batch_size=8, rerank={"candidates": CANDIDATES, "critic": work / "critic"}))
    rerank_seconds = round(time.time() - started) if done.generated else previous.get("rerank_seconds")
    rows = [json.loads(line) for line in (work / "best_of_n.jsonl").read_text(encoding="utf-8").splitlines()]
    greedy = {json.loads(line)["id"]: json.loads(line)["text"] for line in
              (WORK / name / "eval" / "outputs" / "fine_tuned.jsonl").read_text(encoding="utf-8").splitlines()}
    systems = {
        "greedy": greedy,
        "sample (n=1)": {r["id"]: r["rerank"]["candidates"][0]["text"] for r in rows},
        f"best-of-{CANDIDATES}, no critic": {r["id"]: _pick(r, critic=0.0) for r in rows},
        f"best-of-{CANDIDATES}, critic, faithfulness weight 1": {r["id"]: _pick(r, faith=1.0) for r in rows},
        f"best-of-{CANDIDATES}, critic, faithfulness weight 2 (default)": {r["id"]: _pick(r) for r in rows},
    }
    if done.generated == 0 and previous:
        critic_seconds = previous.get("critic_seconds", critic_seconds)
    return {"critic": critic.metrics, "critic_seconds": round(critic_seconds), "candidates": CANDIDATES,
            "rerank_seconds": rerank_seconds,
            "systems": score_systems(run_dir, systems, critic_dir=work / "critic")}


def _pick(row: dict, critic: float | None = None, faith: float | None = None) -> str:
    """The stored candidates re-picked from their score components under other weights."""
    from shopscribe.generation.config import RerankArgs

    w = RerankArgs()
    critic = w.critic_weight if critic is None else critic
    faith = w.faithfulness_weight if faith is None else faith

    def score(c):
        return (faith * c["faithfulness"] + w.length_weight * c["length_fit"] - w.compliance_weight * c["violations"]
                + critic * (c["critic"] or 0.0))
    return max(row["rerank"]["candidates"], key=score)["text"]


def score_systems(run_dir, systems: dict[str, dict[str, str]], critic_dir) -> dict:
    from shopscribe.catalog import load_catalog
    from shopscribe.critic import Critic
    from shopscribe.models.loading import read_run_info
    from shopscribe.evaluation.metrics import score_system
    from shopscribe.evaluation.metrics import self_bleu
    from shopscribe.quality.evidence import source_text
    from shopscribe.tasks import load_task

    task = load_task(read_run_info(run_dir)["task"], run_dir / "templates")
    records = load_catalog(run_dir / "data" / "test.jsonl").records[:EVAL_PRODUCTS]
    critic = Critic.load(critic_dir)
    out = {}
    for system, texts in systems.items():
        metrics, _ = score_system(task, records, texts)
        preds = [texts[r.id] for r in records]
        out[system] = {**{k: metrics[k] for k in ("rougeL", "unsupported_claim_rate", "contradiction_rate",
                                                  "unsupported_numbers_per_output", "compliance_violations",
                                                  "length_compliance", "attribute_coverage", "distinct1",
                                                  "distinct2", "mean_chars")},
                       "self_bleu": self_bleu(preds, records[0].locale),
                       "critic_p_human": float(critic.score(preds, [source_text(r, task) for r in records]).mean())}
    return out


def table(results: dict) -> str:
    lines = ["| set | system | ROUGE-L | unsupported-claim rate | contradiction rate | unsupported numbers/output "
             "| attr. coverage | distinct-1 | distinct-2 | self-BLEU ↓ | critic P(human) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for name, r in results.items():
        for system, m in r["systems"].items():
            lines.append(f"| {name} | {system} | {m['rougeL']:.3f} | {m['unsupported_claim_rate']:.3f} | "
                         f"{m['contradiction_rate']:.3f} | {m['unsupported_numbers_per_output']:.2f} | "
                         f"{m['attribute_coverage']:.3f} | {m['distinct1']:.3f} | {m['distinct2']:.3f} | "
                         f"{m['self_bleu']:.1f} | {m['critic_p_human']:.2f} |")
        c = r["critic"]
        notes.append(f"- {name}: critic held-out accuracy {c.get('heldout_accuracy', float('nan')):.3f}, "
                     f"AUC {c.get('heldout_auc', float('nan')):.3f} on {c.get('heldout_products')} unseen products; "
                     f"critic data + training {r['critic_seconds'] / 60:.1f} min, "
                     f"{r['candidates']} candidates for {EVAL_PRODUCTS} products {r['rerank_seconds'] / 60:.1f} min")
    return "\n".join(lines + [""] + notes)


def main() -> None:
    cli(__doc__, "rerank", SETS, run_set, table)


if __name__ == "__main__":
    main()
