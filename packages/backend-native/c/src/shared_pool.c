/*
 * The thread-safe fixed pool: the same algorithm as fixed_pool.c (a free stack of slot indices
 * over a bump index of untouched slots, one live epoch per slot), on C11 atomics and lock-free.
 *
 * - The free stack is a Treiber stack linked through `next_free` (one word per slot, as the
 *   unshared pool's free_stack is). Its head packs the top slot (index + 1, 0 for empty) with a
 *   version tag that every push and pop moves on, in one 64-bit atomic: a pop that read a head, was
 *   delayed while the slot was popped and pushed again, fails its compare-and-swap instead of
 *   installing a stale link (the ABA problem). The tag has 32 bits, so a thread would have to be
 *   delayed for exactly a multiple of 2^32 stack operations for it to match again.
 * - A free is a compare-and-swap of the slot's live epoch from `epoch` to 0: of any number of
 *   threads freeing one handle, exactly one wins; the others get MP_ERR_DOUBLE_FREE.
 * - Two counters, one atomic add per call: alloc_count rises before a slot's epoch is stamped,
 *   free_count before the slot is pushed back; allocated is their difference (less what reset
 *   gave back), exact whenever no call is in flight, and clamped to [0, capacity] in between.
 * - Push releases and pop acquires the head, so what a thread wrote into a slot before freeing it
 *   happens before whatever the next owner does with it.
 * Used from one thread, the pool hands out exactly the unshared pool's offsets: a fresh or reset
 * pool ascends from `untouched`, freed slots come back last-freed-first.
 * reset is for quiescent moments only (no other call in flight): the caller's responsibility.
 */
#include <stdatomic.h>

#include "mp_internal.h"

struct mp_shared_pool {
    _Atomic uint64_t head;           /* version tag << 32 | (top slot index + 1), 0 when empty */
    _Atomic uint32_t untouched;      /* first slot never handed out since creation or reset */
    _Atomic uint32_t epoch;          /* changed by reset only */
    _Atomic size_t alloc_count;      /* allocated = alloc_count - free_count - released_by_reset */
    _Atomic size_t free_count;
    _Atomic uint32_t peak_allocated;
    _Atomic size_t failed_allocs;
    size_t released_by_reset;        /* changed by reset only */
    _Atomic uint32_t *live_epoch;    /* [capacity]: == epoch exactly when the slot is allocated */
    _Atomic uint32_t *next_free;     /* [capacity]: the slot below on the free stack, index + 1 (0: none) */
};

#define RELAXED memory_order_relaxed
#define TAG_STEP ((uint64_t)1 << 32)

struct mp_shared_pool *mp_shared_pool_new(MP_FixedPool *pool) {
    size_t capacity = pool->capacity;
    /* calloc's zero bytes are the value 0 of every lock-free atomic integer on the targets we
     * build for (gcc and clang lay them out as the plain integer): the per-slot words stay lazily
     * zeroed pages instead of a loop of atomic_init over the capacity. */
    struct mp_shared_pool *shared = calloc(1, sizeof *shared + 2 * capacity * sizeof(_Atomic uint32_t));
    if (shared == NULL) return NULL;
    shared->live_epoch = (_Atomic uint32_t *)(void *)(shared + 1);
    shared->next_free = shared->live_epoch + capacity;
    atomic_init(&shared->epoch, 1);
    return shared;
}

/* alloc_count - free_count - released_by_reset: exact when no call is in flight; in between, two
 * counters read at slightly different moments, kept within [0, capacity]. */
static inline uint32_t mp_allocated(const MP_FixedPool *pool, size_t alloc_count, size_t free_count) {
    size_t settled = free_count + pool->shared->released_by_reset;
    if (alloc_count <= settled) return 0;
    size_t allocated = alloc_count - settled;
    return allocated < pool->capacity ? (uint32_t)allocated : pool->capacity;
}

