// u8 x i8 -> i32 matrix product (see include/Int8Gemm.h). The AVX2 path emulates a 4-way dot-product instruction:
// vpmaddubsw multiplies 32 unsigned activation bytes by 32 signed weight bytes and adds adjacent pairs into 16-bit
// lanes; vpmaddwd by ones adds adjacent 16-bit lanes into 32-bit sums; one register then holds 8 columns' sums
// over 4 inputs. Weights are at most 63 in magnitude and activations at most 127, so the 16-bit sums of two
// vpmaddubsw (four products, |sum| <= 4 x 127 x 63 = 32,004) cannot overflow: the AVX2 path adds the products of
// two groups of four inputs in 16 bits before one vpmaddwd, three multiplies per 64 products instead of four.
// The micro-kernel keeps a 4 x 16 block of sums in 8 registers.
#include "Int8Gemm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2")))
static void gemm_avx2(const uint8_t *a, long m, long lda, const int8_t *w, long quads, long n,
                      const float *row_scale, const float *col_scale, float *c, long ldc) {
    const __m256i ones = _mm256_set1_epi16(1);
    const long panels = (n + LEXEL_I8_PANEL - 1) / LEXEL_I8_PANEL;
    for (long t = 0; t < panels; t++) {
        const int8_t *panel = w + t * quads * 64;
        const long j0 = t * LEXEL_I8_PANEL;
        const long width = n - j0 < LEXEL_I8_PANEL ? n - j0 : LEXEL_I8_PANEL;
        for (long i = 0; i < m; i += 4) {
            const long rows = m - i < 4 ? m - i : 4;
            // Rows past `rows` read the first row again; their sums are not stored.
            const uint8_t *r0 = a + i * lda;
            const uint8_t *r1 = rows > 1 ? r0 + lda : r0, *r2 = rows > 2 ? r0 + 2 * lda : r0;
            const uint8_t *r3 = rows > 3 ? r0 + 3 * lda : r0;
            __m256i s00 = _mm256_setzero_si256(), s01 = s00, s10 = s00, s11 = s00;
            __m256i s20 = s00, s21 = s00, s30 = s00, s31 = s00;
            const int8_t *wp = panel;
            long q = 0;
            for (; q + 2 <= quads; q += 2, wp += 128) {
                const __m256i w0 = _mm256_load_si256((const __m256i *)wp);
                const __m256i w1 = _mm256_load_si256((const __m256i *)(wp + 32));
                const __m256i v0 = _mm256_load_si256((const __m256i *)(wp + 64));
                const __m256i v1 = _mm256_load_si256((const __m256i *)(wp + 96));
                __m256i x, y;
#define LEXEL_STEP2(r, lo, hi)                                                                              \
                x = _mm256_set1_epi32(*(const int32_t *)(r + 4 * q));                                     \
                y = _mm256_set1_epi32(*(const int32_t *)(r + 4 * q + 4));                                 \
                lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(x, w0),  \
                                                                             _mm256_maddubs_epi16(y, v0)), ones)); \
                hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(x, w1),  \
                                                                             _mm256_maddubs_epi16(y, v1)), ones));
                LEXEL_STEP2(r0, s00, s01)
                LEXEL_STEP2(r1, s10, s11)
                LEXEL_STEP2(r2, s20, s21)
                LEXEL_STEP2(r3, s30, s31)
#undef LEXEL_STEP2
            }
            for (; q < quads; q++, wp += 64) {
                const __m256i w0 = _mm256_load_si256((const __m256i *)wp);
                const __m256i w1 = _mm256_load_si256((const __m256i *)(wp + 32));
                __m256i x;
#define LEXEL_STEP(r, lo, hi)                                                                     \
                x = _mm256_set1_epi32(*(const int32_t *)(r + 4 * q));                            \
                lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w0), ones)); \
                hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w1), ones));
                LEXEL_STEP(r0, s00, s01)
                LEXEL_STEP(r1, s10, s11)
                LEXEL_STEP(r2, s20, s21)
                LEXEL_STEP(r3, s30, s31)
