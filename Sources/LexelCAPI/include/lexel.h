/* Lexel's C library (liblexel.so): document embeddings, classification, word-vector queries and k-means on CPUs,
 * from any language with a C FFI (the Python package `lexel` calls it through ctypes).
 *
 * Build: `make lib` -> .build/lib/liblexel.so and .build/lib/lexel.h (the Swift standard library linked in
 * statically: the .so needs only libc, libm, libstdc++ and libgcc_s).
 *
 * Conventions
 * - Every call that can fail returns 0 on success or one of the LEXEL_ERR_* codes, and then writes a message
 *   (UTF-8, NUL-terminated, cut to fit) into `error` when `error` is not NULL and `error_length` > 0.
 * - Handles are thread-safe: any number of threads may use the same handle at once. A closed handle stays a
 *   valid pointer: using it again returns LEXEL_ERR_CLOSED (it is never freed, a few bytes per handle), and a
 *   handle of one kind passed to another kind's call returns LEXEL_ERR_KIND. Calls that return a count or a
 *   dimension return -1 for a closed or NULL handle.
 * - Texts come in as an Arrow string column: `data` holds the texts back to back and text i is bytes
 *   offsets[i] ..< offsets[i + 1] (count + 1 offsets, 32- or 64-bit: Arrow's StringArray or LargeStringArray).
 *   Nothing is copied in; results are written into the caller's buffers (row-major).
 * - `threads` <= 0 means all online CPUs. No global state beyond the version string.
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
#define LEXEL_ERR_INPUT 4    /* a text that is not valid UTF-8, points that cannot be clustered (NaN, k > n) */
#define LEXEL_ERR_KIND 5     /* a handle of another kind (a classifier given to lexel_embed, ...) */

typedef struct lexel_model lexel_model;
typedef struct lexel_classifier lexel_classifier;
typedef struct lexel_vectors lexel_vectors;

/* "lexel 0.5.0 (git ...)": the library's version. */
const char *lexel_version(void);

/* ---- Document embeddings ---- */

/* Opens a lexical-dense model: a Lexel .lxm or a Luxical .npz; path NULL opens the shipped model. */
int lexel_model_open(const char *path, lexel_model **model, char *error, long error_length);

/* Floats per embedding, or -1 for a closed handle. */
int lexel_model_dim(const lexel_model *model);

/* Embeds `count` texts into `out` (count x dim floats): unit vectors (or zero for a text without any known
 * n-gram). `offset_bits` is 32 or 64. */
int lexel_embed(lexel_model *model, const void *offsets, int offset_bits, const uint8_t *data, int64_t count,
                float *out, int threads, char *error, long error_length);

/* Closes the model (its memory is released); the handle answers LEXEL_ERR_CLOSED from then on. */
int lexel_model_close(lexel_model *model);

/* ---- Classification ---- */

/* Opens a classifier: a fastText model (.bin, .ftz, from fastText or `lexel supervised`) or a lexical model with
 * a classifier head (.lxm from `lexel train-head`). */
int lexel_classifier_open(const char *path, lexel_classifier **classifier, char *error, long error_length);

/* The number of labels, or -1. */
int lexel_classifier_labels(const lexel_classifier *classifier);

/* The name of label i ("__label__spam"), valid while the handle is open; NULL for a bad i or handle. */
const char *lexel_classifier_label(const lexel_classifier *classifier, int i);

/* The k most probable labels of each text with probability >= threshold, best first: label ids into `labels`
 * and probabilities into `probabilities` (count x k each); -1 and 0 fill the places after the last one found. */
int lexel_classify(lexel_classifier *classifier, const void *offsets, int offset_bits, const uint8_t *data,
                   int64_t count, int k, float threshold, int32_t *labels, float *probabilities, int threads,
                   char *error, long error_length);

int lexel_classifier_close(lexel_classifier *classifier);

/* ---- Word vectors ---- */

/* Opens word vectors: a .lxv (queried in place), or a fastText/Lexel .bin, word2vec .bin or .vec text file (read
 * into memory). */
int lexel_vectors_open(const char *path, lexel_vectors **vectors, char *error, long error_length);

/* Floats per vector, or -1. */
int lexel_vectors_dim(const lexel_vectors *vectors);

/* Words (rows) in the file, or -1. */
int64_t lexel_vectors_count(const lexel_vectors *vectors);

/* The row of `word` (NUL-terminated UTF-8), or -1 when it is not in the vocabulary. */
int64_t lexel_vectors_row(const lexel_vectors *vectors, const char *word);

/* Writes the word of `row` into `buffer` (NUL-terminated) when it fits in `length` bytes; returns its length in
 * bytes without the NUL (call with length 0 to ask), or -1 for a bad row or handle. */
long lexel_vectors_word(const lexel_vectors *vectors, int64_t row, char *buffer, long length);

/* The vectors of `count` words (an Arrow string column) into `out` (count x dim floats). Out-of-vocabulary words
 * get their subword vector (fastText) or spelling neighbours' (a .lxv), zeros where there is neither. */
int lexel_vectors_lookup(lexel_vectors *vectors, const void *offsets, int offset_bits, const uint8_t *data,
                         int64_t count, float *out, int threads, char *error, long error_length);

/* gensim's most_similar: the k rows nearest by cosine to the sum of the unit vectors of the first `positive`
 * words of the column minus those of the next `negative` ones, the given words left out. Rows into `rows`, cosines
 * into `scores` (k each; -1 and 0 after the last). An analogy a : b :: c : ? is positive b, c and negative a. */
int lexel_vectors_most_similar(lexel_vectors *vectors, const void *offsets, int offset_bits, const uint8_t *data,
                               int64_t positive, int64_t negative, int k, int64_t *rows, float *scores, int threads,
                               char *error, long error_length);

/* The k rows nearest by cosine to each of `count` query vectors (count x dim floats): count x k rows and scores. */
int lexel_vectors_nearest(lexel_vectors *vectors, const float *queries, int64_t count, int k, int64_t *rows,
                          float *scores, int threads, char *error, long error_length);

int lexel_vectors_close(lexel_vectors *vectors);

/* ---- Clustering ---- */

#define LEXEL_METRIC_COSINE 0    /* spherical k-means (rows scaled to unit length) */
#define LEXEL_METRIC_EUCLIDEAN 1
#define LEXEL_PRECISION_AUTO 0   /* int8 where the CPU has AVX-512 VNNI, else f32 */
#define LEXEL_PRECISION_F32 1
#define LEXEL_PRECISION_INT8 2

/* k-means on n rows of dim floats at x (read in place, never changed): k-means++ seeding from `seed`, up to
 * `iterations` Lloyd iterations, the best of `redo` runs. Writes the centroids (k x dim), each row's cluster
 * (n int32) and its distance (n floats: 1 - cosine, or squared Euclidean), and the objective (the sum of cosines, or
 * the sum of squared distances); any of these may be NULL. Same seed, same results at any thread count. */
int lexel_kmeans(const float *x, int64_t n, int dim, int k, int iterations, int redo, uint64_t seed, int metric,
                 int precision, int threads, float *centroids, int32_t *assignments, float *distances,
                 double *objective, char *error, long error_length);

#ifdef __cplusplus
}
#endif

#endif
