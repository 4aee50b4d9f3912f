"""Batched generation with a character-length policy enforced afterwards."""

from __future__ import annotations

import re

from collections.abc import Callable
from dataclasses import asdict, dataclass

from shopscribe.catalog.record import ProductRecord
from shopscribe.engine.request import DecodeRequest
from shopscribe.engine.decoding import DecodingArgs
from shopscribe.generation.config import LengthArgs
from shopscribe.generation.rerank import as_dicts
from shopscribe.catalog.injection import without_injections
from shopscribe.catalog.conflicts import without_conflicts
from shopscribe.quality.faithfulness import cut_clauses, orphaned_clauses
from shopscribe.quality.guard import GuardReport, PublishingGuard, must_keep_terms
from shopscribe.quality.text_quality import apply_fixes
from shopscribe.tasks.keep import keep_brand_and_type, preferred_spelling
from shopscribe.tasks.length import enforce_length
from shopscribe.tasks.repeats import drop_repeated_clauses
from shopscribe.tasks.task import Task
from shopscribe.tasks.mention import mentions, wanted_mentions
from shopscribe.tasks.prompt import build_prompt_text


@dataclass
class Generation:
    id: str
    locale: str
    text: str
    length_chars: int
    length_status: str
    attempts: int
    guard: GuardReport | None = None  # the guard's verdict (None: guard off)
    rerank: dict | None = None  # best-of-n: chosen index and every candidate's score

    def as_row(self, task: str, model: str) -> dict:
        """The product's output row, as every front end writes it (JSONL, job results, batch shards)."""
        return {"task": task, "model": model, **asdict(self)}


