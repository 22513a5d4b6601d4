/* Arena (docs/ALGORITHMS.md, "Arena"): a bump pointer, a reset generation, lifetime counters.
 * Like the pool, the arena never reads or writes its buffer: it hands out addresses in it.
 * The thread-safe arena is a type of its own (MP_SharedArena, shared_arena.c). */
#include <string.h>

#include "mp_internal.h"

MP_Arena *mp_arena_create(size_t buffer_size) { return mp_arena_create_aligned(buffer_size, MP_DEFAULT_ALIGN); }

size_t mp_arena_required_bytes(size_t buffer_size, size_t align) {
    size_t data_offset;
    return mp_arena_geometry(buffer_size, &align, &data_offset);
}

static MP_Arena *mp_arena_new(unsigned char *base, void *raw, size_t limit, size_t data_offset) {
    MP_Arena *arena = calloc(1, sizeof(MP_Arena));
    if (arena == NULL) return NULL;
    arena->base = base;
    arena->raw = raw;
    arena->end = data_offset;
    arena->limit = limit;
    arena->data_offset = data_offset;
    return arena;
}

/* An arena in its own buffer, or over the caller's `buffer` when it is not NULL. */
static MP_Arena *mp_arena_make(void *buffer, size_t buffer_bytes, size_t buffer_size, size_t align, int *status) {
    size_t data_offset;
    size_t limit = mp_arena_geometry(buffer_size, &align, &data_offset);
    if (limit == 0 || (buffer != NULL && buffer_bytes < limit)) return mp_status(status, MP_ERR_INVALID_ARGUMENT), NULL;
    void *raw = NULL;
    unsigned char *base = buffer != NULL ? buffer : mp_buffer_new(limit, data_offset, &raw);
    MP_Arena *arena = base == NULL ? NULL : mp_arena_new(base, raw, limit, data_offset);
    if (arena == NULL) {
        free(raw);
        return mp_status(status, MP_ERR_OUT_OF_MEMORY), NULL;
    }
    mp_status(status, MP_OK);
    return arena;
}

MP_Arena *mp_arena_create_aligned(size_t buffer_size, size_t align) {
    return mp_arena_make(NULL, 0, buffer_size, align, NULL);
}

MP_Arena *mp_arena_create_in(void *buffer, size_t buffer_bytes, size_t buffer_size, size_t align, int *status) {
    if (buffer == NULL) return mp_status(status, MP_ERR_NULL_POINTER), NULL;
    return mp_arena_make(buffer, buffer_bytes, buffer_size, align, status);
}

void mp_arena_destroy(MP_Arena *arena) {
    if (arena == NULL) return;
    free(arena->raw);
    free(arena);
}

/* The highest offset so far: see peak_before. */
static inline size_t mp_arena_peak(const MP_Arena *arena) {
    size_t offset = arena->end - arena->data_offset;
    return offset > arena->peak_before ? offset : arena->peak_before;
}

/* Before end moves back: keeps the peak it reached. */
static inline void mp_arena_keep_peak(MP_Arena *arena) { arena->peak_before = mp_arena_peak(arena); }

/* The invariants of an unshared arena between calls. */
#define MP_ARENA_CONSISTENT(arena)                                                               \
    do {                                                                                         \
        MP_ASSERT((arena)->data_offset <= (arena)->end && (arena)->end <= (arena)->limit);       \
        MP_ASSERT((arena)->peak_before <= (arena)->limit - (arena)->data_offset);                \
        MP_ASSERT((arena)->generation < MP_MARK_GENERATIONS);                                    \
    } while (0)

static inline uintptr_t mp_bump(MP_Arena *arena, size_t size, size_t align, uintptr_t origin);

/* mp_bump off its fast path: size 0 or a bad align (0, not counted as a failure), align 0 (the
 * default), a size past any buffer (a failure). */
MP_COLD static uintptr_t mp_bump_rare(MP_Arena *arena, size_t size, size_t align, uintptr_t origin) {
    align = mp_normalize_align(align);
    if (size == 0 || align == 0) return 0;
    if (size > MP_MAX_MEMORY_BYTES) {
        arena->failed_allocs++;
        return 0;
    }
    return mp_bump(arena, size, align, origin);
}

