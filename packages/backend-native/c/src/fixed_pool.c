/*
 * Fixed pool (docs/ALGORITHMS.md, "Fixed pool"): a free stack of slot indices, a bump index over
 * never-used slots, and one live epoch per slot, all outside the user's buffer. The pool never
 * reads or writes the buffer itself: only its address is kept, to turn pointers into offsets.
 */
#include <string.h>

#include "mp_internal.h"

/* Marks a slot claimed by the batch free_many is checking; never a real epoch. */
#define MP_PENDING 0xFFFFFFFFu
#define MP_NO_SHIFT 0xFFu

struct MP_FixedPool {
    unsigned char *base;  /* aligned buffer: header, then the slots */
    uint32_t *live_epoch; /* [capacity]: == epoch exactly when the slot is allocated */
    uint32_t *free_stack; /* [capacity]: freed slot indices, last freed on top */
    size_t object_size;
    size_t slot_size;
    size_t data_offset;
    size_t alloc_count;
    size_t free_count;
    size_t failed_allocs;
    void *raw;            /* what calloc returned for the buffer; NULL when the caller owns it */
    uint32_t capacity;
    uint32_t free_top;
    uint32_t untouched;   /* first slot never handed out since creation or reset */
    uint32_t allocated;
    uint32_t peak_allocated;
    uint32_t epoch;       /* from 1; reset moves it on */
    uint16_t align;       /* <= 4096 */
    uint8_t slot_shift;   /* log2(slot_size), or MP_NO_SHIFT when not a power of two */
};

MP_FixedPool *mp_fixed_pool_create(size_t object_size, size_t capacity) {
    return mp_fixed_pool_create_aligned(object_size, capacity, MP_DEFAULT_ALIGN);
}

/* Checks the arguments and computes the geometry; 0 when they are invalid or too large. */
static size_t mp_pool_geometry(size_t object_size, size_t capacity, size_t *align, size_t *slot_size, size_t *data_offset) {
    *align = mp_normalize_align(*align);
    if (*align == 0 || object_size == 0 || capacity == 0 || capacity > MP_MAX_CAPACITY) return 0;
    if (object_size > SIZE_MAX - (*align - 1)) return 0;
    *slot_size = (object_size + (*align - 1)) & ~(*align - 1);
    *data_offset = mp_data_offset_for(*align);
    if (*slot_size > (MP_MAX_MEMORY_BYTES - *data_offset) / capacity) return 0;
    /* The struct and its two per-slot arrays live in one block. */
    if (capacity > (SIZE_MAX - sizeof(MP_FixedPool)) / (2 * sizeof(uint32_t))) return 0;
    return *data_offset + capacity * *slot_size;
}

size_t mp_fixed_pool_required_bytes(size_t object_size, size_t capacity, size_t align) {
    size_t slot_size, data_offset;
    return mp_pool_geometry(object_size, capacity, &align, &slot_size, &data_offset);
}

/* The pool's bookkeeping over `base` (which `raw`, if not NULL, owns). */
static MP_FixedPool *mp_pool_new(unsigned char *base, void *raw, size_t object_size, size_t capacity, size_t align,
                                 size_t slot_size, size_t data_offset) {
    MP_FixedPool *pool = calloc(1, sizeof(MP_FixedPool) + capacity * 2 * sizeof(uint32_t));
    if (pool == NULL) return NULL;
    pool->base = base;
    pool->raw = raw;
    pool->live_epoch = (uint32_t *)(void *)(pool + 1);
    pool->free_stack = pool->live_epoch + capacity;
    pool->object_size = object_size;
    pool->slot_size = slot_size;
    pool->data_offset = data_offset;
    pool->capacity = (uint32_t)capacity;
    pool->epoch = 1;
    pool->align = (uint16_t)align;
    pool->slot_shift = MP_NO_SHIFT;
    if ((slot_size & (slot_size - 1)) == 0) {
        uint8_t shift = 0;
        while (((size_t)1 << shift) != slot_size) shift++;
        pool->slot_shift = shift;
    }
    return pool;
}

MP_FixedPool *mp_fixed_pool_create_aligned(size_t object_size, size_t capacity, size_t align) {
    size_t slot_size, data_offset;
    size_t byte_length = mp_pool_geometry(object_size, capacity, &align, &slot_size, &data_offset);
    if (byte_length == 0) return NULL;
    void *raw = NULL;
    unsigned char *base = mp_buffer_new(byte_length, align > MP_HEADER_BYTES ? align : MP_HEADER_BYTES, &raw);
    if (base == NULL) return NULL;
    MP_FixedPool *pool = mp_pool_new(base, raw, object_size, capacity, align, slot_size, data_offset);
    if (pool == NULL) free(raw);
    return pool;
}

