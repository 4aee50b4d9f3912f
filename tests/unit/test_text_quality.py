"""Text quality findings (issue 25): each kind an editor named — repeated ideas, doubled characters and
words, debris, fragments, empty openings, brand spelling, the wrong kind of garment — found where it is,
not where the language or the product's own data makes the same surface legitimate; fixes applied."""

from __future__ import annotations

from shopscribe.generation.generator import MIN_REWRITTEN_TOKENS
from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.text_quality import apply_fixes, text_quality

DRESS = ProductRecord(id="d", locale="zh-CN", category="裙",
                      attributes={"类型": ["裙"], "裙型": ["a字"], "图案": ["格子"], "裙袖长": ["无袖"]})
JUMPSUIT = ProductRecord(id="j", locale="zh-CN", attributes={"类型": ["裤"], "裤型": ["连体裤"], "材质": ["牛仔布"]})
SHIRT = ProductRecord(id="s", locale="en", title="Parx Men Blue Slim Fit Casual Shirt", brand="Parx",
                      attributes={"primary_color": ["Blue"]})


def kinds(text: str, record: ProductRecord) -> list[str]:
    return [f["kind"] for f in text_quality(text, record)]


def test_an_idea_said_twice_is_found_and_the_product_named_twice_is_not():
    found = text_quality("这款连衣裙采用格子设计，凸显出纤细的腰身，展现出纤细的腰身。", DRESS)
    assert [f["kind"] for f in found] == ["quality:repeat"] and found[0]["text"] == "展现出纤细的腰身"
    assert {"纤细", "腰身"} <= set(found[0]["ban"])
    assert kinds("这款连衣裙增添了层次感，裙摆更有层次感。", DRESS) == ["quality:repeat"]
    assert kinds("这款格子连衣裙修饰腰身，格子图案显得活泼。", DRESS) == []  # its own data, named twice
    assert apply_fixes("这款连衣裙采用格子设计，凸显出纤细的腰身，展现出纤细的腰身。",
                       found) == "这款连衣裙采用格子设计，凸显出纤细的腰身。"


def test_a_verbal_tic_an_idea_of_the_catalog_and_a_value_named_as_a_design_again():
    text = "这款连衣裙非常的时尚，而且非常吸睛，格子图案非常的显瘦，穿着非常贴心。"
    found = text_quality(text, DRESS)
    assert [(f["text"], f["ban"]) for f in found] == [("非常的", ["非常"]), ("非常", ["非常"])]
    assert apply_fixes(text, found) == "这款连衣裙非常的时尚，而且非常吸睛，格子图案显瘦，穿着贴心。"
    assert kinds("这款连衣裙非常的时尚，格子图案非常显瘦。", DRESS) == []  # twice is how people write
    assert kinds("这款连衣裙展现出优雅气质，a字裙摆展现出活力，格子图案展现出甜美。", DRESS) == ["quality:repeat"]
    assert kinds("这款连衣裙采用白色印花，彰显出文艺范儿，同时加入了波点装饰，增添了文艺感。", DRESS) == ["quality:repeat"]
    found = text_quality("这款连衣裙采用格子拼接设计，精致的格子装饰，凸显出优雅气质。", DRESS)
    assert [(f["text"], f["ban"]) for f in found] == [("精致的格子装饰", ["格子装饰"])]
    assert kinds("这款连衣裙的口袋处加入了格子装饰，格子很好看。", DRESS) == []
    assert kinds("这款连衣裙的格子处加入了格子装饰。", DRESS) == ["quality:repeat"]
    # a few words a short text says once: a second one anywhere is a repetition, found once per clause
    found = text_quality("这款连衣裙带来满满的少女感，格子图案很精致，a字裙摆带来满满的优雅。", DRESS)
    assert [(f["text"], f["ban"]) for f in found] == [("a字裙摆带来满满的优雅", ["满满"])]
    assert kinds("这款连衣裙采用格子设计，腰部提高腰线，a字设计显瘦。",  # a value inside another word is not it
                 ProductRecord(id="h", locale="zh-CN", attributes={"类型": ["裙"], "裙腰型": ["高腰"]})) == []


