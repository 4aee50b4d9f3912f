"""Where a part sits and what it can flatter: senseless sentences about a garment, caught as impossible.

Chinese copy states what a detail does for the body ("V领修饰颈部线条", "高腰拉长腿部比例") and where a
part sits ("腰部的翻领"). A part has body zones it can sit at or act on (a neckline: the neck, face and
chest; sleeves: the arms); a product has zones it covers (trousers: the waist and legs). A claim that a
part acts on, or sits at, a zone outside its own (a V-neck that "flatters the legs", a collar "at the
waist", a zip on trousers that "covers the neck", a loose fit that "hides the face") is impossible for the
product: contradicted, with the reason. A part without zones (a zip, a pocket) falls back to the zones of
the product's category; a category without zones (a bag, a phone) is not judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# body zones and their words (normalised text); single characters only where no family word holds them
ZONE_WORDS: dict[str, list[str]] = {
    "neck": ["肩颈", "颈部", "脖颈", "脖子", "脖间", "颈间", "颈部线条", "锁骨", "颈", "脖"],
    "face": ["脸部", "脸型", "面部", "小脸", "脸"],
    "arm": ["手臂", "胳膊", "拜拜肉", "臂部", "臂"],
    "waist": ["腰部", "腰间", "腰身", "腰线", "腰围", "腰腹", "小蛮腰", "腹部", "小肚子"],
    "leg": ["腿部", "腿型", "腿长", "小腿", "大腿", "腿", "脚踝", "下身"],
    "chest": ["胸部", "胸型", "胸前"],
}
# the zones a part of a claim family sits at or acts on
FAMILY_ZONES: dict[str, set[str]] = {
    "neckline": {"neck", "face", "chest"}, "hood": {"neck", "face"},
    "sleeve_length": {"arm"}, "sleeve_style": {"arm"},
    "waistband": {"waist", "leg"}, "rise": {"waist", "leg"},
    "leg_shape": {"leg", "waist"}, "hem": {"leg", "waist"}, "length": {"leg", "waist"},
    "fit": {"waist", "leg", "arm", "chest"}, "padding": {"chest"}, "wiring": {"chest"},
    "attr:裙型": {"waist", "leg"},  # a skirt's cut (a字, 包臀, 百褶), learned from the catalog's 裙型 key
    "breasting": {"chest", "waist"},  # a single- or double-breasted front shapes the body, not the neck or legs
}
# ornaments and fastenings (family, canon): they decorate or close a garment and shape no part of the body —
# a tie that "flatters the legs", buttons that "trim the neck", a bow that "makes you slimmer"; a tie, a
# drawstring or a bow tied at the waist may cinch it (their zones here)
ORNAMENTS: dict[tuple[str, str], set[str]] = {
    **{("closure", c): set() for c in ("zip", "button", "one_button", "frog", "velcro", "buckle")},
    **{("closure", c): {"waist"} for c in ("tie_up", "drawstring")},
    **{("embellishment", c): set() for c in ("sequins", "embroidery", "beads", "rhinestones", "tassels", "rivets",
                                             "distressed")},
    **{("embellishment", c): {"waist"} for c in ("bow", "tie_detail")},
    ("pockets", "pockets"): set(), ("branding", "logo"): set(),
    # a pattern's lines may slim the body, the legs or the waist, but not a neck, a face or the arms
    **{("pattern", c): {"leg", "waist"} for c in ("solid", "striped", "checked", "printed", "floral", "polka",
                                                 "camouflage")},
}
# what shapes the whole body, said of no zone ("显瘦", "遮肉", "修饰身材"): an ornament cannot do it either
BODY_EFFECT = re.compile(r"显瘦|显高|遮肉|藏肉|瘦身|(?:遮|藏)[^，。！？；]{0,6}赘肉|修饰(?:身材|身形|身型|体型)|拉长(?:身材|整体)?(?:的)?比例|"
                         r"显得?(?:更加?|十分|非常)?(?:的)?(?:纤细|苗条|高挑)")
# a word of what does shape the body, between an ornament and an effect, makes the effect that word's
# ("纽扣点缀，修身的版型更显瘦"; "拉链设计，黑色更显瘦")
SHAPERS = re.compile(r"版型|廓形|剪裁|裁剪|收腰|高腰|a字|直筒|阔腿|修身|深色|黑色|竖条|条纹|长度|裙长|裤长|衣长|线条")
# parts of a garment that name where another part sits ("袖口采用翻领设计": a collar at the cuffs)
PART_ZONE_WORDS: dict[str, list[str]] = {
    "arm": ["袖口", "衣袖", "袖子", "袖身"], "leg": ["裤脚", "裤腿", "裤口"], "waist": ["腰头", "腰带"],
    "hem": ["下摆", "裙摆", "衣摆"], "neck": ["领口"], "shoulder": ["肩部", "肩头"], "body": ["裙身", "衣身", "裤身"],
}
# where the parts of a family sit, for families whose parts sit at one place only (a ruffle or a slit may
# sit at a cuff, a hem or a neckline)
# sleeves, named where they are not ("裙身采用长袖的设计"); human copy does place a neckline or a hood on a
# garment's body (裙身采用秀气的圆领设计, 衣身采用常见的连帽款式设计), and the cut of trousers' legs on theirs
SITS_AT: dict[str, set[str]] = {"neckline": {"neck", "chest", "body"}, "hood": {"neck", "body"},
                                "sleeve_length": {"arm", "shoulder"}, "sleeve_style": {"arm", "shoulder"},
                                "rise": {"waist", "body"}, "leg_shape": {"leg", "hem", "body"}}
# necklines that open the shoulders sit there too (肩部采用一字领设计; not 肩部采用翻领); no effect names the
# shoulder, so only placement reads this
SITS_ALSO: dict[tuple[str, str], set[str]] = {("neckline", "off_shoulder"): {"shoulder"},
                                              ("neckline", "boat"): {"shoulder"}}
# a part of the zone itself named near the effect, known to a family or not ("吊带领设计，修饰颈部",
# "衣袖直筒设计，修饰手臂"): the effect is that part's, and possible
ZONE_PARTS: dict[str, re.Pattern] = {
    "neck": re.compile(r"领"), "face": re.compile(r"领|帽|色"), "arm": re.compile(r"袖|肩"),
    "waist": re.compile(r"腰"), "leg": re.compile(r"裤脚|裤腿|裙摆|下摆|腰|腿|裤型|裙长|长度"),
    "chest": re.compile(r"胸|领"),
}
# the zones a part sitting at a zone may act on: its own and those next to it (a waist seam lengthens the legs,
# a neckline opens the chest; nothing at the waist reaches the neck, the face or the arms)
NEAR: dict[str, set[str]] = {"waist": {"waist", "leg", "chest"}, "leg": {"leg", "waist"},
                             "neck": {"neck", "face", "chest"}, "face": {"face", "neck"},
                             "arm": {"arm"}, "chest": {"chest", "neck", "waist"}}
# the zones a product category covers (categories of ``FamilySet.categories_of``); a short top lengthens the
# legs; no garment reaches the face but through its collar, hood or colour (ZONE_PARTS: named near the effect)
CATEGORY_ZONES: dict[str, set[str]] = {
    "top": {"neck", "arm", "waist", "chest", "leg"},
    "outerwear": {"neck", "arm", "waist", "chest", "leg"},
    "dress": {"neck", "arm", "waist", "leg", "chest"}, "bottom": {"waist", "leg"}, "skirt": {"waist", "leg"},
    "innerwear_bottom": {"waist", "leg"}, "bra": {"chest"}, "footwear": {"leg"},
}
_ZONE_OF = {w: zone for zone, words in ZONE_WORDS.items() for w in words}
_ZONE_RE = "|".join(sorted(map(re.escape, _ZONE_OF), key=len, reverse=True))
# "修饰(出)(纤细的)腿部线条", "遮住脸部赘肉", "拉长腿部比例": what a part does for a zone
EFFECT = re.compile(rf"(?:修饰|遮住|遮盖|遮挡|遮|拉长|勾勒|衬托|凸显|拉伸|显|增加|增添|提升|拉高|修剪|打造|修长|塑造|展现|彰显)"
                    rf"(?:出|了|得|住|下|掉)?(?:你的|您的|女性的|女生的|女人的)?(?:[纤细修长优美迷人白皙精致瘦的]{{0,5}})(?P<zone>{_ZONE_RE})")
# "腰部(处)(的|采用了)…领口": where a part sits
WHERE = re.compile(rf"(?P<zone>{_ZONE_RE})(?:部|处|间)?(?:处)?(?:的|采用了?|设计了?|有|添加了?|加入了?|摆放了?"
                   rf"|点缀了?|饰以|配以|为)")
_PART_ZONE_OF = {w: zone for zone, words in PART_ZONE_WORDS.items() for w in words}
_AT_PART = re.compile("(?P<zone>" + "|".join(sorted(_PART_ZONE_OF, key=len, reverse=True))
                      + r")(?:(?:处|部分)(?:的|采用了?|设计了?|有|添加了?|加入了?|饰以|配以|为)?"
                      r"|(?:的|采用了?|设计了?|有|添加了?|加入了?|饰以|配以|为)|处处都采用了?|都采用了?)")
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_CLAUSE_END = re.compile(r"[，,、]")


@dataclass(frozen=True)
class Placement:
    start: int
    end: int
    text: str
    reason: str


def senseless_placements(norm: str, mentions: list, categories: set[str]) -> list[Placement]:
    """Impossible placements and effects in normalised Chinese ``norm`` (``mentions``: its claim-family
    mentions; ``categories``: the product's categories)."""
    found: list[Placement] = []
    covered = set().union(*(CATEGORY_ZONES[c] for c in categories if c in CATEGORY_ZONES)) if categories else set()
    judged_category = any(c in CATEGORY_ZONES for c in categories)
    for m in EFFECT.finditer(norm):
        zone, (window, part) = _ZONE_OF[m.group("zone")], _subject(norm, m.start(), mentions)
        # a part of the zone named near the effect makes it that part's, if the product can have such a part:
        # a neckline's effect on trousers (阔腿裤…领部采用精致的领扣装饰，修饰颈部线条) stays impossible (the face
        # is reached through a collar, a hood or a colour, whatever the garment)
        if ZONE_PARTS[zone].search(norm, window, m.start()) and (
                not judged_category or zone in covered or zone == "face"):
            continue
        located = _located_at(norm, window, m.start())
        if located is not None and zone not in NEAR[located]:  # 腰部的收腰设计，修饰颈部线条
            found.append(Placement(m.start(), m.end(), m.group(0),
                                   f"impossible: what sits at the {located} cannot act on the {zone}"))
            continue
        # the zones the part may act on: an ornament's, else its family's
        reach = _ornament_reach(norm, part, m.start())
        if reach is None and part is not None:
            reach = FAMILY_ZONES.get(part.family)
        if reach is not None:
            if zone not in reach:  # the effect is what is senseless, not the part
                found.append(Placement(m.start(), m.end(), m.group(0),
                                       f"impossible: {part.text} cannot act on the {zone}"))
        elif judged_category and zone not in covered:
            found.append(Placement(m.start(), m.end(), m.group(0),
                                   f"impossible: this product does not reach the {zone}"))
    for m in BODY_EFFECT.finditer(norm):
        if any(f.start < m.end() and m.start() < f.end for f in found):
            continue
        window, part = _subject(norm, m.start(), mentions)
        if "腰" in norm[window:m.start()]:  # what is at the waist may cinch it, and a cinched waist slims
            continue
        reach = _ornament_reach(norm, part, m.start())
        if reach is not None and "leg" not in reach:  # a pattern's lines may slim the body; a bow cannot
            found.append(Placement(m.start(), m.end(), m.group(0), f"impossible: {part.text} cannot shape the body"))
    for where, zone_of, zones in ((WHERE, _ZONE_OF, FAMILY_ZONES), (_AT_PART, _PART_ZONE_OF, SITS_AT)):
        for m in where.finditer(norm):
            zone = zone_of[m.group("zone")]
            clause_end = _next_break(norm, m.end(), _CLAUSE_END)
            part = next((p for p in mentions if m.end() <= p.start < min(clause_end, m.end() + 10)), None)
            also = SITS_ALSO.get((part.family, part.canon), set()) if part is not None else set()
            if part is not None and part.family in zones and zone not in zones[part.family] | also:
                found.append(Placement(m.start(), part.end, norm[m.start():part.end],
                                       f"impossible: {part.text} does not sit at the {zone}"))
    return found


# a feature placed at a part of the garment ("裤脚采用拉链设计"): the data must say it sits there, by the key
# it lists the feature under (裤口, 裙下摆, 衣袖型) or by a value naming the part (袖口开叉)
LOCATION_STEMS: dict[str, tuple[str, ...]] = {
    "裤脚": ("裤口", "裤脚", "脚口"), "裤口": ("裤口", "裤脚", "脚口"), "裤腿": ("裤腿", "裤型", "裤口"),
    "袖口": ("袖",), "衣袖": ("袖",), "袖子": ("袖",), "领口": ("领",), "下摆": ("下摆", "摆"), "裙摆": ("下摆", "摆"),
    "腰部": ("腰",), "腰间": ("腰",), "腰头": ("腰",), "肩部": ("肩",), "背部": ("背",), "胸前": ("胸",),
}
LOCATION = re.compile("(?P<part>" + "|".join(sorted(LOCATION_STEMS, key=len, reverse=True)) + ")"
                      r"(?:处|部分|部位)?(?:的|采用了?|设计了?|加入了?|饰以|配以|点缀了?|有)")


def unplaced_features(norm: str, mentions: list, attributes: dict[str, list[str]]) -> list[Placement]:
    """Features of the data said to sit at a part of the garment the data does not place them at (a zip the
    data lists among the trousers' features, written "at the hems"): unsupported, the place is invented.
    Families that sit at one place only are judged by ``senseless_placements``."""
    found = []
    for m in LOCATION.finditer(norm):
        clause_end = _next_break(norm, m.end(), _CLAUSE_END)
        part = next((p for p in mentions if m.end() <= p.start < min(clause_end, m.end() + 8)), None)
        if part is None or part.family in SITS_AT:
            continue
        keys = [k for k, vs in attributes.items() for v in vs if part.text in v.lower() or v.lower() in part.text]
        stems = LOCATION_STEMS[m.group("part")]
        placed = any(stem in k or any(stem in v for v in attributes[k]) for k in keys for stem in stems)
        if keys and not placed:  # the place is what is invented: a cut of it leaves the feature ("…的拉链设计")
            reason = f"the data does not place {part.text} at the {m.group('part')}"
            found.append(Placement(m.start(), m.end(), norm[m.start():m.end()], reason))
            # what the sentence goes on to say of that place speaks of the invented placement ("方便裤脚的穿脱")
            sentence_end = _next_break(norm, m.end(), _SENTENCE_END)
            for again in re.compile(re.escape(m.group("part"))).finditer(norm, m.end(), sentence_end):
                found.append(Placement(again.start(), again.end(), again.group(0), reason))
    return found


# a part of a garment said to be made as a whole garment ("裤脚采用背带裤的设计", "袖口采用连衣裙设计")
GARMENT_PART = re.compile(r"(?P<part>裤脚|裤腿|裤口|袖口|袖子|衣袖|领口|衣领|下摆|裙摆|腰部|腰头|腰间|肩部|背部|口袋|门襟)"
                          r"(?:处|部分)?(?:采用了?|设计成了?|做成了?|设计为|为|是)[^，。,;；！？]{0,6}$")
GARMENT_GROUPS = {"top", "outerwear", "dress", "skirt", "bottom", "bra", "innerwear_bottom"}
# what no part of a garment can be: a garment, or a shoe ("裤脚采用高跟鞋设计")
NOT_A_PART = GARMENT_GROUPS | {"footwear"}


def garments_as_parts(norm: str, category_mentions: list[tuple[list[str], int, int]],
                      mentions: list) -> list[Placement]:
    """A part of the product said to be a whole garment (``category_mentions``: FamilySet.category_mentions;
    one inside a longer claim-family mention, 衬衫 in 衬衫袖, is that detail): impossible."""
    found = []
    for cats, start, end in category_mentions:
        inside = any(p.start <= start and end <= p.end and p.end - p.start > end - start for p in mentions)
        if inside or not NOT_A_PART & set(cats):
            continue
        clause_start = max((m.end() for m in re.finditer(r"[，。,;；！？\n]", norm[:start])), default=0)
        m = GARMENT_PART.search(norm, clause_start, start)
        if m:
            found.append(Placement(m.start(), end, norm[m.start():end],
                                   f"impossible: the {m.group('part')} cannot be a {norm[start:end]}"))
    return found


def _located_at(norm: str, start: int, at: int) -> str | None:
    """The body zone the words before an effect place their subject at ("腰部的收腰设计，" -> waist), from the
    last place named in ``norm[start:at]``; None when none is named."""
    places = list(WHERE.finditer(norm, start, at))
    return _ZONE_OF[places[-1].group("zone")] if places else None


def _ornament_reach(norm: str, part, at: int) -> set[str] | None:
    """The zones an ornament or a fastening ``part`` (the subject of an effect at ``at``) may act on; None
    when the part is not one, or when a word of what shapes the body stands between them."""
    if part is None or (part.family, part.canon) not in ORNAMENTS or SHAPERS.search(norm, part.end, at):
        return None
    return ORNAMENTS[part.family, part.canon]


def _subject(norm: str, at: int, mentions: list):
    """Where the words about an effect start (its sentence: "X的设计，…，修饰颈部线条"), and the part it speaks
    of: the last claim-family mention there before it, if any."""
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(norm, 0, at)), default=0)
    before = [p for p in mentions if sentence_start <= p.start and p.end <= at]
    return sentence_start, (before[-1] if before else None)


def _next_break(norm: str, at: int, pattern: re.Pattern) -> int:
    m = pattern.search(norm, at)
    end = _SENTENCE_END.search(norm, at)
    return min(x.start() for x in (m, end) if x) if (m or end) else len(norm)
