import Foundation
import HTTPTypes
import Hummingbird
import LexelKit
import NIOCore

/// An error answered as JSON: TEI's shape `{"error": ..., "error_type": ...}`, or on OpenAI's routes OpenAI's
/// `{"error": {"message": ..., "type": ..., "code": ...}}`.
struct APIError: Error {
    let status: HTTPResponse.Status
    let message: String

    init(_ status: HTTPResponse.Status, _ message: String) { (self.status, self.message) = (status, message) }

    static func validation(_ message: String) -> APIError { APIError(.unprocessableContent, message) }
    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }

    /// TEI's names for the kinds of error.
    var type: String {
        switch status.code {
        case 401: "unauthorized"
        case 413: "payload_too_large"
        case 422: "validation"
        case 429: "overloaded"
        case 400..<500: "invalid_request"
        default: "backend"
        }
    }

    func response(openAI: Bool = false) -> Response {
        let body = openAI
            ? "{\"error\":{\"message\":\(jsonString(message)),\"type\":\"\(status.code < 500 ? "invalid_request_error" : "server_error")\",\"code\":\(status.code)}}"
            : "{\"error\":\(jsonString(message)),\"error_type\":\"\(type)\"}"
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
