/*
 * The C suite: every row of the library's test table (at least its number of checks;
 * 84 in all), then the contract's own rows. Prints one line per row and closes with
 * "N passed, M failed"; exits nonzero on any failure or on a row with fewer checks than the table.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory_pool_core.h"

static int g_passed, g_failed, g_row_checks, g_short_rows;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        g_row_checks++;                                                                \
        if (cond) {                                                                    \
            g_passed++;                                                                \
        } else {                                                                       \
            g_failed++;                                                                \
            fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
        }                                                                              \
    } while (0)

/* An allocation whose result this check does not need (the header's MP_NODISCARD warns when a
 * result is dropped, and GCC does not accept a (void) cast for it). */
static void dropped(const void *p) { (void)p; }

static void run_row(const char *name, int expected, void (*row)(void)) {
    g_row_checks = 0;
    int failed_before = g_failed;
    row();
    int ok = g_failed == failed_before && g_row_checks >= expected;
    if (g_row_checks < expected) g_short_rows++;
    printf("%-4s %-28s %3d checks (at least %d)\n", ok ? "ok" : "FAIL", name, g_row_checks, expected);
}

#define OFF(base, p) ((size_t)((uintptr_t)(p) - (uintptr_t)(base)))

/* ---------------- the test table ---------------- */

static void fixed_pool_lifecycle(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(64, 256);
    CHECK(pool != NULL);
    MP_FixedPoolStats s;
    CHECK(mp_fixed_pool_stats(pool, &s) == MP_OK && s.capacity == 256 && s.allocated == 0);
    mp_fixed_pool_destroy(pool);
    mp_fixed_pool_destroy(NULL); /* no-op */
}

static void fixed_pool_allocation(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(64, 16);
    void *a = mp_fixed_pool_alloc(pool);
    void *b = mp_fixed_pool_alloc(pool);
    CHECK(a != NULL);
    CHECK(b != NULL);
    CHECK(a != b);
    CHECK((uintptr_t)a % 8 == 0 && (uintptr_t)b % 8 == 0);
    memset(a, 0xAA, 64);
    memset(b, 0x55, 64);
    CHECK(((unsigned char *)a)[63] == 0xAA && ((unsigned char *)b)[0] == 0x55);
    CHECK(mp_fixed_pool_free(pool, a) == MP_OK && mp_fixed_pool_free(pool, b) == MP_OK);
    mp_fixed_pool_destroy(pool);
}

static void fixed_pool_capacity(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(32, 8);
    void *slots[8];
    int all = 1;
    for (int i = 0; i < 8; i++) all &= (slots[i] = mp_fixed_pool_alloc(pool)) != NULL;
    CHECK(all);
    int distinct = 1;
    for (int i = 0; i < 8; i++)
        for (int j = i + 1; j < 8; j++) distinct &= slots[i] != slots[j];
    CHECK(distinct);
    CHECK(mp_fixed_pool_alloc(pool) == NULL);
    MP_FixedPoolStats s;
    mp_fixed_pool_stats(pool, &s);
    CHECK(s.allocated == 8 && s.available == 0);
    CHECK(s.failed_allocs == 1);
    mp_fixed_pool_destroy(pool);
}

static void fixed_pool_reset(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(16, 4);
    void *first = mp_fixed_pool_alloc(pool);
    for (int i = 0; i < 3; i++) dropped(mp_fixed_pool_alloc(pool));
    CHECK(mp_fixed_pool_alloc(pool) == NULL);
    CHECK(mp_fixed_pool_reset(pool) == MP_OK);
    MP_FixedPoolStats s;
    mp_fixed_pool_stats(pool, &s);
    CHECK(s.allocated == 0 && s.available == 4);
    CHECK(mp_fixed_pool_alloc(pool) == first); /* ascending order again */
    mp_fixed_pool_destroy(pool);
}

static void fixed_pool_reuse(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(64, 4);
    void *a = mp_fixed_pool_alloc(pool);
    void *b = mp_fixed_pool_alloc(pool);
    mp_fixed_pool_free(pool, a);
    CHECK(mp_fixed_pool_alloc(pool) == a);
    mp_fixed_pool_free(pool, a);
    mp_fixed_pool_free(pool, b);
    CHECK(mp_fixed_pool_alloc(pool) == b); /* last freed first */
    mp_fixed_pool_destroy(pool);
}

static void fixed_pool_large_objects(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(1024, 16);
    unsigned char *a = mp_fixed_pool_alloc(pool);
    unsigned char *b = mp_fixed_pool_alloc(pool);
    memset(a, 1, 1024);
    memset(b, 2, 1024);
    CHECK(b - a == 1024);
    int intact = 1;
    for (int i = 0; i < 1024; i++) intact &= a[i] == 1 && b[i] == 2;
    CHECK(intact);
    mp_fixed_pool_destroy(pool);
}

