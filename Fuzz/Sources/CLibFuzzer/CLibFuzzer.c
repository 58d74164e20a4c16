// The declaration in include/CLibFuzzer.h is the whole module; libFuzzer itself comes from -sanitize=fuzzer.
#include "CLibFuzzer.h"
