"""Text quality: what an editor cuts from fluent copy that is not a claim problem (issue 25).

``text_quality(text, record)`` returns findings (dicts: kind, text, start, end, reason, fix, ban), each of
a kind an editor named when rating outputs blind:

- ``quality:repeat`` — an idea said twice: two clauses sharing the same content words (凸显出纤细的腰身，
  展现出纤细的腰身; 增添了层次感，更有层次感), not only the same clause (``tasks.repeats`` drops those
  while decoding). Words of the product's own data (its type, attribute values) and the connective words
  of copy (设计, 采用, 更加…) do not count: naming the product twice is not repeating an idea. The later
  clause is the finding; its fix is to leave it out, its ban the shared words.
- ``quality:doubled`` — a character or word written twice by mistake (灰色色, 起起来, "the the");
  reduplications the language uses (满满, 轻轻, 整整齐齐) are not. Fix: write it once.
- ``quality:debris`` — unknown-token and markup debris (``<unk>``, ``</s>``, ``&nbsp;``, ``**``, doubled
  punctuation). Fix: remove it.
- ``quality:fragment`` — a sentence with no predicate left by a cut or a loop (牛仔布的拼接。, 宽松的下摆设计。),
  a topic clause that ends its sentence with nothing said about it, or a verb that lost its object (采用系，
  采用材质). Fix: leave it out.
- ``quality:empty`` — an opening that names the product type as its own design (这款裤子采用经典的裤设计).
  Its ban: the phrase.
- ``quality:brand`` — the brand spelled otherwise than in the data (case or one or two letters off).
  Fix: the data's spelling.
- ``quality:type`` — the copy calls the product another kind of garment than its data says (a jumpsuit
  called a top; a skirt called trousers). Its ban: the wrong type word.

The guard regenerates outputs with findings, with their bans at decoding; what is still there after
regeneration is fixed as each ``fix`` says where it can be, and flagged where it cannot.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.english_copy import english_findings

SENTENCE_END = "。！？!?"
_CLAUSE = re.compile(r"[^，。！？；、,.!?;\n]+")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'&.-]*")

# the connective and evaluative words of Chinese product copy: shared by two clauses, they do not make a
# repeated idea (every sentence may "采用…设计" or "让整体看起来更加…")
_ZH_FUNCTION = frozenset(
    "设计 采用 采用了 整体 看起来 起来 更加 非常 展现 展现出 凸显 凸显出 彰显 彰显出 尽显 搭配 搭配上 款式 这款 "
    "同时 同时还 而且 并且 感觉 效果 视觉 可以 能够 很好 具有 显得 还有 以及 带来 打造 打造出 增添 增添了 增加 "
    "增加了 穿着 上身 穿起来 让你 给人 一种 十分 特别 时候 不仅 更是 也是 就是 这样 出来 满满的 满满 之间 加上 "
    "而是 还能 不会 适合 各种 场合 女性 女生 男士 细节 简约 时尚 经典".split())
_EN_FUNCTION = frozenset(
    "with that this these those from your into onto over under have has having made make makes look looks "
    "style styled design designed features featuring feature perfect great comfortable comfort easy wear wearing "
    "worn pair piece adds add also more most very just which while will would their there where when what".split())
# the evaluative ideas of Chinese apparel copy, each with the words that say it: the same idea again within
# two clauses is said twice, whatever the words (柔软舒适，穿着非常舒服). Human copy comes back to an idea
# further on; the model repeats it at once (benchmarks/text_quality.py counts both).
_ZH_IDEAS = {
    "comfort": "舒适 舒服 舒爽 舒心 亲肤", "slim": "显瘦 纤细 苗条 显高 高挑 纤长", "casual": "休闲 随性 随意 慵懒",
    "convenient": "方便 便捷 便于", "elegant": "优雅 高雅 典雅 端庄", "delicate": "精致 精美 细腻",
    "fashion": "时尚 时髦 潮流 潮范", "layers": "层次感 层次", "temperament": "气质", "youth": "活力 青春 减龄 少女感 少女",
    "sweet": "甜美 可爱 俏皮", "retro": "复古", "soft": "柔软 软糯", "breathable": "透气", "texture": "质感",
    "charm": "魅力 女人味", "fresh": "清新 淡雅", "artsy": "文艺", "neck": "颈部 脖颈 脖子 肩颈",
}
_IDEA_OF = {w: idea for idea, words in _ZH_IDEAS.items() for w in words.split()}
_IDEA = re.compile("|".join(sorted(map(re.escape, _IDEA_OF), key=len, reverse=True)))
IDEA_DISTANCE = 2  # clauses
# the model's verbal tics: a frame or an intensifier written a third time in one short text (展现出…展现出…
# 展现出; 非常的…非常…非常的); 12 of 599 human references do it too, and read as repetitive
# (benchmarks/text_quality.py). An intensifier's later uses are dropped; a frame's clause is left out.
_ZH_INTENSIFIERS = ("非常", "更加", "十分")
_ZH_TIC = re.compile(r"(非常|更加|十分)的?|展现|修饰|同时|增添|兼顾|打造|凸显|彰显|尽显|满满|显瘦|纤细|方便|层次感")
TIC_TIMES = 3
# ... and words a short text says once: a second 满满, 显瘦, 纤细, 方便 or 层次感 anywhere is a repetition to the
# raters (26 of the 174 distinct model texts rated repetitive, 2 of 280 others; 8 of 599 human references)
TWICE_TIMES = {"满满": 2, "显瘦": 2, "纤细": 2, "方便": 2, "层次感": 2}
# one of the product's own values named as a design again in the next clause or in the same one (采用网纱拼接
# 设计，精致的网纱装饰; 口袋处加入了口袋装饰): 7 of 599 human references do it
_AS_DESIGN = r"(?:的)?[^，,。]{0,2}?(?:设计|装饰|面料|布料|元素|材质|效果|拼接|图案|款式|版型|风格|点缀)"
SHORT_SENTENCE = 8  # characters: a one-clause sentence this short with no verb or adjective is a fragment
# reduplications the language uses on purpose (AABB forms such as 整整齐齐 are recognised as such)
_JOINERS = frozenset("而 并 且 而且 并且 以及".split())  # 和, 与, 及: jieba splits 亲和的 so
_ZH_REDUPLICATIONS = frozenset(
    "常常 慢慢 轻轻 淡淡 满满 浅浅 小小 大大 好好 款款 点点 丝丝 层层 渐渐 微微 暖暖 软软 萌萌 美美 闪闪 乖乖 翩翩 "
    "飘飘 悠悠 纤纤 亭亭 楚楚 盈盈 绵绵 甜甜 酷酷 帅帅 静静 紧紧 稍稍 刚刚 偏偏 处处 人人 天天 个个 件件 宝宝 妈妈 "
    "爸爸 哥哥 姐姐 妹妹 弟弟 奶奶 爷爷 星星 娃娃 滔滔 洋洋 鼓鼓 扁扁 圆圆 长长 短短 高高 宽宽 细细 薄薄 厚厚 多多 "
    "方方 蓬蓬 毛毛 绒绒 松松 团团 实实 清清 爽爽 干干 净净 整整 齐齐 明明 白白 时时 年年 岁岁 朵朵 片片 条条 "
    "丝丝 粒粒 颗颗 重重 叠叠 匆匆 忙忙 蹦蹦 跳跳 嘻嘻 哈哈 呵呵 哒哒 滴滴 沙沙 哗哗 咚咚 嘀嘀 棱棱 格格 尖尖 "
    "弯弯 翘翘 蓬蓬 嫩嫩 润润 亮亮 香香 凉凉 冰冰 热热 懒懒 柔柔 粉粉 蓝蓝 红红 绿绿 黑黑 灰灰 傻傻 呆呆 乐乐 "
    "往往 稳稳 牢牢 足足 实实在在 仅仅 统统 通通 渐渐 默默 深深 久久 频频 纷纷 连连 缓缓 悄悄 隐隐 依依 恋恋 "
    "密密 麻麻 平平 淡淡 舒舒 服服 妥妥 棒棒 萌萌哒 泡泡 肉肉 拉拉 球球 袋袋 扣扣 兜兜 试试 浓浓 调调 看看 走走 想想 玩玩 聊聊 逛逛 袖袖 栩栩 脱脱 翩翩 姗姗 津津 熠熠 炯炯".split())
_EN_DOUBLED_OK = frozenset({"bye", "so", "knock", "very", "no", "ha", "tut", "chop", "bling", "pom", "tom", "can"})
_DEBRIS = re.compile(
    r"<\s*/?\s*(?:unk|s|pad|eos|bos|mask|sep|cls|br|p|div|span|b|i|em|strong)\s*/?\s*>|\[(?:UNK|PAD|MASK|SEP|CLS)\]|"
    r"<\|[^|>]{0,30}\|>|&(?:nbsp|amp|lt|gt|quot|#\d+);|\ufffd|\*\*+|#{2,}|`{2,}|\\n|\{\{?|\}\}?|"
    r"([，,。、；;：:！!？?])\s*[，,。、；;：:]+", re.IGNORECASE)
_TOPIC_NOUNS = "设计|装饰|拼接|点缀|元素|版型|款式|面料|细节|图案|风格|工艺|剪裁|处理|造型"
_DANGLING_WHEN = re.compile(r"(?:(?<!过去)(?<!现在)(?<!将来)(?<![随平有当那此届适及准按不一暂临小定])时|的时候|的同时)$")
_OBJECT_VERBS = "采用|选用|运用|使用|搭配|搭载|选择|配以|配有|饰以|添加|加入"
_ATTRIBUTE_NAMES = frozenset("材质 面料 颜色 图案 风格 版型 元素 工艺 款式 领型 袖型 衣长 裤长 裙长 腰型 尺码 设计".split())
_FRAGMENT_ZH = re.compile(rf"^[^，,的]{{1,10}}的(?:[^，,的]{{0,4}}(?:{_TOPIC_NOUNS})|[^，,的]{{1,3}})$")

# garment families: copy that names a member of another family than the data's has the product wrong
_ZH_FAMILIES = {
    "top": "上衣 衬衫 衬衣 T恤 t恤 卫衣 毛衣 针织衫 外套 夹克 风衣 大衣 羽绒服 马甲 背心 打底衫 开衫 西装 棉服 雪纺衫 polo衫",
    "trousers": "裤子 牛仔裤 阔腿裤 短裤 长裤 休闲裤 打底裤 西裤 哈伦裤 九分裤 七分裤 喇叭裤 直筒裤 小脚裤 运动裤",
    "dress": "连衣裙 长裙 短裙 半身裙 裙子 背带裙 吊带裙 a字裙 百褶裙 包臀裙 鱼尾裙 蓬蓬裙 衬衫裙 毛衣裙",
    "jumpsuit": "连体裤 连体衣 背带裤",
}
ZH_GARMENT_WORDS = frozenset(w for words in _ZH_FAMILIES.values() for w in words.lower().split())
_ZH_TYPE_OF = {"上衣": "top", "裤": "trousers", "裙": "dress"}  # AdvertiseGen's 类型 values
# parts only another kind of garment has: a top's copy that speaks of trouser legs (卫衣…穿着的裤脚设计) has the
# product wrong. 1 of 227 human references of tops does it, of a product its data calls a top by mistake
# (此款阔腿裤…); trousers are left out, as 类型#裤 holds jumpsuits, with necklines and cuffs
_ZH_FOREIGN_PARTS = {"top": re.compile(r"裤脚|裤腿|裤口")}
# 更加 before a bare noun (更加的层次感, 更加的清新的感觉): the raters' "更加的层次感 is a grammar slip";
# written 更有层次感, 更加清新. Adjectives in 感 (性感, 动感) take 更加 as they are
_MORE_NOUN = re.compile(r"更加的?(?!有|具|富|显|突出|性感|骨感|敏感|动感|肉感)([\u4e00-\u9fff]{1,3}感)(?=[，,。！？、；;]|$)")
_MORE_FEELING = re.compile(r"更加的?([\u4e00-\u9fff]{2,4}?)的感觉")
_EN_FAMILIES = {
    "top": "shirt shirts t-shirt t-shirts tshirt tee tees top tops blouse sweatshirt hoodie sweater jacket kurta "
           "kurti tunic cardigan blazer waistcoat",
    "trousers": "jeans trousers pants shorts joggers leggings chinos track pants",
    "dress": "dress dresses skirt skirts gown",
    "jumpsuit": "jumpsuit jumpsuits playsuit dungarees romper",
}


def text_quality(text: str, record: ProductRecord, describe: bool = False) -> list[dict]:
    """The quality findings of ``text`` (written for ``record``), in text order; ``describe``: the text is a
    product description (English copy without a suggestion of how to wear or use it gets one)."""
    zh = record.locale == "zh-CN"
    findings = _debris(text) + _doubled(text, zh) + _repeats(text, record, zh) + _fragments(text, zh, record)
    findings += (_empty_openings(text, record) + _empty_objects(text, record) + _joined_to_nothing(text)
                 + _grammar(text)) if zh else []
    findings += _brand(text, record) + _wrong_type(text, record, zh) + (_foreign_parts(text, record) if zh else [])
    findings += _full_stop(text, findings) if zh else english_findings(text, record, describe)
    return sorted(findings, key=lambda f: (f["start"], f["kind"]))


def apply_fixes(text: str, findings: list[dict]) -> str:
    """``text`` with every finding that has a fix applied (a replacement of its span; "" removes it),
    later spans first, overlapping ones skipped; punctuation left doubled by a removal is tidied."""
    done_until = len(text) + 1
    for f in sorted((f for f in findings if f.get("fix") is not None), key=lambda f: f["start"], reverse=True):
        if f["end"] > done_until:
            continue
        text = text[:f["start"]] + f["fix"] + text[f["end"]:]
        done_until = f["start"]
    text = re.sub(r"([，,、；;])\s*([，,、；;。！？.!?])", r"\2", text)
    text = re.sub(r"([。！？])[。！？]+", r"\1", text)
    text = re.sub(r"^[，,、；;。\s]+", "", text)
    return re.sub(r"\s{2,}", " ", text).strip(" ，,、；;")


def _finding(kind: str, text: str, start: int, end: int, reason: str, fix: str | None = None,
             ban: list[str] | None = None) -> dict:
    return {"kind": kind, "text": text[start:end], "start": start, "end": end, "reason": reason, "fix": fix,
            "ban": list(ban or [])}


def _debris(text: str) -> list[dict]:
    out = []
    for m in _DEBRIS.finditer(text):
        fix = m.group(1) if m.group(1) else ""
        out.append(_finding("quality:debris", text, m.start(), m.end(), f"markup or token debris '{m.group(0)}'", fix))
    return out


def _doubled(text: str, zh: bool) -> list[dict]:
    out = []
    if zh:
        for m in re.finditer(r"([\u4e00-\u9fff])\1", text):
            pair, a = m.group(0), m.start()
            aabb = (a + 3 < len(text) and text[a + 2] == text[a + 3]) or (a >= 2 and text[a - 2] == text[a - 1])
            if pair in _ZH_REDUPLICATIONS or aabb or not _one_word_too_many(text, a):
                continue
            out.append(_finding("quality:doubled", text, a, a + 2, f"'{m.group(1)}' written twice", m.group(1)))
        tokens = _word_spans(text)
        for (a, _, w), (_, _, mid), (c, _, w2) in zip(tokens, tokens[1:], tokens[2:]):  # 拼接的拼接, 显瘦又显瘦, 休闲的休闲裤
            if len(w) >= 2 and mid in ("的", "又", "而", "且") and w2.startswith(w) and _CJK.match(w):
                fix = w if w2 == w else w2  # 显瘦又显瘦 -> 显瘦; 休闲的休闲裤 -> 休闲裤
                out.append(_finding("quality:doubled", text, a, c + len(w2), f"'{w}' written twice", fix))
        for (a, _, w), (_, _, w2) in zip(tokens, tokens[1:]):  # 修长修长的裙摆: a word written twice in a row
            if len(w) >= 2 and w2 == w and _CJK.match(w) and w not in _ZH_REDUPLICATIONS:
                out.append(_finding("quality:doubled", text, a, a + 2 * len(w), f"'{w}' written twice", w))
        out += _coordinated_twice(text, r"([\u4e00-\u9fffA-Za-z0-9]{2,12})(?:和|与|及|以及|、|或|或者)\1", out)
        return out
    out += _coordinated_twice(text, r"\b((?:[A-Za-z'-]+\s+){0,4}[A-Za-z'-]{3,})\s+(?:and|or|&)\s+\1\b", [])
    for m in re.finditer(r"\b([A-Za-z]+)(\s+)\1\b", text, re.IGNORECASE):
        if m.group(1).lower() not in _EN_DOUBLED_OK:
            out.append(_finding("quality:doubled", text, m.start(), m.end(), f"'{m.group(1)}' written twice",
                                m.group(1)))
    return out


def _coordinated_twice(text: str, pattern: str, found: list[dict]) -> list[dict]:
    """The same phrase on both sides of an "and" (牛仔短袖T恤和牛仔短袖T恤, "a shirt and a shirt"): said once."""
    out = []
    for m in re.finditer(pattern, text, re.IGNORECASE):
        if not any(f["start"] < m.end() and m.start() < f["end"] for f in found):
            out.append(_finding("quality:doubled", text, m.start(), m.end(), f"'{m.group(1)}' written twice, "
                                "joined to itself", m.group(1)))
    return out


def _one_word_too_many(text: str, a: int) -> bool:
    """At ``a`` a character is doubled across words: a word ending in it, then it alone (灰色 + 色), or it
    inside one word that is not a reduplication; "v领" + "领口" (the next word starts with it) is two words."""
    tokens = _word_spans(text)
    first = next((t for t in tokens if t[0] <= a < t[1]), None)
    second = next((t for t in tokens if t[0] <= a + 1 < t[1]), None)
    if first is None or second is None:
        return False
    if first == second:
        return True
    return len(second[2]) == 1 and len(first[2]) >= 2


def _clauses(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _CLAUSE.finditer(text) if m.group().strip()]


def _repeats(text: str, record: ProductRecord, zh: bool) -> list[dict]:
    """Later clauses that share content words with an earlier one (two, or one of three characters or more
    in Chinese / one content bigram in English): the same idea said again."""
    own = _own_terms(record)
    spans = _clauses(text)
    words = [_content_words(text[a:b], zh, own) for a, b in spans]
    said_again = _idea_repeats(text, spans) + _tics(text, spans) + _own_repeats(text, spans, record) if zh else []
    out = _one_per_span(said_again)
    taken = {f["start"]: f for f in out}
    for j, (a, b) in enumerate(spans):
        for i in range(j):
            shared = words[i] & words[j]
            strong = [w for w in shared if (len(w) >= 3 if zh else " " in w)]
            echo = _echo(text[spans[i][0]:spans[i][1]], text[a:b], zh)
            if echo:  # the same clause again, the product's own words included (经典的牛仔布面 twice)
                shared, strong = shared | {echo}, [echo]
            if (len(shared) >= 2 or strong) and a in taken:  # the same clause, found as an idea: ban both
                taken[a]["ban"] = list(dict.fromkeys(_longest_first(shared, text[a:b])[:3] + taken[a]["ban"]))
                break
            if len(shared) >= 2 or strong:
                said = _longest_first(shared, text[a:b])
                out.append(_finding("quality:repeat", text, a, b, f"says again what '{text[spans[i][0]:spans[i][1]]}' "
                                    f"said ({'、'.join(said) if zh else ', '.join(said)})", "", said[:3]))
                break
    return out


def _one_per_span(findings: list[dict]) -> list[dict]:
    """One finding per span: a clause found by several rules keeps the first reason and all their bans."""
    kept: dict[tuple[int, int], dict] = {}
    for f in findings:
        if (f["start"], f["end"]) in kept:
            first = kept[f["start"], f["end"]]
            first["ban"] = list(dict.fromkeys(first["ban"] + f["ban"]))
        else:
            kept[f["start"], f["end"]] = f
    return list(kept.values())


def _longest_first(words: set[str], clause: str) -> list[str]:
    """Shared words, longest first, then in the order the clause says them: the same findings and bans in
    every process (a set's order changes with the hash seed, and a ban changes what is decoded)."""
    return sorted(words, key=lambda w: (-len(w), clause.find(w) if w in clause else len(clause), w))


def _idea_repeats(text: str, spans: list[tuple[int, int]]) -> list[dict]:
    """A clause that says an evaluative idea the clause one or two before it said (显瘦…更显瘦)."""
    last: dict[str, int] = {}
    out = []
    for j, (a, b) in enumerate(spans):
        ideas: dict[str, str] = {}
        for m in _IDEA.finditer(text[a:b]):
            ideas.setdefault(_IDEA_OF[m.group(0)], m.group(0))
        again = [(idea, w) for idea, w in ideas.items() if idea in last and 0 < j - last[idea] <= IDEA_DISTANCE]
        if again:
            idea, w = again[0]
            before = text[spans[last[idea]][0]:spans[last[idea]][1]]
            out.append(_finding("quality:repeat", text, a, b, f"says {idea} ('{w}') again, right after '{before}'",
                                "", _ZH_IDEAS[idea].split()))
        last.update({idea: j for idea in ideas})
    return out


def _tics(text: str, spans: list[tuple[int, int]]) -> list[dict]:
    """A frame or an intensifier written a third time and more (``_ZH_TIC``): the intensifier removed, the
    clause of a frame left out; the ban is the word."""
    uses: dict[str, list[re.Match]] = {}
    for m in _ZH_TIC.finditer(text):
        uses.setdefault(m.group(1) or m.group(0), []).append(m)
    out = []
    for word, ms in uses.items():
        times = TWICE_TIMES.get(word, TIC_TIMES)
        for n, m in enumerate(ms[times - 1:], times):
            reason = f"writes '{word}' {n} times in one text"
            if word in _ZH_INTENSIFIERS:
                out.append(_finding("quality:repeat", text, m.start(), m.end(), reason, "", [word]))
            else:
                a, b = next((a, b) for a, b in spans if a <= m.start() < b)
                out.append(_finding("quality:repeat", text, a, b, reason, "", [word]))
    return out


def _own_repeats(text: str, spans: list[tuple[int, int]], record: ProductRecord) -> list[dict]:
    """A clause naming one of the product's values as a design (``_AS_DESIGN``) that the clause before it
    named as a design too, or that names the value twice; whole jieba words only (not 高腰 in 提高腰线)."""
    words = _word_spans(text)
    starts, ends = {a for a, _, _ in words}, {b for _, b, _ in words}
    values = sorted({v for key, vs in record.attributes.items() if key != "类型" for v in vs
                     if len(v) >= 2 and v.lower() not in ZH_GARMENT_WORDS}, key=lambda v: (-len(v), v))
    out, found = [], set()
    for value in values:
        named = re.compile(re.escape(value))
        as_design = re.compile(re.escape(value) + _AS_DESIGN)
        design_in = [next((m for m in as_design.finditer(text, a, b) if m.start() in starts), None) for a, b in spans]
        for j, (a, b) in enumerate(spans):
            times = [m for m in named.finditer(text, a, b) if m.start() in starts and m.end() in ends]
            twice = j > 0 and design_in[j] and design_in[j - 1]
            if j in found or not (twice or (design_in[j] and len(times) >= 2)):
                continue
            found.add(j)
            said = design_in[j].group(0)
            out.append(_finding("quality:repeat", text, a, b, f"names '{value}' again ('{said}')", "", [said]))
    return out


def _echo(earlier: str, later: str, zh: bool) -> str | None:
    """The longest stretch the later clause repeats of the earlier one, when it is most of the later clause
    (at least 5 characters and 60 % of it in Chinese; 4 words and 60 % in English)."""
    from difflib import SequenceMatcher

    x, y = (earlier, later) if zh else (earlier.lower().split(), later.lower().split())
    match = SequenceMatcher(None, x, y, autojunk=False).find_longest_match(0, len(x), 0, len(y))
    size = match.size
    if size >= (5 if zh else 4) and size >= 0.6 * len(y):
        return later[match.b:match.b + size] if zh else " ".join(y[match.b:match.b + size])
    return None


def _content_words(clause: str, zh: bool, own: set[str]) -> set[str]:
    if zh:
        words = [w for w in _jieba_words(clause) if len(w) >= 2 and _CJK.match(w) and w not in _ZH_FUNCTION]
        return {w for w in words if not any(w in t or t in w for t in own)}
    tokens = [w.lower() for w in _LATIN_WORD.findall(clause)]
    content = [w for w in tokens if len(w) >= 4 and w not in _EN_FUNCTION and w not in own]
    bigrams = {f"{x} {y}" for x, y in zip(tokens, tokens[1:]) if x in content and y in content}
    return set(content) | bigrams if len(content) >= 3 else bigrams


def _own_terms(record: ProductRecord) -> set[str]:
    """The product's own words: naming them twice is naming the product, not repeating an idea."""
    values = [v for vs in record.attributes.values() for v in vs] + [record.category or "", record.brand or ""]
    if record.locale == "zh-CN":
        return {v for v in values if v} | {w for v in values for w in _jieba_words(v) if len(w) >= 2}
    words = " ".join(values + [record.title or ""]).lower()
    return set(_LATIN_WORD.findall(words))


@lru_cache(maxsize=4096)
def _jieba_words(text: str) -> tuple[str, ...]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return tuple(jieba.lcut(text))


def _word_spans(text: str) -> list[tuple[int, int, str]]:
    """The jieba words of ``text`` with where each starts and ends."""
    spans, at = [], 0
    for word in _jieba_words(text):
        spans.append((at, at + len(word), word))
        at += len(word)
    return spans


def _fragments(text: str, zh: bool, record: ProductRecord) -> list[dict]:
    """A sentence that is one predicate-less noun phrase (牛仔布的拼接。), or whose last clause is a topic
    with nothing said about it (…，腰带的设计。); a text that stops mid-clause (…，穿着)."""
    if not zh:
        return []
    features = _feature_names(record)
    out = []
    tail = re.search(r"[，,、；;]([^，,、；;。！？!?]{1,6})$", text)
    if tail:  # the copy ran out of tokens: the unfinished clause goes, the sentence ends
        out.append(_finding("quality:fragment", text, tail.start(), tail.end(), f"'{tail.group(1)}' is cut off", "。"))
    for s in _SENTENCE.finditer(text):
        clauses = [(s.start() + a, s.start() + b) for a, b in _clauses(s.group())]
        if not clauses:
            continue
        a, b = clauses[-1]
        body = text[a:b].strip()
        # a "not only" whose "but also" a cut took: the clause reads on alone
        if body.startswith("不仅") and not re.search(r"还|也|更|而且|并且|同时", body[2:]):
            out.append(_finding("quality:fragment", text, a, a + 2, f"'{body}' says 'not only' with nothing after",
                                 ""))
            continue
        if _dangling_when(body):  # 上身穿搭时。: a "when" with nothing said of it
            out.append(_finding("quality:fragment", text, a, b, f"'{body}' is a 'when' clause with no main "
                                "clause after it", ""))
            continue
        # a short sentence of nouns alone (腰间领口处。) is a fragment whatever its last word
        shape = (_FRAGMENT_ZH.match(body) or (len(body) <= 12 and re.search(f"(?:{_TOPIC_NOUNS})$", body))
                 or (len(clauses) == 1 and len(body) <= SHORT_SENTENCE and _nouns_only(body)))
        if (shape and (len(clauses) == 1 or re.search(f"(?:{_TOPIC_NOUNS})$", body))
                and not _has_predicate(body, whole_sentence=len(clauses) == 1, features=features)):
            start = a if len(clauses) > 1 else s.start()
            out.append(_finding("quality:fragment", text, start, b, f"'{body}' says nothing about it (no predicate)",
                                ""))
    return out


def _nouns_only(clause: str) -> bool:
    """Every word of the clause a noun, a place or a locative (腰间领口处): it names, and says nothing."""
    import jieba.posseg

    return all(flag[:1] in ("n", "f", "s") for _, flag in jieba.posseg.lcut(clause))


def _dangling_when(clause: str) -> bool:
    """The clause ends in a "when" (穿搭时, 的时候, 的同时), not in a word of time (随时, 平时, 过去时)."""
    return bool(_DANGLING_WHEN.search(clause))


def _has_predicate(clause: str, whole_sentence: bool = False, features: frozenset[str] = frozenset()) -> bool:
    """A verb or adjective before the last 的 (打造出休闲的风格, 宽松的版型): the clause says something. When
    the clause is its sentence, an adjective before 的 only describes the noun after it (宽松的下摆设计。 is a
    noun phrase, like 牛仔布的拼接。): a verb is needed. The name of a feature of the product is no verb, whatever
    its form (收腰的设计。 names the cinched waist and says nothing of it)."""
    import jieba.posseg

    head = clause[:clause.rfind("的")] if "的" in clause else clause
    kinds = ("v",) if whole_sentence and "的" in clause else ("v", "a")
    return any(flag.startswith(kinds) and flag != "vn" and not any(w in f for f in features)
               for w, flag in jieba.posseg.lcut(head))


def _feature_names(record: ProductRecord) -> frozenset[str]:
    """The product's attribute values in Chinese (收腰, 勾花镂空): names of its features."""
    return frozenset(v for key, values in record.attributes.items() if not key.startswith("_")
                     and not _NOT_FEATURE_KEY.search(key)
                     for v in values if re.fullmatch(r"[\u4e00-\u9fff]{2,8}", v or ""))


# attribute keys whose values are no part or feature of the product (a style, a colour, a season, an audience)
_NOT_FEATURE_KEY = re.compile(r"风格|颜色|季节|适用|人群|场景|类型|品牌")


def _empty_objects(text: str, record: ProductRecord) -> list[dict]:
    """A clause whose verb has lost its object: 采用系 (a cut took the rest of 系带: a verb where the object
    should be), 采用材质 (the attribute's name with no value): it says nothing and reads broken."""
    import jieba.posseg

    keys = "|".join(map(re.escape, sorted({*record.attributes, *_ATTRIBUTE_NAMES}, key=len, reverse=True)))
    empty = re.compile(rf"^[\u4e00-\u9fff]{{0,10}}?(?:{_OBJECT_VERBS})了?(?:([\u4e00-\u9fff])|(?:{keys})(?:的?设计)?)$")
    out = []
    for a, b in _clauses(text):
        body = text[a:b].strip()
        m = empty.match(body)
        if m and (m.group(1) is None or jieba.posseg.lcut(m.group(1))[0].flag.startswith("v")):
            out.append(_finding("quality:fragment", text, a, b, f"'{body}' has no object: a cut or a slip left it "
                                "empty", ""))
    return out


def _grammar(text: str) -> list[dict]:
    """Slips with one right spelling, fixed in place with no rewrite: 更加 before a bare noun."""
    out = [_finding("quality:grammar", text, m.start(), m.end(), f"'{m.group(0)}': 更加 before a noun",
                    f"更有{m.group(1)}") for m in _MORE_NOUN.finditer(text)]
    out += [_finding("quality:grammar", text, m.start(), m.end(), f"'{m.group(0)}': 更加 before a noun",
                     f"更加{m.group(1)}") for m in _MORE_FEELING.finditer(text)]
    return out


def _full_stop(text: str, findings: list[dict]) -> list[dict]:
    """A text that stops without its full stop (the raters read 展现出纤细的腰身 at the end as unfinished), unless
    a finding already holds its end (a clause cut off)."""
    if not re.search(r"[\u4e00-\u9fffA-Za-z0-9]$", text) or any(f["end"] == len(text) for f in findings):
        return []
    return [_finding("quality:grammar", text, len(text) - 1, len(text), "the text stops without its full stop",
                     text[-1] + "。")]


def _joined_to_nothing(text: str) -> list[dict]:
    """而的连帽设计: a conjunction straight before 的, with the words it should join missing (a slip, or a
    word banned while decoding): the clause reads broken. Written again with the pair banned (cutting the
    clause would leave what it said of the part as a sentence of its own: 更显休闲感。), else flagged."""
    out = []
    words = _word_spans(text)
    for (at, _, word), (_, _, after) in zip(words, words[1:]):
        if word in _JOINERS and after == "的":
            clause = next(((a, b) for a, b in _clauses(text) if a <= at < b), (at, at + 2))
            out.append(_finding("quality:fragment", text, *clause, f"'{word}的' joins nothing: a word is missing",
                                None, [word + "的"]))
    return out


def _empty_openings(text: str, record: ProductRecord) -> list[dict]:
    """这款卫衣采用经典的卫衣设计: the product the opening names, given again as its own design."""
    opening = re.match(r"这款([\u4e00-\u9fffA-Za-z]{1,5}?)(?:采用|的)", text)
    if opening is None:
        return []
    named = opening.group(1)
    m = re.search(rf"采用(?:了)?(?:经典|简约|时尚|基础|常规)?的?{re.escape(named)}(?:版型|款式|型)?设计", text)
    if m is None:
        return []
    return [_finding("quality:empty", text, m.start(), m.end(),
                     f"'{m.group(0)}' gives the product ('{named}') as its own design: says nothing", None,
                     [m.group(0)[2:] if m.group(0).startswith("采用") else m.group(0)])]


def _brand(text: str, record: ProductRecord) -> list[dict]:
    """The brand written with other letters than the data's, or lower-cased where the data capitalises it
    (an all-capitals brand may be written in title case, and the reverse)."""
    brand = (record.brand or "").strip()
    if len(brand) < 3 or not re.search(r"[A-Za-z]", brand):
        return []
    out = []
    n = len(brand.split())
    words = list(re.finditer(r"[A-Za-z0-9](?:[A-Za-z0-9'&.-]*[A-Za-z0-9])?", text))
    for i in range(len(words) - n + 1):
        a, b = words[i].start(), words[i + n - 1].end()
        written = text[a:b]
        if _same_brand(written, brand):
            continue
        near = len(brand) >= 5 and _distance(written.lower(), brand.lower()) <= (1 if len(brand) < 8 else 2)
        if written.lower() == brand.lower() or near:
            out.append(_finding("quality:brand", text, a, b, f"the brand is spelled '{brand}' in the data", brand))
    return out


def _same_brand(written: str, brand: str) -> bool:
    if written == brand:
        return True
    if written.lower() != brand.lower():
        return False
    plain_case = brand.isupper() or brand.islower()  # HIGHLANDER, aramis: title case is the same brand
    return plain_case and (written.istitle() or written.isupper())


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short strings)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _families(zh: bool) -> dict[str, str]:
    table = _ZH_FAMILIES if zh else _EN_FAMILIES
    return {w: family for family, words in table.items() for w in words.split()}


