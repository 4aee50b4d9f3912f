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


# what a title's own words say about the product, as a shopper reads it (fit, rise, length, neckline, pattern,
# material, display, count): (pattern on the lower-cased title, sentence); {n} is the count the title gives
FACETS = [
    (r"\bsuper skinny fit\b|\bskinny fit\b", "fit", "The skinny fit hugs the legs from hip to ankle."),
    (r"\bslim fit\b", "fit", "The slim fit sits close to the body for a neat outline."),
    (r"\btapered fit\b", "fit", "The tapered fit narrows towards the ankle."),
    (r"\bstraight fit\b", "fit", "The straight fit runs evenly from hip to hem."),
    (r"\brelaxed fit\b|\bloose fit\b|\boversized\b", "fit", "The relaxed fit leaves room to move."),
    (r"\bregular fit\b", "fit", "The regular fit is neither tight nor loose."),
    (r"\bhigh-rise\b", "rise", "The high-rise waist sits at or above the navel."),
    (r"\bmid-rise\b", "rise", "The mid-rise waist sits just below the navel."),
    (r"\blow-rise\b", "rise", "The low-rise waist sits on the hips."),
    (r"\bstretchable\b", "stretch", "The stretchable fabric moves with you."),
    (r"\ba-line\b", "shape", "The A-line shape flares gently from the waist."),
    (r"\bmaxi\b", "length", "The maxi length falls to the ankles."),
    (r"\bmidi\b", "length", "The midi length ends below the knee."),
    (r"\bround neck\b", "neck", "It has a round neck."),
    (r"\bv-neck\b", "neck", "It has a V-neck."),
    (r"\bpolo collar\b", "neck", "It has a polo collar."),
    (r"\bmandarin collar\b", "neck", "It has a mandarin collar."),
    (r"\bhooded\b", "neck", "It comes with a hood."),
    (r"\bsleeveless\b", "sleeves", "It is sleeveless."),
    (r"\bstriped\b", "pattern", "It has a striped pattern."),
    (r"\bchecked\b", "pattern", "It has a checked pattern."),
    (r"\bfloral\b", "pattern", "It has a floral pattern."),
    (r"\bembroidered\b", "pattern", "It is decorated with embroidery."),
    (r"\bself design\b|\bself-design\b", "pattern", "It has a subtle self-design pattern."),
    (r"\bprinted\b", "pattern", "It has a printed design."),
    (r"\bsolid\b", "pattern", "It comes in a solid colour."),
    (r"\bsynthetic leather\b|\bfaux leather\b", "material", "It is made of synthetic leather."),
    (r"\bleather\b", "material", "It is made of leather."),
    (r"\bpure cotton\b|\bcotton\b", "material", "It is made of cotton."),
    (r"\blinen\b", "material", "It is made of linen."),
    (r"\bsilk\b", "material", "It is made of silk."),
    (r"\bsatin\b", "material", "It has a satin finish."),
    (r"\bdenim\b", "material", "It is made of denim."),
    (r"\bwoollen\b|\bwool\b", "material", "It is made of wool."),
    (r"\bceramic\b", "material", "It is made of ceramic."),
    (r"\bwooden\b", "material", "It is made of wood."),
    (r"\banalogue\b", "display", "It has an analogue display."),
    (r"\bdigital\b", "display", "It has a digital display."),
    (r"\bpack of (\d+)\b", "count", "The pack holds {n}."),
    (r"\bset of (\d+)\b", "count", "The set holds {n}."),
]


def facet_sentences(record: ProductRecord, plural: bool, limit: int = 2) -> list[str]:
    """Up to ``limit`` sentences of what the title's own words say (one per kind of facet, in title order)."""
    title = (record.title or "").lower()
    found, kinds = [], set()
    for pattern, kind, sentence in FACETS:
        m = re.search(pattern, title)
        if not m or kind in kinds:
            continue
        kinds.add(kind)
        text = sentence.format(n=m.group(1)) if "{n}" in sentence else sentence
        if plural:
            text = re.sub(r"^It (is|has|comes|carries)\b",
                          lambda w: "They " + {"is": "are", "has": "have", "comes": "come", "carries": "carry"}[w.group(1)],
                          text)
        found.append((m.start(), text))
    return [text for _, text in sorted(found)[:limit]]