static void fixed_pool_stats(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(60, 10);
    void *p[10];
    for (int i = 0; i < 10; i++) p[i] = mp_fixed_pool_alloc(pool);
    dropped(mp_fixed_pool_alloc(pool)); /* fails */
    for (int i = 0; i < 4; i++) mp_fixed_pool_free(pool, p[i]);
    MP_FixedPoolStats s;
    CHECK(mp_fixed_pool_stats(pool, &s) == MP_OK);
    CHECK(s.object_size == 60);
    CHECK(s.slot_size == 64);
    CHECK(s.capacity == 10);
    CHECK(s.allocated == 6);
    CHECK(s.available == 4);
    CHECK(s.peak_allocated == 10);
    CHECK(s.alloc_count == 10);
    CHECK(s.free_count == 4);
    CHECK(s.failed_allocs == 1);
    mp_fixed_pool_reset(pool);
    mp_fixed_pool_stats(pool, &s);
    CHECK(s.allocated == 0 && s.peak_allocated == 10 && s.alloc_count == 10 && s.failed_allocs == 1);
    mp_fixed_pool_destroy(pool);
}

static void arena_lifecycle(void) {
    MP_Arena *arena = mp_arena_create(1024 * 1024);
    CHECK(arena != NULL);
    MP_ArenaStats s;
    CHECK(mp_arena_stats(arena, &s) == MP_OK && s.buffer_size == 1024 * 1024 && s.offset == 0);
    mp_arena_destroy(arena);
    mp_arena_destroy(NULL);
}

static void arena_allocation(void) {
    MP_Arena *arena = mp_arena_create(4096);
    char *a = mp_arena_alloc(arena, 100, 8);
    char *b = mp_arena_alloc(arena, 200, 8);
    CHECK(a != NULL);
    CHECK(b != NULL);
    CHECK(b >= a + 100);
    memset(a, 'a', 100);
    memset(b, 'b', 200);
    CHECK(a[99] == 'a' && b[0] == 'b');
    mp_arena_destroy(arena);
}

static void arena_alignment(void) {
    MP_Arena *arena = mp_arena_create(8192);
    void *base = mp_arena_base(arena);
    dropped(mp_arena_alloc(arena, 1, 1));
    size_t aligns[] = {1, 2, 4, 8, 16, 32};
    for (int i = 0; i < 6; i++) {
        void *p = mp_arena_alloc(arena, 3, aligns[i]);
        CHECK(p != NULL && (uintptr_t)p % aligns[i] == 0 && OFF(base, p) % aligns[i] == 0);
    }
    void *p = mp_arena_alloc(arena, 1, 4096);
    CHECK((uintptr_t)p % 64 == 0 && OFF(base, p) % 4096 == 0);
    CHECK(mp_arena_alloc(arena, 1, 3) == NULL);    /* not a power of two */
    CHECK(mp_arena_alloc(arena, 1, 8192) == NULL); /* above 4096 */
    mp_arena_destroy(arena);
}

static void arena_oom(void) {
    MP_Arena *arena = mp_arena_create(1024);
    CHECK(mp_arena_alloc(arena, 1000, 8) != NULL);
    MP_ArenaStats before, after;
    mp_arena_stats(arena, &before);
    CHECK(mp_arena_alloc(arena, 100, 8) == NULL);
    mp_arena_stats(arena, &after);
    CHECK(after.offset == before.offset && after.failed_allocs == 1 && after.allocations == 1);
    CHECK(mp_arena_alloc(arena, 24, 8) != NULL); /* exactly fills it */
    CHECK(mp_arena_alloc(arena, 1, 1) == NULL);
    mp_arena_destroy(arena);
}

static void arena_reset(void) {
    MP_Arena *arena = mp_arena_create(1024);
    void *a = mp_arena_alloc(arena, 512, 8);
    dropped(mp_arena_alloc(arena, 512, 8));
    CHECK(mp_arena_alloc(arena, 1, 1) == NULL);
    CHECK(mp_arena_reset(arena) == MP_OK);
    MP_ArenaStats s;
    mp_arena_stats(arena, &s);
    CHECK(s.offset == 0 && s.remaining == 1024);
    CHECK(mp_arena_alloc(arena, 512, 8) == a);
    CHECK(s.allocations == 2 && s.peak_offset == 1024 && s.failed_allocs == 1);
    mp_arena_destroy(arena);
}

