#include "memory_pool_core.h"

/* MP_VERSION_STRING comes from package.json through the generated region of the header; the C
 * suite checks that it spells MP_VERSION_MAJOR.MINOR.PATCH and that this returns it. */
const char *mp_version(void) { return MP_VERSION_STRING; }
