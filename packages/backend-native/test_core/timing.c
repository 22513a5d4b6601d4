/*
 * A quick timing loop: pool alloc+free pairs, arena allocs (with a reset every 1024), and glibc
 * malloc+free of the same size, in ns per operation. Build with -O2 (`make timing`).
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "memory_pool_core.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Keeps the compiler from dropping the work. */
static volatile uintptr_t g_sink;

#define ROUNDS 5
#define N 20000000L

int main(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(64, 1024);
    MP_Arena *arena = mp_arena_create(1024 * 64);
    void *hold[16];
    double best_pool = 1e30, best_pool_off = 1e30, best_arena = 1e30, best_malloc = 1e30, best_pool16 = 1e30, best_malloc16 = 1e30;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_ns();
        for (long i = 0; i < N; i++) {
            void *p = mp_fixed_pool_alloc(pool);
            g_sink += (uintptr_t)p;
            mp_fixed_pool_free(pool, p);
        }
        double t1 = now_ns();
        for (long i = 0; i < N; i++) {
            size_t o = mp_fixed_pool_alloc_offset(pool);
            g_sink += o;
            mp_fixed_pool_free_offset(pool, o);
        }
        double t2 = now_ns();
        for (long i = 0; i < N; i++) {
            if ((i & 1023) == 0) mp_arena_reset(arena);
            g_sink += (uintptr_t)mp_arena_alloc(arena, 48, 8);
        }
        double t3 = now_ns();
        for (long i = 0; i < N; i++) {
            void *p = malloc(64);
            g_sink += (uintptr_t)p;
            free(p);
        }
        double t4 = now_ns();
        for (long i = 0; i < N / 16; i++) {
            for (int k = 0; k < 16; k++) hold[k] = mp_fixed_pool_alloc(pool);
            for (int k = 0; k < 16; k++) mp_fixed_pool_free(pool, hold[k]);
        }
        double t5 = now_ns();
        for (long i = 0; i < N / 16; i++) {
            for (int k = 0; k < 16; k++) hold[k] = malloc(64);
            g_sink += (uintptr_t)hold[7];
            for (int k = 0; k < 16; k++) free(hold[k]);
        }
        double t6 = now_ns();
        if ((t1 - t0) / N < best_pool) best_pool = (t1 - t0) / N;
        if ((t2 - t1) / N < best_pool_off) best_pool_off = (t2 - t1) / N;
        if ((t3 - t2) / N < best_arena) best_arena = (t3 - t2) / N;
        if ((t4 - t3) / N < best_malloc) best_malloc = (t4 - t3) / N;
        if ((t5 - t4) / N < best_pool16) best_pool16 = (t5 - t4) / N;
        if ((t6 - t5) / N < best_malloc16) best_malloc16 = (t6 - t5) / N;
    }
    printf("best of %d rounds of %ld operations, ns per operation:\n", ROUNDS, N);
    printf("  fixed pool alloc+free pair (pointers):   %6.2f ns\n", best_pool);
    printf("  fixed pool alloc+free pair (offsets):    %6.2f ns\n", best_pool_off);
    printf("  fixed pool 16 allocs then 16 frees:       %6.2f ns per alloc+free\n", best_pool16);
    printf("  arena alloc (48 B, reset every 1024):     %6.2f ns\n", best_arena);
    printf("  glibc malloc(64)+free pair:               %6.2f ns\n", best_malloc);
    printf("  glibc 16 mallocs then 16 frees:           %6.2f ns per malloc+free\n", best_malloc16);
    mp_fixed_pool_destroy(pool);
    mp_arena_destroy(arena);
    return 0;
}
