#!/bin/sh
# The installed shared libraries export only their public prefix (axon_ for libaxonrt and
# libaxonexe, axonc_ for libaxonc), and every runtime function that generated code calls
# is among the exports: the JIT inside `axon run` finds them through the process's
# dynamic symbols, and executables from `axon build` through the dynamic linker.
set -u
: "${AXON_LIBDIR:?}" "${AXON_SRCDIR:?}"
command -v nm >/dev/null 2>&1 || { echo "SKIP: nm (binutils) is not installed"; exit 77; }
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"

# exports LIB : the names LIB defines in its dynamic symbol table, without the linker's own
exports() {
    nm -D --defined-only "$1" | awk 'NF == 3 { print $3 }' |
        grep -Ev '^(_init|_fini|_edata|_end|__bss_start|_DYNAMIC|_GLOBAL_OFFSET_TABLE_)$' | sort -u
}

for lib in libaxonrt libaxonexe libaxonc; do
    so="$AXON_LIBDIR/$lib.so"
    case $lib in libaxonc) prefix=axonc_ ;; *) prefix=axon_ ;; esac
    if [ ! -f "$so" ]; then fail=$((fail + 1)); echo "FAIL: $so is missing"; continue; fi
    exports "$so" >"$tmp/$lib"
    grep -v "^$prefix" "$tmp/$lib" >"$tmp/$lib.bad"
    if [ -s "$tmp/$lib.bad" ]; then
        fail=$((fail + 1))
        echo "FAIL: $lib.so exports $(wc -l <"$tmp/$lib.bad") symbols without the prefix $prefix:"
        sed 's/^/    /' "$tmp/$lib.bad"
    else pass=$((pass + 1)); fi
done
cat "$tmp/libaxonrt" "$tmp/libaxonexe" 2>/dev/null | sort -u >"$tmp/runtime"

# The runtime functions that code generation calls by name: every quoted axon_ name in
# compiler/codegen that a public runtime header declares as a function. The three named
# here make sure the extraction is not empty.
grep -oh '"axon_[a-z0-9_]*"' "$AXON_SRCDIR"/compiler/codegen/*.c | tr -d '"' | sort -u >"$tmp/quoted"
called=""
for f in $(cat "$tmp/quoted"); do
    grep -Eq "[ *]$f\(" "$AXON_SRCDIR"/runtime/include/axon/*.h && called="$called $f"
done
for f in axon_rng_uniform axon_rng_normal axon_exe_main; do
    case " $called " in *" $f "*) ;; *) called="$called $f" ;; esac
done
for f in $called; do
    if grep -qx "$f" "$tmp/runtime"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: generated code calls $f, which libaxonrt/libaxonexe do not export"; fi
done

# Every function libaxonrt exports is misused in tests/unit/check_misuse.c (NULL handles, bad
# arguments, fresh messages): a new export without its misuse test fails here.
misuse="$AXON_SRCDIR/tests/unit/check_misuse.c"
n=0
for f in $(cat "$tmp/libaxonrt"); do
    n=$((n + 1))
    if grep -q "\b$f(" "$misuse"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: libaxonrt exports $f, which tests/unit/check_misuse.c never calls"; fi
done
if [ $n -ge 150 ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: only $n functions found in libaxonrt.so"; fi

finish exports
