"""The Benchmarks/README.md section of tools/bench_words.py: medians over repeats, the table, the notes."""
import os
import statistics

from benchwords import COMMON, CONFIG_DESC, SECTION
from lexel_tools import ROOT, replace_section


def fmt(x, spec):
    if x is None or (isinstance(x, float) and x != x):
        return "n/a"
    return format(x, spec)


def summarize(runs):
    """Group runs by (config, tool); medians over repeats."""
    groups = {}
    for r in runs:
        groups.setdefault((r["config"], r["tool"]), []).append(r)
    out = {}
    for k, rs in groups.items():
        ok = [r for r in rs if r.get("ok")]
        if not ok:
            out[k] = dict(ok=False, error=rs[-1].get("error"))
            continue
        med = lambda key: statistics.median([r[key] for r in ok if r.get(key) is not None]) \
            if any(r.get(key) is not None for r in ok) else None
        out[k] = dict(ok=True, n=len(ok), wps_thread=med("wps_thread"), train_wall=med("train_wall"),
                      process_wall=med("process_wall"),
                      peak_rss_mb=max((r["peak_rss_mb"] or 0) for r in ok) or None,
                      ws353_rho=med("ws353_rho"), ws353_oov_pairs=ok[0]["ws353_oov_pairs"],
                      analogy_acc=med("analogy_acc"), analogy_answered=ok[0]["analogy_answered"],
                      analogy_sem_acc=med("analogy_sem_acc"), analogy_syn_acc=med("analogy_syn_acc"),
                      vocab=ok[0].get("vec_vocab"))
    return out


def write_report(args, meta, runs, cross):
    summ = summarize(runs)
    L = [SECTION, ""]
    L.append(f"Date: {meta['date']}. Command: `{meta['command']}`")
    L.append("")
    m = meta["machine"]
    L.append(f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_gb']} GB RAM, Linux {m['kernel']}, "
             f"Python {m['python']}.")
    v = meta["versions"]
    L.append("Versions: " + ", ".join(f"{k} {v[k]}" for k in v) + ".")
    L.append("")
    c = meta["corpus"]
    L.append(f"Corpus: `{c['source']}`" + (f" (first {c['max_lines']:,} lines)" if c["max_lines"] else "")
             + f", {c['lines']:,} lines, {c['tokens']:,} tokens (wc -w).")
    L.append("Settings for every tool: dim 100, ws 5, neg 5 (loss ns), epoch 5, minCount 5, 2 threads, "
             "subsampling t = 1e-4; lr = each tool's default (fastText 0.05, gensim alpha 0.025, Lexel "
             "fastText's); negatives drawn from count^p with each tool's default p (fastText 0.5, gensim 0.75, "
             "Lexel 0.5); subwords minn 3 maxn 6 bucket 2M where used. Tools alternate within each config"
             + (f", {args.repeats} repeats (medians shown, start tool rotated)" if args.repeats > 1 else "") + ".")
    L.append("")
    L.append(f"words/sec/thread = tokens ({c['tokens']:,}) x epochs ({COMMON['epoch']}) / training wall s / "
             f"threads ({COMMON['threads']}). Training wall: fastText = `train_unsupervised` call, gensim = "
             "model constructor (vocab + train, `corpus_file` mode), both timed inside the child; Lexel = "
             "whole process wall (includes reading, vocab and writing the model, so it is pessimistic for "
             f"Lexel). Peak RSS of the whole child process ({meta['rss_method']}); the Python peers' figures "
             "include the interpreter and imports.")
    L.append("")
    L.append("Quality: one numpy evaluator for every `.vec` (word2vec text, frequency order). WS353 = Spearman "
             "rho over pairs with both words in the vocabulary (OOV pairs skipped, count in brackets). "
             "Analogy = 3CosAdd on unit vectors over the 30,000 most frequent words, question words excluded "
             "from the answers; questions with a word outside the 30k are skipped (answered count in brackets); "
             "sem / syn = semantic / `gram*` sections.")
    L.append("")
    L.append("| tool | config | words/sec/thread | wall s | peak RSS MB | WS353 rho (oov pairs) | "
             "analogy % (answered) | sem / syn % |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for cfg in meta["configs"]:
        for tool in meta["tools"]:
            s = summ.get((cfg, tool))
            if s is None:
                continue
            if not s["ok"]:
                L.append(f"| {tool} | {cfg} | failed: {s.get('error') or '?'} | | | | | |")
                continue
            L.append(f"| {tool} | {cfg} | {fmt(s['wps_thread'], ',.0f')} | {fmt(s['train_wall'], '.1f')} | "
                     f"{fmt(s['peak_rss_mb'], '.0f')} | {fmt(s['ws353_rho'], '.3f')} ({s['ws353_oov_pairs']}) | "
                     f"{fmt(s['analogy_acc'], '.1f')} ({s['analogy_answered']:,}) | "
                     f"{fmt(s['analogy_sem_acc'], '.1f')} / {fmt(s['analogy_syn_acc'], '.1f')} |")
    L.append("")
    L.append("Config: " + "; ".join(f"`{k}` = {CONFIG_DESC[k]}" for k in meta["configs"]) + ".")
    L.append("")
    ratio_lines = []
    for cfg in meta["configs"]:
        lx = summ.get((cfg, "lexel"))
        peers = [(t, summ[(cfg, t)]) for t in meta["tools"] if t != "lexel" and summ.get((cfg, t), {}).get("ok")]
        if not lx or not lx.get("ok") or not peers:
            continue
        best_t, best = max(peers, key=lambda p: p[1]["wps_thread"])
        ratio_lines.append(f"- {cfg}: Lexel / {best_t} (faster peer) = "
                           f"{lx['wps_thread'] / best['wps_thread']:.2f}x words/sec/thread")
    if ratio_lines:
        L.append("Speed ratios:")
        L.append("")
        L.extend(ratio_lines)
    else:
        L.append("Speed ratios: Lexel was not run (binary missing or not selected), so no Lexel / peer ratio.")
    L.append("")
    if cross:
        L.append(f"Evaluator cross-check against gensim `evaluate_word_pairs` / "
                 f"`evaluate_word_analogies(restrict_vocab=30000)` on {cross['tool']} {cross['config']}: "
                 f"WS353 {cross['ours_ws353_rho']:.4f} vs {cross['gensim_ws353_rho']:.4f}, analogy "
                 f"{cross['ours_analogy_acc']:.2f}% ({cross['ours_analogy_answered']}) vs "
                 f"{cross['gensim_analogy_acc']:.2f}% ({cross['gensim_analogy_answered']}): "
                 + ("agree." if cross["agree"] else "DISAGREE."))
        L.append("")
    L.append(f"Raw results: `{meta['results_json']}`.")
    L.append("")
    section = "\n".join(L)

    path = os.path.join(ROOT, args.readme)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    replace_section(path, section)
    return path, section
