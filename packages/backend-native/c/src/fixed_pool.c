/*
 * Fixed pool (docs/ALGORITHMS.md, "Fixed pool"): a free stack of slot indices, a bump index over
 * never-used slots, and one live epoch per slot, all outside the user's buffer. The pool never
 * reads or writes the buffer itself: only its address is kept, to turn pointers into offsets.
 * Names follow the TypeScript reference (packages/backend-js/src/fixed-pool.ts): liveIndex,
 * release, refusal, freeStack, untouched, liveEpoch. The thread-safe pool is a type of its own
 * (MP_SharedPool, shared_pool.c), so nothing here tests for it.
 */
#include <string.h>

#include "mp_internal.h"

MP_FixedPool *mp_fixed_pool_create(size_t object_size, size_t capacity) {
    return mp_fixed_pool_create_aligned(object_size, capacity, MP_DEFAULT_ALIGN);
}

size_t mp_fixed_pool_required_bytes(size_t object_size, size_t capacity, size_t align) {
    size_t slot_size, data_offset;
    return mp_pool_geometry(object_size, capacity, &align, &slot_size, &data_offset);
}

size_t mp_fixed_pool_bookkeeping_bytes(size_t capacity) {
    if (capacity == 0 || capacity > MP_MAX_CAPACITY) return 0;
    if (capacity > (SIZE_MAX - sizeof(MP_FixedPool)) / MP_BOOKKEEPING_BYTES_PER_SLOT - MP_FREE_STACK_GAP) return 0;
    return mp_pool_bookkeeping(capacity);
}

/* The pool's bookkeeping over `base` (which `raw`, if not NULL, owns). */
static MP_FixedPool *mp_pool_new(unsigned char *base, void *raw, size_t object_size, size_t capacity, size_t align,
                                 size_t slot_size, size_t data_offset) {
    MP_FixedPool *pool = mp_zeroed_new(mp_pool_bookkeeping(capacity));
    if (pool == NULL) return NULL;
    pool->first_slot = base + data_offset;
    pool->raw = raw;
    pool->live_epoch = (uint32_t *)(void *)(pool + 1);
    pool->free_stack = pool->live_epoch + capacity + MP_FREE_STACK_GAP;
    pool->object_size = object_size;
    pool->slot_size = slot_size;
    pool->data_offset = (uint32_t)data_offset;
    pool->capacity = (uint32_t)capacity;
    pool->epoch = 1;
    pool->align = (uint16_t)align;
    pool->slot_inverse = mp_slot_inverse(slot_size, &pool->slot_shift);
    return pool;
}

/* A pool in its own buffer, or over the caller's `buffer` when it is not NULL. */
static MP_FixedPool *mp_pool_create(void *buffer, size_t buffer_bytes, size_t object_size, size_t capacity,
                                    size_t align, int *status) {
    size_t slot_size, data_offset;
    size_t byte_length = mp_pool_geometry(object_size, capacity, &align, &slot_size, &data_offset);
    if (byte_length == 0 || (buffer != NULL && buffer_bytes < byte_length)) {
        return mp_status(status, MP_ERR_INVALID_ARGUMENT), NULL;
    }
    void *raw = NULL;
    unsigned char *base = buffer != NULL ? buffer : mp_buffer_new(byte_length, data_offset, &raw);
    MP_FixedPool *pool = base == NULL ? NULL : mp_pool_new(base, raw, object_size, capacity, align, slot_size, data_offset);
    if (pool == NULL) {
        free(raw);
        return mp_status(status, MP_ERR_OUT_OF_MEMORY), NULL;
    }
    mp_status(status, MP_OK);
    return pool;
}

MP_FixedPool *mp_fixed_pool_create_aligned(size_t object_size, size_t capacity, size_t align) {
    return mp_pool_create(NULL, 0, object_size, capacity, align, NULL);
}

MP_FixedPool *mp_fixed_pool_create_in(void *buffer, size_t buffer_bytes, size_t object_size, size_t capacity, size_t align,
                                      int *status) {
    if (buffer == NULL) return mp_status(status, MP_ERR_NULL_POINTER), NULL;
    return mp_pool_create(buffer, buffer_bytes, object_size, capacity, align, status);
}

void mp_fixed_pool_destroy(MP_FixedPool *pool) {
    if (pool == NULL) return;
    free(pool->raw);
    mp_zeroed_free(pool, mp_pool_bookkeeping(pool->capacity));
}

/* The invariants of an unshared pool between calls: every slot handed out since the last reset is
 * either allocated or on the free stack. */
#define MP_POOL_CONSISTENT(pool)                                                         \
    do {                                                                                 \
        MP_ASSERT((pool)->untouched <= (pool)->capacity);                                \
        MP_ASSERT((pool)->pops <= (pool)->pushes);                                       \
        MP_ASSERT(mp_free_top(pool) <= (pool)->untouched);                               \
        MP_ASSERT((pool)->epoch >= 1 && (pool)->epoch < MP_PENDING);                     \
    } while (0)

/* alloc when every slot is taken: counted as a failure. Out of line, so that alloc's fast path
 * needs no stack frame. */
