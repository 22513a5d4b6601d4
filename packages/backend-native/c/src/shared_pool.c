/*
 * The thread-safe pool (docs/SHARED.md, the same design as the js and wasm backends): per-holder
 * caches of free slots over one shared bookkeeping buffer, C11 atomics, lock-free.
 *
 * Every change of a slot's state is decided by ONE compare-and-swap on its live word, packed as
 * epoch << 10 | state << 8 | holder: FREE (any word of another epoch, or 0), LIVE, CACHED(h) (free,
 * in holder h's cache), STACKED (free, on the shared stack). Caches and the stack are hints that
 * the compare-and-swap validates:
 * - alloc pops its own cache (plain words only the owner writes) and swaps CACHED(h) -> LIVE; a
 *   stale entry (stolen meanwhile) fails and is dropped. An empty cache takes a batch off the shared
 *   stack, then the next untouched slot, then steals a slot parked in another holder's cache
 *   (CACHED(other) -> LIVE), and only then says "full". So a pair costs one compare-and-swap per
 *   call, on the slot's own word, and no slot is handed out twice (only a winner makes it LIVE).
 * - free swaps LIVE -> CACHED(h): of several frees of one pointer exactly one wins. A full cache
 *   moves its older half to the stack: each entry CACHED(h) -> STACKED (stale ones fail and drop),
 *   linked through next[], pushed with one compare-and-swap of the tagged 64-bit head. The last
 *   slot of a batch carries a flag in its word, so a popper knows where the batch ends.
 * - One holder alone: its cache is a LIFO, the older half goes to the stack and comes back in
 *   order: the unshared pool's offsets and stats. Fresh slots come from `untouched` a
 *   half-cache at a time into the (then empty) cache, lowest on top, so they still go out in
 *   ascending order, and the live words two holders use sit on different cache lines.
 * - A refill, a flush and a run taken from `untouched` leave their slots in neither a cache nor
 *   the stack nor `untouched` for a moment: the mover's `moves` word is odd meanwhile, and an alloc
 *   that would say "full" reads the others' words around its steal and searches again while one
 *   moved (50 ms at most for one move: its thread may have died mid-move). docs/SHARED.md.
 * - reset (quiescent) swaps the epoch to 0 while it works, so a call that meets it sees "busy",
 *   bumps the epoch (every word of the old one reads FREE) and empties stack and caches: O(holders).
 */
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#if defined(__unix__) || defined(__APPLE__)
#include <sched.h>
/* Lets the holder being waited for run (C11's thrd_yield is optional, and older glibc keeps it in
 * libpthread, which a caller of the plain allocators does not link). */
#define MP_YIELD() ((void)sched_yield())
#else
#define MP_YIELD() ((void)0)
#endif

#include "mp_internal.h"
#include "shared_header.h"

#define RELAXED memory_order_relaxed
#define CACHE MP_SHARED_CACHE_SLOTS
#define HALF (CACHE / 2)

#define EPOCH_SHIFT 10u
#define EPOCH_LIMIT (1u << 22) /* epochs run from 1 to EPOCH_LIMIT - 1 */
#define W_LIVE (1u << 8)
#define W_CACHED (2u << 8)
#define W_STACKED (3u << 8)
#define W_PENDING (W_LIVE | 0xFFu) /* claimed by a free_many still checking its batch */
#define W_LAST 1u                  /* STACKED: the last slot of its batch */
#define TAG_STEP ((uint64_t)1 << 32)
/* How long a full-looking alloc waits for another holder's move to end before taking that holder
 * for stopped mid-move (its thread died) and not waiting for that move again. A move that runs
 * takes well under a microsecond, unless the OS deschedules its thread. */
#define STALLED_MOVE_NS 50000000u

/* A holder's record in the bookkeeping: its own cache lines. */
struct mp_holder_record {
    _Atomic uint32_t claimed;
    _Atomic uint32_t count; /* entries in the cache (others read it when they steal) */
    /* Written by the owner only (a relaxed load and store, no read-modify-write); stats sums them. */
    _Atomic uint64_t alloc_count, free_count, failed_allocs;
    /* This holder's allocs minus its frees since reset (negative when it frees others' slots) and
     * the highest it reached: with one holder, the pool's allocated count and its peak. */
    _Atomic int64_t level, peak;
    /* Odd while this holder moves slots between its cache and the stack or `untouched` (they are
     * then in neither place): one more at the start of each move and at its end. Owner-written. */
    _Atomic uint32_t moves;
    unsigned char pad[64 - 52];
    _Atomic uint32_t entries[CACHE]; /* slot indices, the last freed on top */
};
_Static_assert(sizeof(struct mp_holder_record) == 192, "three cache lines");

/* The shared words after the header, each group on its own line. */
struct mp_pool_state {
    _Atomic uint32_t epoch; /* read by every call, written by reset only; 0 while a reset runs */
    unsigned char pad0[60];
    _Atomic uint32_t untouched; /* next slot never handed out since creation or reset */
    uint32_t peak_before;       /* reset's only */
    uint64_t released_by_reset; /* reset's only */
    _Atomic uint64_t retired_alloc, retired_free, retired_failed; /* detached holders' counters */
    _Atomic uint64_t retired_peak; /* the sum of detached holders' peaks since reset */
    unsigned char pad1[64 - 48];
    _Atomic uint64_t head; /* tag << 32 | (first slot of the top batch + 1), 0 when empty */
    unsigned char pad2[56];
};
_Static_assert(sizeof(struct mp_pool_state) == 192, "three cache lines");