#undef LEXEL_STEP
            }
            __m256i sums[8] = {s00, s01, s10, s11, s20, s21, s30, s31};
            for (long r = 0; r < rows; r++) {
                float *dst = c + (i + r) * ldc + j0;
                const __m256 rs = _mm256_set1_ps(row_scale[i + r]);
                __m256 lo = _mm256_mul_ps(_mm256_cvtepi32_ps(sums[2 * r]), rs);
                __m256 hi = _mm256_mul_ps(_mm256_cvtepi32_ps(sums[2 * r + 1]), rs);
                if (width == LEXEL_I8_PANEL) {
                    _mm256_storeu_ps(dst, _mm256_mul_ps(lo, _mm256_loadu_ps(col_scale + j0)));
                    _mm256_storeu_ps(dst + 8, _mm256_mul_ps(hi, _mm256_loadu_ps(col_scale + j0 + 8)));
                } else {
                    float tmp[16];
                    _mm256_storeu_ps(tmp, lo);
                    _mm256_storeu_ps(tmp + 8, hi);
                    for (long j = 0; j < width; j++) dst[j] = tmp[j] * col_scale[j0 + j];
                }
            }
        }
    }
}

// AVX-512 VNNI: vpdpbusd does the four-way u8 x i8 dot product and the 32-bit accumulation in one instruction, and
// one 64-byte group of a panel is exactly one register (16 columns x 4 inputs). The micro-kernel keeps 8 rows x 2
// panels (32 columns) of sums in 16 registers: per group of four inputs, 2 weight loads and 8 broadcasts feed 16
// dot products. The integer sums are exact, so every path gives the same floats.
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void gemm_vnni(const uint8_t *a, long m, long lda, const int8_t *w, long quads, long n,
                      const float *row_scale, const float *col_scale, float *c, long ldc) {
    const long panels = (n + LEXEL_I8_PANEL - 1) / LEXEL_I8_PANEL;
    for (long t = 0; t < panels; t += 2) {
        const int two = t + 1 < panels;
        const int8_t *p0 = w + t * quads * 64, *p1 = two ? p0 + quads * 64 : p0;
        for (long i = 0; i < m; i += 8) {
            const long rows = m - i < 8 ? m - i : 8;
            // Rows past `rows` read the first row again; their sums are not stored.
            const uint8_t *r[8];
            for (int k = 0; k < 8; k++) r[k] = a + (i + (k < rows ? k : 0)) * lda;
            __m512i s[16];
            for (int k = 0; k < 16; k++) s[k] = _mm512_setzero_si512();
            for (long q = 0; q < quads; q++) {
                const __m512i w0 = _mm512_loadu_si512((const void *)(p0 + q * 64));
                const __m512i w1 = _mm512_loadu_si512((const void *)(p1 + q * 64));
                for (int k = 0; k < 8; k++) {
                    const __m512i x = _mm512_set1_epi32(*(const int32_t *)(r[k] + 4 * q));
                    s[2 * k] = _mm512_dpbusd_epi32(s[2 * k], x, w0);
                    s[2 * k + 1] = _mm512_dpbusd_epi32(s[2 * k + 1], x, w1);
                }
            }
            for (int h = 0; h < 1 + two; h++) {
                const long j0 = (t + h) * LEXEL_I8_PANEL;
                const long width = n - j0 < LEXEL_I8_PANEL ? n - j0 : LEXEL_I8_PANEL;
                const __mmask16 mask = (__mmask16)((1u << width) - 1);
                const __m512 cs = _mm512_maskz_loadu_ps(mask, col_scale + j0);
                for (long k = 0; k < rows; k++) {
                    const __m512 v = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(s[2 * k + h]),
                                                                 _mm512_set1_ps(row_scale[i + k])), cs);
                    _mm512_mask_storeu_ps(c + (i + k) * ldc + j0, mask, v);
                }
            }
        }
    }
}
#endif

static void gemm_scalar(const uint8_t *a, long m, long lda, const int8_t *w, long quads, long n,
                        const float *row_scale, const float *col_scale, float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++) {
            const int8_t *wp = w + (j / LEXEL_I8_PANEL) * quads * 64 + 4 * (j % LEXEL_I8_PANEL);
            int32_t s = 0;
            for (long q = 0; q < quads; q++)
                for (long r = 0; r < 4; r++) s += (int32_t)a[i * lda + 4 * q + r] * (int32_t)wp[q * 64 + r];
            c[i * ldc + j] = (float)s * row_scale[i] * col_scale[j];
        }
    }
}

