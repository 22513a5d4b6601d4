#!/bin/sh
# The README's C examples are the snippet fixtures that `make test` compiles and runs: each ```c
# block of README.md's "### Examples" section must equal c/test/snippets/<name>.inc, in order.
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
  /^### / { inside = ($0 == "### Examples") }
  inside && /^```c$/ { n++; file = dir "/" n; next }
  inside && /^```$/ { file = ""; next }
  file != "" { print > file }
' README.md
n=0
for name in "$@"; do
  n=$((n + 1))
  [ -f "$tmp/$n" ] || { echo "examples: README.md has no example $n for $name" >&2; exit 1; }
  cmp -s "$tmp/$n" "c/test/snippets/$name.inc" || { echo "examples: README.md example $n differs from c/test/snippets/$name.inc" >&2; exit 1; }
done
[ ! -f "$tmp/$((n + 1))" ] || { echo "examples: README.md has more examples than snippets" >&2; exit 1; }
echo "examples: README.md's $n C examples are the compiled snippets: ok"