/* header | state | records[max_holders] | live[capacity] | next[capacity] */
#define STATE_AT sizeof(struct mp_shared_header)
#define RECORDS_AT (STATE_AT + sizeof(struct mp_pool_state))

struct MP_SharedPoolHolder {
    _Atomic uint32_t *live;
    struct mp_holder_record *record;
    unsigned char *first_slot;
    _Atomic uint32_t *epoch;
    size_t slot_size, slot_inverse;
    uint32_t capacity, data_offset;
    uint32_t cached_bits; /* W_CACHED | id */
    uint8_t slot_shift;
    MP_SharedPool *pool;
    uint32_t *stalled; /* [max_holders]: per record, the odd `moves` this holder stopped waiting for */
};

struct MP_SharedPool {
    unsigned char *base;
    size_t memory_bytes;
    struct mp_pool_state *state;
    struct mp_holder_record *records;
    _Atomic uint32_t *live, *next;
    size_t object_size, slot_size, slot_inverse;
    uint32_t capacity, data_offset, max_holders;
    uint8_t slot_shift;
    void *bookkeeping;
    struct mp_owned owned;         /* what mp_shared_pool_create allocated */
    uint32_t *stalled;             /* [max_holders * max_holders], each holder's row after holders[] */
    MP_SharedPoolHolder holders[];      /* [max_holders], this handle's views of the records */
};

size_t mp_shared_pool_bookkeeping_bytes(size_t capacity, size_t max_holders) {
    if (max_holders == 0) max_holders = MP_SHARED_DEFAULT_HOLDERS;
    if (capacity == 0 || capacity > MP_MAX_CAPACITY || max_holders > MP_SHARED_MAX_HOLDERS) return 0;
    size_t fixed = RECORDS_AT + max_holders * sizeof(struct mp_holder_record);
    if (capacity > (SIZE_MAX - fixed - MP_SHARED_LINE) / (2 * sizeof(uint32_t))) return 0;
    size_t bytes = fixed + 2 * sizeof(uint32_t) * capacity;
    return (bytes + (MP_SHARED_LINE - 1)) & ~(size_t)(MP_SHARED_LINE - 1);
}

/* A handle over verified (or freshly written) bookkeeping. */
static MP_SharedPool *mp_pool_handle(unsigned char *memory, size_t memory_bytes, unsigned char *bookkeeping,
                                     const struct mp_shared_header *h) {
    size_t views = sizeof(MP_SharedPool) + h->max_holders * sizeof(MP_SharedPoolHolder);
    MP_SharedPool *pool = calloc(1, views + (size_t)h->max_holders * h->max_holders * sizeof(uint32_t));
    if (pool == NULL) return NULL;
    pool->stalled = (uint32_t *)(void *)((unsigned char *)pool + views);
    pool->base = memory;
    pool->memory_bytes = memory_bytes;
    pool->bookkeeping = bookkeeping;
    pool->state = (struct mp_pool_state *)(void *)(bookkeeping + STATE_AT);
    pool->records = (struct mp_holder_record *)(void *)(bookkeeping + RECORDS_AT);
    pool->live = (_Atomic uint32_t *)(void *)(pool->records + h->max_holders);
    pool->next = pool->live + h->capacity;
    pool->object_size = (size_t)h->object_size;
    pool->slot_size = (size_t)h->slot_size;
    pool->capacity = (uint32_t)h->capacity;
    pool->data_offset = (uint32_t)h->data_offset;
    pool->max_holders = h->max_holders;
    pool->slot_inverse = mp_slot_inverse(pool->slot_size, &pool->slot_shift);
    return pool;
}

MP_SharedPool *mp_shared_pool_create_in(void *memory, size_t memory_bytes, void *bookkeeping, size_t bookkeeping_bytes,
                                        size_t object_size, size_t capacity, size_t align, size_t max_holders,
                                        int *status) {
    size_t slot_size = 0, data_offset = 0;
    size_t byte_length = mp_pool_geometry(object_size, capacity, &align, &slot_size, &data_offset);
    if (max_holders == 0) max_holders = MP_SHARED_DEFAULT_HOLDERS;
    size_t needed = mp_shared_pool_bookkeeping_bytes(capacity, max_holders);
    if (memory == NULL || bookkeeping == NULL) return mp_status(status, MP_ERR_NULL_POINTER), NULL;
    if (byte_length == 0 || needed == 0 || memory_bytes < byte_length) return mp_status(status, MP_ERR_INVALID_ARGUMENT), NULL;
    int checked = mp_shared_buffers_check(memory, memory_bytes, bookkeeping, bookkeeping_bytes, needed);
    if (checked != MP_OK) return mp_status(status, checked), NULL;
    struct mp_shared_header h;
    memset(&h, 0, sizeof h);
    h.kind = MP_SHARED_KIND_POOL;
    h.align = (uint32_t)align;
    h.object_size = object_size;
    h.slot_size = slot_size;
    h.capacity = capacity;
    h.data_offset = data_offset;
    h.memory_bytes = memory_bytes;
    h.bookkeeping_bytes = needed;
    h.max_holders = (uint32_t)max_holders;
    h.cache_slots = CACHE;
    MP_SharedPool *pool = mp_pool_handle(memory, memory_bytes, bookkeeping, &h);
    if (pool == NULL) return mp_status(status, MP_ERR_OUT_OF_MEMORY), NULL;
    /* Caller memory holds anything: every word starts at 0 (FREE, unclaimed, empty). A zero byte
     * pattern is the value 0 of the lock-free atomic integers on every target we build for. */
    memset((unsigned char *)bookkeeping + STATE_AT, 0, needed - STATE_AT);
    atomic_store_explicit(&pool->state->epoch, 1, RELAXED);
    mp_header_seal(bookkeeping, &h);
    atomic_thread_fence(memory_order_release);
    mp_status(status, MP_OK);
    return pool;
}

