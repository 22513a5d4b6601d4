/* The "API Reference / Arena Allocator" example of the C API (arena_api.inc, unchanged), inside a main. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory_pool_core.h"

static const unsigned char data[1024] = {1, 2, 3};

int main(void) {
#include "arena_api.inc"
    (void)buf2;
    puts("arena_api: ok");
    return 0;
}
