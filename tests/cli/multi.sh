#!/bin/sh
# Two compiled models in one program: each model's symbols carry its prefix and only its
# descriptor is exported, so two objects link together, and two shared libraries (linked in, or
# loaded with dlopen and RTLD_GLOBAL) each run their own kernels. Every way, each model's
# recordings must equal `axon run` of the same model, seed and duration bit for bit.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}" "${AXON_LIBDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"
inc="-I$AXON_SRCDIR/runtime/include"
rt="-L$AXON_LIBDIR -Wl,-rpath,$AXON_LIBDIR -laxonrt -lm"

# same NAME REF DIR : DIR holds the .npy files of REF, each identical
same() {
    n=0
    for f in "$2"/*.npy; do
        n=$((n + 1))
        if ! cmp -s "$f" "$3/${f##*/}"; then : >"$out"; bad "$1: ${f##*/} differs from axon run"; return; fi
    done
    if [ "$n" -gt 0 ] && [ "$(ls "$3"/*.npy | wc -l)" -eq "$n" ]; then ok; else : >"$out"; bad "$1: recordings"; fi
}

# model 1: four Izhikevich neurons; model 2: a small COBA network (projections, random draws)
m1="$AXON_SRCDIR/examples/izhikevich.axon"
m2="$AXON_SRCDIR/examples/coba.axon"
set2="--set N=400"
T=0.1
seed=7
run "axon run m1" "$AXON" run "$m1" -t 100ms --seed $seed -o "$tmp/ref1" -q
run "axon run m2" "$AXON" run "$m2" $set2 -t 100ms --seed $seed -o "$tmp/ref2" -q

run "build m1.o" "$AXON" build "$m1" --emit obj --symbol m1 -o "$tmp/m1.o" -q
run "build m2.o" "$AXON" build "$m2" $set2 --emit obj --symbol m2 -o "$tmp/m2.o" -q
# nothing but the descriptor is exported; the kernels carry the prefix
if nm "$tmp/m1.o" >"$out" 2>&1; then
    if [ "$(awk '$2 ~ /^[A-TV-Z]$/ {print $3}' "$out")" = "m1" ]; then ok; else bad "m1.o defines global symbols besides m1"; fi
    if grep -q " t m1_pop0_update$" "$out"; then ok; else bad "m1.o: no local m1_pop0_update"; fi
fi

# (a) two objects linked into one program
run "link objects" $cc $san $inc "$AXON_SRCDIR/tests/cli/multi.c" "$tmp/m1.o" "$tmp/m2.o" $rt -o "$tmp/multi_obj"
run "objects run" "$tmp/multi_obj" "$tmp/a1" "$tmp/a2" $T $seed
same "objects: m1" "$tmp/ref1" "$tmp/a1"
same "objects: m2" "$tmp/ref2" "$tmp/a2"

# (b) two shared libraries linked into one program
run "build libm1.so" "$AXON" build "$m1" --emit shared --symbol m1 -o "$tmp/libm1.so" -q
run "build libm2.so" "$AXON" build "$m2" $set2 --emit shared --symbol m2 -o "$tmp/libm2.so" -q
run "link shared" $cc $san $inc "$AXON_SRCDIR/tests/cli/multi.c" "$tmp/libm1.so" "$tmp/libm2.so" \
    -Wl,-rpath,"$tmp" $rt -o "$tmp/multi_so"
run "shared run" "$tmp/multi_so" "$tmp/b1" "$tmp/b2" $T $seed
same "shared: m1" "$tmp/ref1" "$tmp/b1"
same "shared: m2" "$tmp/ref2" "$tmp/b2"

# (c) the same libraries loaded with dlopen(RTLD_NOW | RTLD_GLOBAL), descriptors by dlsym
run "link dlopen" $cc $san $inc -DMULTI_DLOPEN "$AXON_SRCDIR/tests/cli/multi.c" $rt -ldl -o "$tmp/multi_dl"
run "dlopen run" "$tmp/multi_dl" "$tmp/libm1.so" m1 "$tmp/libm2.so" m2 "$tmp/c1" "$tmp/c2" $T $seed
same "dlopen: m1" "$tmp/ref1" "$tmp/c1"
same "dlopen: m2" "$tmp/ref2" "$tmp/c2"

finish multi