MP_SharedPool *mp_shared_pool_create(size_t object_size, size_t capacity, size_t align, size_t max_holders) {
    size_t slot_size = 0, data_offset = 0, normal = align;
    size_t byte_length = mp_pool_geometry(object_size, capacity, &normal, &slot_size, &data_offset);
    size_t needed = mp_shared_pool_bookkeeping_bytes(capacity, max_holders);
    struct mp_owned o;
    unsigned char *memory, *bookkeeping;
    if (byte_length == 0 || needed == 0 || !mp_owned_new(&o, byte_length, data_offset, &memory, needed, &bookkeeping)) {
        return NULL;
    }
    MP_SharedPool *pool = mp_shared_pool_create_in(memory, byte_length, bookkeeping, needed, object_size, capacity, align,
                                                  max_holders, NULL);
    if (pool != NULL) pool->owned = o;
    else mp_owned_free(&o);
    return pool;
}

MP_SharedPool *mp_shared_pool_open(void *memory, size_t memory_bytes, void *bookkeeping, size_t bookkeeping_bytes,
                                   int *status) {
    struct mp_shared_header h;
    int read = mp_header_read(memory, bookkeeping, bookkeeping_bytes, MP_SHARED_KIND_POOL, memory_bytes, &h);
    if (read != MP_OK) return mp_status(status, read), NULL;
    /* The geometry must be what the creator would have computed from its own arguments. */
    size_t align = h.align, slot_size = 0, data_offset = 0;
    size_t byte_length = h.align == 0 || (uint64_t)(size_t)h.object_size != h.object_size || h.capacity > MP_MAX_CAPACITY
                             ? 0
                             : mp_pool_geometry((size_t)h.object_size, (size_t)h.capacity, &align, &slot_size, &data_offset);
    if (byte_length == 0 || align != h.align || slot_size != h.slot_size || data_offset != h.data_offset ||
        memory_bytes < byte_length || h.max_holders == 0 || h.max_holders > MP_SHARED_MAX_HOLDERS ||
        h.cache_slots != CACHE || h.bookkeeping_bytes != mp_shared_pool_bookkeeping_bytes((size_t)h.capacity, h.max_holders)) {
        return mp_status(status, MP_ERR_INVALID_ARGUMENT), NULL;
    }
    MP_SharedPool *pool = mp_pool_handle(memory, memory_bytes, bookkeeping, &h);
    if (pool == NULL) return mp_status(status, MP_ERR_OUT_OF_MEMORY), NULL;
    atomic_thread_fence(memory_order_acquire);
    mp_status(status, MP_OK);
    return pool;
}

void mp_shared_pool_destroy(MP_SharedPool *pool) {
    if (pool == NULL) return;
    mp_owned_free(&pool->owned);
    free(pool);
}

/* ---- counters: each written by one holder, so a relaxed load and store, no locked instruction ---- */

static inline void mp_count(_Atomic uint64_t *counter) {
    atomic_store_explicit(counter, atomic_load_explicit(counter, RELAXED) + 1, RELAXED);
}

static inline void mp_level_up(struct mp_holder_record *r) {
    int64_t level = atomic_load_explicit(&r->level, RELAXED) + 1;
    atomic_store_explicit(&r->level, level, RELAXED);
    if (level > atomic_load_explicit(&r->peak, RELAXED)) atomic_store_explicit(&r->peak, level, RELAXED);
}

static inline void mp_level_down(struct mp_holder_record *r) {
    atomic_store_explicit(&r->level, atomic_load_explicit(&r->level, RELAXED) - 1, RELAXED);
}

/* ---- moves: slots between a cache and the stack or `untouched` ---- */

/* Marks a move's start; returns the even value it ends with. The move's first writes that another
 * holder can read (the pop of the head, the CAS on `untouched`, a live word made STACKED, the
 * lowered count) release, and what a full-looking alloc read of them it read with acquire, so it
 * reads the mark, or a later value, when it sums the marks next. (No fences: TSan does not model
 * them.) */
static inline uint32_t mp_move_begin(struct mp_holder_record *r) {
    uint32_t moves = atomic_load_explicit(&r->moves, RELAXED);
    atomic_store_explicit(&r->moves, moves + 1, memory_order_seq_cst);
    return moves + 2;
}

/* Marks a move's end, after its cache count is published: who reads this value sees the slots. */
static inline void mp_move_end(struct mp_holder_record *r, uint32_t ended) {
    atomic_store_explicit(&r->moves, ended, memory_order_seq_cst);
}

/* ---- the shared stack of batches ---- */

/* Moves the cache's `take` oldest entries to the shared stack as one batch (the ones still CACHED
 * by this holder; stale entries are dropped). */
