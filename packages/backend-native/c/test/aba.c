/*
 * White-box test of the thread-safe pool's ABA guard on its shared stack of batches, with the
 * interleaving written out by hand (the threads stress meets it only when the scheduler preempts a
 * pop at the right instant). A pop reads the head (batch X on batch Y), stalls; meanwhile another
 * holder pops X and Y, allocates them all, frees X's first slot and pushes it back as a batch of
 * its own: the top slot is X's first again, but Y's slots are live. The stalled pop's
 * compare-and-swap must fail (the head's tag moved on): without the tag it would install Y as the
 * top and hand Y's live slots out again.
 */
#include "../src/shared_pool.c"

#include <stdio.h>

#include "check.h"

int main(void) {
    MP_SharedPool *pool = mp_shared_pool_create(16, 64, 8, 4);
    MP_SharedPoolHolder *a = mp_shared_pool_attach(pool, NULL), *b = mp_shared_pool_attach(pool, NULL);
    CHECK(pool != NULL && a != NULL && b != NULL);
    if (failures) return 1;
    uint32_t e = atomic_load(&pool->state->epoch) << EPOCH_SHIFT;
    size_t held[2 * HALF];
    for (unsigned i = 0; i < 2 * HALF; i++) held[i] = mp_shared_pool_alloc_offset(a);
    /* Y = the first HALF freed, X = the next HALF: both on the stack, X on top. */
    for (unsigned i = 0; i < HALF; i++) CHECK(mp_shared_pool_free_offset(a, held[i]) == MP_OK);
    mp_flush(a, e, HALF);
    for (unsigned i = HALF; i < 2 * HALF; i++) CHECK(mp_shared_pool_free_offset(a, held[i]) == MP_OK);
    mp_flush(a, e, HALF);
    CHECK(atomic_load(&a->record->count) == 0);

    /* The stalled pop: the head it saw, and the batch below X that its walk found. */
    uint64_t seen = atomic_load(&pool->state->head);
    uint32_t x_first = (uint32_t)seen - 1, s = x_first, below = 0;
    for (unsigned n = 0; n < HALF; n++) {
        uint32_t link = atomic_load(&pool->next[s]);
        if (atomic_load(&pool->live[s]) == (e | W_STACKED | W_LAST)) {
            below = link;
            break;
        }
        s = link - 1;
    }
    CHECK(below != 0 && x_first == mp_holder_index(a, held[2 * HALF - 1] - 64));

    /* Meanwhile b pops X and Y (every slot live in b), frees X's first and pushes it back alone. */
    void *taken[2 * HALF];
    CHECK(mp_shared_pool_alloc_many(b, taken, 2 * HALF) == 2 * HALF);
    CHECK(mp_shared_pool_free_offset(b, held[2 * HALF - 1]) == MP_OK);
    mp_flush(b, e, 1);
    uint64_t now = atomic_load(&pool->state->head);
    CHECK((uint32_t)now == x_first + 1); /* the same top slot... */

    /* ...but the stalled pop's compare-and-swap fails, and the pool stays whole. */
    uint64_t expected = seen;
    CHECK(!atomic_compare_exchange_strong(&pool->state->head, &expected, ((seen & ~(uint64_t)0xFFFFFFFFu) + TAG_STEP) | below));
    /* a gets X's first back, then fresh slots: never one of b's live ones. */
    CHECK(mp_shared_pool_alloc_offset(a) == held[2 * HALF - 1]);
    size_t fresh = mp_shared_pool_alloc_offset(a);
    for (unsigned i = 0; i < 2 * HALF; i++) CHECK(fresh != held[i]);
    mp_shared_pool_destroy(pool);
    printf("aba: %s\n", failures == 0 ? "the tag refuses the stalled pop of a batch: ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
