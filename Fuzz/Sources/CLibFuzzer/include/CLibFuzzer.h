#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs that have their own `main` (compiler-rt, FuzzerInterface.h). SwiftPM
/// links an executable target's `main` (renamed `<Module>_main` in debug builds) in place of libFuzzer's, so
/// each fuzz target's `main` calls this.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
