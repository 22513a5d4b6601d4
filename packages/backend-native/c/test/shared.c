/*
 * The thread-safe pool and arena from one thread (threads.c has them under real concurrency):
 *   same      one holder gives exactly the unshared pool's offsets, statuses and stats, over long
 *             random sequences (allocs, frees, double and foreign frees, batches, resets) for
 *             geometries whose caches fill and flush; the arena the same against MP_Arena;
 *   holders   attach up to max_holders then a refusal, detach gives the cache back, full means
 *             full (slots parked in another holder's cache are taken before NULL), stats.cached;
 *   header    issue 17: create_in and open verify the bookkeeping's header: a zeroed or foreign
 *             buffer, the other kind, an edited geometry, another memory size, memory and
 *             bookkeeping that overlap, a misaligned or short bookkeeping are all refused;
 *   busy      a call that meets a reset under way gets MP_ERR_BUSY (or NULL, uncounted);
 *   stalled   a full-looking alloc waits for another holder's move (its `moves` odd), 50 ms at
 *             most for one value: a holder stopped mid-move is then not waited for again, a new
 *             move of it is; nothing moving, no wait.
 * White-box for `busy`, `header` and `stalled` (it includes the sources to reach the words it
 * forges).
 */
#include "../src/pages.c" /* first: it sets the feature macros */
#include "../src/arena.c"
#include "../src/fixed_pool.c"
#include "../src/shared_arena.c"
#include "../src/shared_pool.c"

#include <stdio.h>

#include "random.h"

#include "check.h"


/* ---------------- same: one holder is the unshared pool ---------------- */

static int same_stats(const MP_FixedPool *plain, const MP_SharedPool *shared) {
    MP_FixedPoolStats p;
    MP_SharedPoolStats s;
    mp_fixed_pool_stats(plain, &p);
    mp_shared_pool_stats(shared, &s);
    return p.object_size == s.object_size && p.slot_size == s.slot_size && p.capacity == s.capacity &&
           p.allocated == s.allocated && p.available == s.available && p.peak_allocated == s.peak_allocated &&
           p.alloc_count == s.alloc_count && p.free_count == s.free_count && p.failed_allocs == s.failed_allocs;
}

