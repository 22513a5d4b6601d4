/* Shared helpers of the C library (not installed). */
#ifndef MP_INTERNAL_H
#define MP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "memory_pool_core.h"

/* A power of two from 1 to MP_MAX_ALIGN; 0 becomes MP_DEFAULT_ALIGN. Returns 0 when invalid. */
static inline size_t mp_normalize_align(size_t align) {
    if (align == 0) return MP_DEFAULT_ALIGN;
    if (align > MP_MAX_ALIGN || (align & (align - 1)) != 0) return 0;
    return align;
}

/* max(MP_HEADER_BYTES, align) */
static inline size_t mp_data_offset_for(size_t align) {
    return align > MP_HEADER_BYTES ? align : MP_HEADER_BYTES;
}

/*
 * A zeroed buffer of `bytes` whose first byte is aligned to `alignment` (a power of two >= 64) in
 * absolute address. calloc keeps large buffers lazily zeroed (fresh pages), so a multi-GiB buffer
 * costs nothing until it is touched. *raw receives what free() takes. NULL on overflow or refusal.
 */
static inline unsigned char *mp_buffer_new(size_t bytes, size_t alignment, void **raw) {
    if (bytes > SIZE_MAX - (alignment - 1)) return NULL;
    void *block = calloc(1, bytes + (alignment - 1));
    if (block == NULL) return NULL;
    uintptr_t address = (uintptr_t)block;
    uintptr_t aligned = (address + (alignment - 1)) & ~(uintptr_t)(alignment - 1);
    *raw = block;
    return (unsigned char *)block + (aligned - address);
}

#endif