static void arena_sequential(void) {
    MP_Arena *arena = mp_arena_create(1024);
    unsigned char *prev = NULL;
    for (int i = 0; i < 10; i++) {
        unsigned char *p = mp_arena_alloc(arena, 16, 8);
        CHECK(p != NULL && (prev == NULL || p == prev + 16));
        prev = p;
    }
    MP_ArenaStats s;
    mp_arena_stats(arena, &s);
    CHECK(s.offset == 160);
    CHECK(s.allocations == 10);
    mp_arena_destroy(arena);
}

static void arena_large_alignment(void) {
    MP_Arena *arena = mp_arena_create(4096);
    void *base = mp_arena_base(arena);
    dropped(mp_arena_alloc(arena, 3, 1));
    void *a = mp_arena_alloc(arena, 10, 16);
    void *b = mp_arena_alloc(arena, 10, 16);
    CHECK(a != NULL && (uintptr_t)a % 16 == 0);
    CHECK(b != NULL && (uintptr_t)b % 16 == 0);
    CHECK(OFF(base, a) == 80 && OFF(base, b) == 96);
    MP_ArenaStats s;
    mp_arena_stats(arena, &s);
    CHECK(s.offset == 42); /* 3 + 13 padding + 10 + 6 padding + 10 */
    mp_arena_destroy(arena);
}

static void arena_stats(void) {
    MP_Arena *arena = mp_arena_create(256);
    dropped(mp_arena_alloc(arena, 100, 8));
    dropped(mp_arena_alloc(arena, 50, 16));
    dropped(mp_arena_alloc(arena, 500, 8)); /* fails */
    MP_ArenaStats s;
    CHECK(mp_arena_stats(arena, &s) == MP_OK);
    CHECK(s.buffer_size == 256);
    CHECK(s.offset == 162); /* 100, pad to 112, +50 */
    CHECK(s.remaining == 94);
    CHECK(s.allocations == 2);
    CHECK(s.peak_offset == 162);
    CHECK(s.failed_allocs == 1);
    mp_arena_reset(arena);
    mp_arena_stats(arena, &s);
    CHECK(s.offset == 0 && s.peak_offset == 162 && s.allocations == 2);
    mp_arena_destroy(arena);
}

static void error_handling(void) {
    CHECK(mp_fixed_pool_alloc(NULL) == NULL && mp_arena_alloc(NULL, 8, 8) == NULL);
    CHECK(mp_fixed_pool_free(NULL, NULL) == MP_ERR_NULL_POINTER && mp_fixed_pool_reset(NULL) == MP_ERR_NULL_POINTER);
    MP_FixedPoolStats fs;
    MP_ArenaStats as;
    CHECK(mp_fixed_pool_stats(NULL, &fs) == MP_ERR_NULL_POINTER && fs.capacity == 0 && mp_arena_stats(NULL, &as) == MP_ERR_NULL_POINTER);
    CHECK(mp_arena_reset(NULL) == MP_ERR_NULL_POINTER && mp_arena_rewind(NULL, 0) == MP_ERR_NULL_POINTER && mp_arena_mark(NULL) == 0);
    CHECK(mp_fixed_pool_create(0, 10) == NULL && mp_fixed_pool_create(10, 0) == NULL && mp_arena_create(0) == NULL);
    MP_FixedPool *pool = mp_fixed_pool_create(8, 2);
    CHECK(mp_fixed_pool_free(pool, NULL) == MP_OK && mp_fixed_pool_stats(pool, NULL) == MP_ERR_NULL_POINTER);
    mp_fixed_pool_destroy(pool);
}

static void version_info(void) {
    char composed[64];
    snprintf(composed, sizeof composed, "%d.%d.%d", MP_VERSION_MAJOR, MP_VERSION_MINOR, MP_VERSION_PATCH);
    CHECK(strcmp(MP_VERSION_STRING, composed) == 0);
    CHECK(strcmp(mp_version(), MP_VERSION_STRING) == 0);
    /* The Makefile passes package.json's version: the header (generated from it) must agree. */
    CHECK(strcmp(mp_version(), MP_PACKAGE_VERSION) == 0);
    int major = -1, minor = -1, patch = -1;
    CHECK(sscanf(mp_version(), "%d.%d.%d", &major, &minor, &patch) == 3 && major == MP_VERSION_MAJOR &&
          minor == MP_VERSION_MINOR && patch == MP_VERSION_PATCH);
}

/* ---------------- the contract's rows ---------------- */

