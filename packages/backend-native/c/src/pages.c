/*
 * Zeroed blocks for a pool's bookkeeping (its struct, live epochs and free stack). A big block is
 * mapped from the OS, not calloc'd: glibc raises its mmap threshold to the size of the first big
 * block freed, and from then on serves big blocks from its heap and zeroes them by hand, so every
 * new pool made its whole bookkeeping resident, however few slots it used: a loop that drops
 * 262,144-slot pools peaked at 140 to 198 MiB on Node 20 that way, 114 MiB mapped. Mapped pages
 * cost nothing until a slot's words are first written, and go back to the OS when the pool is
 * destroyed.
 */
#if !defined(_WIN32) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* mmap and MAP_ANONYMOUS under -std=c11; must precede every system header */
#endif

#include "mp_internal.h"

#if defined(_WIN32)
#include <windows.h>
#elif defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif
#define MP_MMAP 1
#endif

/* Below this, calloc's heap costs no more than pages would (glibc's initial mmap threshold). */
#define MP_PAGES_MIN_BYTES ((size_t)128 << 10)

void *mp_zeroed_new(size_t bytes) {
    if (bytes >= MP_PAGES_MIN_BYTES) {
#if defined(_WIN32)
        return VirtualAlloc(NULL, bytes, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
#elif defined(MP_MMAP)
        void *block = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return block == MAP_FAILED ? NULL : block;
#endif
    }
    return calloc(1, bytes);
}

void mp_zeroed_free(void *block, size_t bytes) {
    if (block == NULL) return;
    if (bytes >= MP_PAGES_MIN_BYTES) {
#if defined(_WIN32)
        VirtualFree(block, 0, MEM_RELEASE);
        return;
#elif defined(MP_MMAP)
        munmap(block, bytes);
        return;
#endif
    }
    free(block);
}