MP_COLD static uintptr_t mp_alloc_failed(MP_FixedPool *pool) {
    pool->failed_allocs++;
    MP_POOL_CONSISTENT(pool);
    return 0;
}

/*
 * alloc: origin + index * slot_size, or 0 when all are taken. origin is where slot 0 is: its offset
 * (data_offset) for the offset entry points, its address for the pointer ones, so that neither
 * tests the result again.
 * static inline so each entry point compiles to one function: with -fPIC, gcc will not inline one
 * exported function into another.
 */
static inline uintptr_t mp_alloc_at(MP_FixedPool *pool, uintptr_t origin) {
    uint32_t index;
    size_t free_top = mp_free_top(pool);
    if (MP_LIKELY(free_top > 0)) { /* the steady state: a freed slot again */
        index = pool->free_stack[free_top - 1];
        pool->pops++;
    } else if (pool->untouched < pool->capacity) {
        /* The stack is empty, so every slot handed out is allocated: untouched only grows when
         * allocated reaches it, which makes max(peak_before, untouched) the peak. */
        index = pool->untouched++;
    } else {
        return mp_alloc_failed(pool);
    }
    MP_ASSERT(index < pool->untouched && pool->live_epoch[index] != pool->epoch);
    pool->live_epoch[index] = pool->epoch;
    MP_POOL_CONSISTENT(pool);
    return origin + (size_t)index * pool->slot_size;
}

size_t mp_fixed_pool_alloc_offset(MP_FixedPool *pool) {
    return pool == NULL ? 0 : (size_t)mp_alloc_at(pool, pool->data_offset);
}

void *mp_fixed_pool_alloc(MP_FixedPool *pool) {
    if (pool == NULL) return NULL;
    return (void *)mp_alloc_at(pool, (uintptr_t)pool->first_slot);
}

/* The slot index of the live allocation at `offset`, or MP_NO_INDEX (mp_refusal says why). */
static inline uint32_t mp_live_index(const MP_FixedPool *pool, size_t offset) {
    uint32_t index = mp_slot_index(pool, offset);
    return index != MP_NO_INDEX && pool->live_epoch[index] == pool->epoch ? index : MP_NO_INDEX;
}

static inline void mp_release(MP_FixedPool *pool, uint32_t index) {
    MP_ASSERT(index < pool->untouched && mp_free_top(pool) < pool->untouched);
    pool->live_epoch[index] = 0;
    pool->free_stack[mp_free_top(pool)] = index;
    pool->pushes++;
    MP_POOL_CONSISTENT(pool);
}

/* free of the slot `rel` bytes after the first slot's start, in an unshared pool. */
static inline int mp_free_at(MP_FixedPool *pool, size_t rel) {
    uint32_t index = mp_slot_at(pool, rel);
    if (index == MP_NO_INDEX) return MP_ERR_INVALID_HANDLE;
    if (pool->live_epoch[index] != pool->epoch) return MP_ERR_DOUBLE_FREE;
    mp_release(pool, index);
    return MP_OK;
}

int mp_fixed_pool_free_offset(MP_FixedPool *pool, size_t offset) {
    if (pool == NULL) return MP_ERR_NULL_POINTER;
    return mp_free_at(pool, offset - pool->data_offset);
}

int mp_fixed_pool_free(MP_FixedPool *pool, void *ptr) {
    if (pool == NULL) return MP_ERR_NULL_POINTER;
    if (ptr == NULL) return MP_OK;
    return mp_free_at(pool, (size_t)((uintptr_t)ptr - (uintptr_t)pool->first_slot));
}

int mp_fixed_pool_reset(MP_FixedPool *pool) {
    if (pool == NULL) return MP_ERR_NULL_POINTER;
    pool->released_by_reset += mp_allocated_slots(pool);
    if (pool->untouched > pool->peak_before) pool->peak_before = pool->untouched;
    pool->pops = pool->pushes; /* an empty free stack */
    pool->untouched = 0;
    pool->epoch = mp_next_epoch(pool->epoch);
    /* Once every 2^32 - 2 resets the epoch starts again at 1, and stamps from an old round could
     * match it: clear them (amortised O(1)). */
    if (pool->epoch == 1) memset(pool->live_epoch, 0, (size_t)pool->capacity * sizeof(uint32_t));
    MP_POOL_CONSISTENT(pool);
    return MP_OK;
}

int mp_fixed_pool_stats(const MP_FixedPool *pool, MP_FixedPoolStats *out) {
    int status = mp_stats_begin(out, sizeof *out, pool);
    if (status != MP_OK) return status;
    out->object_size = pool->object_size;
    out->slot_size = pool->slot_size;
    out->capacity = pool->capacity;
    uint32_t allocated = mp_allocated_slots(pool);
    out->allocated = allocated;
    out->available = (size_t)pool->capacity - allocated;
    out->peak_allocated = pool->untouched > pool->peak_before ? pool->untouched : pool->peak_before;
    out->free_count = pool->pushes;
    out->alloc_count = pool->pushes + allocated + pool->released_by_reset;
    out->failed_allocs = pool->failed_allocs;
    return MP_OK;
}

