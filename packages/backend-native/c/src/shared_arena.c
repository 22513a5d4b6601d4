/*
 * The thread-safe arena: the same bump as arena.c, with `end` moved by a compare-and-swap loop, so
 * concurrent allocations get disjoint regions, each at the lowest multiple of its `align` at or
 * after the end it saw. Lock-free: a thread that stops mid-call never blocks the others.
 * alloc and stats may run on any number of threads at once. reset, and rewind to a mark, give back
 * what every thread allocated after that point: they are for quiescent moments (no alloc in flight
 * that the caller still means to use), the caller's responsibility. mark reads the end at one
 * instant; with allocations in flight it is a mark of some moment during the call.
 */
#include <stdatomic.h>

#include "mp_internal.h"

struct mp_shared_arena {
    _Atomic size_t end;            /* offset of the first free byte, from data_offset to limit */
    _Atomic uint32_t generation;   /* resets so far, modulo MP_MARK_GENERATIONS; changed by reset only */
    _Atomic size_t allocations;
    _Atomic size_t peak_offset;
    _Atomic size_t failed_allocs;
};

#define RELAXED memory_order_relaxed

struct mp_shared_arena *mp_shared_arena_new(const MP_Arena *arena) {
    struct mp_shared_arena *shared = calloc(1, sizeof *shared);
    if (shared == NULL) return NULL;
    atomic_init(&shared->end, arena->data_offset);
    atomic_init(&shared->generation, 0);
    atomic_init(&shared->allocations, 0);
    atomic_init(&shared->peak_offset, 0);
    atomic_init(&shared->failed_allocs, 0);
    return shared;
}

size_t mp_shared_arena_alloc(MP_Arena *arena, size_t size, size_t align) {
    struct mp_shared_arena *shared = arena->shared;
    size_t end = atomic_load_explicit(&shared->end, RELAXED);
    size_t start;
    do {
        start = (end + (align - 1)) & ~(align - 1); /* end <= 2^33: no overflow */
        if (start > arena->limit || size > arena->limit - start) {
            atomic_fetch_add_explicit(&shared->failed_allocs, 1, RELAXED);
            return 0;
        }
    } while (!atomic_compare_exchange_weak_explicit(&shared->end, &end, start + size, RELAXED, RELAXED));
    MP_ASSERT(start >= arena->data_offset && start + size <= arena->limit);
    atomic_fetch_add_explicit(&shared->allocations, 1, RELAXED);
    size_t offset = start + size - arena->data_offset;
    size_t peak = atomic_load_explicit(&shared->peak_offset, RELAXED);
    while (offset > peak && !atomic_compare_exchange_weak_explicit(&shared->peak_offset, &peak, offset, RELAXED, RELAXED)) {
    }
    return start;
}

void mp_shared_arena_reset(MP_Arena *arena) {
    struct mp_shared_arena *shared = arena->shared;
    atomic_store_explicit(&shared->end, arena->data_offset, RELAXED);
    uint32_t generation = atomic_load_explicit(&shared->generation, RELAXED);
    atomic_store_explicit(&shared->generation, (generation + 1) % MP_MARK_GENERATIONS, RELAXED);
}

uint64_t mp_shared_arena_mark(const MP_Arena *arena) {
    struct mp_shared_arena *shared = arena->shared;
    uint32_t generation = atomic_load_explicit(&shared->generation, RELAXED);
    return mp_mark_of(generation, atomic_load_explicit(&shared->end, RELAXED) - arena->data_offset);
}

int mp_shared_arena_rewind(MP_Arena *arena, uint64_t mark) {
    struct mp_shared_arena *shared = arena->shared;
    if (mp_mark_generation(mark) != atomic_load_explicit(&shared->generation, RELAXED)) return MP_ERR_INVALID_HANDLE;
    size_t end = atomic_load_explicit(&shared->end, RELAXED);
    do {
        if (mp_mark_offset(mark) > (uint64_t)(end - arena->data_offset)) return MP_ERR_INVALID_HANDLE;
    } while (!atomic_compare_exchange_weak_explicit(&shared->end, &end, arena->data_offset + (size_t)mp_mark_offset(mark),
                                                    RELAXED, RELAXED));
    return MP_OK;
}

void mp_shared_arena_stats(const MP_Arena *arena, MP_ArenaStats *out) {
    struct mp_shared_arena *shared = arena->shared;
    size_t end = atomic_load_explicit(&shared->end, RELAXED);
    out->offset = end - arena->data_offset;
    out->remaining = arena->limit - end;
    out->allocations = atomic_load_explicit(&shared->allocations, RELAXED);
    out->peak_offset = atomic_load_explicit(&shared->peak_offset, RELAXED);
    out->failed_allocs = atomic_load_explicit(&shared->failed_allocs, RELAXED);
}
