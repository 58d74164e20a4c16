// Everything lives in include/CKernels.h as static inline functions; this file gives the target a source.
#include "CKernels.h"