static void same_pool(size_t object_size, size_t capacity, size_t align, uint64_t seed) {
    MP_FixedPool *plain = mp_fixed_pool_create_aligned(object_size, capacity, align);
    MP_SharedPool *shared = mp_shared_pool_create(object_size, capacity, align, 2);
    MP_SharedPoolHolder *h = mp_shared_pool_attach(shared, NULL);
    CHECK(plain != NULL && shared != NULL && h != NULL);
    if (h == NULL) return;
    CHECK(mp_shared_pool_byte_length(shared) == mp_fixed_pool_byte_length(plain));
    CHECK(mp_shared_pool_data_offset(shared) == mp_fixed_pool_data_offset(plain));
    size_t held[512], gone[64];
    size_t count = 0, gone_count = 0, mismatches = 0;
    uint64_t rng = seed;
    for (int op = 0; op < 20000; op++) {
        uint64_t r = next_random(&rng);
        unsigned kind = (unsigned)(r % 100);
        if (kind < 45 && count < 512) {
            size_t a = mp_fixed_pool_alloc_offset(plain), b = mp_shared_pool_alloc_offset(h);
            mismatches += a != b;
            if (a != 0) held[count++] = a;
        } else if (kind < 85 && count > 0) {
            size_t k = (size_t)(r >> 8) % count;
            size_t offset = held[k];
            mismatches += mp_fixed_pool_free_offset(plain, offset) != mp_shared_pool_free_offset(h, offset);
            held[k] = held[--count];
            gone[gone_count++ % 64] = offset;
        } else if (kind < 90 && gone_count > 0) { /* a double free, or the slot's next life */
            size_t offset = gone[(r >> 8) % (gone_count < 64 ? gone_count : 64)];
            int a = mp_fixed_pool_free_offset(plain, offset), b = mp_shared_pool_free_offset(h, offset);
            mismatches += a != b;
            if (a == MP_OK) {
                for (size_t k = 0; k < count; k++)
                    if (held[k] == offset) {
                        held[k] = held[--count];
                        break;
                    }
            }
        } else if (kind < 92) { /* foreign offsets */
            size_t offset = (size_t)(r >> 8) % (mp_fixed_pool_byte_length(plain) + 64);
            mismatches += mp_fixed_pool_free_offset(plain, offset) != mp_shared_pool_free_offset(h, offset);
            for (size_t k = 0; k < count; k++)
                if (held[k] == offset) held[k] = held[--count];
        } else if (kind < 97 && count >= 3) { /* a batch of three, sometimes with a duplicate */
            void *pp[3], *sp[3];
            size_t offsets[3] = {held[count - 1], held[count - 2], (r & 0x100) ? held[count - 1] : held[count - 3]};
            for (int i = 0; i < 3; i++) {
                pp[i] = (unsigned char *)mp_fixed_pool_base(plain) + offsets[i];
                sp[i] = (unsigned char *)mp_shared_pool_base(shared) + offsets[i];
            }
            size_t bad_p = 99, bad_s = 99;
            int a = mp_fixed_pool_free_many(plain, pp, 3, &bad_p), b = mp_shared_pool_free_many(h, sp, 3, &bad_s);
            mismatches += a != b || bad_p != bad_s;
            if (a == MP_OK) count -= 3;
        } else if (kind < 98) {
            void *pp[5], *sp[5];
            size_t a = mp_fixed_pool_alloc_many(plain, pp, 5), b = mp_shared_pool_alloc_many(h, sp, 5);
            mismatches += a != b;
            for (size_t i = 0; i < a && i < b; i++) {
                size_t offset = (size_t)((unsigned char *)pp[i] - (unsigned char *)mp_fixed_pool_base(plain));
                mismatches += offset != (size_t)((unsigned char *)sp[i] - (unsigned char *)mp_shared_pool_base(shared));
                if (count < 512) held[count++] = offset;
                else {
                    mismatches += mp_fixed_pool_free(plain, pp[i]) != mp_shared_pool_free(h, sp[i]);
                }
            }
        } else if (kind == 99 && (r & 0x700) == 0) {
            mismatches += mp_fixed_pool_reset(plain) != mp_shared_pool_reset(shared);
            count = 0;
        }
        mismatches += !same_stats(plain, shared);
    }
    CHECK(mismatches == 0);
    MP_SharedPoolStats s;
    mp_shared_pool_stats(shared, &s);
    CHECK(s.holders == 1 && s.cached <= MP_SHARED_CACHE_SLOTS);
    CHECK(mp_shared_pool_detach(h) == MP_OK);
    mp_shared_pool_stats(shared, &s);
    CHECK(s.holders == 0 && s.cached == 0 && same_stats(plain, shared));
    mp_fixed_pool_destroy(plain);
    mp_shared_pool_destroy(shared);
}

static void same_arena(uint64_t seed) {
    MP_Arena *plain = mp_arena_create_aligned(4096, 16);
    MP_SharedArena *shared = mp_shared_arena_create(4096, 16);
    CHECK(plain != NULL && shared != NULL);
    if (shared == NULL) return;
    size_t mismatches = 0;
    uint64_t rng = seed, marks[8] = {0};
    for (int op = 0; op < 20000; op++) {
        uint64_t r = next_random(&rng);
        unsigned kind = (unsigned)(r % 100);
        if (kind < 80) {
            size_t size = (size_t)(r >> 8) % 200, align = (size_t)1 << ((r >> 20) % 8);
            mismatches += mp_arena_alloc_offset(plain, size, align) != mp_shared_arena_alloc_offset(shared, size, align);
        } else if (kind < 88) {
            uint64_t m = mp_arena_mark(plain);
            mismatches += m != mp_shared_arena_mark(shared);
            marks[(r >> 8) % 8] = m;
        } else if (kind < 98) {
            uint64_t m = marks[(r >> 8) % 8];
            mismatches += mp_arena_rewind(plain, m) != mp_shared_arena_rewind(shared, m);
        } else {
            mismatches += mp_arena_reset(plain) != mp_shared_arena_reset(shared);
        }
        MP_ArenaStats p, s;
        mp_arena_stats(plain, &p);
        mp_shared_arena_stats(shared, &s);
        /* peak_offset: the shared arena keeps the highest end ever reached, as the plain one. */
        mismatches += memcmp(&p, &s, sizeof p) != 0;
    }
    CHECK(mismatches == 0);
    mp_arena_destroy(plain);
    mp_shared_arena_destroy(shared);
}

