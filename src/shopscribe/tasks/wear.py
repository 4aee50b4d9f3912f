"""How a product is worn or used, by its kind (English): the suggestion sentence of prose copy, and the
check that a suggestion the model writes makes sense for the product (``quality.text_quality``:
a skirt is not worn with trousers, a bra not with heels).

Each kind has the words its titles end with, a slot (what it is worn as) and suggestions that state no fact
about the product."""

from __future__ import annotations

import random
import re

from shopscribe.catalog.record import ProductRecord

# kind words -> suggestions (the last kind word of the title decides; on a tie, the longer word)
SUGGESTIONS = {
    ("shirt",): ["Pair it with chinos or dark jeans for a smart-casual look.",
                 "Wear it tucked into trousers for work or loose over jeans on the weekend."],
    ("t-shirt", "tshirt", "tee", "polo"): ["Wear it with jeans or shorts for an easy everyday look.",
                                           "Team it with joggers and sneakers for a relaxed day out."],
    ("top", "tunic", "blouse", "camisole"): ["Pair it with jeans or a skirt for a casual outing.",
                                             "Wear it with trousers and flats for an easy day look."],
    ("kurta", "kurti", "kurta set"): ["Style it with leggings or palazzos and a pair of juttis.",
                                      "Pair it with churidars and juttis for festive days."],
    ("dress", "gown", "jumpsuit", "playsuit"): ["Add flats or heels and a small bag to finish the look.", "Pair it with sandals or flats for a day out.",
                                                "Wear it with sandals for the day or heels for an evening out."],
    ("saree", "sari", "lehenga"): ["Drape it with a matching blouse and statement jewellery for festive occasions."],
    ("jeans", "jeggings"): ["Team them with a T-shirt and sneakers for a relaxed look.",
                            "Pair them with a shirt and boots for a smart-casual day."],
    ("trousers", "chinos", "pants", "trouser"): ["Pair them with a shirt and loafers for the office.",
                                                 "Wear them with a polo and sneakers for a relaxed weekend look."],
    ("shorts",): ["Wear them with a T-shirt and sneakers on warm days.",
                  "Pair them with a tee and sliders for a laid-back look."],
    ("track pants", "joggers", "trackpants", "leggings", "tights"): [
        "Wear them for workouts, errands or lounging at home.",
        "Pair them with a T-shirt and sports shoes for the gym."],
    ("skirt",): ["Pair it with a tucked-in top and flats for a neat look.",
                 "Wear it with a T-shirt and sneakers for a casual day."],
    ("jacket", "blazer", "coat", "waistcoat", "nehru jacket", "bandhgala"): [
        "Layer it over a shirt or T-shirt when the weather turns cool.",
        "Wear it over a crisp shirt for a polished look."],
    ("sweatshirt", "hoodie", "sweater", "cardigan", "pullover"): [
        "Layer it over a T-shirt on cooler days.", "Pair it with jeans and sneakers for a relaxed look."],
    ("suit",): ["Wear it with formal shoes for weddings, parties and the office."],
    ("night suit", "nightdress", "pyjamas", "lounge", "nightsuit"): ["Wear it to bed or for lazy days at home."],
    ("bra", "bras", "briefs", "brief", "trunks", "boxer", "boxers", "panties", "camisoles", "innerwear", "vest"): [
        "Wear it under your everyday outfits.", "Wear it daily under your clothes."],
    ("socks",): ["Wear them with sneakers or formal shoes every day."],
    ("shoes", "sneakers", "loafers", "boots", "flats", "heels", "sandals", "slippers", "flip-flops",
     "mules", "pumps", "moccasins", "derbys", "brogues", "oxfords", "wedges", "sliders"): [
        "Pair them with jeans or chinos for everyday wear.",
        "Wear them with casual outfits for a day out."],
    ("running shoes", "sports shoes", "training shoes", "walking shoes"): [
        "Wear them for runs, workouts or long walks."],
    ("watch", "smartwatch"): ["Wear it every day or with something smarter for an evening out."],
    ("backpack", "laptop bag", "rucksack"): ["Carry it to college, the office or on short trips."],
    ("handbag", "tote", "sling bag", "shoulder bag", "satchel", "clutch", "bag", "duffel bag"): [
        "Carry it with casual or work outfits.", "Take it along for work, shopping or a day out."],
    ("trolley bag", "trolley", "suitcase", "luggage"): ["Take it along on your trips."],
    ("wallet", "card holder"): ["Keep it in your pocket or bag every day."],
    ("belt",): ["Wear it with trousers or jeans."],
    ("sunglasses",): ["Take them along on sunny days out."],
    ("earrings", "necklace", "bracelet", "ring", "bangles", "jewellery set", "pendant", "anklet"): [
        "Wear it with ethnic or western outfits.", "Pair it with a simple outfit to add a finishing touch."],
    ("cap", "hat", "beanie"): ["Wear it on days out."],
    ("scarf", "stole", "dupatta", "shawl", "muffler"): ["Drape it over a plain outfit to finish the look."],
    ("shrug",): ["Layer it over a top or a dress."],
    ("sleep shirt", "sleep shirts", "nightshirt"): ["Wear it to bed or for lazy days at home."],
    ("tray", "vase", "showpiece", "lamp", "clock", "planter"): ["Use it to add a finishing touch to your home."],
    ("bedsheet", "bed sheet", "pillow covers", "cushion cover", "cushion covers", "comforter", "dohar",
     "quilt", "blanket", "curtains", "curtain", "towel", "towels", "bath towel", "rug", "carpet", "mat"): [
        "Use it to refresh the look of your room."],
}

