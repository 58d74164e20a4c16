import LexelCore

/// Distillation checkpoints: everything a run needs to continue exactly where it stopped.
///
/// Layout (little-endian): magic `LXDISTCK`, UInt32 version (1), UInt32 number of dims; UInt64 inputDim; UInt32
/// per dim; Float32 temperature, learning rate, beta1, beta2, epsilon, weight decay; UInt64 batch size; Float64
/// epochs, warmup fraction, decay fraction; UInt32 lazyW0 (0/1), UInt32 0; UInt64 seed, step, documents, teacher dim;
/// Float64 smoothed loss and its weight; zero padding to 64 bytes. Then Float32 arrays, each 64-byte aligned:
/// W₀, m₀, v₀ (`inputDim x dims[0]`), and for each dense layer W, m, v (`dims[l+1] x dims[l]`). Last, a UInt64
/// checksum of everything before it (`Checkpoint.hash`). Written atomically (temp file + rename).
enum Checkpoint {
    static let magic: [UInt8] = Array("LXDISTCK".utf8)
    static let version: UInt32 = 1

    /// A 64-bit checksum, four independent multiply-rotate lanes over 8-byte words (fast enough for GBs).
    struct Hasher {
        var lanes: SIMD4<UInt64> = [0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9, 0x27D4_EB2F_1656_67C5]
        var length: UInt64 = 0
        var pending: [UInt8] = []

        mutating func add(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count > 0 else { return }
            var start = 0
            if !pending.isEmpty {  // complete a partial 32-byte block first
                let take = min(32 - pending.count, bytes.count)
                pending += bytes[0..<take]
                start = take
                if pending.count == 32 {
                    pending.withUnsafeBytes { mix($0.baseAddress!) }
                    pending = []
                }
            }
            var i = start
            while i + 32 <= bytes.count {
                mix(bytes.baseAddress! + i)
                i += 32
            }
            if i < bytes.count { pending += bytes[i...] }
            length &+= UInt64(bytes.count)
        }

        @inline(__always) mutating func mix(_ p: UnsafeRawPointer) {
            let w = p.loadUnaligned(as: SIMD4<UInt64>.self)
            lanes = (lanes ^ w) &* SIMD4(repeating: 0x9FB2_1C65_1E98_DF25)
            lanes = (lanes &<< 31) | (lanes &>> 33)
        }

        func finish() -> UInt64 {
            var h = length &* 0x9E37_79B9_7F4A_7C15
            for b in pending { h = (h ^ UInt64(b)) &* 0x0100_0000_01B3 }
            for k in 0..<4 { h = (h ^ lanes[k]) &* 0x9FB2_1C65_1E98_DF25; h ^= h >> 29 }
            return h
        }
    }
}

extension Distiller {
    /// The arrays of a checkpoint, in file order, with their float counts.
    var checkpointArrays: [(UnsafeMutablePointer<Float>, Int)] {
        let n0 = inputDim * options.dims[0]
        var out = [(net.w0, n0), (m0, n0), (v0, n0)]
        for l in 0..<net.denseLayers { out += [(net.weights[l], net.weightCount(l)), (m[l], net.weightCount(l)), (v[l], net.weightCount(l))] }
        return out
    }

    /// Writes the run's state (weights, AdamW moments, step, options) to `path`, atomically.
    public func writeCheckpoint(path: String) throws {
        var header: [UInt8] = Checkpoint.magic
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { header += $0 } }
        let o = options
        put(Checkpoint.version)
        put(UInt32(o.dims.count))
        put(UInt64(inputDim))
        for d in o.dims { put(UInt32(d)) }
        for f in [o.temperature, o.learningRate, o.adam.beta1, o.adam.beta2, o.adam.epsilon, o.adam.weightDecay] { put(f.bitPattern) }
        put(UInt64(o.batchSize))
        for d in [o.epochs, o.warmupFraction, o.decayFraction] { put(d.bitPattern) }
        put(UInt32(o.lazyW0 ? 1 : 0))
        put(UInt32(0))
        for u in [o.seed, UInt64(step), UInt64(documentCount), UInt64(teacherDim)] { put(u) }
        put(smoothed.bitPattern)
        put(smoothedWeight.bitPattern)
        while header.count % 64 != 0 { header.append(0) }

