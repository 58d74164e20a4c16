import Foundation
import NIOCore

/// Writing the responses' JSON straight into a buffer: float arrays are most of every response, and a generic
/// encoder spends more on them than the embedding itself.
extension ByteBuffer {
    /// `[x0,x1,...]` with each float in its shortest round-trip form.
    mutating func writeJSONFloats(_ p: UnsafeBufferPointer<Float>) {
        writeInteger(UInt8(ascii: "["))
        for (i, x) in p.enumerated() {
            if i > 0 { writeInteger(UInt8(ascii: ",")) }
            writeJSONNumber(x)
        }
        writeInteger(UInt8(ascii: "]"))
    }

    /// A finite float as a JSON number (non-finite values, which the models never produce, as 0).
    mutating func writeJSONNumber(_ x: Float) {
        if x == 0 { writeInteger(UInt8(ascii: "0")); return }
        writeString(x.isFinite ? x.description : "0")
    }

    /// `"<base64 of the little-endian float32 bytes>"`, OpenAI's `encoding_format: "base64"`.
    mutating func writeBase64Floats(_ p: UnsafeBufferPointer<Float>) {
        let data = Data(bytes: p.baseAddress!, count: p.count * 4)
        writeInteger(UInt8(ascii: "\""))
        writeString(data.base64EncodedString())
        writeInteger(UInt8(ascii: "\""))
    }
}