static void mp_flush(MP_SharedPoolHolder *h, uint32_t e, uint32_t take) {
    struct mp_holder_record *r = h->record;
    uint32_t count = atomic_load_explicit(&r->count, RELAXED);
    MP_ASSERT(take <= HALF && take <= count);
    uint32_t winners[HALF];
    uint32_t n = 0;
    uint32_t ended = mp_move_begin(r);
    for (uint32_t k = 0; k < take; k++) {
        uint32_t s = atomic_load_explicit(&r->entries[k], RELAXED);
        uint32_t expected = e | h->cached_bits;
        if (atomic_compare_exchange_strong_explicit(&h->live[s], &expected, e | W_STACKED, memory_order_release, RELAXED)) {
            winners[n++] = s;
        }
    }
    for (uint32_t k = take; k < count; k++) {
        atomic_store_explicit(&r->entries[k - take], atomic_load_explicit(&r->entries[k], RELAXED), RELAXED);
    }
    atomic_store_explicit(&r->count, count - take, memory_order_release);
    if (n == 0) {
        mp_move_end(r, ended);
        return;
    }
    /* The chain runs from the newest (the batch's first, on top) to the oldest (flagged last), so a
     * refill puts them back in the cache in the order they left it. */
    _Atomic uint32_t *next = h->pool->next;
    for (uint32_t i = n - 1; i > 0; i--) atomic_store_explicit(&next[winners[i]], winners[i - 1] + 1, RELAXED);
    atomic_store_explicit(&h->live[winners[0]], e | W_STACKED | W_LAST, RELAXED);
    _Atomic uint64_t *head = &h->pool->state->head;
    uint64_t old = atomic_load_explicit(head, RELAXED);
    uint64_t top;
    do {
        atomic_store_explicit(&next[winners[0]], (uint32_t)old, RELAXED);
        top = ((old & ~(uint64_t)0xFFFFFFFFu) + TAG_STEP) | ((uint64_t)winners[n - 1] + 1);
    } while (!atomic_compare_exchange_weak_explicit(head, &old, top, memory_order_release, RELAXED));
    mp_move_end(r, ended);
}

/* Pops the top batch into the (empty) cache: 1, or 0 when the stack is empty. */
static int mp_refill(MP_SharedPoolHolder *h, uint32_t e) {
    MP_SharedPool *pool = h->pool;
    _Atomic uint64_t *head = &pool->state->head;
    uint64_t old = atomic_load_explicit(head, memory_order_acquire);
    for (;;) {
        uint32_t first = (uint32_t)old;
        if (first == 0) return 0;
        /* Walk the batch; what it reads may be rewritten by others meanwhile, but then the head has
         * moved on (its tag at least) and the compare-and-swap below fails. */
        uint32_t chain[HALF];
        uint32_t n = 0, below = 0, s = first - 1;
        int whole = 0;
        while (s < h->capacity && n < HALF) {
            chain[n++] = s;
            uint32_t link = atomic_load_explicit(&pool->next[s], RELAXED);
            if (atomic_load_explicit(&h->live[s], RELAXED) == (e | W_STACKED | W_LAST)) {
                below = link;
                whole = 1;
                break;
            }
            s = link - 1;
        }
        if (!whole) {
            uint64_t again = atomic_load_explicit(head, memory_order_acquire);
            MP_ASSERT(again != old);
            if (again == old) return 0; /* only a bookkeeping overwritten from outside gets here */
            old = again;
            continue;
        }
        uint64_t top = ((old & ~(uint64_t)0xFFFFFFFFu) + TAG_STEP) | below;
        /* Marked before the pop: a holder that reads the stack without this batch reads the mark. */
        struct mp_holder_record *r = h->record;
        uint32_t ended = mp_move_begin(r);
        if (!atomic_compare_exchange_weak_explicit(head, &old, top, memory_order_acq_rel, memory_order_acquire)) {
            mp_move_end(r, ended);
            continue;
        }
        /* The batch is ours: nobody else writes a STACKED word. */
        for (uint32_t i = 0; i < n; i++) {
            uint32_t slot = chain[n - 1 - i];
            atomic_store_explicit(&h->live[slot], e | h->cached_bits, RELAXED);
            atomic_store_explicit(&r->entries[i], slot, RELAXED);
        }
        atomic_store_explicit(&r->count, n, RELAXED);
        mp_move_end(r, ended);
        return 1;
    }
}

/* ---- alloc ---- */

/* The top live entry of the cache made LIVE, or MP_NO_INDEX once the cache is empty. */
static inline uint32_t mp_cache_take(MP_SharedPoolHolder *h, uint32_t e) {
    struct mp_holder_record *r = h->record;
    uint32_t n = atomic_load_explicit(&r->count, RELAXED);
    while (n > 0) {
        n--;
        uint32_t s = atomic_load_explicit(&r->entries[n], RELAXED);
        atomic_store_explicit(&r->count, n, RELAXED);
        uint32_t expected = e | h->cached_bits;
        if (MP_LIKELY(atomic_compare_exchange_strong_explicit(&h->live[s], &expected, e | W_LIVE, memory_order_acquire,
                                                              RELAXED))) {
            return s;
        }
    }
    return MP_NO_INDEX;
}

/* A slot parked in another holder's cache, made LIVE, or MP_NO_INDEX. Reads other holders' words
 * racily: every index is bounds-checked, and only the compare-and-swap decides. */
