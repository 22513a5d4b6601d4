/*
 * The C library measured from C, against the system's malloc/free.
 *
 *   harness all <iters> <reps>      malloc(64)+free, one and two empty calls, pool alloc+free, arena alloc(16, 8)
 *   harness malloc <iters> <reps>   malloc(64)+free only (run under LD_PRELOAD=<allocator>)
 *   harness library <iters> <reps>  pool alloc+free and arena alloc(16, 8) only (the -flto build)
 *   harness threads <iters> <reps>  pairs from 1 and 2 threads (bursts of 16 allocs then 16 frees):
 *                                   one private MP_FixedPool per thread, then one MP_SharedPool
 *                                   with a holder per thread; ns per pair of the whole run (wall
 *                                   clock over all threads' pairs), so M pairs/s = 1000 / ns;
 *                                   "cpu" is the median of each run's CPU time per pair (summed over
 *                                   the threads): on a loaded machine, where the threads wait for a
 *                                   core, threads * 1000 / cpu is what they would do with a core each
 *
 * Each scenario is timed `reps` times over `iters` operations; one JSON object per line on stdout:
 * median, mean, p99 (highest rep but one when reps < 100) and relative margin of error.
 * Built by the bench: gcc -O2 -I<backend-native>/c/include harness.c <libmemory_pool_core.a>, and
 * again with -flto against an -flto copy of the library, which lets gcc inline the fast paths.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memory_pool_core.h"

/* Makes the compiler believe the pointer is used, so no allocation is elided. */
#define ESCAPE(p) __asm__ volatile("" : : "r"(p) : "memory")

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* A threads row's median CPU ns per pair, printed with it; negative for the other rows. */
static double g_cpu = -1;

static void report(const char *scenario, const char *unit, double *ns, int reps, long iters) {
  double sum = 0, sq = 0;
  for (int i = 0; i < reps; i++) sum += ns[i];
  double mean = sum / reps;
  for (int i = 0; i < reps; i++) sq += (ns[i] - mean) * (ns[i] - mean);
  double sd = reps > 1 ? sqrt(sq / (reps - 1)) : 0;
  qsort(ns, (size_t)reps, sizeof(double), cmp);
  int p99i = (int)ceil(0.99 * reps) - 1;
  if (p99i < 0) p99i = 0;
  printf("{\"scenario\":\"%s\",\"unit\":\"%s\",\"median\":%.4f,\"mean\":%.4f,\"p99\":%.4f,\"rme\":%.3f,"
         "\"samples\":%d,\"ops\":%ld",
         scenario, unit, ns[reps / 2], mean, ns[p99i], mean > 0 ? 196.0 * sd / sqrt((double)reps) / mean : 0,
         reps, iters);
  if (g_cpu >= 0) printf(",\"cpu\":%.4f", g_cpu);
  printf("}\n");
  fflush(stdout);
}

/* The floor for the library's calls: an empty function the compiler may not inline, called once
 * (as an arena alloc is) or twice (as a pool's alloc and free are). No out-of-line allocator call
 * can cost less. */
__attribute__((noinline)) void *empty_call(void *p) {
  ESCAPE(p);
  return p;
}

static double bench_floor(long iters, int calls) {
  void *p = &iters;
  double t0 = now_ns();
  if (calls == 1) {
    for (long i = 0; i < iters; i++) p = empty_call(p);
  } else {
    for (long i = 0; i < iters; i++) {
      p = empty_call(p);
      p = empty_call(p);
    }
  }
  ESCAPE(p);
  return (now_ns() - t0) / (double)iters;
}

static double bench_malloc(long iters) {
  double t0 = now_ns();
  for (long i = 0; i < iters; i++) {
    void *p = malloc(64);
    ESCAPE(p);
    free(p);
  }
  return (now_ns() - t0) / (double)iters;
}

static double bench_pool(MP_FixedPool *pool, long iters) {
  double t0 = now_ns();
  for (long i = 0; i < iters; i++) {
    void *p = mp_fixed_pool_alloc(pool);
    ESCAPE(p);
    mp_fixed_pool_free(pool, p);
  }
  return (now_ns() - t0) / (double)iters;
}

