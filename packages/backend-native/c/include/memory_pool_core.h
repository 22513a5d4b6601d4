/*
 * memory_pool_core.h - fixed pools and arenas, C11, no dependency beyond libc.
 *
 * Version 0.1.0. The same algorithms as every backend of memory-pool-core (docs/ALGORITHMS.md):
 * the same calls give the same offsets, marks and stats in C, in TypeScript and in WebAssembly.
 *
 * Memory layout. Every allocator owns one buffer whose first byte is aligned to at least 64
 * bytes in absolute address (to `align` when that is larger). Its first `data_offset` bytes
 * (`max(64, align)`) are a reserved header, so no allocation ever sits at offset 0: an offset is
 * `pointer - base`, and 0 means "no allocation". User data follows the header:
 *   fixed pool: slot i at base + data_offset + i * slot_size, slot_size = roundUp(object_size, align)
 *   arena:      bump allocation in [base + data_offset, base + data_offset + buffer_size)
 *
 * Bookkeeping (the pool's free stack and its per-slot live epochs) lives OUTSIDE the user's buffer,
 * so nothing written into a slot can corrupt an allocator; double frees and foreign pointers are
 * detected in O(1) and refused with a status, never acted on.
 *
 * Sizes. sizeof the opaque structs, on x86-64 (see mp_fixed_pool_struct_size()/mp_arena_struct_size()):
 *   MP_FixedPool: 112 bytes + 8 bytes per slot (free stack + live epoch, both uint32_t) + the buffer
 *   MP_Arena:      72 bytes + the buffer
 * (the original product promised ~200 and ~32 bytes; this pool's fixed part is smaller, its
 * per-slot words are what buys O(1) double-free detection without touching user memory).
 * The buffer itself is data_offset + payload bytes, plus up to (alignment - 1) bytes of slack.
 *
 * Limits. Every buffer (header included) is at most MP_MAX_MEMORY_BYTES (2^33 bytes on 64-bit
 * targets, SIZE_MAX on 32-bit ones); a pool has at most MP_MAX_CAPACITY slots. Sizes are
 * overflow-checked: an impossible size returns NULL, it never wraps.
 *
 * NULL. Every function takes NULL safely: creators return NULL on bad arguments or when malloc
 * refuses, allocators return NULL (offset 0) when there is no room, status functions return
 * MP_ERR_NULL_POINTER, stats functions zero their output. mp_fixed_pool_free(pool, NULL) is a no-op
 * returning MP_OK, as free(NULL) is.
 *
 * Threads. Each pool or arena must be used from one thread at a time: different allocators on
 * different threads are safe; sharing one allocator between threads needs external
 * synchronization. The library has no global state.
 */
#ifndef MEMORY_POOL_CORE_H
#define MEMORY_POOL_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MP_VERSION_MAJOR 0
#define MP_VERSION_MINOR 1
#define MP_VERSION_PATCH 0
#define MP_VERSION_STRING "0.1.0"

/* Statuses: the values of `Status` in @mempool/api. */
#define MP_OK 0
#define MP_ERR_NULL_POINTER (-1)
#define MP_ERR_INVALID_ARGUMENT (-2)
#define MP_ERR_INVALID_HANDLE (-3)
#define MP_ERR_DOUBLE_FREE (-4)
#define MP_ERR_OUT_OF_MEMORY (-5)

/* Reserved bytes at the start of every buffer (or `align` bytes if larger). */
#define MP_HEADER_BYTES 64
/* Alignment used when 0 is passed for `align`, and by mp_fixed_pool_create/mp_arena_create. */
#define MP_DEFAULT_ALIGN 8
/* Largest `align` any function takes (a power of two from 1 to this). */
#define MP_MAX_ALIGN 4096
/* Largest capacity of a pool: slots are indexed with 32-bit integers. */
#define MP_MAX_CAPACITY ((size_t)0xFFFFFFFFu)
/* Largest buffer, header included: an arena offset must fit a mark's 33 bits. */
#if SIZE_MAX > 0xFFFFFFFFu
#define MP_MAX_MEMORY_BYTES ((size_t)1 << 33)
#else
#define MP_MAX_MEMORY_BYTES SIZE_MAX
#endif
/* Marks: (generation mod 2^20) * 2^33 + offset. */
#define MP_MARK_OFFSET_BITS 33
#define MP_MARK_GENERATIONS ((uint32_t)1 << 20)