def test_more_before_a_noun_and_a_missing_full_stop_are_fixed_in_place_with_nothing_to_ban():
    text = "这款连衣裙让整体看起来更加的层次感，更加的清新的感觉，格子图案很俏皮，展现出纤细的腰身"
    found = text_quality(text, DRESS)
    assert {f["kind"] for f in found} == {"quality:grammar"} and all(not f["ban"] for f in found)
    assert apply_fixes(text, found) == "这款连衣裙让整体看起来更有层次感，更加清新，格子图案很俏皮，展现出纤细的腰身。"
    assert kinds("这款连衣裙更加有层次感，更加动感。", DRESS) == []


def test_trouser_legs_in_a_tops_copy():
    hoodie = ProductRecord(id="h", locale="zh-CN", attributes={"类型": ["上衣"], "衣样式": ["卫衣"]})
    text = "这款卫衣采用经典的领口设计，显得更加的显气质。上身时，穿着的裤脚设计，显得更加的休闲时尚。"
    found = [f for f in text_quality(text, hoodie) if f["kind"] == "quality:type"]
    assert [(f["text"], f["ban"]) for f in found] == [("穿着的裤脚设计", ["裤脚"])]
    assert kinds("这款阔腿裤的裤脚设计，显得休闲。", ProductRecord(id="t", locale="zh-CN", attributes={"类型": ["裤"]})) == []


def test_doubled_characters_and_words_but_not_reduplications():
    assert kinds("灰色色的衣身，满满的少女感。", DRESS) == ["quality:doubled"]
    assert kinds("搭配荷叶边拼接的拼接，很甜美。", DRESS) == ["quality:doubled"]
    assert kinds("轻轻松松，满满的活力，v领领口很精致。", DRESS) == []
    assert kinds("A blue blue shirt.", SHIRT) == ["quality:doubled"]
    assert apply_fixes("灰色色的衣身。", text_quality("灰色色的衣身。", DRESS)) == "灰色的衣身。"
    text = "这款连衣裙采用a字版型，修长修长的裙摆很飘逸。"  # a whole word twice in a row
    assert kinds(text, DRESS) == ["quality:doubled"]
    assert apply_fixes(text, text_quality(text, DRESS)) == "这款连衣裙采用a字版型，修长的裙摆很飘逸。"
    assert kinds("这款连衣裙采用格子设计，走起路来裙摆飘飘，满满的少女感。", DRESS) == []  # AABB and AA stay


def test_debris_fragments_and_empty_openings():
    assert kinds("这款连衣裙<unk>很好看。", DRESS) == ["quality:debris"]
    assert apply_fixes("A slim shirt</s> in blue,, for work.", text_quality("A slim shirt</s> in blue,, for work.",
                                                                          SHIRT)) == "A slim shirt in blue, for work."
    assert kinds("这款连衣裙采用格子设计，显得活泼。牛仔布的拼接。", DRESS) == ["quality:fragment"]
    assert kinds("宽松的版型，打造出休闲的风格。", DRESS) == []  # 打造出: a predicate
    assert kinds("这款裤子采用经典的裤子设计，穿着舒适。", JUMPSUIT) == ["quality:empty"]
    assert kinds("这款裤子采用经典的裤子版型设计，穿着舒适。", JUMPSUIT) == ["quality:empty"]
    # a conjunction straight before 的: the words it joins are missing; 亲和的 is one word
    assert kinds("这款连衣裙采用格子设计，而的腰带设计，更显活泼。", DRESS) == ["quality:fragment"]
    assert kinds("这款连衣裙采用格子设计，给人以亲和的感觉。", DRESS) == []


def test_a_noun_phrase_sentence_and_a_verb_that_lost_its_object_are_fragments():
    assert kinds("宽松的下摆设计。这款连衣裙采用格子设计。", DRESS) == ["quality:fragment"]  # an adjective, no verb
    assert kinds("这款连衣裙采用系，显得活泼。", DRESS) == ["quality:fragment"]  # 系带 cut to 系
    assert kinds("采用材质，显得很有质感。", DRESS) == ["quality:fragment"]  # the attribute's name, no value
    assert kinds("这款连衣裙选用了棉，柔软舒适。", DRESS) == []  # one character, a material
    assert kinds("这款连衣裙采用格子设计。上身穿搭时。", DRESS) == ["quality:fragment"]  # a "when", then nothing
    assert kinds("上身穿搭时，显得活泼。可以随时穿。", DRESS) == []
    assert apply_fixes("这款连衣裙采用系，显得活泼。", text_quality("这款连衣裙采用系，显得活泼。", DRESS)) == "显得活泼。"
    # a short sentence of nouns alone, left by a cut; a short sentence with an adjective says something
    assert kinds("这款连衣裙采用格子设计，显得活泼。腰间领口处。", DRESS) == ["quality:fragment"]
    assert kinds("这款连衣裙采用格子设计。百搭又精致。", DRESS) == []
    # a "not only" whose "but also" a cut took: the two characters go
    text = "这款连衣裙采用格子设计，不仅可以很好的修饰身形。"
    assert kinds(text, DRESS) == ["quality:fragment"]
    assert apply_fixes(text, text_quality(text, DRESS)) == "这款连衣裙采用格子设计，可以很好的修饰身形。"
    assert kinds("这款连衣裙不仅可以修饰身形，还很百搭。", DRESS) == []


