"""English copy checks (quality/english_copy.py): suggestions senseless for the product, 'it' for a pair, the
wrong audience, the brand said twice, a description with no suggestion."""

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.text_quality import apply_fixes, text_quality


def product(title, gender="Men", brand="Parx"):
    return ProductRecord(id="e1", locale="en", title=title, brand=brand, attributes={"gender": gender})


def fixed(text, record, describe=True):
    findings = [q for q in text_quality(text, record, describe) if q.get("fix") is not None]
    return [q["kind"] for q in findings], apply_fixes(text, findings)


def test_a_suggestion_senseless_for_the_product_is_replaced_by_its_kind_s():
    kinds, text = fixed("This black maxi skirt is made for women. Wear it with trousers or jeans.",
                        product("Lara Karen Women Black Solid Maxi Satin Skirt", "Women"))
    assert kinds == ["quality:pairing"] and "trousers" not in text and text.startswith("This black maxi skirt")
    kinds, text = fixed("A black lace bra, made for women. Wear it with flats or heels for an easy day look.",
                        product("PARFAIT Black Lace Everyday Bra", "Women"))
    assert kinds == ["quality:pairing"] and "heels" not in text
    kinds, text = fixed("This large trolley bag from DKNY is made for everyday use. Wear it over your shoulder.",
                        product("DKNY Unisex Black Large Trolley Bag", "Unisex", "DKNY"))
    assert kinds == ["quality:pairing"] and "Take it along on your trips." in text
    kinds, text = fixed("This blue casual shirt from Parx is made for boys. Wear it tucked into trousers for work.",
                        product("Parx Boys Blue Casual Shirt", "Boys"))
    assert kinds == ["quality:pairing"] and "work" not in text
    assert fixed("A blue casual shirt, made for men. Pair it with chinos or dark jeans for a smart-casual look.",
                 product("Parx Men Blue Casual Shirt"))[0] == []


def test_pronoun_audience_brand_twice_and_a_missing_suggestion():
    kinds, text = fixed("These drop earrings from Parx are made for women. Pair it with a plain outfit.",
                        product("Parx Blue Drop Earrings", "Women"))
    assert kinds == ["quality:pronoun"] and "Pair them with" in text
    kinds, text = fixed("This trolley bag from DKNY is made for men. Take it along on your trips.",
                        product("DKNY Unisex Trolley Bag", "Unisex", "DKNY"))
    assert kinds == ["quality:audience"] and "made for everyday use" in text
    kinds, text = fixed("Parx blue casual shirt from Parx is made for men. Pair it with chinos.",
                        product("Parx Men Blue Casual Shirt"))
    assert kinds == ["quality:repeat"] and text == "Parx blue casual shirt is made for men. Pair it with chinos."
    kinds, text = fixed("This yellow hooded sweatshirt from Parx is made for boys.",
                        product("Parx Boys Yellow Hooded Sweatshirt", "Boys"))
    assert kinds == ["quality:thin"] and text.startswith("This yellow hooded sweatshirt from Parx is made for boys. ")
    assert len(text) > 60
    kinds, text = fixed("Yellow hooded sweatshirt from Parx", product("Parx Boys Yellow Hooded Sweatshirt", "Boys"))
    assert text.startswith("Yellow hooded sweatshirt from Parx. ") and fixed(text, product(
        "Parx Boys Yellow Hooded Sweatshirt", "Boys"))[0] == []  # the sentence it ended is one: checked again, clean
    # a title or another task's text is not given a suggestion
    assert fixed("Parx Boys Yellow Hooded Sweatshirt", product("Parx Boys Yellow Hooded Sweatshirt", "Boys"),
                 describe=False)[0] == []