typedef struct MP_FixedPool MP_FixedPool;
typedef struct MP_Arena MP_Arena;

typedef struct MP_FixedPoolStats {
    size_t object_size;
    size_t slot_size;
    size_t capacity;
    size_t allocated;      /* allocated + available == capacity */
    size_t available;
    size_t peak_allocated; /* lifetime counters from here on: reset does not clear them */
    size_t alloc_count;    /* successful allocations */
    size_t free_count;
    size_t failed_allocs;  /* allocations that returned NULL for lack of room */
} MP_FixedPoolStats;

typedef struct MP_ArenaStats {
    size_t buffer_size;
    size_t offset;        /* bytes used from the start of the data region, padding included */
    size_t remaining;     /* buffer_size - offset */
    size_t allocations;   /* lifetime counters from here on: neither reset nor rewind clears them */
    size_t peak_offset;
    size_t failed_allocs;
} MP_ArenaStats;

/* "0.1.0" */
const char *mp_version(void);

/* ---- Fixed pool: same-sized slots, O(1) alloc and free, O(1) reset. ---- */

/* `capacity` slots of `object_size` bytes, 8-byte aligned. NULL on 0 sizes, overflow or no memory. */
MP_FixedPool *mp_fixed_pool_create(size_t object_size, size_t capacity);
/* The same with slots aligned to `align` (a power of two up to 4096; 0 means 8). */
MP_FixedPool *mp_fixed_pool_create_aligned(size_t object_size, size_t capacity, size_t align);
/* The same in caller-provided memory: `buffer` of `buffer_bytes` >= mp_fixed_pool_required_bytes()
 * bytes, which the caller keeps alive while it uses the pointers and frees after destroy (the pool
 * itself never reads or writes the buffer; only its bookkeeping is allocated). Offsets are
 * relative to `buffer`, whose absolute alignment is the caller's business. */
MP_FixedPool *mp_fixed_pool_create_in(void *buffer, size_t buffer_bytes, size_t object_size, size_t capacity, size_t align);
/* data_offset + capacity * slot_size, or 0 when the arguments are invalid or too large. */
size_t mp_fixed_pool_required_bytes(size_t object_size, size_t capacity, size_t align);
/* A free slot, or NULL when all are taken (counted in failed_allocs). Fresh or reset pools hand
 * slots out in ascending order; freed slots are reused last-freed-first. */
void *mp_fixed_pool_alloc(MP_FixedPool *pool);
/* MP_OK; MP_ERR_INVALID_HANDLE for a pointer that is not a slot start of this pool;
 * MP_ERR_DOUBLE_FREE for a free slot; NULL ptr is MP_OK and does nothing. A refused call changes nothing. */
int mp_fixed_pool_free(MP_FixedPool *pool, void *ptr);
/* Every slot free again, O(1). */
int mp_fixed_pool_reset(MP_FixedPool *pool);
int mp_fixed_pool_stats(const MP_FixedPool *pool, MP_FixedPoolStats *out);
/* Frees the pool and its buffer (not a caller-provided one). NULL is a no-op. */
void mp_fixed_pool_destroy(MP_FixedPool *pool);

/* Up to `count` allocations into out[0..], stopping at the first failure (counted once).
 * Returns how many were placed. */
size_t mp_fixed_pool_alloc_many(MP_FixedPool *pool, void **out, size_t count);
/* Frees ptrs[0..count) after checking every one of them (duplicates included) first: on the first
 * bad one, returns its status, stores its index in *bad_index (if not NULL) and frees nothing.
 * NULL entries are refused (MP_ERR_INVALID_HANDLE) here: a batch names live allocations. */
