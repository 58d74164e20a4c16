// Folding one panel's 32 scores of a row into the row's running best and its group's top two (the state Yinyang
// bounds need), shared by the f32 and int8 kernels. The plain and AVX-512 versions give the same results: the
// largest value with the lowest column among equals, and the largest of the other 31 values.
#ifndef LEXEL_PANEL_FOLD_H
#define LEXEL_PANEL_FOLD_H

#include <math.h>
#include <stdint.h>

static inline void fold_state(float m1, int32_t j1, float m2, int32_t *best, float *best_score, float *top,
                              int32_t *top_index, float *second) {
    if (m1 > *best_score || (m1 == *best_score && j1 < *best)) { *best_score = m1; *best = j1; }
    if (m1 > *top || (m1 == *top && j1 < *top_index)) {
        *second = *top > m2 ? *top : m2;
        *top = m1;
        *top_index = j1;
    } else if (m1 > *second) {
        *second = m1;
    }
}

/// `v`: 32 scores (bias included; -INFINITY past the last column) of columns j0 ... j0 + 31.
static inline void fold_plain(const float *v, int32_t j0, int32_t *best, float *best_score, float *top,
                              int32_t *top_index, float *second) {
    float m1 = -INFINITY, m2 = -INFINITY;
    int32_t j1 = INT32_MAX;
    for (int l = 0; l < 32; l++) {
        if (v[l] > m1) { m2 = m1; m1 = v[l]; j1 = j0 + l; } else if (v[l] > m2) { m2 = v[l]; }
    }
    fold_state(m1, j1, m2, best, best_score, top, top_index, second);
}

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx512f"), always_inline))
static inline void fold512(__m512 v0, __m512 v1, int32_t j0, int32_t *best, float *best_score, float *top,
                           int32_t *top_index, float *second) {
    const float m1 = _mm512_reduce_max_ps(_mm512_max_ps(v0, v1));
    const __m512 vm = _mm512_set1_ps(m1);
    const uint32_t eq = (uint32_t)_mm512_cmp_ps_mask(v0, vm, _CMP_EQ_OQ) |
                        ((uint32_t)_mm512_cmp_ps_mask(v1, vm, _CMP_EQ_OQ) << 16);
    const int l1 = eq ? __builtin_ctz(eq) : 0;
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    const __m512 w0 = l1 < 16 ? _mm512_mask_mov_ps(v0, (__mmask16)(1u << l1), ninf) : v0;
    const __m512 w1 = l1 >= 16 ? _mm512_mask_mov_ps(v1, (__mmask16)(1u << (l1 - 16)), ninf) : v1;
    const float m2 = _mm512_reduce_max_ps(_mm512_max_ps(w0, w1));
    fold_state(m1, eq ? j0 + l1 : INT32_MAX, m2, best, best_score, top, top_index, second);
}
#endif

#endif
