// The few CPU instructions Swift cannot spell: software prefetch, and byte flags with acquire/release ordering.
#ifndef LEXEL_CKERNELS_H
#define LEXEL_CKERNELS_H

#include "Int8Gemm.h"
#include "F32Panels.h"
#include "I8Panels.h"
#include "Bf16Gemm.h"

/// Asks the CPU to bring the cache line holding `p` into all cache levels, for writing.
static inline void lexel_prefetch_write(const void *p) { __builtin_prefetch(p, 1, 3); }

/// Asks the CPU to bring the cache line holding `p` into all cache levels, for reading.
static inline void lexel_prefetch_read(const void *p) { __builtin_prefetch(p, 0, 3); }

/// Reads a 32-bit flag with acquire ordering: what was written before its release store is visible after it.
static inline unsigned int lexel_load_acquire_u32(const unsigned int *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }

/// Sets a 32-bit flag with release ordering: everything written before is visible to an acquire load that sees it.
static inline void lexel_store_release_u32(unsigned int *p, unsigned int v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

#endif
