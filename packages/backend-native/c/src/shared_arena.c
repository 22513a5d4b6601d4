/*
 * The thread-safe arena: the same bump as arena.c, with `end` moved by a compare-and-swap loop, so
 * concurrent allocations get disjoint regions, each at the lowest multiple of its `align` at or
 * after the end it saw. Lock-free: a thread that stops mid-call never blocks the others.
 * Its words live in a bookkeeping buffer of their own, opened by the header of shared_header.h.
 * reset and rewind give back what every thread allocated after that point: they are for quiescent
 * moments. reset parks `end` at MP_ARENA_BUSY while it works, so an alloc, mark, rewind or another
 * reset that meets it sees "busy" instead of acting on a half-done reset.
 */
#include <stdatomic.h>
#include <string.h>

#include "mp_internal.h"
#include "shared_header.h"

#define RELAXED memory_order_relaxed
/* `end` while a reset runs: past any real end (those are <= MP_MAX_MEMORY_BYTES). */
#define MP_ARENA_BUSY UINT64_MAX

struct mp_arena_state {
    _Atomic uint64_t end; /* offset of the first free byte, from data_offset to limit */
    _Atomic uint32_t generation;
    _Atomic uint64_t allocations, peak_offset, failed_allocs;
    unsigned char pad[64 - 40];
};
_Static_assert(sizeof(struct mp_arena_state) == 64, "one cache line");

#define ARENA_BOOKKEEPING (sizeof(struct mp_shared_header) + sizeof(struct mp_arena_state))

struct MP_SharedArena {
    unsigned char *base;
    size_t limit; /* data_offset + buffer_size */
    size_t data_offset;
    struct mp_arena_state *state;
    void *bookkeeping;
    struct mp_owned owned; /* what mp_shared_arena_create allocated */
};

size_t mp_shared_arena_bookkeeping_bytes(void) { return ARENA_BOOKKEEPING; }

static MP_SharedArena *mp_arena_handle(unsigned char *memory, unsigned char *bookkeeping, size_t limit, size_t data_offset) {
    MP_SharedArena *arena = calloc(1, sizeof *arena);
    if (arena == NULL) return NULL;
    arena->base = memory;
    arena->limit = limit;
    arena->data_offset = data_offset;
    arena->bookkeeping = bookkeeping;
    arena->state = (struct mp_arena_state *)(void *)(bookkeeping + sizeof(struct mp_shared_header));
    return arena;
}

MP_SharedArena *mp_shared_arena_create_in(void *memory, size_t memory_bytes, void *bookkeeping, size_t bookkeeping_bytes,
                                          size_t buffer_size, size_t align, int *status) {
    size_t data_offset = 0;
    size_t limit = mp_arena_geometry(buffer_size, &align, &data_offset);
    if (memory == NULL || bookkeeping == NULL) return mp_status(status, MP_ERR_NULL_POINTER), NULL;
    if (limit == 0 || memory_bytes < limit) return mp_status(status, MP_ERR_INVALID_ARGUMENT), NULL;
    int checked = mp_shared_buffers_check(memory, memory_bytes, bookkeeping, bookkeeping_bytes, ARENA_BOOKKEEPING);
    if (checked != MP_OK) return mp_status(status, checked), NULL;
    MP_SharedArena *arena = mp_arena_handle(memory, bookkeeping, limit, data_offset);
    if (arena == NULL) return mp_status(status, MP_ERR_OUT_OF_MEMORY), NULL;
    struct mp_shared_header h;
    memset(&h, 0, sizeof h);
    h.kind = MP_SHARED_KIND_ARENA;
    h.align = (uint32_t)align;
    h.object_size = buffer_size;
    h.data_offset = data_offset;
    h.memory_bytes = memory_bytes;
    h.bookkeeping_bytes = ARENA_BOOKKEEPING;
    memset(arena->state, 0, sizeof *arena->state);
    atomic_store_explicit(&arena->state->end, data_offset, RELAXED);
    mp_header_seal(bookkeeping, &h);
    atomic_thread_fence(memory_order_release);
    mp_status(status, MP_OK);
    return arena;
}

MP_SharedArena *mp_shared_arena_create(size_t buffer_size, size_t align) {
    size_t data_offset = 0, normal = align;
    size_t limit = mp_arena_geometry(buffer_size, &normal, &data_offset);
    struct mp_owned o;
    unsigned char *memory, *bookkeeping;
    if (limit == 0 || !mp_owned_new(&o, limit, data_offset, &memory, ARENA_BOOKKEEPING, &bookkeeping)) return NULL;
    MP_SharedArena *arena = mp_shared_arena_create_in(memory, limit, bookkeeping, ARENA_BOOKKEEPING, buffer_size, align, NULL);
    if (arena != NULL) arena->owned = o;
    else mp_owned_free(&o);
    return arena;
}

MP_SharedArena *mp_shared_arena_open(void *memory, size_t memory_bytes, void *bookkeeping, size_t bookkeeping_bytes,
                                     int *status) {
    struct mp_shared_header h;
    int read = mp_header_read(memory, bookkeeping, bookkeeping_bytes, MP_SHARED_KIND_ARENA, memory_bytes, &h);
    if (read != MP_OK) return mp_status(status, read), NULL;
    size_t align = h.align, data_offset = 0;
    size_t limit = h.align == 0 || (uint64_t)(size_t)h.object_size != h.object_size
                       ? 0
                       : mp_arena_geometry((size_t)h.object_size, &align, &data_offset);
    if (limit == 0 || align != h.align || data_offset != h.data_offset || memory_bytes < limit ||
        h.bookkeeping_bytes != ARENA_BOOKKEEPING || h.slot_size != 0 || h.capacity != 0 || h.max_holders != 0) {
        return mp_status(status, MP_ERR_INVALID_ARGUMENT), NULL;
    }
    MP_SharedArena *arena = mp_arena_handle(memory, bookkeeping, limit, data_offset);
    if (arena == NULL) return mp_status(status, MP_ERR_OUT_OF_MEMORY), NULL;
    atomic_thread_fence(memory_order_acquire);
    mp_status(status, MP_OK);
    return arena;
}