static uint32_t mp_steal(MP_SharedPoolHolder *h, uint32_t e) {
    MP_SharedPool *pool = h->pool;
    for (uint32_t id = 0; id < pool->max_holders; id++) {
        struct mp_holder_record *other = &pool->records[id];
        if (other == h->record || atomic_load_explicit(&other->claimed, RELAXED) == 0) continue;
        uint32_t n = atomic_load_explicit(&other->count, memory_order_acquire);
        if (n > CACHE) n = CACHE;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t s = atomic_load_explicit(&other->entries[k], RELAXED);
            uint32_t expected = e | W_CACHED | id;
            if (s < h->capacity && atomic_compare_exchange_strong_explicit(&h->live[s], &expected, e | W_LIVE,
                                                                           memory_order_acquire, memory_order_acquire)) {
                return s;
            }
        }
    }
    return MP_NO_INDEX;
}

/* Moves up to HALF untouched slots into the (empty) cache, the lowest on top: 1, or 0 when every
 * slot has been handed out since reset. A run of consecutive slots keeps one holder's live words
 * on cache lines of their own. */
static int mp_take_untouched(MP_SharedPoolHolder *h, uint32_t e) {
    _Atomic uint32_t *untouched = &h->pool->state->untouched;
    struct mp_holder_record *r = h->record;
    uint32_t u = atomic_load_explicit(untouched, memory_order_acquire), k, ended;
    for (;;) {
        if (u >= h->capacity) return 0;
        k = h->capacity - u < HALF ? h->capacity - u : HALF;
        /* Marked before the run leaves `untouched`: it is in neither place until the count is out. */
        ended = mp_move_begin(r);
        if (atomic_compare_exchange_weak_explicit(untouched, &u, u + k, memory_order_release, memory_order_acquire)) break;
        mp_move_end(r, ended);
    }
    MP_ASSERT(atomic_load_explicit(&r->count, RELAXED) == 0);
    for (uint32_t j = 0; j < k; j++) {
        uint32_t slot = u + k - 1 - j;
        /* Its word is of an older epoch (or 0): nobody else can reach the slot yet. */
        atomic_store_explicit(&h->live[slot], e | h->cached_bits, RELAXED);
        atomic_store_explicit(&r->entries[j], slot, RELAXED);
    }
    atomic_store_explicit(&r->count, k, RELAXED);
    mp_move_end(r, ended);
    return 1;
}

/* The sum of the other records' `moves` (it changes whenever one of their moves starts or ends),
 * and in *moving whether one of the values read is a move this holder has not stopped waiting
 * for. Both come from the same reads: a second look could find that move ended and its slots
 * already taken by someone else, and find the pool full when it was not at the first look. */
static uint32_t mp_others_moves(const MP_SharedPoolHolder *h, int *moving) {
    const MP_SharedPool *pool = h->pool;
    uint32_t sum = 0;
    int odd = 0;
    for (uint32_t id = 0; id < pool->max_holders; id++) {
        if (&pool->records[id] == h->record) continue;
        uint32_t moves = atomic_load_explicit(&pool->records[id].moves, memory_order_seq_cst);
        sum += moves;
        odd |= (moves & 1u) != 0 && moves != h->stalled[id];
    }
    *moving = odd;
    return sum;
}

/* Takes every holder now in a move for stopped: this holder no longer waits for those moves (a
 * later move of theirs is another value, waited for again). */
static void mp_stop_waiting(MP_SharedPoolHolder *h) {
    const MP_SharedPool *pool = h->pool;
    for (uint32_t id = 0; id < pool->max_holders; id++) {
        uint32_t moves = atomic_load_explicit(&pool->records[id].moves, memory_order_seq_cst);
        if ((moves & 1u) != 0) h->stalled[id] = moves;
    }
}

static uint64_t mp_now_ns(void) {
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) != TIME_UTC) return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* alloc once the cache is empty: stack, untouched, steal, then full, unless another holder's move
 * (slots in neither a cache nor the stack nor `untouched`) overlapped the search: then again. */
MP_COLD static uint32_t mp_alloc_slow(MP_SharedPoolHolder *h, uint32_t epoch) {
    if (epoch == 0) return MP_NO_INDEX; /* a reset is under way: nothing handed out, nothing counted */
    uint32_t e = epoch << EPOCH_SHIFT;
    _Atomic uint64_t *head = &h->pool->state->head;
    uint64_t waiting_since = 0;
    int waiting = 0;
    for (;;) {
        uint32_t s;
        while (mp_refill(h, e) || mp_take_untouched(h, e)) {
            if ((s = mp_cache_take(h, e)) != MP_NO_INDEX) return s;
        }
        uint64_t seen = atomic_load_explicit(head, memory_order_acquire);
        if ((uint32_t)seen != 0) continue; /* a batch pushed since the refill looked */
        /* Whoever moved the head or `untouched` to what was read marked its move before (see
         * mp_move_begin): read the marks now, and again after the steal (a move that ended in
         * between changes them; one under way leaves them odd). */
        int moving;
        uint32_t moves = mp_others_moves(h, &moving);
        if ((s = mp_steal(h, e)) != MP_NO_INDEX) return s;
        if (mp_others_moves(h, &moving) != moves || atomic_load_explicit(head, memory_order_acquire) != seen) continue;
        if (moving) {
            uint64_t now = mp_now_ns();
            if (!waiting || now < waiting_since) waiting_since = now;
            waiting = 1;
            if (now != 0 && now - waiting_since < STALLED_MOVE_NS) { /* 0: no clock, no wait */
                MP_YIELD();
                continue;
            }
            mp_stop_waiting(h);
        }
        mp_count(&h->record->failed_allocs);
        return MP_NO_INDEX;
    }
}