void lexel_gemm_u8i8_using(int path, const uint8_t *a, long m, long lda, const int8_t *w, long quads, long n,
                           const float *row_scale, const float *col_scale, float *c, long ldc) {
    const int best = lexel_gemm_u8i8_path();
    switch (path < best ? path : best) {
#if defined(__x86_64__)
    case 2: gemm_vnni(a, m, lda, w, quads, n, row_scale, col_scale, c, ldc); return;
    case 1: gemm_avx2(a, m, lda, w, quads, n, row_scale, col_scale, c, ldc); return;
#endif
    default: gemm_scalar(a, m, lda, w, quads, n, row_scale, col_scale, c, ldc);
    }
}

void lexel_gemm_u8i8(const uint8_t *a, long m, long lda, const int8_t *w, long quads, long n,
                     const float *row_scale, const float *col_scale, float *c, long ldc) {
    lexel_gemm_u8i8_using(2, a, m, lda, w, quads, n, row_scale, col_scale, c, ldc);
}

static int find_path(void) {
    int best = 0;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw")) best = 2;
    else if (__builtin_cpu_supports("avx2")) best = 1;
#endif
    // LEXEL_MAX_ISA=avx2 or scalar caps the path (to measure or test a lesser CPU's kernels on this one)
    const char *cap = getenv("LEXEL_MAX_ISA");
    if (cap && strcmp(cap, "scalar") == 0) return 0;
    if (cap && strcmp(cap, "avx2") == 0 && best > 1) return 1;
    return best;
}

int lexel_gemm_u8i8_path(void) {
    // found once (every thread finds the same value, so a race only repeats the work)
    static int path = -1;
    int p = __atomic_load_n(&path, __ATOMIC_RELAXED);
    if (p < 0) {
        p = find_path();
        __atomic_store_n(&path, p, __ATOMIC_RELAXED);
    }
    return p;
}

// Activations to 7-bit codes (see include/Int8Gemm.h): the row's largest value maps to 127, negatives to 0.
static void quantize_scalar(const float *a, long m, long k, long lda, uint8_t *q, long ldq, float *scales) {
    for (long i = 0; i < m; i++) {
        const float *row = a + i * lda;
        uint8_t *out = q + i * ldq;
        float top = 0;
        for (long p = 0; p < k; p++) top = row[p] > top ? row[p] : top;
        scales[i] = top / 127;
        const float s = top > 0 ? 127 / top : 0;
        for (long p = 0; p < k; p++) out[p] = (uint8_t)nearbyintf((row[p] > 0 ? row[p] : 0) * s);
        for (long p = k; p < ((k + 3) & ~3L); p++) out[p] = 0;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static void quantize_avx2(const float *a, long m, long k, long lda, uint8_t *q, long ldq, float *scales) {
    for (long i = 0; i < m; i++) {
        const float *row = a + i * lda;
        uint8_t *out = q + i * ldq;
        __m256 vm = _mm256_setzero_ps();
        long p = 0;
        for (; p + 8 <= k; p += 8) vm = _mm256_max_ps(vm, _mm256_loadu_ps(row + p));
        __m128 h = _mm_max_ps(_mm256_castps256_ps128(vm), _mm256_extractf128_ps(vm, 1));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
        float top = _mm_cvtss_f32(h);
        for (; p < k; p++) top = row[p] > top ? row[p] : top;
        scales[i] = top / 127;
        const float s = top > 0 ? 127 / top : 0;
        const __m256 vs = _mm256_set1_ps(s), zero = _mm256_setzero_ps();
        for (p = 0; p + 8 <= k; p += 8) {
            const __m256i c = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_max_ps(_mm256_loadu_ps(row + p), zero), vs));
            const __m128i w = _mm_packus_epi32(_mm256_castsi256_si128(c), _mm256_extracti128_si256(c, 1));
            _mm_storel_epi64((__m128i *)(out + p), _mm_packus_epi16(w, w));
        }
        for (; p < k; p++) out[p] = (uint8_t)nearbyintf((row[p] > 0 ? row[p] : 0) * s);
        for (p = k; p < ((k + 3) & ~3L); p++) out[p] = 0;
    }
}
#endif

void lexel_quantize_rows_u7(const float *a, long m, long k, long lda, uint8_t *q, long ldq, float *scales) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) { quantize_avx2(a, m, k, lda, q, ldq, scales); return; }
#endif
    quantize_scalar(a, m, k, lda, q, ldq, scales);
}
