// `LexicalBench stages`: the sparse stages of `lexel embed` on real texts, each in two forms side by side in one
// process, alternating, best of --repeats (thread CPU time, so other jobs on a shared machine count less):
//   n-grams    the document's TF-IDF features with every n-gram hashed and looked up (`NgramVocabulary` as built
//              from the file), and with unigrams read from the direct table (`withDirectUnigrams`, what
//              `LexicalModel` uses);
//   rows       the first layer's row sum, one `accumulate(row:)` per feature, and `accumulate(_:into:)` (what
//              `lexel embed` runs: the same additions, with the rows prefetched a few features ahead).
// Both forms give the same bits (checked here too).
//
//   LexicalBench stages --model M.lxm --input DOCS.jsonl [--repeats 5]   (JSON Lines with "text", or plain lines)

#if canImport(Glibc)
import Glibc
import Foundation
import LexelKit
#endif

func threadSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func stagesBench(model path: String, input: String, repeats: Int) throws {
    let model = try LexicalModel.load(path: path)
    let lines = try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n")
    let texts: [String] = lines.map { line in
        guard line.first == "{", let d = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let t = d["text"] as? String else { return String(line) }
        return t
    }
    var ids: [Int32] = []
    let tokens: [[UInt32]] = texts.map { t in
        var t = t
        ids.removeAll(keepingCapacity: true)
        t.withUTF8 { model.tokenizer.encode(utf8: $0, into: &ids) }
        return ids.map { UInt32(bitPattern: $0) }
    }
    let v = model.vocabulary
    let plain = try NgramVocabulary(hashes: v.hashes, idf: v.idf, minN: v.minN, maxN: v.maxN)
    let n = Double(texts.count)
    print("stages: \(texts.count) documents, \(tokens.reduce(0) { $0 + $1.count }) tokens, model \(path) (\(v.count) features, n-grams \(v.minN)...\(v.maxN), W0 \(model.network.input.dtype.rawValue) x \(model.network.dims[0]))")
    var features = [SparseVector](repeating: SparseVector(), count: texts.count)
    func ngrams(_ vocab: NgramVocabulary) -> Double {
        let t0 = threadSeconds()
        for (i, t) in tokens.enumerated() { t.withUnsafeBufferPointer { vocab.tfidf($0, options: model.tfidf, into: &features[i]) } }
        return threadSeconds() - t0
    }
    _ = ngrams(plain)
    let hashed = features
    _ = ngrams(v)
    guard features == hashed else { print("n-grams: the two forms differ"); exit(1) }
    let rows = model.network.input, d = rows.dim
    let h = UnsafeMutablePointer<Float>.allocate(capacity: d)
    var check: [[Float]] = [[], []]
    func rowSums(_ grouped: Bool) -> Double {
        let t0 = threadSeconds()
        var sum: [Float] = []
        for x in features {
            h.initialize(repeating: 0, count: d)
            if grouped {
                rows.accumulate(x, into: h)
            } else {
                for (i, w) in zip(x.indices, x.values) where Int(i) < rows.count { rows.accumulate(row: Int(i), weight: w, into: h) }
            }
            if sum.isEmpty { sum = Array(UnsafeBufferPointer(start: h, count: d)) }
        }
        check[grouped ? 1 : 0] = sum
        return threadSeconds() - t0
    }
    var best = [Double](repeating: .infinity, count: 4)
    for r in 0..<repeats {
        let s = [ngrams(plain), ngrams(v), rowSums(false), rowSums(true)]
        for k in 0..<4 { best[k] = min(best[k], s[k]) }
        print("run \(r): n-grams hashed \(us(s[0], n)) / direct unigrams \(us(s[1], n)) us/doc; rows one by one \(us(s[2], n)) / prefetched \(us(s[3], n)) us/doc")
    }
    guard check[0].map(\.bitPattern) == check[1].map(\.bitPattern) else { print("rows: the two forms differ"); exit(1) }
    print("best: n-grams \(us(best[0], n)) -> \(us(best[1], n)) us/doc (\(ratio(best[0], best[1]))x); rows \(us(best[2], n)) -> \(us(best[3], n)) us/doc (\(ratio(best[2], best[3]))x)")
}

func us(_ s: Double, _ n: Double) -> String { String(format: "%.1f", 1e6 * s / n) }
func ratio(_ a: Double, _ b: Double) -> String { String(format: "%.2f", a / b) }
