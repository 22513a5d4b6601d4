/* The "Temporary Computation Buffers" example of the C API (scratch_buffers.inc, unchanged), inside a main. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory_pool_core.h"

static double g_sum;

static void process(float *values, char *text) {
    for (int i = 0; i < 1000; i++) values[i] = (float)i;
    for (int i = 0; i < 1000; i++) g_sum += values[i];
    snprintf(text, 256, "sum=%.0f", g_sum);
}

int main(void) {
#include "scratch_buffers.inc"
    /* What the snippet leaves for its caller: check it, then clean up. */
    if (temp_data == NULL || temp_str == NULL || more_data == NULL || (uintptr_t)temp_data % 16 != 0 ||
        strcmp(temp_str, "sum=499500") != 0 || (void *)more_data != (void *)temp_data) {
        fprintf(stderr, "scratch_buffers: unexpected state\n");
        return 1;
    }
    more_data[499] = 7;
    mp_arena_destroy(scratch);
    puts("scratch_buffers: ok");
    return 0;
}
