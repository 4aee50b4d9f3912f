"""The engine layer on a tiny random model: per-row controls choose what transformers' generate chooses."""

import pytest

from shopscribe.engine import DecodeRequest
from shopscribe.engine.controls import RowControls, repeated_ngram_next, sample
from shopscribe.engine.decoding import DecodingArgs


def _row_by_row(model, tokenizer, request: DecodeRequest, decoding: DecodingArgs, stop_ids: list[int]) -> str:
    """Decode one request a token at a time with ``RowControls``, as the llama.cpp engine does."""
    import torch

    controls = RowControls(tokenizer, [request], decoding, stop_ids)
    prompt = tokenizer(request.prompt, add_special_tokens=True)["input_ids"]
    generated: list[int] = []
    with torch.inference_mode():
        for _ in range(request.max_new_tokens):
            logits = model(torch.tensor([prompt + generated])).logits[0, -1].clone()
            generated.append(controls.choose(0, prompt, generated, logits, None))
            if generated[-1] in stop_ids or "\n\n" in tokenizer.decode(generated):
                break
    return tokenizer.decode([t for t in generated if t not in stop_ids], skip_special_tokens=True)


@pytest.mark.parametrize("controls", [
    {},
    {"mention": ["red", "cap"], "boost": 4.0},
    {"banned": ["e", "a"], "allowed_numbers": {"25"}},
    {"mention": ["red"], "boost": 2.0, "banned": ["o"], "allowed_numbers": {"7", "19"}},
])
@pytest.mark.parametrize("ngram", [0, 2])
def test_row_controls_choose_what_transformers_generate_chooses(tiny_model_dir, controls, ngram):
    from shopscribe.engine.hf import TransformersEngine
    from shopscribe.models.loading import load_causal_lm

    loaded = load_causal_lm(str(tiny_model_dir))
    engine = TransformersEngine(loaded.model, loaded.tokenizer)
    decoding = DecodingArgs(no_repeat_ngram_size=ngram)
    for prompt in ("color: red\ndescription:", "标题：红色帽子 价格 25\n描述："):
        request = DecodeRequest(prompt, 24, **controls)
        expected = engine.decode([request], decoding)[0][0]
        assert _row_by_row(loaded.model, loaded.tokenizer, request, decoding, engine.stop_ids) == expected


def test_repeated_ngrams_and_nucleus_sampling():
    import torch

    assert repeated_ngram_next([1, 2, 3, 1, 2], 3) == {3}
    assert repeated_ngram_next([1, 2, 3, 1], 2) == {2}
    assert repeated_ngram_next([1, 2], 3) == set()
    scores = torch.tensor([10.0, 9.0, 0.0, float("-inf")])
    rng = torch.Generator().manual_seed(0)
    draws = {sample(scores.clone(), DecodingArgs(strategy="sample", temperature=1.0, top_p=0.5, top_k=0), rng)
             for _ in range(50)}
    assert draws == {0}  # token 0 alone holds more than half the mass
    wide = {sample(scores.clone(), DecodingArgs(strategy="sample", temperature=1.0, top_p=1.0, top_k=2), rng)
            for _ in range(200)}
    assert wide == {0, 1}  # top_k=2: never the third token, never the -inf one
