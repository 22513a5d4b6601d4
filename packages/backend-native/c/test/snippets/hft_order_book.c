/* The "HFT Order Book" example of the C API (hft_order_book.inc, unchanged), inside a main. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "memory_pool_core.h"

typedef struct Order {
    uint64_t id;
    int64_t price;
    int64_t quantity;
    int side;
} Order;

static void handle_pool_exhaustion(void) {
    fprintf(stderr, "order pool exhausted\n");
    exit(1);
}

int main(void) {
#include "hft_order_book.inc"
    puts("hft_order_book: ok");
    return 0;
}
