#include "memory_pool_core.h"

#define MP_STR2(x) #x
#define MP_STR(x) MP_STR2(x)

_Static_assert(sizeof(MP_VERSION_STRING) == sizeof(MP_STR(MP_VERSION_MAJOR) "." MP_STR(MP_VERSION_MINOR) "." MP_STR(MP_VERSION_PATCH)),
               "MP_VERSION_STRING must match MP_VERSION_MAJOR/MINOR/PATCH");

const char *mp_version(void) {
    return MP_STR(MP_VERSION_MAJOR) "." MP_STR(MP_VERSION_MINOR) "." MP_STR(MP_VERSION_PATCH);
}