def test_brand_spelling_and_the_kind_of_garment():
    found = text_quality("A slim parx shirt in blue.", SHIRT)
    assert [f["kind"] for f in found] == ["quality:brand"] and found[0]["fix"] == "Parx"
    assert kinds("A slim Parx shirt in blue.", SHIRT) == [] and kinds("A slim Prax shirt.", SHIRT) == []  # 4 letters
    assert kinds("这款上衣采用牛仔布面料，修身显瘦。", JUMPSUIT) == ["quality:type"]
    assert kinds("这款连体裤采用牛仔布面料，修身显瘦。", JUMPSUIT) == []
    assert kinds("A blue slim fit dress for work.", SHIRT) == ["quality:type"]
    assert kinds("A blue shirt dress.", ProductRecord(id="x", title="Blue Shirt Dress")) == []


class ScriptedEngine:
    """An engine that answers each decode call with the next scripted text and keeps what it was asked."""

    name = "scripted"

    def __init__(self, tokenizer, texts: list[str]):
        self.tokenizer, self.texts, self.calls, self.prompts, self.minimums = tokenizer, list(texts), [], [], []
        self.context_tokens = 4096

    def decode(self, requests, decoding, on_token=None):
        self.calls.append([list(r.banned or []) for r in requests])
        self.prompts.append([r.prompt for r in requests])
        self.minimums.append([r.min_new_tokens for r in requests])
        return [[self.texts.pop(0)] for _ in requests]


def guarded(tiny_model_dir, texts: list[str]):
    from transformers import AutoTokenizer

    from shopscribe.generation.generator import Generator
    from shopscribe.quality.guard import PublishingGuard
    from shopscribe.tasks import load_task

    task = load_task("describe")
    engine = ScriptedEngine(AutoTokenizer.from_pretrained(tiny_model_dir), texts)
    return Generator(engine, task, guard=PublishingGuard(task)), engine


REPEAT = "这款连衣裙采用格子设计，凸显出纤细的腰身，展现出纤细的腰身。"


def test_the_guard_regenerates_a_repeated_idea_with_its_words_banned(tiny_model_dir):
    generator, engine = guarded(tiny_model_dir, [REPEAT, "这款连衣裙采用格子设计，修饰身形，显得活泼。"])
    result = generator.generate([DRESS])[0]
    assert {"纤细", "腰身"} <= set(engine.calls[1][0])  # the second decode could not say it again
    assert result.text == "这款连衣裙采用格子设计，修饰身形，显得活泼。" and result.attempts == 2
    assert result.guard.quality == []


def test_what_regeneration_cannot_mend_is_fixed_and_kept_for_the_reviewer(tiny_model_dir):
    generator, _ = guarded(tiny_model_dir, [REPEAT, REPEAT, REPEAT])
    result = generator.generate([DRESS])[0]
    assert result.text == "这款连衣裙采用格子设计，凸显出纤细的腰身。" and result.guard.dropped_clauses == 1
    assert result.guard.before_cut["text"] == REPEAT
    assert [f["kind"] for f in result.guard.before_cut["findings"]] == ["quality:repeat"]


def test_a_repair_writes_again_from_the_sentence_of_the_first_finding(tiny_model_dir):
    # 长袖 (the data says 无袖) in the second sentence: the first passed and is kept as the answer's start, and
    # the rest may not end at once (that would only drop the sentence)
    bad = "这款连衣裙采用格子设计，显得活泼。长袖的设计，很优雅。"
    generator, engine = guarded(tiny_model_dir, [bad, "无袖的设计，清爽利落。"])
    result = generator.generate([DRESS])[0]
    assert engine.prompts[1][0].endswith("这款连衣裙采用格子设计，显得活泼。") and "长袖" in engine.calls[1][0]
    assert engine.minimums == [[0], [MIN_REWRITTEN_TOKENS]]
    assert result.text == "这款连衣裙采用格子设计，显得活泼。无袖的设计，清爽利落。" and result.attempts == 2
    assert result.guard.status == "pass" and result.guard.dropped_clauses == 0


