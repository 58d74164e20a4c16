// bf16 x bf16 -> f32 matrix product (see include/Bf16Gemm.h). The AVX-512 path keeps 8 rows x 2 panels (32
// columns) of f32 sums in 16 registers: per pair of inputs, 2 weight loads and 8 broadcasts of a row's pair feed 16
// vdpbf16ps, each adding 2 products to each of 16 lanes.
#include "Bf16Gemm.h"

#include <stdlib.h>
#include <string.h>

static inline float bf16_to_f32(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

// Round to nearest even; NaN kept quiet; subnormal inputs and results flushed to a signed zero (what
// vcvtneps2bf16 does).
static inline uint16_t f32_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7F800000u) == 0) return (uint16_t)((u >> 16) & 0x8000u);
    if ((u & 0x7F800000u) == 0x7F800000u && (u & 0x007FFFFFu)) return (uint16_t)((u >> 16) | 0x0040u);
    u += 0x7FFFu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

void lexel_bf16_round(const float *x, long n, uint16_t *out) {
    for (long i = 0; i < n; i++) out[i] = f32_to_bf16(x[i]);
}

static void gemm_scalar(const uint16_t *a, long m, long lda, const uint16_t *w, long pairs, long n, float *c,
                        long ldc) {
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++) {
            const uint16_t *wp = w + (j / LEXEL_BF16_PANEL) * pairs * 32 + 2 * (j % LEXEL_BF16_PANEL);
            float s = 0;
            for (long q = 0; q < pairs; q++) {
                s += bf16_to_f32(a[i * lda + 2 * q + 1]) * bf16_to_f32(wp[q * 32 + 1]);
                s += bf16_to_f32(a[i * lda + 2 * q]) * bf16_to_f32(wp[q * 32]);
            }
            c[i * ldc + j] = s;
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f,avx512bf16")))
static void gemm_avx512(const uint16_t *a, long m, long lda, const uint16_t *w, long pairs, long n, float *c,
                        long ldc) {
    const long panels = (n + LEXEL_BF16_PANEL - 1) / LEXEL_BF16_PANEL;
    for (long t = 0; t < panels; t += 2) {
        const int two = t + 1 < panels;
        const uint16_t *p0 = w + t * pairs * 32, *p1 = two ? p0 + pairs * 32 : p0;
        for (long i = 0; i < m; i += 8) {
            const long rows = m - i < 8 ? m - i : 8;
            // Rows past `rows` read the first row again; their sums are not stored.
            const uint16_t *r[8];
            for (int k = 0; k < 8; k++) r[k] = a + (i + (k < rows ? k : 0)) * lda;
            __m512 s[16];
            for (int k = 0; k < 16; k++) s[k] = _mm512_setzero_ps();
            for (long q = 0; q < pairs; q++) {
                const __m512bh w0 = (__m512bh)_mm512_loadu_si512((const void *)(p0 + q * 32));
                const __m512bh w1 = (__m512bh)_mm512_loadu_si512((const void *)(p1 + q * 32));
                for (int k = 0; k < 8; k++) {
                    int32_t pair;
                    memcpy(&pair, r[k] + 2 * q, 4);
                    const __m512bh x = (__m512bh)_mm512_set1_epi32(pair);
                    s[2 * k] = _mm512_dpbf16_ps(s[2 * k], x, w0);
                    s[2 * k + 1] = _mm512_dpbf16_ps(s[2 * k + 1], x, w1);
                }
            }
            for (int h = 0; h < 1 + two; h++) {
                const long j0 = (t + h) * LEXEL_BF16_PANEL;
                const long width = n - j0 < LEXEL_BF16_PANEL ? n - j0 : LEXEL_BF16_PANEL;
                const __mmask16 mask = (__mmask16)((1u << width) - 1);
                for (long k = 0; k < rows; k++) _mm512_mask_storeu_ps(c + (i + k) * ldc + j0, mask, s[2 * k + h]);
            }
        }
    }
}

__attribute__((target("avx512f,avx512bf16")))
static void round_rows_avx512(const float *a, long m, long k, long lda, uint16_t *q, long ldq) {
    for (long i = 0; i < m; i++) {
        const float *row = a + i * lda;
        uint16_t *out = q + i * ldq;
        long p = 0;
        for (; p + 16 <= k; p += 16)
            _mm256_storeu_si256((__m256i *)(out + p), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(row + p)));
        for (; p < k; p++) out[p] = f32_to_bf16(row[p]);
        if (k & 1) out[k] = 0;
    }
}
#endif

static int find_path(void) {
    int best = 0;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16")) best = 1;
#endif
    const char *cap = getenv("LEXEL_MAX_ISA");   // avx2 or scalar: no bf16 instructions
    if (cap && (strcmp(cap, "scalar") == 0 || strcmp(cap, "avx2") == 0)) return 0;
    return best;
}

int lexel_gemm_bf16_path(void) {
    static int path = -1;   // found once (every thread finds the same value, so a race only repeats the work)
    int p = __atomic_load_n(&path, __ATOMIC_RELAXED);
    if (p < 0) {
        p = find_path();
        __atomic_store_n(&path, p, __ATOMIC_RELAXED);
    }
    return p;
}

void lexel_gemm_bf16_using(int path, const uint16_t *a, long m, long lda, const uint16_t *w, long pairs, long n,
                           float *c, long ldc) {
    const int best = lexel_gemm_bf16_path();
#if defined(__x86_64__)
    if ((path < best ? path : best) == 1) { gemm_avx512(a, m, lda, w, pairs, n, c, ldc); return; }
#endif
    gemm_scalar(a, m, lda, w, pairs, n, c, ldc);
}

void lexel_gemm_bf16(const uint16_t *a, long m, long lda, const uint16_t *w, long pairs, long n, float *c, long ldc) {
    lexel_gemm_bf16_using(1, a, m, lda, w, pairs, n, c, ldc);
}

void lexel_bf16_round_rows(const float *a, long m, long k, long lda, uint16_t *q, long ldq) {
#if defined(__x86_64__)
    if (lexel_gemm_bf16_path() == 1) { round_rows_avx512(a, m, k, lda, q, ldq); return; }
#endif
    for (long i = 0; i < m; i++) {
        lexel_bf16_round(a + i * lda, k, q + i * ldq);
        if (k & 1) q[i * ldq + k] = 0;
    }
}