/* ---------------- holders ---------------- */

static void holders(void) {
    MP_SharedPool *pool = mp_shared_pool_create(32, 40, 8, 3);
    int status = 1;
    MP_SharedPoolHolder *a = mp_shared_pool_attach(pool, &status);
    CHECK(a != NULL && status == MP_OK);
    MP_SharedPoolHolder *b = mp_shared_pool_attach(pool, NULL), *c = mp_shared_pool_attach(pool, NULL);
    CHECK(b != NULL && c != NULL && mp_shared_pool_attach(pool, &status) == NULL && status == MP_ERR_BUSY);
    CHECK(mp_shared_pool_detach(c) == MP_OK && mp_shared_pool_detach(c) == MP_ERR_INVALID_HANDLE);
    CHECK((c = mp_shared_pool_attach(pool, NULL)) != NULL);
    CHECK(mp_shared_pool_attach(NULL, &status) == NULL && status == MP_ERR_NULL_POINTER);

    /* Full means full: a takes every slot and parks 20 in its cache; b gets those 20, then NULL. */
    void *mine[40], *theirs[40];
    CHECK(mp_shared_pool_alloc_many(a, mine, 40) == 40 && mp_shared_pool_alloc(b) == NULL);
    for (int i = 0; i < 20; i++) CHECK(mp_shared_pool_free(a, mine[i]) == MP_OK);
    MP_SharedPoolStats s;
    mp_shared_pool_stats(pool, &s);
    CHECK(s.cached == 20 && s.allocated == 20 && s.failed_allocs == 1 && s.holders == 3);
    CHECK(mp_shared_pool_alloc_many(b, theirs, 40) == 20);
    mp_shared_pool_stats(pool, &s);
    CHECK(s.allocated == 40 && s.available == 0 && s.failed_allocs == 2);
    /* No slot twice: b's 20 are a's freed ones; a's stale entries fail their swap and drop. */
    int twice = 0;
    for (int i = 0; i < 20; i++)
        for (int j = 20; j < 40; j++) twice += theirs[i] == mine[j];
    CHECK(twice == 0 && mp_shared_pool_alloc(a) == NULL);
    /* A double free across holders is refused; each slot is freed once. */
    CHECK(mp_shared_pool_free(b, mine[39]) == MP_OK && mp_shared_pool_free(a, mine[39]) == MP_ERR_DOUBLE_FREE);
    CHECK(mp_shared_pool_free(a, (unsigned char *)mine[0] + 1) == MP_ERR_INVALID_HANDLE);

    /* Detach gives the cache back (to the shared stack), counters included. */
    for (int i = 0; i < 20; i++) CHECK(mp_shared_pool_free(b, theirs[i]) == MP_OK);
    mp_shared_pool_stats(pool, &s);
    size_t frees_before = s.free_count;
    CHECK(s.cached == 21 && mp_shared_pool_detach(b) == MP_OK);
    mp_shared_pool_stats(pool, &s);
    CHECK(s.cached == 0 && s.holders == 2 && s.free_count == frees_before && s.allocated == 19);
    CHECK(mp_shared_pool_alloc_many(c, theirs, 40) == 21);
    mp_shared_pool_stats(pool, &s);
    CHECK(s.allocated == 40);
    /* reset empties every cache. */
    CHECK(mp_shared_pool_reset(pool) == MP_OK && mp_shared_pool_free(c, theirs[0]) == MP_ERR_DOUBLE_FREE);
    mp_shared_pool_stats(pool, &s);
    CHECK(s.allocated == 0 && s.cached == 0 && s.peak_allocated == 40);
    CHECK(mp_shared_pool_alloc_offset(a) == 64); /* a fresh pool: slot 0 first */
    CHECK(mp_shared_pool_create(0, 4, 8, 1) == NULL && mp_shared_pool_create(8, 4, 3, 1) == NULL);
    CHECK(mp_shared_pool_create(8, 4, 8, MP_SHARED_MAX_HOLDERS + 1) == NULL && mp_shared_arena_create(0, 8) == NULL);
    CHECK(mp_shared_pool_alloc(NULL) == NULL && mp_shared_pool_free(NULL, mine[0]) == MP_ERR_NULL_POINTER);
    CHECK(mp_shared_pool_free(a, NULL) == MP_OK && mp_shared_pool_reset(NULL) == MP_ERR_NULL_POINTER);
    mp_shared_pool_destroy(pool);
}

