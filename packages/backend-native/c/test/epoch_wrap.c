/*
 * White-box test of the one path no black-box test can reach: the live-epoch counter wrapping
 * after 2^32 - 2 resets. It includes the pool's source to set the epoch just below the wrap, then
 * checks that reset still frees every slot, that old handles are still refused as double frees,
 * and that the counter restarted.
 */
#include "../src/fixed_pool.c"

#include <stdio.h>

static int failures = 0;
#define CHECK(cond)                                                      \
    do {                                                                 \
        if (!(cond)) {                                                   \
            fprintf(stderr, "epoch_wrap: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                  \
        }                                                                \
    } while (0)

int main(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(16, 4);
    CHECK(pool != NULL);
    if (pool == NULL) return 1;
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
    CHECK(mp_fixed_pool_alloc(pool) == a);  /* slot 0 */
    CHECK(mp_fixed_pool_alloc(pool) == b);
    CHECK(mp_fixed_pool_alloc(pool) != NULL);
    CHECK(mp_fixed_pool_alloc(pool) != NULL);
    CHECK(mp_fixed_pool_alloc(pool) == NULL);
    CHECK(mp_fixed_pool_free(pool, a) == MP_OK);
    mp_fixed_pool_destroy(pool);

    printf("epoch wrap: %s\n", failures == 0 ? "1 passed, 0 failed" : "0 passed, 1 failed");
    return failures == 0 ? 0 : 1;
}
