/* What the C library's sources share (not installed): the allocators' structs, and the checks,
 * geometry and helpers every file uses (the thread-safe allocators' own types are in
 * shared_pool.c and shared_arena.c). */
#ifndef MP_INTERNAL_H
#define MP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memory_pool_core.h"

/*
 * MP_ASSERT(cond): an invariant of the library's own state (never a check of the caller's input,
 * which gets a status). Compiled in when MP_ASSERTS is defined, as the sanitizer builds of
 * `make test` do: a broken invariant prints where and aborts. Compiled out otherwise, so release
 * builds pay nothing.
 */
#ifdef MP_ASSERTS
#include <stdio.h>
#define MP_ASSERT(cond)                                                                         \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            fprintf(stderr, "memory_pool_core: invariant failed at %s:%d: %s\n", __FILE__,      \
                    __LINE__, #cond);                                                           \
            abort();                                                                            \
        }                                                                                       \
    } while (0)
#else
#define MP_ASSERT(cond) ((void)sizeof(cond)) /* not evaluated; keeps its variables "used" */
#endif

/* MP_COLD: a function off a fast path, kept out of line so the fast path needs no stack frame.
 * MP_LIKELY(cond): the branch a fast path takes, laid out as the fall-through. */
#if defined(__GNUC__) || defined(__clang__)
#define MP_COLD __attribute__((noinline, cold))
#define MP_LIKELY(cond) __builtin_expect(!!(cond), 1)
#else
#define MP_COLD
#define MP_LIKELY(cond) (cond)
#endif

/* MP_HIDDEN: a function the library's sources share, left out of the shared library's exports. */
#if defined(__GNUC__) || defined(__clang__)
#define MP_HIDDEN __attribute__((visibility("hidden")))
#else
#define MP_HIDDEN
#endif

/* A live epoch of a slot that free_many has claimed while it checks the batch; never a real epoch.
 * Epochs run from 1 to MP_PENDING - 1: the one after that is 1 again (see mp_next_epoch). */
#define MP_PENDING 0xFFFFFFFFu
/* The index mp_live_index and friends answer for "no slot". */
#define MP_NO_INDEX UINT32_MAX

/*
 * The pool's state, laid out for the alloc+free pair. What alloc and free read comes first. alloc
 * stores only `pops` and free only `pushes` (the free stack's top is pushes - pops; the other
 * counters are derived in mp_fixed_pool_stats), and no two fields one call stores share a 16-byte
 * chunk (calloc aligns the struct to 16): fewer dependent read-modify-writes per pair.
 */
struct MP_FixedPool {
    unsigned char *first_slot; /* base + data_offset (the base, the aligned buffer, is derived: one
                                * subtraction less for free(ptr) and alloc, see mp_pool_base) */
    uint32_t *live_epoch; /* [capacity]: == epoch exactly when the slot is allocated */
    uint32_t *free_stack; /* [capacity]: freed slot indices, last freed on top */
    size_t pops;          /* written by alloc: taken off the free stack (reset sets it to pushes) */
    size_t slot_size;     /* odd_part << slot_shift */
    size_t pushes;        /* written by free: frees over the pool's life (free_count) */
    size_t slot_inverse;  /* odd_part * slot_inverse == 1 modulo 2^(bits of size_t): see mp_slot_index */
    uint32_t capacity;
    uint32_t epoch;       /* from 1; reset moves it on */
    uint32_t untouched;   /* first slot never handed out since creation or reset */
    uint32_t peak_before; /* peak_allocated before the last reset (the peak is max(this, untouched)) */
    size_t object_size;
    size_t released_by_reset; /* allocations reset gave back: alloc_count is derived from it */
    size_t failed_allocs;
    void *raw;            /* what calloc returned for the buffer; NULL when the caller owns it */
    uint32_t data_offset; /* <= MP_MAX_ALIGN */
    uint16_t align;       /* <= MP_MAX_ALIGN */
    uint8_t slot_shift;   /* trailing zero bits of slot_size */
};

/* Words between the end of live_epoch and free_stack. Without them, when the arrays are a multiple
 * of 4096 bytes long, free's two stores (live_epoch[i], free_stack[top]) are 4096 bytes apart
 * whenever i == top, which the CPU takes for a conflict (4K aliasing). */
#define MP_FREE_STACK_GAP 4u
_Static_assert(MP_BOOKKEEPING_BYTES_PER_SLOT == 2 * sizeof(uint32_t), "a live epoch and a free-stack entry per slot");

/* What an unshared pool allocates besides its buffer: the struct, then live_epoch, the gap and
 * free_stack in one block. The caller has checked capacity (mp_pool_geometry). */
static inline size_t mp_pool_bookkeeping(size_t capacity) {
    return sizeof(MP_FixedPool) + capacity * MP_BOOKKEEPING_BYTES_PER_SLOT + MP_FREE_STACK_GAP * sizeof(uint32_t);
}

