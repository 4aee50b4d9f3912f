"""Evaluation report: JSON and one self-contained HTML page (tables, a plot, examples)."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

from shopscribe.catalog.record import ProductRecord
from shopscribe.evaluation.metrics import ExampleScore
from shopscribe.tasks.task import Task

HEADLINE = ["rougeL", "rouge1", "rouge2", "bleu4", "distinct1", "distinct2", "attribute_coverage",
            "unsupported_number_rate", "unsupported_numbers_per_output", "unsupported_claim_rate",
            "contradiction_rate", "compliance_violations", "outputs_with_violation", "length_compliance",
            "mean_chars", "adgen_rouge1", "adgen_rouge2", "adgen_rougel", "adgen_bleu4"]
LOWER_IS_BETTER = {"unsupported_number_rate", "unsupported_numbers_per_output", "unsupported_claim_rate",
                   "contradiction_rate", "compliance_violations", "outputs_with_violation"}


def write_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), encoding="utf-8")


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3f}"
    return html.escape(str(value))


def metrics_table(systems: dict[str, dict]) -> str:
    names = list(systems)
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    rows = []
    for key in HEADLINE:
        values = [systems[n].get(key) for n in names]
        if all(v is None for v in values):  # the AdvertiseGen scores exist for Chinese sets only
            continue
        nums = [v for v in values if isinstance(v, (int, float))]
        best = (min(nums) if key in LOWER_IS_BETTER else max(nums)) if nums and key != "mean_chars" else None
        cells = "".join(f"<td class='{'best' if v == best and best is not None else ''}'>{_fmt(v)}</td>"
                        for v in values)
        arrow = " ↓" if key in LOWER_IS_BETTER else ""
        rows.append(f"<tr><th>{key}{arrow}</th>{cells}</tr>")
    return f"<table><tr><th>metric</th>{head}</tr>{''.join(rows)}</table>"


def plot_png(systems: dict[str, dict]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["rougeL", "attribute_coverage", "unsupported_number_rate", "length_compliance"]
    fig, ax = plt.subplots(figsize=(8, 3.2))
    width = 0.8 / max(len(systems), 1)
    for i, (name, m) in enumerate(systems.items()):
        ax.bar([k + i * width for k in range(len(keys))], [m.get(k) or 0 for k in keys], width, label=name)
    ax.set_xticks([k + width * (len(systems) - 1) / 2 for k in range(len(keys))], keys)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _highlight(text: str, score: ExampleScore) -> str:
    """Mark spans: contradicted claims and violations red, unsupported claims amber, supported green."""
    marks: list[tuple[int, int, str, str]] = []
    for c in score.claims:
        css = {"contradicted": "bad", "unsupported": "warn", "supported": "ok"}[c["status"]]
        tip = f"{c['kind']}: {c['status']}" + (f" (data: {c['evidence']})" if c.get("evidence") else "")
        marks.append((c["start"], c["end"], css, tip))
    for v in score.violations:
        marks.append((v["start"], v["end"], "bad", f"{v['rule_id']} ({v['severity']}): {v['fix']}"))
    out, pos = [], 0
    for start, end, css, tip in sorted(marks):
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark class='{css}' title='{html.escape(tip, quote=True)}'>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def examples_html(task: Task, records: list[ProductRecord], scores: dict[str, list[ExampleScore]],
                  limit: int = 12) -> str:
    by_id = {name: {s.id: s for s in rows} for name, rows in scores.items()}
    blocks = []
    for record in records[:limit]:
        facts = "; ".join(f"{k}: {', '.join(v)}" for k, v in record.attributes.items())
        intro = html.escape(" | ".join(filter(None, [record.id, record.title, record.brand, facts]))[:600])
        refs = task.references(record)
        cells = [f"<td><b>reference</b><br>{html.escape(refs[0]) if refs else '–'}</td>"]
        for name, rows in by_id.items():
            s = rows.get(record.id)
            note = f"<br><small>ROUGE-L {_fmt(s.rouge_l)} · {len(s.text)} chars</small>" if s else ""
            cells.append(f"<td><b>{html.escape(name)}</b><br>{_highlight(s.text, s) if s else '–'}{note}</td>")
        blocks.append(f"<tr><td colspan='{len(cells)}' class='input'>{intro}</td></tr><tr>{''.join(cells)}</tr>")
    return f"<table class='ex'>{''.join(blocks)}</table>"


STYLE = ("body{font-family:sans-serif;margin:2em;max-width:1300px}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;font-size:14px}"
         ".best{background:#d7f5d7;font-weight:bold}.ex td{width:25%}.input{background:#f4f4f4;font-size:12px}"
         "mark.ok{background:#d7f5d7}mark.bad{background:#ffc9c9}mark.warn{background:#ffe9a8}")


def html_page(title: str, body: str) -> str:
    """One self-contained HTML page in the reports' shared style."""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>")


def write_html(path: Path, title: str, task: Task, records: list[ProductRecord], systems: dict[str, dict],
               scores: dict[str, list[ExampleScore]], notes: list[str] | None = None) -> None:
    notes_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes or [])
    body = (f"<ul>{notes_html}</ul><h2>Metrics</h2>{metrics_table(systems)}"
            f"<img alt='metrics plot' src='data:image/png;base64,{plot_png(systems)}'>"
            "<h2>Examples</h2><p><mark class='ok'>green</mark>: claim supported by the product data; "
            "<mark class='warn'>amber</mark>: claim the data does not cover; <mark class='bad'>red</mark>: claim "
            "the data contradicts, or a compliance violation (hover for the rule and the fix).</p>"
            f"{examples_html(task, records, scores)}")
    path.write_text(html_page(title, body), encoding="utf-8")