def _record_family(record: ProductRecord, zh: bool) -> str | None:
    words = _families(zh)
    if zh:
        for key in ("裤型", "裙型", "衣样式"):  # the most specific first
            for v in record.attributes.get(key, []):
                family = words.get(v) or next((f for w, f in words.items() if len(w) >= 2 and w in v), None)
                if family:
                    return family
        kind = next(iter(record.attributes.get("类型", [])), record.category or "")
        return _ZH_TYPE_OF.get(kind)
    title = (record.title or "").lower()
    found = [words[m.group(0)] for m in re.finditer(r"[a-z-]+", title) if m.group(0) in words]
    if len(set(found)) > 1:  # a set ("kurta with trousers", "top and shorts"): no one family to hold to
        return None
    return found[-1] if found else None


def _wrong_type(text: str, record: ProductRecord, zh: bool) -> list[dict]:
    """The kind of garment the copy's opening names, against the data's."""
    family = _record_family(record, zh)
    if family is None:
        return []
    words = _families(zh)
    first = _clauses(text)[:1]
    if not first:
        return []
    a, b = first[0]
    pattern = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    named = [m for m in re.finditer(pattern if zh else rf"\b(?:{pattern})\b", text[a:b], 0 if zh else re.IGNORECASE)
             if not (zh and _part_of(text[a:b], m))]
    if not named:
        return []
    m = named[-1]  # the head noun: the last garment word of the opening clause ("shirt dress" is a dress)
    kind = words[m.group(0).lower() if not zh else m.group(0)]
    if kind == family or {kind, family} == {"trousers", "jumpsuit"}:  # 连体裤 is 类型#裤 in many catalogs
        return []
    return [_finding("quality:type", text, a + m.start(), a + m.end(), f"the data says this is a {family}, the "
                     f"copy calls it '{m.group(0)}' ({kind})", None, [m.group(0)])]


def _foreign_parts(text: str, record: ProductRecord) -> list[dict]:
    """Clauses naming a part only another kind of garment has (``_ZH_FOREIGN_PARTS``): left out, the part
    banned."""
    family = _record_family(record, True)
    pattern = _ZH_FOREIGN_PARTS.get(family or "")
    out = []
    for a, b in _clauses(text) if pattern else []:
        m = pattern.search(text, a, b)
        if m:
            out.append(_finding("quality:type", text, a, b, f"'{m.group(0)}' is a part of trousers, not of this "
                                f"{family}", "", [m.group(0)]))
    return out


def _part_of(clause: str, m: re.Match) -> bool:
    """裙 in 裙摆 / 裤 in 裤脚: a part named, not the product."""
    return clause[m.end():m.end() + 1] in "摆身脚腿腰头边角口型"


