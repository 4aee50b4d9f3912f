"""Degenerate repetition out of an output: a clause the text already said is dropped.

Small models fall into loops ("不刺，不刺，不刺，…", "the steel water bottle with a 750ml steel water
bottle, the steel water bottle…"); an editor keeps the first time a clause is said and deletes the rest.
Clauses end at Chinese punctuation, a line break, or Latin punctuation followed by a space or the end (so
"1.5" and "1,299" are not split); they compare case-, space- and punctuation-insensitively. A clause is
said again when it equals a clause before it, is part of one (a loop cut off mid-clause), or is one with a
connective of up to three characters added ("而且" + a clause said before).
"""

from __future__ import annotations

import re

_CLAUSE = re.compile(r".+?(?:[，。！？；、\n]+|[,.!?;]+(?=\s|$)\s*|$)", re.DOTALL)
_COMMA = "，,、；;"
_END = "。！？.!?"
_SHORTEST = 4  # characters: shorter clauses ("S码", "Men") may well be said twice on purpose


def drop_repeated_clauses(text: str) -> str:
    """``text`` without the clauses it says a second time; where a dropped clause ended a sentence, the clause
    kept before it ends that sentence instead of its comma."""
    said: list[str] = []
    kept: list[str] = []
    for clause in _CLAUSE.findall(text):
        key = re.sub(r"[\W_]+", "", clause).lower()
        if key and _said_before(key, said):
            end = next((c for c in clause.rstrip() if c in _END), None)
            if end and kept and kept[-1].rstrip() and kept[-1].rstrip()[-1] in _COMMA:
                kept[-1] = kept[-1].rstrip()[:-1] + end
            continue
        said.append(key)
        kept.append(clause)
    out = "".join(kept)
    return text if out == text else out.rstrip(_COMMA + " \n")


def _said_before(key: str, said: list[str]) -> bool:
    if key in said:
        return True
    if len(key) < _SHORTEST:
        return False
    return any(key in earlier or (len(earlier) >= 2 * _SHORTEST and earlier in key
                                  and len(key) - len(earlier) <= 3) for earlier in said)
