"""Degenerate repetition out of an output: a clause the text already said is dropped.

Small models fall into loops ("不刺，不刺，不刺，…", "the steel water bottle with a 750ml steel water
bottle, the steel water bottle…"); an editor keeps the first time a clause is said and deletes the rest.
Clauses end at Chinese punctuation, a line break, or Latin punctuation followed by a space or the end (so
"1.5" and "1,299" are not split); they compare case- and space-insensitively.
"""

from __future__ import annotations

import re

_CLAUSE = re.compile(r".+?(?:[，。！？；、\n]+|[,.!?;]+(?=\s|$)\s*|$)", re.DOTALL)
_TAIL = "，,、；; \n"


def drop_repeated_clauses(text: str) -> str:
    """``text`` without the clauses it says a second time (and without a comma it would now end on)."""
    seen: set[str] = set()
    kept: list[str] = []
    for clause in _CLAUSE.findall(text):
        key = re.sub(r"[\W_]+", "", clause).lower()
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(clause)
    out = "".join(kept)
    if out == text:
        return text
    return out.rstrip(_TAIL)  # the length step ends a cut-off sentence as it does any other