/* Zeroed bookkeeping, big blocks mapped from the OS (pages.c says why); free with the same size. */
MP_HIDDEN void *mp_zeroed_new(size_t bytes);
MP_HIDDEN void mp_zeroed_free(void *block, size_t bytes);

/* What the free stack holds. */
static inline size_t mp_free_top(const MP_FixedPool *pool) { return pool->pushes - pool->pops; }

/* Allocated slots: every slot below `untouched` is either allocated or on the free stack. */
static inline uint32_t mp_allocated_slots(const MP_FixedPool *pool) {
    return pool->untouched - (uint32_t)mp_free_top(pool);
}

struct MP_Arena {
    unsigned char *base; /* aligned buffer: header, then the data region */
    size_t end;          /* offset of the first free byte, from data_offset to limit */
    size_t limit;        /* data_offset + buffer_size */
    size_t data_offset;
    size_t allocations;
    size_t peak_before;  /* the peak offset before end last moved back (reset, rewind): the peak
                          * is max(this, end - data_offset), since only alloc moves end forward.
                          * So alloc stores two fields, not three (see mp_arena_peak). */
    size_t failed_allocs;
    void *raw;           /* what calloc returned; NULL when the caller owns the buffer */
    uint32_t generation; /* resets so far, modulo MP_MARK_GENERATIONS */
};

/* Stores `value` in *status when status is not NULL; returns it. */
static inline int mp_status(int *status, int value) {
    if (status != NULL) *status = value;
    return value;
}

/* What every stats function does first: MP_OK, or MP_ERR_NULL_POINTER (with `out`, if there is
 * one, zeroed) when out or the allocator is NULL. */
static inline int mp_stats_begin(void *out, size_t out_bytes, const void *allocator) {
    if (out == NULL) return MP_ERR_NULL_POINTER;
    if (allocator != NULL) return MP_OK;
    memset(out, 0, out_bytes);
    return MP_ERR_NULL_POINTER;
}

/* A power of two from 1 to MP_MAX_ALIGN; 0 becomes MP_DEFAULT_ALIGN. Returns 0 when invalid. */
static inline size_t mp_normalize_align(size_t align) {
    if (align == 0) return MP_DEFAULT_ALIGN;
    if (align > MP_MAX_ALIGN || (align & (align - 1)) != 0) return 0;
    return align;
}

/* max(MP_HEADER_BYTES, align): where user data starts, and how aligned the library's buffers are. */
static inline size_t mp_data_offset_for(size_t align) {
    return align > MP_HEADER_BYTES ? align : MP_HEADER_BYTES;
}

