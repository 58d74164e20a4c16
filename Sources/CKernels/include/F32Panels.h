// Float matrix products against a matrix packed in panels of 32 columns: the assignment step of k-means (the best
// column of every row, fused into the product) and plain products (pairwise similarities inside a cluster).
// AVX-512 where the CPU has it, AVX2 + FMA otherwise, plain C elsewhere; every path sums the products of one
// element in the same order with fused multiply-adds, so all of them give bit-identical results.
#ifndef LEXEL_F32PANELS_H
#define LEXEL_F32PANELS_H

#include <stdint.h>

/// Columns per packed panel.
#define LEXEL_F32_PANEL 32

/// The packed layout: for a `n x d` matrix B (one row per column of the product, e.g. one row per centroid),
/// panel `t` holds, for each `p` in `0..<d`, the 32 values `B[32t + l][p]` at `packed[(t * d + p) * 32 + l]`
/// (zero past `n`). The product is `C[i][j] = sum_p A[i][p] * B[j][p]`, summed in order of `p` with FMAs.

/// For each of `m` rows of `a` (row stride `lda`, `d` values), the column `j < n` with the largest
/// `C[i][j] + bias[j]` (ties: the lowest `j`) into `best[i]`, and that value into `score[i]`. `bias` holds
/// `panels * 32` values (use -INFINITY past `n`). A row whose values are all NaN gets column 0 and -INFINITY.
void lexel_f32_argmax(const float *a, long m, long lda, const float *packed, long d, long n, const float *bias,
                      int32_t *best, float *score);

/// `c[i * ldc + j] = C[i][j]` for `m` rows and `n` columns.
void lexel_f32_gemm(const float *a, long m, long lda, const float *packed, long d, long n, float *c, long ldc);

/// `sums[j] += round(x[j] * scale)` (to nearest, ties to even) for `j < n`, where `|x[j] * scale| < 2^31`:
/// exact fixed-point sums, the same whatever the order of the additions.
void lexel_f32_add_fixed(const float *x, long n, float scale, int64_t *sums);

/// The products of `m` rows given by pointer with one packed panel (`n <= 32` columns, `bias` its 32 biases,
/// -INFINITY past `n`), each folded into the state of row `row_index[q]`: its best so far (`best`, `best_score`:
/// the largest, ties to the lowest column) and its group's top two (`top`, `top_index`, `second` at
/// `row_index[q] * group_stride`). The scores are the bits `lexel_f32_gemm` gives.
void lexel_f32_rows_fold(const float *const *rows, long m, const int32_t *row_index, const float *panel, long d,
                         long n, const float *bias, int32_t j0, int32_t *best, float *best_score, float *top,
                         int32_t *top_index, float *second, long group_stride);

/// The products of `m` rows given by pointer with one packed panel (`panel` = its first value, `n <= 32` columns)
/// into `c` (row stride `ldc`): the same bits as `lexel_f32_gemm` gives for them.
void lexel_f32_gemm_rows(const float *const *rows, long m, const float *panel, long d, long n, float *c, long ldc);

/// Which code path the two calls above take on this CPU: "avx512", "avx2" or "scalar".
const char *lexel_f32_panels_path(void);

/// The best path this CPU has: 2 (AVX-512), 1 (AVX2 + FMA) or 0 (plain C).
int lexel_f32_panels_best_path(void);

/// The two calls above on a given path (2, 1 or 0; capped at the best this CPU has), for tests of each path.
void lexel_f32_argmax_using(int path, const float *a, long m, long lda, const float *packed, long d, long n,
                            const float *bias, int32_t *best, float *score);
void lexel_f32_gemm_using(int path, const float *a, long m, long lda, const float *packed, long d, long n, float *c,
                          long ldc);

#endif