/* stats.cached counts the slots still parked, not the entries a steal left stale. */
static void cached_exact(void) {
    MP_SharedPool *pool = mp_shared_pool_create(32, 48, 8, 3);
    MP_SharedPoolHolder *a = mp_shared_pool_attach(pool, NULL), *b = mp_shared_pool_attach(pool, NULL);
    MP_SharedPoolHolder *c = mp_shared_pool_attach(pool, NULL);
    void *mine[32], *theirs[16], *taken[4];
    CHECK(mp_shared_pool_alloc_many(a, mine, 32) == 32 && mp_shared_pool_alloc_many(b, theirs, 16) == 16);
    for (int i = 0; i < 20; i++) CHECK(mp_shared_pool_free(a, mine[i]) == MP_OK);
    CHECK(mp_shared_pool_alloc_many(c, taken, 4) == 4); /* taken from a's cache: 4 of its entries go stale */
    for (int i = 0; i < 16; i++) CHECK(mp_shared_pool_free(b, theirs[i]) == MP_OK);
    CHECK(mp_shared_pool_detach(b) == MP_OK); /* b's 16 go to the shared stack */
    MP_SharedPoolStats s;
    mp_shared_pool_stats(pool, &s);
    CHECK(s.allocated == 16 && s.available == 32 && s.cached == 16);
    mp_shared_pool_destroy(pool);
}

/* ---------------- header: create_in and open verify ---------------- */

static unsigned char g_memory[8192] __attribute__((aligned(64)));
static unsigned char g_books[16384] __attribute__((aligned(64)));

/* Re-seals a header after an edit, so only the geometry checks can refuse it. */
static void reseal(void *books, void (*edit)(struct mp_shared_header *)) {
    struct mp_shared_header h;
    memcpy(&h, books, sizeof h);
    edit(&h);
    h.check = mp_header_check(&h);
    memcpy(books, &h, sizeof h);
}
static void edit_slot_size(struct mp_shared_header *h) { h->slot_size = 8; }
static void edit_capacity(struct mp_shared_header *h) { h->capacity = 200; }
static void edit_object_size(struct mp_shared_header *h) { h->object_size = 8; }
static void edit_align(struct mp_shared_header *h) { h->align = 3; }
static void edit_buffer_size(struct mp_shared_header *h) { h->object_size = 1 << 20; }