        let w = try AtomicFileWriter(path: path)
        var hasher = Checkpoint.Hasher()
        try header.withUnsafeBytes { try w.write($0); hasher.add($0) }
        for (p, n) in checkpointArrays {
            let bytes = UnsafeRawBufferPointer(start: p, count: n * 4)
            try w.write(bytes)
            hasher.add(bytes)
            let pad = [UInt8](repeating: 0, count: (64 - (n * 4) % 64) % 64)
            try pad.withUnsafeBytes { try w.write($0); hasher.add($0) }
        }
        try w.write(hasher.finish())
        try w.commit()
    }

    /// Reads a checkpoint written by `writeCheckpoint`; `threads` replaces the stored thread count (threads are
    /// not part of the state). A truncated, corrupt or foreign file gives an error naming the file and offset.
    public convenience init(checkpoint path: String, threads: Int? = nil) throws {
        let file = try MappedFile(path: path)
        var r = file.reader()
        let magic = try r.bytes(8, "magic")
        guard Array(magic) == Checkpoint.magic else {
            throw LexelError(file: path, offset: 0, "not a Lexel distillation checkpoint (bad magic)")
        }
        let version = try r.read(UInt32.self, "version")
        guard version == Checkpoint.version else {
            throw LexelError(file: path, offset: 8, "checkpoint version \(version) is not supported (expected \(Checkpoint.version))")
        }
        let dimCount = Int(try r.read(UInt32.self, "dims count"))
        guard (2...64).contains(dimCount) else { throw LexelError(file: path, offset: 12, "implausible layer count \(dimCount)") }
        let inputDim = try r.read(UInt64.self, "input dimension")
        guard inputDim > 0, inputDim < 1 << 32 else { throw LexelError(file: path, offset: 16, "implausible input dimension \(inputDim)") }
        var o = DistillOptions()
        o.dims = try (0..<dimCount).map { _ in Int(try r.read(UInt32.self, "dims")) }
        func float() throws -> Float { Float(bitPattern: try r.read(UInt32.self, "hyper-parameters")) }
        (o.temperature, o.learningRate) = (try float(), try float())
        o.adam = AdamWOptions(beta1: try float(), beta2: try float(), epsilon: try float(), weightDecay: try float())
        o.batchSize = Int(try r.read(UInt64.self, "batch size"))
        o.epochs = try r.readDouble("epochs")
        o.warmupFraction = try r.readDouble("warmup fraction")
        o.decayFraction = try r.readDouble("decay fraction")
        o.lazyW0 = try r.read(UInt32.self, "lazy flag") != 0
        _ = try r.read(UInt32.self, "padding")
        o.seed = try r.read(UInt64.self, "seed")
        let state = try (0..<3).map { _ in try r.read(UInt64.self, "training state") }
        let smoothed = try r.readDouble("smoothed loss"), smoothedWeight = try r.readDouble("smoothed loss weight")
        if let threads { o.threads = threads }
        do { try o.validate() } catch let e as LexelError { throw LexelError(file: path, offset: 0, "invalid options: \(e.message)") }
        guard state.allSatisfy({ $0 < 1 << 48 }) else { throw LexelError(file: path, offset: Int64(r.offset), "implausible step counts") }
        r.align(64)
        // The whole size is known from the header: check it before allocating anything.
        var expected = r.offset
        let d = o.dims
        var counts = Array(repeating: Int(inputDim) * d[0], count: 3)
        for l in 0..<(d.count - 1) { counts += Array(repeating: d[l] * d[l + 1], count: 3) }
        for c in counts { expected += (c * 4 + 63) / 64 * 64 }
        guard file.size == expected + 8 else {
            throw LexelError(file: path, offset: Int64(min(file.size, expected + 8)),
                             file.size < expected + 8 ? "truncated: \(file.size) bytes, the header promises \(expected + 8)"
                                                      : "\(file.size - expected - 8) unexpected bytes after the checkpoint")
        }
        var hasher = Checkpoint.Hasher()
        hasher.add(UnsafeRawBufferPointer(start: file.base, count: expected))
        var tail = file.reader(at: expected)
        guard try tail.read(UInt64.self, "checksum") == hasher.finish() else {
            throw LexelError(file: path, offset: Int64(expected), "checksum mismatch: the checkpoint is corrupt")
        }
        try self.init(inputDim: Int(inputDim), options: o, randomWeights: false)
        for (p, n) in checkpointArrays {
            let bytes = try r.bytes(n * 4, "weights")
            UnsafeMutableRawPointer(p).copyMemory(from: bytes.baseAddress!, byteCount: n * 4)
            r.align(64)
        }
        (step, documentCount, teacherDim) = (Int(state[0]), Int(state[1]), Int(state[2]))
        (self.smoothed, self.smoothedWeight) = (smoothed, smoothedWeight)
    }
}
