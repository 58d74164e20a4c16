#!/usr/bin/env python3
"""A deduplication test corpus with known ground truth (issue #12), from the paragraphs of ../shared/data/corpus.

Takes the first --base paragraphs of at least 80 characters that are distinct after normalisation (ASCII case folded,
whitespace collapsed), draws --originals of them (seed 12), and adds 1 or 2 near-duplicates of each, made by one of:
  typo      2-4% of the letters substituted, deleted or doubled
  drop      one sentence removed (paragraphs of 3+ sentences; else typo)
  case      all lower case, all upper case, or the first letter of each word upper case
  mixed     a sentence dropped and 1-2% typos
JSON Lines, shuffled: {"id", "text", "group", "edit"}; group = the id of the original (its own id for originals),
edit = "original" or the edit made. Output: out/dedup/corpus.jsonl (and corpus.json with the counts).
Run: python3 tools/make_dedup_corpus.py [--base 20000] [--originals 2000]"""
import argparse
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lexel_tools as lt  # noqa: E402

CORPUS = os.path.join(lt.DATA, "corpus", "paragraphs-en.jsonl.zst")


def normalise(text):
    return " ".join(text.lower().split())


def typo(text, rng, rate):
    chars = list(text)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    for i in sorted(rng.sample(letters, max(1, int(len(letters) * rate))), reverse=True):
        op = rng.choice("sdx")
        if op == "s":
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        elif op == "d":
            del chars[i]
        else:
            chars.insert(i, chars[i])
    return "".join(chars)


def drop_sentence(text, rng):
    parts = re.split(r"(?<=[.!?])\s+", text)
    if len(parts) < 3:
        return None
    del parts[rng.randrange(len(parts))]
    return " ".join(parts)


def change_case(text, rng):
    kind = rng.choice(["lower", "upper", "title"])
    return text.lower() if kind == "lower" else text.upper() if kind == "upper" else " ".join(w[:1].upper() + w[1:] for w in text.split(" "))


def edit(text, rng):
    kind = rng.choice(["typo", "drop", "case", "mixed"])
    if kind == "typo":
        return kind, typo(text, rng, rng.uniform(0.02, 0.04))
    if kind == "drop":
        out = drop_sentence(text, rng)
        return ("drop", out) if out else ("typo", typo(text, rng, 0.03))
    if kind == "case":
        return kind, change_case(text, rng)
    out = drop_sentence(text, rng)
    return ("mixed", typo(out, rng, rng.uniform(0.01, 0.02))) if out else ("typo", typo(text, rng, 0.03))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=int, default=20000)
    ap.add_argument("--originals", type=int, default=2000)
    ap.add_argument("--out", default=os.path.join(lt.ROOT, "out", "dedup"))
    args = ap.parse_args()
    rng = random.Random(12)
    base, seen = [], set()
    for line in lt.read_lines(CORPUS):
        row = json.loads(line)
        text = " ".join(row["text"].split())
        key = normalise(text)
        if len(text) < 80 or key in seen:
            continue
        seen.add(key)
        base.append((f"p{row.get('id', len(base))}", text))
        if len(base) == args.base:
            break
    rows = [{"id": pid, "text": text, "group": pid, "edit": "original"} for pid, text in base]
    counts = {}
    for pid, text in rng.sample(base, args.originals):
        for copy in range(rng.choice([1, 2])):
            kind, new = edit(text, rng)
            counts[kind] = counts.get(kind, 0) + 1
            rows.append({"id": f"{pid}-dup{copy + 1}", "text": new, "group": pid, "edit": kind})
    rng.shuffle(rows)
    os.makedirs(args.out, exist_ok=True)
    lt.write_jsonl(os.path.join(args.out, "corpus.jsonl"), rows)
    info = {"documents": len(rows), "originals_with_copies": args.originals, "copies": sum(counts.values()), "edits": counts}
    lt.write_json(os.path.join(args.out, "corpus.json"), info)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
