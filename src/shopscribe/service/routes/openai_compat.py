"""OpenAI-compatible endpoints: GET /v1/models, POST /v1/chat/completions and /v1/completions (with
server-sent-event streaming), so the official ``openai`` client works against ShopScribe.

With the extra body fields ``task`` and ``product`` a chat completion runs the copy pipeline (guard
included) and the reply is the checked copy; streamed, it arrives as one chunk after the guard, since
text the guard may still cut is never sent. Without them the messages go to the model as a chat, guard
off, streamed token by token."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse

from shopscribe.engine.request import DecodeRequest
from shopscribe.engine.decoding import DecodingArgs
from shopscribe.service.deps import require, spend_tokens
from shopscribe.service.schemas import ERRORS
from shopscribe.service.routes.copy import write_copy
from shopscribe.service.schemas import ChatCompletionRequest, CompletionRequest, CopyOptions
from shopscribe.tasks.task import copy_task_names
from shopscribe.storage import audit

router = APIRouter(prefix="/v1", tags=["openai"], responses=ERRORS)


@router.get("/models", summary="Served models (OpenAI format)")
async def list_models(request: Request, key=Depends(require("generate"))) -> dict:
    hosts = request.app.state.hosts.hosts
    return {"object": "list", "data": [
        {"id": mid, "object": "model", "created": int(h.folder.stat().st_mtime), "owned_by": "shopscribe",
         "shopscribe": {"version": h.version, "engine": h.engine.name, "task": h.model.run_info.get("task"),
                        "context_tokens": h.context_tokens}}  # no file paths: the server's layout is its own
        for mid, h in hosts.items()]}


@router.post("/chat/completions", summary="Chat completion (OpenAI format); extras: task, product, guard")
async def chat_completions(body: ChatCompletionRequest, request: Request, key=Depends(require("generate"))):
    if body.task is not None:
        return await _copy_as_chat(body, request, key)
    host = request.app.state.hosts.get(body.model)
    messages = [{"role": "system" if m.role == "developer" else m.role, "content": _content(m.content)}
                for m in body.messages]
    try:
        prompt = host.chat_prompt(messages)
    except Exception as exc:  # a role order the model's template refuses
        raise HTTPException(422, f"messages: the model's chat template refuses them ({exc})") from None
    return await _complete(request, key, body, host, [prompt], "chat.completion",
                           body.max_completion_tokens or body.max_tokens)


@router.post("/completions", summary="Text completion (OpenAI format)")
async def completions(body: CompletionRequest, request: Request, key=Depends(require("generate"))):
    host = request.app.state.hosts.get(body.model)
    prompts = [body.prompt] if isinstance(body.prompt, str) else body.prompt
    if not prompts:
        raise HTTPException(422, "prompt: at least one prompt is needed")
    if len(prompts) > request.app.state.settings.max_products_per_call:
        raise HTTPException(413, f"{len(prompts)} prompts in one call; the limit is "
                                 f"{request.app.state.settings.max_products_per_call} (max_products_per_call)")
    return await _complete(request, key, body, host, prompts, "text_completion", body.max_tokens)


async def _complete(request: Request, key, body, host, prompts: list[str], kind: str, max_tokens: int | None):
    settings = request.app.state.settings
    budget = max_tokens or settings.max_new_tokens
    if budget > settings.max_new_tokens:
        raise HTTPException(422, f"max_tokens: {budget} is above this server's limit of {settings.max_new_tokens}")
    if body.n > settings.max_candidates:
        raise HTTPException(422, f"n: {body.n} is above this server's limit of {settings.max_candidates} "
                                 "(max_candidates)")
    sizes = await asyncio.to_thread(lambda: [host.prompt_tokens(p) for p in prompts])
    for i, size in enumerate(sizes):
        if size + budget > host.context_tokens:
            where = "messages" if kind == "chat.completion" else ("prompt" if len(prompts) == 1 else f"prompt[{i}]")
            raise HTTPException(422, f"{where}: {size} prompt tokens plus max_tokens {budget} are over the model's "
                                     f"context of {host.context_tokens} tokens")
    await spend_tokens(request, key, sum(sizes) + len(prompts) * body.n * budget)
    sample = bool(body.temperature)
    decoding = DecodingArgs(strategy="sample" if sample else "greedy", temperature=body.temperature or 1.0,
                            top_p=body.top_p or 1.0, seed=body.seed or 0, repetition_penalty=1.0, top_k=0)
    if body.n > 1 and not sample:
        raise HTTPException(422, "n: more than one choice needs temperature > 0 (greedy choices would be equal)")
    requests = [DecodeRequest(p, budget, n=body.n) for p in prompts]
    state = request.app.state
    rid, created = f"{'chatcmpl' if kind == 'chat.completion' else 'cmpl'}-{uuid.uuid4().hex}", int(time.time())
    await asyncio.to_thread(audit.record, state.db, request.state.key_name, kind, "", model=host.version,
                            prompts=len(prompts))
    if body.stream:
        return StreamingResponse(_stream(state, host, requests, decoding, body, kind, rid, created),
                                 media_type="text/event-stream")
    texts = await asyncio.wrap_future(state.hosts.submit(host, host.raw_work(requests, decoding)))
    choices, completion_tokens = [], 0
    for i, outs in enumerate(texts):
        for c, text in enumerate(outs):
            text, used = text.strip(), _count(host, text)
            completion_tokens += used
            finish = "length" if used >= budget else "stop"
            index = i * body.n + c
            choices.append({"index": index, "message": {"role": "assistant", "content": text},
                            "finish_reason": finish, "logprobs": None} if kind == "chat.completion"
                           else {"index": index, "text": text, "finish_reason": finish, "logprobs": None})
    prompt_tokens = sum(sizes)
    state.metrics.tokens.labels(host.model_id).inc(completion_tokens)
    return {"id": rid, "object": kind, "created": created, "model": host.model_id, "choices": choices,
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


async def _stream(state, host, requests, decoding, body, kind: str, rid: str, created: int):
    """Server-sent events: each output's new text as it decodes (a trailing newline or a broken character is
    held back until the next token shows it is not the end), then the rest, then [DONE]."""
    loop = asyncio.get_running_loop()
    events: asyncio.Queue = asyncio.Queue()
    sent: dict[int, str] = {}

    def on_token(item: int, candidate: int, ids: list[int]) -> None:
        text = host.tokenizer.decode(ids, skip_special_tokens=True).lstrip()
        loop.call_soon_threadsafe(events.put_nowait, (item * body.n + candidate, text))

    future = state.hosts.submit(host, host.raw_work(requests, decoding, on_token))
    future.add_done_callback(lambda _: loop.call_soon_threadsafe(events.put_nowait, None))
    if kind == "chat.completion":
        for index in range(len(requests) * body.n):
            yield _event(rid, kind, created, host, index, role=True)
    while (event := await events.get()) is not None:
        index, text = event
        ready = text.rstrip("\n").removesuffix("\ufffd")
        delta = ready[len(sent.get(index, "")):] if ready.startswith(sent.get(index, "")) else ""
        if delta:
            sent[index] = sent.get(index, "") + delta
            yield _event(rid, kind, created, host, index, delta)
    try:
        texts = future.result()
    except Exception:
        yield "data: " + json.dumps({"error": {"message": "generation failed", "type": "server_error"}}) + "\n\n"
        return
    for i, outs in enumerate(texts):
        for c, text in enumerate(outs):
            index, final = i * body.n + c, text.strip()
            rest = final[len(sent.get(index, "")):] if final.startswith(sent.get(index, "")) else ""
            if rest:
                yield _event(rid, kind, created, host, index, rest)
            finish = "length" if _count(host, text) >= requests[i].max_new_tokens else "stop"
            yield _event(rid, kind, created, host, index, finish=finish)
    yield "data: [DONE]\n\n"


def _event(rid, kind, created, host, index: int, text: str | None = None, *, role: bool = False,
           finish: str | None = None) -> str:
    if kind == "chat.completion":
        delta = {"role": "assistant", "content": ""} if role else ({"content": text} if text is not None else {})
        choice = {"index": index, "delta": delta, "finish_reason": finish, "logprobs": None}
        chunk = {"id": rid, "object": "chat.completion.chunk", "created": created, "model": host.model_id,
                 "choices": [choice]}
    else:
        chunk = {"id": rid, "object": "text_completion", "created": created, "model": host.model_id,
                 "choices": [{"index": index, "text": text or "", "finish_reason": finish, "logprobs": None}]}
    return "data: " + json.dumps(chunk, ensure_ascii=False) + "\n\n"


async def _copy_as_chat(body: ChatCompletionRequest, request: Request, key):
    if body.product is None:
        raise HTTPException(422, "product: a task request needs the product (extra body field)")
    if body.task not in copy_task_names():
        raise HTTPException(422, f"task: '{body.task}' is not one of {', '.join(copy_task_names())}")
    options = CopyOptions(model=body.model, guard=body.guard)
    product = body.product.model_dump(exclude_unset=True)
    result = (await write_copy(request, key, body.task, options, [product], ("body", "product")))[0]
    rid, created, host = f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), request.app.state.hosts.get(body.model)
    extras = result.model_dump(exclude={"text"})
    if body.stream:
        async def events():
            yield _event(rid, "chat.completion", created, host, 0, role=True)
            yield _event(rid, "chat.completion", created, host, 0, result.text)
            yield _event(rid, "chat.completion", created, host, 0, finish="stop")
            yield "data: [DONE]\n\n"
        return StreamingResponse(events(), media_type="text/event-stream")
    return {"id": rid, "object": "chat.completion", "created": created, "model": host.model_id,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": result.text},
                         "finish_reason": "stop", "logprobs": None}],
            "usage": {"prompt_tokens": 0, "completion_tokens": _count(host, result.text),
                      "total_tokens": _count(host, result.text)},
            "shopscribe": extras}


def _content(content) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def _count(host, text: str) -> int:
    return len(host.tokenizer(text, add_special_tokens=False)["input_ids"])
