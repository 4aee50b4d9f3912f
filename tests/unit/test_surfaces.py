"""quality.surfaces: the per-first-character matcher finds exactly what one alternation regex finds."""

import random
import re

from shopscribe.quality.families import bounded, packaged_families
from shopscribe.quality.surfaces import SurfaceMatcher


def _expected(surfaces, as_regex, text):
    pattern = re.compile("|".join(f"(?P<s{i}>{as_regex(s)})" for i, s in enumerate(surfaces)))
    return [(int(m.lastgroup[1:]), m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]


def test_random_surfaces_and_texts_match_as_the_alternation_does():
    rng = random.Random(7)
    letters = "abcs 圆领口袋拉链"
    for _ in range(200):
        surfaces = sorted({"".join(rng.choice(letters.strip()) for _ in range(rng.randint(1, 4)))
                           for _ in range(rng.randint(1, 12))}, key=len, reverse=True)
        as_regex = lambda s: bounded(s, plural=True)  # noqa: E731 - lookarounds and an optional suffix
        matcher = SurfaceMatcher(surfaces, as_regex)
        for _ in range(10):
            text = "".join(rng.choice(letters) for _ in range(rng.randint(0, 40)))
            assert list(matcher.finditer(text)) == _expected(surfaces, as_regex, text), (surfaces, text)


def test_the_claim_families_find_what_their_alternation_finds():
    families = packaged_families()
    matcher, _ = families.compiled()
    texts = ["这款连衣裙采用圆领设计，腰间系带，两侧有口袋，后背隐形拉链。",
             "slim fit striped shirt with a spread collar, button placket and two pockets",
             "Solid wooden shelves; solid colour; ring, earrings and a v-neck top"]
    for text in texts:
        assert list(matcher.finditer(text)) == _expected(matcher.surfaces, lambda s: bounded(s, plural=True), text)
