#ifndef LEXEL_CSUPPORT_H
#define LEXEL_CSUPPORT_H
#include <stddef.h>

/// Async-signal-safe bookkeeping for what a signal must not leave behind (docs/architecture.md, "Safe outputs").

/// Remembers a temporary file to unlink if the process is stopped by SIGINT, SIGTERM, SIGHUP or SIGBUS.
/// Returns a slot for lexel_cleanup_remove, or -1 when all slots are taken (the file is then not covered).
int lexel_cleanup_add(const char *path);
/// Forgets a slot (the file was renamed into place or removed).
void lexel_cleanup_remove(int slot);

/// Remembers a memory-mapped file, so that a bus error inside it (the file was truncated underneath) is
/// reported as an error naming it. Returns a slot, or -1.
int lexel_mapping_add(const void *base, size_t size, const char *path);
void lexel_mapping_remove(int slot);

/// Installs the handlers (idempotent): SIGINT/SIGTERM/SIGHUP unlink the registered temporary files and then
/// die of the same signal; SIGBUS prints which mapped file changed, unlinks them too and exits with status 1.
void lexel_signals_install(void);

/// Inside another program (the C library, Python): never install the handlers above, so that the host's own
/// SIGINT/SIGTERM/SIGPIPE/SIGBUS handling stays as it was. Call before anything maps a file.
void lexel_signals_library_mode(void);

/// The git commit this binary was built from (Package.swift reads it from .git), or "unknown".
const char *lexel_build_git_hash(void);
/// The SIMD level the binary was compiled for: "avx512", "avx2+fma", "sse2" or "generic".
const char *lexel_build_simd(void);
/// Whether the running CPU has `feature` (a name __builtin_cpu_supports knows: "avx2", "fma", "avx512f",
/// "avx512vnni", "avxvnni"); 0 on other architectures.
int lexel_cpu_has(const char *feature);

#endif
