/*
 * White-box test of the thread-safe pool's ABA guard, with the interleaving written out by hand
 * (the threads stress meets it only when the scheduler happens to preempt a pop at the right
 * instant). A pop reads the head (top slot A, A's link to B), stalls; meanwhile other calls pop A,
 * pop B and push A back, so the top is A again but B is allocated. The stalled pop's
 * compare-and-swap must fail: the head's version tag moved on, though its slot did not. Without
 * the tag it would install B as the top and hand B out twice.
 */
#include "../src/fixed_pool.c"
#include "../src/shared_pool.c"

#include <stdio.h>

int main(void) {
    int failures = 0;
    MP_FixedPool *pool = mp_fixed_pool_create_shared(16, 4, 8);
    struct mp_shared_pool *shared = pool->shared;
    size_t c = mp_fixed_pool_alloc_offset(pool), b = mp_fixed_pool_alloc_offset(pool), a = mp_fixed_pool_alloc_offset(pool);
    /* free stack, top first: a, b, c */
    failures += mp_fixed_pool_free_offset(pool, c) != MP_OK;
    failures += mp_fixed_pool_free_offset(pool, b) != MP_OK;
    failures += mp_fixed_pool_free_offset(pool, a) != MP_OK;

    /* The stalled pop: its view of the head and of the top slot's link. */
    uint64_t seen = atomic_load(&shared->head);
    uint32_t top = (uint32_t)seen;
    uint32_t below = atomic_load(&shared->next_free[top - 1]);
    failures += mp_slot_index(pool, a) != top - 1 || mp_slot_index(pool, b) != below - 1;

    /* Meanwhile: pop a, pop b, push a. */
    size_t first = mp_fixed_pool_alloc_offset(pool), second = mp_fixed_pool_alloc_offset(pool);
    failures += first != a || second != b;
    failures += mp_fixed_pool_free_offset(pool, a) != MP_OK;
    uint64_t now = atomic_load(&shared->head);
    failures += (uint32_t)now != top; /* the same top slot... */

    /* ...but the stalled pop's compare-and-swap fails, and the pool stays whole. */
    uint64_t expected = seen;
    uint64_t next = ((seen & ~(uint64_t)0xFFFFFFFFu) + TAG_STEP) | below;
    failures += atomic_compare_exchange_strong(&shared->head, &expected, next) != 0;
    failures += mp_fixed_pool_alloc_offset(pool) != a;  /* a again, then c: never b, which is live */
    failures += mp_fixed_pool_alloc_offset(pool) != c;
    failures += mp_fixed_pool_free_offset(pool, b) != MP_OK;
    mp_fixed_pool_destroy(pool);
    printf("aba: %s\n", failures == 0 ? "the version tag refuses the stalled pop: ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
