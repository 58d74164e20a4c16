// Products against 32-column panels (see include/F32Panels.h). The AVX-512 micro-kernel keeps a 12 x 32 block of
// sums in 24 registers and reads one panel row (two registers) per step, the row values broadcast from memory;
// the AVX2 one keeps 3 x 32 in 12 registers. The argmax epilogue keeps, per row, the best value and column of
// each lane (column j in lane j mod 32) in a small array in L1, and folds the lanes at the end of the row group.
#include "F32Panels.h"
#include "PanelFold.h"
#include <math.h>
#include <string.h>

#define PANEL LEXEL_F32_PANEL

// Final fold of a row's 32 lanes: the largest value, ties to the lowest column.
static inline void fold_lanes(const float *v, const int32_t *ix, int32_t *best, float *score) {
    float bv = v[0];
    int32_t bi = ix[0];
    for (int l = 1; l < PANEL; l++) {
        if (v[l] > bv || (v[l] == bv && ix[l] < bi)) { bv = v[l]; bi = ix[l]; }
    }
    *best = bi;
    *score = bv;
}

#if defined(__x86_64__)
#include <immintrin.h>

#define MR512 12
#define MR256 2

// 12 x 32 sums for rows r[0..11] against one panel.
#define TILE512(r, panel, d, acc)                                                              \
    do {                                                                                       \
        for (int q = 0; q < MR512; q++) { acc[q][0] = _mm512_setzero_ps(); acc[q][1] = acc[q][0]; } \
        const float *w = (panel);                                                              \
        for (long p = 0; p < (d); p++, w += PANEL) {                                           \
            const __m512 w0 = _mm512_loadu_ps(w), w1 = _mm512_loadu_ps(w + 16);                \
            _Pragma("clang loop unroll(full)")                                                 \
            for (int q = 0; q < MR512; q++) {                                                  \
                const __m512 x = _mm512_set1_ps(r[q][p]);                                      \
                acc[q][0] = _mm512_fmadd_ps(x, w0, acc[q][0]);                                 \
                acc[q][1] = _mm512_fmadd_ps(x, w1, acc[q][1]);                                 \
            }                                                                                  \
        }                                                                                      \
    } while (0)

// Pointers to rows i ... i + mr - 1 of a pointer list (past m: the first one again); returns how many are real.
static inline long pick_rows(const float *const *rows, long i, long m, int mr, const float **r) {
    const long cnt = m - i < mr ? m - i : mr;
    for (int q = 0; q < mr; q++) r[q] = rows[i + (q < cnt ? q : 0)];
    return cnt;
}

static inline void row_group(const float *a, long i, long m, long lda, int mr, const float **r, long *rows) {
    *rows = m - i < mr ? m - i : mr;
    for (int q = 0; q < mr; q++) r[q] = a + (i + (q < *rows ? q : 0)) * lda;  // extra rows repeat the first
}

__attribute__((target("avx512f")))
static void argmax512(const float *a, long m, long lda, const float *packed, long d, long n, const float *bias,
                      int32_t *best, float *score) {
    const long panels = (n + PANEL - 1) / PANEL;
    for (long i = 0; i < m; i += MR512) {
        const float *r[MR512];
        long rows;
        row_group(a, i, m, lda, MR512, r, &rows);
        float row_best[MR512];
        int32_t row_index[MR512];
        for (int q = 0; q < MR512; q++) { row_best[q] = -INFINITY; row_index[q] = 0; }
        for (long t = 0; t < panels; t++) {
            __m512 acc[MR512][2];
            TILE512(r, packed + t * d * PANEL, d, acc);
            const __m512 b0 = _mm512_loadu_ps(bias + t * PANEL), b1 = _mm512_loadu_ps(bias + t * PANEL + 16);
            _Pragma("clang loop unroll(full)")
            for (int q = 0; q < MR512; q++) {
                const __m512 v0 = _mm512_add_ps(acc[q][0], b0), v1 = _mm512_add_ps(acc[q][1], b1);
                // the row's best so far is one scalar: a tile holding nothing larger costs one compare
                const __m512 cur = _mm512_set1_ps(row_best[q]);
                if (_mm512_cmp_ps_mask(v0, cur, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v1, cur, _CMP_GT_OQ)) {
                    const float mx = _mm512_reduce_max_ps(_mm512_max_ps(v0, v1));
                    const __m512 vm = _mm512_set1_ps(mx);
                    const uint32_t eq = (uint32_t)_mm512_cmp_ps_mask(v0, vm, _CMP_EQ_OQ) |
                                        ((uint32_t)_mm512_cmp_ps_mask(v1, vm, _CMP_EQ_OQ) << 16);
                    row_best[q] = mx;
                    row_index[q] = (int32_t)(t * PANEL) + __builtin_ctz(eq);  // the lowest column holding the largest
                }
            }
        }
        for (long q = 0; q < rows; q++) { best[i + q] = row_index[q]; score[i + q] = row_best[q]; }
    }
}