/* The slot index handed out, or MP_NO_INDEX. static inline: each entry point is one function. */
static inline uint32_t mp_holder_alloc(MP_SharedPoolHolder *h) {
    uint32_t epoch = atomic_load_explicit(h->epoch, RELAXED);
    uint32_t s = mp_cache_take(h, epoch << EPOCH_SHIFT);
    if (s == MP_NO_INDEX) s = mp_alloc_slow(h, epoch);
    if (s != MP_NO_INDEX) {
        mp_count(&h->record->alloc_count);
        mp_level_up(h->record);
    }
    return s;
}

void *mp_shared_pool_alloc(MP_SharedPoolHolder *holder) {
    if (holder == NULL) return NULL;
    uint32_t s = mp_holder_alloc(holder);
    return s == MP_NO_INDEX ? NULL : holder->first_slot + (size_t)s * holder->slot_size;
}

size_t mp_shared_pool_alloc_offset(MP_SharedPoolHolder *holder) {
    if (holder == NULL) return 0;
    uint32_t s = mp_holder_alloc(holder);
    return s == MP_NO_INDEX ? 0 : holder->data_offset + (size_t)s * holder->slot_size;
}

size_t mp_shared_pool_alloc_many(MP_SharedPoolHolder *holder, void **out, size_t count) {
    if (holder == NULL || out == NULL) return 0;
    size_t placed = 0;
    while (placed < count) {
        void *ptr = mp_shared_pool_alloc(holder);
        if (ptr == NULL) break;
        out[placed++] = ptr;
    }
    return placed;
}

/* ---- free ---- */

/* Puts slot s (now CACHED by this holder) on top of the cache, moving the older half out first
 * when it is full. */
static inline void mp_cache_put(MP_SharedPoolHolder *h, uint32_t e, uint32_t s) {
    struct mp_holder_record *r = h->record;
    uint32_t n = atomic_load_explicit(&r->count, RELAXED);
    if (n == CACHE) {
        mp_flush(h, e, HALF);
        n = atomic_load_explicit(&r->count, RELAXED);
    }
    atomic_store_explicit(&r->entries[n], s, RELAXED);
    atomic_store_explicit(&r->count, n + 1, RELAXED);
    mp_count(&r->free_count);
    mp_level_down(r);
}

/* Why a free was refused: not a slot, a reset under way, or a slot that is not live. */
MP_COLD static int mp_free_refused(const MP_SharedPoolHolder *h, uint32_t index) {
    if (index == MP_NO_INDEX) return MP_ERR_INVALID_HANDLE;
    return atomic_load_explicit(h->epoch, RELAXED) == 0 ? MP_ERR_BUSY : MP_ERR_DOUBLE_FREE;
}

static inline uint32_t mp_holder_index(const MP_SharedPoolHolder *h, size_t rel) {
    return mp_slot_quotient(rel, h->slot_size, h->slot_inverse, h->slot_shift, h->capacity);
}

static inline int mp_holder_free(MP_SharedPoolHolder *h, size_t rel) {
    uint32_t index = mp_holder_index(h, rel);
    if (index == MP_NO_INDEX) return mp_free_refused(h, index);
    uint32_t e = atomic_load_explicit(h->epoch, RELAXED) << EPOCH_SHIFT;
    uint32_t expected = e | W_LIVE;
    if (!atomic_compare_exchange_strong_explicit(&h->live[index], &expected, e | h->cached_bits, memory_order_release,
                                                 RELAXED)) {
        return mp_free_refused(h, index);
    }
    mp_cache_put(h, e, index);
    return MP_OK;
}

int mp_shared_pool_free(MP_SharedPoolHolder *holder, void *ptr) {
    if (holder == NULL) return MP_ERR_NULL_POINTER;
    if (ptr == NULL) return MP_OK;
    return mp_holder_free(holder, (size_t)((uintptr_t)ptr - (uintptr_t)holder->first_slot));
}

int mp_shared_pool_free_offset(MP_SharedPoolHolder *holder, size_t offset) {
    if (holder == NULL) return MP_ERR_NULL_POINTER;
    return mp_holder_free(holder, offset - holder->data_offset);
}

/* Pass 1 claims every entry (LIVE -> PENDING, so a duplicate or another thread's free reads as a
 * double free) and gives the claims back on the first refusal; pass 2 frees them in order. */
