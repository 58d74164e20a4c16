import Foundation
import Hummingbird
import HummingbirdTesting
@testable import LexelServer
import XCTest

/// Bodies far over the limit, sent by a real client over loopback the way Python's urllib sends them:
/// `Connection: close`, the whole body written before anything is read. The server must read (and drop) the rest of
/// the body and answer, not stop reading and leave the client blocked in its write.
final class LargeBodyTests: XCTestCase {
    /// 10 MB of JSON text.
    static let body = "{\"inputs\": \"" + String(repeating: "a", count: 10_000_000) + "\"}"

    func testTenMegabytesGetTheirAnswerWithConnectionClose() async throws {
        let (app, stop) = try LexelHTTPServer.application(ServerRouteTests.options())
        defer { stop() }
        try await app.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let answer = try await Self.send(port: port, path: "/embed", body: Self.body)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 413"), String(answer.prefix(200)))
            XCTAssertTrue(answer.contains("larger than the limit"), String(answer.prefix(300)))
        }
    }

    func testRefusalsBeforeTheBodyIsReadStillAnswer() async throws {
        let (app, stop) = try LexelHTTPServer.application(ServerRouteTests.options { $0.apiKey = "secret" })
        defer { stop() }
        try await app.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let answer = try await Self.send(port: port, path: "/embed", body: Self.body)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 401"), String(answer.prefix(200)))
        }
    }

    /// Sends one request on a blocking socket (on its own thread, off Swift's cooperative pool) and returns what
    /// the server answered; a 20 s send/receive timeout turns a hang into a failure.
    static func send(port: Int, path: String, body: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchange(port: port, path: path, body: body) })
            }
        }
    }

    static func blockingExchange(port: Int, path: String, body: String) throws -> String {
        struct SocketError: Error, CustomStringConvertible { let description: String }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(description: "socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw SocketError(description: "connect() failed: errno \(errno)") }
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Authorization: Bearer wrong\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        for part in [head, body] {
            let bytes = Array(part.utf8)
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw SocketError(description: "the server stopped reading after \(sent) of \(bytes.count) bytes (errno \(errno))") }
                sent += n
            }
        }
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        guard !answer.isEmpty else { throw SocketError(description: "no answer (errno \(errno))") }
        return String(decoding: answer, as: UTF8.self)
    }
}