def suggestion_sentences() -> list[str]:
    """Every suggestion, for one product and for a pair ("it" / "them")."""
    out = []
    for sentences in SUGGESTIONS.values():
        for sentence in sentences:
            out += [sentence, re.sub(r"\bit\b", "them", sentence), re.sub(r"\bthem\b", "it", sentence)]
    return list(dict.fromkeys(out))


_SUGGESTIONS = frozenset(s.lower() for s in suggestion_sentences())


def is_suggestion(sentence: str) -> bool:
    """Whether ``sentence`` is one of the suggestions (which state no fact about the product)."""
    return sentence.strip().lower() in _SUGGESTIONS


# kind word -> slot: what the product is worn or used as
SLOTS = {
    "top": "shirt t-shirt t-shirts tshirt tee tees polo top tops tunic blouse camisole kurta kurti",
    "outer": "jacket jackets blazer coat waistcoat sweatshirt hoodie sweater cardigan pullover shrug bandhgala",
    "bottom": "jeans jeggings trousers trouser chinos pants shorts joggers trackpants leggings tights skirt skirts "
              "palazzos culottes",
    "onepiece": "dress dresses gown jumpsuit playsuit dungarees romper saree sari lehenga suit",
    "footwear": "shoes sneakers loafers boots flats heels sandals slippers flip-flops mules pumps moccasins derbys "
                "brogues oxfords wedges sliders ballerinas",
    "innerwear": "bra bras briefs brief trunks boxer boxers panties camisoles innerwear vest bralette lingerie",
    "nightwear": "pyjamas nightdress nightsuit lounge",
    "fragrance": "perfume deodorant parfum toilette cologne fragrance",
    "carry": "trolley suitcase luggage backpack rucksack handbag tote satchel clutch wallet bag duffel",
    "home": "bedsheet bedsheets curtains curtain towel towels rug carpet mat cushion comforter quilt blanket dohar "
            "tray vase lamp clock planter showpiece",
}
SLOT_OF = {word: slot for slot, words in SLOTS.items() for word in words.split()}


def kind_words(record: ProductRecord) -> tuple[str, list[str]] | None:
    """The kind the title ends on and its suggestions (None when no kind is known): the kind word that ends
    last, the longest of those ("trolley bag" over "bag")."""
    title = f" {(record.title or '').lower()} "
    best, best_key = None, (-1, 0)
    for names, lines in SUGGESTIONS.items():
        for name in names:
            pos = title.rfind(f" {name} ")
            key = (pos + len(name), len(name)) if pos >= 0 else (-1, 0)
            if key > best_key:
                best, best_key = (name, lines), key
    return best


def use_suggestion(record: ProductRecord, rng: random.Random) -> str | None:
    """A way to wear or use the product, chosen by the kind its title names last."""
    found = kind_words(record)
    return rng.choice(found[1]) if found else None


def product_slot(record: ProductRecord) -> str | None:
    """What the product is worn or used as (top, bottom, footwear, innerwear…), from its title's last kind word."""
    words = re.findall(r"[a-z-]+", (record.title or "").lower())
    slots = [SLOT_OF[w] for w in words if w in SLOT_OF]
    return slots[-1] if slots else None


def is_plural(words: list[str]) -> bool:
    """A title naming a pair or more (jeans, sneakers, earrings), not a pack or a set of them."""
    text = " ".join(words).lower()
    if re.search(r"\b(pack of|set of)\b", text):
        return False
    last = words[-1].lower() if words else ""
    return last.endswith("s") and not last.endswith(("ss", "us", "is")) and last not in {"dress"}

