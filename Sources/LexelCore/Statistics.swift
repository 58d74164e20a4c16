/// Spearman's rank correlation: Pearson's correlation of the ranks (ties get their average rank). 0 when either
/// side is constant or has fewer than two values.
public func spearmanCorrelation<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> Double {
    precondition(a.count == b.count, "spearman: lengths differ")
    return pearsonCorrelation(averageRanks(a), averageRanks(b))
}

/// 1-based ranks of `x`, ties sharing their average rank.
public func averageRanks<T: BinaryFloatingPoint>(_ x: [T]) -> [Double] {
    let order = x.indices.sorted { x[$0] < x[$1] }
    var r = [Double](repeating: 0, count: x.count)
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
        let avg = Double(i + j) / 2 + 1
        for k in i...j { r[order[k]] = avg }
        i = j + 1
    }
    return r
}

/// Pearson's correlation; 0 when either side is constant or has fewer than two values.
public func pearsonCorrelation(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "pearson: lengths differ")
    let n = Double(x.count)
    guard n > 1 else { return 0 }
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in x.indices {
        let (dx, dy) = (x[i] - mx, y[i] - my)
        sxy += dx * dy
        sxx += dx * dx
        syy += dy * dy
    }
    return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
}
