/*
 * The thread-safe pool's "full" against the set model (each slot live or free), under real
 * concurrency: `make test` runs it under ThreadSanitizer and under AddressSanitizer + UBSan.
 *
 * THREADS threads share a pool of CAPACITY slots (as many slots as threads, so it runs full all
 * the time) for ROUNDS rounds of OPS random calls each: alloc, free of a slot the thread holds,
 * and detach + attach (the detach moves the cache to the shared stack, so the next allocs pop
 * batches); each round starts on a reset pool, so the first allocs take fresh runs from
 * `untouched`. A global atomic clock stamps each alloc and free when it is invoked and when it
 * returns. After each round the checker asks of every alloc that returned NULL whether some
 * moment inside its [invoke, return] had every slot live: slot x can be live at moment p only
 * inside one of its lives, from the invoke of an alloc that returned x to the return of the free
 * that ended it (or the round's end), whatever order the calls took effect in. A NULL with no such
 * moment is a "full" that no ordering of the calls explains, as a batch or run between a holder's
 * cache and the stack or `untouched` used to give (a batch popped and not yet parked, a cache
 * flushed and not yet pushed, a run taken and not yet parked).
 *
 * Exempt: a NULL that took STALLED_MS or more, since a full-looking alloc that waited 50 ms for
 * another holder's move takes that holder for stopped mid-move and says full (a thread stopped by
 * the OS that long looks the same). The pool's waits are 50 ms; 45 leaves room for clock rounding.
 *
 * Usage: history [rounds] [seed]. Prints the NULLs it checked and how many were unexplained.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memory_pool_core.h"
#include "random.h"

#define THREADS 3
#define CAPACITY 3
#define OPS 64
#define ROUNDS 4000
#define STALLED_MS 45
#define STAMPS (THREADS * OPS * 2 + 2)
#define FOREVER (2 * STAMPS + 2)

enum { CALL_ALLOC, CALL_FREE };

struct call {
    uint8_t kind;
    int8_t slot; /* -1: an alloc that returned NULL */
    uint32_t invoked, returned;
    uint64_t took_ns;
};

struct worker {
    pthread_t thread;
    unsigned id;
    uint64_t rng;
    MP_SharedPoolHolder *holder;
    struct call calls[OPS];
    unsigned count;
};

static MP_SharedPool *g_pool;
static unsigned char *g_base;
static size_t g_slot;
static _Atomic uint32_t g_clock;
static pthread_barrier_t g_start, g_done;
static int g_rounds;
static _Atomic int g_attach_failures;