static void double_free_and_foreign(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(24, 4);
    MP_FixedPool *other = mp_fixed_pool_create(24, 4);
    unsigned char *a = mp_fixed_pool_alloc(pool);
    unsigned char *x = mp_fixed_pool_alloc(other);
    MP_FixedPoolStats before, after;
    mp_fixed_pool_stats(pool, &before);
    CHECK(mp_fixed_pool_free(pool, a + 1) == MP_ERR_INVALID_HANDLE);
    CHECK(mp_fixed_pool_free(pool, x) == MP_ERR_INVALID_HANDLE);
    CHECK(mp_fixed_pool_free(pool, (unsigned char *)mp_fixed_pool_base(pool)) == MP_ERR_INVALID_HANDLE);
    CHECK(mp_fixed_pool_free(pool, a + 24) == MP_ERR_DOUBLE_FREE); /* a slot never handed out */
    CHECK(mp_fixed_pool_free(pool, a + 24 * 4) == MP_ERR_INVALID_HANDLE); /* past the last slot */
    mp_fixed_pool_stats(pool, &after);
    CHECK(memcmp(&before, &after, sizeof before) == 0);
    CHECK(mp_fixed_pool_free(pool, a) == MP_OK);
    CHECK(mp_fixed_pool_free(pool, a) == MP_ERR_DOUBLE_FREE);
    CHECK(mp_fixed_pool_alloc(pool) == a);
    mp_fixed_pool_reset(pool);
    CHECK(mp_fixed_pool_free(pool, a) == MP_ERR_DOUBLE_FREE); /* from before the reset */
    mp_fixed_pool_destroy(pool);
    mp_fixed_pool_destroy(other);
}

static void geometry_and_offsets(void) {
    MP_FixedPool *pool = mp_fixed_pool_create_aligned(10, 4, 128);
    CHECK(mp_fixed_pool_slot_size(pool) == 128 && mp_fixed_pool_data_offset(pool) == 128);
    CHECK(mp_fixed_pool_byte_length(pool) == 128 + 4 * 128 && mp_fixed_pool_align(pool) == 128);
    CHECK((uintptr_t)mp_fixed_pool_base(pool) % 128 == 0);
    CHECK(mp_fixed_pool_alloc_offset(pool) == 128 && mp_fixed_pool_alloc_offset(pool) == 256);
    CHECK(mp_fixed_pool_free_offset(pool, 128) == MP_OK && mp_fixed_pool_free_offset(pool, 0) == MP_ERR_INVALID_HANDLE);
    mp_fixed_pool_destroy(pool);
    pool = mp_fixed_pool_create(12, 3); /* slot 16, not a power of two object: 12 -> 16 */
    CHECK(mp_fixed_pool_alloc_offset(pool) == 64 && mp_fixed_pool_alloc_offset(pool) == 80);
    mp_fixed_pool_destroy(pool);
    pool = mp_fixed_pool_create(24, 3); /* slot 24: division path */
    CHECK(mp_fixed_pool_alloc_offset(pool) == 64 && mp_fixed_pool_alloc_offset(pool) == 88);
    CHECK(mp_fixed_pool_free_offset(pool, 76) == MP_ERR_INVALID_HANDLE && mp_fixed_pool_free_offset(pool, 88) == MP_OK);
    mp_fixed_pool_destroy(pool);
    MP_Arena *arena = mp_arena_create_aligned(100, 256);
    CHECK(mp_arena_data_offset(arena) == 256 && mp_arena_byte_length(arena) == 356);
    CHECK((uintptr_t)mp_arena_base(arena) % 256 == 0 && mp_arena_alloc_offset(arena, 1, 1) == 256);
    mp_arena_destroy(arena);
    /* every buffer is at least 64-byte aligned and zeroed */
    arena = mp_arena_create_aligned(100, 1);
    unsigned char *base = mp_arena_base(arena);
    int zero = 1;
    for (int i = 0; i < 164; i++) zero &= base[i] == 0;
    CHECK((uintptr_t)base % 64 == 0 && zero && mp_arena_data_offset(arena) == 64);
    mp_arena_destroy(arena);
}

