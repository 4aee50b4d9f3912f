"""The llama.cpp engine on the real default model: each decoding control, continuous batching, LoRA export."""

import re

import pytest

from shopscribe.engine import DecodeRequest
from shopscribe.engine.select import has_llama_cpp
from shopscribe.engine.decoding import DecodingArgs

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not has_llama_cpp(), reason="llama-cpp-python is not installed (run install.sh)")]

PROMPTS = ["A red cotton T-shirt for men, price 1299. Description:",
           "A blue denim jacket with two pockets. Description:",
           "白色纯棉长袖衬衫，价格199元。商品描述：",
           "Black leather derby shoes for office wear. Description:",
           "粉色雪纺连衣裙，适合夏天。商品描述：",
           "A steel water bottle, 750 ml, keeps drinks cold. Description:"]


@pytest.fixture(scope="module")
def engine():
    from shopscribe.engine import load_engine

    return load_engine("gemma3-270m", "llama.cpp", num_threads=2, slots=4, contexts=1)


def test_two_contexts_on_one_model_write_what_one_context_writes(engine):
    """engine.pool: the requests dealt to two single-threaded contexts sharing the loaded weights come back in
    the caller's order, open as on one context, report tokens under the caller's indices, and a lone
    request gets every thread."""
    from shopscribe.engine import load_engine
    from shopscribe.engine.pool import ContextPool

    pool = load_engine("gemma3-270m", "llama.cpp", num_threads=2, slots=4, contexts=2)
    assert isinstance(pool, ContextPool) and pool.contexts == 2
    assert pool.engines[1]._model == pool.engines[0]._model  # the weights are loaded once
    seen: set[int] = set()
    pooled = [o[0] for o in pool.decode(_requests(pool), DecodingArgs(), lambda i, c, ids: seen.add(i))]
    single = [o[0] for o in engine.decode(_requests(engine), DecodingArgs())]
    assert seen == set(range(len(PROMPTS)))
    assert sum(a[:12] == b[:12] for a, b in zip(pooled, single)) >= 5, list(zip(pooled, single))
    assert pool.stats["generated_tokens"] > 0 and pool.engines[1].stats["generated_tokens"] > 0
    alone = pool.decode([_requests(pool)[0]], DecodingArgs())[0][0]
    assert alone[:12] == single[0][:12] and pool.engines[0].threads == 1
    pool.close()


def _requests(engine, max_new_tokens=40, **controls):
    return [DecodeRequest(p, max_new_tokens, **controls) for p in PROMPTS]


def test_continuous_batching_matches_one_at_a_time(engine):
    """Six products through four slots (slots are reused mid-call) against each decoded alone. The quantised
    kernels differ with the batch size, so two greedy outputs may part ways, but only where the model's two
    best next tokens are a near-tie; a slot, position or cache mix-up would part them on a clear choice."""
    batched = [o[0] for o in engine.decode(_requests(engine), DecodingArgs())]
    alone = [engine.decode([r], DecodingArgs())[0][0] for r in _requests(engine)]
    assert all(t.strip() for t in batched)
    scorer = _Scorer(engine)
    for prompt, b, a in zip(PROMPTS, batched, alone):
        gap = scorer.gap_where_they_part(prompt, b, a)
        assert gap is None or gap < 1.0, (prompt, b, a, gap)


def test_a_text_does_not_depend_on_what_was_decoded_with_it_or_before_it(engine):
    """Each sequence is decoded alone in a cleared cache (``isolate``): greedy text is the same whatever it was
    batched with or decoded after. (Batched in one cache, this llama.cpp build corrupted a LoRA run's text:
    benchmarks/engine_isolation.py.)"""
    requests = _requests(engine)
    alone_first = engine.decode([requests[2]], DecodingArgs())[0][0]
    batched = [o[0] for o in engine.decode(requests, DecodingArgs())]
    reversed_ = [o[0] for o in engine.decode(requests[::-1], DecodingArgs())][::-1]
    alone_after = engine.decode([requests[2]], DecodingArgs())[0][0]
    assert batched == reversed_ and batched[2] == alone_first == alone_after


def test_a_remembered_prompt_state_gives_the_text_a_fresh_decode_gives(engine):
    """engine.llama.PromptStates: a repair asks for a product's prompt again with the kept start of its answer
    after it; the state of the product's own prompt is restored instead of decoded, and the text is the one a
    decode with nothing remembered writes."""
    from shopscribe.engine.llama import PromptStates

    context = getattr(engine, "engines", [engine])[0]
    own = _requests(engine, keep_prompt=True)[1]
    start = "This denim jacket"
    repair = DecodeRequest(own.prompt + start, 40, answer_chars=len(start))
    remembered = context._states
    try:
        context._states = PromptStates(0)  # nothing remembered
        fresh = engine.decode([repair], DecodingArgs())[0][0]
        context._states = PromptStates(64)
        engine.decode([own], DecodingArgs())  # the first decode remembers the product's own prompt
        before = context.stats["prompt_tokens_restored"]
        restored = engine.decode([repair], DecodingArgs())[0][0]
        assert context.stats["prompt_tokens_restored"] - before > 5 and restored == fresh
    finally:
        context._states = remembered


