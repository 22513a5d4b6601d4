/* The "API Reference / Fixed Pool" example of the C API (fixed_pool_api.inc, unchanged), inside a main. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory_pool_core.h"

static const unsigned char data[1024] = {1, 2, 3};

int main(void) {
#include "fixed_pool_api.inc"
    puts("fixed_pool_api: ok");
    return 0;
}