void mp_shared_arena_destroy(MP_SharedArena *arena) {
    if (arena == NULL) return;
    mp_owned_free(&arena->owned);
    free(arena);
}

/* The start of `size` bytes at `align`, or 0. */
static size_t mp_shared_bump(MP_SharedArena *arena, size_t size, size_t align) {
    align = mp_normalize_align(align);
    if (size == 0 || align == 0) return 0;
    struct mp_arena_state *st = arena->state;
    uint64_t end = atomic_load_explicit(&st->end, RELAXED);
    uint64_t start;
    do {
        if (end == MP_ARENA_BUSY) return 0; /* a reset is under way: nothing counted */
        start = (end + (align - 1)) & ~(uint64_t)(align - 1); /* end <= 2^33: no overflow */
        if (start > arena->limit || size > arena->limit - start) {
            atomic_fetch_add_explicit(&st->failed_allocs, 1, RELAXED);
            return 0;
        }
    } while (!atomic_compare_exchange_weak_explicit(&st->end, &end, start + size, RELAXED, RELAXED));
    MP_ASSERT(start >= arena->data_offset && start + size <= arena->limit);
    atomic_fetch_add_explicit(&st->allocations, 1, RELAXED);
    uint64_t offset = start + size - arena->data_offset;
    uint64_t peak = atomic_load_explicit(&st->peak_offset, RELAXED);
    while (offset > peak && !atomic_compare_exchange_weak_explicit(&st->peak_offset, &peak, offset, RELAXED, RELAXED)) {
    }
    return (size_t)start;
}

void *mp_shared_arena_alloc(MP_SharedArena *arena, size_t size, size_t align) {
    if (arena == NULL) return NULL;
    size_t start = mp_shared_bump(arena, size, align);
    return start == 0 ? NULL : arena->base + start;
}

size_t mp_shared_arena_alloc_offset(MP_SharedArena *arena, size_t size, size_t align) {
    return arena == NULL ? 0 : mp_shared_bump(arena, size, align);
}

int mp_shared_arena_reset(MP_SharedArena *arena) {
    if (arena == NULL) return MP_ERR_NULL_POINTER;
    struct mp_arena_state *st = arena->state;
    if (atomic_exchange_explicit(&st->end, MP_ARENA_BUSY, memory_order_acq_rel) == MP_ARENA_BUSY) return MP_ERR_BUSY;
    uint32_t generation = atomic_load_explicit(&st->generation, RELAXED);
    atomic_store_explicit(&st->generation, (generation + 1) % MP_MARK_GENERATIONS, RELAXED);
    atomic_store_explicit(&st->end, arena->data_offset, memory_order_release);
    return MP_OK;
}

uint64_t mp_shared_arena_mark(const MP_SharedArena *arena) {
    if (arena == NULL) return 0;
    struct mp_arena_state *st = arena->state;
    uint64_t end = atomic_load_explicit(&st->end, memory_order_acquire);
    if (end == MP_ARENA_BUSY) return 0;
    return mp_mark_of(atomic_load_explicit(&st->generation, RELAXED), (size_t)end - arena->data_offset);
}

int mp_shared_arena_rewind(MP_SharedArena *arena, uint64_t mark) {
    if (arena == NULL) return MP_ERR_NULL_POINTER;
    struct mp_arena_state *st = arena->state;
    uint64_t end = atomic_load_explicit(&st->end, memory_order_acquire);
    do {
        if (end == MP_ARENA_BUSY) return MP_ERR_BUSY;
        if (mp_mark_generation(mark) != atomic_load_explicit(&st->generation, RELAXED) ||
            mp_mark_offset(mark) > end - arena->data_offset) {
            return MP_ERR_INVALID_HANDLE;
        }
    } while (!atomic_compare_exchange_weak_explicit(&st->end, &end, arena->data_offset + mp_mark_offset(mark), RELAXED,
                                                    RELAXED));
    return MP_OK;
}

int mp_shared_arena_stats(const MP_SharedArena *arena, MP_ArenaStats *out) {
    int status = mp_stats_begin(out, sizeof *out, arena);
    if (status != MP_OK) return status;
    struct mp_arena_state *st = arena->state;
    uint64_t end = atomic_load_explicit(&st->end, RELAXED);
    if (end == MP_ARENA_BUSY) end = arena->data_offset;
    out->buffer_size = arena->limit - arena->data_offset;
    out->offset = (size_t)end - arena->data_offset;
    out->remaining = arena->limit - (size_t)end;
    out->allocations = atomic_load_explicit(&st->allocations, RELAXED);
    out->peak_offset = atomic_load_explicit(&st->peak_offset, RELAXED);
    out->failed_allocs = atomic_load_explicit(&st->failed_allocs, RELAXED);
    return MP_OK;
}

void *mp_shared_arena_base(const MP_SharedArena *arena) { return arena == NULL ? NULL : arena->base; }

size_t mp_shared_arena_byte_length(const MP_SharedArena *arena) { return arena == NULL ? 0 : arena->limit; }

size_t mp_shared_arena_data_offset(const MP_SharedArena *arena) { return arena == NULL ? 0 : arena->data_offset; }

void *mp_shared_arena_bookkeeping(const MP_SharedArena *arena) { return arena == NULL ? NULL : arena->bookkeeping; }