static void header(void) {
    size_t books = mp_shared_pool_bookkeeping_bytes(100, 4), memory = mp_fixed_pool_required_bytes(64, 100, 8);
    int status = 1;
    CHECK(books > 0 && books <= sizeof g_books && memory <= sizeof g_memory);
    /* create_in refusals */
    CHECK(mp_shared_pool_create_in(NULL, memory, g_books, books, 64, 100, 8, 4, &status) == NULL &&
          status == MP_ERR_NULL_POINTER);
    CHECK(mp_shared_pool_create_in(g_memory, memory - 1, g_books, books, 64, 100, 8, 4, &status) == NULL &&
          status == MP_ERR_INVALID_ARGUMENT);
    CHECK(mp_shared_pool_create_in(g_memory, memory, g_books, books - 64, 64, 100, 8, 4, &status) == NULL &&
          status == MP_ERR_INVALID_ARGUMENT);
    CHECK(mp_shared_pool_create_in(g_memory, memory, g_books + 8, books, 64, 100, 8, 4, &status) == NULL &&
          status == MP_ERR_INVALID_ARGUMENT);
    CHECK(mp_shared_pool_create_in(g_books, books, g_books + 64, books - 64, 8, 4, 8, 1, &status) == NULL &&
          status == MP_ERR_INVALID_ARGUMENT); /* bookkeeping inside the memory */
    /* A zeroed bookkeeping is no pool. */
    memset(g_books, 0, sizeof g_books);
    CHECK(mp_shared_pool_open(g_memory, memory, g_books, books, &status) == NULL && status == MP_ERR_INVALID_ARGUMENT);

    MP_SharedPool *pool = mp_shared_pool_create_in(g_memory, memory, g_books, books, 64, 100, 8, 4, &status);
    CHECK(pool != NULL && status == MP_OK);
    MP_SharedPool *again = mp_shared_pool_open(g_memory, memory, g_books, books, &status);
    CHECK(again != NULL && status == MP_OK);
    if (pool == NULL || again == NULL) return;
    /* Two handles, one pool: a slot allocated through one is freed once through the other. */
    MP_SharedPoolHolder *a = mp_shared_pool_attach(pool, NULL), *b = mp_shared_pool_attach(again, NULL);
    /* Each holder takes fresh slots a half-cache at a time: b's start 16 slots further on. */
    size_t offset = mp_shared_pool_alloc_offset(a);
    CHECK(offset == 64 && mp_shared_pool_alloc_offset(b) == 64 + 16 * 64);
    CHECK(mp_shared_pool_free_offset(b, offset) == MP_OK && mp_shared_pool_free_offset(a, offset) == MP_ERR_DOUBLE_FREE);
    MP_SharedPoolStats s;
    mp_shared_pool_stats(again, &s);
    CHECK(s.holders == 2 && s.allocated == 1 && s.object_size == 64 && s.capacity == 100);

    /* open refusals: another memory size, overlap, the other kind, short or misaligned bookkeeping */
    CHECK(mp_shared_pool_open(g_memory, memory + 8, g_books, books, &status) == NULL && status == MP_ERR_INVALID_ARGUMENT);
    CHECK(mp_shared_pool_open(g_books, memory, g_books, books, &status) == NULL && status == MP_ERR_INVALID_ARGUMENT);
    CHECK(mp_shared_pool_open(g_memory, memory, g_books, books - 64, &status) == NULL && status == MP_ERR_INVALID_ARGUMENT);
    CHECK(mp_shared_pool_open(g_memory, memory, g_books + 64, books - 64, &status) == NULL &&
          status == MP_ERR_INVALID_ARGUMENT);
    CHECK(mp_shared_arena_open(g_memory, memory, g_books, books, &status) == NULL && status == MP_ERR_INVALID_ARGUMENT);
    CHECK(mp_shared_pool_open(g_memory, memory, NULL, books, &status) == NULL && status == MP_ERR_NULL_POINTER);
    /* An edited header: a flipped byte fails the check word; a re-sealed edit fails the geometry. */
    unsigned char saved[128];
    memcpy(saved, g_books, sizeof saved);
    g_books[16] ^= 1; /* object_size */
    CHECK(mp_shared_pool_open(g_memory, memory, g_books, books, &status) == NULL && status == MP_ERR_INVALID_ARGUMENT);
    void (*edits[])(struct mp_shared_header *) = {edit_slot_size, edit_capacity, edit_object_size, edit_align};
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        memcpy(g_books, saved, sizeof saved);
        reseal(g_books, edits[i]);
        CHECK(mp_shared_pool_open(g_memory, memory, g_books, books, &status) == NULL && status == MP_ERR_INVALID_ARGUMENT);
    }
    memcpy(g_books, saved, sizeof saved);
    mp_shared_pool_destroy(again);
    CHECK((again = mp_shared_pool_open(g_memory, memory, g_books, books, &status)) != NULL);
    mp_shared_pool_destroy(again);
    mp_shared_pool_destroy(pool);

    /* The arena: the same rules, and a pool's bookkeeping is no arena's. */
    size_t arena_memory = mp_arena_required_bytes(1024, 8), arena_books = mp_shared_arena_bookkeeping_bytes();
    CHECK(mp_shared_arena_open(g_memory, memory, g_books, books, &status) == NULL && status == MP_ERR_INVALID_ARGUMENT);
    CHECK(mp_shared_arena_create_in(g_memory, arena_memory, g_memory + 64, arena_books, 1024, 8, &status) == NULL &&
          status == MP_ERR_INVALID_ARGUMENT);
    CHECK(mp_shared_arena_create_in(g_memory, arena_memory - 1, g_books, arena_books, 1024, 8, &status) == NULL &&
          status == MP_ERR_INVALID_ARGUMENT);
    MP_SharedArena *arena = mp_shared_arena_create_in(g_memory, arena_memory, g_books, arena_books, 1024, 8, &status);
    CHECK(arena != NULL && status == MP_OK);
    CHECK(mp_shared_pool_open(g_memory, arena_memory, g_books, books, &status) == NULL && status == MP_ERR_INVALID_ARGUMENT);
    MP_SharedArena *view = mp_shared_arena_open(g_memory, arena_memory, g_books, arena_books, &status);
    CHECK(view != NULL && mp_shared_arena_alloc_offset(arena, 10, 8) == 64 && mp_shared_arena_alloc_offset(view, 10, 8) == 80);
    CHECK(mp_shared_arena_open(g_memory, arena_memory * 2, g_books, arena_books, &status) == NULL &&
          status == MP_ERR_INVALID_ARGUMENT);
    memcpy(saved, g_books, sizeof saved);
    reseal(g_books, edit_buffer_size); /* an arena larger than its memory */
    CHECK(mp_shared_arena_open(g_memory, arena_memory, g_books, arena_books, &status) == NULL &&
          status == MP_ERR_INVALID_ARGUMENT);
    memcpy(g_books, saved, sizeof saved);
    reseal(g_books, edit_align);
    CHECK(mp_shared_arena_open(g_memory, arena_memory, g_books, arena_books, &status) == NULL &&
          status == MP_ERR_INVALID_ARGUMENT);
    memset(g_books, 0, arena_books);
    CHECK(mp_shared_arena_open(g_memory, arena_memory, g_books, arena_books, &status) == NULL &&
          status == MP_ERR_INVALID_ARGUMENT);
    mp_shared_arena_destroy(view);
    mp_shared_arena_destroy(arena);
}

