import CSupport
import LexelCore
import LexelKernels
#if canImport(Glibc)
import Glibc
#endif

/// What this binary is and what it runs on, for `lexel --version` and bug reports.
public enum BuildInfo {
    /// The release version.
    public static let version = "0.5.0"
    /// The git commit built (12 hex digits), or `unknown`.
    public static var gitHash: String { String(cString: lexel_build_git_hash()) }
    /// The SIMD level the binary was compiled for (`avx2+fma` for the default x86-64-v3 build).
    public static var simd: String { String(cString: lexel_build_simd()) }

    /// The running CPU's model name and its SIMD features that Lexel's kernels care about.
    public static var cpu: String {
        let names: [String] = ["avx2", "fma", "avx512f", "avx512vnni", "avxvnni", "avx512bf16"]
        let features = names.filter { name in name.withCString { lexel_cpu_has($0) != 0 } }
        return "\(cpuModel ?? "unknown CPU"), \(onlineCPUs) CPUs online, \(features.isEmpty ? "no AVX2" : features.joined(separator: " "))"
    }

    /// The kernels chosen at run time on this CPU (`LEXEL_MAX_ISA=avx2|scalar` caps the int8 ones).
    public static var kernels: String {
        "int8 dense layers \(Gemm.int8Kernel), bf16 dense layers \(Gemm.bf16Kernel), f32 panels (k-means, dedup) \(PanelMatrix.path), int8 panels "
            + (Int8PanelMatrix.fast ? "avx512-vnni" : "plain C")
    }

    /// Every line of `lexel --version`.
    public static var summary: String {
        """
        lexel \(version) (git \(gitHash))
        built for: \(simd)
        running on: \(cpu)
        kernels: \(kernels)
        """
    }

    static var cpuModel: String? {
        guard let text = try? String(decoding: readSmallFile("/proc/cpuinfo", limit: 1 << 16), as: UTF8.self) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters() }
        }
        return nil
    }
}

/// The first `limit` bytes of a file (for `/proc` files, whose size `stat` does not tell).
func readSmallFile(_ path: String, limit: Int) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw LexelError(file: path, "cannot open: \(errnoText())") }
    defer { close(fd) }
    var out = [UInt8](repeating: 0, count: limit)
    var n = 0
    while n < limit {
        let r = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + n, limit - n) }
        if r <= 0 { break }
        n += r
    }
    return Array(out[0..<n])
}

extension Substring {
    func trimmingCharacters() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
