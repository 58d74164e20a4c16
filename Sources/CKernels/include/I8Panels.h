// The assignment step of k-means in 8-bit integers: the products of points (u8 codes) with centroids (i8 codes,
// packed in panels of 32) summed exactly in 32-bit integers with AVX-512 VNNI (64 multiply-adds per instruction,
// 4x an f32 FMA), then scaled and compared in float. Every path gives bit-identical results: the integer sums are
// exact, and the float epilogue is the same operations in the same order.
#ifndef LEXEL_I8PANELS_H
#define LEXEL_I8PANELS_H

#include <stdint.h>

/// Columns per packed panel.
#define LEXEL_I8_ASSIGN_PANEL 32

/// Packed centroids: `quads = ceil(d / 4)`; byte `packed[((t * quads + q) * 32 + l) * 4 + r]` is the code of value
/// `4q + r` of centroid `32t + l` (zero past `d` and past `n`). Points: `quads * 4` bytes per row, each the signed
/// code plus 128 (zero padding codes 128).
///
/// For each of `m` point rows (`a`, row stride `lda` bytes): the column `j < n` with the largest
/// `(float)dot_j * scale[j] + bias[j] * row_inv[i]`, where `dot_j` = the exact sum of signed code products
/// (computed as `sum (a - 128) * w`, via `sum a * w - 128 * colsum[j]`); ties to the lowest j. `scale`, `bias`
/// and `colsum` hold `panels * 32` entries (bias -INFINITY past `n`).
void lexel_i8_argmax(const uint8_t *a, long m, long lda, const int8_t *packed, long quads, long n,
                     const int32_t *colsum, const float *scale, const float *bias, const float *row_inv, int32_t *best);

/// Codes `m` float rows (stride `stride` floats, `d` values) for `lexel_i8_argmax`: per row, `inverse[i]` =
/// 1 / (max |x| / 127) (1 for a zero row) and byte `p` = clamp(round-to-nearest-even(x[p] * inverse), -127, 127)
/// + 128, padded with 128 to `4 * quads` bytes.
void lexel_i8_code_rows(const float *x, long m, long stride, long d, long quads, uint8_t *codes, float *inverse);

/// 1 when this CPU runs `lexel_i8_argmax` with VNNI, 0 when it takes the (slow, exact) plain C path.
int lexel_i8_has_vnni(void);

/// `lexel_i8_argmax` on the plain C path (for tests of the fast one).
void lexel_i8_argmax_plain(const uint8_t *a, long m, long lda, const int8_t *packed, long quads, long n,
                           const int32_t *colsum, const float *scale, const float *bias, const float *row_inv,
                           int32_t *best);

#endif