def test_a_cut_that_would_leave_broken_text_is_written_again_from_that_sentence(tiny_model_dir):
    # 长袖 (the data says 无袖) opens its sentence: the cut takes the whole sentence, most of the copy
    bad = "这款连衣裙采用格子设计。长袖的设计，很优雅，显得活泼大方，穿着舒适。"
    again = bad[12:]  # each repair round writes the sentence again with the claim
    generator, engine = guarded(tiny_model_dir, [bad, again, again, "无袖的设计，清爽利落，显得活泼大方。"])
    result = generator.generate([DRESS])[0]
    assert engine.prompts[-1][0].endswith("这款连衣裙采用格子设计。")  # the good sentence kept
    assert "长袖" in engine.calls[-1][0]  # the claim cannot be written again
    assert result.text == "这款连衣裙采用格子设计。无袖的设计，清爽利落，显得活泼大方。"
    assert result.guard.status == "pass" and result.guard.dropped_clauses == 0 and result.attempts == 4
    assert result.guard.rewritten["text"] == bad and result.guard.rewritten["kept_chars"] == 12


def test_a_rewrite_that_is_no_better_is_not_taken_and_a_clean_cut_is_not_rewritten(tiny_model_dir):
    bad = "这款连衣裙采用格子设计。长袖的设计，很优雅，显得活泼大方，穿着舒适。"
    generator, _ = guarded(tiny_model_dir, [bad, bad[12:], bad[12:], "长款袖子，纯棉面料。"])  # invents again
    result = generator.generate([DRESS])[0]
    assert result.text == "这款连衣裙采用格子设计。" and result.guard.rewritten is None
    assert result.guard.before_cut["text"] == bad
    small = "这款连衣裙采用格子设计，显得活泼，裙摆飘逸，很有少女感。长袖的设计，很优雅。"  # the cut leaves most
    generator, engine = guarded(tiny_model_dir, [small, "长袖的设计，很优雅。", "长袖的设计，很优雅。"])
    assert "长袖" not in generator.generate([DRESS])[0].text and len(engine.calls) == 3  # no rewrite decode


def test_decoding_min_new_tokens_holds_back_the_end_of_a_draft_and_of_a_text_written_again_whole(tiny_model_dir):
    from shopscribe.engine.decoding import DecodingArgs

    later = "这款连衣裙采用格子设计，显得活泼。凸显出纤细的腰身，展现出纤细的腰身。"  # the repair keeps a start
    generator, engine = guarded(tiny_model_dir, [REPEAT, later, "这款连衣裙采用格子设计，修饰身形，显得活泼。",
                                                 "裙摆飘逸，很有少女感。"])
    generator.decoding = DecodingArgs(min_new_tokens=40)
    generator.generate([DRESS, DRESS])
    assert engine.minimums == [[40, 40], [40, MIN_REWRITTEN_TOKENS]]


def test_a_word_doubled_inside_a_clause_and_a_text_cut_off_mid_clause():
    for text, fixed in (("这款连衣裙穿起来显瘦又显瘦。", "这款连衣裙穿起来显瘦。"),
                        ("休闲的休闲裤型，适合各种场合。", "休闲裤型，适合各种场合。"),
                        ("这款背带裙，透气性佳，穿着效果好，穿着", "这款背带裙，透气性佳，穿着效果好。")):
        found = text_quality(text, DRESS)
        assert found and apply_fixes(text, found) == fixed, (text, found)