class Generator:
    """Writes copy for products with one loaded engine (``shopscribe.engine``); reusable across calls.

    A product flows prompt (task) -> engine (decoding with the guard's controls) -> repeated clauses out,
    length and must-keep -> guard verdict, repair or flag -> ``Generation`` row."""

    def __init__(self, engine, task: Task, *, decoding: DecodingArgs | None = None,
                 length: LengthArgs | None = None, tone: str | None = None, max_chars: int | None = None,
                 guard: PublishingGuard | None = None, max_repairs: int = 2, reranker=None,
                 prompt_extra: Callable[[ProductRecord], dict[str, str | None]] | None = None,
                 keywords: list[str] | None = None, tokenizer=None, rewrite: bool = True):
        self.engine = engine  # shopscribe.engine: transformers or llama.cpp (may be set after building prompts)
        self.tokenizer = tokenizer or engine.tokenizer
        self.task = task
        self.decoding = decoding or DecodingArgs()
        self.length = length or LengthArgs()
        self.tone = tone
        self.max_chars = max_chars
        self.guard = guard
        self.max_repairs = max_repairs
        self.reranker = reranker  # generation.rerank.Reranker for best-of-n, or None
        self.prompt_extra = prompt_extra  # task-specific prompt values per product (optimize: draft, insights)
        self.keywords = list(keywords or [])  # added to the prompt's Mention line, after the attribute values
        self.rewrite = rewrite  # a claim the guard would cut: write again from its sentence first

    def generate(self, records: list[ProductRecord]) -> list[Generation]:
        # instructions hidden in product fields never reach the prompt, guard or not; nor does either side of
        # a colour the title and an attribute disagree on
        records, injected = map(list, zip(*(without_injections(r) for r in records))) if records else ([], [])
        records, conflicts = map(list, zip(*(without_conflicts(r) for r in records))) if records else ([], [])
        policies = [self.task.length(r.locale, self.max_chars) for r in records]
        budget = self.decoding.max_new_tokens or max(p.max_new_tokens() for p in policies)
        n = self.reranker.n if self.reranker is not None else 1
        floor = [min(self.decoding.min_new_tokens, budget)] * len(records)
        texts, reranked = self._decode(records, budget, n=n, min_new_tokens=floor), [None] * len(records)
        if n > 1:
            texts, reranked = self._best_of_n(records, policies, texts)
        results = []
        for record, policy, text, rerank in zip(records, policies, texts, reranked):
            check, attempts = enforce_length(text, policy), 1
            while (self.length.on_overflow == "regenerate" and check.status == "trimmed"
                   and attempts < self.length.max_attempts):
                tighter = max(8, int(budget * policy.max_chars / max(len(text), 1) * 0.9))
                text = self._decode([record], tighter)[0]
                check, attempts = enforce_length(text, policy), attempts + 1
            if self.task.must_keep:
                kept = keep_brand_and_type(check.text, record, policy.max_chars, brand="brand" in self.task.must_keep,
                                           product_type="type" in self.task.must_keep)
                check = enforce_length(kept.text, policy) if kept.text != check.text else check
            results.append(Generation(record.id, record.locale, check.text, len(check.text), check.status,
                                      attempts, rerank=rerank))
        if self.guard is not None:
            self._repair(records, policies, budget, results)
            for result, injected_fields, found in zip(results, injected, conflicts):
                result.guard.injected_fields = injected_fields
                result.guard.data_conflicts = [c.as_dict() for c in found]
        return results

    def sizes(self, records: list[ProductRecord]) -> list[tuple[int, int]]:
        """(prompt tokens, new tokens) of each product as ``generate`` decodes it: what a request costs, and
        whether it fits the engine's context (``engine.context_tokens``) — checked before a product joins a
        batch, so one that cannot fit is refused alone instead of failing the call it would share."""
        policies = [self.task.length(r.locale, self.max_chars) for r in records]
        budget = self.decoding.max_new_tokens or max((p.max_new_tokens() for p in policies), default=0)
        prompts = [build_prompt_text(self.task, self.tokenizer, without_conflicts(without_injections(r)[0])[0],
                                     self.tone, self.max_chars,
                                     self.prompt_extra(r) if self.prompt_extra else None, self._mention(r))
                   for r in records]
        return [(len(self.tokenizer(p, add_special_tokens=False)["input_ids"]), budget) for p in prompts]

    def _best_of_n(self, records, policies, flat: list[str]) -> tuple[list[str], list[dict]]:
        """``flat`` holds n candidates per product in order; keep each product's best (length-enforced)."""
        n = self.reranker.n
        candidates = [[enforce_length(t, p).text for t in flat[i * n:(i + 1) * n]] for i, p in enumerate(policies)]
        picks = self.reranker.pick(records, candidates, policies)
        texts = [candidates[i][best] for i, (best, _) in enumerate(picks)]
        return texts, [{"chosen": best, "candidates": as_dicts(scores)} for best, scores in picks]

    def _repair(self, records: list[ProductRecord], policies, budget: int, results: list[Generation]) -> None:
        """Write failing outputs again from the sentence of their first finding, with their offending spans
        banned (all failing products of the batch decode together); then cut the clauses that still violate
        a rule, contradict the data or state a detail it does not hold; flag whatever still fails."""
        verdicts = self.guard.verdicts([g.text for g in results], records)
        extra: list[list[str]] = [[] for _ in records]
        floor = min(self.decoding.min_new_tokens, budget)  # a text written again whole: the first draft's minimum
        for attempt in range(self.max_repairs):
            # regenerated: rule findings (the verifier's sentences are cut below: banning a whole sentence
            # would cost a decode and teach the decoder nothing); missing terms are flagged; text quality with
            # something to ban (a repeated idea's words, the wrong product type) once — a second repeat is
            # left out below rather than paid for with another decode. (Cutting rule contradictions instead, or
            # banning an impossible effect's zone in every spelling, made the guard cheaper and the copy worse,
            # rated blind: docs/guard.md)
            failing = [i for i, v in enumerate(verdicts) if v.violations or rule_findings(v.contradicted)
                       or (attempt == 0 and quality_bans(v))]
            if not failing:
                break
            keeps = []
            for i in failing:
                extra[i] += [v["text"] for v in verdicts[i].violations] + [c["text"] for c in rule_findings(verdicts[i].contradicted)]
                extra[i] += quality_bans(verdicts[i])
                keeps.append(kept_start(results[i].text, regenerated_findings(verdicts[i], attempt == 0)))
            # written again from the sentence of the first finding: what comes before it passed, and the
            # rest costs less to decode than the whole text. The rewritten part may not end at once (the model
            # often ends a text where a kept start ends, which would only drop the sentence)
            tails = self._decode([records[i] for i in failing], budget, extra_banned=[extra[i] for i in failing],
                                 prefixes=keeps, min_new_tokens=[MIN_REWRITTEN_TOKENS if k else floor for k in keeps])
            texts = [drop_repeated_clauses(join_prefix(keep, tail)) for keep, tail in zip(keeps, tails)]
            fitted = [enforce_length(text, policies[i]) for i, text in zip(failing, texts)]
            candidates = self.guard.verdicts([f.text for f in fitted], [records[i] for i in failing])
            for i, checked, candidate in zip(failing, fitted, candidates):
                results[i].attempts += 1
                if _problems(candidate) <= _problems(verdicts[i]):
                    verdicts[i], results[i].text, results[i].length_status = candidate, checked.text, checked.status
        rewritten = (self._rewrite_from_first_bad_sentence(records, policies, budget, results, verdicts, extra)
                     if self.rewrite else {})
        for i, (record, policy, result, verdict) in enumerate(zip(records, policies, results, verdicts)):
            self._cut_or_flag(record, policy, result, verdict, rewritten.get(i))

    def _rewrite_from_first_bad_sentence(self, records, policies, budget: int, results: list[Generation],
                                         verdicts: list, extra: list[list[str]]) -> dict[int, dict]:
        """Cut less, write right (issue 25): an output whose cut would leave broken text (a fragment, an
        empty opening, nothing, or less than half of it) is written again from the first sentence holding a
        claim the guard cuts — the sentences before it kept as the start of the answer, the claims banned at
        decoding (all such products decode together). The rewrite replaces the output when it holds no claim
        problem, no missing term and no more text-quality findings than the cut would leave; otherwise the
        cut goes ahead. Returns, per rewritten product, what it replaced."""
        todo = []
        for i, (result, verdict, record) in enumerate(zip(results, verdicts, records)):
            findings = verdict.violations + verdict.contradicted + verdict.unsupported
            if not (findings and result.text):
                continue
            cut_text = drop_clauses(result.text, verdict, self._protected(record))[0]
            cut = self.guard.verdict(cut_text, record)
            if not broken_by_cut(result.text, cut_text, verdict.quality, cut.quality):
                continue
            keep = result.text[:sentence_start(result.text, min(f["start"] for f in findings))].rstrip()
            todo.append((i, keep, findings, cut))
        if not todo:
            return {}
        tails = self._decode([records[i] for i, *_ in todo], budget, prefixes=[keep for _, keep, *_ in todo],
                             extra_banned=[extra[i] + [f["text"] for f in findings] for i, _, findings, _ in todo])
        done = {}
        for (i, keep, findings, cut), tail in zip(todo, tails):
            checked = enforce_length(drop_repeated_clauses(join_prefix(keep, tail)), policies[i])
            candidate = self.guard.verdict(checked.text, records[i])
            results[i].attempts += 1
            if (candidate.violations or candidate.contradicted or candidate.unsupported or candidate.missing_terms
                    or not checked.text or len(candidate.quality) > len(cut.quality)):
                continue
            done[i] = {"text": results[i].text, "findings": findings, "kept_chars": len(keep)}
            results[i].text, results[i].length_status = checked.text, checked.status
            verdicts[i] = candidate
        return done

    def _cut_or_flag(self, record: ProductRecord, policy, result: Generation, verdict,
                     rewritten: dict | None = None) -> None:
        dropped, before_cut = 0, None
        if verdict.violations or verdict.contradicted or verdict.unsupported:
            protected = self._protected(record)
            findings = verdict.violations + verdict.contradicted + verdict.unsupported
            # the rest of a sentence whose opening clause is cut speaks of the part cut: named, and cut with it
            findings += [orphan_finding(result.text, a, b) for a, b in orphaned_clauses(
                result.text, [(f["start"], f["end"]) for f in findings], protected)]
            before_cut = {"text": result.text, "findings": findings}  # what was cut is kept for the reviewer
            result.text, dropped = drop_clauses(result.text, verdict, protected)
            verdict = self.guard.verdict(result.text, record)
            result.length_status = enforce_length(result.text, policy).status
        for _ in range(FIX_PASSES):  # a fix may leave a fragment of its own (…。收腰的设计。): fixed in turn
            fixable = [q for q in verdict.quality if q.get("fix") is not None
                       and len(result.text) + len(q["fix"]) - (q["end"] - q["start"]) <= policy.max_chars]
            if not fixable:
                break
            # what regeneration (or a cut) left: repeated ideas and fragments out, doubled words once, debris
            # removed, the brand as the data spells it; kept for the reviewer with the cut
            before_cut = before_cut or {"text": result.text, "findings": []}
            before_cut["findings"] = before_cut["findings"] + fixable
            result.text = apply_fixes(result.text, fixable)
            dropped += sum(1 for q in fixable if q["fix"] == "")
            verdict = self.guard.verdict(result.text, record)
            result.length_status = enforce_length(result.text, policy).status
        result.length_chars = len(result.text)
        # a cut product type ("… sports shoes" on a bra) leaves copy that names no product: a person must fix it
        type_cut = any(f.get("kind") == "detail:product_type" for f in (before_cut or {}).get("findings", []))
        if type_cut:
            verdict.missing_terms.append("product type")
        result.guard = GuardReport(verdict.status if result.text and not type_cut else "flagged",
                                   violations=verdict.violations, contradicted=verdict.contradicted,
                                   unsupported=verdict.unsupported, missing_terms=verdict.missing_terms,
                                   dropped_clauses=dropped, before_cut=before_cut, rewritten=rewritten,
                                   sentences=verdict.sentences,
                                   quality=[{k: q[k] for k in ("kind", "text", "start", "end", "reason")}
                                            for q in verdict.quality])

    def _protected(self, record: ProductRecord) -> tuple[str, ...]:
        """Terms a cut never splits: every spelling of the must-keep terms (brand, product type, keywords)."""
        return tuple(t for alts in must_keep_terms(record, self.keywords) for t in alts)

    def _mention(self, record: ProductRecord) -> list[str]:
        """The Mention line: every copy attribute value but prices; with the guard on, the must-keep terms it
        checks (brand, product type) that are not among them; then the user's keywords."""
        terms = wanted_mentions(record)
        if self.guard is not None:
            zh = record.locale == "zh-CN"
            for spellings in must_keep_terms(record):
                if not any(mentions(t, s) for t in terms for s in spellings):
                    terms.append(preferred_spelling(spellings, zh))
        return terms + [k for k in self.keywords if k.strip() and not any(mentions(t, k) for t in terms)]

    def _mention_boost(self, record: ProductRecord) -> float:
        """The logit bonus for missing Mention-line terms: the decoding setting, else the task's for the locale."""
        if not self.task.uses("mention", record.locale):
            return 0.0
        if self.decoding.mention_boost is not None:
            return self.decoding.mention_boost
        return self.task.mention_boost.get(record.locale, 0.0)

    def _decode(self, records: list[ProductRecord], max_new_tokens: int,
                extra_banned: list[list[str]] | None = None, n: int = 1,
                prefixes: list[str] | None = None, min_new_tokens: list[int] | None = None) -> list[str]:
        """Decoded outputs, ``n`` per record in record order, as plain text without repeated clauses
        (``prefixes``: text each answer starts with; only what follows it is returned; ``min_new_tokens``:
        how many tokens each must write before it may end)."""
        requests = [self._request(r, max_new_tokens, (extra_banned or [[]] * len(records))[i], n,
                                  (prefixes or [""] * len(records))[i], (min_new_tokens or [0] * len(records))[i])
                    for i, r in enumerate(records)]
        return [drop_repeated_clauses(clean_output(t)) for texts in self.engine.decode(requests, self.decoding)
                for t in texts]

    def _request(self, record: ProductRecord, max_new_tokens: int, extra_banned: list[str], n: int,
                 prefix: str = "", min_new_tokens: int = 0) -> DecodeRequest:
        """The prompt and decoding controls for one product: Mention boosting; with the guard, its banned
        terms (compliance, plus spans banned by a repair) and the numbers digits may spell. A ``prefix`` is
        the start of the answer, already written: the terms it names are no longer boosted."""
        terms = self._mention(record)
        prompt = build_prompt_text(self.task, self.tokenizer, record, self.tone, self.max_chars,
                                   self.prompt_extra(record) if self.prompt_extra else None, terms)
        missing = [t for t in terms if not mentions(prefix, t)] if prefix else terms
        request = DecodeRequest(prompt + prefix, max_new_tokens, mention=missing, boost=self._mention_boost(record),
                                n=n, answer_chars=len(prefix), min_new_tokens=min_new_tokens)
        if self.guard is not None:
            request.banned = self.guard.banned_terms(record, extra_banned)
            request.allowed_numbers = self.guard.allowed_numbers(record)
            request.keep_prompt = True  # a repair asks for this prompt again (engine.llama.PromptStates)
        return request


