// 8-bit assignment step (see include/I8Panels.h). The VNNI micro-kernel keeps 12 rows x 32 columns of int32 sums
// in 24 registers; each step broadcasts 4 code bytes of a row and multiply-adds them with two 64-byte panel rows
// (vpdpbusd). The epilogue corrects for the +128 of the row codes, scales, adds the bias and keeps the best
// column per lane, as the float kernel does.
#include "I8Panels.h"
#include <math.h>

#define PANEL LEXEL_I8_ASSIGN_PANEL

static inline void fold(const float *v, const int32_t *ix, int32_t *best) {
    float bv = v[0];
    int32_t bi = ix[0];
    for (int l = 1; l < PANEL; l++)
        if (v[l] > bv || (v[l] == bv && ix[l] < bi)) { bv = v[l]; bi = ix[l]; }
    *best = bi;
}

// The float epilogue of one column, written as separate statements so that no compiler fuses them.
static inline float column_value(int32_t dot, float scale, float bias, float inv) {
    float t = (float)dot * scale;
    float u = bias * inv;
    return t + u;
}

void lexel_i8_argmax_plain(const uint8_t *a, long m, long lda, const int8_t *packed, long quads, long n,
                           const int32_t *colsum, const float *scale, const float *bias, const float *row_inv,
                           int32_t *best) {
    const long panels = (n + PANEL - 1) / PANEL;
    for (long i = 0; i < m; i++) {
        float v[PANEL];
        int32_t ix[PANEL];
        for (int l = 0; l < PANEL; l++) { v[l] = -INFINITY; ix[l] = 0; }
        for (long t = 0; t < panels; t++) {
            for (int l = 0; l < PANEL; l++) {
                const long j = t * PANEL + l;
                int32_t s = 0;
                for (long q = 0; q < quads; q++)
                    for (int r = 0; r < 4; r++)
                        s += (int32_t)a[i * lda + 4 * q + r] * (int32_t)packed[((t * quads + q) * PANEL + l) * 4 + r];
                s -= 128 * colsum[j];
                const float x = column_value(s, scale[j], bias[j], row_inv[i]);
                if (x > v[l]) { v[l] = x; ix[l] = (int32_t)j; }
            }
        }
        fold(v, ix, best + i);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define MR 12

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void argmax_vnni(const uint8_t *a, long m, long lda, const int8_t *packed, long quads, long n,
                        const int32_t *colsum, const float *scale, const float *bias, const float *row_inv,
                        int32_t *best) {
    const long panels = (n + PANEL - 1) / PANEL;
    int has_bias = 0;  // zero bias (cosine) skips its multiply-add: adding +0 changes no value
    for (long j = 0; j < n; j++) has_bias |= bias[j] != 0;
    const __m512i cneg = _mm512_set1_epi32(-128);
    for (long i = 0; i < m; i += MR) {
        const long rows = m - i < MR ? m - i : MR;
        const uint8_t *r[MR];
        for (int q = 0; q < MR; q++) r[q] = a + (i + (q < rows ? q : 0)) * lda;
        float row_best[MR];
        int32_t row_index[MR];
        for (int q = 0; q < MR; q++) { row_best[q] = -INFINITY; row_index[q] = 0; }
        for (long t = 0; t < panels; t++) {
            const long j0 = t * PANEL;
            // the sums start at -128 * colsum: the +128 of the row codes cancels as they are added
            const __m512i cs0 = _mm512_mullo_epi32(_mm512_loadu_si512(colsum + j0), cneg);
            const __m512i cs1 = _mm512_mullo_epi32(_mm512_loadu_si512(colsum + j0 + 16), cneg);
            __m512i acc[MR][2];
            for (int q = 0; q < MR; q++) { acc[q][0] = cs0; acc[q][1] = cs1; }
            const int8_t *w = packed + t * quads * PANEL * 4;
            for (long s = 0; s < quads; s++, w += PANEL * 4) {
                const __m512i w0 = _mm512_loadu_si512(w), w1 = _mm512_loadu_si512(w + 64);
                _Pragma("clang loop unroll(full)")
                for (int q = 0; q < MR; q++) {
                    const __m512i x = _mm512_set1_epi32(*(const int32_t *)(r[q] + 4 * s));
                    acc[q][0] = _mm512_dpbusd_epi32(acc[q][0], x, w0);
                    acc[q][1] = _mm512_dpbusd_epi32(acc[q][1], x, w1);
                }
            }
            const __m512 s0 = _mm512_loadu_ps(scale + j0), s1 = _mm512_loadu_ps(scale + j0 + 16);
            const __m512 b0 = _mm512_loadu_ps(bias + j0), b1 = _mm512_loadu_ps(bias + j0 + 16);
            const int padded = t == panels - 1 && n % PANEL != 0;  // -INFINITY bias keeps padding columns out
            _Pragma("clang loop unroll(full)")
            for (int q = 0; q < MR; q++) {
                __m512 v0 = _mm512_mul_ps(_mm512_cvtepi32_ps(acc[q][0]), s0);
                __m512 v1 = _mm512_mul_ps(_mm512_cvtepi32_ps(acc[q][1]), s1);
                if (has_bias || padded) {  // (float)dot * scale + bias * inv, as column_value; else + 0 (exact)
                    const __m512 inv = _mm512_set1_ps(row_inv[i + (q < rows ? q : 0)]);
                    v0 = _mm512_add_ps(v0, _mm512_mul_ps(b0, inv));
                    v1 = _mm512_add_ps(v1, _mm512_mul_ps(b1, inv));
                }
                // the row's best so far is a scalar; most tiles hold nothing larger, and cost one compare
                const __m512 cur = _mm512_set1_ps(row_best[q]);
                const __mmask16 g0 = _mm512_cmp_ps_mask(v0, cur, _CMP_GT_OQ), g1 = _mm512_cmp_ps_mask(v1, cur, _CMP_GT_OQ);
                if (g0 | g1) {
                    const float m = _mm512_reduce_max_ps(_mm512_max_ps(v0, v1));
                    const __m512 vm = _mm512_set1_ps(m);
                    const uint32_t eq = (uint32_t)_mm512_cmp_ps_mask(v0, vm, _CMP_EQ_OQ) |
                                        ((uint32_t)_mm512_cmp_ps_mask(v1, vm, _CMP_EQ_OQ) << 16);
                    row_best[q] = m;
                    row_index[q] = (int32_t)j0 + __builtin_ctz(eq);  // the lowest column holding the largest
                }
            }
        }
        for (long q = 0; q < rows; q++) best[i + q] = row_index[q];
    }
}
#endif

// One row's codes: scale = max |x| / 127 (1 for a zero row), code = clamp(round(x / scale)) + 128.
static inline float row_inverse(float mx) { return mx > 0 ? 1.0f / (mx / 127.0f) : 1.0f; }

static void code_plain(const float *x, long m, long stride, long d, long quads, uint8_t *codes, float *inverse) {
    for (long i = 0; i < m; i++) {
        const float *row = x + i * stride;
        uint8_t *out = codes + i * quads * 4;
        float mx = 0;
        for (long p = 0; p < d; p++) mx = fabsf(row[p]) > mx ? fabsf(row[p]) : mx;
        const float inv = row_inverse(mx);
        inverse[i] = inv;
        for (long p = 0; p < d; p++) {
            float v = nearbyintf(row[p] * inv);
            v = v > 127 ? 127 : v < -127 ? -127 : v;
            out[p] = (uint8_t)((int)v + 128);
        }
        for (long p = d; p < quads * 4; p++) out[p] = 128;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static void code_avx2(const float *x, long m, long stride, long d, long quads, uint8_t *codes, float *inverse) {
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    for (long i = 0; i < m; i++) {
        const float *row = x + i * stride;
        uint8_t *out = codes + i * quads * 4;
        __m256 vm = _mm256_setzero_ps();
        long p = 0;
        for (; p + 8 <= d; p += 8) vm = _mm256_max_ps(vm, _mm256_and_ps(_mm256_loadu_ps(row + p), absmask));
        float lanes[8];
        _mm256_storeu_ps(lanes, vm);
        float mx = 0;
        for (int l = 0; l < 8; l++) mx = lanes[l] > mx ? lanes[l] : mx;
        for (; p < d; p++) mx = fabsf(row[p]) > mx ? fabsf(row[p]) : mx;
        const float inv = row_inverse(mx);
        inverse[i] = inv;
        const __m256 vinv = _mm256_set1_ps(inv);
        const __m256i lo = _mm256_set1_epi32(-127), hi = _mm256_set1_epi32(127), off = _mm256_set1_epi32(128);
        for (p = 0; p + 8 <= d; p += 8) {
            __m256i c = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(row + p), vinv));  // nearest even
            c = _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(c, lo), hi), off);
            int32_t tmp[8];
            _mm256_storeu_si256((__m256i *)tmp, c);
            for (int l = 0; l < 8; l++) out[p + l] = (uint8_t)tmp[l];
        }
        for (; p < d; p++) {
            float v = nearbyintf(row[p] * inv);
            v = v > 127 ? 127 : v < -127 ? -127 : v;
            out[p] = (uint8_t)((int)v + 128);
        }
        for (p = d; p < quads * 4; p++) out[p] = 128;
    }
}
#endif

void lexel_i8_code_rows(const float *x, long m, long stride, long d, long quads, uint8_t *codes, float *inverse) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) { code_avx2(x, m, stride, d, quads, codes, inverse); return; }
#endif
    code_plain(x, m, stride, d, quads, codes, inverse);
}

int lexel_i8_has_vnni(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") ? 1 : 0;
#else
    return 0;
#endif
}

void lexel_i8_argmax(const uint8_t *a, long m, long lda, const int8_t *packed, long quads, long n,
                     const int32_t *colsum, const float *scale, const float *bias, const float *row_inv, int32_t *best) {
#if defined(__x86_64__)
    if (lexel_i8_has_vnni()) { argmax_vnni(a, m, lda, packed, quads, n, colsum, scale, bias, row_inv, best); return; }
#endif
    lexel_i8_argmax_plain(a, m, lda, packed, quads, n, colsum, scale, bias, row_inv, best);
}
