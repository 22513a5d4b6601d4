/*
 * The thread-safe allocators under real concurrency: `make test` runs this under ThreadSanitizer
 * and under AddressSanitizer + UndefinedBehaviorSanitizer.
 *
 *   pool   THREADS threads (more than the cores), each through its own holder, x OPS random
 *          operations on one shared pool too small for all of them (so it runs full when they
 *          overlap, and allocs take slots parked in other holders' caches): single alloc/free and
 *          batches; then the same on a pool of 4 slots, where every call meets every other. Half
 *          of the threads detach and attach a new holder mid-run. Each thread stamps every slot
 *          it holds with its id and a sequence number and checks the stamp before freeing it, so
 *          a slot handed out twice shows up as a stamp overwritten (and, under TSan, as a data
 *          race). The odd threads end without detaching (as a killed worker would). At the end:
 *          every free returned MP_OK, the stats add up (allocated 0, alloc_count = free_count =
 *          the threads' successes, failed_allocs = their failures), and a new holder gets all
 *          `capacity` slots back, distinct, though many sit in abandoned caches (full means full).
 *   parked THREADS threads each allocate and free PARKED slots (which stay in their caches) and
 *          end without detaching: one more holder still gets every slot, each once.
 *   race   RACE_ROUNDS rounds of RACERS threads, each with its own holder, freeing the same live
 *          offset at once, half of them through free_many: exactly one MP_OK per round, the rest
 *          MP_ERR_DOUBLE_FREE.
 *   handoff PAIRS producers allocate slots and stamp them, PAIRS consumers (other threads) check
 *          the stamps and free the slots, OPS each through a ring per pair, on one pool with fewer
 *          slots than the rings hold: what one thread wrote must reach the next, through the pool.
 *   arena  THREADS threads x OPS random-sized, random-aligned allocations from one shared arena
 *          that fills up part-way; each fills its region with its own byte. At the end the
 *          regions are pairwise disjoint, aligned, inside the buffer, still hold their bytes, and
 *          the stats agree with the threads' counts.
 *
 * Usage: threads [seed] (a random seed by default; it is printed, and a failure names it).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memory_pool_core.h"
#include "random.h"

#define THREADS 8
#define OPS 100000
#define HELD 16            /* slots a thread holds at most */
#define POOL_CAPACITY 40   /* well below THREADS * HELD: the pool runs full (and the largest tested) */
#define RACERS 4
#define RACE_ROUNDS 5000
#define ARENA_BYTES (12u << 20)

static uint64_t g_seed;
static int g_failures;
static pthread_mutex_t g_report = PTHREAD_MUTEX_INITIALIZER;

static void fail(const char *what, unsigned thread, unsigned long long detail) {
    pthread_mutex_lock(&g_report);
    if (g_failures++ < 10) fprintf(stderr, "threads (seed %llu): thread %u: %s (%llu)\n", (unsigned long long)g_seed, thread, what, detail);
    pthread_mutex_unlock(&g_report);
}


/* ---------------- pool ---------------- */

typedef struct Stamp {
    uint32_t thread;
    uint32_t sequence;
    uint64_t check; /* ~(thread << 32 | sequence): a torn or foreign write does not match */
} Stamp;

typedef struct PoolWorker {
    MP_SharedPool *pool;
    MP_SharedPoolHolder *holder;
    unsigned id, held_max;
    pthread_t handle;
    size_t allocs, failed, frees;
} PoolWorker;

static void stamp(Stamp *slot, uint32_t thread, uint32_t sequence) {
    slot->thread = thread;
    slot->sequence = sequence;
    slot->check = ~(((uint64_t)thread << 32) | sequence);
}

static int stamp_holds(const Stamp *slot, uint32_t thread, uint32_t sequence) {
    return slot->thread == thread && slot->sequence == sequence && slot->check == ~(((uint64_t)thread << 32) | sequence);
}