def test_a_text_may_not_end_before_its_minimum(engine):
    """A repair's rewritten part may not end at once: the stop token cannot be chosen before min_new_tokens."""
    prompt = PROMPTS[1]  # the base model ends this one's text by itself (a stop token)
    free = engine.decode([DecodeRequest(prompt, 80)], DecodingArgs())[0][0]
    ended = engine.decode([DecodeRequest(prompt + free, 60, answer_chars=len(free))], DecodingArgs())[0][0]
    held = engine.decode([DecodeRequest(prompt + free, 60, answer_chars=len(free), min_new_tokens=8)],
                         DecodingArgs())[0][0]
    count = lambda text: len(engine.tokenizer(text, add_special_tokens=False)["input_ids"])  # noqa: E731
    assert count(ended) < 8 <= count(held) + 1  # the model ends where its own text ended; held, it goes on


class _Scorer:
    """Next-token logits of the packaged GGUF, one sequence at a time, for outputs that part ways."""

    def __init__(self, engine):
        from llama_cpp import Llama

        from shopscribe.models.sources import _gemma_gguf

        self.tokenizer = engine.tokenizer
        self.llm = Llama(model_path=str(_gemma_gguf()), n_threads=2, n_ctx=512, logits_all=True, verbose=False)

    def gap_where_they_part(self, prompt: str, one: str, other: str) -> float | None:
        """The logit gap between the two outputs' tokens where they first differ (None if one output is the
        other's start)."""
        import torch

        from shopscribe.engine.controls import penalise_repeats

        ids = [self.tokenizer(t, add_special_tokens=False)["input_ids"] for t in (one, other)]
        k = next((i for i, (x, y) in enumerate(zip(*ids)) if x != y), None)
        if k is None:
            return None
        context = self.tokenizer(prompt, add_special_tokens=True)["input_ids"] + ids[0][:k]
        self.llm.reset()
        self.llm.eval(context)
        scores = torch.tensor(self.llm.scores[len(context) - 1])
        penalise_repeats(scores, context, DecodingArgs().repetition_penalty)  # as the engine's controls do
        return abs(float(scores[ids[0][k]] - scores[ids[1][k]]))