static double bench_arena(MP_Arena *arena, long iters) {
  double t0 = now_ns();
  for (long i = 0; i < iters; i++) {
    if ((i & 0xFFFF) == 0) mp_arena_reset(arena);
    void *p = mp_arena_alloc(arena, 16, 8);
    ESCAPE(p);
  }
  return (now_ns() - t0) / (double)iters;
}

/* ---- threads: private pools against one shared pool ---- */

#define BURST 16
#define MAX_THREADS 2

typedef struct PairWorker {
  MP_FixedPool *private_pool;       /* NULL: use the shared pool's holder */
  MP_SharedPoolHolder *holder;
  long bursts;
  double cpu_ns; /* the thread's CPU time over its bursts */
  pthread_t handle;
} PairWorker;

static _Atomic int g_go;

static void *pair_worker(void *arg) {
  PairWorker *w = arg;
  void *held[BURST];
  while (!atomic_load_explicit(&g_go, memory_order_acquire)) {
  }
  struct timespec c0, c1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  if (w->private_pool != NULL) {
    for (long b = 0; b < w->bursts; b++) {
      for (int i = 0; i < BURST; i++) held[i] = mp_fixed_pool_alloc(w->private_pool);
      ESCAPE(held);
      for (int i = 0; i < BURST; i++) mp_fixed_pool_free(w->private_pool, held[i]);
    }
  } else {
    for (long b = 0; b < w->bursts; b++) {
      for (int i = 0; i < BURST; i++) held[i] = mp_shared_pool_alloc(w->holder);
      ESCAPE(held);
      for (int i = 0; i < BURST; i++) mp_shared_pool_free(w->holder, held[i]);
    }
  }
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  w->cpu_ns = (double)(c1.tv_sec - c0.tv_sec) * 1e9 + (double)(c1.tv_nsec - c0.tv_nsec);
  return NULL;
}

/* ns per pair over `threads` threads doing `iters` pairs each (rounded to bursts); the main thread
 * only waits (joins), so with 2 threads on 2 cores each has a core. */
static double bench_threads(int threads, int shared, long iters, double *cpu_ns) {
  PairWorker workers[MAX_THREADS];
  MP_SharedPool *pool = shared ? mp_shared_pool_create(64, 1024, 8, 0) : NULL;
  long bursts = iters / BURST;
  for (int t = 0; t < threads; t++) {
    workers[t] = (PairWorker){.bursts = bursts};
    if (shared) workers[t].holder = mp_shared_pool_attach(pool, NULL);
    else workers[t].private_pool = mp_fixed_pool_create(64, 1024);
  }
  atomic_store(&g_go, 0);
  for (int t = 0; t < threads; t++) pthread_create(&workers[t].handle, NULL, pair_worker, &workers[t]);
  double t0 = now_ns();
  atomic_store_explicit(&g_go, 1, memory_order_release);
  for (int t = 0; t < threads; t++) pthread_join(workers[t].handle, NULL);
  double elapsed = now_ns() - t0;
  double cpu = 0;
  for (int t = 0; t < threads; t++) cpu += workers[t].cpu_ns;
  *cpu_ns = cpu / (double)(threads * bursts * BURST);
  MP_SharedPoolStats s = {0};
  if (shared) mp_shared_pool_stats(pool, &s);
  for (int t = 0; t < threads; t++) {
    if (shared) mp_shared_pool_detach(workers[t].holder);
    else mp_fixed_pool_destroy(workers[t].private_pool);
  }
  mp_shared_pool_destroy(pool);
  if (shared && (s.alloc_count != (size_t)(threads * bursts * BURST) || s.failed_allocs != 0)) {
    fprintf(stderr, "harness: the shared pool's counts do not add up\n");
    exit(1);
  }
  return elapsed / (double)(threads * bursts * BURST);
}