int mp_shared_pool_free_many(MP_SharedPoolHolder *holder, void *const *ptrs, size_t count, size_t *bad_index) {
    if (holder == NULL || (ptrs == NULL && count > 0)) return MP_ERR_NULL_POINTER;
    MP_SharedPoolHolder *h = holder;
    uint32_t e = atomic_load_explicit(h->epoch, RELAXED) << EPOCH_SHIFT;
    for (size_t k = 0; k < count; k++) {
        uint32_t index = ptrs[k] == NULL ? MP_NO_INDEX : mp_holder_index(h, (size_t)((uintptr_t)ptrs[k] - (uintptr_t)h->first_slot));
        uint32_t expected = e | W_LIVE;
        if (index != MP_NO_INDEX &&
            atomic_compare_exchange_strong_explicit(&h->live[index], &expected, e | W_PENDING, RELAXED, RELAXED)) {
            continue;
        }
        for (size_t j = 0; j < k; j++) {
            uint32_t claimed = mp_holder_index(h, (size_t)((uintptr_t)ptrs[j] - (uintptr_t)h->first_slot));
            uint32_t pending = e | W_PENDING;
            if (claimed != MP_NO_INDEX) {
                atomic_compare_exchange_strong_explicit(&h->live[claimed], &pending, e | W_LIVE, RELAXED, RELAXED);
            }
        }
        if (bad_index != NULL) *bad_index = k;
        return mp_free_refused(h, index);
    }
    for (size_t k = 0; k < count; k++) {
        uint32_t index = mp_holder_index(h, (size_t)((uintptr_t)ptrs[k] - (uintptr_t)h->first_slot));
        uint32_t pending = e | W_PENDING;
        if (index != MP_NO_INDEX && atomic_compare_exchange_strong_explicit(&h->live[index], &pending, e | h->cached_bits,
                                                                            memory_order_release, RELAXED)) {
            mp_cache_put(h, e, index);
        }
    }
    return MP_OK;
}

/* ---- holders ---- */

MP_SharedPoolHolder *mp_shared_pool_attach(MP_SharedPool *pool, int *status) {
    if (pool == NULL) return mp_status(status, MP_ERR_NULL_POINTER), NULL;
    for (uint32_t id = 0; id < pool->max_holders; id++) {
        uint32_t unclaimed = 0;
        if (!atomic_compare_exchange_strong_explicit(&pool->records[id].claimed, &unclaimed, 1, memory_order_acq_rel,
                                                     RELAXED)) {
            continue;
        }
        struct mp_holder_record *r = &pool->records[id];
        atomic_store_explicit(&r->count, 0, RELAXED);
        atomic_store_explicit(&r->alloc_count, 0, RELAXED);
        atomic_store_explicit(&r->free_count, 0, RELAXED);
        atomic_store_explicit(&r->failed_allocs, 0, RELAXED);
        atomic_store_explicit(&r->level, 0, RELAXED);
        atomic_store_explicit(&r->peak, 0, RELAXED);
        MP_SharedPoolHolder *h = &pool->holders[id];
        *h = (MP_SharedPoolHolder){
            .live = pool->live,
            .record = r,
            .first_slot = pool->base + pool->data_offset,
            .epoch = &pool->state->epoch,
            .slot_size = pool->slot_size,
            .slot_inverse = pool->slot_inverse,
            .capacity = pool->capacity,
            .data_offset = pool->data_offset,
            .cached_bits = W_CACHED | id,
            .slot_shift = pool->slot_shift,
            .pool = pool,
            .stalled = pool->stalled + (size_t)id * pool->max_holders,
        };
        memset(h->stalled, 0, pool->max_holders * sizeof *h->stalled); /* 0 is even: no move */
        mp_status(status, MP_OK);
        return h;
    }
    /* Every record taken (as js and wasm): busy until a holder detaches. */
    return mp_status(status, MP_ERR_BUSY), NULL;
}

int mp_shared_pool_detach(MP_SharedPoolHolder *holder) {
    if (holder == NULL) return MP_ERR_NULL_POINTER;
    struct mp_holder_record *r = holder->record;
    if (r == NULL) return MP_ERR_INVALID_HANDLE;
    uint32_t epoch = atomic_load_explicit(holder->epoch, RELAXED);
    if (epoch == 0) return MP_ERR_BUSY;
    uint32_t e = epoch << EPOCH_SHIFT;
    for (uint32_t n; (n = atomic_load_explicit(&r->count, RELAXED)) > 0;) mp_flush(holder, e, n < HALF ? n : HALF);
    struct mp_pool_state *st = holder->pool->state;
    atomic_fetch_add_explicit(&st->retired_alloc, atomic_load_explicit(&r->alloc_count, RELAXED), RELAXED);
    atomic_fetch_add_explicit(&st->retired_free, atomic_load_explicit(&r->free_count, RELAXED), RELAXED);
    atomic_fetch_add_explicit(&st->retired_failed, atomic_load_explicit(&r->failed_allocs, RELAXED), RELAXED);
    atomic_fetch_add_explicit(&st->retired_peak, (uint64_t)atomic_load_explicit(&r->peak, RELAXED), RELAXED);
    atomic_store_explicit(&r->alloc_count, 0, RELAXED);
    atomic_store_explicit(&r->free_count, 0, RELAXED);
    atomic_store_explicit(&r->failed_allocs, 0, RELAXED);
    holder->record = NULL;
    atomic_store_explicit(&r->claimed, 0, memory_order_release);
    return MP_OK;
}

/* ---- reset and stats ---- */