static void overflow_and_limits(void) {
    CHECK(mp_fixed_pool_create(SIZE_MAX, 2) == NULL);
    CHECK(mp_fixed_pool_create(SIZE_MAX / 2 + 1, 2) == NULL);
    CHECK(mp_fixed_pool_create(1 << 20, (size_t)1 << 20) == NULL); /* 2^40 bytes: past the limit */
    CHECK(mp_fixed_pool_create(8, MP_MAX_CAPACITY + (size_t)1) == NULL);
    CHECK(mp_fixed_pool_create_aligned(8, 8, 3) == NULL && mp_fixed_pool_create_aligned(8, 8, 8192) == NULL);
    CHECK(mp_arena_create(SIZE_MAX) == NULL && mp_arena_create(MP_MAX_MEMORY_BYTES - 63) == NULL);
    CHECK(mp_arena_create_aligned(8, 5) == NULL);
    MP_Arena *arena = mp_arena_create(64);
    CHECK(mp_arena_alloc(arena, SIZE_MAX, 1) == NULL && mp_arena_alloc(arena, SIZE_MAX - 100, 4096) == NULL);
    CHECK(mp_arena_alloc(arena, 0, 8) == NULL);
    MP_ArenaStats s;
    mp_arena_stats(arena, &s);
    CHECK(s.failed_allocs == 2 && s.offset == 0);
    mp_arena_destroy(arena);
    /* align 0 means the default */
    MP_FixedPool *pool = mp_fixed_pool_create_aligned(3, 2, 0);
    CHECK(pool != NULL && mp_fixed_pool_slot_size(pool) == 8);
    mp_fixed_pool_destroy(pool);
}

static void marks_and_rewind(void) {
    MP_Arena *arena = mp_arena_create(1024);
    uint64_t m0 = mp_arena_mark(arena);
    CHECK(m0 == 0);
    dropped(mp_arena_alloc(arena, 10, 1));
    uint64_t m1 = mp_arena_mark(arena);
    CHECK(m1 == 10);
    dropped(mp_arena_alloc(arena, 100, 8));
    CHECK(mp_arena_rewind(arena, m1) == MP_OK);
    MP_ArenaStats s;
    mp_arena_stats(arena, &s);
    CHECK(s.offset == 10 && s.peak_offset == 116);
    CHECK(mp_arena_rewind(arena, 11) == MP_ERR_INVALID_HANDLE); /* past the end */
    CHECK(mp_arena_rewind(arena, m0) == MP_OK && mp_arena_rewind(arena, m1) == MP_ERR_INVALID_HANDLE);
    dropped(mp_arena_alloc(arena, 20, 1));
    mp_arena_reset(arena);
    CHECK(mp_arena_rewind(arena, m0) == MP_ERR_INVALID_HANDLE); /* from before the reset */
    dropped(mp_arena_alloc(arena, 5, 1));
    CHECK(mp_arena_mark(arena) == (((uint64_t)1 << 33) | 5));
    CHECK(mp_arena_rewind(arena, ((uint64_t)1 << 33) | 0) == MP_OK);
    CHECK(mp_arena_rewind(arena, UINT64_MAX) == MP_ERR_INVALID_HANDLE);
    mp_arena_destroy(arena);
}

static void batches(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(8, 5);
    void *ptrs[8];
    CHECK(mp_fixed_pool_alloc_many(pool, ptrs, 3) == 3);
    double f[8];
    CHECK(mp_fixed_pool_alloc_many_f64(pool, f, 8) == 2 && f[0] == 88 && f[1] == 96);
    MP_FixedPoolStats s;
    mp_fixed_pool_stats(pool, &s);
    CHECK(s.failed_allocs == 1 && s.allocated == 5);
    size_t bad = 99;
    void *dup[3] = {ptrs[0], ptrs[1], ptrs[0]};
    CHECK(mp_fixed_pool_free_many(pool, dup, 3, &bad) == MP_ERR_DOUBLE_FREE && bad == 2);
    mp_fixed_pool_stats(pool, &s);
    CHECK(s.allocated == 5 && s.free_count == 0);
    double bad_f[3] = {88, 96.5, 64};
    CHECK(mp_fixed_pool_free_many_f64(pool, bad_f, 3, &bad) == MP_ERR_INVALID_HANDLE && bad == 1);
    double nan_f[1] = {0.0 / 0.0};
    CHECK(mp_fixed_pool_free_many_f64(pool, nan_f, 1, &bad) == MP_ERR_INVALID_HANDLE && bad == 0);
    CHECK(mp_fixed_pool_free_many(pool, ptrs, 3, &bad) == MP_OK);
    uint32_t u[2] = {88, 96};
    CHECK(mp_fixed_pool_free_many_u32(pool, u, 2, NULL) == MP_OK);
    mp_fixed_pool_stats(pool, &s);
    CHECK(s.allocated == 0 && s.free_count == 5);
    /* freed in order: 64, 72, 80, 88, 96 pushed, so 96 comes back first */
    CHECK(mp_fixed_pool_alloc_offset(pool) == 96 && mp_fixed_pool_alloc_offset(pool) == 88);
    CHECK(mp_fixed_pool_free_many(pool, NULL, 0, NULL) == MP_OK && mp_fixed_pool_free_many(NULL, NULL, 0, NULL) == MP_ERR_NULL_POINTER);
    mp_fixed_pool_destroy(pool);
}