/*
 * origin + the start of `size` bytes at `align` after the end, or 0: origin is 0 for the offset
 * entry point, the base's address for the pointer one, so both tail-call mp_bump_rare and the fast
 * path keeps no frame. static inline so each entry point compiles to one function (with -fPIC gcc
 * will not inline an exported function into another).
 * The fast path is short on purpose: bench/src/c/harness.c finds it bound by its instruction count
 * rather than by a dependency. One comparison rules out size 0 and sizes past any buffer, which
 * keeps start + size from overflowing, so one comparison checks the room; one rules out align 0
 * (the default) and aligns past MP_MAX_ALIGN. The peak is not updated here (see peak_before).
 * Rounding start up only when it is unaligned, as a branch, measured slower (1.83 ns against 1.70).
 */
static inline uintptr_t mp_bump(MP_Arena *arena, size_t size, size_t align, uintptr_t origin) {
    if (size - 1 >= MP_MAX_MEMORY_BYTES || align - 1 >= MP_MAX_ALIGN) {
        return mp_bump_rare(arena, size, align, origin);
    }
    if ((align & (align - 1)) != 0) return 0;
    size_t start = (arena->end + (align - 1)) & ~(align - 1); /* end <= 2^33: no overflow */
    if (start + size > arena->limit) {
        arena->failed_allocs++;
        return 0;
    }
    arena->end = start + size;
    arena->allocations++;
    MP_ARENA_CONSISTENT(arena);
    return origin + start;
}

size_t mp_arena_alloc_offset(MP_Arena *arena, size_t size, size_t align) {
    return arena == NULL ? 0 : (size_t)mp_bump(arena, size, align, 0);
}

void *mp_arena_alloc(MP_Arena *arena, size_t size, size_t align) {
    if (arena == NULL) return NULL;
    return (void *)mp_bump(arena, size, align, (uintptr_t)arena->base);
}

int mp_arena_reset(MP_Arena *arena) {
    if (arena == NULL) return MP_ERR_NULL_POINTER;
    mp_arena_keep_peak(arena);
    arena->end = arena->data_offset;
    arena->generation = (arena->generation + 1) % MP_MARK_GENERATIONS;
    MP_ARENA_CONSISTENT(arena);
    return MP_OK;
}

uint64_t mp_arena_mark(const MP_Arena *arena) {
    if (arena == NULL) return 0;
    return mp_mark_of(arena->generation, arena->end - arena->data_offset);
}

int mp_arena_rewind(MP_Arena *arena, uint64_t mark) {
    if (arena == NULL) return MP_ERR_NULL_POINTER;
    if (mp_mark_generation(mark) != arena->generation || mp_mark_offset(mark) > (uint64_t)(arena->end - arena->data_offset)) {
        return MP_ERR_INVALID_HANDLE;
    }
    mp_arena_keep_peak(arena);
    arena->end = arena->data_offset + (size_t)mp_mark_offset(mark);
    MP_ARENA_CONSISTENT(arena);
    return MP_OK;
}

int mp_arena_stats(const MP_Arena *arena, MP_ArenaStats *out) {
    int status = mp_stats_begin(out, sizeof *out, arena);
    if (status != MP_OK) return status;
    out->buffer_size = arena->limit - arena->data_offset;
    out->offset = arena->end - arena->data_offset;
    out->remaining = arena->limit - arena->end;
    out->allocations = arena->allocations;
    out->peak_offset = mp_arena_peak(arena);
    out->failed_allocs = arena->failed_allocs;
    return MP_OK;
}

void *mp_arena_base(const MP_Arena *arena) { return arena == NULL ? NULL : arena->base; }

size_t mp_arena_byte_length(const MP_Arena *arena) { return arena == NULL ? 0 : arena->limit; }

size_t mp_arena_data_offset(const MP_Arena *arena) { return arena == NULL ? 0 : arena->data_offset; }

size_t mp_arena_struct_size(void) { return sizeof(MP_Arena); }
