/* Lexel's C library (liblexel.so): document embeddings on CPUs from any language with a C FFI.
 *
 * Build: `make lib` -> .build/lib/liblexel.so and .build/lib/lexel.h (the Swift standard library linked in
 * statically: the .so needs only libc, libm, libstdc++ and libgcc_s).
 *
 * Conventions
 * - Every call that can fail returns 0 on success or one of the LEXEL_ERR_* codes, and then writes a message
 *   (UTF-8, NUL-terminated, cut to fit) into `error` when `error` is not NULL and `error_length` > 0.
 * - Handles are thread-safe: any number of threads may embed with the same model at once. A closed handle
 *   stays a valid pointer: using it again returns LEXEL_ERR_CLOSED (it is never freed, a few bytes per model).
 * - Texts come in as an Arrow string column: `data` holds the texts back to back and text i is bytes
 *   offsets[i] ..< offsets[i + 1] (count + 1 offsets, 32- or 64-bit: Arrow's StringArray or LargeStringArray).
 *   Nothing is copied in; embeddings are written into the caller's buffer (count x dim floats, row-major).
 * - No global state beyond the version string.
 */
#ifndef LEXEL_H
#define LEXEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LEXEL_OK 0
#define LEXEL_ERR_ARGUMENT 1 /* a NULL pointer, a count below 0, offsets that go backwards */
#define LEXEL_ERR_FILE 2     /* a missing, unreadable or malformed model file, or one of another kind */
#define LEXEL_ERR_CLOSED 3   /* the handle was closed */
#define LEXEL_ERR_INPUT 4    /* a text that is not valid UTF-8 */

typedef struct lexel_model lexel_model;

/* "lexel 0.5.0 (git ...)": the library's version. */
const char *lexel_version(void);

/* Opens a lexical-dense model: a Lexel .lxm or a Luxical .npz. */
int lexel_model_open(const char *path, lexel_model **model, char *error, long error_length);

/* Floats per embedding, or -1 for a closed handle. */
int lexel_model_dim(const lexel_model *model);

/* Embeds `count` texts into `out` (count x dim floats): unit vectors (or zero for a text without any known
 * n-gram). `offset_bits` is 32 or 64. `threads` <= 0 means all online CPUs. */
int lexel_embed(lexel_model *model, const void *offsets, int offset_bits, const uint8_t *data, int64_t count,
                float *out, int threads, char *error, long error_length);

/* Closes the model (its memory is released); the handle answers LEXEL_ERR_CLOSED from then on. */
int lexel_model_close(lexel_model *model);

#ifdef __cplusplus
}
#endif

#endif