__attribute__((target("avx512f")))
static void rows512(const float *const *rows, long m, const float *panel, long d, long n, float *c, long ldc) {
    for (long i = 0; i < m; i += MR512) {
        const float *r[MR512];
        const long cnt = pick_rows(rows, i, m, MR512, r);
        __m512 acc[MR512][2];
        TILE512(r, panel, d, acc);
        const __mmask16 k0 = n >= 16 ? 0xFFFF : (__mmask16)((1u << n) - 1);
        const __mmask16 k1 = n >= 32 ? 0xFFFF : n <= 16 ? 0 : (__mmask16)((1u << (n - 16)) - 1);
        for (long q = 0; q < cnt; q++) {
            _mm512_mask_storeu_ps(c + (i + q) * ldc, k0, acc[q][0]);
            _mm512_mask_storeu_ps(c + (i + q) * ldc + 16, k1, acc[q][1]);
        }
    }
}

#define TILE256(r, panel, d, acc)                                                              \
    do {                                                                                       \
        for (int q = 0; q < MR256; q++) for (int h = 0; h < 4; h++) acc[q][h] = _mm256_setzero_ps(); \
        const float *w = (panel);                                                              \
        for (long p = 0; p < (d); p++, w += PANEL) {                                           \
            const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8);                 \
            const __m256 w2 = _mm256_loadu_ps(w + 16), w3 = _mm256_loadu_ps(w + 24);           \
            _Pragma("clang loop unroll(full)")                                                 \
            for (int q = 0; q < MR256; q++) {                                                  \
                const __m256 x = _mm256_broadcast_ss(r[q] + p);                                \
                acc[q][0] = _mm256_fmadd_ps(x, w0, acc[q][0]);                                 \
                acc[q][1] = _mm256_fmadd_ps(x, w1, acc[q][1]);                                 \
                acc[q][2] = _mm256_fmadd_ps(x, w2, acc[q][2]);                                 \
                acc[q][3] = _mm256_fmadd_ps(x, w3, acc[q][3]);                                 \
            }                                                                                  \
        }                                                                                      \
    } while (0)

__attribute__((target("avx2,fma")))
static void argmax256(const float *a, long m, long lda, const float *packed, long d, long n, const float *bias,
                      int32_t *best, float *score) {
    const long panels = (n + PANEL - 1) / PANEL;
    float bv[MR256][PANEL] __attribute__((aligned(32)));
    int32_t bi[MR256][PANEL] __attribute__((aligned(32)));
    for (long i = 0; i < m; i += MR256) {
        const float *r[MR256];
        long rows;
        row_group(a, i, m, lda, MR256, r, &rows);
        for (int q = 0; q < MR256; q++) for (int l = 0; l < PANEL; l++) { bv[q][l] = -INFINITY; bi[q][l] = 0; }
        for (long t = 0; t < panels; t++) {
            __m256 acc[MR256][4];
            TILE256(r, packed + t * d * PANEL, d, acc);
            for (int q = 0; q < MR256; q++) {
                for (int h = 0; h < 4; h++) {
                    const __m256 v = _mm256_add_ps(acc[q][h], _mm256_loadu_ps(bias + t * PANEL + 8 * h));
                    const __m256 o = _mm256_load_ps(bv[q] + 8 * h);
                    const __m256 g = _mm256_cmp_ps(v, o, _CMP_GT_OQ);
                    _mm256_store_ps(bv[q] + 8 * h, _mm256_blendv_ps(o, v, g));
                    const __m256i j = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                                       _mm256_set1_epi32((int)(t * PANEL + 8 * h)));
                    const __m256i oi = _mm256_load_si256((const __m256i *)(bi[q] + 8 * h));
                    _mm256_store_si256((__m256i *)(bi[q] + 8 * h),
                                       _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(oi), _mm256_castsi256_ps(j), g)));
                }
            }
        }
        for (long q = 0; q < rows; q++) fold_lanes(bv[q], bi[q], best + i + q, score + i + q);
    }
}

