#ifndef LEXEL_CZSTD_SHIM_H
#define LEXEL_CZSTD_SHIM_H
#include <zstd.h>
#endif