static void caller_memory(void) {
    static _Alignas(64) unsigned char buffer[64 + 4 * 32];
    int status = MP_OK;
    CHECK(mp_fixed_pool_required_bytes(30, 4, 16) == sizeof buffer);
    CHECK(mp_fixed_pool_create_in(buffer, sizeof buffer - 1, 30, 4, 16, &status) == NULL &&
          status == MP_ERR_INVALID_ARGUMENT); /* too small */
    CHECK(mp_fixed_pool_create_in(NULL, sizeof buffer, 30, 4, 16, &status) == NULL && status == MP_ERR_NULL_POINTER);
    CHECK(mp_fixed_pool_create_in(buffer, sizeof buffer, 30, 0, 16, &status) == NULL && status == MP_ERR_INVALID_ARGUMENT);
    CHECK(mp_fixed_pool_create_in(buffer, sizeof buffer, 30, 4, 3, NULL) == NULL); /* align not a power of two */
    MP_FixedPool *pool = mp_fixed_pool_create_in(buffer, sizeof buffer, 30, 4, 16, &status);
    CHECK(pool != NULL && status == MP_OK && mp_fixed_pool_base(pool) == buffer);
    unsigned char *a = mp_fixed_pool_alloc(pool);
    CHECK(a == buffer + 64 && mp_fixed_pool_alloc_offset(pool) == 96);
    CHECK(mp_fixed_pool_free(pool, a) == MP_OK);
    mp_fixed_pool_destroy(pool); /* frees the bookkeeping, not the caller's buffer */
    CHECK(mp_arena_required_bytes(100, 8) == 164 && mp_arena_required_bytes(0, 8) == 0);
    status = MP_ERR_CORRUPTED;
    MP_Arena *arena = mp_arena_create_in(buffer, sizeof buffer, 100, 8, &status);
    CHECK(arena != NULL && status == MP_OK && mp_arena_alloc(arena, 100, 1) == buffer + 64 && mp_arena_alloc(arena, 1, 1) == NULL);
    CHECK(mp_arena_create_in(buffer, 163, 100, 8, &status) == NULL && status == MP_ERR_INVALID_ARGUMENT);
    CHECK(mp_arena_create_in(NULL, 164, 100, 8, &status) == NULL && status == MP_ERR_NULL_POINTER);
    CHECK(mp_arena_create_in(buffer, 164, 100, 8192, NULL) == NULL); /* align past MP_MAX_ALIGN */
    mp_arena_destroy(arena);
}

static void struct_sizes(void) {
    printf("     sizeof(MP_FixedPool) = %zu (+ %u bytes per slot), sizeof(MP_Arena) = %zu\n",
           mp_fixed_pool_struct_size(), MP_BOOKKEEPING_BYTES_PER_SLOT, mp_arena_struct_size());
    CHECK(mp_fixed_pool_struct_size() <= 128);
    CHECK(mp_arena_struct_size() <= 80);
    /* The bookkeeping the addon reports to V8: the struct, the per-slot words and the gap between them. */
    CHECK(mp_fixed_pool_bookkeeping_bytes(1000) == mp_fixed_pool_struct_size() + 1000 * MP_BOOKKEEPING_BYTES_PER_SLOT + 16);
    CHECK(mp_fixed_pool_bookkeeping_bytes(0) == 0 && mp_fixed_pool_bookkeeping_bytes((size_t)MP_MAX_CAPACITY + 1) == 0);
}

/* free finds a slot by multiplying by the inverse of slot_size's odd part, not by dividing: every
 * offset of the buffer and past it, for slot sizes odd, even, and powers of two, must be a slot
 * start (freed once, then a double free) or refused as not a handle. */