/* ---------------- busy: calls that meet a reset under way ---------------- */

static void busy(void) {
    MP_SharedPool *pool = mp_shared_pool_create(16, 8, 8, 2);
    MP_SharedPoolHolder *h = mp_shared_pool_attach(pool, NULL);
    void *a = mp_shared_pool_alloc(h), *b = mp_shared_pool_alloc(h);
    CHECK(a != NULL && b != NULL && mp_shared_pool_free(h, b) == MP_OK);
    uint32_t epoch = atomic_exchange(&pool->state->epoch, 0); /* what reset does while it works */
    MP_SharedPoolStats before, after;
    mp_shared_pool_stats(pool, &before);
    CHECK(mp_shared_pool_alloc(h) == NULL && mp_shared_pool_free(h, a) == MP_ERR_BUSY);
    CHECK(mp_shared_pool_reset(pool) == MP_ERR_BUSY && mp_shared_pool_detach(h) == MP_ERR_BUSY);
    mp_shared_pool_stats(pool, &after);
    CHECK(after.alloc_count == before.alloc_count && after.failed_allocs == before.failed_allocs);
    atomic_store(&pool->state->epoch, epoch);
    CHECK(mp_shared_pool_free(h, a) == MP_OK && mp_shared_pool_detach(h) == MP_OK);
    mp_shared_pool_destroy(pool);

    MP_SharedArena *arena = mp_shared_arena_create(256, 8);
    uint64_t mark = mp_shared_arena_mark(arena);
    CHECK(mp_shared_arena_alloc(arena, 8, 8) != NULL);
    uint64_t end = atomic_exchange(&arena->state->end, MP_ARENA_BUSY);
    CHECK(mp_shared_arena_alloc(arena, 8, 8) == NULL && mp_shared_arena_reset(arena) == MP_ERR_BUSY);
    CHECK(mp_shared_arena_rewind(arena, mark) == MP_ERR_BUSY && mp_shared_arena_mark(arena) == 0);
    MP_ArenaStats s;
    mp_shared_arena_stats(arena, &s);
    CHECK(s.allocations == 1 && s.failed_allocs == 0);
    atomic_store(&arena->state->end, end);
    CHECK(mp_shared_arena_rewind(arena, mark) == MP_OK && mp_shared_arena_reset(arena) == MP_OK);
    mp_shared_arena_destroy(arena);
}

