import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// One log line per request (method, path, status, time) and the request metrics; outermost, so that refused
/// requests (401, 429) are logged and counted too.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let route = request.uri.path
        var status = 500
        defer {
            let d = ContinuousClock.now - start
            let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            metrics.record(route: knownRoutes.contains(route) ? route : "other", status: status, seconds: seconds)
            let tenths = Int((seconds * 10_000).rounded())  // milliseconds to one decimal
            logger.info("\(request.method) \(route) \(status) \(tenths / 10).\(tenths % 10) ms")
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let e as HTTPError {
            status = e.status.code
            throw e
        }
    }
}

/// Routes counted by name in the metrics (anything else is "other", so that scanners cannot grow the registry).
let knownRoutes: Set<String> = ["/v1/embeddings", "/embed", "/similar", "/classify", "/health", "/info", "/metrics"]

/// `Authorization: Bearer <key>` on every route but `/health`: 401 otherwise, before any work. The comparison takes
/// the same time wherever the first difference is.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: [UInt8]

    init(key: String) { self.key = Array(key.utf8) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/health" { return try await next(request, context) }
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), key) else {
            var response = APIError(.unauthorized, "missing or wrong API key: send Authorization: Bearer <key>")
                .response(openAI: request.uri.path.hasPrefix("/v1/"))
            response.headers[.wwwAuthenticate] = "Bearer"
            await discardBody(request)
            return response
        }
        return try await next(request, context)
    }
}

/// Whether `a == b`, looking at every byte of `b` whatever `a` is (no early exit on the first difference).
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var diff = UInt8(a.count == b.count ? 0 : 1)
    for i in 0..<b.count { diff |= (i < a.count ? a[i] : 0) ^ b[i] }
    return diff == 0
}

/// At most `limit` requests at once; more get 429 at once (bounded memory under any load).
struct ConcurrencyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The count shared by the copies of the middleware.
    final class Count: Sendable { let value = Atomic<Int>(0) }
    let limit: Int
    let inFlight = Count()
    let metrics: ServerMetrics

    init(limit: Int, metrics: ServerMetrics) { (self.limit, self.metrics) = (limit, metrics) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/health" || request.uri.path == "/metrics" { return try await next(request, context) }
        let now = inFlight.value.add(1, ordering: .acquiring).newValue
        defer {
            inFlight.value.subtract(1, ordering: .releasing)
            metrics.inFlight.decrement()
        }
        metrics.inFlight.increment()
        guard now <= limit else {
            metrics.rejected.increment()
            await discardBody(request)
            return APIError(.tooManyRequests, "the server is handling \(limit) requests, its limit: retry later")
                .response(openAI: request.uri.path.hasPrefix("/v1/"))
        }
        return try await next(request, context)
    }
}
