// The few CPU instructions Swift cannot spell: software prefetch.
#ifndef LEXEL_CKERNELS_H
#define LEXEL_CKERNELS_H

#include "Int8Gemm.h"

/// Asks the CPU to bring the cache line holding `p` into all cache levels, for writing.
static inline void lexel_prefetch_write(const void *p) { __builtin_prefetch(p, 1, 3); }

/// Asks the CPU to bring the cache line holding `p` into all cache levels, for reading.
static inline void lexel_prefetch_read(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