static void slot_index_by_multiply(void) {
    static const size_t geometries[][3] = {/* object_size, capacity, align */
                                           {3, 40, 1},  {7, 33, 1},   {24, 50, 8},  {40, 30, 8},
                                           {48, 21, 16}, {96, 9, 32}, {64, 16, 8},  {1000, 5, 8},
                                           {5, 7, 4096}};
    for (size_t g = 0; g < sizeof geometries / sizeof geometries[0]; g++) {
        MP_FixedPool *pool = mp_fixed_pool_create_aligned(geometries[g][0], geometries[g][1], geometries[g][2]);
        size_t slot = mp_fixed_pool_slot_size(pool), start = mp_fixed_pool_data_offset(pool);
        size_t end = mp_fixed_pool_byte_length(pool);
        while (mp_fixed_pool_alloc_offset(pool) != 0) continue;
        int all = 1;
        for (size_t offset = 0; offset < end + 2 * slot; offset++) {
            int is_slot = offset >= start && offset < end && (offset - start) % slot == 0;
            int first = mp_fixed_pool_free_offset(pool, offset);
            int second = mp_fixed_pool_free_offset(pool, offset);
            if (is_slot ? first != MP_OK || second != MP_ERR_DOUBLE_FREE
                        : first != MP_ERR_INVALID_HANDLE || second != MP_ERR_INVALID_HANDLE) {
                fprintf(stderr, "  slot size %zu: offset %zu gave %d then %d\n", slot, offset, first, second);
                all = 0;
            }
        }
        /* Pointers below the base (wrapping around) are foreign too. */
        uintptr_t base = (uintptr_t)mp_fixed_pool_base(pool);
        all &= mp_fixed_pool_free(pool, (void *)(base - slot)) == MP_ERR_INVALID_HANDLE;
        all &= mp_fixed_pool_free(pool, (void *)(base - 1)) == MP_ERR_INVALID_HANDLE;
        MP_FixedPoolStats s;
        CHECK(all && mp_fixed_pool_stats(pool, &s) == MP_OK && s.allocated == 0 && s.free_count == geometries[g][1]);
        mp_fixed_pool_destroy(pool);
    }
}

/* allocated, alloc_count, free_count and peak_allocated are derived from the free stack and the
 * bump index: they must match what counting every call gives, across resets. */
static void derived_counters(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(16, 8);
    void *p[8];
    for (int i = 0; i < 3; i++) p[i] = mp_fixed_pool_alloc(pool);
    CHECK(mp_fixed_pool_free(pool, p[0]) == MP_OK && mp_fixed_pool_free(pool, p[1]) == MP_OK);
    p[0] = mp_fixed_pool_alloc(pool); /* from the free stack: the peak stays 3 */
    MP_FixedPoolStats s;
    mp_fixed_pool_stats(pool, &s);
    CHECK(s.allocated == 2 && s.peak_allocated == 3 && s.alloc_count == 4 && s.free_count == 2);
    CHECK(mp_fixed_pool_reset(pool) == MP_OK);
    for (int i = 0; i < 2; i++) p[i] = mp_fixed_pool_alloc(pool);
    mp_fixed_pool_stats(pool, &s);
    CHECK(s.allocated == 2 && s.peak_allocated == 3 && s.alloc_count == 6 && s.free_count == 2);
    for (int i = 2; i < 8; i++) p[i] = mp_fixed_pool_alloc(pool);
    dropped(mp_fixed_pool_alloc(pool)); /* full */
    CHECK(mp_fixed_pool_free(pool, p[5]) == MP_OK && mp_fixed_pool_free(pool, p[5]) == MP_ERR_DOUBLE_FREE);
    mp_fixed_pool_stats(pool, &s);
    CHECK(s.allocated == 7 && s.available == 1 && s.peak_allocated == 8 && s.alloc_count == 12 &&
          s.free_count == 3 && s.failed_allocs == 1);
    CHECK(mp_fixed_pool_reset(pool) == MP_OK && mp_fixed_pool_stats(pool, &s) == MP_OK);
    CHECK(s.allocated == 0 && s.peak_allocated == 8 && s.alloc_count == 12 && s.free_count == 3);
    mp_fixed_pool_destroy(pool);
}

/* The arena's fast path checks size and align with one comparison each, and keeps no peak (it is
 * derived, kept only when the end moves back): the edges of both. */
static void arena_fast_path_edges(void) {
    MP_Arena *arena = mp_arena_create_aligned(256, 8);
    MP_ArenaStats s;
    CHECK(mp_arena_alloc(arena, 0, 8) == NULL && mp_arena_alloc(arena, 8, 3) == NULL &&
          mp_arena_alloc(arena, 8, 8192) == NULL);
    CHECK(mp_arena_stats(arena, &s) == MP_OK && s.failed_allocs == 0 && s.allocations == 0 && s.offset == 0);
    CHECK(mp_arena_alloc(arena, SIZE_MAX, 8) == NULL && mp_arena_alloc(arena, ((size_t)1 << 34) + 1, 1) == NULL);
    CHECK(mp_arena_alloc(arena, 257, 1) == NULL && mp_arena_stats(arena, &s) == MP_OK && s.failed_allocs == 3);
    CHECK(mp_arena_alloc_offset(arena, 3, 0) == mp_arena_data_offset(arena)); /* align 0: the default */
    CHECK(mp_arena_alloc_offset(arena, 1, 0) == mp_arena_data_offset(arena) + 8);
    uint64_t mark = mp_arena_mark(arena);
    CHECK(mp_arena_alloc(arena, 200, 4096) == NULL && mp_arena_alloc(arena, 200, 16) != NULL);
    CHECK(mp_arena_stats(arena, &s) == MP_OK && s.offset == 216 && s.peak_offset == 216);
    CHECK(mp_arena_rewind(arena, mark) == MP_OK && mp_arena_alloc(arena, 8, 8) != NULL);
    CHECK(mp_arena_stats(arena, &s) == MP_OK && s.offset == 24 && s.peak_offset == 216 && s.allocations == 4);
    CHECK(mp_arena_reset(arena) == MP_OK && mp_arena_alloc(arena, 256, 1) != NULL && mp_arena_alloc(arena, 1, 1) == NULL);
    CHECK(mp_arena_stats(arena, &s) == MP_OK && s.offset == 256 && s.peak_offset == 256 && s.failed_allocs == 5);
    CHECK(mp_arena_reset(arena) == MP_OK && mp_arena_stats(arena, &s) == MP_OK && s.offset == 0 && s.peak_offset == 256);
    mp_arena_destroy(arena);
}