def test_callers_on_many_threads_join_one_running_batch(engine):
    """The service's shared loop: three callers' products (each with its own controls) decode in one batch,
    the second and third joining while the first is running, and open as each decoded alone."""
    import threading

    from shopscribe.engine.shared import SharedEngine

    shared = SharedEngine(engine)
    reqs = _requests(engine)
    results: dict[int, list[str]] = {}

    def call(k, part):
        results[k] = [o[0] for o in shared.decode(part, DecodingArgs())]

    threads = [threading.Thread(target=call, args=(k, reqs[2 * k:2 * k + 2])) for k in range(3)]
    calls_before = engine.stats["decode_calls"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    together = [t for k in range(3) for t in results[k]]
    alone = [engine.decode([r], DecodingArgs())[0][0] for r in _requests(engine)]
    # callers join at whatever step their thread reaches the loop, so the batch's make-up (and with it the
    # quantised kernels' rounding) differs from run to run, and greedy outputs may part ways at a near tie
    # from the first tokens on: most open as their own product alone does, and none comes back to the
    # wrong caller (opening like another product's output and not like its own)
    assert all(t.strip() for t in together)
    assert sum(a[:4] == b[:4] for a, b in zip(together, alone)) >= 3, list(zip(together, alone))
    swapped = [k for k, t in enumerate(together)
               if any(j != k and t[:16] == alone[j][:16] != alone[k][:16] for j in range(len(alone)))]
    assert not swapped, list(zip(together, alone))
    banned = shared.decode([DecodeRequest(PROMPTS[0], 30, banned=[alone[0].split()[0]])], DecodingArgs())[0][0]
    assert alone[0].split()[0] not in banned  # a caller's own controls still hold in the shared loop
    assert engine.stats["decode_calls"] > calls_before


def test_a_banned_term_never_appears_although_the_model_writes_it(engine):
    free = [o[0] for o in engine.decode(_requests(engine), DecodingArgs())]
    words = [re.findall(r"[A-Za-z]{4,}|[\u4e00-\u9fff]{2}", t) for t in free]
    banned = [w[0].lower() if w else "zzzz" for w in words]
    assert any(b.lower() in t.lower() for b, t in zip(banned, free))
    reqs = _requests(engine)
    for r, b in zip(reqs, banned):
        r.banned = [b]
    guarded = [o[0] for o in engine.decode(reqs, DecodingArgs())]
    assert not any(b in t.lower() for b, t in zip(banned, guarded)), list(zip(banned, guarded))


def test_an_unsupported_number_cannot_be_produced(engine):
    reqs = _requests(engine, max_new_tokens=60, banned=[], allowed_numbers={"42"})
    free = [o[0] for o in engine.decode(_requests(engine, max_new_tokens=60), DecodingArgs())]
    assert any(re.search(r"[0-9]", t) for t in free)  # unconstrained, the model writes numbers
    for text in (o[0] for o in engine.decode(reqs, DecodingArgs())):
        assert all(run in ("42", "4") for run in re.findall(r"[0-9]+", text)), text


def test_a_boosted_term_gets_written(engine):
    free = [o[0] for o in engine.decode(_requests(engine), DecodingArgs())]
    assert not all("gift" in t.lower() for t in free)
    boosted = [o[0] for o in engine.decode(_requests(engine, mention=["gift"], boost=9.0), DecodingArgs())]
    assert sum("gift" in t.lower() for t in boosted) > sum("gift" in t.lower() for t in free)


def test_sampling_does_not_depend_on_the_batch(engine):
    d = DecodingArgs(strategy="sample", seed=3)
    together = engine.decode(_requests(engine, n=2), d)
    assert all(len(o) == 2 for o in together)
    again = engine.decode(_requests(engine, n=2), d)
    assert [o[0][:10] for o in together] == [o[0][:10] for o in again]


def test_a_cut_output_layer_writes_what_the_whole_one_writes_and_reads_any_prompt(engine):
    """engine.vocab: an output layer cut to texts that hold what the model writes (as a run's training targets
    hold what a fine-tuned model writes) writes what the whole layer writes, and a prompt word the cut layer
    lacks is fed as kept pieces of its text."""
    from shopscribe.engine import load_engine

    whole = [o[0] for o in engine.decode(_requests(engine), DecodingArgs())]
    cut = load_engine("gemma3-270m", "llama.cpp", num_threads=2, slots=4, contexts=1, vocab_texts=PROMPTS + whole)
    assert len(cut.vocab.keep) < cut.vocab.full_size / 5
    short = [o[0] for o in cut.decode(_requests(cut), DecodingArgs())]
    assert sum(a[:20] == b[:20] for a, b in zip(whole, short)) >= 5, list(zip(whole, short))
    odd = "饕餮牌 Zyxwqv Quokka 衬衫。商品描述："
    ids = cut.tokenizer(odd)["input_ids"]
    fed = cut.vocab.respell(ids)
    assert fed != ids and cut.tokenizer.decode(fed) == cut.tokenizer.decode(ids)
    assert all(cut.vocab.to_reduced[i] >= 0 for i in fed)
    assert cut.decode([DecodeRequest(odd, 20)], DecodingArgs())[0][0].strip()
    cut.close()


def test_a_missing_engine_falls_back_with_how_to_install_it(monkeypatch):
    from shopscribe.engine import select
    from shopscribe.errors import EngineUnavailable

    monkeypatch.setattr(select, "has_llama_cpp", lambda: False)
    said = []
    assert select.choose_engine("gemma3-270m", "auto", log=said.append) == "transformers"
    assert "install.sh" in said[0] and "llama-cpp-python" in said[0]
    with pytest.raises(EngineUnavailable, match="llama-cpp-python"):
        select.choose_engine("gemma3-270m", "llama.cpp")
    assert select.supported_engines("gemma3-270m") == ["transformers"]


def test_a_full_fine_tune_is_converted_once_and_decodes(tmp_path):
    """A run folder with method=full (its weights in model/) is converted to a Q8_0 GGUF, cached with the key
    of the weights it came from."""
    import json
    import os

    from shopscribe.engine import load_engine
    from shopscribe.engine.export import gguf_for
    from shopscribe.models.sources import RUN_MARKER, resolve_model

    run = tmp_path / "run"
    (run / "model").mkdir(parents=True)
    for f in resolve_model("gemma3-270m").iterdir():  # stands in for fully fine-tuned weights
        if f.name != "shopscribe_prepared.json":
            os.symlink(f, run / "model" / f.name)
    (run / RUN_MARKER).write_text(json.dumps({"base_model": "gemma3-270m", "method": "full", "task": "describe"}))
    files = gguf_for(run)
    assert files.model == run / "engine" / "model.q8_0.gguf" and files.lora is None
    stamp = files.model.stat().st_mtime_ns
    assert gguf_for(run).model.stat().st_mtime_ns == stamp  # cached, not converted again
    engine = load_engine(run, "llama.cpp", slots=2)
    assert engine.decode([DecodeRequest(PROMPTS[1], 12)], DecodingArgs())[0][0].strip()