MP_FixedPool *mp_fixed_pool_create_in(void *buffer, size_t buffer_bytes, size_t object_size, size_t capacity, size_t align) {
    size_t slot_size, data_offset;
    size_t byte_length = mp_pool_geometry(object_size, capacity, &align, &slot_size, &data_offset);
    if (buffer == NULL || byte_length == 0 || buffer_bytes < byte_length) return NULL;
    return mp_pool_new(buffer, NULL, object_size, capacity, align, slot_size, data_offset);
}

void mp_fixed_pool_destroy(MP_FixedPool *pool) {
    if (pool == NULL) return;
    free(pool->raw);
    free(pool);
}

/* The index of the slot to hand out next, or UINT32_MAX (counted as a failure) when all are taken.
 * static inline so the pointer and the offset entry points each compile to one function: with
 * -fPIC, gcc will not inline one exported function into another. */
static inline uint32_t mp_take_slot(MP_FixedPool *pool) {
    uint32_t index;
    if (pool->free_top > 0) {
        index = pool->free_stack[--pool->free_top];
    } else if (pool->untouched < pool->capacity) {
        index = pool->untouched++;
    } else {
        pool->failed_allocs++;
        return UINT32_MAX;
    }
    pool->live_epoch[index] = pool->epoch;
    if (++pool->allocated > pool->peak_allocated) pool->peak_allocated = pool->allocated;
    pool->alloc_count++;
    return index;
}

static inline size_t mp_take_offset(MP_FixedPool *pool) {
    uint32_t index = mp_take_slot(pool);
    return index == UINT32_MAX ? 0 : pool->data_offset + (size_t)index * pool->slot_size;
}

size_t mp_fixed_pool_alloc_offset(MP_FixedPool *pool) {
    return pool == NULL ? 0 : mp_take_offset(pool);
}

void *mp_fixed_pool_alloc(MP_FixedPool *pool) {
    if (pool == NULL) return NULL;
    uint32_t index = mp_take_slot(pool);
    return index == UINT32_MAX ? NULL : pool->base + pool->data_offset + (size_t)index * pool->slot_size;
}

/* The slot index of the live allocation at `offset`, or the status that refuses it. */
static inline int mp_live_index(const MP_FixedPool *pool, size_t offset, uint32_t *index) {
    if (offset < pool->data_offset) return MP_ERR_INVALID_HANDLE;
    size_t rel = offset - pool->data_offset;
    size_t i;
    if (pool->slot_shift != MP_NO_SHIFT) {
        if ((rel & (pool->slot_size - 1)) != 0) return MP_ERR_INVALID_HANDLE;
        i = rel >> pool->slot_shift;
    } else {
        i = rel / pool->slot_size;
        if (i * pool->slot_size != rel) return MP_ERR_INVALID_HANDLE;
    }
    if (i >= pool->capacity) return MP_ERR_INVALID_HANDLE;
    if (pool->live_epoch[i] != pool->epoch) return MP_ERR_DOUBLE_FREE;
    *index = (uint32_t)i;
    return MP_OK;
}

static inline void mp_release(MP_FixedPool *pool, uint32_t index) {
    pool->live_epoch[index] = 0;
    pool->free_stack[pool->free_top++] = index;
    pool->allocated--;
    pool->free_count++;
}

static inline int mp_free_at(MP_FixedPool *pool, size_t offset) {
    uint32_t index;
    int status = mp_live_index(pool, offset, &index);
    if (status != MP_OK) return status;
    mp_release(pool, index);
    return MP_OK;
}

int mp_fixed_pool_free_offset(MP_FixedPool *pool, size_t offset) {
    if (pool == NULL) return MP_ERR_NULL_POINTER;
    return mp_free_at(pool, offset);
}

/* A pointer as an offset from the base; SIZE_MAX (never a slot) when it is below the base. */
static inline size_t mp_offset_of(const MP_FixedPool *pool, const void *ptr) {
    uintptr_t p = (uintptr_t)ptr;
    uintptr_t b = (uintptr_t)pool->base;
    return p < b ? SIZE_MAX : (size_t)(p - b);
}

int mp_fixed_pool_free(MP_FixedPool *pool, void *ptr) {
    if (pool == NULL) return MP_ERR_NULL_POINTER;
    if (ptr == NULL) return MP_OK;
    return mp_free_at(pool, mp_offset_of(pool, ptr));
}

int mp_fixed_pool_reset(MP_FixedPool *pool) {
    if (pool == NULL) return MP_ERR_NULL_POINTER;
    pool->free_top = 0;
    pool->untouched = 0;
    pool->allocated = 0;
    if (++pool->epoch == MP_PENDING) {
        /* Once in 2^32 resets: old stamps could match the new epoch, so clear them (amortised O(1)). */
        memset(pool->live_epoch, 0, (size_t)pool->capacity * sizeof(uint32_t));
        pool->epoch = 1;
    }
    return MP_OK;
}