_SENTENCE_END = re.compile(r"[。！？!?]+|\.(?=\s)")
FIX_PASSES = 2  # rounds of text-quality fixes after the cut
MIN_REWRITTEN_TOKENS = 12  # about one short sentence of Chinese copy: what a repair writes at least


def sentence_start(text: str, at: int) -> int:
    """Where the sentence holding position ``at`` begins."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, at)]
    return ends[-1] if ends else 0


BROKEN_KINDS = ("quality:fragment", "quality:empty")


def broken_by_cut(text: str, cut_text: str, quality_before: list[dict], quality_after: list[dict]) -> bool:
    """A cut leaves broken text: nothing, less than half of it, or a fragment or empty opening it did not
    have before."""
    before = sum(q["kind"] in BROKEN_KINDS for q in quality_before)
    after = sum(q["kind"] in BROKEN_KINDS for q in quality_after)
    return not cut_text.strip() or len(cut_text) < 0.5 * len(text) or after > before


def join_prefix(prefix: str, tail: str) -> str:
    """The kept start of an answer and what was written after it (a space between English sentences)."""
    tail = tail.strip()
    if prefix and tail and not re.search(r"[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]$", prefix):
        return f"{prefix} {tail}"
    return prefix + tail


def orphan_finding(text: str, start: int, end: int) -> dict:
    """A clause left without its subject by a cut, as a guard finding."""
    clause = text[start:end]
    lead = len(clause) - len(clause.lstrip(" ，,、;；"))
    body = clause.strip(" ，,、;；。.!！?？")
    return {"kind": "detail:orphan", "text": body, "start": start + lead, "end": start + lead + len(body),
            "status": "unsupported", "evidence": None, "reason": "said of a part cut from its sentence"}


def drop_clauses(text: str, verdict, protected: tuple[str, ...] = ()) -> tuple[str, int]:
    """Remove the clauses holding a violation, a contradicted claim or an unsupported detail (``protected``:
    terms such as the brand that are never split)."""
    bad = [(v["start"], v["end"]) for v in verdict.violations + verdict.contradicted + verdict.unsupported]
    return cut_clauses(text, bad, protected)


def _problems(verdict) -> int:
    return (len(verdict.violations) + len(verdict.contradicted) + len(verdict.missing_terms)
            + len(verdict.unsupported) + len(verdict.quality))


def regenerated_findings(verdict, with_quality: bool) -> list[dict]:
    """The findings a repair round writes again: compliance violations, contradictions the rules found and,
    ``with_quality``, text quality with something to ban."""
    quality = [q for q in verdict.quality if q.get("ban")] if with_quality else []
    return verdict.violations + rule_findings(verdict.contradicted) + quality


def kept_start(text: str, findings: list[dict]) -> str:
    """The sentences of ``text`` before the first of ``findings``: kept when the rest is written again."""
    return text[:sentence_start(text, min(f["start"] for f in findings))].rstrip() if findings else ""


def quality_bans(verdict) -> list[str]:
    """What regeneration should not write again: the words of a repeated idea, a wrong product type, an
    empty opening (``quality.text_quality`` findings' ``ban``)."""
    return [b for q in verdict.quality for b in q.get("ban", [])]


MARKUP = re.compile(r"</?[a-zA-Z][^<>]{0,200}>|\*\*|__|^#{1,6}\s+", re.MULTILINE)


def clean_output(text: str) -> str:
    """Plain text: HTML tags and Markdown emphasis or headings out (catalog copy is plain text; a model trained
    on scraped pages writes <strong>…</strong>), and the first paragraph only: base models run on past the
    answer into a new 'document'."""
    text = MARKUP.sub("", text).strip()
    for stop in ("\n\n", "\n商品描述", "\nDescription:", "\n标题", "\n摘要", "\nProduct:"):
        cut = text.find(stop)
        if cut > 0:
            text = text[:cut]
    return text.strip()


def rule_findings(claims: list[dict]) -> list[dict]:
    """The findings of the rules (not the verifier's sentence verdicts)."""
    return [c for c in claims if c.get("kind") != "verifier"]