/* ---- batches ---- */

size_t mp_fixed_pool_alloc_many(MP_FixedPool *pool, void **out, size_t count) {
    if (pool == NULL || out == NULL) return 0;
    size_t placed = 0;
    while (placed < count) {
        void *ptr = (void *)mp_alloc_at(pool, (uintptr_t)pool->first_slot);
        if (ptr == NULL) break;
        out[placed++] = ptr;
    }
    return placed;
}

size_t mp_fixed_pool_alloc_many_u32(MP_FixedPool *pool, uint32_t *out, size_t count) {
    if (pool == NULL || out == NULL) return 0;
    size_t placed = 0;
    while (placed < count) {
        /* An offset past 2^32 - 1 cannot be stored: stop before handing it out (nothing counted). */
        size_t free_top = mp_free_top(pool);
        uint32_t next = free_top > 0 ? pool->free_stack[free_top - 1] : pool->untouched;
        if (next < pool->capacity && pool->data_offset + (size_t)next * pool->slot_size > 0xFFFFFFFFu) break;
        size_t offset = mp_alloc_at(pool, pool->data_offset);
        if (offset == 0) break;
        out[placed++] = (uint32_t)offset;
    }
    return placed;
}

size_t mp_fixed_pool_alloc_many_f64(MP_FixedPool *pool, double *out, size_t count) {
    if (pool == NULL || out == NULL) return 0;
    size_t placed = 0;
    while (placed < count) {
        size_t offset = mp_alloc_at(pool, pool->data_offset);
        if (offset == 0) break;
        out[placed++] = (double)offset;
    }
    return placed;
}

/*
 * The slot of an entry pass 1 claimed, or MP_NO_INDEX. Entries are read again rather than stored,
 * so this re-checks them: if the caller's array changed under us (another thread writing it), a
 * changed entry is skipped instead of indexing out of bounds. A caller that races its own batch
 * can leave a claimed slot unfreed, never corrupt memory.
 */
static inline uint32_t mp_index_of(const MP_FixedPool *pool, size_t offset) {
    uint32_t index = mp_slot_index(pool, offset);
    return index != MP_NO_INDEX && pool->live_epoch[index] == MP_PENDING ? index : MP_NO_INDEX;
}

static int mp_free_batch(MP_FixedPool *pool, const void *items, enum mp_batch_kind kind, size_t count, size_t *bad_index) {
    if (pool == NULL) return MP_ERR_NULL_POINTER;
    if (items == NULL && count > 0) return MP_ERR_NULL_POINTER;
    /* Pass 1: check every entry and claim its slot, so a duplicate reads as a double free. */
    for (size_t k = 0; k < count; k++) {
        size_t offset = mp_batch_offset(pool, items, kind, k);
        uint32_t index = mp_live_index(pool, offset);
        if (index == MP_NO_INDEX) {
            for (size_t j = 0; j < k; j++) {
                uint32_t claimed = mp_index_of(pool, mp_batch_offset(pool, items, kind, j));
                if (claimed != MP_NO_INDEX) pool->live_epoch[claimed] = pool->epoch;
            }
            if (bad_index != NULL) *bad_index = k;
            return mp_refusal(pool, offset);
        }
        pool->live_epoch[index] = MP_PENDING;
    }
    /* Pass 2: free them in order, as `count` calls of free would. */
    for (size_t k = 0; k < count; k++) {
        uint32_t index = mp_index_of(pool, mp_batch_offset(pool, items, kind, k));
        if (index != MP_NO_INDEX) mp_release(pool, index);
    }
    return MP_OK;
}

int mp_fixed_pool_free_many(MP_FixedPool *pool, void *const *ptrs, size_t count, size_t *bad_index) {
    return mp_free_batch(pool, ptrs, MP_BATCH_PTR, count, bad_index);
}

int mp_fixed_pool_free_many_u32(MP_FixedPool *pool, const uint32_t *offsets, size_t count, size_t *bad_index) {
    return mp_free_batch(pool, offsets, MP_BATCH_U32, count, bad_index);
}

int mp_fixed_pool_free_many_f64(MP_FixedPool *pool, const double *offsets, size_t count, size_t *bad_index) {
    return mp_free_batch(pool, offsets, MP_BATCH_F64, count, bad_index);
}

/* ---- geometry ---- */

void *mp_fixed_pool_base(const MP_FixedPool *pool) { return pool == NULL ? NULL : mp_pool_base(pool); }

size_t mp_fixed_pool_byte_length(const MP_FixedPool *pool) {
    return pool == NULL ? 0 : pool->data_offset + (size_t)pool->capacity * pool->slot_size;
}

size_t mp_fixed_pool_data_offset(const MP_FixedPool *pool) { return pool == NULL ? 0 : pool->data_offset; }

size_t mp_fixed_pool_slot_size(const MP_FixedPool *pool) { return pool == NULL ? 0 : pool->slot_size; }

size_t mp_fixed_pool_align(const MP_FixedPool *pool) { return pool == NULL ? 0 : pool->align; }

size_t mp_fixed_pool_struct_size(void) { return sizeof(MP_FixedPool); }