static void run_threads(long iters, int reps, double *ns) {
  static const char *names[2][MAX_THREADS] = {{"c.private.pairs.1t", "c.private.pairs.2t"},
                                              {"c.shared.pairs.1t", "c.shared.pairs.2t"}};
  static const char *units[2][MAX_THREADS] = {
      {"one private pool per thread, 1 thread: ns per pair (bursts of 16)",
       "one private pool per thread, 2 threads: ns per pair of both (bursts of 16)"},
      {"one shared pool, a holder per thread, 1 thread: ns per pair (bursts of 16)",
       "one shared pool, a holder per thread, 2 threads: ns per pair of both (bursts of 16)"}};
  double *cpu = malloc(sizeof(double) * (size_t)reps);
  if (cpu == NULL) exit(1);
  for (int shared = 0; shared < 2; shared++) {
    for (int threads = 1; threads <= MAX_THREADS; threads++) {
      for (int w = 0; w < 2; w++) bench_threads(threads, shared, iters, &cpu[0]);
      for (int r = 0; r < reps; r++) ns[r] = bench_threads(threads, shared, iters, &cpu[r]);
      qsort(cpu, (size_t)reps, sizeof(double), cmp);
      g_cpu = cpu[reps / 2];
      report(names[shared][threads - 1], units[shared][threads - 1], ns, reps, iters * threads);
      g_cpu = -1;
    }
  }
  free(cpu);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s all|malloc|library|threads <iters> <reps>\n", argv[0]);
    return 2;
  }
  int all = strcmp(argv[1], "all") == 0;
  int library = all || strcmp(argv[1], "library") == 0;
  int with_malloc = all || strcmp(argv[1], "malloc") == 0;
  int threads = strcmp(argv[1], "threads") == 0;
  long iters = atol(argv[2]);
  int reps = atoi(argv[3]);
  if ((!library && !with_malloc && !threads) || iters <= 0 || reps <= 0 || reps > 10000) return 2;
  double *ns = malloc(sizeof(double) * (size_t)reps);
  if (!ns) return 1;

  if (threads) run_threads(iters, reps, ns);

  if (with_malloc) {
    for (int w = 0; w < 3; w++) bench_malloc(iters); /* warm-up */
    for (int r = 0; r < reps; r++) ns[r] = bench_malloc(iters);
    report("c.malloc.pair", "malloc(64)+free() pair", ns, reps, iters);
  }

  if (all) {
    for (int w = 0; w < 3; w++) bench_floor(iters, 1);
    for (int r = 0; r < reps; r++) ns[r] = bench_floor(iters, 1);
    report("c.floor.call", "one call of an empty noinline C function", ns, reps, iters);
    for (int w = 0; w < 3; w++) bench_floor(iters, 2);
    for (int r = 0; r < reps; r++) ns[r] = bench_floor(iters, 2);
    report("c.floor.pair", "two calls of an empty noinline C function", ns, reps, iters);
  }

  if (library) {
    MP_FixedPool *pool = mp_fixed_pool_create(64, 1024);
    MP_Arena *arena = mp_arena_create((size_t)16 << 20);
    if (!pool || !arena) {
      fprintf(stderr, "harness: the library refused to create a pool or an arena\n");
      return 1;
    }
    void *probe = mp_fixed_pool_alloc(pool);
    if (!probe || mp_fixed_pool_free(pool, probe) != MP_OK || !mp_arena_alloc(arena, 16, 8)) {
      fprintf(stderr, "harness: the library's pool or arena does not work\n");
      return 1;
    }
    for (int w = 0; w < 3; w++) bench_pool(pool, iters);
    for (int r = 0; r < reps; r++) ns[r] = bench_pool(pool, iters);
    report("c.pool.pair", "mp_fixed_pool_alloc()+mp_fixed_pool_free() pair, 64 B", ns, reps, iters);

    for (int w = 0; w < 3; w++) bench_arena(arena, iters);
    for (int r = 0; r < reps; r++) ns[r] = bench_arena(arena, iters);
    report("c.arena.alloc16", "mp_arena_alloc(16, 8) (reset every 65,536)", ns, reps, iters);
    mp_fixed_pool_destroy(pool);
    mp_arena_destroy(arena);
  }
  free(ns);
  return 0;
}