__attribute__((target("avx2,fma")))
static void rows256(const float *const *rows, long m, const float *panel, long d, long n, float *c, long ldc) {
    for (long i = 0; i < m; i += MR256) {
        const float *r[MR256];
        const long cnt = pick_rows(rows, i, m, MR256, r);
        __m256 acc[MR256][4];
        TILE256(r, panel, d, acc);
        for (long q = 0; q < cnt; q++) {
            float tmp[PANEL];
            for (int h = 0; h < 4; h++) _mm256_storeu_ps(tmp + 8 * h, acc[q][h]);
            memcpy(c + (i + q) * ldc, tmp, (size_t)n * sizeof(float));
        }
    }
}

typedef void (*rows_kernel)(const float *const *, long, const float *, long, long, float *, long);

// C = A x packed, 12 (or 3) rows at a time, panel by panel, through a rows kernel.
static void gemm_by_rows(rows_kernel kernel, long mr, const float *a, long m, long lda, const float *packed, long d,
                         long n, float *c, long ldc) {
    const long panels = (n + PANEL - 1) / PANEL;
    for (long i = 0; i < m; i += mr) {
        const float *r[MR512];
        const long cnt = m - i < mr ? m - i : mr;
        for (long q = 0; q < cnt; q++) r[q] = a + (i + q) * lda;
        for (long t = 0; t < panels; t++) {
            const long j0 = t * PANEL, width = n - j0 < PANEL ? n - j0 : PANEL;
            kernel(r, cnt, packed + t * d * PANEL, d, width, c + i * ldc + j0, ldc);
        }
    }
}
#endif

static float dot_scalar(const float *x, const float *packed, long d, long j) {
    const float *w = packed + (j / PANEL) * d * PANEL + j % PANEL;
    float s = 0;
    for (long p = 0; p < d; p++) s = fmaf(x[p], w[p * PANEL], s);
    return s;
}

static void argmax_scalar(const float *a, long m, long lda, const float *packed, long d, long n, const float *bias,
                          int32_t *best, float *score) {
    const long padded = (n + PANEL - 1) / PANEL * PANEL;
    for (long i = 0; i < m; i++) {
        float v[PANEL];
        int32_t ix[PANEL];
        for (int l = 0; l < PANEL; l++) { v[l] = -INFINITY; ix[l] = 0; }
        for (long j = 0; j < padded; j++) {
            const float s = (j < n ? dot_scalar(a + i * lda, packed, d, j) : 0.0f) + bias[j];
            if (s > v[j % PANEL]) { v[j % PANEL] = s; ix[j % PANEL] = (int32_t)j; }
        }
        fold_lanes(v, ix, best + i, score + i);
    }
}

static void gemm_scalar(const float *a, long m, long lda, const float *packed, long d, long n, float *c, long ldc) {
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) c[i * ldc + j] = dot_scalar(a + i * lda, packed, d, j);
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static void add_fixed256(const float *x, long n, float scale, int64_t *sums) {
    const __m256 s = _mm256_set1_ps(scale);
    long j = 0;
    for (; j + 8 <= n; j += 8) {
        const __m256i v = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j), s));  // round to nearest even
        const __m256i lo = _mm256_cvtepi32_epi64(_mm256_castsi256_si128(v));
        const __m256i hi = _mm256_cvtepi32_epi64(_mm256_extracti128_si256(v, 1));
        _mm256_storeu_si256((__m256i *)(sums + j), _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)(sums + j)), lo));
        _mm256_storeu_si256((__m256i *)(sums + j + 4), _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)(sums + j + 4)), hi));
    }
    for (; j < n; j++) sums[j] += (int64_t)nearbyintf(x[j] * scale);
}
#endif

void lexel_f32_add_fixed(const float *x, long n, float scale, int64_t *sums) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) { add_fixed256(x, n, scale, sums); return; }
#endif
    for (long j = 0; j < n; j++) sums[j] += (int64_t)nearbyintf(x[j] * scale);
}

static int best_path(void) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

int lexel_f32_panels_best_path(void) { return best_path(); }