/* Bookkeeping of 128 KiB or more is mapped from the OS, not calloc'd (pages.c): it must start zeroed
 * and hold every slot's words, through a reset and a second pool mapped where the first was. */
static void mapped_bookkeeping(void) {
    enum { CAPACITY = 1 << 16 }; /* 512 KiB of bookkeeping */
    CHECK(mp_fixed_pool_bookkeeping_bytes(CAPACITY) >= (size_t)128 << 10);
    for (int round = 0; round < 2; round++) {
        MP_FixedPool *pool = mp_fixed_pool_create(8, CAPACITY);
        size_t offsets = 0, frees = 0, start = mp_fixed_pool_data_offset(pool);
        CHECK(mp_fixed_pool_free_offset(pool, start + (CAPACITY - 1) * 8) != MP_OK); /* no epoch is live */
        for (size_t i = 0; i < CAPACITY; i++) offsets += mp_fixed_pool_alloc_offset(pool) != 0;
        dropped(mp_fixed_pool_alloc(pool)); /* full */
        for (size_t i = 0; i < CAPACITY; i++) frees += mp_fixed_pool_free_offset(pool, start + i * 8) == MP_OK;
        CHECK(offsets == CAPACITY && frees == CAPACITY);
        CHECK(mp_fixed_pool_reset(pool) == MP_OK && mp_fixed_pool_alloc_offset(pool) == start);
        mp_fixed_pool_destroy(pool);
    }
}

/* Every row once; returns how many checks the test table's rows made. */
static int run_suite(void) {
    int before = g_passed + g_failed;
    run_row("Fixed pool lifecycle", 2, fixed_pool_lifecycle);
    run_row("Fixed pool allocation", 6, fixed_pool_allocation);
    run_row("Fixed pool capacity", 5, fixed_pool_capacity);
    run_row("Fixed pool reset", 4, fixed_pool_reset);
    run_row("Fixed pool reuse", 2, fixed_pool_reuse);
    run_row("Fixed pool large objects", 2, fixed_pool_large_objects);
    run_row("Fixed pool stats", 9, fixed_pool_stats);
    run_row("Arena lifecycle", 2, arena_lifecycle);
    run_row("Arena allocation", 4, arena_allocation);
    run_row("Arena alignment", 6, arena_alignment);
    run_row("Arena OOM", 3, arena_oom);
    run_row("Arena reset", 5, arena_reset);
    run_row("Arena sequential", 12, arena_sequential);
    run_row("Arena large alignment", 4, arena_large_alignment);
    run_row("Arena stats", 8, arena_stats);
    run_row("Error handling", 6, error_handling);
    run_row("Version info", 4, version_info);
    int table = g_passed + g_failed - before;
    run_row("Double free and foreign", 10, double_free_and_foreign);
    run_row("Geometry and offsets", 10, geometry_and_offsets);
    run_row("Overflow and limits", 10, overflow_and_limits);
    run_row("Marks and rewind", 10, marks_and_rewind);
    run_row("Batches", 12, batches);
    run_row("Caller-provided memory", 13, caller_memory);
    run_row("Struct sizes", 4, struct_sizes);
    run_row("Slot index by multiply", 9, slot_index_by_multiply);
    run_row("Derived counters", 8, derived_counters);
    run_row("Arena fast path edges", 13, arena_fast_path_edges);
    run_row("Mapped bookkeeping", 7, mapped_bookkeeping);
    return table;
}

int main(void) {
    printf("memory_pool_core %s C suite\n", mp_version());
    int table = run_suite();
    printf("test table: %d checks\n", table);
    if (g_short_rows > 0) printf("%d row(s) with fewer checks than the table\n", g_short_rows);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 && g_short_rows == 0 ? 0 : 1;
}