/* ---------------- stalled: a holder stopped mid-move ---------------- */

static double ms_since(const struct timespec *t0) {
    struct timespec t1;
    timespec_get(&t1, TIME_UTC);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* How long a's alloc took to return NULL (-1 if it returned a slot). */
static double null_after_ms(MP_SharedPoolHolder *a) {
    struct timespec t0;
    timespec_get(&t0, TIME_UTC);
    void *p = mp_shared_pool_alloc(a);
    return p == NULL ? ms_since(&t0) : -1;
}

static void stalled(void) {
    MP_SharedPool *pool = mp_shared_pool_create(16, 4, 8, 3);
    MP_SharedPoolHolder *a = mp_shared_pool_attach(pool, NULL), *b = mp_shared_pool_attach(pool, NULL);
    void *slots[4];
    CHECK(mp_shared_pool_alloc_many(a, slots, 4) == 4);
    /* Nothing moves: full at once. */
    double ms = null_after_ms(a);
    CHECK(ms >= 0 && ms < 45);
    /* b stopped between its two marks of a move (as a thread killed mid-refill leaves it). */
    _Atomic uint32_t *moves = &b->record->moves;
    uint32_t before = atomic_load(moves);
    CHECK((before & 1u) == 0);
    atomic_store(moves, before + 1);
    ms = null_after_ms(a);
    CHECK(ms >= 45);
    ms = null_after_ms(a); /* that move is taken for stopped: not waited for again */
    CHECK(ms >= 0 && ms < 45);
    atomic_store(moves, before + 3); /* a later move of b: waited for again, once */
    ms = null_after_ms(a);
    CHECK(ms >= 45);
    ms = null_after_ms(a);
    CHECK(ms >= 0 && ms < 45);
    atomic_store(moves, before + 4); /* b's move ended */
    ms = null_after_ms(a);
    CHECK(ms >= 0 && ms < 45);
    /* b's stopped move is not a's: b does not wait for its own record. */
    atomic_store(moves, before + 5);
    CHECK(mp_shared_pool_free(a, slots[0]) == MP_OK && mp_shared_pool_free(a, slots[1]) == MP_OK);
    CHECK(mp_shared_pool_alloc(b) != NULL && mp_shared_pool_alloc(b) != NULL); /* stolen from a's cache */
    ms = null_after_ms(b);
    CHECK(ms >= 0 && ms < 45);
    MP_SharedPoolStats s;
    mp_shared_pool_stats(pool, &s);
    CHECK(s.failed_allocs == 7 && s.allocated == 4);
    mp_shared_pool_destroy(pool);
}

int main(void) {
    static const size_t geometries[][3] = {{64, 1000, 8}, {24, 50, 8}, {7, 33, 1}, {100, 5, 16}, {16, 200, 64}};
    for (size_t g = 0; g < sizeof geometries / sizeof geometries[0]; g++) {
        same_pool(geometries[g][0], geometries[g][1], geometries[g][2], 0x1234 + g);
    }
    same_arena(0x5678);
    holders();
    cached_exact();
    header();
    busy();
    stalled();
    printf("shared: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
