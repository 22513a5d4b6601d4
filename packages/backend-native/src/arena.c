/* Arena (docs/ALGORITHMS.md, "Arena"): a bump pointer, a reset generation, lifetime counters. */
#include <string.h>

#include "mp_internal.h"

#define MP_MARK_OFFSET_MASK (((uint64_t)1 << MP_MARK_OFFSET_BITS) - 1)

struct MP_Arena {
    unsigned char *base; /* aligned buffer: header, then the data region */
    size_t end;          /* offset of the first free byte, from data_offset to limit */
    size_t limit;        /* data_offset + buffer_size */
    size_t data_offset;
    size_t allocations;
    size_t peak_offset;
    size_t failed_allocs;
    void *raw;           /* what calloc returned */
    uint32_t generation; /* resets so far, modulo 2^20 */
    uint32_t align;      /* creation align */
};

MP_Arena *mp_arena_create(size_t buffer_size) { return mp_arena_create_aligned(buffer_size, MP_DEFAULT_ALIGN); }

MP_Arena *mp_arena_create_aligned(size_t buffer_size, size_t align) {
    align = mp_normalize_align(align);
    if (align == 0 || buffer_size == 0) return NULL;
    size_t data_offset = mp_data_offset_for(align);
    if (buffer_size > MP_MAX_MEMORY_BYTES - data_offset) return NULL;
    MP_Arena *arena = calloc(1, sizeof(MP_Arena));
    if (arena == NULL) return NULL;
    size_t alignment = align > MP_HEADER_BYTES ? align : MP_HEADER_BYTES;
    arena->base = mp_buffer_new(data_offset + buffer_size, alignment, &arena->raw);
    if (arena->base == NULL) {
        free(arena);
        return NULL;
    }
    arena->end = data_offset;
    arena->limit = data_offset + buffer_size;
    arena->data_offset = data_offset;
    arena->align = (uint32_t)align;
    return arena;
}

void mp_arena_destroy(MP_Arena *arena) {
    if (arena == NULL) return;
    free(arena->raw);
    free(arena);
}

size_t mp_arena_alloc_offset(MP_Arena *arena, size_t size, size_t align) {
    if (arena == NULL || size == 0) return 0;
    align = mp_normalize_align(align);
    if (align == 0) return 0;
    size_t start = (arena->end + (align - 1)) & ~(align - 1); /* end <= 2^33: no overflow */
    if (start > arena->limit || size > arena->limit - start) {
        arena->failed_allocs++;
        return 0;
    }
    arena->end = start + size;
    arena->allocations++;
    size_t offset = arena->end - arena->data_offset;
    if (offset > arena->peak_offset) arena->peak_offset = offset;
    return start;
}

void *mp_arena_alloc(MP_Arena *arena, size_t size, size_t align) {
    size_t offset = mp_arena_alloc_offset(arena, size, align);
    return offset == 0 ? NULL : arena->base + offset;
}

int mp_arena_reset(MP_Arena *arena) {
    if (arena == NULL) return MP_ERR_NULL_POINTER;
    arena->end = arena->data_offset;
    arena->generation = (arena->generation + 1) % MP_MARK_GENERATIONS;
    return MP_OK;
}

uint64_t mp_arena_mark(const MP_Arena *arena) {
    if (arena == NULL) return 0;
    return ((uint64_t)arena->generation << MP_MARK_OFFSET_BITS) | (uint64_t)(arena->end - arena->data_offset);
}

int mp_arena_rewind(MP_Arena *arena, uint64_t mark) {
    if (arena == NULL) return MP_ERR_NULL_POINTER;
    uint64_t generation = mark >> MP_MARK_OFFSET_BITS;
    uint64_t offset = mark & MP_MARK_OFFSET_MASK;
    if (generation != arena->generation || offset > (uint64_t)(arena->end - arena->data_offset)) {
        return MP_ERR_INVALID_HANDLE;
    }
    arena->end = arena->data_offset + (size_t)offset;
    return MP_OK;
}

int mp_arena_stats(const MP_Arena *arena, MP_ArenaStats *out) {
    if (out == NULL) return MP_ERR_NULL_POINTER;
    if (arena == NULL) {
        memset(out, 0, sizeof *out);
        return MP_ERR_NULL_POINTER;
    }
    out->buffer_size = arena->limit - arena->data_offset;
    out->offset = arena->end - arena->data_offset;
    out->remaining = arena->limit - arena->end;
    out->allocations = arena->allocations;
    out->peak_offset = arena->peak_offset;
    out->failed_allocs = arena->failed_allocs;
    return MP_OK;
}

void *mp_arena_base(const MP_Arena *arena) { return arena == NULL ? NULL : arena->base; }

size_t mp_arena_byte_length(const MP_Arena *arena) { return arena == NULL ? 0 : arena->limit; }

size_t mp_arena_data_offset(const MP_Arena *arena) { return arena == NULL ? 0 : arena->data_offset; }

size_t mp_arena_struct_size(void) { return sizeof(MP_Arena); }
