"""The transformers backend: the reference path, for any model transformers loads (and beam search)."""

from __future__ import annotations

from shopscribe.engine.request import DecodeRequest, OnToken
from shopscribe.engine.boost import MentionBoostProcessor
from shopscribe.engine.decoding import DecodingArgs
from shopscribe.engine.constraints import TextConstraintProcessor
from shopscribe.models.loading import stop_token_ids


class TransformersEngine:
    """Pads a batch of prompts and runs ``model.generate`` with the controls as logits processors."""

    name = "transformers"

    def __init__(self, model, tokenizer, num_threads: int | None = None):
        import torch

        if num_threads:
            torch.set_num_threads(num_threads)
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.tokenizer.padding_side = "left"
        self.stop_ids = stop_token_ids(tokenizer)
        # the most one sequence may take (prompt + new tokens)
        self.context_tokens = int(getattr(model.config, "max_position_embeddings", None) or 2048)
        self.stats = {"generated_tokens": 0, "prompt_tokens": 0, "decode_calls": 0}

    def decode(self, requests: list[DecodeRequest], decoding: DecodingArgs,
               on_token: OnToken | None = None) -> list[list[str]]:
        import torch

        if not requests:
            return []
        n = requests[0].n
        if any(r.n != n for r in requests):
            raise ValueError("the transformers engine decodes one candidate count per call")
        batch = self.tokenizer([r.prompt for r in requests], return_tensors="pt", padding=True,
                               add_special_tokens=True)
        kwargs = self._generate_kwargs(decoding, max(r.max_new_tokens for r in requests), n)
        if any(r.min_new_tokens for r in requests):  # one batch, one minimum: the least any request asks
            kwargs["min_new_tokens"] = min(r.min_new_tokens for r in requests)
        processors = self._processors(requests, batch["input_ids"].shape[1], decoding, n)
        if processors:
            kwargs["logits_processor"] = processors
        if decoding.strategy == "sample":
            torch.manual_seed(decoding.seed)
        with torch.inference_mode():
            out = self.model.generate(**batch, **kwargs)
        new = out[:, batch["input_ids"].shape[1]:]
        self._count(batch, new)
        texts = self.tokenizer.batch_decode(new, skip_special_tokens=True)
        if on_token is not None:  # padded batches finish together: each output is reported once, whole
            stops = set(self.stop_ids) | {self.tokenizer.pad_token_id}
            for row, ids in enumerate(new.tolist()):
                on_token(row // n, row % n, [t for t in ids if t not in stops])
        return [texts[i * n:(i + 1) * n] for i in range(len(requests))]

    def _count(self, batch, new) -> None:
        """Tokens actually generated (up to and including each row's stop token; padding not counted)."""
        self.stats["decode_calls"] += 1
        self.stats["prompt_tokens"] += int(batch["attention_mask"].sum())
        stops = set(self.stop_ids) | {self.tokenizer.pad_token_id}
        for row in new.tolist():
            self.stats["generated_tokens"] += next((i + 1 for i, t in enumerate(row) if t in stops), len(row))

    def _generate_kwargs(self, d: DecodingArgs, max_new_tokens: int, n: int) -> dict:
        kwargs = dict(max_new_tokens=max_new_tokens, eos_token_id=self.stop_ids,
                      pad_token_id=self.tokenizer.pad_token_id, repetition_penalty=d.repetition_penalty,
                      stop_strings=["\n\n"], tokenizer=self.tokenizer)
        if d.no_repeat_ngram_size:
            kwargs["no_repeat_ngram_size"] = d.no_repeat_ngram_size
        if n > 1:
            kwargs["num_return_sequences"] = n
        if d.strategy == "sample":
            kwargs.update(do_sample=True, temperature=d.temperature, top_p=d.top_p, top_k=d.top_k or None)
        elif d.strategy == "beam":
            kwargs.update(do_sample=False, num_beams=d.num_beams, early_stopping=True)
        else:
            kwargs.update(do_sample=False)
        return kwargs

    def _processors(self, requests: list[DecodeRequest], prompt_length: int, d: DecodingArgs, n: int) -> list:
        processors = []
        if any(r.boost for r in requests):
            processors.append(MentionBoostProcessor(
                self.tokenizer, prompt_length, [r.mention if r.boost else [] for r in requests for _ in range(n)],
                [r.boost for r in requests for _ in range(n)]))
        if any(r.banned is not None for r in requests):
            processors.append(TextConstraintProcessor(
                self.tokenizer, prompt_length, [r.banned or [] for r in requests for _ in range(n)],
                [r.allowed_numbers or set() for r in requests for _ in range(n)],
                top_k=max(40, d.top_k), stop_ids=self.stop_ids))
        return processors