const char *lexel_f32_panels_path(void) {
    static const char *names[] = {"scalar", "avx2", "avx512"};
    return names[best_path()];
}

void lexel_f32_argmax_using(int path, const float *a, long m, long lda, const float *packed, long d, long n,
                            const float *bias, int32_t *best, float *score) {
#if defined(__x86_64__)
    switch (path < best_path() ? path : best_path()) {
    case 2: argmax512(a, m, lda, packed, d, n, bias, best, score); return;
    case 1: argmax256(a, m, lda, packed, d, n, bias, best, score); return;
    }
#endif
    argmax_scalar(a, m, lda, packed, d, n, bias, best, score);
}

void lexel_f32_gemm_using(int path, const float *a, long m, long lda, const float *packed, long d, long n, float *c,
                          long ldc) {
#if defined(__x86_64__)
    switch (path < best_path() ? path : best_path()) {
    case 2: gemm_by_rows(rows512, MR512, a, m, lda, packed, d, n, c, ldc); return;
    case 1: gemm_by_rows(rows256, MR256, a, m, lda, packed, d, n, c, ldc); return;
    }
#endif
    gemm_scalar(a, m, lda, packed, d, n, c, ldc);
}

void lexel_f32_gemm_rows(const float *const *rows, long m, const float *panel, long d, long n, float *c, long ldc) {
#if defined(__x86_64__)
    switch (best_path()) {
    case 2: rows512(rows, m, panel, d, n, c, ldc); return;
    case 1: rows256(rows, m, panel, d, n, c, ldc); return;
    }
#endif
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) {
            float s = 0;
            for (long p = 0; p < d; p++) s = fmaf(rows[i][p], panel[p * PANEL + j], s);
            c[i * ldc + j] = s;
        }
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void rows_fold512(const float *const *rows, long m, const int32_t *row_index, const float *panel, long d,
                         const float *bias, int32_t j0, int32_t *best, float *best_score, float *top,
                         int32_t *top_index, float *second, long group_stride) {
    const __m512 b0 = _mm512_loadu_ps(bias), b1 = _mm512_loadu_ps(bias + 16);
    for (long i = 0; i < m; i += MR512) {
        const float *r[MR512];
        const long cnt = pick_rows(rows, i, m, MR512, r);
        __m512 acc[MR512][2];
        TILE512(r, panel, d, acc);
        for (long q = 0; q < cnt; q++) {
            const long x = row_index[i + q];
            fold512(_mm512_add_ps(acc[q][0], b0), _mm512_add_ps(acc[q][1], b1), j0, best + x, best_score + x,
                    top + x * group_stride, top_index + x * group_stride, second + x * group_stride);
        }
    }
}
#endif

void lexel_f32_rows_fold(const float *const *rows, long m, const int32_t *row_index, const float *panel, long d,
                         long n, const float *bias, int32_t j0, int32_t *best, float *best_score, float *top,
                         int32_t *top_index, float *second, long group_stride) {
    static int path = -1;
    if (path < 0) path = best_path();
#if defined(__x86_64__)
    if (path == 2) {
        rows_fold512(rows, m, row_index, panel, d, bias, j0, best, best_score, top, top_index, second, group_stride);
        return;
    }
#endif
    float c[MR512 * PANEL];
    for (long i = 0; i < m; i += MR512) {
        const long cnt = m - i < MR512 ? m - i : MR512;
        lexel_f32_gemm_rows(rows + i, cnt, panel, d, n, c, PANEL);
        for (long q = 0; q < cnt; q++) {
            float v[PANEL];
            for (int l = 0; l < PANEL; l++) v[l] = l < n ? c[q * PANEL + l] + bias[l] : -INFINITY;
            const long x = row_index[i + q];
            fold_plain(v, j0, best + x, best_score + x, top + x * group_stride, top_index + x * group_stride,
                       second + x * group_stride);
        }
    }
}

void lexel_f32_argmax(const float *a, long m, long lda, const float *packed, long d, long n, const float *bias,
                      int32_t *best, float *score) {
    lexel_f32_argmax_using(best_path(), a, m, lda, packed, d, n, bias, best, score);
}

void lexel_f32_gemm(const float *a, long m, long lda, const float *packed, long d, long n, float *c, long ldc) {
    lexel_f32_gemm_using(best_path(), a, m, lda, packed, d, n, c, ldc);
}