/* The epoch after `epoch`: 1 again after MP_PENDING - 1, that is once every 2^32 - 2 resets. */
static inline uint32_t mp_next_epoch(uint32_t epoch) {
    return epoch + 1 == MP_PENDING ? 1 : epoch + 1;
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

/* The pool's buffer: its header, then the slots. */
static inline unsigned char *mp_pool_base(const MP_FixedPool *pool) { return pool->first_slot - pool->data_offset; }

/* A pointer as an offset from the pool's base. One below the base wraps around to an offset far
 * past MP_MAX_MEMORY_BYTES (the address space ends first), never a slot: no comparison needed. */
static inline size_t mp_offset_of(const MP_FixedPool *pool, const void *ptr) {
    return (size_t)((uintptr_t)ptr - (uintptr_t)pool->first_slot) + pool->data_offset;
}

/* What a free_many batch holds: pointers, uint32_t offsets or double offsets (from JavaScript). */
enum mp_batch_kind { MP_BATCH_PTR, MP_BATCH_U32, MP_BATCH_F64 };

/* Entry k of a batch as an offset; SIZE_MAX (never a slot) for what cannot be one. */
static inline size_t mp_batch_offset(const MP_FixedPool *pool, const void *items, enum mp_batch_kind kind, size_t k) {
    switch (kind) {
    case MP_BATCH_PTR: {
        const void *ptr = ((void *const *)items)[k];
        return ptr == NULL ? SIZE_MAX : mp_offset_of(pool, ptr);
    }
    case MP_BATCH_U32:
        return ((const uint32_t *)items)[k];
    default: {
        double d = ((const double *)items)[k];
        if (!(d >= 0.0 && d <= 9007199254740991.0)) return SIZE_MAX; /* NaN too */
        uint64_t u = (uint64_t)d;
        if ((double)u != d || u >= (uint64_t)SIZE_MAX) return SIZE_MAX;
        return (size_t)u;
    }
    }
}

/*
 * The slot index `rel` bytes after the first slot's start (in range and on a slot start), or
 * MP_NO_INDEX. An exact division
 * without a divide (which costs 20 to 40 cycles when slot_size is not a power of two): with
 * slot_size = odd << k and inverse * odd == 1 modulo 2^W (W the bits of size_t), rotating
 * (offset - data_offset) * inverse right by k gives the quotient when the division is exact, and a
 * number above (2^W - 1) / slot_size otherwise (Granlund and Montgomery, "Division by invariant
 * integers using multiplication", section 9), which is at least capacity since
 * capacity * slot_size <= MP_MAX_MEMORY_BYTES. An address below the first slot wraps around to a
 * huge `rel`, never a multiple below capacity * slot_size. So one comparison checks it all.
 */
static inline uint32_t mp_slot_quotient(size_t rel, size_t slot_size, size_t slot_inverse, unsigned slot_shift,
                                        uint32_t capacity) {
    size_t quotient;
    if (slot_inverse == 1) {
        /* A power of two: a mask and a shift, shorter than the multiply and rotate (the index
         * freed here is the next alloc's, so its latency is on the path of an alloc+free loop). */
        if ((rel & (slot_size - 1)) != 0) return MP_NO_INDEX;
        quotient = rel >> slot_shift;
    } else {
        size_t product = rel * slot_inverse;
        unsigned k = slot_shift;
        quotient = (product >> k) | (product << ((sizeof(size_t) * 8 - k) & (sizeof(size_t) * 8 - 1)));
    }
    return quotient < capacity ? (uint32_t)quotient : MP_NO_INDEX;
}

static inline uint32_t mp_slot_at(const MP_FixedPool *pool, size_t rel) {
    return mp_slot_quotient(rel, pool->slot_size, pool->slot_inverse, pool->slot_shift, pool->capacity);
}

/* slot_size = odd << *shift, and the inverse of odd modulo 2^W for mp_slot_quotient: Newton's
 * iteration x *= 2 - odd * x doubles the correct low bits, from 3 (odd * odd == 1 mod 8). */
static inline size_t mp_slot_inverse(size_t slot_size, uint8_t *shift) {
    uint8_t k = 0;
    while (((slot_size >> k) & 1) == 0) k++;
    size_t odd = slot_size >> k;
    size_t inverse = odd;
    for (int bits = 3; bits < (int)(sizeof(size_t) * 8); bits *= 2) inverse *= 2 - odd * inverse;
    MP_ASSERT(odd * inverse == 1);
    *shift = k;
    return inverse;
}

/* A pool's geometry from its arguments: data_offset + capacity * slot_size (the buffer's bytes),
 * or 0 when they are invalid or too large. *align is normalised. */
static inline size_t mp_pool_geometry(size_t object_size, size_t capacity, size_t *align, size_t *slot_size,
                                      size_t *data_offset) {
    *align = mp_normalize_align(*align);
    if (*align == 0 || object_size == 0 || capacity == 0 || capacity > MP_MAX_CAPACITY) return 0;
    if (object_size > SIZE_MAX - (*align - 1)) return 0;
    *slot_size = (object_size + (*align - 1)) & ~(*align - 1);
    *data_offset = mp_data_offset_for(*align);
    if (*slot_size > (MP_MAX_MEMORY_BYTES - *data_offset) / capacity) return 0;
    /* mp_pool_bookkeeping(capacity) must not overflow either. */
    if (capacity > (SIZE_MAX - sizeof(MP_FixedPool)) / MP_BOOKKEEPING_BYTES_PER_SLOT - MP_FREE_STACK_GAP) return 0;
    return *data_offset + capacity * *slot_size;
}

/* An arena's: data_offset + buffer_size, or 0 when the arguments are invalid or too large. */
static inline size_t mp_arena_geometry(size_t buffer_size, size_t *align, size_t *data_offset) {
    *align = mp_normalize_align(*align);
    if (*align == 0 || buffer_size == 0) return 0;
    *data_offset = mp_data_offset_for(*align);
    if (buffer_size > MP_MAX_MEMORY_BYTES - *data_offset) return 0;
    return *data_offset + buffer_size;
}

/* The slot index at `offset` from the base, or MP_NO_INDEX. */
static inline uint32_t mp_slot_index(const MP_FixedPool *pool, size_t offset) {
    return mp_slot_at(pool, offset - pool->data_offset);
}

/* Why a free of `offset` was refused, once mp_live_index (or its atomic twin) said "not live":
 * not a slot of this pool, or a slot that is free. */
static inline int mp_refusal(const MP_FixedPool *pool, size_t offset) {
    return mp_slot_index(pool, offset) == MP_NO_INDEX ? MP_ERR_INVALID_HANDLE : MP_ERR_DOUBLE_FREE;
}

/* Marks: (generation mod MP_MARK_GENERATIONS) << MP_MARK_OFFSET_BITS | offset from data_offset. */
static inline uint64_t mp_mark_of(uint32_t generation, size_t offset) {
    return ((uint64_t)generation << MP_MARK_OFFSET_BITS) | (uint64_t)offset;
}
static inline uint64_t mp_mark_generation(uint64_t mark) { return mark >> MP_MARK_OFFSET_BITS; }
static inline uint64_t mp_mark_offset(uint64_t mark) {
    return mark & (((uint64_t)1 << MP_MARK_OFFSET_BITS) - 1);
}

#endif
