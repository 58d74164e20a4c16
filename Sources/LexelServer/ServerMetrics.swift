import Prometheus
import Synchronization

/// The server's Prometheus metrics (`GET /metrics`), in a registry of its own (no process-wide state, so that
/// tests can run several servers).
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let inFlight: Gauge
    let texts: Counter
    let tokens: Counter
    let rejected: Counter
    private let batchCount: Gauge, batchTexts: Gauge
    /// Latency histograms by route, and request counters by route and status, made once (the registry checks
    /// names and takes its lock on every make).
    private let latency: [String: DurationHistogram]
    private let requests = Mutex<[String: Counter]>([:])
    private let latencyBuckets: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                              .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                              .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10)]

    init() {
        inFlight = registry.makeGauge(descriptor: Self.name("requests_in_flight", "", "Requests being handled"))
        texts = registry.makeCounter(descriptor: Self.name("texts", "total", "Texts embedded or classified"))
        tokens = registry.makeCounter(descriptor: Self.name("tokens", "total", "WordPiece tokens embedded"))
        rejected = registry.makeCounter(descriptor: Self.name("requests_rejected", "total", "Requests refused with 429"))
        batchCount = registry.makeGauge(descriptor: Self.name("embedding_batches", "", "Embedding batches run (requests batched across clients)"))
        batchTexts = registry.makeGauge(descriptor: Self.name("embedding_batch_texts", "", "Texts in those batches"))
        var latency: [String: DurationHistogram] = [:]
        for route in knownRoutes.union(["other"]) {
            latency[route] = registry.makeDurationHistogram(descriptor: Self.name("request_duration", "seconds", "Request latency"),
                                                            labels: [("route", route)], buckets: latencyBuckets)
        }
        self.latency = latency
    }

    /// Counts a finished request by route (one of `knownRoutes`, or "other") and status, and its latency.
    func record(route: String, status: Int, seconds: Double) {
        let key = "\(route) \(status)"
        let counter = requests.withLock { made in
            if let c = made[key] { return c }
            let c = registry.makeCounter(descriptor: Self.name("requests", "total", "Requests by route and status"),
                                         labels: [("route", route), ("status", String(status))])
            made[key] = c
            return c
        }
        counter.increment()
        latency[route]?.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Embedding batches (requests batched across clients) and the texts in them, set from the batcher.
    func batches(_ count: Int, texts: Int) {
        batchCount.set(Double(count))
        batchTexts.set(Double(texts))
    }

    /// `lexel_<name>_<unit>` with its help line.
    static func name(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "lexel", metricName: name, unitName: unit, helpText: help)
    }

    /// The Prometheus text format.
    func text() -> String { registry.emitToString() }
}
