/*
 * The header that opens a thread-safe allocator's bookkeeping (issue 17: attach verifies, it does
 * not trust). Written once by the creator; mp_shared_*_open copies it once and checks every field
 * against the arguments, against the geometry it implies and against a check word over it, so a
 * zeroed buffer, another allocator's bookkeeping, an edited geometry or a memory of another size
 * is refused before anything is read through it.
 */
#ifndef MP_SHARED_HEADER_H
#define MP_SHARED_HEADER_H

#include <string.h>

#include "mp_internal.h"

#define MP_SHARED_MAGIC 0x4853504Du /* "MPSH" */
/* 2: a pool holder's record has its `moves` word (format 1 had padding there, never written). */
#define MP_SHARED_FORMAT 2u
#define MP_SHARED_KIND_POOL 1u
#define MP_SHARED_KIND_ARENA 2u
/* The bookkeeping's alignment: its atomic words sit on their own cache lines. */
#define MP_SHARED_LINE 64u

struct mp_shared_header {
    uint32_t magic;
    uint32_t format;
    uint32_t kind;
    uint32_t align;
    uint64_t object_size; /* the pool's; the arena's buffer_size */
    uint64_t slot_size;   /* pool only */
    uint64_t capacity;    /* pool only */
    uint64_t data_offset;
    uint64_t memory_bytes;      /* what the creator was given: open must be given the same */
    uint64_t bookkeeping_bytes; /* what the layout needs */
    uint32_t max_holders; /* pool only */
    uint32_t cache_slots; /* pool only */
    uint64_t check;       /* over every field above */
    unsigned char reserved[128 - 80];
};
_Static_assert(sizeof(struct mp_shared_header) == 128, "two cache lines");

/* FNV-1a over the fields before `check`. */
static inline uint64_t mp_header_check(const struct mp_shared_header *h) {
    const unsigned char *bytes = (const unsigned char *)h;
    uint64_t hash = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < offsetof(struct mp_shared_header, check); i++) hash = (hash ^ bytes[i]) * 0x100000001B3ull;
    return hash;
}

/* Whether [a, a + an) and [b, b + bn) share a byte. */
static inline int mp_regions_overlap(const void *a, size_t an, const void *b, size_t bn) {
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x < y + bn && y < x + an;
}

/* The buffer checks every creator over caller memory makes (open makes them in mp_header_read):
 * MP_OK or a status. */
static inline int mp_shared_buffers_check(const void *memory, size_t memory_bytes, const void *bookkeeping,
                                          size_t bookkeeping_bytes, size_t bookkeeping_needed) {
    if (memory == NULL || bookkeeping == NULL) return MP_ERR_NULL_POINTER;
    if (((uintptr_t)bookkeeping & (MP_SHARED_LINE - 1)) != 0) return MP_ERR_INVALID_ARGUMENT;
    if (bookkeeping_bytes < bookkeeping_needed || bookkeeping_needed < sizeof(struct mp_shared_header)) {
        return MP_ERR_INVALID_ARGUMENT;
    }
    if (mp_regions_overlap(memory, memory_bytes, bookkeeping, bookkeeping_bytes)) return MP_ERR_INVALID_ARGUMENT;
    return MP_OK;
}

/* What open does first: copies the header once and checks what every kind shares, the buffers
 * included (mp_shared_buffers_check's checks, given the header's bookkeeping_bytes); the geometry
 * is the caller's to check. */
static inline int mp_header_read(const void *memory, const void *bookkeeping, size_t bookkeeping_bytes, uint32_t kind,
                                 size_t memory_bytes, struct mp_shared_header *out) {
    if (memory == NULL || bookkeeping == NULL) return MP_ERR_NULL_POINTER;
    if (((uintptr_t)bookkeeping & (MP_SHARED_LINE - 1)) != 0) return MP_ERR_INVALID_ARGUMENT;
    if (bookkeeping_bytes < sizeof *out) return MP_ERR_INVALID_ARGUMENT;
    memcpy(out, bookkeeping, sizeof *out);
    if (out->magic != MP_SHARED_MAGIC || out->format != MP_SHARED_FORMAT || out->kind != kind) return MP_ERR_INVALID_ARGUMENT;
    if (out->check != mp_header_check(out)) return MP_ERR_INVALID_ARGUMENT;
    if (out->memory_bytes != memory_bytes || out->bookkeeping_bytes > bookkeeping_bytes) return MP_ERR_INVALID_ARGUMENT;
    if (mp_regions_overlap(memory, memory_bytes, bookkeeping, bookkeeping_bytes)) return MP_ERR_INVALID_ARGUMENT;
    return MP_OK;
}

/* Seals a header the creator filled in (its last write before the allocator is used). */
static inline void mp_header_seal(void *bookkeeping, struct mp_shared_header *h) {
    h->magic = MP_SHARED_MAGIC;
    h->format = MP_SHARED_FORMAT;
    h->check = mp_header_check(h);
    memcpy(bookkeeping, h, sizeof *h);
}

/* What free() takes for the buffers of an allocator the library makes for itself (zeros when the
 * caller owns them). */
struct mp_owned {
    void *raw_memory, *raw_bookkeeping;
};

/* Makes those buffers, both zeroed: *memory aligned as the plain allocators' buffers are,
 * *bookkeeping to MP_SHARED_LINE. 1, or 0 with nothing allocated. */
static inline int mp_owned_new(struct mp_owned *o, size_t memory_bytes, size_t alignment, unsigned char **memory,
                               size_t bookkeeping_bytes, unsigned char **bookkeeping) {
    memset(o, 0, sizeof *o);
    *bookkeeping = NULL;
    *memory = mp_buffer_new(memory_bytes, alignment, &o->raw_memory);
    if (*memory != NULL) *bookkeeping = mp_buffer_new(bookkeeping_bytes, MP_SHARED_LINE, &o->raw_bookkeeping);
    if (*bookkeeping != NULL) return 1;
    free(o->raw_memory);
    return 0;
}

static inline void mp_owned_free(const struct mp_owned *o) {
    free(o->raw_memory);
    free(o->raw_bookkeeping);
}

#endif
