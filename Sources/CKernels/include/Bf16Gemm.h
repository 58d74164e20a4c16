// bfloat16 matrix product for the lexical embedder's dense layers (AVX-512 BF16's vdpbf16ps, which Swift cannot
// spell): half the bytes of f32 weights and two multiply-adds per 32-bit lane per instruction, with f32 sums.
#ifndef LEXEL_BF16GEMM_H
#define LEXEL_BF16GEMM_H

#include <stdint.h>

/// Columns per packed panel of `lexel_gemm_bf16`.
#define LEXEL_BF16_PANEL 16

/// `c[i * ldc + j] = sum_p a[i * lda + p] * w(p, j)` in f32 sums of bf16 products, for `m` rows and `n` columns.
/// `a`: bf16 activations, rows of `2 * pairs` values (zero-padded). `w`: bf16 weights packed in panels of 16
/// columns; panel `t` holds, for each pair `q` of inputs, 16 columns x 2 values: `w[(t * pairs + q) * 32 + 2 * c + r]`
/// is the weight from input `2q + r` to output `16t + c` (zero past `n`). Each pair is added as vdpbf16ps adds it
/// (the odd input's product, then the even one's, each rounded to f32); the plain C path follows the same order.
void lexel_gemm_bf16(const uint16_t *a, long m, long lda, const uint16_t *w, long pairs, long n, float *c, long ldc);

/// The path `lexel_gemm_bf16` takes on this CPU: 1 = AVX-512 BF16, 0 = plain C (slow: for tests and reference
/// only). `LEXEL_MAX_ISA=avx2` or `scalar`, read at the first call, caps it at 0.
int lexel_gemm_bf16_path(void);

/// `lexel_gemm_bf16` on a given path (capped at what the CPU has): for tests that compare the paths.
void lexel_gemm_bf16_using(int path, const uint16_t *a, long m, long lda, const uint16_t *w, long pairs, long n,
                           float *c, long ldc);

/// `n` floats rounded to bf16 (to nearest, ties to even; NaN stays NaN; subnormals become zero of the same sign,
/// as the AVX-512 BF16 conversion makes them).
void lexel_bf16_round(const float *x, long n, uint16_t *out);

/// `m` rows of `k` floats (row stride `lda`) rounded to bf16 as `lexel_bf16_round` does, into rows of stride
/// `ldq >= (k + 1) & ~1` values; the padding value past `k` (if `k` is odd) is zeroed. AVX-512 BF16 where the CPU has it.
void lexel_bf16_round_rows(const float *a, long m, long k, long lda, uint16_t *q, long ldq);

#endif