static void *pool_worker(void *arg) {
    PoolWorker *w = arg;
    uint64_t rng = g_seed * 0x9E3779B97F4A7C15ULL + w->id + 1;
    Stamp *held[HELD];
    uint32_t sequence[HELD];
    unsigned count = 0;
    uint32_t next_sequence = 0;
    MP_SharedPoolHolder *holder = mp_shared_pool_attach(w->pool, NULL);
    if (holder == NULL) {
        fail("attach", w->id, 0);
        return NULL;
    }
    for (unsigned op = 0; op < OPS; op++) {
        uint64_t r = next_random(&rng);
        if (op == OPS / 2 && w->id % 2 == 0) { /* a holder detached mid-run, its cache given back */
            if (mp_shared_pool_detach(holder) != MP_OK) fail("detach", w->id, 0);
            if ((holder = mp_shared_pool_attach(w->pool, NULL)) == NULL) {
                fail("attach again", w->id, 0);
                return NULL;
            }
        }
        int want_alloc = count == 0 || (count < w->held_max && (r & 1));
        if (want_alloc && (r & 0x30) == 0 && count + 2 <= w->held_max) {
            void *pair[2];
            size_t placed = mp_shared_pool_alloc_many(holder, pair, 2);
            w->allocs += placed;
            if (placed < 2) w->failed++;
            for (size_t k = 0; k < placed; k++) {
                held[count] = pair[k];
                sequence[count] = next_sequence++;
                stamp(held[count], w->id, sequence[count]);
                count++;
            }
        } else if (want_alloc) {
            Stamp *slot = mp_shared_pool_alloc(holder);
            if (slot == NULL) {
                w->failed++;
                continue;
            }
            w->allocs++;
            held[count] = slot;
            sequence[count] = next_sequence++;
            stamp(slot, w->id, sequence[count]);
            count++;
        } else if ((r & 0x30) == 0 && count >= 2) {
            /* the last two, as one batch */
            for (unsigned k = count - 2; k < count; k++)
                if (!stamp_holds(held[k], w->id, sequence[k])) fail("stamp overwritten (batch)", w->id, sequence[k]);
            size_t bad = 0;
            int status = mp_shared_pool_free_many(holder, (void *const *)&held[count - 2], 2, &bad);
            if (status != MP_OK) fail("free_many refused a live pair", w->id, (unsigned long long)-status);
            else w->frees += 2;
            count -= 2;
        } else {
            unsigned k = (unsigned)((r >> 8) % count);
            if (!stamp_holds(held[k], w->id, sequence[k])) fail("stamp overwritten", w->id, sequence[k]);
            int status = mp_shared_pool_free(holder, held[k]);
            if (status != MP_OK) fail("free refused a live slot", w->id, (unsigned long long)-status);
            else w->frees++;
            held[k] = held[count - 1];
            sequence[k] = sequence[count - 1];
            count--;
        }
    }
    while (count > 0) {
        count--;
        if (!stamp_holds(held[count], w->id, sequence[count])) fail("stamp overwritten (drain)", w->id, sequence[count]);
        if (mp_shared_pool_free(holder, held[count]) != MP_OK) fail("free refused a live slot (drain)", w->id, count);
        else w->frees++;
    }
    /* The odd threads leave their holder attached, its cache full of free slots: a killed worker. */
    if (w->id % 2 == 0 && mp_shared_pool_detach(holder) != MP_OK) fail("detach at the end", w->id, 0);
    return NULL;
}

static int compare_pointers(const void *a, const void *b) {
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return x < y ? -1 : x > y;
}

/* `capacity` slots, each thread holding up to `held_max`: */
/* Every slot comes back to one more holder, each once (conservation), wherever the others left them. */
static void all_back(MP_SharedPool *pool, uint32_t capacity, const char *what) {
    MP_SharedPoolHolder *h = mp_shared_pool_attach(pool, NULL);
    void *all[POOL_CAPACITY + 1];
    size_t n = h == NULL ? 0 : mp_shared_pool_alloc_many(h, all, capacity + 1);
    if (n != capacity) fail(what, 0, n);
    qsort(all, n, sizeof all[0], compare_pointers);
    for (size_t i = 1; i < n; i++)
        if (all[i] == all[i - 1]) fail("conservation: a slot twice", 0, i);
    MP_SharedPoolStats s;
    mp_shared_pool_stats(pool, &s);
    if (s.allocated != capacity || s.available != 0) fail("all back: stats", 0, s.allocated);
}

