/* CHECK(cond) for the white-box tests (aba.c, epoch_wrap.c, shared.c): counts every check, and a
 * failed one, which it prints with its file and line. */
#ifndef MP_TEST_CHECK_H
#define MP_TEST_CHECK_H

#include <stdio.h>

static int failures, checks;
#define CHECK(cond)                                                                   \
    do {                                                                              \
        checks++;                                                                     \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);                \
            failures++;                                                               \
        }                                                                             \
    } while (0)

#endif
