// What `lexel --version` reports: the commit, the SIMD level compiled for, and the CPU's features.
#include "CSupport.h"
#include <string.h>

#ifndef LEXEL_GIT_HASH
#define LEXEL_GIT_HASH "unknown"
#endif

const char *lexel_build_git_hash(void) { return LEXEL_GIT_HASH; }

const char *lexel_build_simd(void) {
#if defined(__AVX512F__)
    return "avx512";
#elif defined(__AVX2__) && defined(__FMA__)
    return "avx2+fma";
#elif defined(__SSE2__)
    return "sse2";
#else
    return "generic";
#endif
}

int lexel_cpu_has(const char *feature) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (!strcmp(feature, "avx2")) return __builtin_cpu_supports("avx2");
    if (!strcmp(feature, "fma")) return __builtin_cpu_supports("fma");
    if (!strcmp(feature, "avx512f")) return __builtin_cpu_supports("avx512f");
    if (!strcmp(feature, "avx512vnni")) return __builtin_cpu_supports("avx512vnni");
    if (!strcmp(feature, "avxvnni")) return __builtin_cpu_supports("avxvnni");
    if (!strcmp(feature, "avx512bf16")) return __builtin_cpu_supports("avx512bf16");
    return 0;
#else
    (void)feature;
    return 0;
#endif
}
