#!/bin/sh
# The optional dependencies of configure.ac (issue 10): libffi and line editing are needed only
# for the REPL, Check only for `make check`. In a pkg-config directory without libffi and
# Check, this script checks that
#   - plain configure stops with a message that names libffi and --without-repl;
#   - configure --without-repl --without-mpi succeeds (the summary says REPL no, Check no,
#     MPI no), the build succeeds with --enable-werror, and Axon's files do not link libffi,
#     libedit, Readline or MPI (issue 14: without MPI nothing changes);
#   - `axon repl` says how it was built (exit 2), `axon run` works, and started as one of
#     several MPI processes it says that it was built without MPI (exit 2) instead of running
#     the whole network in each;
#   - `make check` fails without Check (tests/unit/check-missing.sh), and the CLI tests pass.
# Run from a source tree that is not configured in place (VPATH builds), after autoreconf -fi:
#   sh tools/minimal-build.sh            (.ci/run does, after the ASan phase)
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-2}
[ -x "$src/configure" ] || { echo "minimal-build: run autoreconf -fi in $src first"; exit 1; }
[ -f "$src/config.status" ] && { echo "minimal-build: $src is configured in place (make distclean)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/out" ] && tail -20 "$tmp/out" | sed 's/^/    /'; exit 1; }
ok() { echo "ok: $*"; }

# every pkg-config module of this machine except libffi and check
mkdir "$tmp/pc"
for d in $(pkg-config --variable pc_path pkg-config | tr : ' '); do
    for f in "$d"/*.pc; do
        [ -f "$f" ] || continue
        b=${f##*/}
        case $b in libffi.pc | check.pc) ;; *) [ -e "$tmp/pc/$b" ] || ln -s "$f" "$tmp/pc/$b" ;; esac
    done
done
PKG_CONFIG_LIBDIR="$tmp/pc"
export PKG_CONFIG_LIBDIR
pkg-config --exists libffi && fail "libffi still visible to pkg-config"
pkg-config --exists check && fail "check still visible to pkg-config"

mkdir "$tmp/full" && cd "$tmp/full" || exit 1
if "$src/configure" >"$tmp/out" 2>&1; then fail "configure succeeded without libffi, with the REPL"; fi
grep -q "the REPL needs libffi.*--without-repl" "$tmp/out" || fail "configure's message names neither libffi nor --without-repl"
ok "configure without libffi stops, naming --without-repl"

mkdir "$tmp/min" && cd "$tmp/min" || exit 1
"$src/configure" --without-repl --without-mpi --enable-werror >"$tmp/out" 2>&1 ||
    fail "configure --without-repl --without-mpi without libffi and Check"
grep -q "REPL: *no" "$tmp/out" || fail "the summary does not say REPL: no"
grep -q "Check: *no" "$tmp/out" || fail "the summary does not say Check: no"
grep -q "MPI: *no" "$tmp/out" || fail "the summary does not say MPI: no"
ok "configure --without-repl --without-mpi without libffi and Check"
make -j"$jobs" >"$tmp/out" 2>&1 || fail "make -j$jobs (--without-repl, --enable-werror)"
ok "build"
# what Axon's own files link (DT_NEEDED): LLVM's shared library may need libffi and libedit
# itself (Debian's does), which is not the REPL's doing
for bin in .libs/axon .libs/libaxonc.so .libs/libaxonrt.so; do
    [ -f "$bin" ] || fail "$bin is missing"
    objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }' >"$tmp/needed" || fail "objdump -p $bin"
    grep -q "libaxonrt\|libc\.so" "$tmp/needed" || fail "objdump -p $bin lists no NEEDED libraries"
    if grep -E "libffi|libedit|libreadline|libmpi" "$tmp/needed" >"$tmp/out"; then fail "$bin needs $(cat "$tmp/out")"; fi
done
ok "Axon's programs and libraries need neither libffi, libedit, Readline nor MPI"
./axon repl </dev/null >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "axon repl: exit $rc, expected 2"
grep -q "built without the REPL (configure --without-repl)" "$tmp/out" || fail "axon repl: no message"
ok "axon repl says it was not built"
./axon run "$src/examples/izhikevich.axon" -t 20ms -q >"$tmp/out" 2>&1 || fail "axon run"
ok "axon run"
# as one of 2 processes of mpirun (Open MPI's variable) or srun (PMI's): a usage error, no run
for v in OMPI_COMM_WORLD_SIZE PMI_SIZE; do
    env "$v=2" ./axon run "$src/examples/izhikevich.axon" -t 20ms -q -o "$tmp/mpi-out" >"$tmp/out" 2>&1
    rc=$?
    [ $rc -eq 2 ] || fail "axon run with $v=2: exit $rc, expected 2"
    grep -q "started as one of 2 MPI processes, but built without MPI" "$tmp/out" ||
        fail "axon run with $v=2: no message"
    [ ! -e "$tmp/mpi-out" ] || fail "axon run with $v=2 wrote a recording"
done
ok "axon run started by an MPI launcher says it was built without MPI"
if make check TESTS=tests/unit/check-missing.sh >"$tmp/out" 2>&1; then fail "make check passed without Check"; fi
grep -q "the unit tests need the Check unit-test framework" tests/unit/check-missing.log ||
    fail "make check without Check: no message"
ok "make check fails without Check, saying why"
make check TESTS="tests/golden/run.sh tests/cli/run.sh" >"$tmp/out" 2>&1 || fail "the CLI tests"
ok "the golden and CLI tests pass"
echo "minimal-build: all passed"
