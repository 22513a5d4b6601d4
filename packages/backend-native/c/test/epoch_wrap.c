/*
 * White-box test of the one path no black-box test can reach: the live-epoch counter wrapping
 * after 2^32 - 2 resets (epochs run from 1 to 2^32 - 2; 2^32 - 1 marks a slot a batch has
 * claimed). It includes the pool's sources to set the epoch just below the wrap, then checks that
 * reset still frees every slot, that old handles are still refused as double frees, and that the
 * counter restarted: on the unshared pool and on the thread-safe one.
 */
#include "../src/pages.c" /* first: it sets the feature macros */
#include "../src/fixed_pool.c"
#include "../src/shared_pool.c"

#include <stdio.h>

#include "check.h"

static void wrap(MP_FixedPool *pool) {
    CHECK(pool != NULL);
    if (pool == NULL) return;
    pool->epoch = MP_PENDING - 1; /* the next reset wraps */
    void *a = mp_fixed_pool_alloc(pool);
    void *b = mp_fixed_pool_alloc(pool);
    CHECK(a != NULL && b != NULL);
    CHECK(mp_fixed_pool_free(pool, b) == MP_OK);

    CHECK(mp_fixed_pool_reset(pool) == MP_OK);
    CHECK(pool->epoch == 1);
    for (uint32_t i = 0; i < pool->capacity; i++) CHECK(pool->live_epoch[i] == 0);
    CHECK(mp_fixed_pool_free(pool, a) == MP_ERR_DOUBLE_FREE);
    CHECK(mp_fixed_pool_free(pool, b) == MP_ERR_DOUBLE_FREE);

    /* After the wrap the pool behaves as a fresh one: ascending slots, then full. */
    CHECK(mp_fixed_pool_alloc(pool) == a); /* slot 0 */
    CHECK(mp_fixed_pool_alloc(pool) == b);
    CHECK(mp_fixed_pool_alloc(pool) != NULL);
    CHECK(mp_fixed_pool_alloc(pool) != NULL);
    CHECK(mp_fixed_pool_alloc(pool) == NULL);
    CHECK(mp_fixed_pool_free(pool, a) == MP_OK);
    mp_fixed_pool_destroy(pool);
}

/* The thread-safe pool's epoch has 22 bits (its live words pack state and holder beside it). */
static void wrap_shared(void) {
    MP_SharedPool *pool = mp_shared_pool_create(16, 4, 8, 2);
    MP_SharedPoolHolder *h = mp_shared_pool_attach(pool, NULL);
    CHECK(pool != NULL && h != NULL);
    if (h == NULL) return;
    atomic_store(&pool->state->epoch, EPOCH_LIMIT - 1); /* the next reset wraps */
    void *a = mp_shared_pool_alloc(h);
    void *b = mp_shared_pool_alloc(h);
    CHECK(a != NULL && b != NULL);
    CHECK(mp_shared_pool_free(h, b) == MP_OK);
    CHECK(mp_shared_pool_reset(pool) == MP_OK);
    CHECK(atomic_load(&pool->state->epoch) == 1);
    for (uint32_t i = 0; i < pool->capacity; i++) CHECK(atomic_load(&pool->live[i]) == 0);
    CHECK(mp_shared_pool_free(h, a) == MP_ERR_DOUBLE_FREE);
    CHECK(mp_shared_pool_free(h, b) == MP_ERR_DOUBLE_FREE);
    CHECK(mp_shared_pool_alloc(h) == a);
    CHECK(mp_shared_pool_alloc(h) == b);
    CHECK(mp_shared_pool_alloc(h) != NULL);
    CHECK(mp_shared_pool_alloc(h) != NULL);
    CHECK(mp_shared_pool_alloc(h) == NULL);
    CHECK(mp_shared_pool_free(h, a) == MP_OK);
    mp_shared_pool_destroy(pool);
}

int main(void) {
    wrap(mp_fixed_pool_create(16, 4));
    wrap_shared();
    printf("epoch wrap: %s\n", failures == 0 ? "2 passed, 0 failed" : "failed");
    return failures == 0 ? 0 : 1;
}