/* The counters summed over holders and retired ones. */
static void mp_sums(const MP_SharedPool *pool, uint64_t *allocs, uint64_t *frees, uint64_t *failed, size_t *cached,
                    size_t *holders, uint64_t *peak) {
    /* Frees first: every free counted had its allocation counted before it. */
    uint64_t f = atomic_load_explicit(&pool->state->retired_free, RELAXED);
    uint64_t a = atomic_load_explicit(&pool->state->retired_alloc, RELAXED);
    uint64_t x = atomic_load_explicit(&pool->state->retired_failed, RELAXED);
    uint64_t p = atomic_load_explicit(&pool->state->retired_peak, RELAXED);
    size_t c = 0, n = 0;
    for (uint32_t id = 0; id < pool->max_holders; id++) {
        struct mp_holder_record *r = &pool->records[id];
        if (atomic_load_explicit(&r->claimed, RELAXED) == 0) continue;
        n++;
        f += atomic_load_explicit(&r->free_count, RELAXED);
    }
    for (uint32_t id = 0; id < pool->max_holders; id++) {
        struct mp_holder_record *r = &pool->records[id];
        if (atomic_load_explicit(&r->claimed, RELAXED) == 0) continue;
        a += atomic_load_explicit(&r->alloc_count, RELAXED);
        x += atomic_load_explicit(&r->failed_allocs, RELAXED);
        int64_t holder_peak = atomic_load_explicit(&r->peak, RELAXED);
        p += holder_peak > 0 ? (uint64_t)holder_peak : 0;
        /* The entries whose slot is still parked there (a stolen one's word says otherwise). */
        uint32_t count = atomic_load_explicit(&r->count, RELAXED);
        uint32_t parked = (atomic_load_explicit(&pool->state->epoch, RELAXED) << EPOCH_SHIFT) | W_CACHED | id;
        for (uint32_t k = 0; k < count && k < CACHE; k++) {
            uint32_t s = atomic_load_explicit(&r->entries[k], RELAXED);
            c += s < pool->capacity && atomic_load_explicit(&pool->live[s], RELAXED) == parked;
        }
    }
    *allocs = a;
    *frees = f;
    *failed = x;
    *cached = c;
    *holders = n;
    *peak = p < pool->capacity ? p : pool->capacity;
}

int mp_shared_pool_reset(MP_SharedPool *pool) {
    if (pool == NULL) return MP_ERR_NULL_POINTER;
    struct mp_pool_state *st = pool->state;
    uint32_t epoch = atomic_load_explicit(&st->epoch, memory_order_acquire);
    if (epoch == 0 || !atomic_compare_exchange_strong_explicit(&st->epoch, &epoch, 0, memory_order_acq_rel, RELAXED)) {
        return MP_ERR_BUSY;
    }
    uint64_t allocs, frees, failed, peak;
    size_t cached, holders;
    mp_sums(pool, &allocs, &frees, &failed, &cached, &holders, &peak);
    st->released_by_reset = allocs - frees;
    if (peak > st->peak_before) st->peak_before = (uint32_t)peak;
    atomic_store_explicit(&st->untouched, 0, RELAXED);
    atomic_store_explicit(&st->retired_peak, 0, RELAXED);
    uint64_t head = atomic_load_explicit(&st->head, RELAXED);
    atomic_store_explicit(&st->head, (head & ~(uint64_t)0xFFFFFFFFu) + TAG_STEP, RELAXED);
    for (uint32_t id = 0; id < pool->max_holders; id++) {
        atomic_store_explicit(&pool->records[id].count, 0, RELAXED);
        atomic_store_explicit(&pool->records[id].level, 0, RELAXED);
        atomic_store_explicit(&pool->records[id].peak, 0, RELAXED);
    }
    uint32_t next = epoch + 1;
    if (next == EPOCH_LIMIT) {
        /* Once every 2^22 - 2 resets: words of an old round could match the new epoch. */
        next = 1;
        for (uint32_t i = 0; i < pool->capacity; i++) atomic_store_explicit(&pool->live[i], 0, RELAXED);
    }
    atomic_store_explicit(&st->epoch, next, memory_order_release);
    return MP_OK;
}

int mp_shared_pool_stats(const MP_SharedPool *pool, MP_SharedPoolStats *out) {
    int status = mp_stats_begin(out, sizeof *out, pool);
    if (status != MP_OK) return status;
    uint64_t allocs, frees, failed, peak;
    size_t cached, holders;
    mp_sums(pool, &allocs, &frees, &failed, &cached, &holders, &peak);
    uint64_t settled = frees + pool->state->released_by_reset;
    uint64_t allocated = allocs <= settled ? 0 : allocs - settled;
    if (allocated > pool->capacity) allocated = pool->capacity;
    out->object_size = pool->object_size;
    out->slot_size = pool->slot_size;
    out->capacity = pool->capacity;
    out->allocated = (size_t)allocated;
    out->available = pool->capacity - (size_t)allocated;
    out->peak_allocated = peak > pool->state->peak_before ? (size_t)peak : pool->state->peak_before;
    out->alloc_count = (size_t)allocs;
    out->free_count = (size_t)frees;
    out->failed_allocs = (size_t)failed;
    /* A slot freed again by the holder it was stolen from can sit twice in that cache: clamp. */
    out->cached = cached < out->available ? cached : out->available;
    out->holders = holders;
    return MP_OK;
}

void *mp_shared_pool_base(const MP_SharedPool *pool) { return pool == NULL ? NULL : pool->base; }

size_t mp_shared_pool_byte_length(const MP_SharedPool *pool) {
    return pool == NULL ? 0 : pool->data_offset + (size_t)pool->capacity * pool->slot_size;
}

size_t mp_shared_pool_data_offset(const MP_SharedPool *pool) { return pool == NULL ? 0 : pool->data_offset; }

size_t mp_shared_pool_slot_size(const MP_SharedPool *pool) { return pool == NULL ? 0 : pool->slot_size; }

void *mp_shared_pool_bookkeeping(const MP_SharedPool *pool) { return pool == NULL ? NULL : pool->bookkeeping; }