int mp_fixed_pool_free_many(MP_FixedPool *pool, void *const *ptrs, size_t count, size_t *bad_index);

/* Offsets (bytes from the buffer's base) instead of pointers: what bindings pass around.
 * 0 is the null offset. */
size_t mp_fixed_pool_alloc_offset(MP_FixedPool *pool);
int mp_fixed_pool_free_offset(MP_FixedPool *pool, size_t offset);
size_t mp_fixed_pool_alloc_many_u32(MP_FixedPool *pool, uint32_t *out, size_t count);
size_t mp_fixed_pool_alloc_many_f64(MP_FixedPool *pool, double *out, size_t count);
int mp_fixed_pool_free_many_u32(MP_FixedPool *pool, const uint32_t *offsets, size_t count, size_t *bad_index);
/* For JavaScript numbers: a NaN, negative, fractional or too large entry is MP_ERR_INVALID_HANDLE. */
int mp_fixed_pool_free_many_f64(MP_FixedPool *pool, const double *offsets, size_t count, size_t *bad_index);

/* Geometry (0 / NULL for a NULL pool). */
void *mp_fixed_pool_base(const MP_FixedPool *pool);
size_t mp_fixed_pool_byte_length(const MP_FixedPool *pool); /* data_offset + capacity * slot_size */
size_t mp_fixed_pool_data_offset(const MP_FixedPool *pool);
size_t mp_fixed_pool_slot_size(const MP_FixedPool *pool);
size_t mp_fixed_pool_align(const MP_FixedPool *pool);
size_t mp_fixed_pool_struct_size(void); /* sizeof(MP_FixedPool), without the per-slot words */

/* ---- Arena: bump allocation, O(1) alloc, reset, mark and rewind. ---- */

/* `buffer_size` bytes of data region starting 8-aligned. NULL on 0, overflow or no memory. */
MP_Arena *mp_arena_create(size_t buffer_size);
/* The data region starts at data_offset = max(64, align) (align a power of two up to 4096; 0 means 8). */
MP_Arena *mp_arena_create_aligned(size_t buffer_size, size_t align);
/* The same in caller-provided memory (see mp_fixed_pool_create_in). */
MP_Arena *mp_arena_create_in(void *buffer, size_t buffer_bytes, size_t buffer_size, size_t align);
/* data_offset + buffer_size, or 0 when the arguments are invalid or too large. */
size_t mp_arena_required_bytes(size_t buffer_size, size_t align);
/* `size` bytes at the lowest multiple of `align` (relative to the base, which is at least as aligned
 * in absolute address for align <= 64 or <= the creation align) at or after the current end.
 * NULL when it would not fit (counted in failed_allocs) or for size 0 / a bad align (not counted). */
void *mp_arena_alloc(MP_Arena *arena, size_t size, size_t align);
size_t mp_arena_alloc_offset(MP_Arena *arena, size_t size, size_t align);
/* Everything allocated is gone, O(1); older marks go stale. */
int mp_arena_reset(MP_Arena *arena);
/* (generation mod 2^20) << 33 | offset: identical to every backend's mark(). 0 for NULL. */
uint64_t mp_arena_mark(const MP_Arena *arena);
/* Gives back everything allocated after `mark`. MP_ERR_INVALID_HANDLE (and no change) for a mark
 * from before a reset or past the current end. */
int mp_arena_rewind(MP_Arena *arena, uint64_t mark);
int mp_arena_stats(const MP_Arena *arena, MP_ArenaStats *out);
void mp_arena_destroy(MP_Arena *arena);

void *mp_arena_base(const MP_Arena *arena);
size_t mp_arena_byte_length(const MP_Arena *arena); /* data_offset + buffer_size */
size_t mp_arena_data_offset(const MP_Arena *arena);
size_t mp_arena_struct_size(void); /* sizeof(MP_Arena) */

#ifdef __cplusplus
}
#endif

#endif /* MEMORY_POOL_CORE_H */