static void pool_stress(uint32_t capacity, unsigned held_max) {
    MP_SharedPool *pool = mp_shared_pool_create(sizeof(Stamp), capacity, 8, 2 * THREADS);
    if (pool == NULL) {
        fail("mp_shared_pool_create", 0, 0);
        return;
    }
    PoolWorker workers[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        workers[i] = (PoolWorker){.pool = pool, .id = i, .held_max = held_max};
        if (pthread_create(&workers[i].handle, NULL, pool_worker, &workers[i]) != 0) fail("pthread_create", i, 0);
    }
    size_t allocs = 0, failed = 0, frees = 0;
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_join(workers[i].handle, NULL);
        allocs += workers[i].allocs;
        failed += workers[i].failed;
        frees += workers[i].frees;
    }
    MP_SharedPoolStats s;
    mp_shared_pool_stats(pool, &s);
    if (s.allocated != 0 || s.available != capacity) fail("quiescent stats: allocated", 0, s.allocated);
    if (s.holders != THREADS / 2) fail("quiescent stats: holders left attached", 0, s.holders);
    if (s.alloc_count != allocs || s.free_count != frees || allocs != frees) fail("quiescent stats: counts", 0, s.alloc_count);
    if (s.failed_allocs != failed) fail("quiescent stats: failed_allocs", 0, s.failed_allocs);
    /* (Whether it ran full depends on the schedule: reported, not required.) */
    if (s.peak_allocated > capacity) fail("peak past capacity", 0, s.peak_allocated);
    size_t cached = s.cached;
    all_back(pool, capacity, "conservation: slots back");
    printf("pool:  %d threads x %d ops, up to %u slots each: %zu allocs, %zu frees, %zu failed (pool full), peak %zu of %u, "
           "%zu left in abandoned caches, all back\n",
           THREADS, OPS, held_max, allocs, frees, failed, s.peak_allocated, (unsigned)capacity, cached);
    mp_shared_pool_destroy(pool);
}

/* ---------------- parked: slots in the caches of threads that are gone ---------------- */

#define PARKED 5 /* below the cache's size: no flush, every freed slot stays parked */

static void *parker(void *arg) {
    MP_SharedPool *pool = arg;
    MP_SharedPoolHolder *h = mp_shared_pool_attach(pool, NULL);
    void *mine[PARKED];
    if (h == NULL || mp_shared_pool_alloc_many(h, mine, PARKED) != PARKED) {
        fail("parked: alloc", 0, 0);
        return NULL;
    }
    for (int i = 0; i < PARKED; i++)
        if (mp_shared_pool_free(h, mine[i]) != MP_OK) fail("parked: free", 0, (unsigned long long)i);
    return NULL; /* no detach */
}

