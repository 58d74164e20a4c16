import Foundation
import HTTPTypes
import Hummingbird
import LexelKit
import Logging
import NIOCore

/// `lexel serve`: the HTTP front end over LexelKit.
public enum LexelHTTPServer {
    /// The application for `options` (files opened, routes and middleware in place), not yet running.
    public static func application(_ options: ServerOptions, logger: Logger = Logger(label: "lexel.serve"))
        throws -> (some ApplicationProtocol, stop: @Sendable () -> Void) {
        let state = try ServerState(options)
        let router = Router()
        router.add(middleware: AccessLogMiddleware(metrics: state.metrics, logger: logger))
        if let key = options.apiKey { router.add(middleware: APIKeyMiddleware(key: key)) }
        router.add(middleware: ConcurrencyLimitMiddleware(limit: options.limits.maxConcurrent, metrics: state.metrics))
        router.post("v1/embeddings") { request, _ in try await answer(openAI: true) { try await state.openAIEmbeddings(request) } }
        router.post("embed") { request, _ in try await answer { try await state.teiEmbed(request) } }
        router.post("classify") { request, _ in try await answer { try await state.classify(request) } }
        router.post("similar") { request, _ in try await answer { try await state.similar(request) } }
        router.get("health") { _, _ in json("{\"status\":\"ok\"}") }
        router.get("info") { _, _ in state.info() }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: state.metrics.text())))
        }
        let key = options.apiKey == nil ? "no API key" : "API key required"
        let app = Application(router: router,
                              configuration: .init(address: .hostname(options.host, port: options.port), serverName: "lexel"),
                              onServerRunning: { channel in
                                  let port = channel.localAddress?.port ?? options.port
                                  logger.info("listening on http://\(options.host):\(port) (\(key)); SIGTERM or SIGINT stops")
                              },
                              logger: logger)
        return (app, { state.batcher.stop() })
    }

    /// Runs the server from synchronous code (the command line): logs to standard error, and returns once it has
    /// stopped (SIGTERM, SIGINT) or throws what kept it from starting.
    public static func serve(_ options: ServerOptions) throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        final class Outcome: @unchecked Sendable { var error: (any Error)? }
        let outcome = Outcome(), done = DispatchSemaphore(value: 0)
        Task {
            do { try await run(options) } catch { outcome.error = error }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }

    /// Runs until SIGTERM or SIGINT, then stops taking connections, answers the requests in flight, and returns.
    public static func run(_ options: ServerOptions, logger: Logger = Logger(label: "lexel.serve")) async throws {
        let (app, stop) = try application(options, logger: logger)
        defer { stop() }
        do {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch let e as IOError {
            throw LexelError("cannot listen on \(options.host):\(options.port): \(e.description)")
        }
        logger.info("stopped")
    }
}

/// Runs a route's body; an APIError becomes its JSON response (OpenAI's shape on /v1 routes).
func answer(openAI: Bool = false, _ body: () async throws -> Response) async throws -> Response {
    do {
        return try await body()
    } catch let e as APIError {
        return e.response(openAI: openAI)
    } catch let e as LexelError {
        return APIError.validation("\(e)").response(openAI: openAI)
    }
}
