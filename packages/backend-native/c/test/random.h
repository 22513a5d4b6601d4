/* The tests' random numbers: xorshift64*, seeded by the caller (a failure names its seed). */
#ifndef MP_TEST_RANDOM_H
#define MP_TEST_RANDOM_H

#include <stdint.h>

static inline uint64_t next_random(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

#endif
