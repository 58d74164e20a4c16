// Integer matrix product for the lexical embedder's dense layers (the AVX2 instructions Swift cannot spell).
#ifndef LEXEL_INT8GEMM_H
#define LEXEL_INT8GEMM_H

#include <stdint.h>

/// Columns per packed panel of `lexel_gemm_u8i8`.
#define LEXEL_I8_PANEL 16

/// `c[i * ldc + j] = row_scale[i] * col_scale[j] * sum_p a[i * lda + p] * w(p, j)` for `m` rows and `n` columns.
/// `a`: unsigned 8-bit activations (0...127), rows of `4 * quads` bytes (zero-padded). `w`: signed weights in
/// -63...63 (so that four products sum within 16 bits: the AVX2 path relies on it), packed in panels of 16 columns; panel `t` holds, for
/// each group `q` of four inputs, 16 columns x 4 bytes: byte `w[(t * quads + q) * 64 + 4 * c + r]` is the weight
/// from input `4q + r` to output `16t + c` (zero past `n`). Uses AVX-512 VNNI or AVX2 when the CPU has it, scalar
/// code otherwise; the integer sums are exact, so every path gives the same floats.
void lexel_gemm_u8i8(const uint8_t *a, long m, long lda, const int8_t *w, long quads, long n,
                     const float *row_scale, const float *col_scale, float *c, long ldc);

/// The path `lexel_gemm_u8i8` takes on this CPU: 2 = AVX-512 VNNI, 1 = AVX2, 0 = scalar; the environment variable
/// `LEXEL_MAX_ISA=avx2` or `scalar`, read at the first call, caps it (to measure a lesser CPU's kernels on this one).
int lexel_gemm_u8i8_path(void);

/// `lexel_gemm_u8i8` on a given path (capped at what the CPU has): for tests that compare the paths.
void lexel_gemm_u8i8_using(int path, const uint8_t *a, long m, long lda, const int8_t *w, long quads, long n,
                           const float *row_scale, const float *col_scale, float *c, long ldc);

/// Quantises `m` rows of `k` activations (row stride `lda`) to 0...127: the largest value of each row maps to 127,
/// negative values to 0, rounding to nearest (ties to even); `scales[i]` = that largest value / 127. Rows of `q`
/// have stride `ldq >= (k + 3) & ~3`; the padding bytes up to that are zeroed. AVX2 when the CPU has it.
void lexel_quantize_rows_u7(const float *a, long m, long k, long lda, uint8_t *q, long ldq, float *scales);

#endif