static uint64_t now_ns(void) {
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t stamp(void) { return atomic_fetch_add_explicit(&g_clock, 1, memory_order_seq_cst); }

static void one_round(struct worker *w) {
    int held[CAPACITY];
    int holding = 0;
    w->count = 0;
    while (w->count < OPS) {
        unsigned r = (unsigned)(next_random(&w->rng) % 100);
        if (r < 10) { /* not a call of the model: moves the cache to the stack */
            if (mp_shared_pool_detach(w->holder) != MP_OK ||
                (w->holder = mp_shared_pool_attach(g_pool, NULL)) == NULL) {
                g_attach_failures++;
                return;
            }
            continue;
        }
        struct call *c = &w->calls[w->count++];
        if (holding == 0 || (r < 55 && holding < CAPACITY)) {
            c->kind = CALL_ALLOC;
            uint64_t began = now_ns();
            c->invoked = stamp();
            unsigned char *p = mp_shared_pool_alloc(w->holder);
            c->returned = stamp();
            c->took_ns = now_ns() - began;
            c->slot = p == NULL ? -1 : (int8_t)((size_t)(p - g_base) / g_slot);
            if (p != NULL) held[holding++] = c->slot;
        } else {
            unsigned k = (unsigned)(next_random(&w->rng) % (unsigned)holding);
            c->kind = CALL_FREE;
            c->slot = (int8_t)held[k];
            held[k] = held[--holding];
            c->invoked = stamp();
            int status = mp_shared_pool_free(w->holder, g_base + (size_t)c->slot * g_slot);
            c->returned = stamp();
            if (status != MP_OK) g_attach_failures++;
        }
    }
}

static void *run(void *arg) {
    struct worker *w = arg;
    for (int round = 0; round < g_rounds; round++) {
        pthread_barrier_wait(&g_start);
        one_round(w);
        pthread_barrier_wait(&g_done);
    }
    return NULL;
}

/* The NULLs of one round that no moment with every slot live explains (the exempt ones aside). */
static unsigned unexplained(const struct worker *workers, unsigned *nulls, unsigned *exempt) {
    /* Moments in half steps of the clock: p = 2t is the stamp t itself, p = 2t + 1 just after it. */
    static int cover[CAPACITY][FOREVER + 1];
    static unsigned all[FOREVER + 2];
    memset(cover, 0, sizeof cover);
    for (unsigned t = 0; t < THREADS; t++) {
        uint32_t since[CAPACITY];
        int live[CAPACITY] = {0};
        const struct worker *w = &workers[t];
        for (unsigned i = 0; i < w->count; i++) {
            const struct call *c = &w->calls[i];
            if (c->slot < 0) continue;
            if (c->kind == CALL_ALLOC) {
                since[c->slot] = c->invoked;
                live[c->slot] = 1;
            } else {
                cover[c->slot][2 * since[c->slot] + 1]++;
                cover[c->slot][2 * c->returned]--;
                live[c->slot] = 0;
            }
        }
        for (int s = 0; s < CAPACITY; s++) {
            if (live[s]) cover[s][2 * since[s] + 1]++; /* held at the round's end: live to the end */
        }
    }
    /* all[p + 1]: how many moments before p + 1 had every slot live. */
    int level[CAPACITY] = {0};
    all[0] = 0;
    for (unsigned p = 0; p <= FOREVER; p++) {
        int every = 1;
        for (int s = 0; s < CAPACITY; s++) every &= (level[s] += cover[s][p]) > 0;
        all[p + 1] = all[p] + (unsigned)every;
    }
    unsigned bad = 0;
    for (unsigned t = 0; t < THREADS; t++) {
        const struct worker *w = &workers[t];
        for (unsigned i = 0; i < w->count; i++) {
            const struct call *c = &w->calls[i];
            if (c->kind != CALL_ALLOC || c->slot >= 0) continue;
            ++*nulls;
            if (all[2 * c->returned + 1] - all[2 * c->invoked] > 0) continue;
            if (c->took_ns >= (uint64_t)STALLED_MS * 1000000u) {
                ++*exempt;
                continue;
            }
            if (bad++ < 5) {
                fprintf(stderr, "history: thread %u's alloc [%u, %u] returned NULL with a slot free throughout\n", t,
                        c->invoked, c->returned);
            }
        }
    }
    return bad;
}

int main(int argc, char **argv) {
    g_rounds = argc > 1 ? atoi(argv[1]) : ROUNDS;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : (uint64_t)time(NULL);
    if (seed == 0) seed = 1;
    g_pool = mp_shared_pool_create(16, CAPACITY, 8, THREADS);
    if (g_pool == NULL) return fprintf(stderr, "history: no pool\n"), 1;
    g_base = (unsigned char *)mp_shared_pool_base(g_pool) + mp_shared_pool_data_offset(g_pool);
    g_slot = mp_shared_pool_slot_size(g_pool);
    pthread_barrier_init(&g_start, NULL, THREADS + 1);
    pthread_barrier_init(&g_done, NULL, THREADS + 1);
    static struct worker workers[THREADS];
    for (unsigned t = 0; t < THREADS; t++) {
        workers[t].id = t;
        workers[t].rng = seed * 0x9E3779B97F4A7C15ULL + t + 1;
        workers[t].holder = mp_shared_pool_attach(g_pool, NULL);
        if (workers[t].holder == NULL) return fprintf(stderr, "history: no holder\n"), 1;
        pthread_create(&workers[t].thread, NULL, run, &workers[t]);
    }
    unsigned nulls = 0, exempt = 0, bad = 0;
    for (int round = 0; round < g_rounds; round++) {
        atomic_store(&g_clock, 0);
        pthread_barrier_wait(&g_start);
        pthread_barrier_wait(&g_done);
        bad += unexplained(workers, &nulls, &exempt);
        if (mp_shared_pool_reset(g_pool) != MP_OK) bad++; /* quiescent: every thread waits at g_start */
    }
    for (unsigned t = 0; t < THREADS; t++) pthread_join(workers[t].thread, NULL);
    for (unsigned t = 0; t < THREADS; t++) mp_shared_pool_detach(workers[t].holder);
    mp_shared_pool_destroy(g_pool);
    printf("history (seed %llu): %d rounds, %u NULLs checked against the set model, %u exempt (took >= %d ms), %u "
           "unexplained, %d refused calls\n",
           (unsigned long long)seed, g_rounds, nulls, exempt, STALLED_MS, bad, g_attach_failures);
    return bad == 0 && g_attach_failures == 0 ? 0 : 1;
}