def test_a_phrase_joined_to_itself_is_said_once():
    from shopscribe.quality.text_quality import apply_fixes

    zh = ProductRecord(id="z", locale="zh-CN", attributes={"类型": ["外套"]})
    text = "浅蓝色牛仔外套，搭配牛仔短袖T恤和牛仔短袖T恤都好看。"
    found = [f for f in text_quality(text, zh) if f["kind"] == "quality:doubled"]
    assert [f["text"] for f in found] == ["牛仔短袖T恤和牛仔短袖T恤"]
    assert apply_fixes(text, found) == "浅蓝色牛仔外套，搭配牛仔短袖T恤都好看。"
    assert text_quality("搭配衬衫和T恤都好看，黑色和白色两色可选。", zh) == []
    en = ProductRecord(id="e", locale="en", title="Denim Jacket")
    assert [f["text"] for f in text_quality("Pair it with a denim shirt and a denim shirt.", en)
            if f["kind"] == "quality:doubled"] == ["a denim shirt and a denim shirt"]
    assert not [f for f in text_quality("Black and white stripes, rock and roll.", en) if f["kind"] == "quality:doubled"]


def en(title):
    return ProductRecord(id="e1", locale="en", title=title, brand="Parx", attributes={"gender": "Men"})


def test_a_suggestion_that_pairs_the_product_with_its_own_kind_or_an_outfit_with_a_bra_is_replaced():
    skirt = en("Lara Karen Women Black Solid Maxi Satin Skirt")
    text = "This black maxi satin skirt is made for women. Wear it with trousers or jeans for everyday wear."
    [f] = [q for q in text_quality(text, skirt) if q["kind"] == "quality:pairing"]
    assert f["text"] == "Wear it with trousers or jeans for everyday wear." and "bottom" in f["reason"]
    fixed = apply_fixes(text, [f])
    assert fixed.startswith("This black maxi satin skirt is made for women. ") and "trousers" not in fixed
    assert not [q for q in text_quality(fixed, skirt) if q["kind"] == "quality:pairing"]
    bra = en("PARFAIT Black Lace Non-Wired Everyday Bra")
    assert [q["kind"] for q in text_quality("A black lace bra. Wear it with flats or heels for an easy day look.", bra)
            if q["kind"].startswith("quality:p")] == ["quality:pairing"]
    assert not text_quality("A black lace bra. Wear it under your everyday outfits.", bra)
    shirt = en("Parx Men Blue Casual Shirt")
    assert not text_quality("A blue casual shirt. Pair it with chinos or dark jeans for a smart-casual look.", shirt)
    loafers = en("ID Men Brown Leather Loafers")
    [f] = text_quality("These brown loafers are made for men. Wear it with casual outfits.", loafers)
    assert f["kind"] == "quality:pronoun" and apply_fixes("Wear it with casual outfits.", [
        {**f, "start": 5, "end": 7}]) == "Wear them with casual outfits."
    assert not [q for q in text_quality("这款半身裙搭配裤子。", ProductRecord(id="z", locale="zh-CN", title="半身裙",
                                                                        attributes={"类型": "裙"}))
                if q["kind"] == "quality:pairing"]


def test_a_sentence_that_only_names_a_feature_is_a_fragment_though_its_name_is_a_verb():
    coat = ProductRecord(id="c", locale="zh-CN", attributes={"类型": ["上衣"], "衣款式": ["口袋", "收腰"],
                                                             "风格": ["休闲"]})
    assert kinds("这款风衣采用白色面料。口袋的设计，很休闲。收腰的设计。", coat) == ["quality:fragment"]
    assert kinds("这款风衣采用白色面料。收腰的设计，让整体更加纤细。", coat) == []
    assert kinds("这款风衣打造出时尚休闲的穿搭风格。", coat) == []  # a style is no feature: 打造出 says it


def test_a_fragment_a_fix_leaves_behind_is_fixed_in_turn(tiny_model_dir):
    from shopscribe.generation.generator import Generator
    from shopscribe.quality.guard import PublishingGuard
    from shopscribe.tasks import load_task
    from transformers import AutoTokenizer

    dress = DRESS.model_copy(update={"attributes": {**DRESS.attributes, "裙款式": ["收腰"]}})
    text = "这款连衣裙采用格子设计，凸显出纤细的腰身。收腰的设计，展现出纤细的腰身。"  # the repeat out leaves 收腰的设计。
    task = load_task("describe")
    engine = ScriptedEngine(AutoTokenizer.from_pretrained(tiny_model_dir), [text, text[21:]])
    result = Generator(engine, task, guard=PublishingGuard(task)).generate([dress])[0]
    assert result.text == "这款连衣裙采用格子设计，凸显出纤细的腰身。" and result.guard.status == "pass"
    assert [f["kind"] for f in result.guard.before_cut["findings"]] == ["quality:repeat", "quality:fragment"]