/* Pops the free stack: a slot index, or MP_NO_INDEX when it is empty. */
static inline uint32_t mp_pop(struct mp_shared_pool *shared, uint32_t capacity) {
    uint64_t head = atomic_load_explicit(&shared->head, memory_order_acquire);
    for (;;) {
        uint32_t top = (uint32_t)head;
        if (top == 0) return MP_NO_INDEX;
        MP_ASSERT(top <= capacity);
        /* May read a link that another thread is rewriting: then the head has moved on (its tag at
         * least) and the compare-and-swap below fails and retries. */
        uint32_t below = atomic_load_explicit(&shared->next_free[top - 1], RELAXED);
        uint64_t next = ((head & ~(uint64_t)0xFFFFFFFFu) + TAG_STEP) | below;
        if (atomic_compare_exchange_weak_explicit(&shared->head, &head, next, memory_order_acquire,
                                                  memory_order_acquire)) {
            return top - 1;
        }
    }
}

/* Pushes slot `index` on the free stack. */
static inline void mp_push(struct mp_shared_pool *shared, uint32_t index) {
    uint64_t head = atomic_load_explicit(&shared->head, RELAXED);
    uint64_t next;
    do {
        atomic_store_explicit(&shared->next_free[index], (uint32_t)head, RELAXED);
        next = ((head & ~(uint64_t)0xFFFFFFFFu) + TAG_STEP) | ((uint64_t)index + 1);
    } while (!atomic_compare_exchange_weak_explicit(&shared->head, &head, next, memory_order_release, RELAXED));
}

/* Takes the next untouched slot, or MP_NO_INDEX when every slot has been handed out. */
static inline uint32_t mp_take_untouched(struct mp_shared_pool *shared, uint32_t capacity) {
    uint32_t untouched = atomic_load_explicit(&shared->untouched, RELAXED);
    while (untouched < capacity) {
        if (atomic_compare_exchange_weak_explicit(&shared->untouched, &untouched, untouched + 1, RELAXED, RELAXED)) {
            return untouched;
        }
    }
    MP_ASSERT(untouched == capacity);
    return MP_NO_INDEX;
}

size_t mp_shared_pool_alloc(MP_FixedPool *pool, size_t max_offset) {
    struct mp_shared_pool *shared = pool->shared;
    uint32_t index = mp_pop(shared, pool->capacity);
    if (index == MP_NO_INDEX) index = mp_take_untouched(shared, pool->capacity);
    if (index == MP_NO_INDEX) {
        atomic_fetch_add_explicit(&shared->failed_allocs, 1, RELAXED);
        return 0;
    }
    size_t offset = pool->data_offset + (size_t)index * pool->slot_size;
    if (offset > max_offset) {
        /* A batch of uint32_t offsets cannot store it: give the slot back, nothing counted. An
         * untouched slot goes on the free stack, where it is still the next one handed out. */
        mp_push(shared, index);
        return 0;
    }
    size_t alloc_count = atomic_fetch_add_explicit(&shared->alloc_count, 1, RELAXED) + 1;
    uint32_t allocated = mp_allocated(pool, alloc_count, atomic_load_explicit(&shared->free_count, RELAXED));
    uint32_t peak = atomic_load_explicit(&shared->peak_allocated, RELAXED);
    while (allocated > peak &&
           !atomic_compare_exchange_weak_explicit(&shared->peak_allocated, &peak, allocated, RELAXED, RELAXED)) {
    }
    uint32_t epoch = atomic_load_explicit(&shared->epoch, RELAXED);
    MP_ASSERT(atomic_load_explicit(&shared->live_epoch[index], RELAXED) != epoch);
    atomic_store_explicit(&shared->live_epoch[index], epoch, RELAXED);
    return offset;
}

/* Frees the claimed or live slot `index` whose live epoch the caller just swapped to 0. */
static inline void mp_shared_release(struct mp_shared_pool *shared, uint32_t index) {
    atomic_fetch_add_explicit(&shared->free_count, 1, RELAXED);
    mp_push(shared, index);
}

int mp_shared_pool_free(MP_FixedPool *pool, size_t offset) {
    struct mp_shared_pool *shared = pool->shared;
    uint32_t index = mp_slot_index(pool, offset);
    if (index == MP_NO_INDEX) return MP_ERR_INVALID_HANDLE;
    uint32_t live = atomic_load_explicit(&shared->epoch, RELAXED);
    if (!atomic_compare_exchange_strong_explicit(&shared->live_epoch[index], &live, 0, RELAXED, RELAXED)) {
        return MP_ERR_DOUBLE_FREE;
    }
    mp_shared_release(shared, index);
    return MP_OK;
}