static void parked(void) {
    MP_SharedPool *pool = mp_shared_pool_create(sizeof(Stamp), THREADS * PARKED, 8, THREADS + 1);
    pthread_t threads[THREADS];
    for (unsigned i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, parker, pool);
    for (unsigned i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    MP_SharedPoolStats s;
    mp_shared_pool_stats(pool, &s);
    if (s.cached != THREADS * PARKED || s.allocated != 0) fail("parked: stats", 0, s.cached);
    all_back(pool, THREADS * PARKED, "parked: full before every slot was taken");
    printf("parked: %d threads left %d free slots each in their caches: all %d taken by one more holder\n", THREADS,
           PARKED, THREADS * PARKED);
    mp_shared_pool_destroy(pool);
}

/* ---------------- race: many threads free one offset ---------------- */

static MP_SharedPool *g_race_pool;
static MP_SharedPoolHolder *g_racers[RACERS];
static size_t g_race_offset;
static int g_race_status[RACERS];
/* The racers spin on `g_round` (a barrier's wake-ups come one by one) and the main thread races
 * too, right after it starts the round: with 2 cores, the racer spinning on the other core and
 * the main thread call free within nanoseconds of each other. `g_finished` counts them out. */
static _Atomic int g_round, g_finished;

static void race_once(unsigned id) {
    if (id % 2 == 0) {
        g_race_status[id] = mp_shared_pool_free_offset(g_racers[id], g_race_offset);
    } else {
        void *one = (unsigned char *)mp_shared_pool_base(g_race_pool) + g_race_offset;
        g_race_status[id] = mp_shared_pool_free_many(g_racers[id], &one, 1, NULL);
    }
    atomic_fetch_add(&g_finished, 1);
}

static void *racer(void *arg) {
    unsigned id = (unsigned)(uintptr_t)arg;
    for (int round = 1; round <= RACE_ROUNDS; round++) {
        for (unsigned spins = 0; atomic_load(&g_round) != round; spins++)
            if (spins > 256) sched_yield();
        race_once(id);
    }
    return NULL;
}

static void free_race(void) {
    g_race_pool = mp_shared_pool_create(32, 4, 8, RACERS);
    for (unsigned i = 0; i < RACERS; i++) g_racers[i] = mp_shared_pool_attach(g_race_pool, NULL);
    pthread_t racers[RACERS];
    for (unsigned i = 1; i < RACERS; i++) pthread_create(&racers[i], NULL, racer, (void *)(uintptr_t)i);
    int rounds_ok = 0;
    for (int round = 1; round <= RACE_ROUNDS; round++) {
        /* The freed slots sit in the racers' caches: after 4 rounds this alloc steals them. */
        g_race_offset = mp_shared_pool_alloc_offset(g_racers[0]);
        if (g_race_offset == 0) fail("race: pool full", 0, (unsigned long long)round);
        atomic_store(&g_finished, 0);
        atomic_store(&g_round, round);
        race_once(0);
        while (atomic_load(&g_finished) != RACERS) sched_yield();
        int ok = 0, double_free = 0;
        for (int i = 0; i < RACERS; i++) {
            ok += g_race_status[i] == MP_OK;
            double_free += g_race_status[i] == MP_ERR_DOUBLE_FREE;
        }
        if (ok == 1 && double_free == RACERS - 1) rounds_ok++;
        else fail("race: MP_OK count", 0, (unsigned long long)ok);
    }
    for (unsigned i = 1; i < RACERS; i++) pthread_join(racers[i], NULL);
    MP_SharedPoolStats s;
    mp_shared_pool_stats(g_race_pool, &s);
    if (s.allocated != 0 || s.free_count != RACE_ROUNDS) fail("race: stats", 0, s.free_count);
    printf("race:  %d threads free one offset, %d rounds: exactly one MP_OK in %d\n", RACERS, RACE_ROUNDS, rounds_ok);
    mp_shared_pool_destroy(g_race_pool);
}

/* ---------------- producer / consumer: one thread allocates and fills, another frees ---------------- */

#define PAIRS 2
#define RING 64 /* a power of two */

typedef struct Channel {
    MP_SharedPool *pool;
    unsigned id;
    pthread_t producer, consumer;
    _Atomic size_t head, tail; /* single producer, single consumer ring of offsets */
    size_t ring[RING];
    size_t produced, consumed;
} Channel;

/* The stamp of the n-th slot a channel's producer fills: the consumer can recompute it. */
static uint32_t channel_thread(const Channel *c) { return 1000 + c->id; }

static void *producer(void *arg) {
    Channel *c = arg;
    unsigned char *base = mp_shared_pool_base(c->pool);
    MP_SharedPoolHolder *h = mp_shared_pool_attach(c->pool, NULL);
    for (uint32_t n = 0; n < OPS && h != NULL; n++) {
        size_t offset;
        while ((offset = mp_shared_pool_alloc_offset(h)) == 0) sched_yield(); /* full: wait for frees */
        stamp((Stamp *)(void *)(base + offset), channel_thread(c), n);
        size_t head = atomic_load_explicit(&c->head, memory_order_relaxed);
        while (head - atomic_load_explicit(&c->tail, memory_order_acquire) == RING) sched_yield();
        c->ring[head % RING] = offset;
        atomic_store_explicit(&c->head, head + 1, memory_order_release);
        c->produced++;
    }
    if (mp_shared_pool_detach(h) != MP_OK) fail("handoff: producer detach", c->id, 0);
    return NULL;
}

static void *consumer(void *arg) {
    Channel *c = arg;
    const unsigned char *base = mp_shared_pool_base(c->pool);
    MP_SharedPoolHolder *h = mp_shared_pool_attach(c->pool, NULL);
    for (uint32_t n = 0; n < OPS && h != NULL; n++) {
        size_t tail = atomic_load_explicit(&c->tail, memory_order_relaxed);
        while (atomic_load_explicit(&c->head, memory_order_acquire) == tail) sched_yield();
        size_t offset = c->ring[tail % RING];
        atomic_store_explicit(&c->tail, tail + 1, memory_order_release);
        if (!stamp_holds((const Stamp *)(const void *)(base + offset), channel_thread(c), n)) fail("handoff: stamp overwritten", c->id, n);
        if (mp_shared_pool_free_offset(h, offset) != MP_OK) fail("handoff: free refused", c->id, n);
        else c->consumed++;
    }
    if (mp_shared_pool_detach(h) != MP_OK) fail("handoff: consumer detach", c->id, 0);
    return NULL;
}

static void producer_consumer(void) {
    /* Fewer slots than the rings hold: producers wait on frees made by other threads. */
    MP_SharedPool *pool = mp_shared_pool_create(sizeof(Stamp), RING, 8, 2 * PAIRS);
    Channel channels[PAIRS];
    for (unsigned i = 0; i < PAIRS; i++) {
        Channel *c = &channels[i];
        *c = (Channel){.pool = pool, .id = i};
        atomic_init(&c->head, 0);
        atomic_init(&c->tail, 0);
        pthread_create(&c->producer, NULL, producer, c);
        pthread_create(&c->consumer, NULL, consumer, c);
    }
    size_t moved = 0;
    for (unsigned i = 0; i < PAIRS; i++) {
        pthread_join(channels[i].producer, NULL);
        pthread_join(channels[i].consumer, NULL);
        if (channels[i].produced != OPS || channels[i].consumed != OPS) fail("handoff: counts", i, channels[i].consumed);
        moved += channels[i].consumed;
    }
    MP_SharedPoolStats s;
    mp_shared_pool_stats(pool, &s);
    if (s.allocated != 0 || s.alloc_count != moved || s.free_count != moved || s.holders != 0 || s.cached != 0) {
        fail("handoff: stats", 0, s.allocated);
    }
    printf("handoff: %d producers fill slots that %d consumers check and free: %zu slots moved\n", PAIRS, PAIRS, moved);
    mp_shared_pool_destroy(pool);
}

/* ---------------- arena ---------------- */

typedef struct Region {
    size_t offset, size, align;
    unsigned char fill;
} Region;

typedef struct ArenaWorker {
    MP_SharedArena *arena;
    unsigned id;
    pthread_t handle;
    Region *regions;
    size_t count, failed;
} ArenaWorker;

static void *arena_worker(void *arg) {
    ArenaWorker *w = arg;
    uint64_t rng = g_seed * 0xD1B54A32D192ED03ULL + w->id + 1;
    unsigned char *base = mp_shared_arena_base(w->arena);
    for (unsigned op = 0; op < OPS; op++) {
        uint64_t r = next_random(&rng);
        size_t size = 1 + (size_t)(r % 24);
        size_t align = (size_t)1 << ((r >> 8) % 7); /* 1 .. 64 */
        size_t offset = mp_shared_arena_alloc_offset(w->arena, size, align);
        if (offset == 0) {
            w->failed++;
            continue;
        }
        unsigned char fill = (unsigned char)(w->id * 31 + op);
        memset(base + offset, fill, size);
        w->regions[w->count++] = (Region){offset, size, align, fill};
    }
    return NULL;
}

static int compare_regions(const void *a, const void *b) {
    size_t x = ((const Region *)a)->offset, y = ((const Region *)b)->offset;
    return x < y ? -1 : x > y;
}

static void arena_stress(void) {
    MP_SharedArena *arena = mp_shared_arena_create(ARENA_BYTES, 64);
    Region *regions = malloc((size_t)THREADS * OPS * sizeof(Region));
    if (arena == NULL || regions == NULL) {
        fail("mp_shared_arena_create", 0, 0);
        free(regions);
        mp_shared_arena_destroy(arena);
        return;
    }
    ArenaWorker workers[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        workers[i] = (ArenaWorker){.arena = arena, .id = i, .regions = regions + (size_t)i * OPS};
        if (pthread_create(&workers[i].handle, NULL, arena_worker, &workers[i]) != 0) fail("pthread_create", i, 0);
    }
    size_t total = 0, failed = 0;
    for (unsigned i = 0; i < THREADS; i++) pthread_join(workers[i].handle, NULL);
    /* Gather the regions in one array (each worker's are at the start of its share). */
    for (unsigned i = 0; i < THREADS; i++) {
        memmove(regions + total, workers[i].regions, workers[i].count * sizeof(Region));
        total += workers[i].count;
        failed += workers[i].failed;
    }
    qsort(regions, total, sizeof(Region), compare_regions);
    size_t data_offset = mp_shared_arena_data_offset(arena), limit = mp_shared_arena_byte_length(arena), used = 0;
    const unsigned char *base = mp_shared_arena_base(arena);
    for (size_t i = 0; i < total; i++) {
        const Region *g = &regions[i];
        if (g->offset < data_offset || g->offset + g->size > limit || g->offset % g->align != 0) fail("arena: region out of bounds or misaligned", 0, g->offset);
        if (i > 0 && regions[i - 1].offset + regions[i - 1].size > g->offset) fail("arena: regions overlap", 0, g->offset);
        for (size_t b = 0; b < g->size; b++)
            if (base[g->offset + b] != g->fill) {
                fail("arena: region overwritten", 0, g->offset);
                break;
            }
        used = g->offset + g->size - data_offset;
    }
    MP_ArenaStats s;
    mp_shared_arena_stats(arena, &s);
    if (s.allocations != total || s.failed_allocs != failed) fail("arena: stats counts", 0, s.allocations);
    if (s.offset < used || s.offset + s.remaining != ARENA_BYTES || s.peak_offset != s.offset) fail("arena: stats offsets", 0, s.offset);
    if (failed == 0) fail("arena: never filled up", 0, 0); /* its demand is about twice its size */
    printf("arena: %d threads x %d allocs: %zu placed, %zu refused (full), %zu of %u bytes used\n", THREADS, OPS, total, failed,
           s.offset, ARENA_BYTES);
    free(regions);
    mp_shared_arena_destroy(arena);
}

int main(int argc, char **argv) {
    g_seed = argc > 1 ? strtoull(argv[1], NULL, 10) : (uint64_t)time(NULL);
    printf("threads: seed %llu (rerun: threads %llu)\n", (unsigned long long)g_seed, (unsigned long long)g_seed);
    pool_stress(POOL_CAPACITY, HELD); /* many slots in flight */
    pool_stress(4, 2);                /* every call meets every other, and steals */
    parked();
    free_race();
    producer_consumer();
    arena_stress();
    printf("threads: %s\n", g_failures == 0 ? "all passed" : "FAILED");
    return g_failures == 0 ? 0 : 1;
}
