/*
 * White-box test of MP_ASSERT: the sanitizer builds compile the library's invariant checks in, and
 * a broken invariant must stop the process rather than hand out a slot twice. Each case corrupts
 * one field of an allocator in a child process and expects the next call to abort (SIGABRT); the
 * same calls on an intact allocator must return normally.
 */
#define _POSIX_C_SOURCE 200809L
#include "../src/pages.c" /* first: it sets the feature macros */
#include "../src/fixed_pool.c"
#include "../src/arena.c"

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MP_ASSERTS
#error "asserts.c tests MP_ASSERT: build it with -DMP_ASSERTS, as the Makefile does"
#endif

typedef void (*mp_case)(int corrupt);

static void pool_free_top_past_untouched(int corrupt) {
    MP_FixedPool *pool = mp_fixed_pool_create(16, 4);
    if (!mp_fixed_pool_alloc(pool)) return;
    if (corrupt) pool->pushes += 2; /* two slots "freed" of one ever handed out */
    if (!mp_fixed_pool_alloc(pool)) return;
    mp_fixed_pool_destroy(pool);
}

static void pool_pops_past_pushes(int corrupt) {
    MP_FixedPool *pool = mp_fixed_pool_create(16, 4);
    void *a = mp_fixed_pool_alloc(pool);
    if (corrupt) pool->pops = pool->pushes + 1; /* more taken off the free stack than pushed */
    (void)mp_fixed_pool_free(pool, a);
    mp_fixed_pool_destroy(pool);
}

static void pool_untouched_past_capacity(int corrupt) {
    MP_FixedPool *pool = mp_fixed_pool_create(16, 1);
    if (!mp_fixed_pool_alloc(pool)) return;
    if (corrupt) pool->untouched = 2;
    if (mp_fixed_pool_alloc(pool)) return; /* full: the failure path checks too */
    mp_fixed_pool_destroy(pool);
}

static void arena_end_past_limit(int corrupt) {
    MP_Arena *arena = mp_arena_create(64);
    if (!mp_arena_alloc(arena, 8, 8)) return;
    if (corrupt) arena->limit = arena->data_offset + 4; /* end (72) now past the limit (68) */
    (void)mp_arena_rewind(arena, mp_arena_mark(arena));
    mp_arena_destroy(arena);
}

static void arena_bad_generation(int corrupt) {
    MP_Arena *arena = mp_arena_create(64);
    if (corrupt) arena->generation = MP_MARK_GENERATIONS;
    if (!mp_arena_alloc(arena, 8, 8)) return;
    mp_arena_destroy(arena);
}

/* How the child ended: its signal, or 0 for a normal exit. */
static int run_child(mp_case test, int corrupt) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (freopen("/dev/null", "w", stderr) == NULL) _exit(2);
        test(corrupt);
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
    if (WIFSIGNALED(status)) return WTERMSIG(status);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(void) {
    struct { const char *name; mp_case test; } cases[] = {
        {"pool: free_top past untouched", pool_free_top_past_untouched},
        {"pool: pops past pushes", pool_pops_past_pushes},
        {"pool: untouched past capacity", pool_untouched_past_capacity},
        {"arena: end past limit", arena_end_past_limit},
        {"arena: generation out of range", arena_bad_generation},
    };
    int failures = 0;
    size_t n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++) {
        int intact = run_child(cases[i].test, 0);
        int broken = run_child(cases[i].test, 1);
        int ok = intact == 0 && broken == SIGABRT;
        if (!ok) failures++;
        printf("%-4s MP_ASSERT %s (intact: %d, corrupted: signal %d)\n", ok ? "ok" : "FAIL", cases[i].name, intact, broken);
    }
    printf("asserts: %zu passed, %d failed\n", n - (size_t)failures, failures);
    return failures == 0 ? 0 : 1;
}