/*
 * The batch: pass 1 claims each entry's slot by swapping its live epoch to MP_PENDING (so a
 * duplicate, or another thread's free of the same slot meanwhile, reads as a double free), and on
 * the first refusal swaps the claimed ones back; pass 2 frees them in order.
 */
int mp_shared_pool_free_batch(MP_FixedPool *pool, const void *items, enum mp_batch_kind kind, size_t count,
                              size_t *bad_index) {
    struct mp_shared_pool *shared = pool->shared;
    uint32_t epoch = atomic_load_explicit(&shared->epoch, RELAXED);
    for (size_t k = 0; k < count; k++) {
        size_t offset = mp_batch_offset(pool, items, kind, k);
        uint32_t index = mp_slot_index(pool, offset);
        uint32_t live = epoch;
        if (index != MP_NO_INDEX &&
            atomic_compare_exchange_strong_explicit(&shared->live_epoch[index], &live, MP_PENDING, RELAXED, RELAXED)) {
            continue;
        }
        for (size_t j = 0; j < k; j++) {
            uint32_t claimed = mp_slot_index(pool, mp_batch_offset(pool, items, kind, j));
            uint32_t pending = MP_PENDING;
            if (claimed != MP_NO_INDEX) {
                atomic_compare_exchange_strong_explicit(&shared->live_epoch[claimed], &pending, epoch, RELAXED, RELAXED);
            }
        }
        if (bad_index != NULL) *bad_index = k;
        return mp_refusal(pool, offset);
    }
    for (size_t k = 0; k < count; k++) {
        uint32_t index = mp_slot_index(pool, mp_batch_offset(pool, items, kind, k));
        uint32_t pending = MP_PENDING;
        if (index != MP_NO_INDEX &&
            atomic_compare_exchange_strong_explicit(&shared->live_epoch[index], &pending, 0, RELAXED, RELAXED)) {
            mp_shared_release(shared, index);
        }
    }
    return MP_OK;
}

void mp_shared_pool_reset(MP_FixedPool *pool) {
    struct mp_shared_pool *shared = pool->shared;
    size_t alloc_count = atomic_load_explicit(&shared->alloc_count, RELAXED);
    shared->released_by_reset = alloc_count - atomic_load_explicit(&shared->free_count, RELAXED);
    uint64_t head = atomic_load_explicit(&shared->head, RELAXED);
    atomic_store_explicit(&shared->head, (head & ~(uint64_t)0xFFFFFFFFu) + TAG_STEP, memory_order_release);
    atomic_store_explicit(&shared->untouched, 0, RELAXED);
    uint32_t epoch = mp_next_epoch(atomic_load_explicit(&shared->epoch, RELAXED));
    if (epoch == 1) {
        /* Once every 2^32 - 2 resets: stamps from an old round could match the new epoch. */
        for (uint32_t i = 0; i < pool->capacity; i++) atomic_store_explicit(&shared->live_epoch[i], 0, RELAXED);
    }
    atomic_store_explicit(&shared->epoch, epoch, memory_order_release);
}

void mp_shared_pool_stats(const MP_FixedPool *pool, MP_FixedPoolStats *out) {
    struct mp_shared_pool *shared = pool->shared;
    /* free_count first: every free it counts had its allocation counted before it. */
    size_t free_count = atomic_load_explicit(&shared->free_count, RELAXED);
    size_t alloc_count = atomic_load_explicit(&shared->alloc_count, RELAXED);
    size_t allocated = mp_allocated(pool, alloc_count, free_count);
    out->allocated = allocated;
    out->available = (size_t)pool->capacity - allocated;
    out->peak_allocated = atomic_load_explicit(&shared->peak_allocated, RELAXED);
    out->alloc_count = alloc_count;
    out->free_count = free_count;
    out->failed_allocs = atomic_load_explicit(&shared->failed_allocs, RELAXED);
}
