#!/bin/sh
# The install test (run by `make test`): `make install` into a temporary prefix, then a program
# built only with `pkg-config --cflags --libs memory_pool_core` runs against the shared library
# and against the static one; `make install DESTDIR=... PREFIX=/usr/local` stages the same files
# under DESTDIR with /usr/local in the .pc. Also checks that MP_NODISCARD turns a dropped alloc
# into a warning and leaves a dropped free status alone. Needs pkg-config (Debian: pkg-config).
set -eu
CC=${CC:-cc}
MAKE=${MAKE:-make}
cd "$(dirname "$0")/../.."

if ! command -v pkg-config >/dev/null 2>&1; then
  echo "install test: FAILED: pkg-config is not installed (Debian/Ubuntu: apt-get install -y pkg-config)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
fail() { echo "install test: FAILED: $*" >&2; exit 1; }

$MAKE --no-print-directory -s install PREFIX="$prefix" WERROR=-Werror >/dev/null
version=$(sed -n 's/^#define MP_VERSION_STRING "\(.*\)"$/\1/p' c/include/memory_pool_core.h)
major=${version%%.*}
shared=0
case "$(uname -s)" in Darwin) ;; *) shared=1 ;; esac

for f in include/memory_pool_core.h lib/libmemory_pool_core.a lib/pkgconfig/memory_pool_core.pc; do
  [ -f "$prefix/$f" ] || fail "$f not installed"
done
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion memory_pool_core)" = "$version" ] || fail "pkg-config --modversion is not $version"
cflags=$(pkg-config --cflags memory_pool_core)
libs=$(pkg-config --libs memory_pool_core)

# The consumer: a pool, a thread-safe pool and an arena, and the version it was compiled against.
cat > "$tmp/consumer.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <memory_pool_core.h>
int main(void) {
    MP_FixedPool *pool = mp_fixed_pool_create(32, 4);
    MP_SharedPool *shared = mp_shared_pool_create(32, 4, 0, 0);
    MP_SharedPoolHolder *holder = mp_shared_pool_attach(shared, NULL);
    MP_Arena *arena = mp_arena_create(256);
    void *a = mp_fixed_pool_alloc(pool);
    size_t s = mp_shared_pool_alloc_offset(holder);
    void *b = mp_arena_alloc(arena, 10, 8);
    int ok = a != NULL && s == 64 && b != NULL && mp_fixed_pool_free(pool, a) == MP_OK &&
             mp_fixed_pool_free(pool, a) == MP_ERR_DOUBLE_FREE && strcmp(mp_version(), MP_VERSION_STRING) == 0;
    mp_fixed_pool_destroy(pool);
    mp_shared_pool_detach(holder);
    mp_shared_pool_destroy(shared);
    mp_arena_destroy(arena);
    printf("consumer: memory_pool_core %s %s\n", mp_version(), ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}
C

# Static: the archive, whatever else lies beside it.
$CC -std=c11 $cflags "$tmp/consumer.c" -Wl,-Bstatic $libs -Wl,-Bdynamic -o "$tmp/consumer_static" 2>/dev/null ||
  $CC -std=c11 $cflags "$tmp/consumer.c" "$(pkg-config --variable=libdir memory_pool_core)/libmemory_pool_core.a" -o "$tmp/consumer_static"
"$tmp/consumer_static" || fail "the statically linked consumer"

if [ "$shared" = 1 ]; then
  for f in "libmemory_pool_core.so" "libmemory_pool_core.so.$major" "libmemory_pool_core.so.$version"; do
    [ -e "$prefix/lib/$f" ] || fail "lib/$f not installed"
  done
  soname=$(LC_ALL=C readelf -d "$prefix/lib/libmemory_pool_core.so.$version" 2>/dev/null | sed -n 's/.*SONAME.*\[\(.*\)\].*/\1/p')
  [ "$soname" = "libmemory_pool_core.so.$major" ] || fail "soname is '$soname', not libmemory_pool_core.so.$major"
  [ "$(readlink "$prefix/lib/libmemory_pool_core.so.$major")" = "libmemory_pool_core.so.$version" ] || fail "so.$major link"
  # Only the API is exported: every exported function is declared in the header.
  for sym in $(nm -D --defined-only "$prefix/lib/libmemory_pool_core.so.$version" | awk '$2 == "T" { print $3 }'); do
    grep -q "[ *]$sym(" "$prefix/include/memory_pool_core.h" || fail "$sym exported but not in the header"
  done
  $CC -std=c11 $cflags "$tmp/consumer.c" $libs -o "$tmp/consumer_shared"
  LD_LIBRARY_PATH="$prefix/lib" "$tmp/consumer_shared" || fail "the dynamically linked consumer (LD_LIBRARY_PATH)"
  needed() { LC_ALL=C readelf -d "$1" | grep -c "NEEDED.*\[libmemory_pool_core.so.$major\]" || true; }
  [ "$(needed "$tmp/consumer_shared")" = 1 ] || fail "the shared consumer does not need libmemory_pool_core.so.$major"
  [ "$(needed "$tmp/consumer_static")" = 0 ] || fail "the static consumer needs the .so"
  $CC -std=c11 $cflags "$tmp/consumer.c" $libs -Wl,-rpath,"$prefix/lib" -o "$tmp/consumer_rpath"
  "$tmp/consumer_rpath" || fail "the dynamically linked consumer (rpath)"
fi

# DESTDIR stages under a root, and the .pc names the final prefix.
$MAKE --no-print-directory -s install DESTDIR="$tmp/stage" PREFIX=/usr/local >/dev/null
[ -f "$tmp/stage/usr/local/include/memory_pool_core.h" ] || fail "DESTDIR: header"
[ -f "$tmp/stage/usr/local/lib/libmemory_pool_core.a" ] || fail "DESTDIR: static library"
grep -qx 'prefix=/usr/local' "$tmp/stage/usr/local/lib/pkgconfig/memory_pool_core.pc" || fail "DESTDIR: the .pc prefix"

# MP_NODISCARD: a dropped allocation warns (an error with -Werror); a dropped free status does not.
printf '#include <memory_pool_core.h>\nint main(void) { MP_FixedPool *p = mp_fixed_pool_create(8, 1); mp_fixed_pool_alloc(p); mp_fixed_pool_destroy(p); return 0; }\n' > "$tmp/drop_alloc.c"
printf '#include <memory_pool_core.h>\nint main(void) { MP_FixedPool *p = mp_fixed_pool_create(8, 1); if (!p) return 1; mp_fixed_pool_free(p, NULL); mp_fixed_pool_reset(p); mp_fixed_pool_destroy(p); return 0; }\n' > "$tmp/drop_free.c"
if $CC -std=c11 -Werror $cflags -c "$tmp/drop_alloc.c" -o "$tmp/drop_alloc.o" 2>/dev/null; then fail "a dropped mp_fixed_pool_alloc result compiled without a warning"; fi
$CC -std=c11 -Wall -Wextra -Werror $cflags -c "$tmp/drop_free.c" -o "$tmp/drop_free.o" || fail "a dropped free/reset status warned"

echo "install test: make install, pkg-config ($version), static and shared consumers, DESTDIR, MP_NODISCARD: ok"