int mp_fixed_pool_stats(const MP_FixedPool *pool, MP_FixedPoolStats *out) {
    if (out == NULL) return MP_ERR_NULL_POINTER;
    if (pool == NULL) {
        memset(out, 0, sizeof *out);
        return MP_ERR_NULL_POINTER;
    }
    out->object_size = pool->object_size;
    out->slot_size = pool->slot_size;
    out->capacity = pool->capacity;
    out->allocated = pool->allocated;
    out->available = (size_t)pool->capacity - pool->allocated;
    out->peak_allocated = pool->peak_allocated;
    out->alloc_count = pool->alloc_count;
    out->free_count = pool->free_count;
    out->failed_allocs = pool->failed_allocs;
    return MP_OK;
}

/* ---- batches ---- */

size_t mp_fixed_pool_alloc_many(MP_FixedPool *pool, void **out, size_t count) {
    if (pool == NULL || out == NULL) return 0;
    size_t placed = 0;
    while (placed < count) {
        size_t offset = mp_take_offset(pool);
        if (offset == 0) break;
        out[placed++] = pool->base + offset;
    }
    return placed;
}

size_t mp_fixed_pool_alloc_many_u32(MP_FixedPool *pool, uint32_t *out, size_t count) {
    if (pool == NULL || out == NULL) return 0;
    size_t placed = 0;
    while (placed < count) {
        /* An offset past 2^32 - 1 cannot be stored: stop before handing it out (nothing counted). */
        uint32_t next = pool->free_top > 0 ? pool->free_stack[pool->free_top - 1] : pool->untouched;
        if (next < pool->capacity && pool->data_offset + (size_t)next * pool->slot_size > 0xFFFFFFFFu) break;
        size_t offset = mp_take_offset(pool);
        if (offset == 0) break;
        out[placed++] = (uint32_t)offset;
    }
    return placed;
}

size_t mp_fixed_pool_alloc_many_f64(MP_FixedPool *pool, double *out, size_t count) {
    if (pool == NULL || out == NULL) return 0;
    size_t placed = 0;
    while (placed < count) {
        size_t offset = mp_take_offset(pool);
        if (offset == 0) break;
        out[placed++] = (double)offset;
    }
    return placed;
}

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
 * The slot of an entry pass 1 claimed, or SIZE_MAX. Entries are read again rather than stored, so
 * this re-checks them: if the caller's array changed under us (another thread writing it), a
 * changed entry is skipped instead of indexing out of bounds. A caller that races its own batch
 * can leave a claimed slot unfreed, never corrupt memory.
 */
static inline size_t mp_claimed_index(const MP_FixedPool *pool, size_t offset) {
    if (offset < pool->data_offset) return SIZE_MAX;
    size_t i = (offset - pool->data_offset) / pool->slot_size;
    return i < pool->capacity && pool->live_epoch[i] == MP_PENDING ? i : SIZE_MAX;
}

static int mp_free_batch(MP_FixedPool *pool, const void *items, enum mp_batch_kind kind, size_t count, size_t *bad_index) {
    if (pool == NULL) return MP_ERR_NULL_POINTER;
    if (items == NULL && count > 0) return MP_ERR_NULL_POINTER;
    /* Pass 1: check every entry and claim its slot, so a duplicate reads as a double free. */
    for (size_t k = 0; k < count; k++) {
        uint32_t index;
        int status = mp_live_index(pool, mp_batch_offset(pool, items, kind, k), &index);
        if (status != MP_OK) {
            for (size_t j = 0; j < k; j++) {
                size_t i = mp_claimed_index(pool, mp_batch_offset(pool, items, kind, j));
                if (i != SIZE_MAX) pool->live_epoch[i] = pool->epoch;
            }
            if (bad_index != NULL) *bad_index = k;
            return status;
        }
        pool->live_epoch[index] = MP_PENDING;
    }
    /* Pass 2: free them in order, as `count` calls of free would. */
    for (size_t k = 0; k < count; k++) {
        size_t i = mp_claimed_index(pool, mp_batch_offset(pool, items, kind, k));
        if (i != SIZE_MAX) mp_release(pool, (uint32_t)i);
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

void *mp_fixed_pool_base(const MP_FixedPool *pool) { return pool == NULL ? NULL : pool->base; }

size_t mp_fixed_pool_byte_length(const MP_FixedPool *pool) {
    return pool == NULL ? 0 : pool->data_offset + (size_t)pool->capacity * pool->slot_size;
}

size_t mp_fixed_pool_data_offset(const MP_FixedPool *pool) { return pool == NULL ? 0 : pool->data_offset; }

size_t mp_fixed_pool_slot_size(const MP_FixedPool *pool) { return pool == NULL ? 0 : pool->slot_size; }

size_t mp_fixed_pool_align(const MP_FixedPool *pool) { return pool == NULL ? 0 : pool->align; }

size_t mp_fixed_pool_struct_size(void) { return sizeof(MP_FixedPool); }
