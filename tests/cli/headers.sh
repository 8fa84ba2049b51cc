#!/bin/sh
# Every public header (runtime/include/axon/*.h, compiler/include/axon/*.h: found here, so
# headers added later are covered) compiles on its own as C++11 without warnings, included
# the way an embedder includes it, and is installed (listed in Makefile.am).
set -u
: "${AXON_SRCDIR:?}"
cxx=${CXX:-c++}
if ! command -v "$cxx" >/dev/null 2>&1; then
    echo "SKIP: no C++ compiler ($cxx): the public headers were not compiled as C++"
    exit 77
fi
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for h in "$AXON_SRCDIR"/runtime/include/axon/*.h "$AXON_SRCDIR"/compiler/include/axon/*.h; do
    [ -f "$h" ] || continue # a glob that matched nothing
    rel=${h#"$AXON_SRCDIR"/}
    name=$(basename "$h")
    if [ -f "$AXON_SRCDIR/runtime/include/axon/$name" ] && [ -f "$AXON_SRCDIR/compiler/include/axon/$name" ]; then
        fail=$((fail + 1)); echo "FAIL: $rel: runtime and compiler both have axon/$name (installed into one folder)"
    fi
    printf '#include <axon/%s>\nint main() { return 0; }\n' "$name" >"$tmp/t.cc"
    if "$cxx" -std=c++11 -Wall -Wextra -Werror -fsyntax-only \
        -I"$AXON_SRCDIR/runtime/include" -I"$AXON_SRCDIR/compiler/include" "$tmp/t.cc" >"$tmp/out" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL: $rel does not compile as C++11:"; sed 's/^/    /' "$tmp/out"
    fi
    # AXON_PUBLIC_HEADERS: what `make install` installs (set by Makefile.am)
    if [ -n "${AXON_PUBLIC_HEADERS+set}" ]; then
        case " $AXON_PUBLIC_HEADERS " in
        *" $rel "*) pass=$((pass + 1)) ;;
        *) fail=$((fail + 1)); echo "FAIL: $rel is not installed: list it in Makefile.am" ;;
        esac
    fi
done

echo "headers ($cxx): $pass passed, $fail failed"
[ "$pass" -gt 0 ] && [ "$fail" -eq 0 ]
